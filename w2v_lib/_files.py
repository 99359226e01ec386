"""Files that are whole or absent: atomic writes, their leftovers, and plain-language OS errors.

Every file a training run or a download writes goes through `atomic_file` (or
`write_atomically`, for writers that only take a path): the bytes go to a temporary file in the
same folder, are flushed to the disk (fsync), and the temporary file is renamed over the
target (os.replace), so that a reader, or the next run after a `kill -9`, sees the old file or
the new one, never half of one. The temporary file is created with mode 0o666, which the
process's umask narrows as it does for any new file: the result gets the user's normal
permissions (tempfile.mkstemp's 0o600 would make vectors.txt unreadable to a group).

A killed write leaves `<name>.<random>.tmp` behind; `remove_leftovers` deletes those of the
names given (the run folder calls it when a run starts).

Fault injection (tests only): `WRITE_HOOKS` is a list of callables `hook(path, fh)` that every
atomic write calls once its bytes are in the temporary file, before the flush and the rename
(fh: the open temporary file, positioned at its end). It is empty in normal use; the
kill-and-resume test's runner (tests/support/fault_runner.py) puts a hook there that truncates the file
to half and SIGKILLs the process, as a kill in the middle of a write would leave it.
"""
from __future__ import annotations

import errno
import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path

TEMP_SUFFIX = ".tmp"
WRITE_HOOKS: list = []  # hook(path, fh) before each rename; see the module's docstring


def _open_temp(path: Path, keep_suffix: bool = False):
    """A new file `<name>.<random>.tmp` beside `path` (`.tmp<suffix>` with keep_suffix), open for writing.

    Returns (fd, temp path). keep_suffix serves writers that choose the format from the file
    name's ending (matplotlib's savefig).
    """
    while True:
        tail = TEMP_SUFFIX + (path.suffix if keep_suffix else "")
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(6)}{tail}")
        try:  # 0o666, narrowed by the umask: the permissions any new file of the user gets
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
        except OSError as err:  # a read-only or full folder: the message names the file being written
            _name_the_target(err, tmp, path)
            raise


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _name_the_target(err: BaseException, tmp: Path, path: Path) -> None:
    """An error about the temporary file names the file being written instead (what the user knows).

    Only the operating system's own errors (with an errno) are renamed: an OSError subclass raised
    with a message of its own (a download's) would print as "[Errno None] None: '<file>'".
    """
    if isinstance(err, OSError) and err.errno is not None and (err.filename is None or str(err.filename) == str(tmp)):
        err.filename = str(path)


def _call_hooks(fh, path: Path) -> None:
    for hook in WRITE_HOOKS:
        hook(path, fh)


@contextmanager
def atomic_file(path):
    """`with atomic_file(path) as fh: fh.write(...)`: `path` gets all the bytes or none of them."""
    path = Path(path)
    fd, tmp = _open_temp(path)
    with _renamed_over(tmp, path), os.fdopen(fd, "wb") as fh:
        yield fh
        _call_hooks(fh, path)
        fh.flush()
        os.fsync(fh.fileno())


def write_atomically(path, write, keep_suffix: bool = False) -> Path:
    """Atomically write `path` with `write(temporary path)`, for writers that take only a path.

    The writer may replace the temporary file by one of its own (e.g. one made by mkstemp,
    mode 0o600): the mode a new file gets here is put back before the rename.
    """
    path = Path(path)
    fd, tmp = _open_temp(path, keep_suffix)
    with _renamed_over(tmp, path):
        mode = os.fstat(fd).st_mode & 0o777
        os.close(fd)
        write(tmp)
        os.chmod(tmp, mode)
        with open(tmp, "r+b") as fh:
            fh.seek(0, os.SEEK_END)
            _call_hooks(fh, path)
            os.fsync(fh.fileno())
    return path


@contextmanager
def _renamed_over(tmp: Path, path: Path):
    """Fill `tmp` in the body; then rename it over `path`. On any failure `tmp` is removed."""
    try:
        yield
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        _name_the_target(err, tmp, path)
        raise
    _fsync_folder(path.parent)


_TEMP_NAME = re.compile(r"(?P<target>.+)\.[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + r"(?P<suffix>\.\w+)?")


def remove_leftovers(folder, is_target) -> list:
    """Delete the temporary files that killed writes left in `folder`; returns their paths.

    A leftover is `<name>.<random>.tmp` (or a writer's own temp file inside ours,
    `<name>.<r1>.tmp.<r2>.tmp`) whose <name> passes `is_target(name)`: only the files of the
    names the caller owns are touched.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for p in folder.iterdir():
        name, stripped = p.name, False
        while (m := _TEMP_NAME.fullmatch(name)) is not None and (m["suffix"] or "") in ("", Path(m["target"]).suffix):
            name, stripped = m["target"], True
        if stripped and is_target(name) and p.is_file():
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


_PLAIN = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of that path is a file, not a folder",
    errno.EEXIST: "a file of that name is in the way",
    errno.EISDIR: "a folder of that name is in the way",
}


def describe_os_error(err: OSError) -> str:
    """What went wrong, in words, with the path: 'the disk is full (/data/run/vectors.txt)'."""
    what = _PLAIN.get(err.errno, err.strerror or str(err))
    where = err.filename
    return f"{what} ({where})" if where else what


def write_together(paths, write) -> list:
    """Write several files as one set (e.g. the projector's vectors.tsv + metadata.tsv): all new or all old.

    `write(temporary paths)` fills one temporary file per target; then each is renamed over its
    target. If the writer fails, no target changes. If a rename fails midway, the targets already
    replaced get their old contents back: each old file stays reachable under a hard link (a copy
    where the file system has no hard links) until every rename is done.
    Returns the target paths.
    """
    paths = [Path(p) for p in paths]
    temps, modes, backups = [], [], {}
    try:
        for path in paths:
            fd, tmp = _open_temp(path)
            temps.append(tmp)
            modes.append(os.fstat(fd).st_mode & 0o777)
            os.close(fd)
        write(list(temps))
        for tmp, mode, path in zip(temps, modes, paths):
            os.chmod(tmp, mode)  # a writer may have replaced our file by one of its own
            with open(tmp, "r+b") as fh:
                fh.seek(0, os.SEEK_END)
                _call_hooks(fh, path)
                os.fsync(fh.fileno())
        for path in paths:
            if path.is_file():
                backups[path] = _keep_old(path)
        done = []
        try:
            for tmp, path in zip(temps, paths):
                os.replace(tmp, path)
                done.append(path)
        except BaseException:
            for path in done:  # put the old set back
                if path in backups:
                    os.replace(backups.pop(path), path)
                else:
                    path.unlink(missing_ok=True)
            raise
    except BaseException as err:
        for tmp, path in zip(temps, paths):
            _name_the_target(err, tmp, path)
        raise
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        for backup in backups.values():
            backup.unlink(missing_ok=True)
    for folder in {p.parent for p in paths}:
        _fsync_folder(folder)
    return paths


def _keep_old(path: Path) -> Path:
    """A second name `<name>.<random>.tmp` for the file at `path` (a copy if hard links fail)."""
    import shutil

    while True:
        backup = path.with_name(f"{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
        try:
            os.link(path, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:
            shutil.copy2(path, backup)
            return backup
