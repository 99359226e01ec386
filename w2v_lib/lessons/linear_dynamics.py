"""The assignment's SGD near the origin, where it is linear in one matrix: G, its spectrum, and the
growth it predicts.

At the start every score u_oᵀv_c is near 0, and −log σ(x) = log 2 − x/2 + O(x²). Averaged over the
windows and negatives the sampler draws, one step's loss is then, up to a constant,
−½ Σ_{c,o} G[c, o] u_oᵀv_c with

    G[c, o] = #(c, o) − #neg(c, o)      (|Vocab|, |Vocab|), centre × outside, per window,

#(c, o) the expected number of (centre c, outside o) pairs in one window as `ContextSampler` draws
it, and #neg(c, o) the expected number of times o is drawn as a negative for centre c (≈ K·#(c)·P_n(o)).
So the expected step is linear: center_vectors += η/2 · G @ outside_vectors and
outside_vectors += η/2 · Gᵀ @ center_vectors. With G = Σ s_i a_i b_iᵀ, the coordinates
p_i = a_iᵀ center_vectors and q_i = b_iᵀ outside_vectors (each (d,)) obey p_i ± q_i ← (1 ± η s_i/2)(p_i ± q_i):
one independent clock per singular value (Saxe, McClelland & Ganguli, 2014, for linear networks).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, svds

from ..corpora import TokenizedCorpus


def pairs_per_window(corpus: TokenizedCorpus, n_words: int, window: int) -> sp.csr_matrix:
    """(|Vocab|, |Vocab|) sparse: the expected number of (centre, outside) pairs in one window drawn
    as `ContextSampler.random_contexts` draws it from `corpus`.

    A sentence uniformly, a position uniformly in it, a size b uniformly in 1..window, the words
    within b (repeats of the centre left out); a window left empty is drawn again with the same b.
    """
    tokens = corpus.tokens.astype(np.int64)
    n = tokens.size
    sentence = np.repeat(np.arange(corpus.n_sentences), corpus.lengths)  # (n,)
    position_weight = np.repeat(1.0 / (corpus.n_sentences * corpus.lengths), corpus.lengths)  # (n,) P(centre position)
    # right[δ][p]: position p + δ is in p's sentence and is not p's word (left[δ][p] likewise for p − δ)
    right, left = {}, {}
    for delta in range(1, window + 1):
        ok = np.zeros(n, dtype=bool)
        ok[:-delta] = (sentence[delta:] == sentence[:-delta]) & (tokens[delta:] != tokens[:-delta])
        right[delta] = ok
        left[delta] = np.concatenate([np.zeros(delta, dtype=bool), ok[:-delta]])
    reach_weight = {delta: np.zeros(n) for delta in range(1, window + 1)}  # (n,) each: Σ over sizes b ≥ δ
    nonempty = np.zeros(n, dtype=bool)
    for b in range(1, window + 1):
        nonempty |= right[b] | left[b]
        kept = position_weight * nonempty  # (n,) the positions size b can use
        weight = kept / (kept.sum() * window)  # redrawing an empty window renormalises
        for delta in range(1, b + 1):
            reach_weight[delta] += weight
    total = sp.csr_matrix((n_words, n_words))
    for delta in range(1, window + 1):
        r, lf = np.flatnonzero(right[delta]), np.flatnonzero(left[delta])
        rows = np.concatenate([tokens[r], tokens[lf]])
        cols = np.concatenate([tokens[r + delta], tokens[lf - delta]])
        vals = np.concatenate([reach_weight[delta][r], reach_weight[delta][lf]])
        total = total + sp.csr_matrix((vals, (rows, cols)), shape=(n_words, n_words))
    return total


@dataclass(frozen=True)
class OriginGradient:
    """G = #(c, o) − #neg(c, o) per window, kept as a sparse matrix plus a rank-one term (never dense).

    pairs: (|Vocab|, |Vocab|) #(c, o) from `pairs_per_window`; noise: (|Vocab|,) P_n, the negatives'
    distribution (`sampling.noise_distribution`); k: negatives per pair. With redraw_clashes (what
    `NegativeSampler` does) a negative equal to the pair's outside word is drawn again, so for the pair
    (c, o) word w ≠ o is drawn K·P_n(w)/(1 − P_n(o)) times; without, K·P_n(w) times (the simpler
    #(c, o) − K·#(c)·P_n(o)).
    """
    pairs: sp.csr_matrix
    noise: np.ndarray
    k: int
    redraw_clashes: bool = True

    def _parts(self):
        """(sparse part (n, n), column weights w (n,)) with G = sparse − K·w Pᵀ."""
        p = np.asarray(self.noise, dtype=np.float64)
        if not self.redraw_clashes:
            return self.pairs, np.asarray(self.pairs.sum(axis=1)).ravel()
        scale = 1.0 + self.k * p / (1.0 - p)  # (n,) #(c, w)/(1 − P(w)) is subtracted back in w's column
        return self.pairs @ sp.diags(scale), self.pairs @ (1.0 / (1.0 - p))

    def operator(self) -> LinearOperator:
        """G as a scipy LinearOperator (n, n) for products and svds."""
        sparse, w = self._parts()
        sparse_t, p, k = sparse.T.tocsr(), np.asarray(self.noise, dtype=np.float64), self.k

        def matmat(operand):  # G x, x (n,) or (n, m)
            x = np.asarray(operand, dtype=np.float64)
            return sparse @ x - k * np.multiply.outer(w, p @ x)

        def rmatmat(operand):  # Gᵀ x
            x = np.asarray(operand, dtype=np.float64)
            return sparse_t @ x - k * np.multiply.outer(p, w @ x)

        n = self.pairs.shape[0]
        return LinearOperator((n, n), matvec=lambda x: matmat(np.ravel(x)), rmatvec=lambda x: rmatmat(np.ravel(x)),
                              matmat=matmat, rmatmat=rmatmat, dtype=np.float64)

    def negatives(self) -> np.ndarray:
        """(|Vocab|,) expected negatives per window for each centre: Σ_o #neg(c, o) (K·#(c) up to clashes)."""
        sparse, w = self._parts()
        dense_part = self.k * w * np.asarray(self.noise, dtype=np.float64).sum()
        return dense_part - (np.asarray(sparse.sum(axis=1)).ravel() - np.asarray(self.pairs.sum(axis=1)).ravel())

    def singular_pairs(self, n: int = 6, seed: int = 0):
        """(a (|Vocab|, n), s (n,), b (|Vocab|, n)): G's n largest singular values, largest first, and
        their unit vectors, centre side a and outside side b, signed so that a_i has a positive sum."""
        op = self.operator()
        start = np.random.default_rng(seed).standard_normal(op.shape[0])  # ARPACK's seeded start
        left, s, right_t = svds(op, k=n, v0=start)
        order = np.argsort(-s)
        a, s, b = left[:, order], s[order], right_t[order].T
        sign = np.where(a.sum(axis=0) < 0, -1.0, 1.0)  # (n,)
        return a * sign, s, b * sign


def step_sizes(step: float, iterations: int, anneal_every: int) -> np.ndarray:
    """(iterations,) the step η_t that `sgd_loop.sgd` uses at iterations 1..T: halved after every
    iteration divisible by anneal_every."""
    t = np.arange(iterations)  # iterations already done before each one
    return step * 0.5 ** (t // anneal_every)


def mode_growth(singular_value: float, steps) -> tuple:
    """(grow (T+1,), shrink (T+1,)): Π_{t'≤t} (1 ± η_t' s/2) for t = 0..T, the factors by which the
    expected step multiplies p ± q for a singular value s of G (entry 0: before any step)."""
    half = 0.5 * float(singular_value) * np.asarray(steps, dtype=np.float64)  # (T,)
    grow = np.exp(np.concatenate([[0.0], np.cumsum(np.log1p(half))]))
    shrink = np.exp(np.concatenate([[0.0], np.cumsum(np.log1p(-half))]))
    return grow, shrink


def predicted_mode_lengths(singular_value: float, start_length: float, steps) -> tuple:
    """(|p(t)| (T+1,), |q(t)| (T+1,)): the centre and outside coordinates' lengths along one singular
    pair under the expected linear step, from |p(0)| = start_length and q(0) = 0 (outside vectors at 0):
    p = p(0)(grow + shrink)/2, q = p(0)(grow − shrink)/2, i.e. cosh and sinh of the mode's clock."""
    grow, shrink = mode_growth(singular_value, steps)
    return start_length * (grow + shrink) / 2, start_length * (grow - shrink) / 2


def first_crossing(times, values, level: float):
    """The first time at which `values` (measured at increasing `times`) reach `level`, interpolated
    linearly in log(value) between the two measurements around it; None if they never do."""
    times, values = np.asarray(times, dtype=np.float64), np.asarray(values, dtype=np.float64)
    above = np.flatnonzero(values >= level)
    if above.size == 0:
        return None
    i = int(above[0])
    if i == 0:
        return float(times[0])
    lo, hi = np.log(values[i - 1]), np.log(values[i])
    return float(times[i - 1] + (times[i] - times[i - 1]) * (np.log(level) - lo) / (hi - lo))


def predicted_outside_rms(gradient: OriginGradient, center_vectors, steps, batch_size: int, top=None) -> np.ndarray:
    """(T+1,) the root-mean-square length of the outside vectors after t = 0..T steps from
    outside_vectors = 0 and the given center_vectors (|Vocab|, d), while the scores stay near 0.

    Two parts add in quadrature: the expected step's drift, Σ η_t/2 · Gᵀ center_vectors (its top
    singular pair grown exactly, `predicted_mode_lengths`), and the sampling noise, whose variance
    grows by η_t²/(4B) · Σ_c (#(c) + Σ_o #neg(c, o)) |v_c|² per step: each pair and each negative
    adds ±½ v_c to one outside row (counts treated as Poisson, the batch's B windows independent).
    `top` = (a1, s1, b1) from `singular_pairs`, computed if not given.
    """
    center = np.asarray(center_vectors, dtype=np.float64)
    steps = np.asarray(steps, dtype=np.float64)
    a1, s1, b1 = top if top is not None else (lambda a, s, b: (a[:, 0], s[0], b[:, 0]))(*gradient.singular_pairs(1))
    drift = gradient.operator().rmatmat(center)  # (|Vocab|, d) Gᵀ center_vectors
    p1 = a1 @ center  # (d,)
    rest = drift - s1 * np.outer(b1, p1)  # (|Vocab|, d) the part along the other singular pairs
    clock = np.concatenate([[0.0], np.cumsum(steps / 2)])  # (T+1,) Σ η/2
    _, q1 = predicted_mode_lengths(s1, np.linalg.norm(p1), steps)
    events = np.asarray(gradient.pairs.sum(axis=1)).ravel() + gradient.negatives()  # (|Vocab|,) per window
    noise_per_step = events @ (center ** 2).sum(axis=1) / (4 * batch_size)  # × η_t²
    noise = np.concatenate([[0.0], np.cumsum(steps ** 2 * noise_per_step)])
    return np.sqrt((clock ** 2 * (rest ** 2).sum() + q1 ** 2 + noise) / center.shape[0])
