"""One SGD step of the assignment's run: the loss and gradient over a batch of random windows.

Two objectives compute the same thing, the loss and gradient of one SGD step over 50 random
windows (loss and gradients averaged over them):
  * `straightforward_loss_and_gradient`, the reference: the core `window_batch_loss_and_gradient`
    (a Python loop over windows calling `skipgram` with `negative_sampling`, which builds a dense
    (|Vocab|, d) gradient per pair);
  * `batch_loss_and_gradient`, the fast one: every pair of the 50 windows at once, negatives
    drawn in bulk, the gradient returned as rows + values (`RowSparseGradient`) so that sgd's
    `x -= step * grad` touches only the rows that moved (repeats accumulated), which equals the
    dense update.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, log_expit

from ..corpora import ContextSampler, TrainingCorpus
from ..models import skipgram, window_batch_loss_and_gradient
from ..sampling import NegativeSampler, negative_sampling
from .row_sparse import RowSparseGradient


@dataclass
class WindowBatch:
    """One SGD step's draws: B windows and K negatives for every (center, outside) pair."""
    centers: np.ndarray  # (B,) center word c of each window
    contexts: np.ndarray  # (B, 2C) outside words, -1 where none
    negatives: np.ndarray  # (P, K) for the P pairs, in row-major order of `contexts`
    pair_centers: np.ndarray  # (P,) c of each pair
    pair_words: np.ndarray  # (P, 1+K) each pair's o then its K negatives

    def windows(self):
        """[(center, context (n,), negatives (n, K))] per window, the reference loop's input."""
        out, start = [], 0
        for c, row in zip(self.centers, self.contexts):
            ctx = row[row >= 0]
            out.append((int(c), ctx, self.negatives[start:start + ctx.size]))
            start += ctx.size
        return out


def draw_batches(contexts: ContextSampler, sampler: NegativeSampler, rng, n_batches: int, batch_size: int,
                 window: int, k: int) -> list:
    """`n_batches` steps' draws at once: B windows each (sizes uniform in 1..window) and, for every
    pair, k negatives ≠ its outside word. Draws never depend on the parameters, so drawing
    several steps ahead changes nothing but the order in which the random stream is used."""
    centers, ctx = contexts.random_contexts(rng, n_batches * batch_size, window)  # (n·B,), (n·B, 2C)
    mask = ctx >= 0
    outside = ctx[mask]  # (P_total,)
    negatives = sampler.sample_many(outside, k)  # (P_total, K)
    per_window = mask.sum(axis=1)  # (n·B,)
    pair_centers = np.repeat(centers, per_window)  # (P_total,)
    pair_words = np.concatenate([outside[:, None], negatives], axis=1)  # (P_total, 1+K)
    ends = np.cumsum(per_window.reshape(n_batches, batch_size).sum(axis=1))  # (n,) pairs up to each step
    starts = np.concatenate([[0], ends[:-1]])
    return [WindowBatch(centers[i * batch_size:(i + 1) * batch_size], ctx[i * batch_size:(i + 1) * batch_size],
                        negatives[a:b], pair_centers[a:b], pair_words[a:b])
            for i, (a, b) in enumerate(zip(starts, ends))]


def draw_batch(contexts: ContextSampler, sampler: NegativeSampler, rng, batch_size: int, window: int, k: int):
    """One step's draws (see draw_batches)."""
    return draw_batches(contexts, sampler, rng, 1, batch_size, window, k)[0]


