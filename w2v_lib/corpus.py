"""From sentences to training windows, deciding everything exactly as the course's loader does.

The course's `utils/treebank.py` (StanfordSentiment) fixes these choices, kept here:
  * vocabulary in order of first occurrence, plus a final "UNK" with count 1 (so |V| = types + 1),
    and the token total N counts that UNK too;
  * subsampling: every occurrence of word w is dropped with probability
    max(0, 1 − sqrt(1e-5·N / count(w))), independently, over 30 copies of the corpus; sentences
    left with fewer than 2 tokens are dropped;
  * a window: a sentence uniformly among the subsampled ones, a position uniformly in it, the up
    to `window` words on each side (left ones first), minus every repeat of the center word; if
    nothing is left, draw sentence and position again with the same window size;
  * the window size itself is uniform in 1..C, drawn once per window (the course's SGD wrapper).
Negatives come from the count^0.75 distribution of the *raw* counts, as the course's sampling
table: the core NegativeSampler, or AliasNegativeSampler (same distribution, constant-time draws).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .sampling import NegativeSampler

UNK = "UNK"


@dataclass(frozen=True)
class Vocabulary:
    words: list  # index -> word
    counts: np.ndarray  # (|V|,) int64, raw corpus counts
    index: dict  # word -> index
    unk: str | None = None  # the token unknown words map to, if any

    def __len__(self) -> int:
        return len(self.words)

    @property
    def n_tokens(self) -> int:
        """N in the subsampling formula: every token, plus the UNK's 1 as the course counts it."""
        return int(self.counts.sum())


def build_vocabulary(sentences, unk: str | None = UNK) -> Vocabulary:
    """Words in order of first occurrence with their counts; `unk` (count 1) appended unless None."""
    index, counts = {}, []
    for sentence in sentences:
        for w in sentence:
            i = index.setdefault(w, len(counts))
            if i == len(counts):
                counts.append(0)
            counts[i] += 1
    if unk is not None and unk not in index:
        index[unk] = len(counts)
        counts.append(1)
    if not counts:
        raise ValueError("sentences must hold at least one token; got none")
    return Vocabulary(list(index), np.asarray(counts, dtype=np.int64), index, unk if unk in index else None)


@dataclass(frozen=True)
class TokenizedCorpus:
    """Sentences as one flat array of word indices: sentence s is tokens[starts[s] : starts[s] + lengths[s]]."""
    tokens: np.ndarray  # (n_tokens,) int32
    starts: np.ndarray  # (n_sentences,) int64
    lengths: np.ndarray  # (n_sentences,) int64

    @property
    def n_sentences(self) -> int:
        return int(self.lengths.shape[0])

    def sentence(self, s: int) -> np.ndarray:
        return self.tokens[self.starts[s]:self.starts[s] + self.lengths[s]]


def encode(sentences, vocab: Vocabulary) -> TokenizedCorpus:
    """Map every token to its index (unknown words to UNK, or a ValueError if there is none)."""
    unk = vocab.index.get(vocab.unk) if vocab.unk is not None else None
    try:
        flat = [vocab.index[w] if unk is None else vocab.index.get(w, unk) for s in sentences for w in s]
    except KeyError as err:
        raise ValueError(f"word {err.args[0]!r} is not in the vocabulary, which has no unknown-word token") from None
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)  # (n_sentences,) where each sentence begins
    return TokenizedCorpus(np.asarray(flat, dtype=np.int32), starts, lengths)


def reject_probabilities(counts, n_tokens: int | None = None, threshold: float = 1e-5) -> np.ndarray:
    """The course's drop probability per word, max(0, 1 − sqrt(threshold·N / count)), shape (|V|,)."""
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or (c <= 0).any():
        raise ValueError(f"counts must be a 1-D array of positive counts; got shape {c.shape}")
    n = c.sum() if n_tokens is None else float(n_tokens)
    return np.maximum(0.0, 1.0 - np.sqrt(threshold * n / c))


