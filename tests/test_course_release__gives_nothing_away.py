"""The release states no graded answer, and its graded part ships no negative-sampling gradient.

- KEY_FORMULAS (support/leaks.py) is tied to the instructor's written answers, so it cannot drift
  into formulas no answer holds; the scanner finds each planted spelling (LaTeX, unicode, code).
- The release of the graded notebooks (00-05) states none of them, in any file.
- That release leaves out the modules that compute the negative-sampling gradient vectorized:
  they are placeholders whose import says why, and no shipped function computes it.
- Instructor notes are cut; `--notebooks` selects; the later release ships the fast paths again.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.leaks import KEY_FORMULAS, answer_leak_records, answer_leaks, canonical, key_formula_hits
from support.toy_course import write_course, write_package

pytest.importorskip("nbgrader", reason="the release needs the [grade] extra (pip install -e '.[grade]')")

from w2v_lib.__main__ import main  # noqa: E402
from w2v_lib.course.cells import grade_id, is_written_answer, read_notebook, regions, source  # noqa: E402
from w2v_lib.course.library_release import (  # noqa: E402
    BEGIN_NOTE,
    END_NOTE,
    LATER_MODULES,
    left_out_modules,
    strip_instructor_notes,
)
from w2v_lib.course.release import PACKAGE, REPO, ReleaseError, select_notebooks, write_release  # noqa: E402

INSTRUCTOR = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def graded_release(tmp_path_factory):
    return write_release(tmp_path_factory.mktemp("graded") / "student", notebooks="00-05")


# ---- the key formulas -------------------------------------------------------------------------

def _answer_texts() -> dict:
    """{(notebook stem, grade_id): text} of every written answer, plus sgd_step's library region."""
    texts = {(p.stem, grade_id(c)): source(c) for p in INSTRUCTOR for c in read_notebook(p)["cells"]
             if is_written_answer(c)}
    (region,) = regions((PACKAGE / "optimizer.py").read_text(encoding="utf-8"))
    texts[("05_skipgram_cbow", "sgd_step (code exercise)")] = "\n".join(region)
    return texts


def test_every_key_formula_is_stated_by_its_answer():
    """Each entry names an existing answer, and at least one of its spellings is in that answer."""
    answers = _answer_texts()
    for notebook, question, _, spellings in KEY_FORMULAS:
        assert (notebook, question) in answers, f"{notebook}, {question}: no such written answer"
        flat = canonical(answers[(notebook, question)])
        assert any(s in flat for s in spellings), f"{notebook}, {question}: none of {spellings} in its answer"


@pytest.mark.parametrize("text, question", [
    (r"so $\dfrac{\partial J}{\partial v_c} = U(\hat y - y)$, a column", "answer_grad_center"),
    ("    (loss, g): ∂J/∂v_c = U(ŷ − y) in the handout's columns", "answer_grad_center"),
    ("grad_center = (y_hat - y) @ outside_vectors", "answer_grad_center"),
    ("grad_outside = np.outer(y_hat - y, center_vec)", "answer_grad_U"),
    (r"$v_c\, (\hat{y} - y)^{\top}$", "answer_grad_U"),
    ("return s * (1 - s)", "answer_sigmoid_derivative"),
    (r"$\sigma'(x) = \sigma(x)\bigl(1 - \sigma(x)\bigr)$", "answer_sigmoid_derivative"),
    (r"$\bigl(\sigma(u_o^\top v_c) - 1\bigr) u_o + \sum_{k=1}^{K} \sigma(u_{w_k}^\top v_c)\, u_{w_k}$",
     "answer_neg_sampling_gradients"),
    ("g_o = expit(z_o) - 1.0", "answer_neg_sampling_gradients"),
    ("params -= step * grad", "sgd_step (code exercise)"),
])
def test_the_scanner_finds_each_spelling(text, question):
    assert question in {hit[1] for hit in key_formula_hits(text)}, canonical(text)


@pytest.mark.parametrize("text", [
    r"the common mistake $U(\hat y - y)^\top$ has no shape",  # the wrong answer is not the answer
    r"$\hat y = \mathrm{softmax}(U^\top v_c)$ and $J = -\log \hat y_o$",  # the question's own definitions
])
def test_the_scanner_leaves_questions_and_wrong_answers_alone(text):
    assert key_formula_hits(text) == []


