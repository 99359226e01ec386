"""Trained word vectors and everything asked of them, used alike by the evaluation, the notebooks,
the explorer and its exports.

keyed.py holds `WordVectors` (words, index, vectors, counts, centring, the one nearest-neighbour
routine, analogies, expressions), expressions.py parses word arithmetic, projections.py maps
vectors to 2-D/3-D and aligns two sets, formats.py reads and writes word2vec and projector
files, vector_folder.py a folder of vectors.txt + vocab.tsv (a training run's final vectors, read
without the run), evaluation.py scores analogies and word-pair similarity, pretrained.py fetches the small
sets of gensim's downloader catalogue.
"""
from .evaluation import analogy_accuracy, evaluate_all, nearest_neighbours, word_pair_similarity
from .expressions import ExpressionError, parse
from .formats import load_projector_tsv, load_word2vec, load_word_vectors, save_projector_tsv, save_word2vec
from .keyed import METRICS, UnknownWordError, WordVectors

__all__ = ["WordVectors", "UnknownWordError", "METRICS", "ExpressionError", "parse", "load_word_vectors",
           "load_word2vec", "save_word2vec", "load_projector_tsv", "save_projector_tsv", "analogy_accuracy",
           "word_pair_similarity", "evaluate_all", "nearest_neighbours"]
