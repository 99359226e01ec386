"""The fast trainer's compiled kernels: one call trains one chunk of the corpus, as word2vec's C loop does.

A chunk is a run of whole sentences (flat word ids plus each token's sentence id). The kernel
subsamples it, then walks it (in order, or its windows shuffled: see `shuffle`), one window per kept
token (a reduced window b drawn in 1..window, not crossing its sentence), and updates the tables at
once after every window, as word2vec does; there is no minibatch.

The negatives of a window are shared by its pairs (Ji et al., 2016): M words drawn for the
window, each weighted K/M for every pair whose outside word it is not, so the expected gradient
is word2vec's K negatives per pair. In skip-gram a negative's score u_mᵀv_c depends only on the
center, so a window of m pairs costs m + M row operations instead of word2vec's m·(1 + K).

The kernels release the GIL (nogil=True): with threads=2 two chunks train at once on the same
tables without locks (Hogwild!, as word2vec and gensim do).

Shapes: `center_vectors` holds the v_w, `outside_vectors` the u_w, both (|Vocab|, d) float32
C-contiguous, updated in place.
"""
from __future__ import annotations

import math

import numpy as np

from ..assignment.sst_kernel import TABLE_END, TABLE_PER_UNIT
from ..compiled import FAST, LOW32, S32, alias_draw, below, next_random, njit, prefetch_row, uniform

MAX_SCORE = 6.0  # word2vec.c's MAX_EXP: its per-pair update leaves out a score at or beyond ±6


@njit(nogil=True, fastmath=FAST)
def subsample_chunk_compiled(tokens, sentence_ids, keep_prob, state, kept, kept_sentence):
    """Compiled `batching.subsample_chunk`: keep token i with probability keep_prob[token]; the kept
    ones go to kept/kept_sentence.
    Returns (how many were kept, new state)."""
    count = 0
    for i in range(tokens.shape[0]):
        state, bits = next_random(state)
        if uniform(bits) < keep_prob[tokens[i]]:
            kept[count] = tokens[i]
            kept_sentence[count] = sentence_ids[i]
            count += 1
    return count, state


@njit(nogil=True)
def permute(items, state):
    """Shuffle `items` in place (Fisher-Yates); returns the new state."""
    for t in range(items.shape[0] - 1, 0, -1):
        state, bits = next_random(state)
        r = below(bits, t + 1)
        items[t], items[r] = items[r], items[t]
    return state


