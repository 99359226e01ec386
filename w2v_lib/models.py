"""Skip-gram and CBOW: the loss of one window as a sum of per-pair terms F, with gradients."""
from __future__ import annotations

import numpy as np

from ._checks import as_index, as_indices, as_matrix


def _check_tables(center_vectors, outside_vectors):
    center_vectors = as_matrix(center_vectors, "center_vectors")
    outside_vectors = as_matrix(outside_vectors, "outside_vectors")
    if center_vectors.shape != outside_vectors.shape:  # either may be the wrong one, so name both
        raise ValueError(
            f"center_vectors and outside_vectors must have the same shape (|Vocab|, d), one word per row; "
            f"got center_vectors {center_vectors.shape} and outside_vectors {outside_vectors.shape} "
            "(pass the handout's U transposed)")
    return center_vectors, outside_vectors


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
        center_vectors: the v_w as rows, (|Vocab|, d).
        outside_vectors: the u_w as rows (the handout's Uᵀ), (|Vocab|, d).
        loss_and_gradient: F, called as F(center_vec, outside_idx, outside_vectors) once per
            outside word, in order; it returns (loss, grad_center_vec (d,), grad_outside (|Vocab|, d)).

    Returns:
        (loss, grad_center_vectors (|Vocab|, d), grad_outside_vectors (|Vocab|, d)).
    # BEGIN INSTRUCTOR NOTE
    Only row c of the center gradient is non-zero: no other v_w enters the loss.
    # END INSTRUCTOR NOTE
    """
    ### BEGIN SOLUTION
    center_vectors, outside_vectors = _check_tables(center_vectors, outside_vectors)
    n_words, d = center_vectors.shape
    c = as_index(center_idx, "center_idx", n_words)
    outs = as_indices(outside_idxs, "outside_idxs", n_words)

    loss = 0.0
    grad_center_vectors = np.zeros_like(center_vectors)  # (|Vocab|, d)
    grad_outside_vectors = np.zeros_like(outside_vectors)  # (|Vocab|, d)
    for o in outs:
        pair = loss_and_gradient(center_vectors[c], int(o), outside_vectors)
        pair_loss, g_center, g_outside = _check_pair_result(pair, d, outside_vectors.shape)
        loss += pair_loss
        grad_center_vectors[c] += g_center
        grad_outside_vectors += g_outside
    return float(loss), grad_center_vectors, grad_outside_vectors
    ### END SOLUTION


def cbow(center_idx, context_idxs, center_vectors, outside_vectors, loss_and_gradient):
    """J_CBOW = F(w_c, v̂) with v̂ = Σ_j v_{c+j}, the sum of the context words' vectors.

    The roles swap with skip-gram: the context words are the "input" (their v vectors are
    summed, a word that occurs twice twice) and the center word is the one predicted (through
    its u vector).

    Returns:
        (loss, grad_center_vectors (|Vocab|, d), grad_outside_vectors (|Vocab|, d)).
    # BEGIN INSTRUCTOR NOTE
    Row w of grad_center_vectors is (number of times w is in the context) · ∂F/∂v̂.
    # END INSTRUCTOR NOTE
    """
    ### BEGIN SOLUTION
    center_vectors, outside_vectors = _check_tables(center_vectors, outside_vectors)
    n_words, d = center_vectors.shape
    c = as_index(center_idx, "center_idx", n_words)
    ctx = as_indices(context_idxs, "context_idxs", n_words, allow_empty=False)

    v_hat = center_vectors[ctx].sum(axis=0)  # (d,)
    pair = loss_and_gradient(v_hat, c, outside_vectors)
    loss, g_v_hat, grad_outside_vectors = _check_pair_result(pair, d, outside_vectors.shape)
    grad_center_vectors = np.zeros_like(center_vectors)  # (|Vocab|, d)
    np.add.at(grad_center_vectors, ctx, g_v_hat)  # repeats accumulate
    return loss, grad_center_vectors, np.asarray(grad_outside_vectors)
    ### END SOLUTION


def _check_window_result(result, table_shape: tuple):
    """Unpack a model's (loss, grad_center_vectors, grad_outside_vectors), checking what it returned.

    A (d,) gradient would broadcast silently into every row of the (|Vocab|, d) table: refuse it.
    """
    if not isinstance(result, tuple) or len(result) != 3:
        raise ValueError("the model must return (loss, grad_center_vectors, grad_outside_vectors); "
                         f"got {type(result).__name__}")
    loss, g_center, g_outside = result
    for name, grad in (("grad_center_vectors", g_center), ("grad_outside_vectors", g_outside)):
        if np.shape(grad) != table_shape:
            raise ValueError(f"the model returned {name} of shape {np.shape(grad)}; expected {table_shape}, "
                             "one row per word of the vocabulary")
    return float(loss), g_center, g_outside


def window_batch_loss_and_gradient(model, params, windows, loss_and_gradient):
    """The course's SGD wrapper: the mean loss of a batch of windows, on stacked parameters.

    Args:
        model: `skipgram` or `cbow` (or a function with their signature).
        params: the training parameters (2|Vocab|, d) = [center_vectors; outside_vectors].
        windows: [(center_idx, outside_idxs)], one pair per window.
        loss_and_gradient: F for every window, or a list of one F per window (e.g. each bound to
            its own pre-drawn negatives).

    Returns:
        (loss, grad (2|Vocab|, d)): the mean over the windows of the model's loss, and its gradient
        [∂J/∂center_vectors; ∂J/∂outside_vectors].
    """
    params = as_matrix(params, "params")
    if params.shape[0] % 2:
        raise ValueError(f"params must stack [center_vectors; outside_vectors], an even number of rows; "
                         f"got shape {params.shape}")
    n_words = params.shape[0] // 2
    center_vectors, outside_vectors = params[:n_words], params[n_words:]  # (|Vocab|, d) each
    per_window = loss_and_gradient if isinstance(loss_and_gradient, (list, tuple)) else None
    if per_window is not None and len(per_window) != len(windows):
        raise ValueError(f"loss_and_gradient holds {len(per_window)} functions for {len(windows)} windows: "
                         "pass one per window, or a single one for all")
    batch = len(windows)
    loss, grad = 0.0, np.zeros_like(params)  # (2|Vocab|, d)
    for i, (center_idx, outside_idxs) in enumerate(windows):
        f = per_window[i] if per_window is not None else loss_and_gradient
        w_loss, g_center, g_outside = _check_window_result(
            model(center_idx, outside_idxs, center_vectors, outside_vectors, f), center_vectors.shape)
        loss += w_loss / batch
        grad[:n_words] += g_center / batch
        grad[n_words:] += g_outside / batch
    return loss, grad
