"""The vocabulary (word ↔ index, with counts) and the corpus as one flat array of word indices.

One `Vocabulary` serves both trainers; three arguments of `build_vocabulary` say how it is made:
  * `min_count`: words seen fewer times are left out (the course keeps every word: 1);
  * `order`: "first_seen" (the course's `utils/treebank.py`) or "count" (most frequent first, ties
    in first-seen order, as gensim and the fast trainer);
  * `unknown`: what `encode` does with a word not in the vocabulary: "map" it to `unk_token`
    (appended with count 1, so |Vocab| = types + 1 and N counts it too, as the course does), "drop"
    it, or raise an "error".
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

UNK = "UNK"
ORDERS = ("first_seen", "count")
UNKNOWN_POLICIES = ("map", "drop", "error")
# A word seen at least this often is "frequent": its vectors are updated often enough to mean
# something (the centring mean, the learning-dynamics yardstick and the playground count only these).
FREQUENT_MIN_COUNT = 20


@dataclass(frozen=True)
class Vocabulary:
    words: list  # index -> word
    counts: np.ndarray  # (|Vocab|,) int64, corpus counts (the unknown token's is 1)
    index: dict  # word -> index
    unknown: str = "map"  # encode's policy for words not in `index`: "map", "drop" or "error"
    unk: str | None = None  # with unknown="map": the token unknown words map to

    def __len__(self) -> int:
        return len(self.words)

    @property
    def n_tokens(self) -> int:
        """N in the subsampling formula: every token, plus the unknown token's 1 as the course counts it."""
        return int(self.counts.sum())


def build_vocabulary(sentences, *, min_count: int = 1, order: str = "first_seen", unknown: str = "map",
                     unk_token: str = UNK) -> Vocabulary:
    """The words of `sentences` (lists of str tokens) seen at least `min_count` times, with their counts.

    The defaults are the course's; `build_vocabulary(s, min_count=5, order="count", unknown="drop")`
    is gensim's. See the module docstring for the three choices.
    """
    if not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count must be a positive integer; got {min_count!r}")
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}; got {order!r}")
    if unknown not in UNKNOWN_POLICIES:
        raise ValueError(f"unknown must be one of {UNKNOWN_POLICIES}; got {unknown!r}")
    counter = Counter()  # a dict: iteration is in first-seen order
    for s in sentences:
        if isinstance(s, str):
            raise ValueError("sentences must be lists of tokens, not strings: split each line first")
        counter.update(s)
    if not counter:
        raise ValueError("sentences must hold at least one token; got none (the corpus is empty)")
    pairs = counter.most_common() if order == "count" else counter.items()  # most_common is stable on ties
    kept = [(w, c) for w, c in pairs if c >= min_count]
    if not kept:
        raise ValueError(f"min_count={min_count} removes every word (the most frequent word occurs "
                         f"{counter.most_common(1)[0][1]} times): lower min_count or use a larger corpus")
    unk = None
    if unknown == "map":
        unk = unk_token
        if unk_token not in counter or counter[unk_token] < min_count:
            kept.append((unk_token, 1))
    words = [w for w, _ in kept]
    return Vocabulary(words, np.array([c for _, c in kept], dtype=np.int64), {w: i for i, w in enumerate(words)},
                      unknown, unk)


@dataclass(frozen=True)
class TokenizedCorpus:
    """Sentences as one flat array of word indices: sentence s is tokens[starts[s] : starts[s] + lengths[s]].

    It is also a sequence of its sentences (`len`, indexing, iteration give (length,) int32 arrays).
    """
    tokens: np.ndarray  # (n_tokens,) int32
    starts: np.ndarray  # (n_sentences,) int64
    lengths: np.ndarray  # (n_sentences,) int64

    @property
    def n_sentences(self) -> int:
        return int(self.lengths.shape[0])

    def sentence(self, s: int) -> np.ndarray:
        return self.tokens[self.starts[s]:self.starts[s] + self.lengths[s]]

    def __len__(self) -> int:
        return self.n_sentences

    def __getitem__(self, s: int) -> np.ndarray:
        return self.sentence(s)

    def __iter__(self):
        return (self.sentence(s) for s in range(self.n_sentences))


def encode(sentences, vocab: Vocabulary) -> TokenizedCorpus:
    """Every token as its index, unknown words handled by the vocabulary's policy; empty sentences skipped."""
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)  # (S,)
    get = vocab.index.get
    missing = vocab.index[vocab.unk] if vocab.unknown == "map" else -1
    ids = np.fromiter((get(w, missing) for s in sentences for w in s), dtype=np.int32, count=int(lengths.sum()))
    if vocab.unknown != "map" and (ids < 0).any():
        if vocab.unknown == "error":
            first = next(w for s in sentences for w in s if w not in vocab.index)
            raise ValueError(f"word {first!r} is not in the vocabulary, whose unknown-word policy is 'error': "
                             "build it with unknown='map' or 'drop'")
        sentence_of = np.repeat(np.arange(lengths.size), lengths)  # (n_tokens,)
        keep = ids >= 0
        ids = ids[keep]
        lengths = np.bincount(sentence_of[keep], minlength=lengths.size).astype(np.int64)  # (S,)
    lengths = lengths[lengths > 0]
    if lengths.size == 0:
        raise ValueError("no sentence keeps any in-vocabulary word: the vocabulary and corpus do not match")
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)  # (n_sentences,) where each sentence begins
    return TokenizedCorpus(ids, starts, lengths)
