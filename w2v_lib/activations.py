"""softmax and sigmoid, stable at any magnitude and silent (no overflow warnings)."""
from __future__ import annotations

import numpy as np


def softmax(x):
    """Softmax over the last axis of a 1-D or 2-D array; returns a new array.

    Subtracting the row maximum first leaves the result unchanged (softmax(x + c) = softmax(x))
    and keeps every exponent <= 0, so nothing overflows even for |x| of 1e4 or more.
    """
    arr = np.asarray(x)
    if arr.ndim not in (1, 2):
        raise ValueError(f"softmax: x must be a 1-D or 2-D array; got shape {arr.shape}")
    if arr.shape[-1] == 0:
        raise ValueError(f"softmax: x needs at least one entry on the last axis; got shape {arr.shape}")
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"softmax: x must hold real numbers; got dtype {arr.dtype}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    shifted = arr - arr.max(axis=-1, keepdims=True)  # a new array: the input is never mutated
    with np.errstate(under="ignore"):  # e^(-2e4) flushing to 0 is the right answer, not an error
        np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=-1, keepdims=True)
    return shifted


def sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)) for a scalar or an array, without overflow.

    A scalar in gives a Python float out.
    # BEGIN INSTRUCTOR NOTE
    For x < 0 the algebraically equal form e^x / (1 + e^x) is used, so the exponent is always
    of a non-positive number.
    # END INSTRUCTOR NOTE
    """
    ### BEGIN SOLUTION
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"sigmoid takes real numbers; got dtype {arr.dtype}")
    arr = arr.astype(np.result_type(arr.dtype, np.float32) if arr.dtype.kind == "f" else np.float64)
    with np.errstate(under="ignore"):  # e^(-1e4) flushing to 0 is harmless here
        e = np.exp(-np.abs(arr))  # (…,) in [0, 1]
    out = np.where(arr >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(arr.dtype, copy=False)
    return float(out) if out.ndim == 0 else out
    ### END SOLUTION

