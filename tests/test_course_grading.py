"""Grading through the real command: fair marks, and every attack of the issue scores only its own work.

One run of `python -m w2v_lib grade` over a class built from copies of the instructor's
notebooks: the instructor (full marks), the untouched release (0), the textbook sigmoid (full
marks on 03), one mistake in 02 (05 unaffected), the write-ups' mistakes, noisy but right work,
the mistakes the feedback must name, and one student per attack (hooks, importing or reading
the grader's files, monkeypatching, symlink/FIFO/device files, killing the grader, rewriting
another student's files, an infinite loop, a crash, duplicates, an odd id).
"""
import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="grading needs the [grade] extra (pip install -e '.[grade]')")

from support.grading import TRANSPOSED_DJ_DU, sandbox_or_skip, write_student

from w2v_lib.__main__ import main  # noqa: E402
from w2v_lib.course.cells import grade_id, is_exercise, read_notebook  # noqa: E402
from w2v_lib.course.grading import graded_notebooks  # noqa: E402
from w2v_lib.course.release import REPO, release_notebook  # noqa: E402

NOTEBOOKS = REPO / "notebooks"
INSTRUCTOR = graded_notebooks(NOTEBOOKS)
FULL = {"00_how_to_use": 1, "01_softmax_gradient": 4, "02_outside_vectors": 6, "03_sigmoid": 3,
        "04_negative_sampling": 4, "05_skipgram_cbow": 9}

pytestmark = pytest.mark.slow


def read_grades(path: Path) -> dict:
    with path.open(newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


# ---- the submissions ------------------------------------------------------------------------

TEXTBOOK_SIGMOID = "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"


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


# {student: ({grade_id: cell source}, {function: regex its feedback must hold})}, on the instructor's solutions.
WRITEUPS = {
    "writeup_2020": {"naive_softmax_loss_and_gradient": (TRANSPOSED_DJ_DU, r"transpose"),
                     "neg_sampling_loss_and_gradient": (_negative_sampling(
                         "np.add.at(grad_outside_vecs, neg_indices, np.outer(1.0 - sig(z_neg), center_vec))"),
                         r"sigmoid")},
    "writeup_2017": {"neg_sampling_loss_and_gradient": (_negative_sampling(
        "grad_outside_vecs[neg_indices] += np.outer(sig(z_neg), center_vec)"), r"counted once")},
}

# Mistakes the feedback must name, each in its own function.
MISTAKES = {
    "naive_softmax_loss_and_center_gradient": (
        "def naive_softmax_loss_and_center_gradient(center_vec, outside_idx, outside_vectors):\n"
        "    return float('nan'), np.zeros_like(center_vec)\n", r"NaN"),
    "sigmoid": ("def sigmoid(x):\n    return (1 / (1 + np.exp(-np.asarray(x, dtype=np.float64)))).astype(np.float32)\n",
                r"float32"),
    "skipgram": ("def skipgram(center_idx, outside_idxs, center_vectors, outside_vectors, loss_and_gradient):\n"
                 "    loss, gc, go = 0.0, np.zeros_like(center_vectors), np.zeros_like(outside_vectors)\n"
                 "    for o in outside_idxs:\n"
                 "        l, g1, g2 = loss_and_gradient(center_vectors[center_idx], int(o), outside_vectors)\n"
                 "        loss += l; gc[center_idx] += g1; go += g2\n"
                 "    n = len(outside_idxs)\n"
                 "    return loss / n, gc / n, go / n\n", r"1/6 of the right values: an average"),
    "cbow": ("def cbow(center_idx, context_idxs, center_vectors, outside_vectors, loss_and_gradient):\n"
             "    v_hat = center_vectors[context_idxs].mean(axis=0)\n"
             "    loss, g, go = loss_and_gradient(v_hat, center_idx, outside_vectors)\n"
             "    gc = np.zeros_like(center_vectors)\n"
             "    np.add.at(gc, context_idxs, g / len(context_idxs))\n"
             "    return loss, gc, go\n", r"average of the 4 context vectors"),
    "sgd_step": ("def sgd_step(params, grad, step):\n    params += step * grad\n    return params\n", r"climbs"),
}

NOISY = {  # right answers that print, warn and write to stderr: no point lost
    "sigmoid": "import warnings, sys\nprint('debugging')\nwarnings.warn('noise')\n"
               "def sigmoid(x):\n    print('called', file=sys.stderr)\n    warnings.warn('careful', RuntimeWarning)\n"
               "    return 1 / (1 + np.exp(-x))\n",
}


def hook_cell() -> dict:
    """A cell that would wrap every later statement in try/except (and silence failures) in a kernel."""
    text = ("ip = get_ipython()\n"
            "def wrap(lines):\n"
            "    return ['try:\\n'] + ['    ' + line for line in lines] + ['except BaseException:\\n', '    pass\\n']\n"
            "ip.input_transformers_post.append(wrap)\n"
            "ip.events.register('post_run_cell', lambda result: None)\n")
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}


