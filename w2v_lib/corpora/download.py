"""The one downloader (the treebank's zip and the pretrained vector sets): nothing half-done is ever kept.

`fetch` streams a URL into a file through `_files.write_atomically` (a temporary file in the
same folder, renamed over the target only when every check passed; the temporary file is
removed on any failure, and `fetch` first removes what a killed earlier `fetch` of the same
target left). Its checks:
- an overall deadline, not only a per-read timeout: a server that sends one byte a second is
  cut off when the deadline passes (a watchdog shuts the connection's socket down, so even a
  trickle of headers cannot hold it open);
- a size limit, against Content-Length before the first byte and against the bytes as they come;
- the free disk space, against Content-Length before the first byte;
- a checksum (md5 or sha256) of the bytes received;
- `verify(temporary path)`, a caller's check of the whole file before it is kept, e.g.
  `gzip_within` (a .gz that would unpack to more than a bound is refused, not cached).
`read_url` is the same transfer into memory (a small catalogue file).

`check_zip` inspects an archive before anything is unpacked: every member's CRC, names that
clash (twice the same name, a name that is both a file and a folder, names that differ only in
case), unsafe paths, and the declared unpacked size against a limit and the free disk space.
"""
from __future__ import annotations

import errno
import gzip
import hashlib
import http.client
import io
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .._files import describe_os_error, remove_leftovers, write_atomically

# errno values that mean our side (the disk) refused, not the network
_LOCAL = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EISDIR}


class DownloadError(OSError):
    """The download did not complete: unreachable, too slow, too large, cut short, or the disk refused."""


class ChecksumError(DownloadError, ValueError):
    """The bytes received do not match the checksum they were published with."""


class ArchiveError(ValueError):
    """An archive is damaged (CRC), holds clashing or unsafe member names, or unpacks too large."""


