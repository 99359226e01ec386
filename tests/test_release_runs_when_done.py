"""Every notebook of the release runs top to bottom once its exercises are done.

The release is built from the instructor's notebooks, every exercise stub (notebook cells and
library functions) is replaced by the instructor's solution, the notebooks are saved (notebooks
05 and 06 read the student's functions from the saved files), and each one is executed against the
release's library. No cell may raise "not implemented yet", and no cell raises at all unless its
tag `raises-exception` says it is meant to (a "common mistake" run through the check).
"""
import os
from pathlib import Path

import pytest
from release_notebooks import errors, fill_release, run_notebook

pytest.importorskip("nbgrader", reason="the release needs the [grade] extra (pip install -e '.[grade]')")
pytest.importorskip("nbclient")

from w2v_lib.course.cells import NOT_IMPLEMENTED, RAISES  # noqa: E402
from w2v_lib.course.release import PACKAGE, REPO, write_release  # noqa: E402

pytestmark = pytest.mark.slow
INSTRUCTOR = sorted((REPO / "notebooks").glob("*.ipynb"))
NEEDS_SST = {"06_train_on_sst.ipynb", "07_making_it_fast.ipynb", "08_explorer.ipynb", "09_how_vectors_learn.ipynb",
             "10_playground.ipynb"}


@pytest.fixture(scope="module")
def done_release(tmp_path_factory):
    release = write_release(tmp_path_factory.mktemp("done") / "student")
    filled = fill_release(release, REPO / "notebooks", PACKAGE)
    return release, filled


def test_filling_reaches_every_stub(done_release):
    release, filled = done_release
    assert len([f for f in filled if f.startswith("w2v_lib/")]) >= 4, filled
    for path in (release / "w2v_lib").rglob("*.py"):
        assert f"{NOT_IMPLEMENTED}: see notebook" not in path.read_text(encoding="utf-8"), path
    for path in (release / "notebooks").glob("*.ipynb"):
        assert f"{NOT_IMPLEMENTED}: see notebook" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("name", [p.name for p in INSTRUCTOR])
def test_the_done_release_runs_top_to_bottom(done_release, name):
    if name in NEEDS_SST and not os.environ.get("W2V_SST_DIR"):
        pytest.skip("needs the SST: point W2V_SST_DIR at the folder holding datasetSentences.txt")
    release, _ = done_release
    nb = run_notebook(release / "notebooks" / name, pythonpath=release, timeout=900)
    found = errors(nb)
    stubbed = [e for e in found if NOT_IMPLEMENTED in e[2]]
    assert stubbed == [], f"{name}: still reaches a stub with every exercise done: {stubbed}"
    unexpected = [e for e in found if RAISES not in e[1]]
    assert unexpected == [], f"{name}: errors in cells not tagged {RAISES!r}: {unexpected}"


def test_the_done_release_is_the_release_plus_solutions_only(done_release):
    """Filling changed only the stubbed files: the rest of the library is the release's."""
    release, filled = done_release
    fresh = write_release(Path(str(release) + "-fresh"))
    changed = {p.relative_to(release).as_posix() for p in (release / "w2v_lib").rglob("*.py")
               if p.read_text(encoding="utf-8") != (fresh / p.relative_to(release)).read_text(encoding="utf-8")}
    assert changed == {f for f in filled if f.startswith("w2v_lib/")}