def attacks(submissions: Path) -> dict:
    """{student: {grade_id: source}} whose cells attack the grader; on the release (no real work)."""
    repo, others = str(REPO), str(submissions / "instructor" / "03_sigmoid.ipynb")
    return {
        "importer": {
            "sigmoid": f"import sys\nsys.path.insert(0, {repo!r})\nfor m in [m for m in sys.modules if m.startswith("
                       "'w2v_lib')]:\n    del sys.modules[m]\nfrom w2v_lib.activations import sigmoid\n",
            "naive_softmax_loss_and_gradient":
                f"import json\nnb = json.load(open({repo!r} + '/notebooks/02_outside_vectors.ipynb'))\n"
                "exec(''.join(next(c['source'] for c in nb['cells'] if 'def naive_softmax_loss_and_gradient' in "
                "''.join(c['source']))))\n",
            "sgd_step": "import glob\nfrom w2v_lib.optimizer import sgd_step\n"
                        "for path in glob.glob('/**/site-packages/*w2v_lib*finder.py', recursive=True):\n"
                        "    exec(open(path).read())\n",
        },
        "patcher": {
            "warmup_grad": "import numpy\nnumpy.allclose = lambda *a, **k: True\nnumpy.isclose = lambda *a, **k: True\n"
                           "import w2v_lib, w2v_lib.gradcheck\nclass Passed:\n    def __bool__(self):\n"
                           "        return True\n    verdict = 'PASSED'\n"
                           "w2v_lib.gradcheck.gradcheck = w2v_lib.gradcheck = lambda *a, **k: Passed()\n"
                           "def warmup_grad(X, w):\n    return np.zeros_like(X)\n",
            "sigmoid": "import w2v_lib.course.checks as checks\nchecks.check_value = lambda *a, **k: None\n"
                       "def sigmoid(x):\n    return np.zeros_like(x)\n",
        },
        "killer": {
            "warmup_grad": "import os\nos.kill(os.getppid(), 9)\n",
            "sigmoid": "import os\nos.killpg(os.getpgid(os.getppid()), 9)\n",
            "naive_softmax_loss_and_gradient": "import os\nos.kill(-1, 9)\n",
        },
        "vandal": {
            "sigmoid": f"for path in [{others!r}, {str(submissions / 'grades.csv')!r}]:\n"
                       "    try:\n        open(path, 'w').write('{}')\n    except OSError:\n        pass\n"
                       "import shutil\nshutil.rmtree('/tmp', ignore_errors=True)\n",
        },
    }


WORKING_ATTACKS = {  # the instructor's solutions, with these functions attacking: only they lose points
    "looper": {"sigmoid": "def sigmoid(x):\n    while True:\n        pass\n",
               "neg_sampling_loss_and_gradient": "while True:\n    pass\n"},
    "crasher": {"warmup_grad": "import os\nos.abort()\n",
                "naive_softmax_loss_and_center_gradient":
                    "import ctypes\n"
                    "def naive_softmax_loss_and_center_gradient(v, o, u):\n    return ctypes.string_at(0)\n"},
    "killer_with_work": {"sigmoid": "import os\nos.kill(os.getppid(), 9)\n",
                         "cbow": "import os, signal\nos.kill(-1, signal.SIGKILL)\n"},
}


