"""A training run on disk: `RunFolder` owns every path of it; what the SST training writes and the explorer reads.

    <run>/config.json           the settings of the run (resuming with other settings is refused)
    <run>/losses.npz            every iteration's loss and its 0.95/0.05 moving average (loss_history.py)
    <run>/vocab.tsv             word<TAB>count, one line per word, in index order  } vectors/vector_folder.py
    <run>/vectors.txt           word2vec text format: the word vectors (below)     } (read without the run)
    <run>/checkpoints/sgd_<iteration>.npz   sgd checkpoints; x is the stacked (2|Vocab|, d)
                                parameters [center_vectors; outside_vectors]
    <run>/word_vectors.png      the course's 2-D plot of the same word vectors
    <run>/.w2v-run              the marker: this folder is a run's       } run_owner.py
    <run>/.w2v-run.lock         the lock its one owner holds for the whole run }

`RunFolder` is one class made of parts, each in its own module: its ownership (the lock, the
marker, folders that are not a run's: run_owner.py), its settings and the start of a run (fresh,
resumed or refused: run_settings.py), and the reading of a finished run (finished_run.py, with
`Run` and `word_vectors`); the errors are in run_errors.py. Here: the paths, the writes, and the
names callers import. One owner at a time: `RunFolder.owned()` takes the lock (a second process
gets RunBusyError, naming the holder's pid); `train_sst` and the command line hold it from the
first write to the last. Every write of vectors and plots checks that they are finite.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .._files import remove_leftovers, write_atomically
from ..corpora.sst import default_data_dir
from ..optimizer import CHECKPOINT_PATTERN, list_checkpoints
from ..vectors.vector_folder import VECTORS_FILE, VOCAB_FILE, save_vector_folder
from .finished_run import Run, read_finished_run, word_vectors
from .loss_history import history_before, read_losses, write_losses
from .run_errors import (  # noqa: F401 (the names callers import from here)
    NotARunFolderError,
    RunBusyError,
    RunExistsError,
    RunFolderError,
    RunSettingsError,
    RunWriteError,
)
from .run_owner import LOCK, MARKER, RunOwnership  # noqa: F401
from .run_settings import RunSettings
from .word_plot import COURSE_WORDS, save_word_plot


def default_run_dir() -> Path:
    return default_data_dir() / "sst_run"


def check_finite(array, what: str) -> None:
    """Refuse `array` (2-D, rows are words) with NaN or infinite entries: ValueError naming the rows."""
    finite = np.isfinite(np.asarray(array))
    if not finite.all():
        rows = np.flatnonzero(~finite.reshape(finite.shape[0], -1).all(axis=1))
        raise ValueError(f"{what} hold NaN or infinite values in {len(rows):,} rows (the first: "
                         f"{rows[:5].tolist()}): not written")


class RunFolder(RunOwnership, RunSettings):
    """The folder of one training run: every file's path, and reading and writing each of them.

    Every write is atomic (_files.atomic_file): after a kill, each file is the old one or the
    new one. Errors of the file system come out as RunWriteError, one line naming the path.
    """

    FILES = ("config.json", "losses.npz", VOCAB_FILE, VECTORS_FILE, "word_vectors.png")

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
        return self.path / VOCAB_FILE

    @property
    def vectors_path(self) -> Path:
        return self.path / VECTORS_FILE

    @property
    def plot_path(self) -> Path:
        return self.path / "word_vectors.png"

    def checkpoints(self) -> list:
        """The sgd checkpoints, by iteration."""
        return list_checkpoints(self.checkpoint_dir)

    def latest_checkpoint(self) -> Path | None:
        found = self.checkpoints()
        return found[-1] if found else None

    def found(self) -> str:
        """What the folder holds of a run, in words ('' if nothing): for the messages."""
        parts = []
        if ck := self.checkpoints():
            parts.append(f"{len(ck)} checkpoint{'s' if len(ck) > 1 else ''} (the latest: {ck[-1].name})")
        parts += [name for name in self.FILES[1:] if (self.path / name).is_file()]
        return ", ".join(parts)

    def start_fresh(self) -> None:
        """Remove every file of an earlier run (checkpoints, losses, vocabulary, vectors, plot, config)."""
        with self.writing():
            for old in self.checkpoints():
                old.unlink()
            for name in self.FILES:
                (self.path / name).unlink(missing_ok=True)

    def remove_leftovers(self) -> list:
        """Delete the temporary files of writes that a kill interrupted."""
        with self.writing():
            return (remove_leftovers(self.path, lambda name: name in self.FILES or name == MARKER)
                    + remove_leftovers(self.checkpoint_dir, lambda name: CHECKPOINT_PATTERN.match(name) is not None))

    def read_losses(self):
        """(losses, ema_losses) from losses.npz (see loss_history.py), or (None, None) if there is none."""
        return read_losses(self.losses_path)

    def write_losses(self, losses, ema_losses, finished: bool = False) -> None:
        with self.writing():
            self.path.mkdir(parents=True, exist_ok=True)
            write_losses(self.losses_path, losses, ema_losses, finished)

    def history_before(self, iteration: int, log=print):
        """The saved losses of iterations 1..iteration (NaN where unknown): loss_history.history_before."""
        return history_before(self.losses_path, iteration, log)

    def save(self, words, counts, params) -> Path:
        """Write vocab.tsv and vectors.txt for stacked parameters (checkpoints come from sgd)."""
        words = list(words)
        vectors = word_vectors(params, len(words))  # checked before anything is written
        check_finite(vectors, f"the word vectors for {self.vectors_path}")
        with self.writing():
            save_vector_folder(self.path, words, counts, vectors)  # checks counts and words before it writes
        return self.path

    def save_plot(self, words, vectors, title: str | None = None, path=None) -> Path:
        """The course's 2-D plot of the word vectors, written atomically (default: plot_path)."""
        path = Path(path) if path is not None else self.plot_path
        check_finite(vectors, f"the word vectors for the plot {path}")
        with self.writing():
            path.parent.mkdir(parents=True, exist_ok=True)
            return write_atomically(path, lambda tmp: save_word_plot(tmp, words, vectors, COURSE_WORDS, title=title),
                                    keep_suffix=True)

    def load(self) -> Run:
        """Read the run back (finished_run.py); a missing or inconsistent one raises an error that says what to do."""
        return read_finished_run(self)


def save_run(run_dir, words, counts, params) -> Path:
    """`RunFolder(run_dir).save(...)`: vocab.tsv and vectors.txt for stacked parameters."""
    return RunFolder(run_dir).save(words, counts, params)


def load_run(run_dir) -> Run:
    """`RunFolder(run_dir).load()`: the finished run in that folder."""
    return RunFolder(run_dir).load()
