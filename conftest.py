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


# Modules whose tests each run a whole notebook of a release (a minute or two each, on a release
# that takes seconds to build): their tests are shared out one by one.
SPLIT_MODULES = {"tests/test_course_release.py", "tests/test_course_release__runs_when_done.py"}


def work_unit(nodeid: str) -> str:
    """The unit of work a test belongs to under pytest-xdist (see pytest_xdist_make_scheduler)."""
    path = nodeid.split("::", 1)[0]
    if path.endswith(".ipynb") or "::ipynb::" in nodeid:
        return "notebooks"
    if path.endswith("__browser.py"):
        return "browser"
    return nodeid if path in SPLIT_MODULES else path


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, the longest work first, so that no worker is left with a long test at the
    end while the other waits: the notebooks, the browser tests, then the modules holding a `slow`
    test, then the rest. Whole modules move (their order inside is kept, so a module-scoped fixture
    is built once), and the notebooks keep theirs (08 opens the run 06 trains)."""
    if not hasattr(config, "workerinput"):
        return

    def rank(item):
        unit = work_unit(item.nodeid)
        return 0 if unit == "notebooks" else 1 if unit == "browser" else 2 if item.get_closest_marker("slow") else 3

    module_rank = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        module_rank[module] = min(module_rank.get(module, 3), rank(item))
    items.sort(key=lambda item: module_rank[item.nodeid.split("::", 1)[0]])  # stable: each module's own order kept


@pytest.hookimpl(optionalhook=True)  # a plain `pytest` without pytest-xdist ignores it
def pytest_xdist_make_scheduler(config, log):
    """How `make test` (pytest-xdist, several workers) shares the work out, one unit at a time to
    whichever worker is free, in the order pytest_collection_modifyitems gives:
    - all notebooks form one unit, run in order by one worker (a notebook's cells share one kernel,
      and notebook 08 opens the run that 06 trains);
    - the browser tests form another (one Chromium at a time);
    - every other module is a unit, so its module-scoped fixtures are built once (the grading run
      of test_course_grading.py was built by both workers), except SPLIT_MODULES, whose tests go
      one by one."""
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

    config.option.loadscopereorder = False  # keep the order of pytest_collection_modifyitems
    return ByWorkUnit(config, log)
