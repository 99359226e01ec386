"""Repository-wide pytest configuration.

nbval compares every stored notebook output with a fresh run. Numbers at round-off level differ
between CPUs (numpy's AVX-512 and AVX2 code paths round differently), so the repository's own
sanitizers (nbval_sanitize.cfg) are applied whenever nbval runs from this checkout — with the
README's `make test` or an instructor's plain `pytest --nbval notebooks/` alike.
"""
from pathlib import Path

import pytest

SANITIZERS = Path(__file__).with_name("nbval_sanitize.cfg")


def pytest_configure(config):
    # Only when nbval is installed and the caller named no sanitizer file of their own.
    if hasattr(config.option, "nbval_sanitize_with") and config.option.nbval_sanitize_with is None:
        config.option.nbval_sanitize_with = str(SANITIZERS)



@pytest.hookimpl(optionalhook=True)  # a plain `pytest` without pytest-xdist ignores it
def pytest_xdist_make_scheduler(config, log):
    """How `make test` (pytest-xdist, several workers) shares the work out. A notebook's cells share
    one kernel, and notebook 08 opens the run that 06 trains, so all notebooks form one unit, run
    by one worker in order; the browser tests form another (one Chromium at a time); every other
    test is a unit of its own and goes to whichever worker is free."""
    from xdist.scheduler import LoadScopeScheduling

    class NotebooksTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            if path.endswith(".ipynb") or "::ipynb::" in nodeid:
                return "notebooks"
            if path.endswith("__browser.py"):
                return "browser"
            return nodeid

    return NotebooksTogether(config, log)
