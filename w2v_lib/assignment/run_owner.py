"""Who may write a run folder: its one owner (an exclusive lock) and its marker (this folder is a run's).

    <run>/.w2v-run        the marker ({"format": 1}); without it, a folder that holds anything is
                          not written into unless overwrite=True
    <run>/.w2v-run.lock   the lock (fcntl.flock, _lock.py) its one owner holds for the whole run;
                          the OS releases it when the process ends, however it ends

`RunOwnership` is the part of `RunFolder` (run_folder.py) that does this; it uses the folder's
`path`, `config_path`, `checkpoint_dir` and `FILES`.
"""
from __future__ import annotations

import json
from contextlib import contextmanager

from .._files import atomic_file, describe_os_error
from .._lock import LockHeld, held_lock
from .run_errors import NotARunFolderError, RunBusyError, RunFolderError, RunWriteError

MARKER, LOCK = ".w2v-run", ".w2v-run.lock"
MARKER_FORMAT = 1
RUN_KEYS = frozenset({"seed", "method", "n_words", "corpus"})  # a config.json holding these is a run's


class RunOwnership:
    """The lock, the marker, and the refusal of folders that are not a run's (a RunFolder's part)."""

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

    def check_location(self) -> None:
        """Refuse, before anything is written, a path that is a file or lies under one."""
        for p in (self.path, *self.path.parents):
            if p.exists():
                if not p.is_dir():
                    raise RunWriteError(f"the run folder {self.path} cannot be made: {p} is a file, not a folder; "
                                        "pass another --run-dir (run_dir=)")
                return

    def is_run(self) -> bool:
        """Whether the folder is marked as a run's (or holds the config.json of a run older than the marker)."""
        if (self.path / MARKER).is_file():
            return True
        try:
            saved = json.loads(self.config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(saved, dict) and RUN_KEYS <= set(saved)

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
