"""student_edition: solutions become NotImplementedError, outputs go, bad markers are named."""
import ast
import json
from pathlib import Path

import pytest

from w2v_lib.student_edition import (
    BEGIN,
    END,
    PLACEHOLDER,
    main,
    strip_solutions,
    student_edition,
    write_student_editions,
)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def test_region_becomes_one_raise_at_the_markers_indent():
    src = f"def f(x):\n    {BEGIN}\n    y = x + 1\n    return y\n    {END}\n\nprint(1)"
    assert strip_solutions(src) == f"def f(x):\n    {PLACEHOLDER}\n\nprint(1)"


def test_code_outside_regions_is_kept_verbatim():
    src = f"a = 1\n{BEGIN}\nb = 2\n{END}\nc = 3\n{BEGIN}\nd = 4\n{END}"
    assert strip_solutions(src) == f"a = 1\n{PLACEHOLDER}\nc = 3\n{PLACEHOLDER}"


@pytest.mark.parametrize("src, message", [
    (f"{BEGIN}\nx = 1", "never closed"),
    (f"x = 1\n{END}", "without a matching"),
    (f"{BEGIN}\n{BEGIN}\n{END}", "inside an open"),
    (f"x = 1  {BEGIN}\n{END}", "alone on its line"),
])
def test_bad_markers_are_named(src, message):
    with pytest.raises(ValueError, match=message):
        strip_solutions(src, where="nb, code cell 3")


def test_rejects_non_notebook_json():
    with pytest.raises(ValueError, match="cells"):
        student_edition({"metadata": {}})


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("0[0-5]_*.ipynb")), ids=lambda p: p.name)
def test_real_notebooks_lose_every_solution_and_output(path):
    teacher = json.loads(path.read_text(encoding="utf-8"))
    regions = sum("".join(c["source"]).count(BEGIN) for c in teacher["cells"] if c["cell_type"] == "code")
    student = student_edition(teacher, name=path.name)
    code = ["".join(c["source"]) for c in student["cells"] if c["cell_type"] == "code"]
    assert regions > 0
    assert sum(s.count(PLACEHOLDER) for s in code) == regions
    assert not any(BEGIN in s or END in s for s in code)
    assert all(c["outputs"] == [] and c["execution_count"] is None
               for c in student["cells"] if c["cell_type"] == "code")
    for s in code:  # still valid Python once IPython magics are set aside
        ast.parse("\n".join(line for line in s.splitlines() if not line.lstrip().startswith("%")))
    assert any(c.get("outputs") for c in teacher["cells"] if c["cell_type"] == "code"), "the input is untouched"


def test_cli_writes_into_out_dir_and_refuses_to_overwrite(tmp_path, capsys):
    src = tmp_path / "nb.ipynb"
    src.write_text(json.dumps({"cells": [{"cell_type": "code", "source": f"{BEGIN}\nx = 1\n{END}",
                                          "outputs": [{"output_type": "stream"}], "execution_count": 1,
                                          "metadata": {}}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert main([str(src), "--out-dir", str(tmp_path / "student")]) == 0
    written = json.loads((tmp_path / "student" / "nb.ipynb").read_text())
    assert written["cells"][0]["source"] == PLACEHOLDER
    assert "wrote" in capsys.readouterr().out
    with pytest.raises(ValueError, match="out-dir"):
        write_student_editions([src], tmp_path)
    with pytest.raises(FileNotFoundError, match="missing.ipynb"):
        write_student_editions([tmp_path / "missing.ipynb"], tmp_path / "student")