@njit(inline="always", fastmath=FAST)
def softplus(x):
    """log(1 + eˣ) without overflow, in float64 (the loss only)."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@njit(inline="always", fastmath=FAST)
def sigmoid_of_minus(s, table):
    """σ(−s), from the assignment's interpolated table (`sst_kernel.sigmoid_table`, within its
    SIGMOID_ERROR) for |s| < TABLE_END, else exactly (large scores saturate, NaN stays NaN); a table
    of no rows (`sst_kernel.EXACT`) computes every σ with exp, as the kernel did before the table."""
    a = abs(s)
    if table.shape[0] > 0 and a < TABLE_END:
        u = a * np.float32(TABLE_PER_UNIT)
        i = int(u)
        sig = table[i, 0] + (u - np.float32(i)) * table[i, 1]  # σ(−|s|)
        return sig if s >= 0 else np.float32(1.0) - sig
    return np.float32(1.0 / (1.0 + math.exp(s)))


@njit(inline="always", fastmath=FAST)
def train_row(table, row, h, g, step_h):
    """The pair (h, table[row]) with score coefficient g: step_h += g·table[row]; table[row] += g·h."""
    for q in range(h.shape[0]):
        u = table[row, q]
        step_h[q] += g * u
        table[row, q] = u + g * h[q]


@njit(inline="always", fastmath=FAST)
def score(table, row, h):
    s = np.float32(0.0)
    for q in range(h.shape[0]):
        s += table[row, q] * h[q]
    return s


@njit(nogil=True, fastmath=FAST)
def train_chunk(center_vectors, outside_vectors, tokens, sentence_ids, keep_prob, threshold, alias, cbow, window, k,
                m, cbow_mean, lr_start, lr_end, state, loss_every, table, per_pair=0, shuffle=0, prefetch=1):
    """Train skip-gram (cbow False) or CBOW on one chunk, the learning rate going linearly from
    lr_start to lr_end across it. Returns (kept tokens, loss sum, examples in the loss, row updates,
    new state): the loss is taken on one window in `loss_every` (it costs a log per score); a row
    update is one score and two d-long multiply-adds (6·d flops), what the arithmetic rate counts.

    table: σ's table, `sst_kernel.sigmoid_table()`, or `sst_kernel.EXACT` (exp for every score).
    prefetch: 1 asks for the next window's rows while this window trains (its reduced window is drawn
    one window ahead); 0 does not.
    per_pair (skip-gram only): 0, the window's pairs share m negatives and the centre's update is
    summed (HogBatch); 1, word2vec's own update: each pair (outside word o as input, center c
    predicted) draws its own k negatives and updates v_o at once; 2, as 1 but the pairs of a window
    use the same k negatives (their output rows stay in cache). Both skip a pair or negative whose
    score is beyond ±6, as word2vec.c and gensim do.
    shuffle: 0, the windows in the corpus's order; 1, in a random order (as the NumPy trainer's
    shuffled minibatches), so that one topic's words are not updated many times in a row; 2, whole
    sentences in a random order (a sentence's windows stay together, and so do the rows they read)."""
    n, d = tokens.shape[0], center_vectors.shape[1]
    kept = np.empty(n, dtype=np.int32)
    kept_sentence = np.empty(n, dtype=np.int32)
    count, state = subsample_chunk_compiled(tokens, sentence_ids, keep_prob, state, kept, kept_sentence)
    h = np.empty(d, dtype=np.float32)  # the input vector: v_c (skip-gram) or v̂ (CBOW)
    step_h = np.empty(d, dtype=np.float32)  # the window's accumulated update of h
    weight = np.float32(k / m)
    negs = np.empty(k, dtype=np.int64)  # a window's negatives (per_pair == 2)
    loss_sum, loss_n, rows = 0.0, 0, 0
    order = np.arange(count)  # the windows' order: the corpus's, or shuffled within the chunk
    if shuffle == 1:
        state = permute(order, state)
    elif shuffle == 2:  # whole sentences in a random order, each sentence's windows in its own order
        starts = np.empty(count + 1, dtype=np.int64)
        n_sent = 0
        for t in range(count):
            if t == 0 or kept_sentence[t] != kept_sentence[t - 1]:
                starts[n_sent] = t
                n_sent += 1
        starts[n_sent] = count
        sentences = np.arange(n_sent)
        state = permute(sentences, state)
        at = 0
        for t in range(n_sent):
            for pos in range(starts[sentences[t]], starts[sentences[t] + 1]):
                order[at] = pos
                at += 1
    # The table a window reads at its centre's row, and the one it reads at its context words' rows
    summed_skipgram = not cbow and per_pair == 0
    center_rows = center_vectors if summed_skipgram else outside_vectors
    context_rows = outside_vectors if summed_skipgram else center_vectors
    state, bits = next_random(state)
    next_reach = 1 + below(bits, window)
    for step in range(count):
        i = order[step]
        lr = np.float32(lr_start + (lr_end - lr_start) * (step / count))
        reach = next_reach
        state, bits = next_random(state)
        next_reach = 1 + below(bits, window)
        if prefetch and step + 1 < count:  # the next window's rows, while this one trains
            after = order[step + 1]
            prefetch_row(center_rows, kept[after])
            for j in range(max(0, after - next_reach), min(count, after + next_reach + 1)):
                if j != after and kept_sentence[j] == kept_sentence[after]:
                    prefetch_row(context_rows, kept[j])
        lo, hi = max(0, i - reach), min(count, i + reach + 1)
        center, sentence = kept[i], kept_sentence[i]
        pairs = 0
        for j in range(lo, hi):
            pairs += j != i and kept_sentence[j] == sentence
        if pairs == 0:
            continue
        track = i % loss_every == 0
        for q in range(d):
            step_h[q] = 0.0
        if cbow:  # v̂ = Σ (or mean) of the context vectors; one prediction: the center word
            for q in range(d):
                h[q] = 0.0
            for j in range(lo, hi):
                if j != i and kept_sentence[j] == sentence:
                    for q in range(d):
                        h[q] += center_vectors[kept[j], q]
            if cbow_mean:
                for q in range(d):
                    h[q] /= pairs
            s = score(outside_vectors, center, h)
            train_row(outside_vectors, center, h, np.float32(lr * sigmoid_of_minus(s, table)), step_h)
            if track:
                loss_sum += softplus(-s)
                loss_n += 1
        elif per_pair:  # word2vec.c and gensim: v_o predicts c against k negatives, applied at once
            if per_pair == 2:
                for t in range(k):
                    state, bits = next_random(state)
                    negs[t] = alias_draw(bits >> S32, threshold, alias)
            for j in range(lo, hi):
                if j == i or kept_sentence[j] != sentence:
                    continue
                source = center_vectors[kept[j]]
                for q in range(d):
                    step_h[q] = 0.0
                s = score(outside_vectors, center, source)
                if -MAX_SCORE < s < MAX_SCORE:  # word2vec skips a score beyond ±6 (its sigmoid table's range)
                    rate = np.float32(lr * sigmoid_of_minus(s, table))
                    train_row(outside_vectors, center, source, rate, step_h)
                    rows += 1
                if track:
                    loss_sum += softplus(-s)
                    loss_n += 1
                for t in range(k):
                    if per_pair == 2:
                        word = negs[t]
                    elif t % 2 == 0:
                        state, bits = next_random(state)
                        word = alias_draw(bits >> S32, threshold, alias)
                    else:
                        word = alias_draw(bits & LOW32, threshold, alias)
                    if word == center:
                        continue
                    s = score(outside_vectors, word, source)
                    if track:
                        loss_sum += softplus(s)
                    if -MAX_SCORE < s < MAX_SCORE:
                        train_row(outside_vectors, word, source, np.float32(-lr * sigmoid_of_minus(-s, table)), step_h)
                        rows += 1
                for q in range(d):
                    source[q] += step_h[q]
            continue
        else:  # skip-gram: v_c predicts each context word
            for q in range(d):
                h[q] = center_vectors[center, q]
            for j in range(lo, hi):
                if j != i and kept_sentence[j] == sentence:
                    s = score(outside_vectors, kept[j], h)
                    train_row(outside_vectors, kept[j], h, np.float32(lr * sigmoid_of_minus(s, table)), step_h)
                    if track:
                        loss_sum += softplus(-s)
            if track:
                loss_n += pairs
        rows += 1 if cbow else pairs
        for t in range(m):
            if t % 2 == 0:
                state, bits = next_random(state)
                word = alias_draw(bits >> S32, threshold, alias)
            else:
                word = alias_draw(bits & LOW32, threshold, alias)
            if cbow:
                uses = 1 - (word == center)
            else:  # every pair whose outside word is not `word` uses it
                uses = pairs
                for j in range(lo, hi):
                    uses -= j != i and kept_sentence[j] == sentence and kept[j] == word
            if uses == 0:
                continue
            rows += 1
            s = score(outside_vectors, word, h)
            train_row(outside_vectors, word, h, np.float32(-lr * weight * uses * sigmoid_of_minus(-s, table)), step_h)
            if track:
                loss_sum += weight * uses * softplus(s)
        if cbow:  # every context word receives the window's update of v̂ (word2vec's rule)
            for j in range(lo, hi):
                if j != i and kept_sentence[j] == sentence:
                    for q in range(d):
                        center_vectors[kept[j], q] += step_h[q]
        else:
            for q in range(d):
                center_vectors[center, q] += step_h[q]
    return count, loss_sum, loss_n, rows, state
