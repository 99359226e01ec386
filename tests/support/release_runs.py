"""Running a release's notebooks: execute one against the release's library, read its errors, and
fill a release's exercises with the instructor's solutions (what a student who did all the work has).
"""
import os
from pathlib import Path

from w2v_lib.course.cells import BEGIN_SOLUTION, END_SOLUTION, grade_id, is_exercise, read_notebook, source


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
