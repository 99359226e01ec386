"""A training run on disk: `RunFolder` owns every path of it; what the SST training writes and the explorer reads.

    <run>/config.json           the settings of the run (resuming with other settings is refused)
    <run>/losses.npz            every iteration's loss and its 0.95/0.05 moving average (loss_history.py)
    <run>/vocab.tsv             word<TAB>count, one line per word, in index order
    <run>/vectors.txt           word2vec text format: the word vectors (below)
    <run>/checkpoints/sgd_<iteration>.npz   sgd checkpoints; x is the stacked (2|V|, d)
                                parameters [center_vectors; outside_vectors]
    <run>/word_vectors.png      the course's 2-D plot of the same word vectors
    <run>/.w2v-run              the marker: this folder is a run's ({"format": 1}); without it, a folder
                                that holds anything is not written into unless overwrite=True
    <run>/.w2v-run.lock         the lock (fcntl.flock) its one owner holds for the whole run; the OS
                                releases it when the process ends, however it ends

One owner at a time: `RunFolder.owned()` takes the lock (a second process gets RunBusyError,
naming the holder's pid); `train_sst` and the command line hold it from the first write to the
last. Every write of vectors and plots checks that they are finite.

"Word vectors" means one thing here: each word's center and outside vectors side by side,
[v_w, u_w], (|V|, 2d) (`word_vectors`), as the 2017 assignment's q3_run.py shows them.
"""
from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._files import atomic_file, describe_os_error, remove_leftovers, write_atomically
from .._lock import LockHeld, held_lock
from ..corpora.sst import default_data_dir
from ..optimizer import CHECKPOINT_PATTERN, list_checkpoints, load_checkpoint
from ..vectors.formats import load_word2vec, save_word2vec
from .loss_history import DamagedHistoryError, finished_at, history_before, read_losses, write_losses
from .word_plot import COURSE_WORDS, save_word_plot


def _refuse_constant(path, word):
    raise RunSettingsError(f"{path} holds {word}, which is not a setting: restore it, or start the run again "
                           "with --overwrite")


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


class RunFolderError(Exception):
    """A run folder cannot be used as asked; the message (one line) says what was found and what to do."""


class RunExistsError(RunFolderError, FileExistsError):
    """A fresh run was asked for in a folder that holds an earlier run's data."""


class RunSettingsError(RunFolderError, ValueError):
    """Resuming a run with settings other than its own, or with nothing to resume from."""


class RunWriteError(RunFolderError, OSError):
    """The folder cannot be written: read-only or full disk, no permission, a file in the way."""


class RunBusyError(RunFolderError, BlockingIOError):
    """Another process owns the run folder (holds its lock) right now."""


class NotARunFolderError(RunFolderError, FileExistsError):
    """The folder holds files that are not a run's; nothing is written there without overwrite."""


MARKER, LOCK = ".w2v-run", ".w2v-run.lock"
MARKER_FORMAT = 1


def check_finite(array, what: str) -> None:
    """Refuse `array` (2-D, rows are words) with NaN or infinite entries: ValueError naming the rows."""
    finite = np.isfinite(np.asarray(array))
    if not finite.all():
        rows = np.flatnonzero(~finite.reshape(finite.shape[0], -1).all(axis=1))
        raise ValueError(f"{what} hold NaN or infinite values in {len(rows):,} rows (the first: "
                         f"{rows[:5].tolist()}): not written")


def _changes(saved: dict, config: dict) -> list:
    """The settings `config` changes of `saved` ("name before → now"), for resume's message."""
    return [f"{key} {saved.get(key)} → {config.get(key)}" for key in sorted(set(saved) | set(config))
            if saved.get(key) != config.get(key)]


