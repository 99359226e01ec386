"""What the explorer says about an answer beyond the list itself: the minimum count that keeps
rare words out of neighbour lists, and, when a well-known analogy's answer is not where people
expect it, where it is, measured (its rank, similarity and count), not guessed.
"""
from __future__ import annotations

import numpy as np

from ..vectors.expressions import BinOp, Word

RARE_COUNT = 5  # a word seen fewer times has a vector that is still mostly its random start
RARE_SHARE = 0.25  # the filter is on by default when at least this share of the vocabulary is rare
# a − b + c → the answer people expect (the analogies of the word2vec papers and the course)
EXPECTED = {("king", "man", "woman"): "queen", ("man", "king", "queen"): "woman",
            ("paris", "france", "italy"): "rome", ("france", "paris", "rome"): "italy",
            ("good", "better", "bad"): "worse", ("better", "good", "bad"): "worse",
            ("walking", "walk", "swim"): "swimming", ("brother", "man", "woman"): "sister",
            ("he", "him", "her"): "she", ("big", "bigger", "small"): "smaller"}


def default_min_count(counts) -> int:
    """RARE_COUNT when rare words would swamp neighbour lists (counts known and at least
    RARE_SHARE of the words rarer than RARE_COUNT), else 0 (no filter)."""
    if counts is None or len(counts) == 0:
        return 0
    return RARE_COUNT if float(np.mean(np.asarray(counts) < RARE_COUNT)) >= RARE_SHARE else 0


def analogy_words(query):
    """(a, b, c) of an analogy question or of an expression read as `a - b + c` (words only), else None."""
    kind, arg = query
    if kind == "analogy":
        return tuple(arg)
    if kind == "expression":
        tree = arg.tree  # a read_expression; a − b + c parses as BinOp(+, BinOp(−, a, b), c)
        if isinstance(tree, BinOp) and tree.op == "+" and isinstance(tree.left, BinOp) and tree.left.op == "-":
            parts = (tree.left.left, tree.left.right, tree.right)
            if all(isinstance(p, Word) for p in parts):
                return tuple(p.word for p in parts)
    return None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def explain_answer(model, query, query_vec, skip, hits, metric: str, min_count: int) -> str:
    """One line on where the expected answer of a well-known analogy is, when it is not first;
    "" for any other question, or when the expected word tops the list."""
    words = analogy_words(query)
    if words is None:
        return ""
    expected = EXPECTED.get(tuple(w.lower() for w in words))
    if expected is None or (hits and hits[0][0] == expected):
        return ""
    if expected not in model.index:
        return f"{expected!r}, the answer people expect, is not in this vocabulary."
    ranked = model.neighbours_of_vector(query_vec, len(model) - len(set(skip)), metric, exclude=skip)
    rank = next(r for r, (w, _) in enumerate(ranked, 1) if w == expected)
    score = ranked[rank - 1][1]
    line = (f"{expected!r} is {_ordinal(rank)} of {len(ranked):,} words for this question "
            f"({metric} {score:.2f})")
    if model.counts is not None:
        count = int(model.counts[model.index[expected]])
        rarer = float(np.mean(model.counts < count))
        line += f"; it occurs {count:,} times, more than {100 * rarer:.0f}% of the vocabulary"
        if min_count and count < min_count:
            line += f", and the minimum count {min_count} hides it"
        if rarer > 0.5 and rank > 0.5 * len(ranked):
            line += ": not a rare word, yet near the bottom: these vectors do not hold this relation"
        elif rarer <= 0.5:
            line += ": a rare word, whose vector is still mostly its random start"
    return line + "."
