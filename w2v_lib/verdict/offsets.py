"""The catalogue's additive patterns: what A − N or A + N is on the wrong rows.

- offset_equals_input_row: A − N is exactly ±(a small multiple of) one named vector, a row of x
  or one of the inputs: a dropped or extra term such as −u_o;
- complement: A + N = m_r·w for one vector w and whole m_r >= 1 (m_r = how often the row's word
  occurs): σ(−z) = 1 − σ(z) written where σ(z) belongs;
- constant_offset: A − N is one and the same vector (or number) on every wrong row.
A fitted w or offset needs two wrong rows to be believed, or (for w) must equal a named vector.
"""
from __future__ import annotations

import numpy as np

from .finding import MAX_MULTIPLICITY, Case, Finding, number, ratio, row_list

MULTIPLIERS = (1, -1, 2, -2, 3, -3)  # c in "A − N = c·x_k": small whole multiples of one named vector


def offset_equals_input_row(case: Case) -> Finding | None:
    whole = not case.table  # for a vector (e.g. v_c) the claim is about the whole vector
    if whole:
        analytic_u, numeric_u = case.analytic_rows.reshape(1, -1), case.numeric_rows.reshape(1, -1)  # (1, size)
    else:
        analytic_u, numeric_u = case.analytic_wrong, case.numeric_wrong  # (wrong rows, rest)
    named = case.named_vectors(analytic_u.shape[1])
    terms = []
    for a, n in zip(analytic_u, numeric_u):
        match = next(((c, nm, c * np.asarray(v, float)) for c in MULTIPLIERS for nm, v in named
                      if np.any(v) and case.agrees(a - c * np.asarray(v, float), n)), None)
        if match is None:
            return None
        terms.append(match)
    said = [("−" if c < 0 else "") + ("" if abs(c) == 1 else f"{abs(c)}·") + nm for c, nm, _ in terms]
    if len(terms) == 1:
        opposite = said[0][1:] if said[0].startswith("−") else "−" + said[0]
        extra = said[0] if said[0].startswith("−") else "+" + said[0]
        where = "" if whole else f" on {case.names[0]}"
        text = (f"Your gradient minus the right one is exactly {said[0]}{where}: a term {opposite} is missing "
                f"there (or {extra} is extra).")
    else:
        per = [f"{s} on {u}" for s, u in zip(said, case.names)]
        text = (f"Your gradient minus the right one is exactly {row_list(per)}: on each of these rows a term "
                "is missing (the opposite of that vector) or extra (that vector).")
    return Finding("offset_equals_input_row", text, {"terms": [(c, nm) for c, nm, _ in terms],
                                                     "offsets": [off for *_, off in terms],
                                                     "rows": [] if whole else case.wrong.tolist()})


def complement(case: Case) -> Finding | None:
    if not len(case.wrong) or (len(case.wrong) == 1 and not case.table):
        return None
    sums = case.analytic_wrong + case.numeric_wrong  # (wrong rows, rest)
    base = sums[np.argmin(np.linalg.norm(sums, axis=1))]
    if np.linalg.norm(base) <= case.tol:
        return None
    mult = np.array([round(ratio(row, base)) for row in sums])
    if not (np.all((mult >= 1) & (mult <= MAX_MULTIPLICITY)) and case.agrees(mult[:, None] * base - case.analytic_wrong,
                                                                             case.numeric_wrong)):
        return None
    alias = None
    for nm, v in case.named_vectors(base.size):  # w may be a whole multiple of a named vector
        k = round(ratio(base, v))
        if 1 <= k <= MAX_MULTIPLICITY and case.agrees(k * np.asarray(v, float), base):
            alias, base, mult = nm, np.asarray(v, float), mult * k
            break
    if len(case.wrong) == 1 and alias is None:
        return None  # one row and a vector fitted to it: no evidence
    what = number(float(base[0])) if base.size == 1 else alias or "one and the same vector"
    times = [f"{m}× on {nm}" for m, nm in zip(mult, case.names) if m > 1]
    extra = f" ({row_list(times)})" if times else ""
    where = case.names[0] if len(case.wrong) == 1 else case.where()
    return Finding("complement", f"On {where} your gradient plus the right one is {what}{extra}: typically "
                   "1 − σ(z) written where σ(z) belongs (σ(−z) = 1 − σ(z): the sign inside the sigmoid is flipped).",
                   {"rows": case.wrong.tolist(), "vector": base, "multiplicity": mult.tolist(), "equals": alias})


def constant_offset(case: Case) -> Finding | None:
    if len(case.wrong) < 2:
        return None
    offset = (case.analytic_wrong - case.numeric_wrong).mean(axis=0)  # (rest,)
    if np.linalg.norm(offset) <= case.tol or not case.agrees(case.analytic_wrong - offset, case.numeric_wrong):
        return None
    if offset.size == 1:
        more = f"{number(abs(float(offset[0])))} {'more' if offset[0] > 0 else 'less'} than the right one"
        text = f"Your value is {more} on {case.where()}"
    else:
        text = f"Your gradient minus the right one is the same vector on {case.where()}"
    return Finding("constant_offset", text + ": a term that is the same for all of them is missing or extra "
                   "(e.g. the −1 of σ(z) − 1).", {"rows": case.wrong.tolist(), "offset": offset})
