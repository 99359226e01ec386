"""A folder of counted word vectors: `vectors.txt` (word2vec text) beside `vocab.tsv` (word<TAB>count,
one line per word, in the same order). A training run leaves its final vectors this way
(`assignment.RunFolder` writes and reads them through this module); `load_word_vectors` opens such
a folder like any vector file, without knowing anything else of a run.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .._files import atomic_file
from .formats import load_word2vec, save_word2vec

VECTORS_FILE, VOCAB_FILE = "vectors.txt", "vocab.tsv"


def save_vector_folder(folder, words, counts, vectors) -> Path:
    """Write vectors.txt and vocab.tsv for `words`, their (|Vocab|,) `counts` and (|Vocab|, d) `vectors`.

    Each file atomically (_files.atomic_file); the words are checked (white space, repeats)
    before a byte is written.
    """
    folder, words = Path(folder), list(words)
    if len(counts) != len(words):
        raise ValueError(f"counts must hold one count per word; got {len(counts)} counts for {len(words)} words")
    folder.mkdir(parents=True, exist_ok=True)
    save_word2vec(folder / VECTORS_FILE, words, vectors)  # atomic itself
    with atomic_file(folder / VOCAB_FILE) as fh:
        fh.write("".join(f"{w}\t{int(c)}\n" for w, c in zip(words, counts)).encode("utf-8"))
    return folder


def load_vector_folder(folder) -> tuple:
    """(words, (|Vocab|,) int64 counts, (|Vocab|, d) float32 vectors) from a folder's vocab.tsv and vectors.txt.

    A missing file, a malformed vocab.tsv line or two files listing different words raise an
    error naming the file (and line) and what to do.
    """
    folder = Path(folder)
    vocab, vec_file = folder / VOCAB_FILE, folder / VECTORS_FILE
    if not vocab.is_file() or not vec_file.is_file():
        raise FileNotFoundError(f"{folder} holds no finished run ({VOCAB_FILE} and {VECTORS_FILE}): "
                                "train one first, e.g. `python -m w2v_lib train`")
    with open(vocab, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for no, r in enumerate(rows, 1):
        if len(r) != 2 or not r[1].isdigit():
            got = "\t".join(r)[:60]
            raise ValueError(f"{vocab}, line {no}: expected word<TAB>count; got {got!r}")
    words = [r[0] for r in rows]
    counts = np.array([int(r[1]) for r in rows], dtype=np.int64)
    vec_words, vectors = load_word2vec(vec_file)
    if vec_words != words:
        raise ValueError(f"{vec_file} and {vocab} list different words: retrain or restore both")
    return words, counts, vectors