def batch_loss_and_gradient(params, batch: WindowBatch, n_words: int):
    """Mean skip-gram negative-sampling loss over the batch's windows and its RowSparseGradient.

    Per pair (c, o) with negatives k: J = −log σ(u_oᵀv_c) − Σ_k log σ(−u_kᵀv_c), and every
    window's J is the sum over its pairs; the step's loss is the mean over the B windows.
    """
    d = params.shape[1]
    n_windows = batch.centers.shape[0]
    centers = batch.pair_centers  # (P,) c of each pair
    words = batch.pair_words + n_words  # (P, 1+K) rows of u_o, u_k1..u_kK in the stacked parameters
    v = params.take(centers, axis=0)  # (P, d) v_c
    u = params.take(words.reshape(-1), axis=0).reshape(*words.shape, d)  # (P, 1+K, d) u_o, u_k
    signed = np.einsum("pjd,pd->pj", u, v)  # (P, 1+K) u_wᵀv_c
    signed[:, 1:] *= -1  # every term is −log σ(z) with z = u_oᵀv_c or z = −u_kᵀv_c
    loss = -log_expit(signed).sum(dtype=np.float64) / n_windows
    coef = expit(-signed)  # (P, 1+K) σ(−z)
    coef /= n_windows  # ∂J/∂(u_wᵀv_c), averaged over windows:
    coef[:, 0] *= -1  # σ(u_oᵀv_c) − 1 = −σ(−z_o) for o, σ(u_kᵀv_c) = σ(−z_k) for each k
    n_pairs, one_plus_k = coef.shape
    values = np.empty((n_pairs * (1 + one_plus_k), d), dtype=u.dtype)  # (M, d): P center rows, P·(1+K) outside rows
    np.einsum("pj,pjd->pd", coef, u, out=values[:n_pairs])  # ∂J/∂v_c per pair
    np.multiply(coef[:, :, None], v[:, None, :], out=values[n_pairs:].reshape(n_pairs, one_plus_k, d))  # ∂J/∂u_w
    rows = np.concatenate([centers, words.reshape(-1)])  # (M,)
    return float(loss), RowSparseGradient(params.shape, rows, values)


def straightforward_loss_and_gradient(params, windows, negatives, n_words: int, k: int = 10):
    """The reference: the course's wrapper, one core `skipgram` call per window, dense gradients.

    `windows` is [(center, context indices)] and `negatives` either a NegativeSampler (fresh
    draws, as the course) or one (len(context), K) array per window (pre-drawn, for comparisons).
    """
    if params.shape[0] != 2 * n_words:
        raise ValueError(f"params must be (2·{n_words}, d) = [center_vectors; outside_vectors]; got {params.shape}")
    if isinstance(negatives, NegativeSampler):
        pair_loss = negative_sampling(negatives, k)
    else:
        pair_loss = [negative_sampling(drawn, k) for drawn in negatives]
    return window_batch_loss_and_gradient(skipgram, params, windows, pair_loss)


def make_objective(data: TrainingCorpus, rng, method: str = "vectorized", batch_size: int = 50,
                   window: int = 5, k: int = 10, draw_ahead: int = 1, *, sampler: NegativeSampler | None = None):
    """f(x) -> (loss, grad) for sgd, drawing every window and negative from `rng`.

    `sampler` is the run's NegativeSampler (method "alias" for the vectorized objective, "cdf" for
    the straightforward one, drawing from `rng`); without it, one is made from the corpus's counts.

    The vectorized objective draws `draw_ahead` steps' windows and negatives in one go (bulk
    sampling amortizes NumPy's per-call cost). For resume to be exact, a checkpoint must fall on
    a multiple of `draw_ahead`, so that sgd saves the random state between two bulk draws.
    """
    if not isinstance(draw_ahead, (int, np.integer)) or draw_ahead < 1:
        raise ValueError(f"draw_ahead must be a positive integer; got {draw_ahead!r}")
    contexts = ContextSampler(data.subsampled)
    n = len(data.vocab)
    if method not in ("vectorized", "straightforward"):
        raise ValueError(f"method must be 'vectorized' or 'straightforward'; got {method!r}")
    if sampler is None:
        sampler = NegativeSampler(data.vocab.counts, rng, method="alias" if method == "vectorized" else "cdf")
    elif sampler.vocab_size != n or sampler.rng is not rng:  # its draws must be in the checkpoints' stream
        raise ValueError(f"sampler must draw from `rng` over the corpus's {n} words; got one over "
                         f"{sampler.vocab_size} words{'' if sampler.rng is rng else ' with a Generator of its own'}")
    if method == "vectorized":
        queue = []

        def f(x):
            if not queue:
                queue.extend(reversed(draw_batches(contexts, sampler, rng, draw_ahead, batch_size, window, k)))
            return batch_loss_and_gradient(x, queue.pop(), n)
        return f

    def f(x):  # straightforward
        windows = [contexts.random_context(rng, int(rng.integers(1, window + 1))) for _ in range(batch_size)]
        return straightforward_loss_and_gradient(x, windows, sampler, n, k)
    return f
