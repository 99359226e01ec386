"""Running a release's notebooks: execute one against the release's library, read its errors, and
fill a release's exercises with the instructor's solutions (what a student who did all the work has).
"""
import os
from pathlib import Path

import pytest

from w2v_lib.course.cells import BEGIN_SOLUTION, END_SOLUTION, grade_id, is_exercise, read_notebook, source

# The notebooks that read the treebank. In a release their kernel finds it through W2V_SST_DIR only
# (the release's own data/ folder is empty), and would otherwise download it.
NEEDS_SST = {"06_train_on_sst.ipynb", "07_making_it_fast.ipynb", "08_explorer.ipynb", "09_how_vectors_learn.ipynb",
             "10_playground.ipynb"}


def skip_without_sst(name: str) -> None:
    """Skip a release run of notebook `name` that would have to download the treebank: tests stay offline."""
    if name in NEEDS_SST:
        from w2v_lib.corpora import find_sst

        if not os.environ.get("W2V_SST_DIR"):
            pytest.skip(f"{name} reads the treebank, which tests never download: point W2V_SST_DIR at the folder "
                        "holding datasetSentences.txt")
        find_sst()  # a W2V_SST_DIR without the file is an error, not a skip


def run_notebook(path: Path, pythonpath: Path, timeout: int = 600):
    """Execute a notebook with errors allowed, the kernel importing w2v_lib from `pythonpath`."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(pythonpath)  # the kernel inherits it: the release's w2v_lib wins
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old
    return nb


def errors(nb):
    """(cell index, tags, 'Name: message') of every error output."""
    return [(i, c["metadata"].get("tags", []), f"{o['ename']}: {o['evalue']}") for i, c in enumerate(nb.cells)
            if c.cell_type == "code" for o in c.get("outputs", []) if o["output_type"] == "error"]


def without_markers(text: str) -> str:
    """The instructor's solution as a student would have written it: the region's lines, no markers."""
    return "\n".join(line for line in text.split("\n") if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def fill_release(release: Path, source_dir: Path) -> list:
    """Replace every exercise stub of the release's notebooks by the instructor's solution; returns
    'notebook: grade_id' for each. The library's stubs stay: a student writes the exercises in the
    notebooks, and the notebooks that need them read them from there (load_answers)."""
    import nbformat

    solutions = {grade_id(c): source(c) for p in sorted(source_dir.glob("*.ipynb"))
                 for c in read_notebook(p)["cells"] if is_exercise(c)}
    filled = []
    for path in sorted((release / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if is_exercise(cell):
                cell.source = without_markers(solutions[grade_id(cell)])
                filled.append(f"{path.name}: {grade_id(cell)}")
        nbformat.write(nb, path)
    return filled
