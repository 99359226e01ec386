"""Word-vector files: word2vec text and binary (as gensim reads and writes them), and the
TensorFlow Embedding Projector's vectors.tsv + metadata.tsv pair."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


def _check_pair(words, vectors):
    vecs = np.asarray(vectors)
    if vecs.ndim != 2:
        raise ValueError(f"vectors must be 2-D (|V|, d); got shape {vecs.shape}")
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
    """Write `words` and their (|V|, d) `vectors` in the word2vec text (or binary) format."""
    words, vecs = _check_pair(words, vectors)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(f"{vecs.shape[0]} {vecs.shape[1]}\n".encode())
            if binary:
                rows = vecs.astype("<f4")
                for w, row in zip(words, rows):
                    fh.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")
            else:  # 9 significant digits: a float32 reads back exactly
                for w, row in zip(words, vecs.astype(np.float32)):
                    fh.write((w + " " + " ".join(f"{x:.9g}" for x in row) + "\n").encode("utf-8"))
        os.replace(tmp, path)  # readers see the old file or the new one, never half
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_word2vec(path, binary: bool | None = None):
    """Read a word2vec text or binary file: returns (words list, (|V|, d) float32 array).

    `binary=None` decides from the content. Malformed files raise ValueError naming the line.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no vector file at {path}")
    with open(path, "rb") as fh:
        header = fh.readline()
        try:
            n, d = (int(t) for t in header.split())
            if n < 0 or d < 1:
                raise ValueError
        except ValueError:
            raise ValueError(f"{path}: the first line must be '<number of words> <dimension>'; "
                             f"got {header[:60]!r}") from None
        rest = fh.read()
    if binary is None:
        binary = b"\0" in rest[: 4 * d + 200] or not _looks_like_text(rest[:2000])
    words, vecs = [], np.empty((n, d), dtype=np.float32)
    if binary:
        pos = 0
        for i in range(n):
            space = rest.find(b" ", pos)
            if space < 0 or space + 1 + 4 * d > len(rest):
                raise ValueError(f"{path}: binary data ends early at word {i + 1} of {n}")
            words.append(rest[pos:space].decode("utf-8", errors="replace").lstrip("\n"))
            vecs[i] = np.frombuffer(rest, dtype="<f4", count=d, offset=space + 1)
            pos = space + 1 + 4 * d
            if pos < len(rest) and rest[pos:pos + 1] == b"\n":
                pos += 1
    else:
        # (line number in the file, text): the header is line 1; blank lines are skipped
        lines = [(no, ln) for no, ln in enumerate(rest.decode("utf-8", errors="replace").splitlines(), 2)
                 if ln.strip()]
        if len(lines) != n:
            raise ValueError(f"{path}: the header promises {n} words but the file has {len(lines)} vector lines")
        for i, (no, line) in enumerate(lines):
            parts = line.rstrip().split(" ")
            if len(parts) != d + 1:
                raise ValueError(f"{path}, line {no}: expected a word and {d} numbers; got {len(parts) - 1} fields")
            words.append(parts[0])
            try:
                vecs[i] = np.array(parts[1:], dtype=np.float32)
            except ValueError:
                raise ValueError(f"{path}, line {no}: a value is not a number: {line[:60]!r}") from None
    return words, vecs


def _looks_like_text(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:  # a cut multi-byte character at the end is still text
        return err.start > len(sample) - 4
    return True


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
    """Read a vectors.tsv + metadata.tsv pair: returns (words, (|V|, d) float32, metadata dict)."""
    try:
        vecs = np.loadtxt(vectors_path, delimiter="\t", dtype=np.float32, ndmin=2)
    except ValueError as err:
        raise ValueError(f"{vectors_path}: every line must be tab-separated numbers ({err})") from None
    with open(metadata_path, encoding="utf-8", newline="") as fh:
        rows = [line.rstrip("\r\n").split("\t") for line in fh]
    header = None
    if len(rows) == vecs.shape[0] + 1 and len(rows[0]) > 1:
        header, rows = rows[0], rows[1:]
    if len(rows) != vecs.shape[0]:
        raise ValueError(f"{metadata_path} has {len(rows)} rows for {vecs.shape[0]} vectors in {vectors_path}")
    words = [r[0] if r else "" for r in rows]
    columns = enumerate(header[1:], 1) if header else []
    metadata = {name: [r[j] if j < len(r) else "" for r in rows] for j, name in columns}
    return words, vecs, metadata
