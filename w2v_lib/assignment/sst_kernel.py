"""The assignment's SGD step on the SST, compiled: the same loss and update as the NumPy step.

Per pair (c, o) with its K negatives k (the handout's (6)), J = −log σ(u_oᵀv_c) − Σ_k log σ(−u_kᵀv_c);
a step's loss is the mean over its B windows of the sum over their pairs, and the step applies
the whole batch's gradient once, computed from the parameters before the step:
    v_c ← v_c − step · ∂J/∂v_c,   u_w ← u_w − step · ∂J/∂u_w   (repeats accumulate)
which is what `batch_loss_and_gradient` followed by sgd's `x -= step * grad` does. The NumPy
version needs about 25 array calls per step, each costing microseconds of overhead on arrays of a
few thousand numbers; here the step is loops over those numbers, so its cost is its arithmetic.
σ and log σ come from an interpolated table (`sigmoid_table`: the exponential was a fifth of a
step), within SIGMOID_ERROR and SOFTPLUS_ERROR of exact; EXACT computes them with exp and log.

Parameters are stacked as the course stacks them: `params` (2|Vocab|, d) float32 = [center_vectors;
outside_vectors], so the outside vector u_w is row n_words + w.
"""
from __future__ import annotations

import math

import numpy as np

from ..compiled import FAST, GOLDEN, LOW32, S32, below, mix, next_random, njit, packed_alias_draw

# σ(−t) and log(1 + e^(−t)) for t = |s| in [0, TABLE_END), tabulated as the C word2vec tabulates σ, but
# interpolated linearly between entries TABLE_STEP apart; beyond TABLE_END both are computed exactly,
# so a large score still saturates σ and the loss still grows as |s| (what the divergence check reads).
TABLE_END = 8.0
TABLE_PER_UNIT = 128  # entries per unit of t: a power of two, so t · TABLE_PER_UNIT is exact in float32
TABLE_STEP = 1.0 / TABLE_PER_UNIT
# Linear interpolation errs by at most step²/8 · max|f''|: max |σ''| = 1/(6√3) and max softplus'' = 1/4;
# the float32 entries and arithmetic add a few units of 2⁻²⁴ on values below 1 (tests check both bounds).
SIGMOID_ERROR = TABLE_STEP ** 2 / 8 / (6 * 3 ** 0.5) + 4e-7  # on σ(−s) (and on the gradient's σ factors)
SOFTPLUS_ERROR = TABLE_STEP ** 2 / 8 / 4 + 4e-7  # on each term −log σ(s) of the loss


def sigmoid_table() -> np.ndarray:
    """(n, 4) float32: row i holds σ(−tᵢ), its rise to row i + 1, log(1 + e^(−tᵢ)) and its rise,
    tᵢ = i · TABLE_STEP for t in [0, TABLE_END) (one 16-byte row per look-up)."""
    n = int(TABLE_END * TABLE_PER_UNIT)
    t = np.arange(n + 1) * TABLE_STEP  # (n + 1,) float64
    sig = 1.0 / (1.0 + np.exp(t))  # σ(−t)
    soft = np.log1p(np.exp(-t))  # log(1 + e^(−t))
    return np.stack([sig[:-1], np.diff(sig), soft[:-1], np.diff(soft)], axis=1).astype(np.float32)  # (n, 4)


EXACT = np.zeros((0, 4), dtype=np.float32)  # no table: σ and the loss from exp and log (the old kernel)


@njit(fastmath=FAST)
def step_pairs(params, n_words, pair_centers, pair_words, n_pairs, n_windows, step, coef, grad_center, table):
    """One SGD step on `n_pairs` pairs; updates `params` in place and returns the mean loss per window.

    pair_centers (≥ n_pairs,) the c of each pair; pair_words (≥ n_pairs, 1+K) its o then its K
    negatives; coef (≥ n_pairs, 1+K) and grad_center (≥ n_pairs, d) float32 scratch space; table
    `sigmoid_table()`, or EXACT: exp on every term (the kernel as it was before the table).
    """
    d = params.shape[1]
    n_cols = pair_words.shape[1]
    # Four passes, each a loop with no chain from one term to the next, so the CPU overlaps the
    # terms' memory reads and arithmetic (one pass per pair, as the formulas read, took 1.3x as long).
    for p in range(n_pairs):  # 1. every score u_wᵀv_c (reads only)
        c = pair_centers[p]
        for j in range(n_cols):
            row = n_words + pair_words[p, j]
            score = np.float32(0.0)
            for q in range(d):
                score += params[row, q] * params[c, q]
            coef[p, j] = score
    loss = _loss_and_coefficients(coef, n_pairs, n_cols, np.float32(1.0 / n_windows), table)
    for p in range(n_pairs):  # 3. ∂J/∂v_c from the outside rows before the step
        for q in range(d):
            grad_center[p, q] = 0.0
        for j in range(n_cols):
            row = n_words + pair_words[p, j]
            g = coef[p, j]
            for q in range(d):
                grad_center[p, q] += g * params[row, q]
    # 4. the outside rows first: they read the centre rows, which must still be the old ones
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
    return loss / n_windows


