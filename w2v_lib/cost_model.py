"""How the cost of the two losses grows with the vocabulary size |Vocab| (notebook 04).

Notebook 04 asks for the predicted ratio of the two losses' costs (predicted_cost_ratio) and
measures it here. The library's negative-sampling loss returns a dense (|Vocab|, d) gradient, whose
zero-fill is itself O(|Vocab|·d); `time_losses` therefore also times negative sampling on the
gathered rows it touches only, as a sparse trainer would run it.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from functools import partial

import numpy as np

from ._checks import as_index, as_indices, as_matrix, as_vector
from .losses import naive_softmax_loss_and_gradient, neg_sampling_loss_and_gradient


def neg_sampling_on_touched_rows(center_vec, outside_idx, outside_vectors, neg_indices,
                                 neg_loss=neg_sampling_loss_and_gradient):
    """Negative sampling (`neg_loss`, the library's by default) computed on the rows it touches.

    Returns (loss, grad_center_vec (d,), rows (R,), grad_rows (R, d)): row i of `grad_rows` is
    ∂J/∂u_w for w = rows[i], the words o and the negatives, each once.
    # BEGIN INSTRUCTOR NOTE
    Every other row of ∂J/∂Uᵀ is zero; a repeated negative carries the sum of its terms.
    # END INSTRUCTOR NOTE
    """
    outside_vectors = as_matrix(outside_vectors, "outside_vectors")
    n_words, d = outside_vectors.shape
    v_c = as_vector(center_vec, "center_vec", dim=d)
    o = as_index(outside_idx, "outside_idx", n_words)
    neg = as_indices(neg_indices, "neg_indices", n_words)
    rows, local = np.unique(np.concatenate(([o], neg)), return_inverse=True)  # (R,), (K+1,)
    loss, grad_center, grad_rows = neg_loss(v_c, int(local[0]), outside_vectors[rows], local[1:])
    return loss, grad_center, rows, grad_rows


def predicted_cost_ratio(vocab_sizes, k: int) -> np.ndarray:
    """Rows touched by the full softmax over rows touched by negative sampling, per |Vocab| of `vocab_sizes`."""
    sizes = np.asarray(vocab_sizes, dtype=np.float64)
    if sizes.ndim != 1 or sizes.size == 0 or (sizes < 1).any():
        raise ValueError(f"vocab_sizes must be a non-empty 1-D array of sizes >= 1; got {np.asarray(vocab_sizes)!r}")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer number of negatives; got {k!r}")
    return sizes / (k + 1)


@dataclass
class LossTimings:
    """Median seconds per call of each loss, one entry per vocabulary size."""

    vocab_sizes: np.ndarray
    k: int
    softmax: np.ndarray
    neg_sampling: np.ndarray  # the library's call, dense (|Vocab|, d) gradient included
    neg_sampling_touched: np.ndarray  # the same loss on the K + 1 touched rows only

    @property
    def ratio(self) -> np.ndarray:
        return self.softmax / self.neg_sampling

    @property
    def ratio_touched(self) -> np.ndarray:
        return self.softmax / self.neg_sampling_touched

    @property
    def predicted(self) -> np.ndarray:
        return predicted_cost_ratio(self.vocab_sizes, self.k)


def _single_thread():
    """Pin BLAS to one thread: on a shared 2-core machine threads only add noise."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def _median_seconds(call, repeats: int, number: int, clock) -> float:
    samples = []
    for _ in range(repeats):
        start = clock()
        for _ in range(number):
            call()
        samples.append((clock() - start) / number)
    return float(np.median(samples))


def time_losses(vocab_sizes, dim: int = 50, k: int = 10, repeats: int = 7, number: int = 20,
                rng=None, clock=time.perf_counter, softmax_loss=naive_softmax_loss_and_gradient,
                neg_loss=neg_sampling_loss_and_gradient) -> LossTimings:
    """Time both losses (median of `repeats` runs of `number` calls) for each |Vocab| in vocab_sizes.

    Vectors are drawn from `rng` (a Generator or a seed) at scale 0.1, as at initialisation.
    `clock` returns seconds; tests pass a fake one. `softmax_loss` and `neg_loss` are the two
    losses timed (the library's by default; in the student edition, the student's own).
    """
    predicted_cost_ratio(vocab_sizes, k)  # validates vocab_sizes and k
    sizes = np.rint(np.asarray(vocab_sizes, dtype=np.float64)).astype(int)  # (S,) as given, never truncated
    for name, value in (("dim", dim), ("repeats", repeats), ("number", number)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    if (sizes < 2).any():
        raise ValueError(f"every vocabulary size must be >= 2 (o plus at least one other word); got {sizes.tolist()}")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)

    out = {"softmax": [], "neg_sampling": [], "neg_sampling_touched": []}
    with _single_thread():
        for n_words in sizes:
            outside_vectors = 0.1 * gen.standard_normal((n_words, dim))  # (|Vocab|, d)
            v_c = 0.1 * gen.standard_normal(dim)  # (d,)
            neg = gen.integers(1, n_words, size=k)  # (K,) never o = 0
            calls = {"softmax": partial(softmax_loss, v_c, 0, outside_vectors),
                     "neg_sampling": partial(neg_loss, v_c, 0, outside_vectors, neg),
                     "neg_sampling_touched": partial(neg_sampling_on_touched_rows, v_c, 0, outside_vectors, neg,
                                                     neg_loss=neg_loss)}
            for key, call in calls.items():
                out[key].append(_median_seconds(call, repeats, number, clock))
    return LossTimings(vocab_sizes=sizes, k=int(k),
                       **{key: np.array(val) for key, val in out.items()})
