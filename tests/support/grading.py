"""A student's submission built from the instructor's notebooks, and the grader's sandbox."""
import json
import os
from pathlib import Path

import pytest

from w2v_lib.course.cells import grade_id, is_exercise
from w2v_lib.course.grader.sandbox import Sandbox, SandboxUnavailable


def sandbox_or_skip(tmp_path):
    try:
        Sandbox(tmp_path)
    except SandboxUnavailable as exc:
        if os.environ.get("W2V_REQUIRE_SANDBOX") == "1":
            pytest.fail(f"{exc} (W2V_REQUIRE_SANDBOX=1 forbids skipping)")
        pytest.skip(str(exc))


# The write-ups' mistakes (../shared/seeds), as a student would write them, with only numpy.
TRANSPOSED_DJ_DU = '''def naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors):
    scores = outside_vectors @ center_vec
    y_hat = np.exp(scores - scores.max())
    y_hat = y_hat / y_hat.sum()
    loss = -np.log(y_hat[outside_idx])
    delta = y_hat.copy()
    delta[outside_idx] -= 1.0
    grad_center_vec = outside_vectors.T @ delta
    # the 2020 write-up: dJ/dU = (y_hat - y) v_c, one row per word -> shape (d, |Vocab|) here
    grad_outside_vecs = np.outer(center_vec, delta)
    return loss, grad_center_vec, grad_outside_vecs
'''


def write_student(folder: Path, base: dict, replacements: dict, extra: dict | None = None) -> None:
    """Copies of `base` {file name: notebook}, exercise cells replaced by grade_id, extra cells appended."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in base.items():
        nb = json.loads(json.dumps(nb))
        for cell in nb["cells"]:
            if is_exercise(cell) and grade_id(cell) in replacements:
                cell["source"] = replacements[grade_id(cell)]
        nb["cells"].extend((extra or {}).get(name, []))
        (folder / name).write_text(json.dumps(nb, indent=1))
