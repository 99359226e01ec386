"""A gradient that is zero except on a few rows, applied to the parameters without densifying.

One SGD step of the SST run touches ~2,000 of the 39,074 parameter rows. Keeping the gradient as
(rows, values) makes sgd's `x -= step * grad` cost O(rows touched · d) instead of O(|Vocab| · d),
and is the same update as the dense one: a row listed twice receives both values.
"""
from __future__ import annotations

import numbers

import numpy as np


class RowSparseGradient:
    """A (2|Vocab|, d) gradient kept as (rows, values): row rows[i] receives values[i], repeats add up.

    It behaves as its dense equivalent (np.asarray builds it), with two fast paths used by sgd:
    `step * g` scales the values, and `x -= g` subtracts each value from its row in place
    (np.subtract.at, so a repeated row accumulates), touching no other row.
    """

    def __init__(self, shape, rows, values):
        self.shape = tuple(shape)
        self.rows = np.asarray(rows, dtype=np.int64)  # (M,)
        self.values = np.asarray(values)  # (M, d)
        if self.values.shape != (self.rows.shape[0], self.shape[1]):
            raise ValueError(f"values must have shape ({self.rows.shape[0]}, {self.shape[1]}); got {self.values.shape}")

    def toarray(self) -> np.ndarray:
        dense = np.zeros(self.shape, dtype=self.values.dtype)
        np.add.at(dense, self.rows, self.values)
        return dense

    def __array__(self, dtype=None, copy=None):
        dense = self.toarray()
        return dense if dtype is None else dense.astype(dtype)

    def __mul__(self, scalar):
        if isinstance(scalar, numbers.Real) or (isinstance(scalar, np.ndarray) and scalar.ndim == 0):
            scaled = (self.values * scalar).astype(self.values.dtype, copy=False)  # (M, d) in the gradient's dtype
            return RowSparseGradient(self.shape, self.rows, scaled)
        return NotImplemented

    __rmul__ = __mul__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.get("out")
        if method == "__call__" and ufunc in (np.subtract, np.add) and out is not None and len(kwargs) == 1 \
                and len(out) == 1 and inputs[0] is out[0] and inputs[1] is self:
            target = out[0]  # x -= g or x += g: one ufunc.at over element indices
            if not target.flags.c_contiguous:  # no flat view of it exists: take the dense route
                return ufunc(target, np.asarray(self), out=target)
            flat_target, flat_values, width = _element_views(target, self.values.astype(target.dtype, copy=False))
            index = (self.rows * width)[:, None] + np.arange(width)  # (M, width) element indices
            ufunc.at(flat_target, index.reshape(-1), flat_values)
            return target
        if method == "__call__" and ufunc is np.multiply and out is None and not kwargs:
            other = inputs[1] if inputs[0] is self else inputs[0]
            if np.ndim(other) == 0 and not isinstance(other, RowSparseGradient):
                return self * other
        dense = [np.asarray(i) if isinstance(i, RowSparseGradient) else i for i in inputs]
        return getattr(ufunc, method)(*dense, **kwargs)


def _element_views(target, values):
    """Flat views of target (2|Vocab|, d) and values (M, d) for ufunc.at, and the elements per row.

    For an even d, a pair of float32 (float64) is viewed as one complex64 (complex128): complex
    addition adds real and imaginary parts separately with the same IEEE rounding, so the result
    is bit-for-bit the float one, with half as many indices for ufunc.at to walk.
    """
    d = target.shape[1]
    values = np.ascontiguousarray(values)
    if d % 2 == 0 and target.dtype in (np.float32, np.float64):
        as_complex = np.complex64 if target.dtype == np.float32 else np.complex128
        return target.reshape(-1).view(as_complex), values.reshape(-1).view(as_complex), d // 2
    return target.reshape(-1), values.reshape(-1), d