def subsample(corpus: TokenizedCorpus, reject_prob, rng: np.random.Generator, copies: int = 30) -> TokenizedCorpus:
    """`copies` independently subsampled copies of the corpus, sentences of < 2 tokens dropped."""
    if not isinstance(copies, (int, np.integer)) or copies < 1:
        raise ValueError(f"copies must be a positive integer; got {copies!r}")
    reject_prob = np.asarray(reject_prob, dtype=np.float64)
    tokens = np.tile(corpus.tokens, copies)  # (copies·n_tokens,)
    sent_of_token = np.repeat(np.arange(copies * corpus.n_sentences), np.tile(corpus.lengths, copies))
    keep = rng.random(tokens.shape[0]) >= reject_prob[tokens]  # the course keeps a word iff u >= p_reject
    lengths = np.bincount(sent_of_token[keep], minlength=copies * corpus.n_sentences)  # (copies·n_sentences,)
    long_enough = lengths > 1
    keep &= long_enough[sent_of_token]
    lengths = lengths[long_enough].astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return TokenizedCorpus(tokens[keep].astype(np.int32), starts, lengths)


class ContextSampler:
    """Random context windows from a (subsampled) corpus, one at a time or in bulk."""

    def __init__(self, corpus: TokenizedCorpus):
        if corpus.n_sentences == 0 or (corpus.lengths < 2).any():
            raise ValueError("corpus must hold at least one sentence and only sentences of 2 or more tokens; "
                             "pass the output of subsample()")
        self.corpus = corpus

    def random_context(self, rng: np.random.Generator, window: int):
        """One window as the course draws it: (center index, context indices (n,) with n >= 1)."""
        _check_window(window, "window")
        c = self.corpus
        while True:
            s = int(uniform_ints(rng, c.n_sentences))
            sent = c.sentence(s)
            pos = int(uniform_ints(rng, len(sent)))
            center = int(sent[pos])
            context = np.concatenate([sent[max(0, pos - window):pos], sent[pos + 1:pos + 1 + window]])
            context = context[context != center].astype(np.int64)
            if context.size:
                return center, context

    def random_contexts(self, rng: np.random.Generator, n: int, max_window: int):
        """n windows at once, each with its own size uniform in 1..max_window.

        Returns (centers (n,) int64, contexts (n, 2·max_window) int64 with -1 where there is no
        word). Row i lists the left words then the right ones, as `random_context` does.
        """
        _check_window(max_window, "max_window")
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer; got {n!r}")
        c = self.corpus
        u = rng.random((3, n))  # one call for sizes, sentences and positions: rng.random is cheap
        sizes = scale_to_ints(u[0], max_window) + 1  # (n,)
        offsets = np.concatenate([np.arange(-max_window, 0), np.arange(1, max_window + 1)])  # (2C,)
        reach = np.abs(offsets) <= sizes[:, None]  # (n, 2C) inside each window's own size
        centers, contexts, todo = None, None, None
        while True:  # redraw only the windows left empty, keeping their size
            s = scale_to_ints(u[1], c.n_sentences)  # (m,)
            length = c.lengths.take(s)  # (m,)
            pos = scale_to_ints(u[2], length)  # (m,) uniform in each sentence
            where = pos[:, None] + offsets  # (m, 2C) positions inside the sentence
            valid = reach & (where >= 0) & (where < length[:, None])
            first = c.starts.take(s)  # (m,)
            # mode="clip": positions past the corpus ends read some token; `valid` masks them anyway
            words = c.tokens.take(first[:, None] + where, mode="clip")  # (m, 2C)
            center = c.tokens.take(first + pos)  # (m,)
            valid &= words != center[:, None]
            drawn = np.where(valid, words, -1)  # (m, 2C)
            if todo is None:
                centers, contexts = center.astype(np.int64), drawn.astype(np.int64)
                todo = np.arange(n)
            else:
                centers[todo], contexts[todo] = center, drawn
            empty = ~valid.any(axis=1)
            if not empty.any():
                return centers, contexts
            todo, reach = todo[empty], reach[empty]
            u = rng.random((3, todo.size))