@njit(fastmath=FAST, inline="always")
def _loss_and_coefficients(coef, n_pairs, n_cols, inv_b, table):
    """2. Turns each score in coef (pairs, 1+K) into ∂J/∂(u_wᵀv_c) / B in place; returns Σ J over the pairs."""
    tabulated = table.shape[0] > 0
    total = 0.0
    for p in range(n_pairs):
        # −log σ(s) = −min(s, 0) + log(1 + e^(−|s|)): the last from the table, or (exactly) as the log of
        # a product of 1 + K numbers in (1, 2], one log per pair
        product = 1.0
        tabulated_part = np.float32(0.0)
        negative_part = 0.0  # Σ_j min(s_j, 0)
        for j in range(n_cols):
            s = coef[p, j] if j == 0 else -coef[p, j]  # every term is −log σ(s)
            a = abs(s)
            if tabulated and a < TABLE_END:
                u = a * np.float32(TABLE_PER_UNIT)
                i = int(u)
                f = u - np.float32(i)
                sig = table[i, 0] + f * table[i, 1]  # σ(−|s|)
                sig_minus_s = sig if s >= 0 else np.float32(1.0) - sig
                tabulated_part += table[i, 2] + f * table[i, 3]
            else:  # beyond the table σ is exact: large scores saturate, the loss grows as |s|, NaN stays NaN
                e = math.exp(-a)
                one_plus_e = np.float32(1.0) + e
                product *= one_plus_e
                sig_minus_s = (e if s >= 0 else np.float32(1.0)) / one_plus_e
            negative_part += min(s, np.float32(0.0))
            g = sig_minus_s * inv_b  # σ(−s)/B: σ(u_kᵀv_c)/B for a negative ...
            coef[p, j] = -g if j == 0 else g  # ... and (σ(u_oᵀv_c) − 1)/B = −σ(−s_o)/B for the outside word
        total += tabulated_part + (math.log(product) if product != 1.0 else 0.0) - negative_part
    return total


@njit
def draw_step(tokens, starts, lengths, alias_table, batch_size, window, k, state, pair_centers, pair_words):
    """One step's windows and negatives, as the course draws them; returns (pairs, new state).

    alias_table: `packed_alias_table` of the noise distribution (unigram^0.75).

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
            pair_words[p, j] = packed_alias_draw(bits >> S32, alias_table)
            if j < k:
                pair_words[p, j + 1] = packed_alias_draw(bits & LOW32, alias_table)
    state = counter
    for p in range(n_pairs):
        outside = pair_words[p, 0]
        for j in range(1, k + 1):
            while pair_words[p, j] == outside:
                state, bits = next_random(state)
                pair_words[p, j] = packed_alias_draw(bits >> S32, alias_table)
    return n_pairs, state


@njit(nogil=True)
def draw_steps(tokens, starts, lengths, alias_table, batch_size, window, k, state, pair_centers, pair_words,
               n_pairs):
    """The draws of len(n_pairs) steps: step t's pairs go to pair_centers[t], pair_words[t] (each room
    for batch_size·2·window pairs), their number to n_pairs[t]. Returns the new state.

    The draws never depend on the parameters, so a block of steps can be drawn (on another thread)
    while the previous block trains."""
    for t in range(n_pairs.shape[0]):
        n_pairs[t], state = draw_step(tokens, starts, lengths, alias_table, batch_size, window, k, state,
                                      pair_centers[t], pair_words[t])
    return state


@njit(nogil=True)
def apply_steps(params, n_words, pair_centers, pair_words, n_pairs, batch_size, step, losses, table):
    """The SGD steps of a drawn block, in order; losses (len(n_pairs),) receives each step's loss;
    table: `sigmoid_table()` or EXACT (see step_pairs)."""
    most, n_cols = pair_words.shape[1], pair_words.shape[2]
    coef = np.empty((most, n_cols), dtype=np.float32)
    grad_center = np.empty((most, params.shape[1]), dtype=np.float32)
    for t in range(n_pairs.shape[0]):
        losses[t] = step_pairs(params, n_words, pair_centers[t], pair_words[t], n_pairs[t], batch_size, step,
                               coef, grad_center, table)


@njit
def moving_average(losses, start, out):
    """The course's printed loss: ema ← 0.95·ema + 0.05·loss, starting from `start` (NaN: the first loss)."""
    ema = start
    for t in range(losses.shape[0]):
        ema = losses[t] if math.isnan(ema) else 0.95 * ema + 0.05 * losses[t]
        out[t] = ema
    return ema


def step_batch(params, batch, n_words: int, step: float, table=EXACT) -> float:
    """Apply one step to `params` (2|Vocab|, d) float32 in place for a drawn `WindowBatch`; its loss.

    The compiled twin of `batch_loss_and_gradient` + `x -= step * grad`, for tests and timing;
    table: EXACT (exp on every term) or `sigmoid_table()` (what the run uses).
    """
    if params.dtype != np.float32 or not params.flags.c_contiguous:
        raise ValueError(f"params must be a C-contiguous float32 array; got {params.dtype}")
    centers = np.ascontiguousarray(batch.pair_centers, dtype=np.int32)  # (P,)
    words = np.ascontiguousarray(batch.pair_words, dtype=np.int32)  # (P, 1+K)
    coef = np.empty(words.shape, dtype=np.float32)  # (P, 1+K)
    grad_center = np.empty((words.shape[0], params.shape[1]), dtype=np.float32)  # (P, d)
    return step_pairs(params, n_words, centers, words, words.shape[0], batch.centers.shape[0], float(step),
                      coef, grad_center, table)
