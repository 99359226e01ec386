"""Argument checks shared by every public function.

Each check raises a ValueError that names the argument, what it got and what it expects,
so a student who passes a (d, |Vocab|) matrix where a (|Vocab|, d) one belongs is told so at once.
"""
from __future__ import annotations

import numbers

import numpy as np


def as_vector(x, name: str, dim: int | None = None) -> np.ndarray:
    """Return `x` as a 1-D float array, checking its length against `dim` if given."""
    arr = np.asarray(x)
    if arr.ndim != 1:
        expected = f"({dim},)" if dim is not None else "(d,)"
        raise ValueError(f"{name} must be a 1-D vector of shape {expected}; got shape {arr.shape}")
    if dim is not None and arr.shape[0] != dim:
        raise ValueError(f"{name} must have shape ({dim},) to match the word vectors; got shape {arr.shape}")
    return _as_float(arr, name)


def as_matrix(x, name: str, cols: int | None = None, rows: int | None = None) -> np.ndarray:
    """Return `x` as a 2-D float array of words-as-rows, checking its shape."""
    arr = np.asarray(x)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (|Vocab|, d), one word per row; got shape {arr.shape}")
    if cols is not None and arr.shape[1] != cols:
        raise ValueError(
            f"{name} must have {cols} columns (the vector dimension d); got shape {arr.shape}. "
            "Vectors are rows here: pass the handout's U transposed.")
    if rows is not None and arr.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows (one per vocabulary word); got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one word vector; got shape {arr.shape}")
    return _as_float(arr, name)


def as_index(i, name: str, n: int) -> int:
    """Return `i` as a Python int in [0, n)."""
    if isinstance(i, (bool, np.bool_)) or not isinstance(i, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer word index in [0, {n}); got {i!r}")
    if not 0 <= int(i) < n:
        raise ValueError(f"{name} must be a word index in [0, {n}); got {int(i)}")
    return int(i)


def as_indices(idx, name: str, n: int, allow_empty: bool = True) -> np.ndarray:
    """Return `idx` as a 1-D int64 array of word indices in [0, n)."""
    arr = np.asarray(idx)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of word indices; got shape {arr.shape}")
    if arr.size == 0:
        if not allow_empty:
            raise ValueError(f"{name} must hold at least one word index; got an empty array")
        return arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integer word indices; got dtype {arr.dtype}")
    bad = (arr < 0) | (arr >= n)
    if bad.any():
        raise ValueError(f"{name} must hold word indices in [0, {n}); got {arr[bad][:5].tolist()}")
    return arr.astype(np.int64, copy=False)


def _as_float(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.dtype.kind not in "fiu":
        raise ValueError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr
