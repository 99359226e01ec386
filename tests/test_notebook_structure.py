"""Every question notebook (00–05) keeps the workbook's shape and stays safe to commit executed.

Checked per notebook: balanced `### BEGIN SOLUTION` / `### END SOLUTION` regions, a live
gradient check, a "common mistake" cell that asserts the check fails, a "Try it" prompt, the
fixed print precision in the first code cell, no saved widget state, no absolute paths in
sources or outputs, and the python3 kernelspec.
"""
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
QUESTION_PREFIXES = ("00_", "01_", "02_", "03_", "04_", "05_")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# A path from the root of a Unix or Windows file system, or a home directory.
ABSOLUTE_PATH = re.compile(r"""(?:^|[\s'"(=])(?:/(?:work|home|root|tmp|Users|mnt|opt)/|[A-Za-z]:\\|~/)""")


def question_notebooks():
    found = sorted(p for p in NOTEBOOKS.glob("0[0-5]_*.ipynb"))
    return found


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def code_cells(nb):
    return [source(c) for c in nb["cells"] if c["cell_type"] == "code"]


def test_all_six_question_notebooks_exist():
    prefixes = sorted(p.name[:3] for p in question_notebooks())
    assert prefixes == list(QUESTION_PREFIXES), f"expected one notebook per prefix {QUESTION_PREFIXES}; got {prefixes}"


def solution_regions_balanced(src: str) -> bool:
    """Markers alternate BEGIN, END, BEGIN, END ... on lines of their own."""
    depth = 0
    for line in src.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if depth:
                return False
            depth = 1
        elif stripped == END:
            if not depth:
                return False
            depth = 0
        elif BEGIN in line or END in line:
            return False  # a marker sharing its line with code
    return depth == 0


@pytest.mark.parametrize("src, ok", [
    (f"{BEGIN}\nx = 1\n{END}\n", True),
    (f"{BEGIN}\nx = 1\n", False),
    (f"{END}\n{BEGIN}\n", False),
    (f"{BEGIN}\n{BEGIN}\n{END}\n{END}\n", False),
    (f"x = 1  {BEGIN}\n{END}\n", False),
])
def test_marker_checker_catches_unbalanced_regions(src, ok):
    assert solution_regions_balanced(src) is ok


def test_absolute_path_pattern():
    assert ABSOLUTE_PATH.search('open("/home/alice/project/data/x")')
    assert ABSOLUTE_PATH.search("C:\\Users\\me")
    assert not ABSOLUTE_PATH.search('os.environ["W2V_SST_DIR"] or "../data/sst"')
    assert not ABSOLUTE_PATH.search("ratio W/(K+1) and 1/(1+e)")


@pytest.fixture(params=question_notebooks(), ids=lambda p: p.name)
def notebook(request):
    return request.param, load(request.param)


def test_solution_markers_are_balanced_and_present(notebook):
    path, nb = notebook
    sources = code_cells(nb)
    assert any(BEGIN in s for s in sources), f"{path.name}: no solution region"
    for i, s in enumerate(sources):
        assert solution_regions_balanced(s), f"{path.name}: code cell {i} has unbalanced solution markers"


def test_has_a_live_gradcheck(notebook):
    path, nb = notebook
    assert any("gradcheck(" in s for s in code_cells(nb)), f"{path.name}: no live gradient check"


def test_common_mistake_cell_asserts_the_check_fails(notebook):
    path, nb = notebook
    mistakes = [s for s in code_cells(nb) if s.lstrip().startswith("# COMMON MISTAKE")]
    assert mistakes, f"{path.name}: no code cell starting with '# COMMON MISTAKE'"
    for s in mistakes:
        assert re.search(r"assert not \w+", s), \
            f"{path.name}: a common-mistake cell does not assert that the check fails"
        assert "failed_indices" in s, f"{path.name}: a common-mistake cell does not assert where the check fails"


def test_has_a_try_it_prompt(notebook):
    path, nb = notebook
    assert any(c["cell_type"] == "markdown" and "**Try it.**" in source(c) for c in nb["cells"]), \
        f"{path.name}: no '**Try it.**' prompt"


def test_first_code_cell_fixes_print_precision(notebook):
    path, nb = notebook
    assert "np.set_printoptions(precision=4, suppress=True)" in code_cells(nb)[0], \
        f"{path.name}: the first code cell must fix the print precision"


def test_executed_without_errors_or_widget_state(notebook):
    path, nb = notebook
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: saved widget state in metadata"
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        assert c.get("outputs") is not None
        for out in c["outputs"]:
            assert out["output_type"] != "error", f"{path.name}: a stored output is an error"
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {}), \
                f"{path.name}: a stored output holds a widget view"
    assert any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), \
        f"{path.name}: not executed (no stored outputs); run `make refresh`"


def strings_in(node, skip=("image/png", "image/jpeg")):
    """Every string in a cell's JSON, base64 images left out."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item, skip)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in skip:
                yield from strings_in(value, skip)


def test_no_absolute_paths(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        for text in strings_in({"source": cell.get("source"), "outputs": cell.get("outputs", [])}):
            match = ABSOLUTE_PATH.search(text)
            around = text[max(0, match.start() - 30):match.end() + 30] if match else ""
            assert match is None, f"{path.name}: cell {i} holds an absolute path: {around!r}"


def test_kernelspec_is_python3(notebook):
    path, nb = notebook
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec must be python3"