def test_a_planted_leak_in_a_release_is_reported_with_its_place(graded_release, tmp_path):
    import nbformat

    copy = tmp_path / "copy"
    (copy / "notebooks").mkdir(parents=True)
    (copy / "w2v_lib").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Intro."), nbformat.v4.new_markdown_cell(
        r"Recall that $\sigma'(x) = \sigma(x)(1 - \sigma(x))$.")])
    nbformat.write(nb, copy / "notebooks" / "04_x.ipynb")
    (copy / "w2v_lib" / "m.py").write_text('"""Returns:\n    ∂J/∂v_c = (σ(u_oᵀv_c) − 1) u_o\n"""\n')
    found = answer_leaks(copy)
    assert any(f.startswith("notebooks/04_x.ipynb, cell 1 (markdown)") and "answer_sigmoid_derivative" in f
               for f in found), found
    assert any(f.startswith("w2v_lib/m.py, line 2") and "answer_neg_sampling_gradients" in f for f in found), found


# ---- the graded release ---------------------------------------------------------------------

def test_the_graded_release_library_and_setup_state_no_written_answer(graded_release):
    found = [leak for leak in answer_leaks(graded_release) if not leak.startswith("notebooks/")]
    assert found == [], "the release of the graded notebooks states answers:\n" + "\n".join(found)


# The graded notebooks' own text (given cells, hints, not tagged instructor-only) states no answer.
# Kept as a set so that, should one ever have to stay for a while, it is named here and nowhere else.
KNOWN_NOTEBOOK_LEAKS: set = set()


def test_the_graded_notebooks_state_no_written_answer_beyond_the_known_list(graded_release):
    found = {(relative.removeprefix("notebooks/"), question, spelling)
             for relative, _, _, question, _, spelling in answer_leak_records(graded_release)
             if relative.startswith("notebooks/")}
    assert found == KNOWN_NOTEBOOK_LEAKS


def test_the_graded_release_holds_the_graded_notebooks_only(graded_release):
    assert sorted(p.name for p in (graded_release / "notebooks").iterdir()) == [p.name for p in INSTRUCTOR[:6]]


def _run_in_release(release: Path, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(release)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=release)


def test_the_graded_release_leaves_the_vectorized_gradient_out(graded_release):
    library = graded_release / "w2v_lib"
    for later in LATER_MODULES:
        if later.endswith(".py"):
            assert "raise ImportError" in (library / later).read_text()
        else:  # a package: its placeholder __init__ alone
            assert [p.name for p in (library / later).iterdir()] == ["__init__.py"]
    shipped = "\n".join(p.read_text(encoding="utf-8") for p in library.rglob("*.py"))
    for pattern in ("expit(", "log_expit(", "logaddexp", "np.exp(-", "1.0 + np.exp", "@jit", "@njit", "import numba"):
        assert pattern not in shipped, f"the graded release computes with {pattern!r}"
    modules = sorted({m.removesuffix(".__init__") for m in
                      (p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
                       for p in PACKAGE.rglob("*.py")) if m.split(".")[0] in {"assignment", "fast"}})
    code = "\n".join([
        "import importlib, w2v_lib",
        "from w2v_lib import gradcheck, sgd_step, window_batch_loss_and_gradient, neg_sampling_loss_and_gradient",
        "from w2v_lib.course import load_answers",
        "from w2v_lib.cost_model import neg_sampling_on_touched_rows",
        "import numpy as np",
        "for call in (lambda: neg_sampling_loss_and_gradient(np.ones(2), 0, np.ones((3, 2)), np.array([1])),",
        "             lambda: neg_sampling_on_touched_rows(np.ones(2), 0, np.ones((3, 2)), np.array([1]))):",
        "    try:\n        call()\n    except NotImplementedError as e:\n        print('stub:', e)",
        f"for name in {[f'w2v_lib.{m}' for m in modules] + ['w2v_lib.sgd_loop', 'w2v_lib.course.trains']!r}:",
        "    try:\n        importlib.import_module(name)\n        print('IMPORTED', name)",
        "    except ImportError as e:\n        print('refused', name, '|', e)",
        "for name in ('train_word2vec', 'sgd', 'train_sst'):",
        "    try:\n        getattr(w2v_lib, name)\n        print('IMPORTED', name)",
        "    except ImportError as e:\n        print('refused', name)",
    ])
    done = _run_in_release(graded_release, code)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "IMPORTED" not in done.stdout, done.stdout
    assert done.stdout.count("stub: not implemented yet: see notebook 04_negative_sampling.ipynb") == 2
    assert "comes with notebooks 06 onwards, after the deadline" in done.stdout
    assert done.stdout.count("refused") == len(modules) + 2 + 3


