"""The catalogue of common gradient mistakes: what a failed gradient check most likely means.

How a pattern is decided. Each pattern is a claim about how the analytic gradient A (the
student's) relates to the numeric one N (finite differences), the point x and any other named
inputs, e.g. "A = −N on rows 3 and 5" or "N = 3·A on row 3". A claim comes with a correction
that undoes it (flip those rows back, multiply the row by 3, ...), and a pattern is accepted only
when the *corrected* A passes the very test the check uses (every relative error
|A' − N| / max(1, |A'|, |N|) within the tolerance): the pattern explains the failure fully,
within finite-difference noise. A pattern with fitted numbers must be over-determined: a fitted
factor needs two informative coordinates, a fitted vector two wrong rows (or it must equal a
named vector), so one wrong number never "proves" a story. The patterns are tried from the most
specific to the least (`PATTERNS`, in order) and the first that holds is reported; when none
holds the diagnosis is None, never a guess. Two findings are the check's own and are made in
`gradcheck` before the catalogue runs: "nondeterministic" and "all_zero".

Rows: the rows of a 2-D point are words (or the v_w / u_w rows of the stacked parameters); for a
1-D point each entry is a row of its own, except that "offset equals an input" compares the whole
vector. The keys are stable: notebooks assert them.
"""
from __future__ import annotations

import numpy as np

from .finding import MAX_MULTIPLICITY, Case, Finding, is_whole, number, ratio, relative_errors, row_list
from .offsets import complement, constant_offset, offset_equals_input_row

# Every key a result's `pattern` can hold. Stable: notebooks assert them; add keys, never rename.
PATTERN_KEYS = ("sign_flipped", "sign_flipped_rows", "transposed", "transposed_shape", "wrong_shape", "scaled",
                "repeat_counted_once", "missing_contribution", "rows_wrong", "constant_offset",
                "offset_equals_input_row", "nondeterministic", "all_zero", "complement", "wrong_axis")
ZERO = 1e-12  # an analytic value this small is a 0 that rounding disturbed (e.g. g − g)


def zero_everywhere(case):
    if not np.any(case.analytic):
        return Finding("missing_contribution", "Your gradient is 0 everywhere, but the loss changes with x: "
                       "nothing was ever added to it (e.g. the np.zeros it started from was returned).",
                       {"rows": case.wrong.tolist(), "everywhere": True})


def sign_flipped(case):
    if case.agrees(-case.analytic, case.numeric):
        return Finding("sign_flipped", "Your gradient has the wrong sign everywhere: it is exactly −1 times the "
                       "right one. Check the sign of each term (e.g. ŷ − y, not y − ŷ; a minus from the chain rule).")


def transposed(case):
    analytic = case.analytic
    if analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] and case.agrees(analytic.T, case.numeric):
        return Finding("transposed", "Your gradient is the transpose of the right one (the diagonal agrees, entry "
                       "(i, j) holds the right (j, i)): each row must be one word's gradient here, so return its "
                       ".T, e.g. np.outer(a, b) in place of np.outer(b, a).")


def wrong_axis(case):
    """A_ij = N_ij·w_i/w_j: a weight of the column j applied by row (square tables, n >= 3)."""
    analytic, numeric = case.analytic, case.numeric
    n = analytic.shape[0] if analytic.ndim == 2 else 0
    if analytic.ndim != 2 or analytic.shape[1] != n or n < 3:
        return None
    # N_ij·q_i − A_ij·q_j = 0 for every i ≠ j: q spans the null space of this (n(n−1), n) system.
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    system = np.zeros((i.size, n))
    weight = 1.0 / np.maximum(1.0, np.maximum(np.abs(analytic[i, j]), np.abs(numeric[i, j])))  # the check's scale
    system[np.arange(i.size), i] = numeric[i, j] * weight
    system[np.arange(i.size), j] -= analytic[i, j] * weight
    q = np.linalg.svd(system)[2][-1]  # (n,) the least-squares null vector
    if np.any(np.abs(q) < 1e-8) or not case.agrees(analytic * q[None, :] / q[:, None], numeric):
        return None
    return Finding("wrong_axis", "Your gradient is the right one with a weight on the wrong axis: entry (i, j) "
                   "carries the weight of row i where the weight of column j belongs (so only the diagonal is "
                   "right). Look for a broadcast along the wrong axis, e.g. w[:, None] in place of w[None, :].",
                   {"weights": q / q[0]})


def _multiplicities(case):
    """{row: m} with N_r = m·A_r, m whole in 2..MAX_MULTIPLICITY, for every wrong row; else None."""
    mult = {}
    for r, a, n in zip(case.wrong, case.analytic_wrong, case.numeric_wrong):
        m = round(ratio(n, a))
        if not 2 <= m <= MAX_MULTIPLICITY or not case.agrees(m * a, n):
            return None
        mult[int(r)] = int(m)
    return mult


def repeat_counted_once(case, single_only=False):
    if not case.table or (single_only and len(case.wrong) != 1) or not (mult := _multiplicities(case)):
        return None
    per_row = [f"{m}× yours on {nm}" for m, nm in zip(mult.values(), case.names)]
    return Finding("repeat_counted_once", f"The right gradient is exactly {row_list(per_row)}, and every other "
                   f"row is right: most likely an index that occurs that many times was counted once (grad[idx] += ... "
                   "with a repeated idx adds only once; use np.add.at(grad, idx, ...) or a loop with +=).",
                   {"rows": list(mult), "multiplicity": mult})


