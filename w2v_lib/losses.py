"""The two word2vec losses for one (center, outside) pair, with their gradients.

Notation (the handout's): v_c is the center word's vector, u_w the outside vector of word w,
o the observed outside word. The handout stacks the u_w as the *columns* of U (d × |Vocab|); here
they are the *rows* of `outside_vectors` (|Vocab| × d), i.e. outside_vectors = Uᵀ.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_index, as_indices, as_matrix, as_vector
from .activations import softmax


def _check_center_and_table(center_vec, outside_vectors):
    """v_c (d,) and Uᵀ (|Vocab|, d); a mismatch names both, since either may be the wrong one."""
    outside_vectors = as_matrix(outside_vectors, "outside_vectors")
    v_c = as_vector(center_vec, "center_vec")
    if outside_vectors.shape[1] != v_c.shape[0]:
        raise ValueError(
            f"center_vec has length {v_c.shape[0]} but outside_vectors has shape {outside_vectors.shape}: "
            f"outside_vectors must be (|Vocab|, {v_c.shape[0]}), one word per row "
            "(the handout's U transposed), and center_vec must have length d")
    return v_c, outside_vectors


def naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors):
    """Cross-entropy of the full softmax, J = −log ŷ_o with ŷ = softmax(U ᵀv_c).

    Args:
        center_vec: v_c in the handout, shape (d,).
        outside_idx: o in the handout, an index into the rows of `outside_vectors`.
        outside_vectors: Uᵀ in the handout, shape (|Vocab|, d).

    Returns:
        (loss, grad_center_vec (d,), grad_outside_vectors (|Vocab|, d)): J, ∂J/∂v_c (notebook 01
        derives it) and ∂J/∂Uᵀ, whose row w is ∂J/∂u_w (notebook 02).
    # BEGIN INSTRUCTOR NOTE
    ∂J/∂v_c = U(ŷ − y), and ∂J/∂Uᵀ = (ŷ − y) v_cᵀ.
    # END INSTRUCTOR NOTE
    """
    ### BEGIN SOLUTION
    v_c, outside_vectors = _check_center_and_table(center_vec, outside_vectors)
    o = as_index(outside_idx, "outside_idx", outside_vectors.shape[0])

    scores = outside_vectors @ v_c  # (|Vocab|,)  u_wᵀ v_c for every w
    y_hat = softmax(scores)  # (|Vocab|,)
    # −log ŷ_o = logsumexp(scores) − scores[o]: exact even where ŷ_o underflows to 0.
    top = scores.max()
    with np.errstate(under="ignore"):  # terms far below the max flush to 0, as they should
        loss = float(top + np.log(np.exp(scores - top).sum()) - scores[o])

    delta = y_hat  # ŷ − y: "expected minus observed"
    delta[o] -= 1.0
    grad_center_vec = delta @ outside_vectors  # (d,)  = U(ŷ − y) in the handout's columns
    grad_outside_vectors = np.outer(delta, v_c)  # (|Vocab|, d)
    return loss, grad_center_vec, grad_outside_vectors
    ### END SOLUTION


def neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, neg_indices):
    """Negative-sampling loss J = −log σ(u_oᵀv_c) − Σ_k log σ(−u_kᵀv_c), with gradients.

    Args:
        center_vec: v_c, shape (d,).
        outside_idx: o, an index into the rows of `outside_vectors`.
        outside_vectors: Uᵀ, shape (|Vocab|, d).
        neg_indices: the K negative words w_1..w_K, a 1-D integer array. A word may occur
            several times (the sampler draws with replacement): each occurrence is its own
            term of J's sum.

    Returns:
        (loss, grad_center_vec (d,), grad_outside_vectors (|Vocab|, d)): J, ∂J/∂v_c and ∂J/∂Uᵀ, whose
        row w is ∂J/∂u_w (notebook 04 derives them).
    # BEGIN INSTRUCTOR NOTE
    ∂J/∂v_c = (σ(u_oᵀv_c) − 1) u_o + Σ_k σ(u_kᵀv_c) u_k,
    ∂J/∂u_o = (σ(u_oᵀv_c) − 1) v_c, ∂J/∂u_k = σ(u_kᵀv_c) v_c added once per occurrence, 0 elsewhere.
    # END INSTRUCTOR NOTE
    """
    ### BEGIN SOLUTION
    # scipy.special on first use: importing it takes a quarter of a second, which `import w2v_lib` (the
    # command line's training run included, which never calls this) would otherwise pay
    from scipy.special import expit, log_expit

    v_c, outside_vectors = _check_center_and_table(center_vec, outside_vectors)
    o = as_index(outside_idx, "outside_idx", outside_vectors.shape[0])
    neg = as_indices(neg_indices, "neg_indices", outside_vectors.shape[0])

    u_o = outside_vectors[o]  # (d,)
    u_neg = outside_vectors[neg]  # (K, d)
    z_o = u_o @ v_c  # scalar
    z_neg = u_neg @ v_c  # (K,)
    # scipy's σ, not the exercise's: this library must work in the student release too
    loss = float(-log_expit(z_o) - log_expit(-z_neg).sum())

    g_o = expit(z_o) - 1.0  # ∂J/∂z_o
    g_neg = expit(z_neg)  # (K,)  ∂J/∂z_k = 1 − σ(−z_k)
    grad_center_vec = g_o * u_o + g_neg @ u_neg  # (d,)
    grad_outside_vectors = np.zeros_like(outside_vectors, dtype=np.result_type(outside_vectors, v_c))  # (|Vocab|, d)
    grad_outside_vectors[o] += g_o * v_c
    # np.add.at, not fancy-index assignment: a repeated k must add its term every time.
    np.add.at(grad_outside_vectors, neg, np.outer(g_neg, v_c))  # (K, d) scattered
    return loss, grad_center_vec, grad_outside_vectors
    ### END SOLUTION
