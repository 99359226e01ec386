"""Every question notebook (00–05) keeps the workbook's shape, stays safe to commit executed, and
makes a proper student release.

The marker and cell-kind rules are not re-implemented here: each notebook goes through the
release itself (`w2v_lib.course.release.release_notebook`, nbgrader's preprocessors), and the
tests look at what comes out. Checked per notebook: a live gradient check, common-mistake cells
that assert the check fails, a "Try it" prompt, the fixed print precision, no saved widget state,
no errors in stored outputs except in cells marked as expected to fail, no absolute paths, the
python3 kernelspec; and, in the release: no marker left, every exercise a stub, every check kept,
every written answer blank and preceded by its question.
"""
import ast
import json
import re
from pathlib import Path

import pytest

from w2v_lib.course.cells import (
    NOT_IMPLEMENTED,
    RAISES,
    grade_id,
    is_check,
    is_exercise,
    is_graded,
    is_instructor_only,
    is_written_answer,
    nbgrader_meta,
    source,
    tags,
)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
QUESTION_PREFIXES = ("00_", "01_", "02_", "03_", "04_", "05_")
# The assignment's own functions (COURSE_CONVENTIONS.md), by the notebook that asks for them.
EXERCISES = {"02_": {"naive_softmax_loss_and_gradient"}, "03_": {"sigmoid"},
             "04_": {"neg_sampling_loss_and_gradient"}, "05_": {"skipgram", "sgd_step"}}
# A path from the root of a Unix or Windows file system, or a home directory.
ABSOLUTE_PATH = re.compile(r"""(?:^|[\s'"(=])(?:/(?:work|home|root|tmp|Users|mnt|opt)/|[A-Za-z]:\\|~/)""")


