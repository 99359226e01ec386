"""Skip-gram and CBOW: the loss of one window as a sum of per-pair terms F, with gradients."""
from __future__ import annotations

import numpy as np

from ._checks import as_index, as_indices, as_matrix


def _check_tables(center_vectors, outside_vectors):
    V = as_matrix(center_vectors, "center_vectors")
    U = as_matrix(outside_vectors, "outside_vectors")
    if V.shape != U.shape:  # either may be the wrong one, so name both
        raise ValueError(
            f"center_vectors and outside_vectors must have the same shape (|V|, d), one word per row; "
            f"got center_vectors {V.shape} and outside_vectors {U.shape} (pass the handout's U transposed)")
    return V, U


def _check_pair_result(result, d: int, vocab_shape: tuple):
    """Unpack F's (loss, grad_center_vec, grad_outside_vectors), checking the shapes F returned."""
    if not isinstance(result, tuple) or len(result) != 3:
        raise ValueError("loss_and_gradient must return (loss, grad_center_vec, grad_outside_vectors)")
    loss, g_center, g_outside = result
    if np.shape(g_center) != (d,) or np.shape(g_outside) != vocab_shape:
        raise ValueError(
            f"loss_and_gradient returned gradients of shapes {np.shape(g_center)} and {np.shape(g_outside)}; "
            f"expected ({d},) for the center vector and {vocab_shape} for outside_vectors")
    return float(loss), g_center, g_outside


def skipgram(center_idx, outside_idxs, center_vectors, outside_vectors, loss_and_gradient):
    """J_skip-gram = Σ_j F(w_{c+j}, v_c): one F term per outside word of the window.

    Args:
        center_idx: c, the center word's index.
        outside_idxs: the window's outside words, 1-D (a word may occur more than once).
        center_vectors: the v_w as rows, (|V|, d).
        outside_vectors: the u_w as rows (the handout's Uᵀ), (|V|, d).
        loss_and_gradient: F, called as F(center_vec, outside_idx, outside_vectors) once per
            outside word, in order; it returns (loss, grad_center_vec (d,), grad_outside (|V|, d)).

    Returns:
        (loss, grad_center_vectors (|V|, d), grad_outside_vectors (|V|, d)). Only row c of the
        center gradient is non-zero: no other v_w enters the loss.
    """
    V, U = _check_tables(center_vectors, outside_vectors)
    c = as_index(center_idx, "center_idx", V.shape[0])
    outs = as_indices(outside_idxs, "outside_idxs", V.shape[0])

    loss = 0.0
    grad_center_vectors = np.zeros_like(V)  # (|V|, d)
    grad_outside_vectors = np.zeros_like(U)  # (|V|, d)
    for o in outs:
        pair = loss_and_gradient(V[c], int(o), U)
        pair_loss, g_center, g_outside = _check_pair_result(pair, V.shape[1], U.shape)
        loss += pair_loss
        grad_center_vectors[c] += g_center
        grad_outside_vectors += g_outside
    return float(loss), grad_center_vectors, grad_outside_vectors


def cbow(center_idx, context_idxs, center_vectors, outside_vectors, loss_and_gradient):
    """J_CBOW = F(w_c, v̂) with v̂ = Σ_j v_{c+j}, the sum of the context words' vectors.

    The roles swap with skip-gram: the context words are the "input" (their v vectors are
    summed) and the center word is the one predicted (through its u vector). A context word
    that occurs twice is summed twice, so it also receives ∂F/∂v̂ twice.

    Returns:
        (loss, grad_center_vectors (|V|, d), grad_outside_vectors (|V|, d)); row w of the first
        is (number of times w is in the context) · ∂F/∂v̂.
    """
    V, U = _check_tables(center_vectors, outside_vectors)
    c = as_index(center_idx, "center_idx", V.shape[0])
    ctx = as_indices(context_idxs, "context_idxs", V.shape[0], allow_empty=False)

    v_hat = V[ctx].sum(axis=0)  # (d,)
    pair = loss_and_gradient(v_hat, c, U)
    loss, g_v_hat, grad_outside_vectors = _check_pair_result(pair, V.shape[1], U.shape)
    grad_center_vectors = np.zeros_like(V)  # (|V|, d)
    np.add.at(grad_center_vectors, ctx, g_v_hat)  # repeats accumulate
    return loss, grad_center_vectors, np.asarray(grad_outside_vectors)
