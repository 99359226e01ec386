"""Vectors a visitor uploads: read in memory with the formats' readers, never from a path.

One word2vec file (text or binary, gzipped or not), or a projector pair (vectors.tsv and a
metadata.tsv, told apart by name). Sizes are checked before any parsing; errors name the
uploaded file and the line, never the file's contents.
"""
from __future__ import annotations

from ..vectors.formats import projector_word_vectors, read_projector_bytes, read_word2vec_bytes
from ..vectors.keyed import WordVectors


def vectors_from_upload(files: dict, max_bytes: int, *, centred: bool = True) -> tuple:
    """{file name: bytes} → (WordVectors, a name for the menu)."""
    if not files:
        raise ValueError("no file was uploaded")
    for name, data in files.items():
        if len(data) > max_bytes:
            raise ValueError(f"{name} is {len(data) / 2**20:.0f} MB; this app takes files up to "
                             f"{max_bytes / 2**20:.0f} MB (keep the most frequent words: gensim's `limit`)")
    tsv = {name: data for name, data in files.items() if name.lower().endswith(".tsv")}
    if tsv:
        meta = [name for name in tsv if "meta" in name.lower()]
        vecs = [name for name in tsv if name not in meta]
        if len(files) != 2 or len(meta) != 1 or len(vecs) != 1:
            raise ValueError("a projector upload is two files at once: the vectors .tsv and its metadata.tsv "
                             "(the words); select both")
        words, vectors, metadata = read_projector_bytes(tsv[vecs[0]], tsv[meta[0]], vecs[0], meta[0])
        return projector_word_vectors(words, vectors, metadata, centred=centred), vecs[0]
    if len(files) != 1:
        raise ValueError("upload one word2vec file (.txt, .bin or .gz), or a vectors.tsv with its metadata.tsv")
    (name, data), = files.items()
    words, vectors = read_word2vec_bytes(data, name)
    return WordVectors(words, vectors, centred=centred), name
