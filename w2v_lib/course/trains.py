"""Train with a student's own functions, step by step beside the library's vectorized step.

    comparison = compare_training(load_answers("."), batches, params, n_words, step=0.3)
    print(comparison)            # the verdict: every step matches, or where and what differs
    assert comparison, comparison.verdict

The student's `skipgram`, `neg_sampling_loss_and_gradient` and `sgd_step` (notebooks 04 and 05)
make each SGD step over the same pre-drawn windows and negatives as the library's
`batch_loss_and_gradient`, from the same float64 parameters. At the first step where the two
disagree, the verdict says which part differs: the loss, the gradient (and on which rows), or
the update θ ← θ − α∇J made by `sgd_step`. A gradient that is 0 everywhere, or a step that leaves
the parameters as they were, is named as what it would do to training: a flat loss.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..assignment.step import batch_loss_and_gradient
from ..models import window_batch_loss_and_gradient
from ..sampling import negative_sampling

NEEDED = ("skipgram", "neg_sampling_loss_and_gradient", "sgd_step")


def student_batch_loss_and_gradient(answers: dict, params, batch, n_words: int):
    """The batch's mean loss and dense (2|Vocab|, d) gradient, made with the student's own functions.

    The course's SGD wrapper calls the student's skipgram once per window, whose F is the
    student's negative-sampling loss with that pair's pre-drawn negatives (one row per outside
    word, in the order skipgram asks for them).
    """
    windows = batch.windows()  # [(center, context (n,), negatives (n, K))]
    if params.shape[0] != 2 * n_words:
        raise ValueError(f"params must be (2·{n_words}, d) = [center_vectors; outside_vectors]; got {params.shape}")
    # each window's F: the student's loss bound to that window's pre-drawn negatives, row i for outside word i
    bound = [negative_sampling(drawn, loss_and_gradient=answers["neg_sampling_loss_and_gradient"])
             for _, _, drawn in windows]
    return window_batch_loss_and_gradient(answers["skipgram"], params, [(c, ctx) for c, ctx, _ in windows], bound)


@dataclass
class TrainingComparison:
    """The two runs side by side; truthy when every step matched and the vectors moved."""
    student_losses: list = field(default_factory=list)  # loss of each step, the student's functions
    library_losses: list = field(default_factory=list)  # the same batch, the library's step
    steps: int = 0  # how many steps were compared
    problem: str | None = None  # None when all is well

    def __bool__(self) -> bool:
        return self.problem is None

    @property
    def verdict(self) -> str:
        if self.problem:
            return f"FAILED: {self.problem}"
        return (f"PASSED: your skipgram, neg_sampling_loss_and_gradient and sgd_step trained the vectors; "
                f"all {self.steps} steps match the library's vectorized step on the same batches "
                "(same loss, same gradient, same parameters after the step).")

    def __str__(self) -> str:
        return self.verdict


def _rows(mine, theirs, rtol: float, n_words: int, words) -> str:
    """The rows that differ beyond rtol, as v_w / u_w (with the word when `words` is given), four named."""
    bad = np.flatnonzero(~np.isclose(mine, theirs, rtol=rtol, atol=rtol).all(axis=1))
    name = (lambda w: f"'{words[w]}'") if words is not None else str
    named = [f"v_{name(r)}" if r < n_words else f"u_{name(r - n_words)}" for r in bad[:4]]
    return ", ".join(named) + (f" and {bad.size - 4} more rows" if bad.size > 4 else "")


def compare_training(answers: dict, batches, params, n_words: int, step: float, rtol: float = 1e-9,
                     words=None) -> TrainingComparison:
    """Run both for len(batches) steps from a copy of `params` (float64); stop at the first difference.

    `words` (the vocabulary's words, optional) names the rows that differ.
    """
    missing = [name for name in NEEDED if name not in answers]
    if missing:
        raise ValueError(f"compare_training needs your {', '.join(missing)}: no exercise cell defines "
                         f"{'it' if len(missing) == 1 else 'them'} (load_answers found {sorted(answers)})")
    mine = np.array(params, dtype=np.float64)  # (2|Vocab|, d), a copy
    theirs = mine.copy()
    result = TrainingComparison()
    close = lambda a, b: np.allclose(a, b, rtol=rtol, atol=rtol)  # noqa: E731  (atol: entries near 0)
    for t, batch in enumerate(batches, start=1):
        loss, grad = student_batch_loss_and_gradient(answers, mine, batch, n_words)
        ref_loss, ref_grad = batch_loss_and_gradient(theirs, batch, n_words)
        ref_grad = np.asarray(ref_grad)  # (2|Vocab|, d) dense
        result.student_losses.append(loss)
        result.library_losses.append(ref_loss)
        result.steps = t
        if not close(loss, ref_loss):
            result.problem = (f"at step {t}, from the same parameters, your loss is {loss:.6g} and the library's "
                              f"{ref_loss:.6g}: the loss of your skipgram or neg_sampling_loss_and_gradient differs")
            return result
        if np.shape(grad) != ref_grad.shape:
            result.problem = (f"your gradient has shape {np.shape(grad)}; the stacked [center_vectors; "
                              f"outside_vectors] gradient must be {ref_grad.shape}")
            return result
        if not close(grad, ref_grad):
            if not np.any(grad):
                result.problem = (f"at step {t} your gradient is 0 everywhere, so training would leave the loss "
                                  "flat: nothing is added to it in your skipgram or neg_sampling_loss_and_gradient")
            else:
                result.problem = (f"at step {t} the losses agree but your gradient differs from the library's on "
                                  f"{_rows(grad, ref_grad, rtol, n_words, words)}: check the gradients of "
                                  "your skipgram and neg_sampling_loss_and_gradient (their live checks say where)")
            return result
        before = mine.copy()  # sgd_step may update in place
        updated = answers["sgd_step"](mine, grad, step)
        mine = mine if updated is None else np.array(updated, dtype=np.float64)
        theirs -= step * ref_grad
        if not close(mine, theirs):
            if np.array_equal(mine, before):
                what = "left the parameters unchanged, so the loss would stay flat"
            elif close(mine, before + step * grad):
                what = "moved the parameters uphill (θ + step·∇J), so the loss would rise"
            else:
                what = f"gave other parameters on {_rows(mine, theirs, rtol, n_words, words)}"
            result.problem = (f"at step {t} the loss and gradient agree but your sgd_step {what}: it must "
                              "return θ − step·∇J")
            return result
    return result
