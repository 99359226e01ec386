"""From text to word indices: the vocabulary, subsampling, context windows and the corpora read.

    vocabulary.py   Vocabulary, build_vocabulary, encode (one of each, for both trainers)
    subsampling.py  the course's subsampling and its whole pipeline (prepare_corpus)
    windows.py      ContextSampler: context windows as the course draws them
    sst.py          the Stanford Sentiment Treebank: find, download, read
    text.py         plain-text files and gensim's Wikipedia sample
"""
from .sst import SSTNotFoundError, download_sst, find_sst, read_sentences
from .subsampling import TrainingCorpus, keep_probabilities, prepare_corpus, reject_probabilities, subsample
from .text import read_text_sentences, split_long, wiki_sample_sentences
from .vocabulary import FREQUENT_MIN_COUNT, UNK, TokenizedCorpus, Vocabulary, build_vocabulary, encode
from .windows import ContextSampler

__all__ = [
    "UNK", "FREQUENT_MIN_COUNT", "Vocabulary", "TokenizedCorpus", "build_vocabulary", "encode",
    "keep_probabilities", "reject_probabilities", "subsample", "TrainingCorpus", "prepare_corpus", "ContextSampler",
    "SSTNotFoundError", "download_sst", "find_sst", "read_sentences",
    "read_text_sentences", "split_long", "wiki_sample_sentences",
]