def scaled(case):
    scale = ratio(case.analytic, case.numeric)
    if scale and (np.abs(case.numeric) > case.tol).sum() >= 2 and case.agrees(case.analytic / scale, case.numeric):
        return Finding("scaled", f"Your gradient is {number(scale)} times the right one everywhere: a constant "
                       "factor is wrong (e.g. a missing or extra 2 or 1/2, or the 1/batch-size of an average).",
                       {"factor": scale})


def sign_flipped_rows(case):
    if len(case.wrong) and case.agrees(-case.analytic_wrong, case.numeric_wrong):
        return Finding("sign_flipped_rows", f"The sign is flipped on {row_list(case.names)} (exactly −1 times the "
                       f"right values there), and all other {case.rows_word} are right: look for a sign error in "
                       f"the term only those {case.rows_word} receive.", {"rows": case.wrong.tolist()})


def missing_rows(case):
    rel_wrong = relative_errors(case.analytic_wrong, case.numeric_wrong) > case.tol
    if len(case.wrong) and np.all(np.abs(case.analytic_wrong[rel_wrong]) <= ZERO):
        return Finding("missing_contribution", f"Your gradient is 0 on {row_list(case.names)} where the right one "
                       "is not: a contribution was never added there (a forgotten term, such as the observed "
                       "word's, or = where += was needed).", {"rows": case.wrong.tolist(), "everywhere": False})


def rows_wrong(case):
    if not case.table or not 0 < len(case.wrong) < case.analytic_rows.shape[0]:
        return None
    factors = [ratio(a, n) for a, n in zip(case.analytic_wrong, case.numeric_wrong)]
    parallel = case.analytic_rows.shape[1] >= 2 and all(f and case.agrees(a / f, n)
                                             for f, a, n in zip(factors, case.analytic_wrong, case.numeric_wrong))
    note = ""
    if parallel and all(is_whole(f) for f in factors):
        per = [f"{number(f)}× the right one on {nm}" for f, nm in zip(factors, case.names)]
        note = f" Your gradient is {row_list(per)}: a factor is wrong (a term counted too often or too few times?)"
    elif parallel:
        note = (" Each of them points the right way but has the wrong length: a per-word factor is wrong, "
                "not the vector it multiplies.")
    verb = "is" if len(case.names) == 1 else "are"
    return Finding("rows_wrong", f"Only {row_list(case.names)} {verb} wrong; every other row is right.{note}",
                   {"rows": case.wrong.tolist(), "parallel": parallel, "factors": factors if parallel else None})


PATTERNS = (  # most specific first; the first that holds is the diagnosis
    zero_everywhere, sign_flipped, transposed, wrong_axis,
    lambda case: repeat_counted_once(case, single_only=True),  # one row off by a whole factor beats "scaled"
    scaled, sign_flipped_rows, repeat_counted_once, missing_rows,
    offset_equals_input_row, complement, constant_offset, rows_wrong,
)


def diagnose(analytic, numeric, x, tolerance, labels, inputs=()) -> Finding | None:
    """The most specific catalogue pattern that fully explains a failed check, or None.

    analytic, numeric, x: arrays of one shape; labels: a BoundLabels for that shape;
    inputs: [(name, vector)] other vectors f reads (e.g. ("v_c", v_c)) that an error may equal.
    """
    analytic = np.asarray(analytic, float)
    if not np.all(np.isfinite(analytic)):
        return None  # nan/inf: the verdict's table already says where
    case = Case(analytic, np.asarray(numeric, float), np.asarray(x, float), tolerance, labels, list(inputs))
    return next((found for pattern in PATTERNS if (found := pattern(case)) is not None), None)


def diagnose_shape(given: tuple, expected: tuple, transposed_ok: bool | None) -> Finding:
    """A gradient whose shape is not x's: say which shape was expected and which was given."""
    if len(given) == 2 and given == expected[::-1]:
        then = ("Transposed, it is right: return its .T." if transposed_ok else
                "Even transposed it would be wrong, so fix the orientation first and check again.")
        return Finding("transposed_shape", f"Your gradient has shape {given}, the transpose of x's shape {expected}:"
                       f" a gradient has the shape of what it differentiates (one word per row here). {then}",
                       {"given": given, "expected": expected, "transposed_right": bool(transposed_ok)})
    if tuple(d for d in given if d != 1) == tuple(d for d in expected if d != 1):
        hint = "it has an extra or missing axis of length 1 (a column vector? use .ravel() or drop [:, None])."
    elif int(np.prod(given)) == int(np.prod(expected)):
        hint = "it has the right number of entries, arranged differently (check a reshape or a concatenation axis)."
    else:
        hint = "check which array you built it from (e.g. the (|Vocab|, d) table, not the (d,) vector, or vice versa)."
    return Finding("wrong_shape", f"Your gradient has shape {given}, but x has shape {expected}: a gradient has "
                   f"the shape of what it differentiates; {hint}", {"given": given, "expected": expected})
