"""Pretrained vectors from gensim's downloader catalogue (gensim-data), for users with internet.

Only the small single-file sets are offered (GloVe 25–100-d): `download_pretrained` reads the
catalogue (list.json: each file's md5 checksum and size) and fetches the file into
data/pretrained/ with the project's one downloader (corpora/download.py: an overall deadline, a
size cap, the free space, the md5, a gzip that must unpack within a bound, an atomic rename).
Offline, the error says which file to get and where to put it; a file put there by hand is used
as it is.
"""
from __future__ import annotations

import json
from pathlib import Path

from .._files import describe_os_error
from ..corpora.download import DownloadError, fetch, gzip_within, read_url

CATALOGUE_URL = "https://raw.githubusercontent.com/RaRe-Technologies/gensim-data/master/list.json"
DOWNLOAD_URL = "https://github.com/RaRe-Technologies/gensim-data/releases/download"
SMALL_SETS = {  # name → what the menu says
    "glove-wiki-gigaword-50": "GloVe 50-d, Wikipedia + Gigaword (66 MB)",
    "glove-wiki-gigaword-100": "GloVe 100-d, Wikipedia + Gigaword (128 MB)",
    "glove-twitter-25": "GloVe 25-d, Twitter (105 MB)",
}
MAX_PACKED = 512 << 20  # bytes: the largest set offered is 128 MB packed
MAX_UNPACKED = 2 << 30  # bytes: GloVe 100-d unpacks to about 350 MB (text compresses about 3:1)


class PretrainedUnavailable(FileNotFoundError):
    """The vectors are not on disk and cannot be downloaded now; the message says what to do."""


def pretrained_path(name: str, data_dir=None) -> Path:
    """Where the set `name` lives once downloaded: data/pretrained/<name>.gz."""
    from ..corpora.sst import default_data_dir

    return Path(data_dir or default_data_dir()) / "pretrained" / f"{name}.gz"


def _how_to_get(name, target, download_url) -> str:
    return (f"get {download_url}/{name}/{name}.gz by hand (its md5 is listed in gensim-data's list.json) "
            f"and put it at {target}")


def download_pretrained(name: str, data_dir=None, *, catalogue_url: str = CATALOGUE_URL,
                        download_url: str = DOWNLOAD_URL, progress=None, timeout: float = 20.0,
                        deadline: float = 1800.0, max_unpacked: int = MAX_UNPACKED) -> Path:
    """The path of the set `name`, downloading and verifying it first if it is not there.

    Args:
        progress: optional callback(fraction in [0, 1], text).
        timeout: seconds per network read; deadline: seconds for the whole download.
        max_unpacked: bytes the .gz may unpack to; a larger one is refused and not kept.
    """
    if name not in SMALL_SETS:
        raise ValueError(f"unknown pretrained set {name!r}; choose one of {list(SMALL_SETS)}")
    target = pretrained_path(name, data_dir)
    if target.is_file():
        return target
    try:
        info = json.loads(read_url(catalogue_url, timeout=timeout, deadline=min(deadline, 120.0)))["models"][name]
        if not isinstance(info, dict) or not isinstance(info.get("checksum"), str):
            raise ValueError(f"no md5 checksum for {name}")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise PretrainedUnavailable(f"cannot read the catalogue at {catalogue_url} ({err}); offline, "
                                    + _how_to_get(name, target, download_url)) from None
    if info.get("parts", 1) != 1:
        raise ValueError(f"{name} comes in {info['parts']} parts; only single-file sets are supported")
    url = f"{download_url}/{name}/{name}.gz"

    def report(got, declared):
        total = declared or info.get("file_size")
        if progress and total:
            progress(min(got / total, 1.0), f"downloading {name}: {got >> 20} of {total >> 20} MB")

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # fetch removes its own leftovers; these are what the downloader of earlier versions left
        # (mkstemp's owner-only <name>.gz.<random>.part)
        for part in target.parent.glob(f"{target.name}.*.part"):
            part.unlink(missing_ok=True)
        fetch(url, target, timeout=timeout, deadline=deadline, max_bytes=MAX_PACKED, progress=report,
              checksum=("md5", str(info["checksum"])), verify=gzip_within(max_unpacked))
    except DownloadError as err:
        if isinstance(err, ValueError):  # the checksum: a damaged file, not an unreachable one
            raise
        raise PretrainedUnavailable(f"{err}; " + _how_to_get(name, target, download_url)) from None
    except ValueError as err:  # the gzip check (ArchiveError)
        raise ValueError(f"the download of {url} was refused: {err}") from None
    except OSError as err:
        raise PretrainedUnavailable(f"cannot save {name} in {target.parent}: {describe_os_error(err)}") from None
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
