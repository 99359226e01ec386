"""Plain-text corpora: sentences of str tokens from a text file or gensim's Wikipedia sample.

Two readers give lists of sentences (each a list of str tokens):
  * `read_text_sentences(path)`: a plain-text file, one sentence per line, split on whitespace;
  * `wiki_sample_sentences()`: gensim's shipped Wikipedia sample (≈ 453K tokens), tokenised by
    `gensim.corpora.WikiCorpus`; each article is cut into pieces of at most `max_sentence_length`
    tokens, the longest sentence gensim's trainer accepts, so both trainers see the same text.
Turn them into word indices with `corpora.build_vocabulary` and `corpora.encode`.
"""
from __future__ import annotations

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