def question_notebooks():
    return sorted(NOTEBOOKS.glob("0[0-5]_*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [source(c) for c in nb["cells"] if c["cell_type"] == "code"]


def test_all_six_question_notebooks_exist():
    prefixes = sorted(p.name[:3] for p in question_notebooks())
    assert prefixes == list(QUESTION_PREFIXES), f"expected one notebook per prefix {QUESTION_PREFIXES}; got {prefixes}"


@pytest.fixture(params=question_notebooks(), ids=lambda p: p.name)
def notebook(request):
    return request.param, load(request.param)


def exercise_functions(nb) -> set:
    """The names of the functions the student writes in the notebook's exercise cells."""
    return {node.name for c in nb["cells"] if c["cell_type"] == "code" and is_exercise(c)
            for node in ast.walk(ast.parse(source(c))) if isinstance(node, ast.FunctionDef)}


def live_gradchecks(cell, exercises: set) -> list:
    """The names bound to `gradcheck(f, ...)` calls in a code cell whose f reaches one of `exercises`
    (directly, or through a function or lambda the cell defines) and whose result the cell asserts."""
    # IPython's magics and shell lines are not Python
    tree = ast.parse("\n".join("" if line.lstrip().startswith(("%", "!")) else line
                               for line in source(cell).split("\n")))
    used = {node.name: {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}

    def reaches(expr) -> bool:
        seen, todo = set(), [n.id for n in ast.walk(expr) if isinstance(n, ast.Name)]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(used.get(name, ()))
        return bool(seen & exercises)

    asserted = {node.test.id for node in ast.walk(tree)
                if isinstance(node, ast.Assert) and isinstance(node.test, ast.Name)}
    calls = [(node.targets[0], node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
             and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call)]
    return [target.id for target, call in calls if getattr(call.func, "id", None) == "gradcheck" and call.args
            and reaches(call.args[0]) and target.id in asserted]


def passed_in_outputs(cell) -> bool:
    """The stored outputs (kept equal to a fresh run's by nbval) show a gradient check that passed."""
    return any("PASSED: " in "".join(o.get("text", "")) for o in cell.get("outputs", [])
               if o["output_type"] == "stream")


def test_has_a_live_gradcheck(notebook):
    """A cell the student gets runs gradcheck on the student's own function, asserts it passed, and its
    stored output shows that it did: not a mention of gradcheck, a check that runs."""
    path, nb = notebook
    exercises = exercise_functions(nb)
    live = [c for c in nb["cells"] if c["cell_type"] == "code" and not is_instructor_only(c)
            and live_gradchecks(c, exercises) and passed_in_outputs(c)]
    assert live, (f"{path.name}: no cell runs gradcheck on the student's {sorted(exercises)}, asserts it passed "
                  "and shows 'PASSED' in its output")


@pytest.mark.parametrize("text, live", [
    ("result = gradcheck(lambda v: mine(v), x)\nassert result, result.verdict", True),
    ("def yours(v):\n    return mine(v)[:2]\nresult = gradcheck(yours, x)\nassert result", True),
    ("result = gradcheck(lambda v: theirs(v), x)\nassert result", False),  # not the student's function
    ("result = gradcheck(lambda v: mine(v), x)\nprint(result)", False),  # never asserted
    ("# result = gradcheck(lambda v: mine(v), x)\nassert mine", False),  # a comment, not a call
    ("text = 'gradcheck(mine, x)'\nassert text", False),  # a string, not a call
])
def test_a_live_gradcheck_is_a_call_on_the_students_function_that_is_asserted(text, live):
    assert bool(live_gradchecks({"source": text}, {"mine"})) is live


def test_common_mistake_cells_assert_the_check_fails(notebook):
    path, nb = notebook
    mistakes = [s for s in code_cells(nb) if s.lstrip().startswith("# COMMON MISTAKE")]
    assert mistakes, f"{path.name}: no code cell starting with '# COMMON MISTAKE'"
    for s in mistakes:
        assert re.search(r"assert not \w+", s), \
            f"{path.name}: a common-mistake cell does not assert that the check fails"


def test_has_a_try_it_prompt(notebook):
    path, nb = notebook
    assert any(c["cell_type"] == "markdown" and "**Try it.**" in source(c) for c in nb["cells"]), \
        f"{path.name}: no '**Try it.**' prompt"


def test_first_code_cell_fixes_print_precision(notebook):
    path, nb = notebook
    assert "np.set_printoptions(precision=4, suppress=True)" in code_cells(nb)[0], \
        f"{path.name}: the first code cell must fix the print precision"


def test_executed_without_unexpected_errors_or_widget_state(notebook):
    path, nb = notebook
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: saved widget state in metadata"
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code":
            continue
        assert c.get("outputs") is not None
        for out in c["outputs"]:
            assert out["output_type"] != "error" or RAISES in tags(c), \
                f"{path.name}: cell {i} stores an error but is not tagged {RAISES!r}"
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


def absolute_paths(nb) -> list:
    """(cell index, the path with some context) for every absolute path in a cell's source or outputs."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        for text in strings_in({"source": cell.get("source"), "outputs": cell.get("outputs", [])}):
            match = ABSOLUTE_PATH.search(text)
            if match:
                found.append((i, text[max(0, match.start() - 30):match.end() + 30]))
    return found


PLANTED = [('open("/home/alice/project/data/x")', True), ("C:\\Users\\me", True),
           ('os.environ["W2V_SST_DIR"] or "../data/sst"', False), ("ratio W/(K+1) and 1/(1+e)", False)]


def test_no_absolute_paths(notebook):
    path, nb = notebook
    assert absolute_paths(nb) == [], f"{path.name}: (cell, absolute path) found"
    # the same scan on the notebook with planted cells finds exactly the planted paths
    n = len(nb["cells"])
    cells = [{"cell_type": "code", "source": text, "outputs": []} for text, _ in PLANTED]
    planted = {**nb, "cells": nb["cells"] + cells}
    assert [i for i, _ in absolute_paths(planted)] == [n + k for k, (_, bad) in enumerate(PLANTED) if bad]


def test_kernelspec_is_python3(notebook):
    path, nb = notebook
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec must be python3"


# ---- the course edition: what the release makes of each notebook ---------------------------

def test_the_conventions_exercises_are_asked(notebook):
    path, nb = notebook
    asked = {grade_id(c) for c in nb["cells"] if is_exercise(c)}
    missing = EXERCISES.get(path.name[:3], set()) - asked
    assert not missing, f"{path.name}: no exercise cell with grade_id {sorted(missing)}"


def test_exercise_cells_define_exactly_their_function(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if is_exercise(cell):
            body = ast.parse(source(cell)).body
            names = [type(node).__name__ + (f" {node.name}" if hasattr(node, "name") else "") for node in body]
            assert names == [f"FunctionDef {grade_id(cell)}"], \
                f"{path.name}, cell {i}: an exercise cell holds one function named by its grade_id; it holds {names}"


def test_graded_cells_carry_points_and_are_not_instructor_only(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if is_graded(cell):
            assert nbgrader_meta(cell).get("points", 0) > 0, f"{path.name}, cell {i}: a graded cell without points"
            assert not is_instructor_only(cell), f"{path.name}, cell {i}: a graded cell cannot be instructor-only"


@pytest.fixture
def released(notebook):
    pytest.importorskip("nbgrader", reason="the release needs the [grade] extra")
    from w2v_lib.course.release import release_notebook

    path, nb = notebook
    return path, nb, release_notebook(nb, path.name)


def test_release_leaves_no_marker_and_no_output(released):
    path, _, student = released
    for i, cell in enumerate(student.cells):
        assert "### BEGIN " not in cell.source and "### END " not in cell.source, \
            f"{path.name}: cell {i} keeps a marker"
        assert cell.get("outputs", []) == [], f"{path.name}: cell {i} keeps its outputs"
    assert "widgets" not in student.metadata


def test_release_stubs_every_exercise_and_keeps_every_check(released):
    path, nb, student = released
    stubs = {grade_id(c) for c in student.cells if is_exercise(c) and
             f'raise NotImplementedError("{NOT_IMPLEMENTED}: see notebook {path.name}")' in c.source}
    assert stubs == {grade_id(c) for c in nb["cells"] if is_exercise(c)}
    assert [grade_id(c) for c in student.cells if is_check(c)] == [grade_id(c) for c in nb["cells"] if is_check(c)]


def test_release_blanks_answers_after_their_question(released):
    path, _, student = released
    for i, cell in enumerate(student.cells):
        if is_written_answer(cell):
            assert cell.source == "YOUR ANSWER HERE", f"{path.name}: written answer {grade_id(cell)} not blanked"
            before = student.cells[i - 1] if i else None
            assert before is not None and before.cell_type == "markdown" and not is_graded(before) \
                and before.source.strip(), f"{path.name}: answer {grade_id(cell)} has no question cell before it"


def test_check_cells_end_without_a_value(notebook):
    """nbgrader reads a check cell's last value as partial credit (a number) or full credit (anything
    else), even when the check printed FAILED: the last statement must not be a bare value."""
    path, nb = notebook
    quiet = {"print", "check_value", "check_shape", "show", "plot"}
    for i, cell in enumerate(nb["cells"]):
        if is_check(cell):
            body = ast.parse(source(cell)).body
            last = body[-1] if body else None
            if isinstance(last, ast.Expr):
                call = last.value.func if isinstance(last.value, ast.Call) else None
                name = getattr(call, "id", None) or getattr(call, "attr", None)
                assert name in quiet, f"{path.name}, cell {i}: a check cell ends with a value nbgrader would grade by"


def test_load_answers_reads_every_exercise():
    from w2v_lib.course import load_answers

    answers = load_answers(NOTEBOOKS)
    asked = {grade_id(c) for p in question_notebooks() for c in load(p)["cells"] if is_exercise(c)}
    assert asked <= set(answers) and all(callable(answers[name]) for name in asked)


def test_negatives_are_bound_by_the_library(notebook):
    """No cell wraps the four-argument negative-sampling loss into skipgram's three-argument F by
    hand: `sampling.negative_sampling` does (once_per_row where a second call per pair is an error)."""
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or is_exercise(cell):
            continue
        code = re.sub(r"^\s*[%!].*$", "", source(cell), flags=re.M)  # IPython magics are not Python
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.FunctionDef) and [a.arg for a in node.args.args] == [
                    "center_vec", "outside_idx", "outside_vectors"]:
                calls = {c.func.id for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
                assert "neg_sampling_loss_and_gradient" not in calls, \
                    f"{path.name}, cell {i}: {node.name} binds negatives by hand; call negative_sampling"
