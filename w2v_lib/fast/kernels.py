"""The fast trainer's inner step: one minibatch of windows, as a few matrix products.

A minibatch is n windows (a center word and its context words, P pairs in all) drawn at
random from the chunk. The windows come in G groups (16 windows each by default), and the
windows of a group share M negatives, each weighted K/M so that the expected gradient equals
word2vec's K negatives per pair; sharing turns the negative terms into (g, d)·(d, M) matrix
products (Ji et al., 2016, share them across one window).
In skip-gram the score of a negative depends only on the center, so a window's pairs share
that score too, and the negatives cost one row of scores per window, not per pair. What
stays per pair is one gathered row, one row dot product and one scattered row.

Shapes: n windows, P pairs (context words in all windows), M shared negatives, d the vector
size. `center_vectors` holds the v_w (center vectors), `outside_vectors` the u_w (outside vectors, the handout's Uᵀ),
both (|Vocab|, d) float32, C-contiguous, updated in place.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit

try:  # SciPy's own CSR kernel: Y += A·X in place, without the public wrapper's copies
    from scipy.sparse._sparsetools import csr_matvecs
except ImportError:  # a SciPy that moved it: the public API, slower by a copy
    from scipy.sparse import csr_matrix

    def csr_matvecs(n_row, n_col, n_vecs, indptr, indices, data, x, y):
        a = csr_matrix((data, indices, indptr), shape=(n_row, n_col))
        y.reshape(n_row, n_vecs)[...] += a @ x.reshape(n_col, n_vecs)


def scatter_add_rows(table, rows, updates, source=None, weights=None):
    """table[rows[i]] += weights[i] · updates[source[i]] for every i, repeats accumulating; in place.

    `source` (default: i itself) and `weights` (default: 1) let one row of `updates` feed several
    rows of the table without being copied first. The whole update is table += Aᵀ·updates with
    A the sparse (N, |Vocab|) matrix of the (row, source, weight) triples; its transpose in CSR form
    needs only a sort of the rows and a count per word, and SciPy's kernel then adds straight
    into `table` (np.add.at does the same several times slower).
    """
    n_rows, d = table.shape
    order = np.argsort(rows)  # (N,) the updates grouped by row
    indptr = np.zeros(n_rows + 1, dtype=np.int32)  # (|Vocab|+1,)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    cols = order if source is None else source[order]  # (N,)
    data = np.ones(rows.shape[0], dtype=table.dtype) if weights is None else weights[order].astype(table.dtype)
    csr_matvecs(n_rows, updates.shape[0], d, indptr, cols.astype(np.int32, copy=False), data,
                np.ascontiguousarray(updates, dtype=table.dtype).ravel(), table.ravel())


def gather_sum(table, rows, indptr):
    """Σ table[rows[j]] over each segment indptr[i]:indptr[i+1]: (n, d), gathered and summed in one pass."""
    n, d = indptr.shape[0] - 1, table.shape[1]
    out = np.zeros((n, d), dtype=table.dtype)  # (n, d)
    csr_matvecs(n, table.shape[0], d, indptr, rows.astype(np.int32, copy=False),
                np.ones(rows.shape[0], dtype=table.dtype), table.ravel(), out.ravel())
    return out


def segment_sum(values, indptr, weights=None):
    """Row sums of `values` (N, d) over the segments indptr[i]:indptr[i+1]; optionally weighted."""
    n, (N, d) = indptr.shape[0] - 1, values.shape
    out = np.zeros((n, d), dtype=values.dtype)  # (n, d)
    w = np.ones(N, dtype=values.dtype) if weights is None else weights.astype(values.dtype, copy=False)
    csr_matvecs(n, N, d, indptr, np.arange(N, dtype=np.int32), w, np.ascontiguousarray(values).ravel(),
                out.ravel())
    return out


def sigmoid_(x):
    """σ(x) in place for float32 scores (scipy's expit, written into x to spare an allocation)."""
    return expit(x, out=x)


def _softplus_sum(z) -> float:
    """Σ log(1 + e^z) in float64, stable: −log σ(−z) summed."""
    return float(np.logaddexp(0.0, z.astype(np.float64)).sum())


class SharedNegatives:
    """The negatives' part of a batch's step, for n windows in G groups sharing M negatives each.

    Window i belongs to group i // g with g = ⌈n / G⌉; the scores of a group are one (g, d)·(d, M)
    product (the last group is padded with zero rows that carry zero weight).
    """

    def __init__(self, h, negatives, outside_vectors):
        self.n, d = h.shape
        self.G, self.M = negatives.shape
        self.g = -(-self.n // self.G)
        self.negatives = negatives
        self.h = np.zeros((self.G * self.g, d), dtype=h.dtype)  # (G·g, d)
        self.h[:self.n] = h
        self.h = self.h.reshape(self.G, self.g, d)  # (G, g, d)
        self.u = np.take(outside_vectors, negatives.ravel(), axis=0).reshape(self.G, self.M, d)  # (G, M, d)
        self.scores = self.h @ self.u.transpose(0, 2, 1)  # (G, g, M)  u_mᵀ h_i

    def window_negatives(self, windows):
        """(len(windows), M) the negatives that each given window uses."""
        return self.negatives[windows // self.g]

    def weights(self, per_window):
        """Pad (n, M) weights to (G, g, M): the padding rows get 0."""
        out = np.zeros((self.G * self.g, self.M), dtype=np.float32)
        out[:self.n] = per_window
        return out.reshape(self.G, self.g, self.M)

    def step(self, weights, lr):
        """(−lr·∂J/∂h for each window (n, d), −lr·∂J/∂u_m stacked (G·M, d)) for per-score `weights` (G, g, M)."""
        g_neg = sigmoid_(self.scores.copy())  # (G, g, M)  ∂J/∂(u_mᵀh) per use
        g_neg *= weights
        g_neg *= -lr
        step_h = (g_neg @ self.u).reshape(-1, self.u.shape[2])[:self.n]  # (n, d)
        step_u = (g_neg.transpose(0, 2, 1) @ self.h).reshape(-1, self.u.shape[2])  # (G·M, d)
        return step_h, step_u

    def loss(self, weights) -> float:
        """Σ weights · (−log σ(−u_mᵀh))."""
        return float((np.logaddexp(0.0, self.scores.astype(np.float64)) * weights).sum())


def skipgram_step(center_vectors, outside_vectors, centers, context_words, indptr, negatives, lr, neg_weight,
                  want_loss=False):
    """One minibatch of skip-gram windows: center c predicts each of its context words o.

    Args:
        centers: (n,) the windows' center words.
        context_words: (P,) the outside words, window after window; window i owns
            context_words[indptr[i]:indptr[i+1]] (at least one word each).
        indptr: (n+1,) int32 window boundaries.
        negatives: (G, M) the shared negatives: window i uses row i // ⌈n/G⌉.
        lr: the learning rate; neg_weight: K/M.
    Returns the batch loss Σ_pairs [−log σ(u_oᵀv_c) − K/M Σ_{m≠o} log σ(−u_mᵀv_c)] if asked, else None.
    """
    n = centers.shape[0]
    sizes = np.diff(indptr)  # (n,) pairs per window
    pair_window = np.repeat(np.arange(n, dtype=np.int32), sizes)  # (P,) the window of each pair
    h = np.take(center_vectors, centers, axis=0)  # (n, d)  v_c
    h_pairs = np.take(h, pair_window, axis=0)  # (P, d)
    u_out = np.take(outside_vectors, context_words, axis=0)  # (P, d)  u_o
    pos = np.einsum("pd,pd->p", h_pairs, u_out)  # (P,)  u_oᵀv_c
    shared = SharedNegatives(h, negatives, outside_vectors)
    # A window's negative score does not depend on its outside word: weight it by the number of
    # pairs that use it (its size, less the pairs whose outside word is that negative).
    clash = context_words[:, None] == shared.window_negatives(pair_window)  # (P, M)
    uses = np.zeros((n, shared.M), dtype=np.float32)  # (n, M)
    p, m = np.nonzero(clash)
    np.add.at(uses, (pair_window[p], m), -1.0)
    uses += sizes[:, None]
    weights = shared.weights(uses * neg_weight)  # (G, g, M)
    loss = _softplus_sum(-pos) + shared.loss(weights) if want_loss else None
    g_pos = sigmoid_(pos)  # (P,)
    g_pos -= 1.0  # ∂J/∂(u_oᵀv_c) = σ − 1
    g_pos *= -lr
    step_h, step_neg = shared.step(weights, lr)
    step_h += segment_sum(u_out, indptr, g_pos)  # (n, d)  Σ_o g_o u_o per window
    # u_o += g_o · v_c for every pair: rows of [h; step_neg] picked and weighted inside the scatter
    GM = step_neg.shape[0]
    scatter_add_rows(outside_vectors, np.concatenate([context_words, negatives.ravel()]), np.concatenate([h, step_neg]),
                     source=np.concatenate([pair_window, n + np.arange(GM, dtype=np.int32)]),
                     weights=np.concatenate([g_pos, np.ones(GM, dtype=g_pos.dtype)]))
    scatter_add_rows(center_vectors, centers, step_h)
    return loss


def cbow_step(center_vectors, outside_vectors, centers, context_words, indptr, negatives, lr, neg_weight, mean=True,
              want_loss=False):
    """One minibatch of CBOW windows: v̂ of each window's context words predicts its center.

    Arguments as in `skipgram_step`. mean=True: v̂ is the mean of the context vectors and every
    context word receives the whole update of v̂ (word2vec's and gensim's default rule);
    mean=False: v̂ is their sum, as in the handout, and each context word receives exactly the
    gradient ∂J/∂v̂. Returns Σ_windows [−log σ(u_cᵀv̂) − K/M Σ_{m≠c} log σ(−u_mᵀv̂)] if asked.
    """
    n = centers.shape[0]
    sizes = np.diff(indptr)  # (n,)
    h = gather_sum(center_vectors, context_words, indptr)  # (n, d)  Σ of each window's context vectors
    if mean:
        h /= sizes[:, None].astype(h.dtype)
    u_out = np.take(outside_vectors, centers, axis=0)  # (n, d)  u_c
    pos = np.einsum("nd,nd->n", h, u_out)  # (n,)
    shared = SharedNegatives(h, negatives, outside_vectors)
    uses = centers[:, None] != shared.window_negatives(np.arange(n))  # (n, M)
    weights = shared.weights(uses * neg_weight)  # (G, g, M)
    loss = _softplus_sum(-pos) + shared.loss(weights) if want_loss else None
    g_pos = sigmoid_(pos)  # (n,)
    g_pos -= 1.0
    g_pos *= -lr
    step_h, step_neg = shared.step(weights, lr)
    step_h += u_out * g_pos[:, None]  # (n, d)
    step_out = h * g_pos[:, None]  # (n, d)
    scatter_add_rows(outside_vectors, np.concatenate([centers, negatives.ravel()]),
                     np.concatenate([step_out, step_neg]))
    pair_window = np.repeat(np.arange(n, dtype=np.int32), sizes)  # (P,)
    # every context word gets its window's step
    scatter_add_rows(center_vectors, context_words, step_h, source=pair_window)
    return loss
