"""Names for the coordinates of a gradient check, so a verdict says "u_3 ('coffee'), dim 2", not (12, 2).

A labeller names the entries along the first axis of the checked point x: the rows of a
(|Vocab|, d) table (one word each), the v_w and u_w rows of the stacked (2|Vocab|, d) training
parameters, or the dimensions of one vector such as v_c (d,). `gradcheck(..., labels=...)`
accepts a labeller from the helpers below, a list of row names (e.g. the vocabulary's words),
or a string: the symbol of a vector ("v_c") or of a table's rows ("u").
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Labels:
    """A labeller: `names(shape)` gives one name per entry of axis 0 of an array of that shape.

    `vector` is the name of the whole point when it is one vector (e.g. "v_c"), else None.
    """

    names: Callable[[tuple], list]
    vector: str | None = None
    plain: bool = False  # the default labeller: coordinates stay numpy index tuples

    def bind(self, shape: tuple) -> BoundLabels:
        names = list(self.names(shape)) if len(shape) else []
        if len(shape) and len(names) != shape[0]:
            raise ValueError(f"labels name {len(names)} rows, but the checked array has {shape[0]} "
                             f"(shape {shape}): give one name per row")
        return BoundLabels(names, self.vector, self.plain, len(shape))


@dataclass(frozen=True)
class BoundLabels:
    """A labeller bound to one shape: names of rows (axis 0) and of single coordinates."""

    rows: list
    vector: str | None
    plain: bool
    ndim: int

    def row(self, r: int) -> str:
        return self.rows[r]

    def coordinate(self, idx: tuple) -> str:
        if self.plain or self.ndim == 0:
            return str(tuple(idx))
        rest = idx[1:] if len(idx) > 2 else idx[1:][0] if len(idx) == 2 else None
        return self.rows[idx[0]] if rest is None else f"{self.rows[idx[0]]}, dim {rest}"


def _word_part(words, r: int) -> str:
    return "" if words is None else f" ('{words[r]}')"


def _words_or_count(words):
    """(words or None, |Vocab|) from a sequence of words or an int |Vocab|."""
    if isinstance(words, (int, np.integer)) and not isinstance(words, bool):
        return None, int(words)
    if isinstance(words, str) or not hasattr(words, "__len__"):
        raise ValueError(f"give the words as a list (one per row) or |Vocab| as an int; got {type(words).__name__}")
    return [str(w) for w in words], len(words)


def row_labels(words, symbol: str | None = None) -> Labels:
    """Rows of a (|Vocab|, d) table: row r reads "u_3 ('coffee')" with symbol="u", else "row 3 ('coffee')".

    words: one word per row, or |Vocab| as an int (rows then read "u_3" or "row 3").
    """
    words, n_words = _words_or_count(words)

    def names(shape):
        n = shape[0]
        if n_words != n:
            raise ValueError(f"labels name {n_words} words, but the checked array has {n} rows "
                             f"(shape {shape}): give one word per row")
        stem = f"{symbol}_{{}}" if symbol else "row {}"
        return [stem.format(r) + _word_part(words, r) for r in range(n)]

    return Labels(names)


def stacked_labels(words) -> Labels:
    """The training parameters (2|Vocab|, d) = [center_vectors; outside_vectors]: rows read
    "v_3 ('coffee')" in the first half and "u_3 ('coffee')" in the second.

    words: the |Vocab| words (one per word index), or |Vocab| as an int.
    """
    words, n_words = _words_or_count(words)

    def names(shape):
        if shape[0] != 2 * n_words:
            raise ValueError(f"stacked_labels is for (2|Vocab|, d) = ({2 * n_words}, d) parameters, "
                             f"[center_vectors; outside_vectors]; the checked array has shape {shape}")
        return ([f"v_{r}" + _word_part(words, r) for r in range(n_words)]
                + [f"u_{r}" + _word_part(words, r) for r in range(n_words)])

    return Labels(names)


def vector_labels(symbol: str) -> Labels:
    """One vector, e.g. v_c (d,): coordinate j reads "v_c, dim j"."""
    return Labels(lambda shape: [f"{symbol}, dim {j}" for j in range(shape[0])], vector=symbol)


def _default_names(shape):
    return [f"row {r}" if len(shape) > 1 else f"entry {r}" for r in range(shape[0])]


def as_labels(labels, shape: tuple) -> BoundLabels:
    """Bind what the caller passed as `labels=` to the checked array's shape (None: numpy indices)."""
    if labels is None:
        return Labels(_default_names, plain=True).bind(shape)
    if isinstance(labels, Labels):
        return labels.bind(shape)
    if isinstance(labels, str):
        return (vector_labels(labels) if len(shape) == 1 else row_labels(shape[0], labels)).bind(shape)
    if hasattr(labels, "__len__"):
        if len(shape) == 1:  # one name per entry of a vector
            names = [str(n) for n in labels]
            return Labels(lambda s: names).bind(shape)
        return row_labels(labels).bind(shape)
    raise ValueError("labels must be a list of row names (e.g. the words), a symbol such as 'v_c', or a "
                     f"labeller from row_labels / stacked_labels / vector_labels; got {type(labels).__name__}")
