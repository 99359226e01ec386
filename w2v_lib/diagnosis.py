"""The catalogue of common gradient mistakes: what a failed gradient check most likely means.

How a pattern is decided. Each pattern of the catalogue is a claim about how the analytic
gradient A (the student's) relates to the numeric one N (finite differences), the point x and
any other named inputs, e.g. "A = −N on rows 3 and 5" or "N = 3·A on row 3". A claim comes with
a correction that undoes it (flip those rows back, multiply the row by 3, ...), and a pattern is
accepted only when the *corrected* A passes the very test the check uses (every relative error
|A' − N| / max(1, |A'|, |N|) within the tolerance), so the pattern explains the failure fully,
within finite-difference noise. Patterns with fitted numbers (a scale factor, an offset vector)
must also be over-determined: a fitted vector needs at least two wrong rows, a fitted factor two
informative coordinates, so a single wrong number never "proves" a story. The patterns are tried
from the most specific (exact, nothing fitted) to the least, and the first that holds is
reported; when none holds the diagnosis is None. The check's own two findings, a
non-deterministic f and an all-zero stub, are made in `gradcheck` before the catalogue runs.

Rows: a 2-D point's rows are words (or the v_w / u_w rows of the stacked parameters); for a 1-D
point each entry is a row of its own, except that "offset equals an input" compares whole vectors.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MULTIPLIERS = (1, -1, 2, -2, 3, -3)  # c in "A − N = c·x_k": small whole multiples of one input row
MAX_MULTIPLICITY = 20  # how often a word may repeat for "counted once" and the σ(−z) complement
ZERO = 1e-12  # an analytic value this small is a 0 that rounding disturbed (e.g. g − g)


@dataclass(frozen=True)
class Finding:
    """A pattern that explains a failure: its stable key, the sentence(s) for the student, details."""

    pattern: str
    text: str
    info: dict = field(default_factory=dict)


def relative_errors(a, n):
    """The check's measure: |a − n| / max(1, |a|, |n|), nan counted as infinitely wrong."""
    with np.errstate(invalid="ignore", over="ignore"):
        rel = np.abs(a - n) / np.maximum(1.0, np.maximum(np.abs(a), np.abs(n)))
    return np.where(np.isnan(rel), np.inf, rel)


def _agrees(a, n, tol) -> bool:
    return bool(np.all(relative_errors(a, n) <= tol))


def number(s: float) -> str:
    """A fitted number as a student would write it: 3, -1/2, or 0.37 (never noise digits)."""
    for value, text in ((s, "{}"), (1 / s if s else np.inf, "1/{}")):
        k = round(value) if np.isfinite(value) else 0
        if k and abs(value - k) <= 1e-6 * max(1.0, abs(value)):
            return ("-" if k < 0 else "") + text.format(abs(k))
    near_one = abs(s - 1.0)  # 1.00001 must not read as 1: show the digits that tell it from 1
    return f"{s:.{2 + max(0, int(-np.log10(near_one)))}g}" if 0 < near_one < 0.1 else f"{s:.2g}"


def row_list(names, limit: int = 4) -> str:
    names = list(names)
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def ratio(p, q) -> float:
    """p·q / q·q, the least-squares factor s in p ≈ s·q; 0 when q is (numerically) zero."""
    p, q = np.ravel(p), np.ravel(q)
    size = float(np.abs(q).max()) if q.size else 0.0
    if size < 1e-150:  # below this q·q underflows
        return 0.0
    s = float((p / size) @ (q / size)) / float((q / size) @ (q / size))
    return s if np.isfinite(s) else 0.0


def _unit_fit(rows_a, rows_n, tol, correct):
    """Apply `correct(a_r, n_r)` (-> corrected a_r, or None) to every wrong row; all must then agree."""
    out = []
    for a, n in zip(rows_a, rows_n):
        fixed = correct(a, n)
        if fixed is None or not _agrees(fixed, n, tol):
            return None
        out.append(fixed)
    return out