class _Deadline:
    """Shuts every socket registered with it down when `seconds` have passed since it was made."""

    def __init__(self, seconds: float):
        self.seconds, self.end = seconds, time.monotonic() + seconds
        self._sockets, self._lock, self.expired = [], threading.Lock(), False
        self._timer = threading.Timer(max(seconds, 0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock) -> None:
        try:  # wakes a recv blocked in another thread (close alone may not)
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def _opener(deadline: _Deadline):
    """A urllib opener whose HTTP and HTTPS connections are watched by `deadline`."""

    def watched(base):
        class Connection(base):
            def connect(self):
                super().connect()
                deadline.watch(self.sock)
        return Connection

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(watched(http.client.HTTPConnection), req)

    handlers = [HTTP]
    if hasattr(http.client, "HTTPSConnection"):
        class HTTPS(urllib.request.HTTPSHandler):
            def https_open(self, req):
                return self.do_open(watched(http.client.HTTPSConnection), req, context=self._context)
        handlers.append(HTTPS)
    return urllib.request.build_opener(*handlers)


def _check_declared(url, declared, max_bytes, folder) -> None:
    if declared is not None and declared > max_bytes:
        raise DownloadError(f"{url} is {declared:,} bytes, more than the {max_bytes:,} expected: not downloaded")
    free = shutil.disk_usage(folder).free if folder is not None else None
    if declared is not None and free is not None and declared > free:
        raise DownloadError(f"{url} is {declared:,} bytes but {folder} has {free:,} free: free some space")


def _transfer(url, out, *, timeout, deadline, max_bytes, folder=None, progress=None, checksum=None) -> int:
    """Stream `url` into the binary file `out` with every check but `verify`; returns the byte count.

    progress(bytes so far, declared size or None) is called after each block.
    """
    clock = _Deadline(deadline)
    digest = hashlib.new(checksum[0]) if checksum else None
    try:
        with _opener(clock).open(url, timeout=timeout) as response:
            declared = int(response.headers.get("Content-Length") or 0) or None
            _check_declared(url, declared, max_bytes, folder)
            got = 0
            # read1: one network read per call, so the deadline is checked while bytes trickle
            read = getattr(response, "read1", response.read)  # file:// answers have only read
            for block in iter(lambda: read(1 << 16), b""):
                got += len(block)
                if got > max_bytes:
                    raise DownloadError(f"{url} sent more than {max_bytes:,} bytes: stopped")
                out.write(block)
                if digest is not None:
                    digest.update(block)
                if progress is not None:
                    progress(got, declared)
                if time.monotonic() > clock.end:
                    raise TimeoutError
            if clock.expired:  # the watchdog's shutdown reads as the end of the data
                raise TimeoutError
            if declared is not None and got != declared:
                raise DownloadError(f"the download of {url} stopped after {got:,} of {declared:,} bytes")
    except DownloadError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as err:  # URLError and timeouts are OSErrors
        if clock.expired or (isinstance(err, TimeoutError) and time.monotonic() > clock.end):
            raise DownloadError(f"the download of {url} did not finish within {clock.seconds:g} s") from err
        if isinstance(err, OSError) and err.errno in _LOCAL and not isinstance(err, urllib.error.URLError):
            raise DownloadError(f"could not save {url}: {describe_os_error(err)}") from err
        reason = getattr(err, "reason", None) or err
        raise DownloadError(f"could not download {url} ({reason})") from err
    finally:
        clock.cancel()
    if digest is not None and digest.hexdigest() != checksum[1].lower():
        raise ChecksumError(f"the download of {url} does not match its {checksum[0]} checksum {checksum[1]} "
                            f"(got {digest.hexdigest()}): it is damaged; try again")
    return got


def fetch(url: str, target, *, timeout: float = 30.0, deadline: float = 600.0, max_bytes: int = 1 << 30,
          progress=False, checksum: tuple | None = None, verify=None) -> Path:
    """Download `url` to `target` (atomically); raises DownloadError saying what went wrong.

    `timeout` bounds each network wait, `deadline` the whole transfer (seconds); `max_bytes`
    refuses a larger download, before it starts when the server declares its size.
    `progress`: True for a tqdm bar, or a callback(bytes so far, declared size or None).
    `checksum`: (algorithm, hex digest), e.g. ("md5", "…"); a mismatch raises ChecksumError.
    `verify(path)`: called on the complete temporary file; whatever it raises keeps the file out.
    """
    target = Path(target)
    try:
        remove_leftovers(target.parent, lambda name: name == target.name)  # a killed fetch's temporary file
    except OSError as err:
        raise DownloadError(f"could not save {url}: {describe_os_error(err)}") from err
    bar = callback = None
    if progress is True:
        from tqdm.auto import tqdm
        bar = tqdm(unit="B", unit_scale=True, desc=target.name)

        def callback(got, declared):
            bar.total = declared
            bar.update(got - bar.n)
    elif callable(progress):
        callback = progress

    def write(tmp):
        with open(tmp, "wb") as out:
            _transfer(url, out, timeout=timeout, deadline=deadline, max_bytes=max_bytes, folder=target.parent,
                      progress=callback, checksum=checksum)
        if verify is not None:
            verify(tmp)

    try:
        return write_atomically(target, write)
    except DownloadError:
        raise
    except OSError as err:  # the disk (the temporary file, the rename): _files names the target
        if err.errno is None:
            raise
        raise DownloadError(f"could not save {url}: {describe_os_error(err)}") from err
    finally:
        if bar is not None:
            bar.close()


def read_url(url: str, *, timeout: float = 30.0, deadline: float = 60.0, max_bytes: int = 16 << 20) -> bytes:
    """The bytes at `url` (a small file such as a catalogue), with fetch's deadline and size limit."""
    out = io.BytesIO()
    _transfer(url, out, timeout=timeout, deadline=deadline, max_bytes=max_bytes)
    return out.getvalue()


def gzip_within(max_bytes: int):
    """A `verify` for fetch: the file must be a whole gzip stream that unpacks to at most `max_bytes`."""

    def verify(path):
        size = 0
        try:
            with gzip.open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    size += len(block)
                    if size > max_bytes:
                        raise ArchiveError(f"{Path(path).name} would unpack to more than {max_bytes:,} bytes "
                                           f"(from {Path(path).stat().st_size:,} packed): refused, not kept")
        except (OSError, EOFError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
            raise ArchiveError(f"{Path(path).name} is not a whole gzip file ({err}): not kept") from err

    return verify


def check_zip(zf: zipfile.ZipFile, names, dest, max_bytes: int = 1 << 30) -> int:
    """Check the members `names` of an open zip before they are unpacked into `dest`; returns their size.

    Raises ArchiveError for a damaged member (CRC or compressed data), clashing or unsafe
    names, or a declared unpacked size above `max_bytes` or above the free space at `dest`.
    """
    names = list(names)
    seen, folders = {}, set()
    for name in names:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or "\\" in name or ":" in name:
            raise ArchiveError(f"{zf.filename} holds an unsafe member name {name!r}")
        key = name.casefold()  # two names one case-insensitive disk would write to the same file
        if key in seen:
            raise ArchiveError(f"{zf.filename} holds clashing members {seen[key]!r} and {name!r}")
        seen[key] = name
        folders.update(str(p).casefold() for p in path.parents)
    clash = sorted(set(seen) & folders)
    if clash:
        raise ArchiveError(f"{zf.filename} holds {seen[clash[0]]!r} both as a file and as a folder")
    infos = [zf.getinfo(n) for n in names]
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise ArchiveError(f"{zf.filename} declares {total} bytes unpacked, more than the {max_bytes} expected")
    free = shutil.disk_usage(dest).free
    if total > free:
        raise OSError(errno.ENOSPC, f"{total} bytes to unpack, {free} free", str(dest))
    for info in infos:
        try:
            with zf.open(info) as member:
                while member.read(1 << 20):  # reading to the end checks the CRC and the declared size
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
            raise ArchiveError(f"{zf.filename} is damaged ({info.filename}: {err})") from err
    return total
