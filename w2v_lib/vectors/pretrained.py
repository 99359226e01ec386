"""Pretrained vectors from gensim's downloader catalogue (gensim-data), for users with internet.

Only the small single-file sets are offered (GloVe 25–100-d): `download_pretrained` reads the
catalogue (list.json: each file's md5 checksum and size), streams the file into data/pretrained/
through a temporary file with a progress callback and an overall deadline, checks the md5, and
only then moves it into place. Offline, the error says which file to get and where to put it;
a file put there by hand is used as it is.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CATALOGUE_URL = "https://raw.githubusercontent.com/RaRe-Technologies/gensim-data/master/list.json"
DOWNLOAD_URL = "https://github.com/RaRe-Technologies/gensim-data/releases/download"
SMALL_SETS = {  # name → what the menu says
    "glove-wiki-gigaword-50": "GloVe 50-d, Wikipedia + Gigaword (66 MB)",
    "glove-wiki-gigaword-100": "GloVe 100-d, Wikipedia + Gigaword (128 MB)",
    "glove-twitter-25": "GloVe 25-d, Twitter (105 MB)",
}


class PretrainedUnavailable(FileNotFoundError):
    """The vectors are not on disk and cannot be downloaded now; the message says what to do."""


def pretrained_path(name: str, data_dir=None) -> Path:
    """Where the set `name` lives once downloaded: data/pretrained/<name>.gz."""
    from ..corpora.sst import default_data_dir

    return Path(data_dir or default_data_dir()) / "pretrained" / f"{name}.gz"


def md5_of(path) -> str:
    """The md5 hex digest gensim-data's catalogue lists for each file."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "md5").hexdigest()


def _how_to_get(name, target, download_url) -> str:
    return (f"get {download_url}/{name}/{name}.gz by hand (its md5 is listed in gensim-data's list.json) "
            f"and put it at {target}")


def download_pretrained(name: str, data_dir=None, *, catalogue_url: str = CATALOGUE_URL,
                        download_url: str = DOWNLOAD_URL, progress=None, timeout: float = 20.0,
                        deadline: float = 1800.0) -> Path:
    """The path of the set `name`, downloading and verifying it first if it is not there.

    Args:
        progress: optional callback(fraction in [0, 1], text).
        timeout: seconds per network read; deadline: seconds for the whole download.
    """
    if name not in SMALL_SETS:
        raise ValueError(f"unknown pretrained set {name!r}; choose one of {list(SMALL_SETS)}")
    target = pretrained_path(name, data_dir)
    if target.is_file():
        return target
    try:
        with urllib.request.urlopen(catalogue_url, timeout=timeout) as response:
            info = json.load(response)["models"][name]
    except (OSError, ValueError, KeyError) as err:
        raise PretrainedUnavailable(f"cannot read the catalogue at {catalogue_url} ({err}); offline, "
                                    + _how_to_get(name, target, download_url)) from None
    if info.get("parts", 1) != 1:
        raise ValueError(f"{name} comes in {info['parts']} parts; only single-file sets are supported")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    url, end = f"{download_url}/{name}/{name}.gz", time.monotonic() + deadline
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or info.get("file_size") or 0)
            for block in iter(lambda: response.read(1 << 16), b""):
                out.write(block)
                if time.monotonic() > end:
                    raise PretrainedUnavailable(f"the download of {url} took longer than {deadline:.0f} s; "
                                                + _how_to_get(name, target, download_url))
                if progress and total:
                    progress(out.tell() / total, f"downloading {name}: {out.tell() >> 20} of {total >> 20} MB")
        if md5_of(tmp) != info["checksum"]:
            raise ValueError(f"the download of {url} does not match its md5 checksum {info['checksum']}: "
                             "it is damaged; try again")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        raise PretrainedUnavailable(f"cannot download {url} ({err}); " + _how_to_get(name, target, download_url)) \
            from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def load_pretrained(name: str, data_dir=None, *, limit: int = 50_000, centred: bool = True, progress=None,
                    **download_options):
    """The first `limit` words of a pretrained set (most frequent first) as a WordVectors."""
    from .formats import load_word2vec
    from .keyed import WordVectors

    path = download_pretrained(name, data_dir, progress=progress, **download_options)
    if progress:
        progress(1.0, f"reading the {limit:,} most frequent words of {name}")
    words, vectors = load_word2vec(path, limit=limit)
    return WordVectors(words, vectors, centred=centred)
