"""A training run on disk: `RunFolder` owns every path of it; what the SST training writes and the explorer reads.

    <run>/config.json           the settings of the run (resuming with other settings is refused)
    <run>/losses.npz            loss and ema: every iteration's loss and its 0.95/0.05 moving average
    <run>/vocab.tsv             word<TAB>count, one line per word, in index order
    <run>/vectors.txt           word2vec text format: the word vectors (below)
    <run>/checkpoints/sgd_<iteration>.npz   sgd checkpoints; x is the stacked (2|V|, d)
                                parameters [center_vectors; outside_vectors]
    <run>/word_vectors.png      the course's 2-D plot of the same word vectors

"Word vectors" means one thing here: each word's center and outside vectors side by side,
[v_w, u_w], (|V|, 2d) (`word_vectors`), as the 2017 assignment's q3_run.py shows them.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..corpora.sst import default_data_dir
from ..optimizer import list_checkpoints, load_checkpoint
from ..vectors_io import load_word2vec, save_word2vec


def default_run_dir() -> Path:
    return default_data_dir() / "sst_run"


def word_vectors(params, n_words: int) -> np.ndarray:
    """The word vectors from stacked parameters: [v_w, u_w] per word, (|V|, 2d)."""
    params = np.asarray(params)
    if params.ndim != 2 or params.shape[0] != 2 * n_words:
        raise ValueError(f"params must have shape (2·{n_words}, d) = [center; outside]; got {params.shape}")
    return np.concatenate([params[:n_words], params[n_words:]], axis=1)  # (|V|, 2d)


@dataclass
class Run:
    """A finished run as read back: the vocabulary, the final word vectors, the checkpoints."""
    run_dir: Path
    words: list
    counts: np.ndarray  # (|V|,) int64
    vectors: np.ndarray  # (|V|, 2d) float32, the final word vectors
    checkpoints: list  # sgd_*.npz paths, by iteration
    config: dict | None = None  # config.json, if the run wrote one
    losses: np.ndarray | None = None  # (iterations,) from losses.npz, if there
    ema_losses: np.ndarray | None = None  # (iterations,)

    def checkpoint_vectors(self, path) -> tuple:
        """(iteration, (|V|, 2d) word vectors) stored in one checkpoint."""
        ck = load_checkpoint(path)
        return ck["iteration"], word_vectors(ck["x"], len(self.words)).astype(np.float32)


class RunFolder:
    """The folder of one training run: every file's path, and reading and writing each of them."""

    def __init__(self, path=None):
        self.path = Path(path) if path is not None else default_run_dir()

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    @property
    def checkpoint_dir(self) -> Path:
        return self.path / "checkpoints"

    @property
    def config_path(self) -> Path:
        return self.path / "config.json"

    @property
    def losses_path(self) -> Path:
        return self.path / "losses.npz"

    @property
    def vocab_path(self) -> Path:
        return self.path / "vocab.tsv"

    @property
    def vectors_path(self) -> Path:
        return self.path / "vectors.txt"

    @property
    def plot_path(self) -> Path:
        return self.path / "word_vectors.png"

    def checkpoints(self) -> list:
        """The sgd checkpoints, by iteration."""
        return list_checkpoints(self.checkpoint_dir)

    def latest_checkpoint(self) -> Path | None:
        found = self.checkpoints()
        return found[-1] if found else None

    def start_fresh(self) -> None:
        """Remove an earlier run's checkpoints and loss history, which must not be joined to a new run."""
        for old in self.checkpoints():
            old.unlink()
        self.losses_path.unlink(missing_ok=True)

    def read_config(self) -> dict | None:
        return json.loads(self.config_path.read_text()) if self.config_path.is_file() else None

    def write_config(self, config: dict) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(config, indent=1) + "\n")

    def read_losses(self):
        """(losses, ema_losses) from losses.npz, or (None, None) if the run has none."""
        if not self.losses_path.is_file():
            return None, None
        with np.load(self.losses_path, allow_pickle=False) as saved:
            return saved["loss"], saved["ema"]

    def write_losses(self, losses, ema_losses) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        np.savez(self.losses_path, loss=losses, ema=ema_losses)

    def begin(self, config: dict, resume=False) -> Path | None:
        """Start or resume a run with `config`; returns the checkpoint to resume from (None: fresh).

        `resume` is False (a fresh run: the old checkpoints and loss history are removed), True
        (the latest checkpoint) or a checkpoint path. Resuming a run whose config.json differs
        from `config` is refused, naming the settings that changed.
        """
        resume_from = None
        if resume:
            resume_from = Path(resume) if not isinstance(resume, bool) else self.latest_checkpoint()
            if resume_from is None:
                raise FileNotFoundError(f"resume was asked for but {self.checkpoint_dir} holds no checkpoint: "
                                        "train without resume")
            saved = self.read_config()
            if saved is not None and saved != config:
                diff = {k: (saved.get(k), v) for k, v in config.items() if saved.get(k) != v}
                raise ValueError(f"cannot resume {self.path}: its run used other settings (saved, now): {diff}")
        else:
            self.start_fresh()
        self.write_config(config)
        return resume_from

    def record_losses(self, losses, ema_losses, iteration: int, resumed: bool, log=print):
        """Write losses.npz: this call's losses, after the saved ones before the resume point.

        `iteration` is the last one done; a resumed run's saved history is cut at the iteration
        resumed from, so the file always reads as one uninterrupted run. Returns (losses, ema_losses).
        """
        old_losses, old_emas = self.read_losses() if resumed else (None, None)
        if old_losses is not None:
            done = iteration - len(losses)  # the iteration resumed from
            if len(old_losses) >= done:
                losses = np.concatenate([old_losses[:done], losses])
                ema_losses = np.concatenate([old_emas[:done], ema_losses])
            elif log:
                log(f"{self.losses_path.name} holds {len(old_losses)} of the {done} iterations before the resume, "
                    f"so the saved loss history starts at iteration {done + 1}")
        self.write_losses(losses, ema_losses)
        return losses, ema_losses

    def save(self, words, counts, params) -> Path:
        """Write vocab.tsv and vectors.txt for stacked parameters (checkpoints come from sgd)."""
        words = list(words)
        if len(counts) != len(words):
            raise ValueError(f"counts must hold one count per word; got {len(counts)} counts for {len(words)} words")
        vectors = word_vectors(params, len(words))  # checked before anything is written
        self.path.mkdir(parents=True, exist_ok=True)
        save_word2vec(self.vectors_path, words, vectors)  # also rejects words a file cannot hold
        with open(self.vocab_path, "w", encoding="utf-8", newline="") as fh:
            for w, c in zip(words, counts):
                fh.write(f"{w}\t{int(c)}\n")
        return self.path

    def load(self) -> Run:
        """Read the run back; a missing or inconsistent one raises an error that says what to do."""
        vocab, vec_file = self.vocab_path, self.vectors_path
        if not vocab.is_file() or not vec_file.is_file():
            raise FileNotFoundError(f"{self.path} holds no finished run (vocab.tsv and vectors.txt): "
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
        losses, emas = self.read_losses()
        return Run(self.path, words, counts, vectors, self.checkpoints(), self.read_config(), losses, emas)


def save_run(run_dir, words, counts, params) -> Path:
    """`RunFolder(run_dir).save(...)`: vocab.tsv and vectors.txt for stacked parameters."""
    return RunFolder(run_dir).save(words, counts, params)


def load_run(run_dir) -> Run:
    """`RunFolder(run_dir).load()`: the finished run in that folder."""
    return RunFolder(run_dir).load()
