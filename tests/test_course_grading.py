"""Grading with nbgrader: full marks, zero, and a score in between whose feedback names the mistakes.

On the fixture course (tests/course_fixture.py) first, then on the workbook: the instructor's
notebooks, the untouched release, and the release with the write-ups' real mistakes planted in
its exercise cells.
"""
import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from course_fixture import write_course, write_package

pytest.importorskip("nbgrader", reason="grading needs the [grade] extra (pip install -e '.[grade]')")

from w2v_lib.course.cells import grade_id, is_exercise, read_notebook  # noqa: E402
from w2v_lib.course.grading import grade, graded_notebooks  # noqa: E402
from w2v_lib.course.release import REPO, write_release  # noqa: E402


def read_grades(path: Path) -> dict:
    with path.open(newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_fixture_course_full_zero_and_between(tmp_path):
    instructor = write_course(tmp_path / "instructor")
    release = write_release(tmp_path / "release", source=instructor, package=write_package(tmp_path / "src"))
    submissions = tmp_path / "submissions"
    shutil.copytree(instructor, submissions / "alice")
    shutil.copytree(release / "notebooks", submissions / "bob" / "notebooks")  # handed in one level deeper
    # carol: 3x passes the visible check (square(3) = 9) and fails the hidden one (square(-2) = 4).
    write_course(submissions / "carol", square_body="return 3 * x")
    (submissions / "dave").mkdir()  # handed in nothing
    # erin: right answers, but she deleted a check cell of 01 and 02 is not a notebook any more.
    write_course(submissions / "erin")
    square = json.loads((submissions / "erin" / "01_square.ipynb").read_text())
    square["cells"] = [c for c in square["cells"] if grade_id(c) != "check_square"]
    (submissions / "erin" / "01_square.ipynb").write_text(json.dumps(square))
    (submissions / "erin" / "02_cube.ipynb").write_text("{ not json")

    grades = read_grades(grade(submissions, notebooks=instructor))
    assert list(grades) == ["alice", "bob", "carol", "dave", "erin"]
    assert {s: (g["score"], g["max_score"], g["manual_max"]) for s, g in grades.items()} == {
        "alice": ("5", "5", "2"), "bob": ("0", "5", "2"), "carol": ("2", "5", "2"), "dave": ("0", "5", "2"),
        "erin": ("0", "5", "2")}
    assert (grades["carol"]["01_square"], grades["carol"]["02_cube"]) == ("0", "2")

    feedback = submissions / "feedback"
    carol = (feedback / "carol" / "01_square.txt").read_text()
    assert "check_square: 0/3" in carol and "square(-2) = -6, expected 4" in carol, carol
    assert "answer_sign: written answer, 2 points to be graded by hand" in carol
    assert "square(-2) = -6, expected 4" in (feedback / "carol" / "01_square.html").read_text()
    assert "NotImplementedError: not implemented yet: see notebook 02_cube.ipynb" in \
        (feedback / "bob" / "02_cube.txt").read_text()
    assert "missing from the submission" in (feedback / "dave" / "01_square.txt").read_text()
    assert "check cell is missing from the submitted notebook" in (feedback / "erin" / "01_square.txt").read_text()
    assert "02_cube.ipynb: cannot be read as a notebook" in (feedback / "erin" / "02_cube.txt").read_text()


def test_bad_submission_folders_are_named(tmp_path):
    instructor = write_course(tmp_path / "instructor")
    with pytest.raises(SystemExit, match="not a folder"):
        grade(tmp_path / "missing", notebooks=instructor)
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit, match="holds no student folders"):
        grade(tmp_path / "empty", notebooks=instructor)
    (tmp_path / "odd" / "alice smith").mkdir(parents=True)
    with pytest.raises(SystemExit, match="rename"):
        grade(tmp_path / "odd", notebooks=instructor)


# ---- the workbook: the instructor, the untouched release, and the two write-ups ----------------

# The write-ups' mistakes (../shared/seeds), each written as a student would in the exercise cell,
# with only numpy; every other exercise of that student is the instructor's solution.
TRANSPOSED_DJ_DU = '''def naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors):
    scores = outside_vectors @ center_vec
    y_hat = np.exp(scores - scores.max())
    y_hat = y_hat / y_hat.sum()
    loss = -np.log(y_hat[outside_idx])
    delta = y_hat.copy()
    delta[outside_idx] -= 1.0
    grad_center_vec = outside_vectors.T @ delta
    # the 2020 write-up: dJ/dU = (y_hat - y) v_c, one row per word -> shape (d, |V|) here
    grad_outside_vecs = np.outer(center_vec, delta)
    return loss, grad_center_vec, grad_outside_vecs
'''


