"""Subsampling as the course does it, and the course's whole pipeline from sentences to training data.

Every occurrence of word w is dropped with probability max(0, 1 − sqrt(threshold·N / count(w))),
independently, over `copies` copies of the corpus (the course: 30 copies, threshold 1e-5, N
counting the UNK too); sentences left with fewer than 2 tokens are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .vocabulary import TokenizedCorpus, Vocabulary, build_vocabulary, encode


def keep_probabilities(counts, n_tokens: int | None = None, threshold: float = 1e-5, *,
                       word2vec: bool = False) -> np.ndarray:
    """P(keep an occurrence of w) = min(1, √(t/f_w)), f_w = count(w)/N, t = threshold, shape (|Vocab|,).

    word2vec=True adds t/f_w, as the C word2vec (and gensim) do: min(1, √(t/f_w) + t/f_w), which keeps
    a little more of every frequent word. threshold 0 keeps every word. This is the one subsampling
    formula: the course's `reject_probabilities` and the fast trainer's keep probabilities use it.
    """
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or (c <= 0).any():
        raise ValueError(f"counts must be a 1-D array of positive counts; got shape {c.shape}")
    if threshold <= 0:
        return np.ones(c.shape[0])
    ratio = threshold * (c.sum() if n_tokens is None else float(n_tokens)) / c  # t / f_w
    return np.minimum(np.sqrt(ratio) + (ratio if word2vec else 0.0), 1.0)


def reject_probabilities(counts, n_tokens: int | None = None, threshold: float = 1e-5) -> np.ndarray:
    """The course's drop probability per word, max(0, 1 − sqrt(threshold·N / count)), shape (|Vocab|,)."""
    return 1.0 - keep_probabilities(counts, n_tokens, threshold)


def subsample(corpus: TokenizedCorpus, reject_prob, rng: np.random.Generator, copies: int = 30) -> TokenizedCorpus:
    """`copies` independently subsampled copies of the corpus, sentences of < 2 tokens dropped."""
    if not isinstance(copies, (int, np.integer)) or copies < 1:
        raise ValueError(f"copies must be a positive integer; got {copies!r}")
    reject_prob = np.asarray(reject_prob, dtype=np.float64)
    n = corpus.tokens.shape[0]
    # One row per copy: the draws are those of one flat rng.random(copies·n), in the same order, and
    # nothing of size copies·n is gathered or repeated but the masks (4x faster than tiling the corpus).
    keep = rng.random((copies, n)) >= reject_prob[corpus.tokens]  # (copies, n) kept iff u >= p_reject, as the course
    kept_before = np.zeros((copies, n + 1), dtype=np.int32)  # (copies, n+1) kept tokens before each position
    np.cumsum(keep, axis=1, out=kept_before[:, 1:])
    lengths = kept_before[:, corpus.starts + corpus.lengths] - kept_before[:, corpus.starts]  # (copies, n_sentences)
    long_enough = lengths > 1  # (copies, n_sentences)
    keep &= np.repeat(long_enough, corpus.lengths, axis=1)  # (copies, n)
    lengths = lengths[long_enough].astype(np.int64)  # (kept sentences,) copy after copy
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    tokens = np.broadcast_to(corpus.tokens, (copies, n))[keep]  # (kept tokens,)
    return TokenizedCorpus(tokens.astype(np.int32, copy=False), starts, lengths)


@dataclass(frozen=True)
class TrainingCorpus:
    """Everything the training samples from: the vocabulary, the corpus and its subsampled copies."""
    vocab: Vocabulary
    corpus: TokenizedCorpus  # the sentences as read
    reject_prob: np.ndarray  # (|Vocab|,) the course's drop probabilities
    subsampled: TokenizedCorpus  # `copies` subsampled copies, sentences of >= 2 tokens


def prepare_corpus(sentences, rng: np.random.Generator, copies: int = 30, threshold: float = 1e-5) -> TrainingCorpus:
    """The course's data: vocabulary (first seen, UNK appended), encoding, drop probabilities, subsampled copies."""
    vocab = build_vocabulary(sentences)
    corpus = encode(sentences, vocab)
    reject = reject_probabilities(vocab.counts, vocab.n_tokens, threshold)
    subsampled = subsample(corpus, reject, rng, copies)
    if subsampled.n_sentences == 0:
        raise ValueError("no sentence keeps 2 or more tokens after subsampling: the corpus is too small")
    return TrainingCorpus(vocab, corpus, reject, subsampled)
