"""The Gradescope autograder: built by the real command, run in a folder laid out as /autograder.

Gradescope unpacks the zip into /autograder/source, copies run_autograder to /autograder, puts
the student's files in /autograder/submission and reads /autograder/results/results.json.
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

pytest.importorskip("nbgrader", reason="the autograder is built from the release ([grade] extra)")

from support.grading import TRANSPOSED_DJ_DU, sandbox_or_skip, write_student

from w2v_lib.course.cells import BEGIN_SOLUTION, read_notebook  # noqa: E402
from w2v_lib.course.grading import graded_notebooks  # noqa: E402
from w2v_lib.course.release import REPO  # noqa: E402

pytestmark = pytest.mark.slow


def test_autograder_zip_runs_as_gradescope_runs_it(tmp_path):
    sandbox_or_skip(tmp_path)
    archive = tmp_path / "autograder.zip"
    built = subprocess.run([sys.executable, "-m", "w2v_lib", "autograder", "--gradescope", str(archive)],
                           capture_output=True, text=True, timeout=900, cwd=REPO)
    assert built.returncode == 0, built.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        assert {"setup.sh", "run_autograder", "spec.json", "requirements.txt"} <= set(names)
        assert not any(name.endswith(("course/release.py", "course/grading.py")) for name in names)
        for name in names:
            assert BEGIN_SOLUTION not in zipped.read(name).decode("utf-8", "replace"), f"{name} holds a solution"
        zipped.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    notebooks = {p.name: read_notebook(p) for p in graded_notebooks(REPO / "notebooks")}
    write_student(root / "submission", notebooks, {"naive_softmax_loss_and_gradient": TRANSPOSED_DJ_DU})
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "run_autograder")], capture_output=True, text=True, env=env,
                          timeout=900)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 21 and isinstance(results["output"], str)
    tests = {t["name"]: t for t in results["tests"]}
    assert sum(t["max_score"] for t in tests.values()) == 27 and len(tests) == 8
    for test in tests.values():
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert isinstance(test["score"], (int, float)) and test["visibility"] in ("visible", "hidden")
    wrong = tests["02_outside_vectors: naive_softmax_loss_and_gradient"]
    assert wrong["score"] == 0 and "transpose" in wrong["output"], wrong
    assert tests["05_skipgram_cbow: skipgram"]["score"] == 4