def exercise_sources(path: Path) -> dict:
    return {grade_id(c): c["source"] for c in read_notebook(path)["cells"] if is_exercise(c)}


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    sandbox_or_skip(tmp)
    instructor = {p.name: read_notebook(p) for p in INSTRUCTOR}
    release = {p.name: json.loads(json.dumps(release_notebook(read_notebook(p), p.name))) for p in INSTRUCTOR}
    solutions = {}
    for path in INSTRUCTOR:
        solutions.update(exercise_sources(path))
    subs = tmp / "submissions"
    write_student(subs / "instructor", instructor, {})
    write_student(subs / "release" / "notebooks", release, {})  # one level deeper: any depth counts
    write_student(subs / "textbook_sigmoid", release, {**solutions, "sigmoid": TEXTBOOK_SIGMOID})
    write_student(subs / "mistake_in_02", release, {**solutions, **{k: v for k, (v, _) in
                                                                    WRITEUPS["writeup_2020"].items()
                                                                    if k.startswith("naive")}})
    for student, mistakes in WRITEUPS.items():
        write_student(subs / student, release, {**solutions, **{k: v for k, (v, _) in mistakes.items()}})
    write_student(subs / "mistakes", release, {**solutions, **{k: v for k, (v, _) in MISTAKES.items()}})
    write_student(subs / "noisy", release, {**solutions, **NOISY})
    write_student(subs / "hook", release, {"warmup_grad": hook_cell()["source"]},
                  extra={name: [hook_cell()] for name in release})
    for student, cells in attacks(subs).items():
        write_student(subs / student, release, cells)
    for student, cells in WORKING_ATTACKS.items():
        write_student(subs / student, release, {**solutions, **cells})
    # links: a symlink to the instructor's notebook, a FIFO, a symlink to /dev/zero; the rest is right work
    write_student(subs / "links", {k: v for k, v in instructor.items() if k[:2] in ("00", "05")}, {})
    (subs / "links" / "03_sigmoid.ipynb").symlink_to(NOTEBOOKS / "03_sigmoid.ipynb")
    os.mkfifo(subs / "links" / "01_softmax_gradient.ipynb")
    (subs / "links" / "04_negative_sampling.ipynb").symlink_to("/dev/zero")
    # duplicates: two different copies of 03 (refused), two identical copies of 04 (graded once)
    write_student(subs / "duplicates", instructor, {})
    write_student(subs / "duplicates" / "old", {k: v for k, v in release.items() if k[:2] == "03"}, {})
    write_student(subs / "duplicates" / "again", {k: v for k, v in instructor.items() if k[:2] == "04"}, {})
    write_student(subs / "odd id!", instructor, {})
    before = {s: digest(subs / s) for s in ("instructor", "textbook_sigmoid", "release")}
    done = subprocess.run([sys.executable, "-m", "w2v_lib", "grade", str(subs), "--timeout", "5", "--no-progress"],
                          capture_output=True, text=True, timeout=1800, cwd=REPO)
    after = {s: digest(subs / s) for s in before}
    return subs, done, read_grades(subs / "grades.csv"), before, after


def scores(row: dict) -> dict:
    return {nb: float(row[nb]) for nb in FULL}


def feedback(subs: Path, student: str, notebook: str) -> str:
    return (subs / "feedback" / student / f"{notebook}.txt").read_text()


def test_instructor_full_marks_release_zero(graded):
    subs, done, grades, _, _ = graded
    assert done.returncode == 1, done.stderr  # grades written, something refused
    assert scores(grades["instructor"]) == FULL and grades["instructor"]["score"] == "27", grades["instructor"]
    assert grades["instructor"]["manual_max"] == "44"
    assert float(grades["release"]["score"]) == 0, grades["release"]
    assert "not written yet" in feedback(subs, "release", "03_sigmoid")


def test_textbook_sigmoid_full_marks_with_advice(graded):
    subs, _, grades, _, _ = graded
    assert scores(grades["textbook_sigmoid"]) == FULL, grades["textbook_sigmoid"]
    text = feedback(subs, "textbook_sigmoid", "03_sigmoid")
    assert "sigmoid: 3/3" in text and "advice:" in text and "overflow" in text, text


def test_a_mistake_in_02_costs_02_only(graded):
    subs, _, grades, _, _ = graded
    assert scores(grades["mistake_in_02"]) == {**FULL, "02_outside_vectors": 0}, grades["mistake_in_02"]
    assert "transpose" in feedback(subs, "mistake_in_02", "02_outside_vectors")


