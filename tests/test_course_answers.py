"""load_answers: a student's exercise functions from saved notebooks, in a clean namespace."""
import json

import pytest
from support.messages import says
from support.toy_course import BEGIN, END, code, notebook, write_course

from w2v_lib.course import AnswerError, load_answers


def test_returns_the_exercise_functions_of_every_notebook(tmp_path):
    answers = load_answers(write_course(tmp_path))
    assert sorted(answers) == ["cube", "square"]
    assert answers["square"](3.0) == 9.0 and answers["cube"](2.0) == 8.0


def test_a_stub_is_loaded_and_raises_when_called(tmp_path):
    body = 'raise NotImplementedError("not implemented yet: see notebook 01_square.ipynb")'
    answers = load_answers(write_course(tmp_path, square_body=body))
    with pytest.raises(NotImplementedError, match="not implemented yet"):
        answers["square"](1.0)


def test_namespace_holds_the_first_cells_imports_only(tmp_path):
    # x0 is set by a later, non-exercise cell: a function that leans on it must not find it.
    answers = load_answers(write_course(tmp_path, square_body="return np.square(x) + x0"))
    with pytest.raises(NameError, match="x0"):
        answers["square"](1.0)


@pytest.mark.parametrize("body, message", [
    ("return x *", r"01_square.ipynb, exercise cell 'square' \(cell 6\): not valid Python"),
    (f"{BEGIN}\n    return x\n    {END}\nundefined_name + 1", r"01_square.ipynb, exercise cell 'square' .* NameError"),
])
def test_failures_name_the_notebook_and_cell(tmp_path, body, message):
    with pytest.raises(AnswerError, match=message):
        load_answers(write_course(tmp_path, square_body=body))


def test_a_cell_that_defines_another_name_is_named(tmp_path):
    folder = write_course(tmp_path)
    nb = json.loads((folder / "02_cube.ipynb").read_text())
    nb["cells"][2]["source"] = "def kube(x):\n    return x ** 3"
    (folder / "02_cube.ipynb").write_text(json.dumps(nb))
    with pytest.raises(AnswerError, match=r"02_cube.ipynb, exercise cell 'cube' .* named `cube`; it defines \['kube'"):
        load_answers(folder)


def test_later_notebook_wins(tmp_path):
    folder = write_course(tmp_path)
    cells = [code("import numpy as np"),
             code("def square(x):\n    return -1.0", {"nbgrader": {"grade_id": "square", "solution": True,
                                                                 "grade": False, "schema_version": 3}})]
    (folder / "03_again.ipynb").write_text(json.dumps(notebook(cells)))
    assert load_answers(folder)["square"](5.0) == -1.0


def test_bad_folder_is_named(tmp_path):
    with pytest.raises(AnswerError, match=says('missing', 'folder')):
        load_answers(tmp_path / "missing")
    with pytest.raises(AnswerError, match="no notebooks"):
        load_answers(tmp_path)