def diagnose(analytic, numeric, x, tolerance, labels, inputs=()) -> Finding | None:
    """The most specific catalogue pattern that fully explains a failed check, or None.

    analytic, numeric, x: arrays of one shape; labels: a BoundLabels for that shape;
    inputs: [(name, vector)] other vectors f reads (e.g. ("v_c", v_c)) that an error may equal.
    """
    A, N, tol = np.asarray(analytic, float), np.asarray(numeric, float), tolerance
    if not np.all(np.isfinite(A)):
        return None  # nan/inf: the verdict's table already says where
    shape = A.shape
    A2, N2 = (arr.reshape(shape[0] if arr.ndim else 1, -1) for arr in (A, N))  # (rows, rest)
    rel = relative_errors(A2, N2)
    wrong = np.flatnonzero((rel > tol).any(axis=1))  # the wrong rows
    informative = np.abs(N) > tol  # coordinates where the right gradient is told apart from 0
    name = lambda r: labels.row(int(r)) if shape else "the value"  # noqa: E731
    names = [name(r) for r in wrong]
    rows_word = "entries" if A.ndim <= 1 else "rows"

    if not np.any(A):
        return Finding("missing_contribution", "Your gradient is 0 everywhere, but the loss changes with x: "
                       "nothing was ever added to it (e.g. the np.zeros it started from was returned).",
                       {"rows": wrong.tolist(), "everywhere": True})
    if _agrees(-A, N, tol):
        return Finding("sign_flipped", "Your gradient has the wrong sign everywhere: it is exactly −1 times the "
                       "right one. Check the sign of each term (e.g. ŷ − y, not y − ŷ; a minus from the chain rule).")
    if A.ndim == 2 and shape[0] == shape[1] and _agrees(A.T, N, tol):
        return Finding("transposed", "Your gradient is the transpose of the right one (the diagonal agrees, entry "
                       "(i, j) holds the right (j, i)): each row must be one word's gradient here, so return its "
                       ".T, e.g. np.outer(a, b) in place of np.outer(b, a).")

    def counted_once():
        mult = {}
        for r in wrong:
            a, n = A2[r], N2[r]
            m = round(ratio(n, a))
            if not 2 <= m <= MAX_MULTIPLICITY or not _agrees(m * a, n, tol):
                return None
            mult[int(r)] = int(m)
        per_row = [f"{m}× yours on {name(r)}" for r, m in mult.items()]
        return Finding("repeat_counted_once", f"The right gradient is exactly {row_list(per_row)}, and every other "
                       f"row is right: an index that occurs that many times was counted once (grad[idx] += ... "
                       "with a repeated idx adds only once; use np.add.at(grad, idx, ...) or a loop with +=).",
                       {"rows": list(mult), "multiplicity": mult})

    if len(wrong) == 1 and A.ndim == 2 and (found := counted_once()):
        return found  # one row off by a whole factor: more telling than a global factor
    scale = ratio(A, N)
    if scale and informative.sum() >= 2 and _agrees(A / scale, N, tol):
        return Finding("scaled", f"Your gradient is {number(scale)} times the right one everywhere: a constant "
                       "factor is wrong (e.g. a missing or extra 2 or 1/2, or the 1/batch-size of an average).",
                       {"factor": scale})
    if _unit_fit(A2[wrong], N2[wrong], tol, lambda a, n: -a):
        return Finding("sign_flipped_rows", f"The sign is flipped on {row_list(names)} (exactly −1 times the right "
                       f"values there), and all other {rows_word} are right: look for a sign error in the term "
                       f"only those {rows_word} receive.", {"rows": wrong.tolist()})
    if A.ndim == 2 and (found := counted_once()):
        return found
    if np.all(np.abs(A2[wrong][rel[wrong] > tol]) <= ZERO):
        return Finding("missing_contribution", f"Your gradient is 0 on {row_list(names)} where the right one is "
                       "not: a contribution was never added there (a forgotten term, such as the observed word's, "
                       "or = where += was needed).", {"rows": wrong.tolist(), "everywhere": False})
    return _offsets(A2, N2, x, tol, wrong, names, labels, inputs, rows_word)


def _named_vectors(x, labels, inputs, width):
    """[(name, vector)] that an error may equal: the rows of x, or x itself, and the given inputs."""
    x = np.asarray(x, float)
    if x.ndim == 2 and x.shape[1] == width:
        out = [(f"x[{k}]" if labels.plain else labels.row(k), x[k]) for k in range(x.shape[0])]
    elif x.ndim == 1 and x.size == width:
        out = [(labels.vector or "x", x)]
    else:
        out = []
    return out + [(nm, v) for nm, v in inputs if np.size(v) == width]


