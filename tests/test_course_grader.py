"""The grader's parts that need no sandbox: safe reading of a folder, parsing a report, finding a function."""
import json
import os

import numpy as np
import pytest
from support.toy_course import write_course

from w2v_lib.course.grader.evaluate import to_wire
from w2v_lib.course.grader.scoring import Malformed, parse
from w2v_lib.course.grader.submissions import find_students, function_code, read_regular_file, read_submission


def test_only_regular_files_are_read(tmp_path):
    (tmp_path / "real.ipynb").write_text("{}")
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "real.ipynb")
    (tmp_path / "zero.ipynb").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo.ipynb")  # opening it for reading would block: it is never opened
    os.link(tmp_path / "real.ipynb", tmp_path / "hard.ipynb")
    (tmp_path / "big.ipynb").write_bytes(b"x" * 101)
    (tmp_path / "folder.ipynb").mkdir()
    for name, why in [("link", "symbolic link"), ("zero", "symbolic link"), ("fifo", "FIFO"), ("hard", "hard link"),
                      ("big", "more than the 100"), ("folder", "a folder")]:
        with pytest.raises(ValueError, match=why):
            read_regular_file(tmp_path / f"{name}.ipynb", limit=100)
    os.unlink(tmp_path / "hard.ipynb")
    assert read_regular_file(tmp_path / "real.ipynb") == b"{}"


def test_students_with_odd_ids_links_or_files_are_refused_not_fatal(tmp_path):
    for name in ("alice", "bob smith", "carol"):
        (tmp_path / name).mkdir()
    (tmp_path / "dave").symlink_to(tmp_path / "alice")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "feedback").mkdir()
    students, refused = find_students(tmp_path)
    assert sorted(students) == ["alice", "carol"]
    assert sorted(refused) == ["bob smith", "dave", "notes.txt"]
    assert "rename" in refused["bob smith"] and "symbolic link" in refused["dave"]
    with pytest.raises(ValueError, match="not a folder"):
        find_students(tmp_path / "missing")


def test_a_submission_names_each_refusal_and_grades_identical_copies_once(tmp_path):
    write_course(tmp_path / "s")
    write_course(tmp_path / "s" / "copy")  # identical copies
    (tmp_path / "s" / "copy" / "02_cube.ipynb").write_text("{ not json")  # a different copy
    handed_in = read_submission("s", tmp_path / "s", {"01_square.ipynb", "02_cube.ipynb", "03_gone.ipynb"})
    assert set(handed_in.notebooks) == {"01_square.ipynb"} and "identical" in handed_in.notes["01_square.ipynb"]
    assert "2 different copies" in handed_in.problems["02_cube.ipynb"] and "02_cube.ipynb" in handed_in.refused
    assert "missing" in handed_in.problems["03_gone.ipynb"] and "03_gone.ipynb" not in handed_in.refused


def test_the_function_comes_from_its_exercise_cell_or_the_cell_that_defines_it(tmp_path):
    nb = json.loads((write_course(tmp_path) / "01_square.ipynb").read_text())
    code, note = function_code(nb, "01_square.ipynb", "square")
    assert "def square" in code["source"] and "import numpy as np" in code["imports"] and not note
    assert "%matplotlib" not in code["imports"] and "x0 = 3.0" not in code["imports"] + code["source"]
    for cell in nb["cells"]:
        cell["metadata"].pop("nbgrader", None)  # an editor dropped the metadata
    code, note = function_code(nb, "01_square.ipynb", "square")
    assert "def square" in code["source"] and "lost its metadata" in note
    assert function_code(nb, "01_square.ipynb", "cube")[0] is None


@pytest.mark.parametrize("value", [
    {"array": {"dtype": "float64", "shape": [2], "data": [1.0]}},  # data does not fill the shape
    {"array": {"dtype": "object", "shape": [], "data": [1]}},
    {"array": {"dtype": "float64", "shape": [-1], "data": []}},
    {"array": {"dtype": "float64", "shape": [1], "data": ["1"]}},
    {"array": {"dtype": "float64", "shape": [10**9], "data": []}},
    {"tuple": [None] * 17}, {"pickle": "gASV"}, [1, 2], "text",
])
def test_a_report_that_is_not_plain_numbers_is_refused(value):
    with pytest.raises(Malformed):
        parse(value)


def test_reports_round_trip_float64_exactly():
    value = (0.1 + 0.2, np.array([[1e-300, -np.inf], [np.nan, 3.0]]), np.float32(0.5), None)
    parsed = parse(json.loads(json.dumps(to_wire(value))))
    assert parsed[0] == "tuple" and parsed[1][0][1] == 0.1 + 0.2
    assert np.array_equal(parsed[1][1][1], value[1], equal_nan=True) and parsed[1][2][2] == "float32"
    assert parsed[1][3] == ("none",)