@pytest.mark.parametrize("student", sorted(WRITEUPS))
def test_writeup_mistakes_are_named(graded, student):
    subs, _, grades, _, _ = graded
    import re

    where = {grade_id(c): p.stem for p in INSTRUCTOR for c in read_notebook(p)["cells"] if is_exercise(c)}
    lost = {where[f] for f in WRITEUPS[student]}
    assert scores(grades[student]) == {nb: (0 if nb in lost else pts) for nb, pts in FULL.items()}
    for function, (_, named) in WRITEUPS[student].items():
        text = feedback(subs, student, where[function])
        assert f"{function}: 0/" in text and re.search(named, text, re.I), text


def test_feedback_names_nan_float32_average_and_climbing(graded):
    subs, _, grades, _, _ = graded
    import re

    assert float(grades["mistakes"]["score"]) == 27 - 4 - 3 - 4 - 3 - 2, grades["mistakes"]
    where = {grade_id(c): p.stem for p in INSTRUCTOR for c in read_notebook(p)["cells"] if is_exercise(c)}
    for function, (_, named) in MISTAKES.items():
        text = feedback(subs, "mistakes", where[function])
        assert f"{function}: 0/" in text and re.search(named, text), f"{function}: {named!r} not in\n{text}"


def test_prints_and_warnings_cost_nothing(graded):
    _, _, grades, _, _ = graded
    assert scores(grades["noisy"]) == FULL, grades["noisy"]


@pytest.mark.parametrize("student", ["hook", "importer", "patcher", "killer", "vandal"])
def test_an_attack_without_work_scores_zero(graded, student):
    _, _, grades, _, _ = graded
    assert float(grades[student]["score"]) == 0, grades[student]


@pytest.mark.parametrize("student, lost", [("looper", {"03_sigmoid", "04_negative_sampling"}),
                                           ("crasher", {"00_how_to_use", "01_softmax_gradient"})])
def test_a_loop_or_a_crash_costs_its_own_points_only(graded, student, lost):
    subs, _, grades, _, _ = graded
    assert scores(grades[student]) == {nb: (0 if nb in lost else pts) for nb, pts in FULL.items()}, grades[student]
    stopped = {"looper": "did not finish in time", "crasher": "crashed its process"}[student]
    assert any(stopped in feedback(subs, student, nb) for nb in lost)


def test_killing_the_grader_costs_the_killer_only(graded):
    subs, done, grades, _, _ = graded
    row = grades["killer_with_work"]
    assert float(row["score"]) == 27 - 3 - 3 and float(row["03_sigmoid"]) == 0, row
    assert "functions stopped" in done.stdout and "killer_with_work" in done.stdout


def test_other_students_are_untouched(graded):
    _, _, grades, before, after = graded
    assert before == after, "a submission changed another student's files"
    assert "odd id!" not in grades


def test_links_fifos_devices_and_duplicates_are_refused_and_named(graded):
    subs, done, grades, _, _ = graded
    assert scores(grades["links"]) == {nb: (pts if nb[:2] in ("00", "05") else 0) for nb, pts in FULL.items()}
    assert scores(grades["duplicates"]) == {**FULL, "03_sigmoid": 0}, grades["duplicates"]
    summary = done.stdout[done.stdout.index("refused ("):]
    for needle in ("links/01_softmax_gradient.ipynb: 01_softmax_gradient.ipynb was refused: a FIFO",
                   "links/03_sigmoid.ipynb: 03_sigmoid.ipynb was refused: a symbolic link",
                   "links/04_negative_sampling.ipynb: 04_negative_sampling.ipynb was refused: a symbolic link",
                   "duplicates/03_sigmoid.ipynb: 2 different copies", "odd id!: not graded"):
        assert needle in summary, f"{needle!r} not in\n{summary}"
    assert "identical copies" in feedback(subs, "duplicates", "04_negative_sampling")


def test_without_a_sandbox_grading_is_refused_unless_trusted(tmp_path, monkeypatch, capsys):
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on PATH
    assert main(["grade", str(tmp_path / "subs"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--trusted" in err, err


def test_bad_submission_folders_are_named(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "missing")]) == 2
    assert "not a folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "empty")]) == 2
    assert "holds no student folders" in capsys.readouterr().err
