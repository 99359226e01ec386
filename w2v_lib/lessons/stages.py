"""The slower stages on the way to the fast trainer, kept so notebook 07 can time each one.

Only notebook 07 and its tests import this module (the trainer never does), so a release of the
graded notebooks can leave it out. All take the same skip-gram work: pairs (centers[i] → outsides[i])
with their own K negatives negatives[i] (unless noted), a learning rate, and the tables
center_vectors (the v_w) and outside_vectors (the u_w), updated in place. The per-pair stages
update after every pair, as word2vec does; the minibatch stages compute a batch's gradient from
the same parameters and add it at once.
"""
from __future__ import annotations

import numpy as np

from ..fast.kernels import scatter_add_rows, sigmoid_


def per_pair_dense(loss_and_gradient, center_vectors, outside_vectors, centers, outsides, negatives, lr):
    """Stage 0: the course's loss function per pair, whose gradient is a dense (|Vocab|, d) array.

    `loss_and_gradient(center_vec, outside_idx, outside_vectors, neg_indices)` returns
    (loss, (d,) gradient for v_c, (|Vocab|, d) gradient for the outside vectors): notebook 04's
    `neg_sampling_loss_and_gradient`, passed in (notebook 07 passes the student's own).
    """
    for c, o, neg in zip(centers, outsides, negatives):
        _, g_center, g_outside = loss_and_gradient(center_vectors[c], o, outside_vectors, neg)
        center_vectors[c] -= lr * g_center
        outside_vectors -= lr * g_outside  # touches all |Vocab| rows to change K + 1 of them


def per_pair_rows(center_vectors, outside_vectors, centers, outsides, negatives, lr):
    """Stage 1: the same update per pair, but only on the K + 1 rows that it changes."""
    for c, o, neg in zip(centers, outsides, negatives):
        words = np.concatenate([[o], neg])  # (K+1,)
        u = outside_vectors[words]  # (K+1, d)
        g = sigmoid_(u @ center_vectors[c])  # (K+1,)  σ(u_wᵀv_c)
        g[0] -= 1.0  # the observed word's label is 1
        g_center = g @ u  # (d,)
        # (K+1, d): a repeated negative counts twice
        np.add.at(outside_vectors, words, -lr * np.outer(g, center_vectors[c]))
        center_vectors[c] -= lr * g_center


def minibatch_own_negatives(center_vectors, outside_vectors, centers, outsides, negatives, lr, scatter="sparse"):
    """Stages 2 and 3: one step for a whole batch, each pair with its own K negatives.

    scatter="add.at" adds the rows with np.add.at, "sparse" with `scatter_add_rows`.
    """
    h = center_vectors[centers]  # (B, d)  v_c
    words = np.concatenate([outsides[:, None], negatives], axis=1)  # (B, K+1)
    u = outside_vectors[words]  # (B, K+1, d)
    g = sigmoid_(np.einsum("bkd,bd->bk", u, h))  # (B, K+1)
    g[:, 0] -= 1.0
    g *= -lr
    step_h = np.einsum("bk,bkd->bd", g, u)  # (B, d)
    step_u = (g[:, :, None] * h[:, None, :]).reshape(-1, h.shape[1])  # (B·(K+1), d)
    if scatter == "add.at":
        np.add.at(outside_vectors, words.ravel(), step_u)
        np.add.at(center_vectors, centers, step_h)
    elif scatter == "sparse":
        scatter_add_rows(outside_vectors, words.ravel(), step_u)
        scatter_add_rows(center_vectors, centers, step_h)
    else:
        raise ValueError(f"scatter must be 'add.at' or 'sparse'; got {scatter!r}")
