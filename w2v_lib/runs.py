"""A training run on disk: what the SST training writes and the explorer reads.

    <run_dir>/vocab.tsv            word<TAB>count, one line per word, in index order
    <run_dir>/vectors.txt          word2vec text format: the final word vectors
    <run_dir>/checkpoints/sgd_<iteration>.npz   sgd checkpoints; x is the stacked (2|V|, d)
                                   parameters [center_vectors; outside_vectors]

The word vectors shown to people are the course's: each word's center and outside vectors
side by side, (|V|, 2d).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .optimizer import list_checkpoints, load_checkpoint
from .vectors.formats import load_word2vec, save_word2vec


def word_vectors(params, n_words: int) -> np.ndarray:
    """The course's word vectors from stacked parameters: [v_w, u_w] per word, (|V|, 2d)."""
    params = np.asarray(params)
    if params.ndim != 2 or params.shape[0] != 2 * n_words:
        raise ValueError(f"params must have shape (2·{n_words}, d) = [center; outside]; got {params.shape}")
    return np.concatenate([params[:n_words], params[n_words:]], axis=1)  # (|V|, 2d)


@dataclass
class Run:
    run_dir: Path
    words: list
    counts: np.ndarray  # (|V|,) int64
    vectors: np.ndarray  # (|V|, 2d) float32, the final vectors
    checkpoints: list  # sgd_*.npz paths, by iteration

    def checkpoint_vectors(self, path) -> tuple:
        """(iteration, (|V|, 2d) word vectors) stored in one checkpoint."""
        ck = load_checkpoint(path)
        return ck["iteration"], word_vectors(ck["x"], len(self.words)).astype(np.float32)


def save_run(run_dir, words, counts, params) -> Path:
    """Write vocab.tsv and vectors.txt for stacked parameters (checkpoints come from sgd)."""
    words = list(words)
    if len(counts) != len(words):
        raise ValueError(f"counts must hold one count per word; got {len(counts)} counts for {len(words)} words")
    vectors = word_vectors(params, len(words))  # checked before anything is written
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    save_word2vec(run_dir / "vectors.txt", words, vectors)  # also rejects words a file cannot hold
    with open(run_dir / "vocab.tsv", "w", encoding="utf-8", newline="") as fh:
        for w, c in zip(words, counts):
            fh.write(f"{w}\t{int(c)}\n")
    return run_dir


def load_run(run_dir) -> Run:
    """Read a run folder; a missing or inconsistent one raises an error that says what to do."""
    run_dir = Path(run_dir)
    vocab, vec_file = run_dir / "vocab.tsv", run_dir / "vectors.txt"
    if not vocab.is_file() or not vec_file.is_file():
        raise FileNotFoundError(f"{run_dir} holds no finished run (vocab.tsv and vectors.txt): "
                                "train one first, e.g. `python -m w2v_lib train`")
    with open(vocab, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    for no, r in enumerate(rows, 1):
        if len(r) != 2 or not r[1].isdigit():
            got = "\t".join(r)[:60]
            raise ValueError(f"{vocab}, line {no}: expected word<TAB>count; got {got!r}")
    words = [r[0] for r in rows]
    counts = np.array([int(r[1]) for r in rows], dtype=np.int64)
    vec_words, vectors = load_word2vec(vec_file)
    if vec_words != words:
        raise ValueError(f"{vec_file} and {vocab} list different words: retrain or restore both")
    return Run(run_dir, words, counts, vectors, list_checkpoints(run_dir / "checkpoints"))
