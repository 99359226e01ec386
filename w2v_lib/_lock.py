"""One owner at a time for a folder: an exclusive `fcntl.flock` on a lock file inside it.

The lock belongs to an open file description, so the operating system releases it when the
process ends, however it ends (kill -9 included): no stale lock is ever left to clear by hand.
The file holds the owner's pid, for the message a second process gets. Within one process the
lock is re-entrant (the command line holds it around `train_sst`, which takes it again).

`fcntl` is POSIX only: on a system without it (Windows) taking a lock raises PlatformUnsupported,
which says what to use instead (README, "Supported platforms").
"""
from __future__ import annotations

import os
import platform
from contextlib import contextmanager
from pathlib import Path

_held = {}  # resolved lock path → [file descriptor, depth]: this process's locks


class PlatformUnsupported(OSError):
    """This system has no `fcntl` (POSIX file locks), which run folders need."""


def _fcntl():
    try:
        import fcntl
    except ImportError:
        raise PlatformUnsupported(
            f"training locks its run folder with fcntl.flock, which {platform.system() or 'this system'} does not "
            "have: the workbook's training and grading run on Linux and macOS; on Windows, use WSL 2 (Windows "
            "Subsystem for Linux) or a Linux container") from None
    return fcntl


class LockHeld(BlockingIOError):
    """Another process holds the lock; `holder` is its pid as the lock file says ('unknown' if unsaid)."""

    def __init__(self, path, holder: str):
        super().__init__(f"{path} is held by process {holder}")
        self.holder = holder


@contextmanager
def held_lock(path):
    """Hold the exclusive lock `path` (created if missing, never deleted) for the block; LockHeld if taken."""
    fcntl = _fcntl()  # POSIX only, like the rest of the kill-safety
    path = Path(path)
    key = str(path.resolve())
    if key in _held:
        _held[key][1] += 1
    else:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise LockHeld(path, holder) from None
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _held[key] = [fd, 1]
    try:
        yield path
    finally:
        _held[key][1] -= 1
        if _held[key][1] == 0:
            os.close(_held.pop(key)[0])  # closing the descriptor releases the lock