def scale_to_ints(u, high) -> np.ndarray:
    """floor(u·high) for uniforms u in [0, 1): integers uniform in [0, high), elementwise for arrays.

    One call to rng.random costs a fraction of rng.integers here; with 53-bit u the deviation
    from exact uniformity is below high/2^53 (< 1e-10 for any corpus), far below sampling noise.
    The minimum guards the one rounding case u·high == high.
    """
    return np.minimum((u * high).astype(np.int64), np.asarray(high) - 1)


def uniform_ints(rng: np.random.Generator, high, size=None) -> np.ndarray:
    """Integers uniform in [0, high) (elementwise for an array `high`), through `scale_to_ints`."""
    return scale_to_ints(rng.random(size if size is not None else np.shape(high)), high)


def _check_window(window, name):
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"{name} must be a positive integer (words on each side); got {window!r}")


@dataclass(frozen=True)
class TrainingCorpus:
    """Everything the training samples from: the vocabulary, the corpus and its subsampled copies."""
    vocab: Vocabulary
    corpus: TokenizedCorpus  # the sentences as read
    reject_prob: np.ndarray  # (|V|,) the course's drop probabilities
    subsampled: TokenizedCorpus  # `copies` subsampled copies, sentences of >= 2 tokens


def prepare_corpus(sentences, rng: np.random.Generator, copies: int = 30, threshold: float = 1e-5) -> TrainingCorpus:
    """Vocabulary (with UNK), encoding, drop probabilities and subsampled copies, as the course builds them."""
    vocab = build_vocabulary(sentences)
    corpus = encode(sentences, vocab)
    reject = reject_probabilities(vocab.counts, vocab.n_tokens, threshold)
    subsampled = subsample(corpus, reject, rng, copies)
    if subsampled.n_sentences == 0:
        raise ValueError("no sentence keeps 2 or more tokens after subsampling: the corpus is too small")
    return TrainingCorpus(vocab, corpus, reject, subsampled)


class AliasNegativeSampler(NegativeSampler):
    """The core NegativeSampler with O(1) draws (Walker's alias method) instead of a CDF search.

    Same distribution P(w) ∝ count(w)^0.75, same redrawing of any draw equal to the outside
    word (inherited sample_many); only the way a uniform number becomes a word changes. Draw:
    pick a column i uniformly, keep i with probability keep[i], else take alias[i].
    """

    def __init__(self, counts, rng=None, power: float = 0.75):
        super().__init__(counts, rng, power)
        n = self.vocab_size
        scaled = self.probabilities * n  # (|V|,) mean 1
        self.keep, self.alias = np.ones(n), np.arange(n)
        small = [i for i in range(n) if scaled[i] < 1.0]
        large = [i for i in range(n) if scaled[i] >= 1.0]
        while small and large:  # Vose: fill each short column with the excess of a tall one
            s, t = small.pop(), large.pop()
            self.keep[s], self.alias[s] = scaled[s], t
            scaled[t] -= 1.0 - scaled[s]
            (small if scaled[t] < 1.0 else large).append(t)
        # whatever is left is 1 up to rounding: keep[i] = 1 already

    def implied_probabilities(self) -> np.ndarray:
        """The distribution the table draws from, exactly: (keep[w] + Σ_{alias[i]=w} (1 − keep[i])) / |V|."""
        p = self.keep.copy()
        np.add.at(p, self.alias, 1.0 - self.keep)
        return p / self.vocab_size

    def _draw(self, shape) -> np.ndarray:
        # One uniform per draw: its integer part picks the column, its fraction (a uniform
        # independent of the column, with >= 38 bits left) decides between column and alias.
        scaled = self.rng.random(shape) * self.vocab_size
        col = np.minimum(scaled.astype(np.int64), self.vocab_size - 1)
        return np.where(scaled - col < self.keep.take(col), col, self.alias.take(col))
