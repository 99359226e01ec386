"""A finished run as read back (`Run`), and what "word vectors" means here.

"Word vectors" means one thing: each word's center and outside vectors side by side, [v_w, u_w],
(|Vocab|, 2d) (`word_vectors`), as the 2017 assignment's q3_run.py shows them; vectors.txt holds them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..optimizer import load_checkpoint
from ..vectors.vector_folder import load_vector_folder
from .loss_history import DamagedHistoryError


def word_vectors(params, n_words: int) -> np.ndarray:
    """The word vectors from stacked parameters: [v_w, u_w] per word, (|Vocab|, 2d)."""
    params = np.asarray(params)
    if params.ndim != 2 or params.shape[0] != 2 * n_words:
        raise ValueError(f"params must have shape (2·{n_words}, d) = [center; outside]; got {params.shape}")
    return np.concatenate([params[:n_words], params[n_words:]], axis=1)  # (|Vocab|, 2d)


@dataclass
class Run:
    """A finished run as read back: the vocabulary, the final word vectors, the checkpoints."""
    run_dir: Path
    words: list
    counts: np.ndarray  # (|Vocab|,) int64
    vectors: np.ndarray  # (|Vocab|, 2d) float32, the final word vectors
    checkpoints: list  # sgd_*.npz paths, by iteration
    config: dict | None = None  # config.json, if the run wrote one
    losses: np.ndarray | None = None  # (iterations,) from losses.npz, if there
    ema_losses: np.ndarray | None = None  # (iterations,)

    def checkpoint_vectors(self, path) -> tuple:
        """(iteration, (|Vocab|, 2d) word vectors) stored in one checkpoint."""
        ck = load_checkpoint(path)
        return ck["iteration"], word_vectors(ck["x"], len(self.words)).astype(np.float32)


def read_finished_run(folder) -> Run:
    """The finished run in a RunFolder: vocab.tsv and vectors.txt (vectors/vector_folder.py), its
    checkpoints, config.json and losses. A missing or inconsistent one raises an error that says what to do."""
    words, counts, vectors = load_vector_folder(folder.path)
    try:
        losses, emas = folder.read_losses()
    except DamagedHistoryError:  # the vectors are what a reader wants; a damaged history does not hide them
        losses = emas = None
    return Run(folder.path, words, counts, vectors, folder.checkpoints(), folder.read_config(), losses, emas)