def _offsets(A2, N2, x, tol, wrong, names, labels, inputs, rows_word):
    """Patterns about A − N (an input row, a constant) and A + N (the σ(−z) = 1 − σ(z) complement)."""
    whole = np.ndim(x) == 1  # an error equal to an input is a claim about the whole vector
    A_u, N_u = (A2.reshape(1, -1), N2.reshape(1, -1)) if whole else (A2[wrong], N2[wrong])
    units = ["your gradient" if labels.plain or not labels.vector else labels.vector] if whole else names
    named = _named_vectors(x, labels, inputs, A_u.shape[1])

    terms = []
    for a, n in zip(A_u, N_u):
        match = next(((c, nm, c * np.asarray(v, float)) for c in MULTIPLIERS for nm, v in named
                      if np.any(v) and _agrees(a - c * np.asarray(v, float), n, tol)), None)
        if match is None:
            terms = None
            break
        terms.append(match)
    if terms:
        said = [("−" if c < 0 else "") + ("" if abs(c) == 1 else f"{abs(c)}·") + nm for c, nm, _ in terms]
        if len(terms) == 1:
            opposite = said[0][1:] if said[0].startswith("−") else "−" + said[0]
            where = "" if whole else f" on {units[0]}"
            extra = said[0] if said[0].startswith("−") else "+" + said[0]
            text = (f"Your gradient minus the right one is exactly {said[0]}{where}: a term {opposite} is missing "
                    f"there (or {extra} is extra).")
        else:
            per = [f"{s} on {u}" for s, u in zip(said, units)]
            text = (f"Your gradient minus the right one is exactly {row_list(per)}: on each of these rows a term "
                    "is missing (the opposite of that vector) or extra (that vector).")
        return Finding("offset_equals_input_row", text, {"terms": [(c, nm) for c, nm, _ in terms],
                                                         "offsets": [off for *_, off in terms],
                                                         "rows": [] if whole else wrong.tolist()})

    if len(wrong) == 1 and not whole:  # one row: only a sum equal to a named vector is evidence
        found = _complement(A2[wrong], N2[wrong], wrong, names, names[0], named, tol, need_name=True)
        if found:
            return found
    if len(wrong) >= 2:  # a fitted vector must be confirmed by a second row
        where = (f"every wrong {rows_word[:-1] if rows_word == 'rows' else 'entry'} ({row_list(names)})"
                 if len(names) <= 4 else f"all {len(names)} wrong {rows_word}")
        found = _complement(A2[wrong], N2[wrong], wrong, names, where,
                            _named_vectors(x, labels, inputs, A2.shape[1]), tol)
        if found:
            return found
        diffs = A2[wrong] - N2[wrong]
        offset = diffs.mean(axis=0)
        if np.linalg.norm(offset) > tol and _agrees(A2[wrong] - offset, N2[wrong], tol):
            if offset.size == 1:
                more = f"{number(abs(float(offset[0])))} {'more' if offset[0] > 0 else 'less'} than the right one"
                text = f"Your value is {more} at {where}"
            else:
                text = f"Your gradient minus the right one is the same vector at {where}"
            return Finding("constant_offset", text + ": a term that is the same for all of them is missing or "
                           "extra (e.g. the −1 of σ(z) − 1).",
                           {"rows": wrong.tolist(), "offset": offset})

    if not whole and rows_word == "rows" and len(wrong) < A2.shape[0]:
        factors = [ratio(a, n) for a, n in zip(A2[wrong], N2[wrong])]
        parallel = A2.shape[1] >= 2 and all(f and _agrees(a / f, n, tol)
                                            for f, a, n in zip(factors, A2[wrong], N2[wrong]))
        note = ""
        if parallel and all("." not in number(f) and "e" not in number(f) for f in factors):
            per = [f"{number(f)}× the right one on {nm}" for f, nm in zip(factors, names)]
            note = f" Your gradient is {row_list(per)}: a factor is wrong (a term counted too often or too few times?)."
        elif parallel:
            note = (" Each of them points the right way but has the wrong length: a per-word factor is wrong, "
                    "not the vector it multiplies.")
        return Finding("rows_wrong", f"Only {row_list(names)} {'is' if len(names) == 1 else 'are'} wrong; every "
                       f"other row is right.{note}", {"rows": wrong.tolist(), "parallel": parallel,
                                                      "factors": factors if parallel else None})
    return None


def _complement(A_w, N_w, wrong, names, where, named, tol, need_name=False):
    """A + N = m_r·w on every wrong row, for one vector w and whole m_r >= 1: σ(−z) where σ(z) belongs."""
    sums = A_w + N_w  # (wrong rows, width)
    base = sums[np.argmin(np.linalg.norm(sums, axis=1))]
    if np.linalg.norm(base) <= tol:
        return None
    mult = np.array([round(ratio(row, base)) for row in sums])
    if not (np.all((mult >= 1) & (mult <= MAX_MULTIPLICITY)) and _agrees(mult[:, None] * base - A_w, N_w, tol)):
        return None
    alias = None
    for nm, v in named:  # w may be a whole multiple of a named vector (every row repeated)
        k = round(ratio(base, v))
        if 1 <= k <= MAX_MULTIPLICITY and _agrees(k * np.asarray(v, float), base, tol):
            alias, base, mult = nm, np.asarray(v, float), mult * k
            break
    if need_name and alias is None:
        return None
    what = f"{number(float(base[0]))}" if base.size == 1 else alias or "one and the same vector"
    times = [f"{m}× on {nm}" for m, nm in zip(mult, names) if m > 1]
    extra = f" ({row_list(times)})" if times else ""
    return Finding("complement", f"On {where} your gradient plus the right one is {what}{extra}: typically "
                   "1 − σ(z) written where σ(z) belongs (σ(−z) = 1 − σ(z): the sign inside the sigmoid is flipped).",
                   {"rows": wrong.tolist(), "vector": base, "multiplicity": mult.tolist(), "equals": alias})


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
        hint = "check which array you built it from (e.g. the (|V|, d) table, not the (d,) vector, or vice versa)."
    return Finding("wrong_shape", f"Your gradient has shape {given}, but x has shape {expected}: a gradient has "
                   f"the shape of what it differentiates; {hint}", {"given": given, "expected": expected})
