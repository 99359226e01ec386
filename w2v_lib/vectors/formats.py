"""Word-vector files: word2vec text and binary (as gensim reads and writes them), the
TensorFlow Embedding Projector's vectors.tsv + metadata.tsv pair, and `load_word_vectors`,
which opens any of them (or a training run folder) as a WordVectors."""
from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np

from .._files import atomic_file

MAX_WORD_BYTES = 4096  # a longer word in a binary file is taken for damage (gensim has no bound)


def _check_pair(words, vectors):
    vecs = np.asarray(vectors)
    if vecs.ndim != 2:
        raise ValueError(f"vectors must be 2-D (|Vocab|, d); got shape {vecs.shape}")
    if vecs.dtype.kind not in "fiu":
        raise ValueError(f"vectors must hold real numbers; got dtype {vecs.dtype}")
    words = [str(w) for w in words]
    if len(words) != vecs.shape[0]:
        raise ValueError(f"got {len(words)} words for {vecs.shape[0]} vectors: one word per row is needed")
    for w in words:
        if not w or any(ch.isspace() for ch in w):
            raise ValueError(f"word {w!r} is empty or contains white space, which the word2vec format cannot hold")
    if len(set(words)) != len(words):
        raise ValueError("words must be unique")
    return words, vecs


def save_word2vec(path, words, vectors, binary: bool = False) -> Path:
    """Write `words` and their (|Vocab|, d) `vectors` in the word2vec text (or binary) format.

    Atomically (_files.atomic_file), with the user's usual permissions (the umask's).
    """
    words, vecs = _check_pair(words, vectors)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as fh:  # readers see the old file or the new one, never half
        fh.write(f"{vecs.shape[0]} {vecs.shape[1]}\n".encode())
        if binary:
            rows = vecs.astype("<f4")
            for w, row in zip(words, rows):
                fh.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:  # 9 significant digits: a float32 reads back exactly
            row_format = " ".join(["%.9g"] * vecs.shape[1])  # one % per row: half the time of a format per number
            for w, row in zip(words, vecs.astype(np.float32)):
                fh.write((w + " " + row_format % tuple(row.tolist()) + "\n").encode("utf-8"))
    return path


