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
import http.client
import os
import shutil
import tempfile
import urllib.request
import zipfile
from pathlib import Path

OFFICIAL_URL = "http://nlp.stanford.edu/~socherr/stanfordSentimentTreebank.zip"  # as the course's get_datasets.sh
ZIP_NAME = "stanfordSentimentTreebank.zip"
FOLDER_NAME = "stanfordSentimentTreebank"
SENTENCES_FILE = "datasetSentences.txt"
SENTENCES_SHA256 = "f7ae959a5ff0565eb860c3f2e600dde118bcb49aee63df8fa9b9a806da235553"
# Members the official zip holds under stanfordSentimentTreebank/ (it also holds SOStr/STree).
EXPECTED_MEMBERS = ("datasetSentences.txt", "datasetSplit.txt", "dictionary.txt", "sentiment_labels.txt")


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


def _fetch(url: str, target: Path, progress: bool, timeout: float) -> None:
    """Stream `url` into `target` through a temporary file: `target` appears only when complete."""
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            bar = None
            if progress:
                from tqdm.auto import tqdm
                bar = tqdm(total=total, unit="B", unit_scale=True, desc=target.name)
            try:
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    if bar is not None:
                        bar.update(len(block))
            finally:
                if bar is not None:
                    bar.close()
            if total is not None and out.tell() != total:
                raise SSTDownloadError(f"the download of {url} stopped after {out.tell()} of {total} bytes; "
                                       "run it again")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _unpack(zip_path: Path, data_dir: Path, sha256: str | None) -> Path:
    """Check the zip, extract the treebank's folder next to it, check datasetSentences.txt."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise SSTVerificationError(f"{zip_path} is damaged (CRC error in {bad}); delete it and download again")
            names = {n for n in zf.namelist() if n.startswith(FOLDER_NAME + "/") and not n.endswith("/")}
            missing = [m for m in EXPECTED_MEMBERS if f"{FOLDER_NAME}/{m}" not in names]
            if missing:
                raise SSTVerificationError(f"{zip_path} is not the treebank's zip: {FOLDER_NAME}/ lacks {missing}")
            staging = Path(tempfile.mkdtemp(prefix=".sst-unpack-", dir=data_dir))
            try:
                for name in sorted(names):
                    rel = Path(name)
                    if rel.is_absolute() or ".." in rel.parts:  # never write outside the staging folder
                        raise SSTVerificationError(f"{zip_path} holds an unsafe member name {name!r}")
                    dest = staging / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(name) as src, open(dest, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                sentences = staging / FOLDER_NAME / SENTENCES_FILE
                if sha256 is not None and sha256_of(sentences) != sha256:
                    raise SSTVerificationError(
                        f"{SENTENCES_FILE} in {zip_path} has sha256 {sha256_of(sentences)}, expected {sha256}: "
                        "this is not the official treebank; delete the zip and download again")
                final = data_dir / FOLDER_NAME
                if final.exists():
                    shutil.rmtree(final)
                os.replace(staging / FOLDER_NAME, final)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except zipfile.BadZipFile as err:
        raise SSTVerificationError(f"{zip_path} is not a valid zip file ({err}); delete it and download again") from err
    return final


def download_sst(data_dir=None, url: str = OFFICIAL_URL, progress: bool = True, *,
                 sha256: str | None = SENTENCES_SHA256, timeout: float = 30.0, keep_zip: bool = False) -> Path:
    """Fetch the treebank's zip into `data_dir`, verify it, unpack it; return the treebank folder.

    A zip already at <data_dir>/stanfordSentimentTreebank.zip (put there by hand) is used instead
    of downloading. Verification: the zip's CRCs, the expected members, and the sha256 of
    datasetSentences.txt (`sha256=None` skips that last check). The zip is removed after a
    successful unpack unless `keep_zip`, as the course's get_datasets.sh does.
    Raises SSTDownloadError when the server cannot be reached, SSTVerificationError for a bad zip.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if not isinstance(url, str) or not url:
        raise ValueError(f"url must be a non-empty string; got {url!r}")
    data_dir.mkdir(parents=True, exist_ok=True)
    zip_path = data_dir / ZIP_NAME
    if not zip_path.is_file():
        try:
            _fetch(url, zip_path, progress, timeout)
        except (OSError, http.client.HTTPException) as err:  # URLError and timeouts are OSErrors
            if isinstance(err, SSTNotFoundError):
                raise
            reason = getattr(err, "reason", None) or err
            raise SSTDownloadError(f"could not download {url} ({reason}). " + _how_to_get_it(data_dir)) from err
    try:
        folder = _unpack(zip_path, data_dir, sha256)
    except SSTVerificationError:
        zip_path.unlink(missing_ok=True)  # a bad zip must not be picked up again next time
        raise
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
