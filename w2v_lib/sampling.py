"""Negative sampling: the unigram^0.75 sampler and the binding that plugs it into skipgram/cbow.

One sampler, two ways to turn a uniform number into a word: a search in the cumulative
distribution (`method="cdf"`, O(log |Vocab|) per draw) or Walker's alias table (`method="alias"`,
O(1) per draw, what the SST training uses). Both draw from `noise_distribution(counts)`.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._checks import as_index, as_indices
from .losses import neg_sampling_loss_and_gradient


def noise_distribution(counts, power: float = 0.75) -> np.ndarray:
    """P(w) ∝ count(w)^power, shape (|Vocab|,): the distribution negatives are drawn from."""
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D array of word counts; got shape {c.shape}")
    if not np.isfinite(c).all() or (c < 0).any():
        bad = c[~np.isfinite(c) | (c < 0)]
        raise ValueError(f"counts must be finite and non-negative; got {bad[:5].tolist()}")
    if isinstance(power, bool) or not isinstance(power, numbers.Real) or not 0 <= power < np.inf:
        raise ValueError(f"power must be a finite non-negative number (word2vec uses 0.75); got {power!r}")
    weights = c ** power
    if weights.sum() <= 0:
        raise ValueError("counts must have at least one positive entry")
    return weights / weights.sum()  # (|Vocab|,)


class NegativeSampler:
    """Draws negative words from P(w) ∝ count(w)^power (power 0.75 as in word2vec).

    Any draw equal to the outside word is drawn again, as the course's sampler does, so the
    negatives follow P conditioned on w ≠ o.

    Args:
        counts: (|Vocab|,) non-negative word counts.
        rng: a numpy Generator or a seed (the sampler keeps a Generator as `self.rng`).
        power: the exponent on the counts.
        method: "cdf" (search the cumulative distribution) or "alias" (Walker's alias table:
            constant time per draw). Same distribution, different random streams.
    """

    def __init__(self, counts, rng=None, power: float = 0.75, method: str = "cdf"):
        if method not in ("cdf", "alias"):
            raise ValueError(f"method must be 'cdf' or 'alias'; got {method!r}")
        self.probabilities = noise_distribution(counts, power)  # (|Vocab|,)
        self.method = method
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        if method == "cdf":
            self._cdf = np.cumsum(self.probabilities)  # (|Vocab|,)
            # rounding can leave the sum a hair under 1; clamp from the last positive word on, so that
            # no draw u < 1 lands on a trailing word whose count is 0
            self._cdf[np.flatnonzero(self.probabilities)[-1]:] = 1.0
        else:
            self.keep, self.alias = _alias_table(self.probabilities)

    @property
    def vocab_size(self) -> int:
        return self.probabilities.shape[0]

    def implied_probabilities(self) -> np.ndarray:
        """The distribution the draws follow exactly
        (for "alias": (keep[w] + Σ_{alias[i]=w} (1 − keep[i])) / |Vocab|)."""
        if self.method == "cdf":
            return np.diff(self._cdf, prepend=0.0)
        p = self.keep + np.bincount(self.alias, weights=1.0 - self.keep, minlength=self.vocab_size)  # (|Vocab|,)
        return p / self.vocab_size

    def _draw(self, shape) -> np.ndarray:
        if self.method == "cdf":
            u = self.rng.random(shape)
            # side="right" so that a word with probability 0 is never returned.
            return np.minimum(np.searchsorted(self._cdf, u, side="right"), self.vocab_size - 1)
        # One uniform per draw: its integer part picks the column, its fraction (a uniform
        # independent of the column, with >= 38 bits left) decides between column and alias.
        scaled = self.rng.random(shape) * self.vocab_size
        col = np.minimum(scaled.astype(np.int64), self.vocab_size - 1)
        return np.where(scaled - col < self.keep.take(col), col, self.alias.take(col))

    def sample_many(self, outside_idxs, k: int) -> np.ndarray:
        """Draw k negatives for each outside word at once: returns (N, k) int64."""
        outs = as_indices(outside_idxs, "outside_idxs", self.vocab_size)
        _check_k(k)
        hopeless = outs[self.probabilities[outs] >= 1.0]  # every draw would be the outside word
        if k and hopeless.size:
            raise ValueError(f"cannot draw negatives for outside word {int(hopeless[0])}: it is the only word "
                             "with a positive count, so every draw would equal it")
        neg = self._draw((outs.shape[0], k))  # (N, k)
        clash = neg == outs[:, None]
        while clash.any():  # redraw only the clashing entries
            neg[clash] = self._draw(int(clash.sum()))
            clash = neg == outs[:, None]
        return neg.astype(np.int64, copy=False)

    def sample(self, outside_idx, k: int = 10) -> np.ndarray:
        """Draw k negatives for one outside word: returns (k,) int64, none equal to it."""
        o = as_index(outside_idx, "outside_idx", self.vocab_size)
        return self.sample_many(np.array([o]), k)[0]


def _alias_table(probabilities):
    """Walker's alias table (Vose's construction): draw column i uniformly, keep it with
    probability keep[i], else take alias[i]. Returns (keep (|Vocab|,), alias (|Vocab|,))."""
    n = probabilities.shape[0]
    scaled = probabilities * n  # (|Vocab|,) mean 1
    keep, alias = np.ones(n), np.arange(n)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:  # fill each short column with the excess of a tall one
        s, t = small.pop(), large.pop()
        keep[s], alias[s] = scaled[s], t
        scaled[t] -= 1.0 - scaled[s]
        (small if scaled[t] < 1.0 else large).append(t)
    return keep, alias  # whatever is left is 1 up to rounding: keep[i] = 1 already


def _check_k(k):
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"k (the number of negatives) must be a non-negative integer; got {k!r}")


def negative_sampling(negatives, k: int = 10, loss_and_gradient=None, *, once_per_row: bool = False):
    """Bind negatives into the three-argument form skipgram and cbow call.

    `loss_and_gradient` is the four-argument negative-sampling loss to bind (the library's
    `neg_sampling_loss_and_gradient` by default; in the student edition, the student's own).

    `negatives` is either
      * a NegativeSampler: each call draws k fresh negatives for its outside word; or
      * pre-drawn indices, shape (K,) (the same negatives for every call) or (M, K) (call i
        uses row i mod M, so a skipgram over M outside words uses one row per word, again on
        every evaluation, which keeps a gradient check deterministic).

    With `once_per_row`, call i uses row i and a call beyond the M-th raises RuntimeError: a model
    that calls F more than once per outside word is told so instead of reusing rows.

    Returns f(center_vec, outside_idx, outside_vectors) -> (loss, grad_center_vec, grad_outside_vectors).
    """
    pair_loss = neg_sampling_loss_and_gradient if loss_and_gradient is None else loss_and_gradient
    if not callable(pair_loss):
        raise ValueError(f"loss_and_gradient must be a function like neg_sampling_loss_and_gradient; "
                         f"got {type(pair_loss).__name__}")
    if isinstance(negatives, NegativeSampler):
        sampler = negatives
        _check_k(k)

        def loss_and_gradient(center_vec, outside_idx, outside_vectors):
            neg = sampler.sample(outside_idx, k)
            return pair_loss(center_vec, outside_idx, outside_vectors, neg)

        return loss_and_gradient

    try:
        table = np.asarray(negatives)
        got = f"shape {table.shape} and dtype {table.dtype}"
    except ValueError:  # rows of different lengths
        table, got = np.asarray(None), "rows of different lengths"
    if table.ndim == 1:
        table = table[None, :]  # (1, K)
    if table.ndim != 2 or not np.issubdtype(table.dtype, np.integer):
        raise ValueError("negatives must be a NegativeSampler or an integer array of shape (K,) or (M, K); "
                         f"got {type(negatives).__name__} with {got}")
    calls = [0]

    def loss_and_gradient(center_vec, outside_idx, outside_vectors):
        if once_per_row and calls[0] >= table.shape[0]:
            raise RuntimeError(f"F was called more than {table.shape[0]} times for one window: "
                               "call it once per pair (outside word)")
        row = table[calls[0] % table.shape[0]]  # (K,)
        calls[0] += 1
        return pair_loss(center_vec, outside_idx, outside_vectors, row)

    return loss_and_gradient