def test_left_out_modules_follow_their_importers():
    left = left_out_modules(PACKAGE)
    assert {"assignment/step.py", "assignment/sst_kernel.py", "compiled.py", "lessons/stages.py", "sgd_loop.py"} <= left
    importers = {"course/trains.py", "lessons/playground.py", "lessons/stages.py"}
    assert importers <= left, "they import the left-out modules"
    assert not left & {"losses.py", "models.py", "optimizer.py", "cost_model.py", "course/checks.py", "__init__.py"}


def test_the_later_release_ships_the_fast_paths(tmp_path, capsys):
    assert main(["student", "--out", str(tmp_path / "later"), "--notebooks", "06-10"]) == 0
    library = tmp_path / "later" / "w2v_lib"
    assert (library / "fast" / "trainer.py").exists() and (library / "assignment" / "step.py").exists()
    assert "x -= step * grad" in (library / "sgd_loop.py").read_text()
    assert sorted(p.name[:2] for p in (tmp_path / "later" / "notebooks").iterdir()) == ["06", "07", "08", "09", "10"]
    assert "note:" not in capsys.readouterr().out, "06-10 holds no graded notebook: nothing to warn about"


def test_a_mixed_release_says_what_it_ships(tmp_path, capsys):
    assert main(["student", "--out", str(tmp_path / "mixed"), "--notebooks", "05,06"]) == 0
    out = capsys.readouterr().out
    assert "note: this release holds graded notebooks and later ones" in out and "--notebooks 00-05" in out


# ---- --notebooks, --source and the notes ---------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    (None, ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10"]),
    ("00-05", ["00", "01", "02", "03", "04", "05"]),
    ("04, 07-08", ["04", "07", "08"]),
    ("03_sigmoid.ipynb,09_how_vectors_learn", ["03", "09"]),
    ("6", ["06"]),
])
def test_select_notebooks(spec, expected):
    assert [p.name[:2] for p in select_notebooks(INSTRUCTOR, spec)] == expected


def test_a_bad_selection_is_refused_before_anything_is_written(tmp_path, capsys):
    with pytest.raises(ReleaseError, match=r"'12' names no notebook; there are 00_how_to_use.ipynb"):
        select_notebooks(INSTRUCTOR, "00-05,12")
    with pytest.raises(ReleaseError, match="the instructor notebooks' folder is `source`"):
        write_release(tmp_path / "x", notebooks=REPO / "notebooks")
    assert main(["student", "--out", str(tmp_path / "y"), "--notebooks", "99"]) == 2
    assert "error: --notebooks '99'" in capsys.readouterr().err and not (tmp_path / "y").exists()


def test_instructor_notes_are_cut_and_bad_ones_refused():
    text = (f'def f():\n    """Doc.\n    {BEGIN_NOTE}\n    the answer\n    {END_NOTE}\n'
            '    """\n    # why\n    return 1\n')
    assert strip_instructor_notes(text, "m.py") == 'def f():\n    """Doc.\n    """\n    # why\n    return 1\n'
    with pytest.raises(ValueError, match="m.py, line 3: .* is never closed"):
        strip_instructor_notes(text.replace(f"    {END_NOTE}\n", ""), "m.py")
    with pytest.raises(ValueError, match="m.py, line 3: .* each alone on its line"):
        strip_instructor_notes(text.replace(f"    {BEGIN_NOTE}\n", f"    x {BEGIN_NOTE}\n"), "m.py")
    with pytest.raises(ValueError, match="no longer Python"):
        strip_instructor_notes(f'"""Doc.\n{BEGIN_NOTE}\n"""\n{END_NOTE}\n', "m.py")


def test_the_library_keeps_its_answers_in_notes_the_release_cuts(graded_release):
    for name in ("losses.py", "models.py", "activations.py", "cost_model.py"):
        assert BEGIN_NOTE in (PACKAGE / name).read_text(), f"{name}: its notes moved? update this test"
        assert BEGIN_NOTE not in (graded_release / "w2v_lib" / name).read_text()
    assert "U(ŷ − y)" in (PACKAGE / "losses.py").read_text()
    assert "U(ŷ − y)" not in (graded_release / "w2v_lib" / "losses.py").read_text()


def test_fixture_release_with_source(tmp_path):
    out = write_release(tmp_path / "out", source=write_course(tmp_path / "nb"), package=write_package(tmp_path / "src"),
                        notebooks="02")
    assert [p.name for p in (out / "notebooks").iterdir()] == ["02_cube.ipynb"]
    text = (out / "w2v_lib" / "powers.py").read_text()
    assert "see notebook 01_square.ipynb" in text, "a stub names its notebook even when an earlier release held it"