class RunFolder:
    """The folder of one training run: every file's path, and reading and writing each of them.

    Every write is atomic (_files.atomic_file): after a kill, each file is the old one or the
    new one. Errors of the file system come out as RunWriteError, one line naming the path.
    """

    FILES = ("config.json", "losses.npz", "vocab.tsv", "vectors.txt", "word_vectors.png")
    RUN_KEYS = frozenset({"seed", "method", "n_words", "corpus"})  # a config.json holding these is a run's

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

    @contextmanager
    def writing(self):
        """Turn the file system's errors inside the block into RunWriteError (one line, with the path)."""
        try:
            yield
        except RunFolderError:
            raise
        except OSError as err:
            raise RunWriteError(f"cannot write the run folder {self.path}: {describe_os_error(err)}") from err

    @contextmanager
    def owned(self):
        """Hold the folder's lock for the block (re-entrant in one process; the OS releases it on death).

        Another process holding it: RunBusyError, one line naming its pid and what to do.
        """
        self.check_location()
        lock = held_lock(self.path / LOCK)
        with self.writing():  # a read-only folder: RunWriteError naming the lock file
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                lock.__enter__()
            except LockHeld as err:
                raise RunBusyError(f"{self.path} is in use by another training process (pid {err.holder}): wait "
                                   "for it to finish (or stop it), then run again, or choose another --run-dir "
                                   "(run_dir=)") from None
        try:
            yield self
        finally:
            lock.__exit__(None, None, None)

    def is_run(self) -> bool:
        """Whether the folder is marked as a run's (or holds the config.json of a run older than the marker)."""
        if (self.path / MARKER).is_file():
            return True
        try:
            saved = json.loads(self.config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(saved, dict) and self.RUN_KEYS <= set(saved)

    def foreign(self) -> list:
        """The names in the folder a run did not write (empty for a run's folder or no folder)."""
        if not self.path.is_dir() or self.is_run():
            return []
        ours = {*self.FILES, self.checkpoint_dir.name, MARKER, LOCK}
        return sorted(p.name for p in self.path.iterdir()
                      if p.name not in ours or (p.name == self.config_path.name))

    def check_not_foreign(self, overwrite: bool) -> None:
        """Refuse a folder that is not a run's: always if a file has a run's name, else unless overwrite."""
        others = self.foreign()
        if not others:
            return
        if self.config_path.name in others:
            raise NotARunFolderError(f"{self.path} is not a run folder: its config.json is not a run's "
                                     f"({self.config_path.read_text(encoding='utf-8', errors='replace')[:60]!r}); "
                                     "nothing was written: move it away, or choose another --run-dir (run_dir=)")
        if not overwrite:
            listed = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
            raise NotARunFolderError(f"{self.path} is not a run folder: it holds {listed}; nothing was written: "
                                     "choose another --run-dir (run_dir=), or pass --overwrite (overwrite=True) to "
                                     "add a run beside them (they are kept)")

    def mark(self) -> None:
        """Write the marker that says this folder is a run's."""
        with self.writing():
            with atomic_file(self.path / MARKER) as fh:
                fh.write((json.dumps({"format": MARKER_FORMAT}) + "\n").encode("utf-8"))

    def check_location(self) -> None:
        """Refuse, before anything is written, a path that is a file or lies under one."""
        for p in (self.path, *self.path.parents):
            if p.exists():
                if not p.is_dir():
                    raise RunWriteError(f"the run folder {self.path} cannot be made: {p} is a file, not a folder; "
                                        "pass another --run-dir (run_dir=)")
                return

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

    def read_config(self) -> dict | None:
        """config.json as a dict (None if there is no file); anything but a JSON object is refused."""
        if not self.config_path.is_file():
            return None
        try:
            saved = json.loads(self.config_path.read_text(encoding="utf-8"),
                               parse_constant=lambda word: _refuse_constant(self.config_path, word))
        except RunSettingsError:
            raise
        except (ValueError, UnicodeDecodeError) as err:
            raise RunSettingsError(f"{self.config_path} is not readable JSON ({err}); "
                                   "restore it, or start the run again with --overwrite") from err
        if not isinstance(saved, dict):
            raise RunSettingsError(f"{self.config_path} must hold a JSON object of the run's settings; got "
                                   f"{json.dumps(saved)[:40]}: restore it, or start the run again with --overwrite")
        return saved

    def write_config(self, config: dict) -> None:
        with self.writing():
            self.path.mkdir(parents=True, exist_ok=True)
            with atomic_file(self.config_path) as fh:
                fh.write((json.dumps(config, indent=1) + "\n").encode("utf-8"))

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

    def _reruns_itself(self, config: dict, iterations: int | None, changes=_changes) -> bool:
        """Whether a fresh run of `config` for `iterations` rewrites every file here as it is (nothing lost):
        the same settings, a finished run no longer than the new one, no checkpoint past its end."""
        done = finished_at(self.losses_path)
        if iterations is None or done is None or done > iterations or not self.vectors_path.is_file():
            return False
        latest = self.latest_checkpoint()
        if latest is not None and int(CHECKPOINT_PATTERN.match(latest.name).group(1)) > done:
            return False
        try:
            saved = self.read_config()
        except RunSettingsError:
            return False
        return saved is not None and not changes(saved, config)

    def begin(self, config: dict, resume=False, overwrite: bool = False, log=print,
              iterations: int | None = None, check_saved=None, changes=_changes) -> Path | None:
        """Start or resume a run with `config`; returns the checkpoint to resume from (None: fresh).

        Holds the folder's lock while it works (callers that train hold it for the whole run:
        `owned`). `resume` is False (a fresh run), True (the latest checkpoint; none yet, in a
        folder whose config.json matches: iteration 0) or a checkpoint path.
        A folder that is not a run's (no marker, files a run did not write) is refused
        (NotARunFolderError); with `overwrite` a run is added beside those files, but a config.json
        that is not a run's is never replaced. A fresh run in a folder that holds an earlier run's
        checkpoints, losses or vectors is refused (RunExistsError, saying what is there) unless
        `overwrite`, which deletes them (and only them), or unless it is the same run again: the
        folder's run finished, with the same config, in no more than `iterations`, so that every
        file is rewritten as it was (a notebook run twice).
        Resuming: config.json is checked by `check_saved(saved)` (field by field), and a run whose
        results `config` would change is refused (RunSettingsError), naming what `changes(saved,
        config)` lists (by default every setting that differs). Leftover temporary files of killed writes are removed.
        """
        if resume and overwrite:
            raise RunSettingsError("resume and overwrite exclude each other: continue the run or start it over")
        self.check_location()
        with self.owned():
            self.remove_leftovers()
            self.check_not_foreign(overwrite)
            resume_from = None
            if resume:
                saved = self.read_config()
                if saved is not None and check_saved is not None:
                    check_saved(saved)
                if saved is not None and (changed := changes(saved, config)):
                    raise RunSettingsError(f"cannot resume {self.path}: it would change the run's results; "
                                           f"{'; '.join(changed)}. Resume with the run's own settings, or start "
                                           "over with --overwrite (overwrite=True), or in another --run-dir")
                resume_from = Path(resume) if not isinstance(resume, bool) else self.latest_checkpoint()
                if resume_from is None and saved is None:
                    raise RunSettingsError(f"resume was asked for but {self.path} holds no run (no config.json, "
                                           "no checkpoint): check --run-dir, or train without --resume")
                if resume_from is None and log:  # stopped before its first checkpoint: iteration 0 is where it resumes
                    log(f"{self.path} holds no checkpoint yet: the run starts again from iteration 0")
            elif what := self.found():
                if not overwrite and self._reruns_itself(config, iterations, changes):
                    overwrite = True
                    if log:
                        log(f"{self.path} holds this same run, finished: it is trained again and its files rewritten")
                if not overwrite:
                    latest = self.latest_checkpoint()
                    hint = (f"continue it from {latest.name} with --resume (resume=True), " if latest else "")
                    raise RunExistsError(f"{self.path} already holds a run ({what}): {hint}start over with "
                                         "--overwrite (overwrite=True), which deletes it, or choose another "
                                         "--run-dir (run_dir=)")
                self.start_fresh()
            self.mark()
            self.write_config(config)
        return resume_from

    def save(self, words, counts, params) -> Path:
        """Write vocab.tsv and vectors.txt for stacked parameters (checkpoints come from sgd)."""
        words = list(words)
        if len(counts) != len(words):
            raise ValueError(f"counts must hold one count per word; got {len(counts)} counts for {len(words)} words")
        vectors = word_vectors(params, len(words))  # checked before anything is written
        check_finite(vectors, f"the word vectors for {self.vectors_path}")
        with self.writing():
            self.path.mkdir(parents=True, exist_ok=True)
            # save_word2vec checks the words (white space, repeats) before it writes a byte
            write_atomically(self.vectors_path, lambda tmp: save_word2vec(tmp, words, vectors))
            with atomic_file(self.vocab_path) as fh:
                fh.write("".join(f"{w}\t{int(c)}\n" for w, c in zip(words, counts)).encode("utf-8"))
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
        try:
            losses, emas = self.read_losses()
        except DamagedHistoryError:  # the vectors are what a reader wants; a damaged history does not hide them
            losses = emas = None
        return Run(self.path, words, counts, vectors, self.checkpoints(), self.read_config(), losses, emas)


def save_run(run_dir, words, counts, params) -> Path:
    """`RunFolder(run_dir).save(...)`: vocab.tsv and vectors.txt for stacked parameters."""
    return RunFolder(run_dir).save(words, counts, params)


def load_run(run_dir) -> Run:
    """`RunFolder(run_dir).load()`: the finished run in that folder."""
    return RunFolder(run_dir).load()
