"""Corpora for the fast trainer: sentences of tokens, a vocabulary, and the corpus as word ids.

Two readers give lists of sentences (each a list of str tokens):
  * `read_text_sentences(path)`: a plain-text file, one sentence per line, split on whitespace;
  * `wiki_sample_sentences()`: gensim's shipped Wikipedia sample (≈ 453K tokens), tokenised by
    `gensim.corpora.WikiCorpus`; each article is cut into pieces of at most `max_sentence_length`
    tokens, the longest sentence gensim's trainer accepts, so both trainers see the same text.
`build_vocab` keeps the words seen at least `min_count` times, most frequent first, and
`encode` turns sentences into int32 id arrays, dropping out-of-vocabulary tokens.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WIKI_SAMPLE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
MAX_SENTENCE_LENGTH = 10000  # gensim's MAX_WORDS_IN_BATCH: longer sentences are truncated there


def read_text_sentences(path, lowercase: bool = False) -> list:
    """Sentences from a text file with one sentence per line (blank lines skipped)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no corpus file at {path}: pass a text file with one sentence per line")
    with path.open(encoding="utf-8") as fh:
        sentences = [(line.lower() if lowercase else line).split() for line in fh]
    sentences = [s for s in sentences if s]
    if not sentences:
        raise ValueError(f"corpus file {path} holds no tokens: it is empty or only blank lines")
    return sentences


def split_long(sentences, max_length: int = MAX_SENTENCE_LENGTH) -> list:
    """Cut every sentence into consecutive pieces of at most `max_length` tokens."""
    if not isinstance(max_length, (int, np.integer)) or max_length < 1:
        raise ValueError(f"max_length must be a positive integer; got {max_length!r}")
    return [s[i:i + max_length] for s in sentences for i in range(0, len(s), max_length)]


def wiki_sample_sentences(max_length: int = MAX_SENTENCE_LENGTH) -> list:
    """gensim's Wikipedia test sample as token lists (lower-cased, punctuation dropped by WikiCorpus)."""
    from gensim.corpora import WikiCorpus
    from gensim.test.utils import datapath

    # dictionary={} skips WikiCorpus's own vocabulary pass; processes=1 keeps it in this process.
    wiki = WikiCorpus(datapath(WIKI_SAMPLE), dictionary={}, processes=1)
    return split_long(list(wiki.get_texts()), max_length)


@dataclass
class Vocabulary:
    words: list  # index -> word, most frequent first (ties by first appearance)
    counts: np.ndarray  # (|V|,) int64 corpus counts
    index: dict  # word -> index

    def __len__(self) -> int:
        return len(self.words)


def build_vocab(sentences, min_count: int = 5) -> Vocabulary:
    """The words occurring at least `min_count` times, sorted by decreasing count."""
    if not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count must be a positive integer; got {min_count!r}")
    counter = Counter()
    for s in sentences:
        if isinstance(s, str):
            raise ValueError("sentences must be lists of tokens, not strings: split each line first")
        counter.update(s)
    if not counter:
        raise ValueError("the corpus is empty: sentences hold no tokens")
    kept = [(w, c) for w, c in counter.most_common() if c >= min_count]  # stable: ties keep first-seen order
    if not kept:
        raise ValueError(f"min_count={min_count} removes every word (the most frequent word occurs "
                         f"{counter.most_common(1)[0][1]} times): lower min_count or use a larger corpus")
    words = [w for w, _ in kept]
    return Vocabulary(words=words, counts=np.array([c for _, c in kept], dtype=np.int64),
                      index={w: i for i, w in enumerate(words)})


def encode(sentences, vocab: Vocabulary) -> list:
    """Each sentence as an int32 array of word ids; unknown tokens dropped, empty sentences skipped."""
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)  # (S,)
    get = vocab.index.get
    ids = np.fromiter((get(w, -1) for s in sentences for w in s), dtype=np.int32, count=int(lengths.sum()))
    out = [piece[piece >= 0] for piece in np.split(ids, np.cumsum(lengths)[:-1])]  # unknown words dropped
    out = [piece for piece in out if piece.size]
    if not out:
        raise ValueError("no sentence keeps any in-vocabulary word: the vocabulary and corpus do not match")
    return out
