"""From word ids to training examples: subsampling, random windows, shuffled minibatches.

Subsampling keeps each token with `corpora.keep_probabilities(..., word2vec=True)`.
The corpus is one flat int32 array of word ids plus the id of the sentence each token belongs
to, so that windows never cross a sentence. Each epoch walks it in chunks of whole sentences;
within a chunk all examples are built with array operations and then shuffled, because
minibatches taken in corpus order put many updates of the same few words into one step,
which costs quality, while shuffled minibatches train as well as one pair at a time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class FlatCorpus:
    tokens: np.ndarray  # (T,) int32 word ids, sentence after sentence
    sentence_ids: np.ndarray  # (T,) int32 the sentence of each token
    chunk_bounds: np.ndarray  # (n_chunks + 1,) token offsets of the chunks, on sentence starts

    @property
    def n_chunks(self) -> int:
        return self.chunk_bounds.shape[0] - 1


def flatten(encoded_sentences, chunk_words: int) -> FlatCorpus:
    """Concatenate id arrays and cut them into chunks of at least `chunk_words` tokens."""
    lengths = np.array([s.shape[0] for s in encoded_sentences], dtype=np.int64)  # (S,)
    tokens = np.concatenate(encoded_sentences).astype(np.int32, copy=False)  # (T,)
    sentence_ids = np.repeat(np.arange(lengths.shape[0], dtype=np.int32), lengths)  # (T,)
    starts = np.concatenate([[0], np.cumsum(lengths)])  # (S+1,)
    bounds = [0]
    for s in starts[1:]:
        if s - bounds[-1] >= chunk_words:
            bounds.append(int(s))
    if bounds[-1] != starts[-1]:
        bounds.append(int(starts[-1]))
    return FlatCorpus(tokens, sentence_ids, np.array(bounds, dtype=np.int64))


def subsample_chunk(tokens, sentence_ids, keep_prob, rng):
    """NumPy: keep each token with probability keep_prob[token] (`corpora.keep_probabilities`);
    returns the kept (tokens, sentence ids). `word_kernels.subsample_chunk_compiled` is its loop."""
    keep = rng.random(tokens.shape[0], dtype=np.float32) < keep_prob[tokens]  # (T,)
    return tokens[keep], sentence_ids[keep]


def windows(tokens, sentence_ids, window: int, rng):
    """Each kept token's context (random window b ∈ [1, window], within its sentence), shuffled.

    Returns (centers (n,), contexts (n, 2·window) int32 with −1 where a slot is empty); every
    row has at least one context word.
    """
    n = tokens.shape[0]
    reach = rng.integers(1, window + 1, size=n, dtype=np.int8)  # (n,); config caps window at 100
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)]).astype(np.int32)  # (2w,)
    # `window` sentinels on each side (sentence id −1) spare a bounds check per slot
    edge = np.full(window, -1, dtype=np.int32)
    padded_tokens = np.concatenate([edge, tokens, edge])  # (n + 2w,)
    padded_sids = np.concatenate([edge, sentence_ids, edge])  # (n + 2w,)
    pos = np.arange(window, n + window, dtype=np.int32)[:, None] + offsets[None, :]  # (n, 2w)
    valid = (padded_sids[pos] == sentence_ids[:, None]) & (np.abs(offsets)[None, :] <= reach[:, None])  # (n, 2w)
    contexts = np.where(valid, padded_tokens[pos], -1)  # (n, 2w)
    has_any = valid.any(axis=1)
    order = rng.permutation(int(has_any.sum()))
    return tokens[has_any][order], contexts[has_any][order]


def window_layout(contexts):
    """Flatten a (n, 2w) block of contexts: (words (P,), indptr (n+1,) int32) for the kernels."""
    valid = contexts >= 0  # (B, 2w)
    sizes = valid.sum(axis=1)  # (B,)
    indptr = np.zeros(sizes.shape[0] + 1, dtype=np.int32)  # (n+1,)
    np.cumsum(sizes, out=indptr[1:])
    return contexts[valid], indptr

