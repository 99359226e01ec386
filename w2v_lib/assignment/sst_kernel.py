"""The assignment's SGD step on the SST, compiled: the same loss and update as the NumPy step.

Per pair (c, o) with its K negatives k (the handout's (6)), J = −log σ(u_oᵀv_c) − Σ_k log σ(−u_kᵀv_c);
a step's loss is the mean over its B windows of the sum over their pairs, and the step applies
the whole batch's gradient once, computed from the parameters before the step:
    v_c ← v_c − step · ∂J/∂v_c,   u_w ← u_w − step · ∂J/∂u_w   (repeats accumulate)
which is what `batch_loss_and_gradient` followed by sgd's `x -= step * grad` does. The NumPy
version needs about 25 array calls per step, each costing microseconds of overhead on arrays of a
few thousand numbers; here the step is loops over those numbers, so its cost is its arithmetic.

Parameters are stacked as the course stacks them: `params` (2|V|, d) float32 = [center_vectors;
outside_vectors], so the outside vector u_w is row n_words + w.
"""
from __future__ import annotations

import math

import numpy as np

from ..compiled import FAST, GOLDEN, LOW32, S32, alias_draw, below, mix, next_random, njit


@njit(fastmath=FAST)
def step_pairs(params, n_words, pair_centers, pair_words, n_pairs, n_windows, step, coef, grad_center):
    """One SGD step on `n_pairs` pairs; updates `params` in place and returns the mean loss per window.

    pair_centers (≥ n_pairs,) the c of each pair; pair_words (≥ n_pairs, 1+K) its o then its K
    negatives; coef (≥ n_pairs, 1+K) and grad_center (≥ n_pairs, d) float32 scratch space.
    """
    d = params.shape[1]
    n_cols = pair_words.shape[1]
    inv_b = np.float32(1.0 / n_windows)
    total = 0.0
    for p in range(n_pairs):
        c = pair_centers[p]
        for q in range(d):
            grad_center[p, q] = 0.0
        # Σ_j log(1 + e^(−|s_j|)) is the log of a product of 1 + K numbers in (1, 2]: one log per pair
        product = 1.0
        negative_part = 0.0  # Σ_j min(s_j, 0)
        for j in range(n_cols):
            row = n_words + pair_words[p, j]
            score = np.float32(0.0)
            for q in range(d):
                score += params[row, q] * params[c, q]
            signed_score = score if j == 0 else -score  # s_j, ±u_wᵀv_c: every term is −log σ(s_j)
            e = math.exp(-abs(signed_score))
            one_plus_e = np.float32(1.0) + e
            product *= one_plus_e
            negative_part += min(signed_score, np.float32(0.0))
            sig_minus_signed = (e if signed_score >= 0 else np.float32(1.0)) / one_plus_e  # σ(−s_j)
            g = sig_minus_signed * inv_b  # ∂J/∂(u_wᵀv_c) / B: σ(u_kᵀv_c) for a negative ...
            if j == 0:
                g = -g  # ... and σ(u_oᵀv_c) − 1 = −σ(−s_o) for the outside word
            coef[p, j] = g
            for q in range(d):
                grad_center[p, q] += g * params[row, q]
        total += negative_part - math.log(product)
    # the outside rows first: they read the centre rows, which must still be the old ones
    for p in range(n_pairs):
        c = pair_centers[p]
        for j in range(n_cols):
            row = n_words + pair_words[p, j]
            g = np.float32(step * coef[p, j])
            for q in range(d):
                params[row, q] -= g * params[c, q]
    for p in range(n_pairs):
        c = pair_centers[p]
        for q in range(d):
            params[c, q] -= np.float32(step) * grad_center[p, q]
    return -total / n_windows


