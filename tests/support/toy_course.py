"""A two-notebook course in miniature, marked as COURSE_CONVENTIONS.md says, for the course tests.

01_square asks for `square(x)` (3 points of checks, 1 of them hidden) and a written answer;
02_cube asks for `cube(x)` (2 points). Each has a hint, an instructor-only near-solution and an
expected-to-fail cell, so every rule of the release has something to act on.
"""
import json
from pathlib import Path

BEGIN, END = "### BEGIN " + "SOLUTION", "### END " + "SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN " + "HIDDEN TESTS", "### END " + "HIDDEN TESTS"
SECRET = "return x * x  # the square solution"


def _meta(grade_id, solution, grade, points=None, locked=False):
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def code(text, metadata=None, outputs=None):
    return {"cell_type": "code", "source": text, "metadata": metadata or {}, "execution_count": 1 if outputs else None,
            "outputs": outputs or []}


def markdown(text, metadata=None):
    return {"cell_type": "markdown", "source": text, "metadata": metadata or {}}


def notebook(cells):
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"},
                         "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}}}


def square_notebook(body=f"{BEGIN}\n    y = x\n    {SECRET}\n    {END}"):
    printed = [{"output_type": "stream", "name": "stdout", "text": "stored output\n"}]
    return notebook([
        markdown("# Squares"),
        code("%matplotlib inline\nimport numpy as np\nfrom w2v_lib.course import check_value", outputs=printed),
        code("x0 = 3.0  # data set-up: not part of any answer", outputs=printed),
        markdown("**Question.** Why is a square never negative?"),
        markdown("Because x * x = |x|² and the secret derivation says so.", _meta("answer_sign", True, True, 2)),
        markdown("<details><summary>Hint 1</summary>multiply x by itself</details>", {"tags": ["hint"]}),
        code(f"def square(x):\n    \"\"\"x², for a number.\"\"\"\n    {body}", _meta("square", True, False)),
        code(f'check_value("square(3)", square(3.0), 9.0)\n{HIDDEN_BEGIN}\n'
             f'check_value("square(-2)", square(-2.0), 4.0)\n'
             f"{HIDDEN_END}", _meta("check_square", False, True, 3, locked=True), outputs=printed),
        code("# COMMON MISTAKE: near the answer\nprint(np.multiply(x0, x0))", {"tags": ["instructor-only"]},
             outputs=printed),
        code("raise ValueError('this cell is expected to fail')", {"tags": ["raises-exception"]}),
    ])


def cube_notebook(body=f"{BEGIN}\n    return x ** 3\n    {END}"):
    return notebook([
        markdown("# Cubes"),
        code("import numpy as np\nfrom w2v_lib.course import check_value"),
        code(f"def cube(x):\n    {body}", _meta("cube", True, False)),
        code('check_value("cube(2)", cube(2.0), 8.0)', _meta("check_cube", False, True, 2, locked=True)),
    ])


def write_course(folder: Path, square_body=None, cube_body=None) -> Path:
    """Write the two instructor notebooks (or a student's, with other bodies) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    square = square_notebook(square_body) if square_body else square_notebook()
    cube = cube_notebook(cube_body) if cube_body else cube_notebook()
    (folder / "01_square.ipynb").write_text(json.dumps(square, indent=1))
    (folder / "02_cube.ipynb").write_text(json.dumps(cube, indent=1))
    return folder


def write_package(folder: Path) -> Path:
    """A two-module library whose exercise functions carry solution regions, like w2v_lib's."""
    package = folder / "w2v_lib"
    (package / "course").mkdir(parents=True)
    (package / "__init__.py").write_text('"""fixture library"""\nfrom .powers import square, cube\n')
    (package / "powers.py").write_text(
        f'"""Powers."""\n\n\ndef square(x):\n    """x²."""\n    {BEGIN}\n    y = x\n    {SECRET}\n    {END}\n\n\n'
        f'def cube(x):\n    {BEGIN}\n    return x ** 3\n    {END}\n\n\ndef given(x):\n    return x + 1\n')
    (package / "course" / "release.py").write_text("# instructor-only machinery\n")
    return package