def _negative_sampling(negatives_line: str) -> str:
    return f'''def neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, neg_indices):
    def sig(x):
        return 1.0 / (1.0 + np.exp(-x))
    u_o = outside_vectors[outside_idx]
    u_neg = outside_vectors[neg_indices]
    z_o = u_o @ center_vec
    z_neg = u_neg @ center_vec
    loss = -np.log(sig(z_o)) - np.log(sig(-z_neg)).sum()
    grad_center_vec = (sig(z_o) - 1.0) * u_o + (1.0 - sig(-z_neg)) @ u_neg
    grad_outside_vecs = np.zeros_like(outside_vectors)
    grad_outside_vecs[outside_idx] += (sig(z_o) - 1.0) * center_vec
    {negatives_line}
    return loss, grad_center_vec, grad_outside_vecs
'''


WRITEUPS = {
    # 2020 (seed 003): (c) dJ/dU transposed; (e) dJ/du_k = [1 - sigma(u_k^T v_c)] v_c.
    "writeup_2020": {
        "naive_softmax_loss_and_gradient": (TRANSPOSED_DJ_DU, r"transpose"),
        "neg_sampling_loss_and_gradient": (_negative_sampling(
            "np.add.at(grad_outside_vecs, neg_indices, np.outer(1.0 - sig(z_neg), center_vec))"), r"sigmoid"),
    },
    # 2017 (seed 000): the negatives as a set S, so a word drawn twice is counted once.
    "writeup_2017": {
        "neg_sampling_loss_and_gradient": (_negative_sampling(
            "grad_outside_vecs[neg_indices] += np.outer(sig(z_neg), center_vec)"), r"counted once"),
    },
}
NOTEBOOKS = REPO / "notebooks"
INSTRUCTOR = graded_notebooks(NOTEBOOKS)


def exercise_sources(path: Path) -> dict:
    return {grade_id(c): c["source"] for c in read_notebook(path)["cells"] if is_exercise(c)}


def plant(release_notebook: Path, target: Path, replacements: dict) -> None:
    """A student's copy of a release notebook whose exercise cells hold `replacements` by grade_id."""
    nb = read_notebook(release_notebook)
    for cell in nb["cells"]:
        if is_exercise(cell) and grade_id(cell) in replacements:
            cell["source"] = replacements[grade_id(cell)]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    assert INSTRUCTOR, "no instructor notebook has graded cells"
    tmp = tmp_path_factory.mktemp("grading")
    release = write_release(tmp / "release", source=NOTEBOOKS)
    submissions = tmp / "submissions"
    solutions = {}
    for path in INSTRUCTOR:
        solutions.update(exercise_sources(path))
    for path in INSTRUCTOR:
        plant(path, submissions / "instructor" / path.name, {})
        plant(release / "notebooks" / path.name, submissions / "release" / path.name, {})
        for student, mistakes in WRITEUPS.items():
            plant(release / "notebooks" / path.name, submissions / student / path.name,
                  {**solutions, **{name: text for name, (text, _) in mistakes.items()}})
    return submissions, read_grades(grade(submissions, notebooks=NOTEBOOKS))


def test_instructor_gets_full_marks_and_the_release_zero(graded):
    _, grades = graded
    instructor, release = grades["instructor"], grades["release"]
    assert float(instructor["max_score"]) > 0
    assert instructor["score"] == instructor["max_score"], instructor
    assert float(release["score"]) == 0, release
    assert float(instructor["manual_max"]) > 0, "the written answers are reported as manual points"


@pytest.mark.parametrize("student", sorted(WRITEUPS))
def test_writeup_mistakes_score_between_and_feedback_names_each(graded, student):
    submissions, grades = graded
    row = grades[student]
    assert 0 < float(row["score"]) < float(row["max_score"]), row
    where = {grade_id(c): path.stem for path in INSTRUCTOR for c in read_notebook(path)["cells"] if is_exercise(c)}
    for function, (_, named) in WRITEUPS[student].items():
        text = (submissions / "feedback" / student / f"{where[function]}.txt").read_text()
        assert " 0/" in text, f"{student}: the check of {function} passed:\n{text}"
        assert re.search(named, text, re.I), f"{student}: the feedback on {function} does not say {named!r}:\n{text}"