def load_word2vec(path, binary: bool | None = None, unicode_errors: str = "strict", limit: int | None = None):
    """Read a word2vec text or binary file (or a .gz of one): returns (words, (|Vocab|, d) float32).

    `binary=None` decides from the content. Lines end at b"\\n" only: a form feed or U+2028
    inside a word stays part of it, as in gensim. `unicode_errors` is gensim's argument of the
    same name: "strict" (the default, as in gensim) stops at a word that is not UTF-8 with an
    error naming its line; "replace" or "ignore" read it as gensim does with that setting.
    `limit` reads only the first so many words (gensim's `limit`). A header that promises more
    than the file can hold is refused before any allocation. Malformed files raise ValueError
    naming the line.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no vector file at {path}")
    gz = path.suffix == ".gz"
    # deflate shrinks at most ~1032:1, so a .gz bounds what it can hold too
    size = path.stat().st_size * (1032 if gz else 1)  # bytes
    with (gzip.open(path, "rb") if gz else open(path, "rb")) as fh:
        return _read_word2vec(fh, path, size, binary, unicode_errors, limit)


def read_word2vec_bytes(data: bytes, name: str, binary: bool | None = None, unicode_errors: str = "strict",
                        limit: int | None = None):
    """`load_word2vec` of a file's bytes held in memory (an upload); `name` labels the errors.
    Gzipped bytes (magic 1f 8b) are unpacked."""
    data = bytes(data)
    gz = data[:2] == b"\x1f\x8b"
    raw = io.BytesIO(data)
    fh = io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb")) if gz else io.BufferedReader(raw)
    with fh:
        return _read_word2vec(fh, name, len(data) * (1032 if gz else 1), binary, unicode_errors, limit)


def _read_word2vec(fh, path, size, binary, unicode_errors, limit):
    """The word2vec reader on an open binary file object of at most `size` bytes (see load_word2vec)."""
    header = fh.readline()
    try:
        n_file, d = (int(t) for t in header.split())
        if n_file < 0 or d < 1:
            raise ValueError
    except ValueError:  # the line itself is not repeated: the file may be anything, even a secret
        raise ValueError(f"{path}: the first line must be '<number of words> <dimension>', as in a word2vec "
                         "file; it is not") from None
    n = n_file if limit is None else min(n_file, int(limit))
    body_size = size - len(header)  # bytes
    sample = fh.peek(20 * min(d, 1 << 16) + 200)[:20 * min(d, 1 << 16) + 200]  # a whole first row of text
    if binary is None:
        binary = not _looks_like_text(sample)
    if binary:  # the smallest row is a 1-byte word, a space and 4d bytes: refuse before allocating
        row = 2 + 4 * d
        if n * row > body_size:
            raise ValueError(f"{path}: binary data ends early at word {body_size // row + 1} of {n}: the "
                             f"header promises {n} words of dimension {d} (at least {n * row:,} bytes) but "
                             f"the file holds {body_size:,} bytes after the header")
        words, vecs = [], np.empty((n, d), dtype=np.float32)
        # never more than n rows can hold: a .gz (or a limit) reads only what it needs
        _read_binary(fh.read(n * (row + 1 + MAX_WORD_BYTES)), path, len(header), n, d, unicode_errors, words, vecs)
    else:  # lines are counted before the table is allocated, so a false header allocates nothing
        words, vecs = _read_text(fh, path, n, n_file, d, unicode_errors)
    _check_rows_finite(path, words, vecs)
    return words, vecs


def _check_rows_finite(path, words, vecs) -> None:
    """Refuse NaN or infinite vectors, naming the file, the row and its word."""
    finite = np.isfinite(vecs).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        raise ValueError(f"{path}: vectors must be finite; row {row + 1} (word {words[row]!r}) holds NaN or infinite "
                         f"values ({int((~finite).sum()):,} such rows in all): the file comes from a run that "
                         "diverged, or is damaged")


def _read_binary(rest, path, offset, n, d, unicode_errors, words, vecs):
    pos = 0
    for i in range(n):
        space = rest.find(b" ", pos)
        if space < 0 or space + 1 + 4 * d > len(rest):
            raise ValueError(f"{path}: binary data ends early at word {i + 1} of {n}")
        words.append(_decode(rest[pos:space], unicode_errors, f"{path}, word {i + 1} (byte {pos + offset})")
                     .lstrip("\n"))
        vecs[i] = np.frombuffer(rest, dtype="<f4", count=d, offset=space + 1)
        pos = space + 1 + 4 * d
        if pos < len(rest) and rest[pos:pos + 1] == b"\n":
            pos += 1


def _read_text(fh, path, n, n_file, d, unicode_errors):
    lines = []  # (line number in the file, bytes); the header is line 1, blank lines are skipped
    longest = MAX_WORD_BYTES + 48 * d + 2  # a word, then d numbers of at most 47 characters each
    # a binary file object splits lines at b"\n" only; readline's bound keeps one endless line (a .gz
    # that unpacks to gigabytes without a newline) from being read whole
    for no, raw in enumerate(iter(lambda: fh.readline(longest + 1), b""), 2):
        if len(raw) > longest:
            raise ValueError(f"{path}, line {no}: longer than {longest:,} bytes, more than a word and {d} numbers "
                             "can take: the file is damaged or not a word2vec text file")
        if raw.strip():
            lines.append((no, raw))
            if len(lines) == n and n < n_file:
                break  # the limit is reached
    if len(lines) != n:
        raise ValueError(f"{path}: the header promises {n_file} words but the file has {len(lines)} vector lines")
    words, vecs = [], np.empty((n, d), dtype=np.float32)  # allocated once the lines are known to be there
    for i, (no, raw) in enumerate(lines):
        line = _decode(raw.rstrip(), unicode_errors, f"{path}, line {no}")  # bytes.rstrip: ASCII space only
        parts = line.split(" ")
        if len(parts) != d + 1:
            raise ValueError(f"{path}, line {no}: expected a word and {d} numbers; got {len(parts) - 1} fields")
        words.append(parts[0])
        try:
            vecs[i] = np.array(parts[1:], dtype=np.float32)
        except ValueError:
            bad = next(j for j, t in enumerate(parts[1:], 1) if not _is_number(t))
            raise ValueError(f"{path}, line {no}: a value is not a number (field {bad + 1})") from None
    return words, vecs


def _decode(raw: bytes, errors: str, where: str,
            fix: str = "re-encode the file as UTF-8, or read it as gensim would with unicode_errors='replace'") -> str:
    try:
        return raw.decode("utf-8", errors=errors)
    except UnicodeDecodeError as err:
        raise ValueError(f"{where}: byte {raw[err.start:err.start + 1]!r} at column {err.start + 1} is not "
                         f"UTF-8; {fix}") from None
    except LookupError:
        raise ValueError(f"unicode_errors must be 'strict', 'replace' or 'ignore'; got {errors!r}") from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_TEXT_NUMBER_BYTES = frozenset(b"0123456789+-.eEinfaINFA \t\r\n")


def _looks_like_text(sample: bytes) -> bool:
    """Whether the first vector line is text: after the word, only characters of decimal numbers
    (a word's own bytes may be anything, even bytes that are not UTF-8)."""
    first = sample.split(b"\n", 1)[0]
    _, space, numbers = first.partition(b" ")
    return bool(space) and bool(numbers.strip()) and set(numbers) <= _TEXT_NUMBER_BYTES


def save_projector_tsv(vectors_path, metadata_path, words, vectors, metadata: dict | None = None):
    """Write the Embedding Projector's pair: vectors.tsv (numbers only) and metadata.tsv.

    metadata.tsv has a header row `word[\t<column>…]` when extra columns are given, and no
    header for a single column, as the projector expects.
    """
    words, vecs = _check_pair(words, vectors)
    metadata = {str(k): [str(v) for v in col] for k, col in (metadata or {}).items()}
    for name, col in metadata.items():
        if len(col) != len(words):
            raise ValueError(f"metadata column {name!r} has {len(col)} values for {len(words)} words")
        # the projector splits on tabs and newlines and knows no quoting, so these cannot be stored
        bad = [v for v in [name, *col] if "\t" in v or "\n" in v or "\r" in v]
        if bad:
            raise ValueError(f"metadata column {name!r} holds a tab or line break, "
                             f"which the TSV cannot hold: {bad[0]!r}")
    with open(vectors_path, "w", encoding="utf-8", newline="") as fh:
        for row in vecs:
            fh.write("\t".join(f"{x:.6g}" for x in row) + "\n")
    with open(metadata_path, "w", encoding="utf-8", newline="") as fh:
        if metadata:
            fh.write("\t".join(["word", *metadata]) + "\n")
        for i, w in enumerate(words):
            fh.write("\t".join([w, *(metadata[k][i] for k in metadata)]) + "\n")


def load_projector_tsv(vectors_path, metadata_path):
    """Read a vectors.tsv + metadata.tsv pair: returns (words, (|Vocab|, d) float32, metadata dict)."""
    return read_projector_bytes(Path(vectors_path).read_bytes(), Path(metadata_path).read_bytes(),
                                vectors_path, metadata_path)


def read_projector_bytes(vectors: bytes, metadata: bytes, vectors_name="vectors.tsv", metadata_name="metadata.tsv"):
    """`load_projector_tsv` of the two files' bytes held in memory (an upload); the names label errors."""
    try:
        vecs = np.loadtxt(io.BytesIO(bytes(vectors)), delimiter="\t", dtype=np.float32, ndmin=2)
    except ValueError:  # numpy's message quotes the offending text: not repeated
        raise ValueError(f"{vectors_name}: every line must be tab-separated numbers") from None
    lines = bytes(metadata).split(b"\n")  # only \n ends a row, as the projector reads it
    if lines and lines[-1] == b"":
        lines.pop()
    rows = [_decode(line.rstrip(b"\r"), "strict", f"{metadata_name}, line {no}", "re-encode the file as UTF-8")
            .split("\t")
            for no, line in enumerate(lines, 1)]
    header = None
    if len(rows) == vecs.shape[0] + 1 and len(rows[0]) > 1:
        header, rows = rows[0], rows[1:]
    if len(rows) != vecs.shape[0]:
        raise ValueError(f"{metadata_name} has {len(rows)} rows for {vecs.shape[0]} vectors in {vectors_name}")
    words = [r[0] if r else "" for r in rows]
    columns = enumerate(header[1:], 1) if header else []
    metadata = {name: [r[j] if j < len(r) else "" for r in rows] for j, name in columns}
    return words, vecs, metadata


def load_word_vectors(path, metadata_path=None, *, centred: bool = True, unicode_errors: str = "strict"):
    """A WordVectors from a folder of vectors.txt + vocab.tsv (a training run's: vector_folder.py),
    a word2vec text/binary file, or a vectors.tsv (+ metadata.tsv, whose "count" column becomes the counts)."""
    from .keyed import WordVectors
    from .vector_folder import load_vector_folder  # which writes through this module

    path = Path(path)
    if path.is_dir():
        words, counts, vectors = load_vector_folder(path)
        return WordVectors(words, vectors, counts, centred=centred)
    if not path.is_file():
        raise FileNotFoundError(f"no such file or folder: {path}; give a run folder, a word2vec file "
                                "or a vectors.tsv")
    if path.suffix == ".tsv":
        meta = Path(metadata_path) if metadata_path else path.with_name("metadata.tsv")
        if not meta.is_file():
            raise FileNotFoundError(f"{path.name} needs its metadata.tsv (the words) beside it or as "
                                    "metadata_path")
        return projector_word_vectors(*load_projector_tsv(path, meta), centred=centred)
    words, vectors = load_word2vec(path, unicode_errors=unicode_errors)
    return WordVectors(words, vectors, centred=centred)


def projector_word_vectors(words, vectors, metadata, *, centred: bool = True):
    """A WordVectors of a projector pair's contents; a "count" metadata column becomes the counts."""
    from .keyed import WordVectors

    counts = metadata.get("count")
    try:
        counts = np.array([int(c) for c in counts]) if counts else None
    except ValueError:
        counts = None
    return WordVectors(words, vectors, counts, centred=centred)