@njit
def draw_step(tokens, starts, lengths, threshold, alias, batch_size, window, k, state, pair_centers, pair_words):
    """One step's windows and negatives, as the course draws them; returns (pairs, new state).

    Each window: a size uniform in 1..window, then a sentence and a position uniform in it; the
    context is the words within that size, in the sentence, that differ from the centre word; a
    window left empty is drawn again (same size). Each pair gets k negatives ≠ its outside word.
    """
    n_sentences = starts.shape[0]
    n_pairs = 0
    for _ in range(batch_size):
        state, bits = next_random(state)
        size = 1 + below(bits, window)
        found = 0
        while found == 0:
            state, bits = next_random(state)
            s = below(bits, n_sentences)
            state, bits = next_random(state)
            pos = below(bits, lengths[s])
            first = starts[s]
            center = tokens[first + pos]
            for q in range(max(0, pos - size), min(lengths[s], pos + size + 1)):
                word = tokens[first + q]
                if q != pos and word != center:
                    pair_centers[n_pairs + found] = center
                    pair_words[n_pairs + found, 0] = word
                    found += 1
        n_pairs += found
    # The negatives: first every draw, with no branch, so the CPU overlaps the table lookups (the
    # counter-based stream gives draw i from state + i·GOLDEN); then the rare draws equal to their
    # pair's outside word are drawn again, which leaves each negative distributed as the course's.
    counter = state
    for p in range(n_pairs):
        for j in range(1, k + 1, 2):  # two draws per 64 random bits
            counter += GOLDEN
            bits = mix(counter)
            pair_words[p, j] = alias_draw(bits >> S32, threshold, alias)
            if j < k:
                pair_words[p, j + 1] = alias_draw(bits & LOW32, threshold, alias)
    state = counter
    for p in range(n_pairs):
        outside = pair_words[p, 0]
        for j in range(1, k + 1):
            while pair_words[p, j] == outside:
                state, bits = next_random(state)
                pair_words[p, j] = alias_draw(bits >> S32, threshold, alias)
    return n_pairs, state


@njit(nogil=True)
def draw_steps(tokens, starts, lengths, threshold, alias, batch_size, window, k, state, pair_centers, pair_words,
               n_pairs):
    """The draws of len(n_pairs) steps: step t's pairs go to pair_centers[t], pair_words[t] (each room
    for batch_size·2·window pairs), their number to n_pairs[t]. Returns the new state.

    The draws never depend on the parameters, so a block of steps can be drawn (on another thread)
    while the previous block trains."""
    for t in range(n_pairs.shape[0]):
        n_pairs[t], state = draw_step(tokens, starts, lengths, threshold, alias, batch_size, window, k, state,
                                      pair_centers[t], pair_words[t])
    return state


@njit(nogil=True)
def apply_steps(params, n_words, pair_centers, pair_words, n_pairs, batch_size, step, losses):
    """The SGD steps of a drawn block, in order; losses (len(n_pairs),) receives each step's loss."""
    most, n_cols = pair_words.shape[1], pair_words.shape[2]
    coef = np.empty((most, n_cols), dtype=np.float32)
    grad_center = np.empty((most, params.shape[1]), dtype=np.float32)
    for t in range(n_pairs.shape[0]):
        losses[t] = step_pairs(params, n_words, pair_centers[t], pair_words[t], n_pairs[t], batch_size, step,
                               coef, grad_center)


@njit
def moving_average(losses, start, out):
    """The course's printed loss: ema ← 0.95·ema + 0.05·loss, starting from `start` (NaN: the first loss)."""
    ema = start
    for t in range(losses.shape[0]):
        ema = losses[t] if math.isnan(ema) else 0.95 * ema + 0.05 * losses[t]
        out[t] = ema
    return ema


def step_batch(params, batch, n_words: int, step: float) -> float:
    """Apply one step to `params` (2|V|, d) float32 in place for a drawn `WindowBatch`; its loss.

    The compiled twin of `batch_loss_and_gradient` + `x -= step * grad`, for tests and timing.
    """
    if params.dtype != np.float32 or not params.flags.c_contiguous:
        raise ValueError(f"params must be a C-contiguous float32 array; got {params.dtype}")
    centers = np.ascontiguousarray(batch.pair_centers, dtype=np.int32)  # (P,)
    words = np.ascontiguousarray(batch.pair_words, dtype=np.int32)  # (P, 1+K)
    coef = np.empty(words.shape, dtype=np.float32)  # (P, 1+K)
    grad_center = np.empty((words.shape[0], params.shape[1]), dtype=np.float32)  # (P, d)
    return step_pairs(params, n_words, centers, words, words.shape[0], batch.centers.shape[0], float(step),
                      coef, grad_center)
