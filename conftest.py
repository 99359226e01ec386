"""Repository-wide pytest configuration.

nbval compares every stored notebook output with a fresh run. Numbers at round-off level differ
between CPUs (numpy's AVX-512 and AVX2 code paths round differently), so the repository's own
sanitizers (nbval_sanitize.cfg) are applied whenever nbval runs from this checkout — with the
README's `make test` or an instructor's plain `pytest --nbval notebooks/` alike.
"""
from pathlib import Path

SANITIZERS = Path(__file__).with_name("nbval_sanitize.cfg")


def pytest_configure(config):
    # Only when nbval is installed and the caller named no sanitizer file of their own.
    if hasattr(config.option, "nbval_sanitize_with") and config.option.nbval_sanitize_with is None:
        config.option.nbval_sanitize_with = str(SANITIZERS)
