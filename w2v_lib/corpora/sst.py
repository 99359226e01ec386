"""The Stanford Sentiment Treebank: where it lives, how to fetch it, how to read its sentences.

The word2vec assignment trains on `datasetSentences.txt` only. That file is UTF-8 text that was
encoded twice (UTF-8 bytes read as Latin-1, then written as UTF-8 again), so `é` shows up as
`Ã©`; `repair_mojibake` undoes that line by line.

Where the treebank is looked for, in order: the `sst_dir` argument, the environment variable
W2V_SST_DIR, then <data dir>/stanfordSentimentTreebank, where the data dir is $W2V_DATA_DIR or
the repository's data/ folder.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from .._files import describe_os_error, remove_leftovers
from .download import ArchiveError, DownloadError, check_zip, fetch

OFFICIAL_URL = "http://nlp.stanford.edu/~socherr/stanfordSentimentTreebank.zip"  # as the course's get_datasets.sh
ZIP_NAME = "stanfordSentimentTreebank.zip"
FOLDER_NAME = "stanfordSentimentTreebank"
SENTENCES_FILE = "datasetSentences.txt"
SENTENCES_SHA256 = "f7ae959a5ff0565eb860c3f2e600dde118bcb49aee63df8fa9b9a806da235553"
# Members the official zip holds under stanfordSentimentTreebank/ (it also holds SOStr/STree).
EXPECTED_MEMBERS = ("datasetSentences.txt", "datasetSplit.txt", "dictionary.txt", "sentiment_labels.txt")
MAX_ZIP = 100 * 2**20  # the official zip is about 6 MB
MAX_UNPACKED = 1 * 2**30  # its stanfordSentimentTreebank/ unpacks to far less
STAGING_PREFIX = ".sst-unpack-"


class SSTNotFoundError(FileNotFoundError):
    """The treebank is not where it was looked for; the message says how to get it."""


class SSTDownloadError(SSTNotFoundError):
    """The download failed (offline, unreachable, HTTP error); the message says what to do by hand."""


class SSTVerificationError(ValueError):
    """A downloaded or hand-placed zip is damaged, incomplete or not the expected treebank."""


def default_data_dir() -> Path:
    """$W2V_DATA_DIR if set, else the repository's data/ folder (beside the w2v_lib package)."""
    env = os.environ.get("W2V_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data"


def _how_to_get_it(data_dir: Path) -> str:
    return (f"Get it with `python -m w2v_lib download` (or w2v_lib.download_sst()), which fetches {OFFICIAL_URL}. "
            f"By hand: download that zip, put it at {data_dir / ZIP_NAME} and run the download command again "
            f"(it unpacks and checks a zip already there), or unzip it so that "
            f"{data_dir / FOLDER_NAME / SENTENCES_FILE} exists; or point W2V_SST_DIR (or sst_dir=) at a folder "
            f"that holds {SENTENCES_FILE}.")


def _folder_with_sentences(path: Path) -> Path | None:
    """`path` itself or its stanfordSentimentTreebank/ subfolder, whichever holds the sentences."""
    for candidate in (path, path / FOLDER_NAME):
        if (candidate / SENTENCES_FILE).is_file():
            return candidate
    return None


def find_sst(sst_dir=None, download: bool = False) -> Path:
    """The folder that contains datasetSentences.txt.

    An explicit `sst_dir` or W2V_SST_DIR that does not hold the file is an error (never a silent
    fall-through to another copy). Otherwise the repository's data/ folder is searched, and with
    `download=True` the treebank is fetched there when it is missing (see download_sst).
    Raises SSTNotFoundError, whose message says how to get it.
    """
    data_dir = default_data_dir()
    for source, given in (("sst_dir", sst_dir), ("W2V_SST_DIR", os.environ.get("W2V_SST_DIR"))):
        if given:
            found = _folder_with_sentences(Path(given).expanduser())
            if found is None:
                raise SSTNotFoundError(f"{source}={given!s} does not contain {SENTENCES_FILE}. "
                                       + _how_to_get_it(data_dir))
            return found
    found = _folder_with_sentences(data_dir / FOLDER_NAME)
    if found is None and download:
        return download_sst(data_dir)
    if found is None:
        raise SSTNotFoundError(f"the Stanford Sentiment Treebank is not in {data_dir} "
                               "(and W2V_SST_DIR is not set). " + _how_to_get_it(data_dir))
    return found


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unpack(zip_path: Path, data_dir: Path, sha256: str | None, max_bytes: int) -> Path:
    """Check the zip (download.check_zip), extract the treebank's folder next to it, check datasetSentences.txt.

    The members go to a staging folder first, renamed into place only when all are there and
    verified: an interrupted unpack leaves no half treebank (and its staging folder is removed).
    """
    try:
        with zipfile.ZipFile(zip_path) as zf:
            names = sorted(n for n in zf.namelist() if n.startswith(FOLDER_NAME + "/") and not n.endswith("/"))
            missing = [m for m in EXPECTED_MEMBERS if f"{FOLDER_NAME}/{m}" not in names]
            if missing:
                raise SSTVerificationError(f"{zip_path} is not the treebank's zip: {FOLDER_NAME}/ lacks {missing}")
            check_zip(zf, names, data_dir, max_bytes)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data_dir))
            try:
                for name in names:
                    dest = staging / name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(name) as src, open(dest, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                sentences = staging / FOLDER_NAME / SENTENCES_FILE
                if sha256 is not None and sha256_of(sentences) != sha256:
                    raise SSTVerificationError(
                        f"{SENTENCES_FILE} in {zip_path} has sha256 {sha256_of(sentences)}, expected {sha256}: "
                        "this is not the official treebank")
                final = data_dir / FOLDER_NAME
                if final.is_dir():
                    shutil.rmtree(final)
                elif final.exists():
                    raise SSTVerificationError(f"a file named {final} is in the way of the treebank's folder: "
                                               "move it away and run the download again")
                os.replace(staging / FOLDER_NAME, final)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except zipfile.BadZipFile as err:
        raise SSTVerificationError(f"{zip_path} is not a valid zip file ({err})") from err
    except ArchiveError as err:  # its message names the zip and what is wrong with it
        raise SSTVerificationError(str(err)) from err
    except OSError as err:  # the disk, not the zip: keep the zip, say what to free
        if isinstance(err, SSTNotFoundError):
            raise
        raise SSTDownloadError(f"could not unpack {zip_path}: {describe_os_error(err)}; "
                               "free some space and run the download again (the zip is kept)") from err
    return final


def _remove_leftovers(data_dir: Path) -> None:
    """What a killed download or unpack left: the partial zip and the staging folders."""
    remove_leftovers(data_dir, lambda name: name == ZIP_NAME)
    for staging in data_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(staging, ignore_errors=True)


def download_sst(data_dir=None, url: str = OFFICIAL_URL, progress: bool = True, *,
                 sha256: str | None = SENTENCES_SHA256, timeout: float = 30.0, deadline: float = 900.0,
                 keep_zip: bool = False) -> Path:
    """Fetch the treebank's zip into `data_dir`, verify it, unpack it; return the treebank folder.

    A zip already at <data_dir>/stanfordSentimentTreebank.zip (put there by hand) is used instead
    of downloading. Verification (download.check_zip): every member's CRC, the expected members,
    no clashing or unsafe names, the declared unpacked size (at most MAX_UNPACKED bytes, and no
    more than the disk has free), then the sha256 of datasetSentences.txt (`sha256=None` skips
    it). A zip that fails is deleted, so the next attempt downloads it again. `timeout` bounds
    each network wait, `deadline` the whole download (seconds). The zip is removed after a
    successful unpack unless `keep_zip`, as the course's get_datasets.sh does.
    Raises SSTDownloadError when the download fails (unreachable, too slow, disk full),
    SSTVerificationError for a bad zip.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if not isinstance(url, str) or not url:
        raise ValueError(f"url must be a non-empty string; got {url!r}")
    for name, value in (("timeout", timeout), ("deadline", deadline)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
            raise ValueError(f"{name} must be a positive number of seconds; got {value!r}")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(data_dir)
    except OSError as err:
        raise SSTDownloadError(f"cannot use {data_dir} for the treebank: {describe_os_error(err)}") from err
    zip_path = data_dir / ZIP_NAME
    if not zip_path.is_file():
        try:
            fetch(url, zip_path, timeout=timeout, deadline=deadline, max_bytes=MAX_ZIP, progress=progress)
        except DownloadError as err:
            raise SSTDownloadError(f"{err}. " + _how_to_get_it(data_dir)) from err
    try:
        folder = _unpack(zip_path, data_dir, sha256, MAX_UNPACKED)
    except SSTVerificationError as err:
        zip_path.unlink(missing_ok=True)  # a bad zip must not be picked up again next time
        raise SSTVerificationError(f"{err}; it was deleted: run the download again") from err
    if not keep_zip:
        zip_path.unlink(missing_ok=True)
    return folder


def repair_mojibake(line: str) -> str:
    """Undo one round of UTF-8-read-as-Latin-1 (`Ã©` → `é`); lines that are not mojibake pass unchanged.

    A clean line either has a character outside Latin-1 (cannot be re-encoded) or its Latin-1
    bytes are not valid UTF-8 (a lone `é` is byte E9), so it is returned as it is.
    """
    if line.isascii():
        return line
    try:
        return line.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return line


def read_sentences(path=None, repair: bool = True) -> list:
    """The treebank's sentences as lists of lowercase tokens, in file order.

    `path` is datasetSentences.txt or a folder holding it (default: find_sst()). The header line
    is skipped, the index column dropped, and the rest split on white space; the treebank's own
    tokens (`-lrb-`, `` `` ``, `'s`, `n't`) are kept as they are. Empty sentences are kept as [].
    """
    path = find_sst() if path is None else Path(path)
    if path.is_dir():
        path = _folder_with_sentences(path)
        if path is None:
            raise SSTNotFoundError(f"no {SENTENCES_FILE} in the folder given. " + _how_to_get_it(default_data_dir()))
        path = path / SENTENCES_FILE
    if not path.is_file():
        raise SSTNotFoundError(f"{path} does not exist. " + _how_to_get_it(default_data_dir()))
    try:
        return _read_sentence_lines(path, repair)
    except UnicodeDecodeError as err:  # the decoder knows the byte, not the line: find it
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as bad:
                    raise ValueError(f"{path}, line {number}: byte {raw[bad.start:bad.start + 1]!r} at column "
                                     f"{bad.start + 1} is not UTF-8 ({bad.reason}); the treebank's file is UTF-8: "
                                     "restore it or download it again") from None
        raise ValueError(f"{path} is not UTF-8 ({err})") from None


def _read_sentence_lines(path: Path, repair: bool) -> list:
    sentences = []
    with open(path, encoding="utf-8", newline="\n") as fh:
        header = fh.readline()
        if not header.startswith("sentence_index"):
            raise ValueError(f"{path.name} must start with the header 'sentence_index<TAB>sentence'; "
                             f"got {header[:40]!r}")
        for number, line in enumerate(fh, start=2):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if repair:
                line = repair_mojibake(line)
            index, _, text = line.partition("\t")
            if not index.strip().isdigit():
                raise ValueError(f"{path.name}, line {number}: expected '<index><TAB><sentence>'; got {line[:40]!r}")
            sentences.append([w.lower() for w in text.split()])
    return sentences
