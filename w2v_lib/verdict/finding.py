"""What the diagnosis catalogue shares: the failure under study, the check's measure, and wording.

A `Case` is one failed check seen row by row: A (the student's analytic gradient) and N (the
numeric one) reshaped to (rows, rest), the wrong rows and their names. A `Finding` is a pattern
that explains it: a stable key, one or two sentences for the student, and the details.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX_MULTIPLICITY = 20  # how often a word may repeat for "counted once" and the σ(−z) complement


@dataclass(frozen=True)
class Finding:
    """A pattern that explains a failure: its stable key, the sentence(s) for the student, details."""

    pattern: str
    text: str
    info: dict = field(default_factory=dict)


@dataclass
class Case:
    """A failed check, row by row. For a 1-D point each entry is a row of its own."""

    analytic: np.ndarray  # the analytic gradient, x's shape
    numeric: np.ndarray  # the numeric gradient, x's shape
    x: np.ndarray
    tol: float
    labels: object  # a BoundLabels for x's shape
    inputs: list  # [(name, vector)] other vectors f reads

    def __post_init__(self):
        rows = self.analytic.shape[0] if self.analytic.ndim else 1
        self.analytic_rows = self.analytic.reshape(rows, -1)  # (rows, rest)
        self.numeric_rows = self.numeric.reshape(rows, -1)  # (rows, rest)
        self.wrong = np.flatnonzero((relative_errors(self.analytic_rows, self.numeric_rows) > self.tol).any(axis=1))
        self.names = [self.labels.row(int(r)) if self.analytic.ndim else "the value" for r in self.wrong]
        self.table = self.analytic.ndim >= 2  # rows are words; else entries of one vector
        self.rows_word = "rows" if self.table else "entries"

    @property
    def analytic_wrong(self):
        return self.analytic_rows[self.wrong]  # (wrong rows, rest)

    @property
    def numeric_wrong(self):
        return self.numeric_rows[self.wrong]  # (wrong rows, rest)

    def agrees(self, a, n) -> bool:
        return agrees(a, n, self.tol)

    def where(self) -> str:
        """The wrong rows as a phrase: "every wrong row (u_3, u_5)" or "all 8 wrong entries"."""
        if len(self.names) > 4:
            return f"all {len(self.names)} wrong {self.rows_word}"
        return f"every wrong {'row' if self.table else 'entry'} ({row_list(self.names)})"

    def named_vectors(self, width: int) -> list:
        """[(name, vector)] an error may equal: the rows of x (or x itself), then the given inputs."""
        x = self.x
        if x.ndim == 2 and x.shape[1] == width:
            out = [(f"x[{k}]" if self.labels.plain else self.labels.row(k), x[k]) for k in range(x.shape[0])]
        elif x.ndim == 1 and x.size == width:
            out = [(self.labels.vector or "x", x)]
        else:
            out = []
        return out + [(nm, v) for nm, v in self.inputs if np.size(v) == width]


def relative_errors(a, n):
    """The check's measure: |a − n| / max(1, |a|, |n|), nan counted as infinitely wrong."""
    with np.errstate(invalid="ignore", over="ignore"):
        rel = np.abs(a - n) / np.maximum(1.0, np.maximum(np.abs(a), np.abs(n)))
    return np.where(np.isnan(rel), np.inf, rel)


def agrees(a, n, tol) -> bool:
    """Would the check pass a in place of the analytic gradient, against n?"""
    return bool(np.all(relative_errors(a, n) <= tol))


def ratio(p, q) -> float:
    """p·q / q·q, the least-squares factor s in p ≈ s·q; 0 when q is (numerically) zero."""
    p, q = np.ravel(p), np.ravel(q)
    size = float(np.abs(q).max()) if q.size else 0.0
    if size < 1e-150:  # below this q·q underflows
        return 0.0
    s = float((p / size) @ (q / size)) / float((q / size) @ (q / size))
    return s if np.isfinite(s) else 0.0


def number(s: float) -> str:
    """A fitted number as a student would write it: 3, -1/2, or 0.37 (never noise digits)."""
    for value, text in ((s, "{}"), (1 / s if s else np.inf, "1/{}")):
        k = round(value) if np.isfinite(value) else 0
        if k and abs(value - k) <= 1e-6 * max(1.0, abs(value)):
            return ("-" if k < 0 else "") + text.format(abs(k))
    near_one = abs(s - 1.0)  # 1.00001 must not read as 1: show the digits that tell it from 1
    return f"{s:.{2 + max(0, int(-np.log10(near_one)))}g}" if 0 < near_one < 0.1 else f"{s:.2g}"


def is_whole(s: float) -> bool:
    """Does number(s) read as a whole number or a unit fraction (2, -3, 1/4)?"""
    return not any(c in number(s) for c in ".e")


def row_list(names, limit: int = 4) -> str:
    """"a", "a and b", "a, b and c", or "a, b, c, d and 3 more"."""
    names = list(names)
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
