"""The inputs each graded function is called on: the notebook's own check inputs, then hidden ones.

Instructor-only (the hidden inputs are here). Every input is float64. The inputs of one
function are never those of another: skipgram and cbow receive a loss function that answers
from a table (evaluate.py), and that table's points differ from every point at which the pair
losses are graded, so nothing one function is handed tells another its answer.

A case is a tuple of arguments; `LossTable(...)` stands for the loss_and_gradient argument of
skipgram/cbow, filled in by spec.py with the reference loss at the calls a right answer makes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class LossTable:
    """The loss_and_gradient argument: "softmax" (naive softmax) or "negatives" (one row per call)."""
    kind: str
    negatives: tuple = ()  # ((K,) per call) for "negatives"


@dataclass(frozen=True)
class Case:
    args: tuple
    hidden: bool = False
    scored: bool = True  # False: advice only (e.g. the sigmoid's overflow at ±1000)
    note: str = ""  # what the case is about, shown in feedback
    report_args: tuple = field(default=())  # argument positions returned after the call (in-place updates)


def _unit_rows(rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# The course's dummy data (notebook 05): ten normalised rows, centre vectors 0-4, outside 5-9.
DUMMY = _unit_rows(np.random.RandomState(9265).randn(10, 3))  # (10, 3)


def _pair_inputs(seed: int, n_words: int, d: int):
    rng = np.random.default_rng(seed)
    outside = rng.standard_normal((n_words, d))  # (|Vocab|, d)
    return rng.standard_normal(d), outside  # v_c (d,), outside_vectors


def warmup_grad() -> list[Case]:
    rng = np.random.default_rng(0)
    for shape in ((3, 5), (3,), (3,), (4, 3)):  # the draws notebook 00 makes before X and w
        rng.standard_normal(shape)
    X, w = rng.standard_normal((4, 4)), rng.standard_normal(4)
    hidden = np.random.default_rng(1900)
    return [Case((X, w), note="notebook 00's X and w"),
            Case((np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 1.0, -0.5]]), np.array([0.5, -1.0, 2.0])),
                 hidden=True),
            Case((hidden.standard_normal((5, 5)), hidden.standard_normal(5)), hidden=True)]


def naive_softmax(seed_visible: int) -> list[Case]:
    rng = np.random.default_rng(seed_visible)  # notebook 01 uses seed 1, notebook 02 seed 2
    outside = rng.standard_normal((7, 4))
    v_c = rng.standard_normal(4)
    hidden_v, hidden_u = _pair_inputs(1901 + seed_visible, 6, 3)
    return [Case((v_c, 2, outside), note="the notebook's v_c, o = 2 and outside_vectors"),
            Case((300 * v_c, 5, outside), note="scores near 720: a softmax that overflows fails here"),
            Case((np.array([0.3, -0.8, 0.6]), 3, np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 1.0, 0.5],
                                                            [0.0, -0.5, 1.25], [1.0, 1.0, -1.0]])), hidden=True),
            Case((hidden_v, 0, hidden_u), hidden=True)]


def sigmoid() -> list[Case]:
    return [Case((np.linspace(-4.0, 4.0, 9),), note="notebook 03's xs"),
            Case((np.array([[1.0, 2.0], [-1.0, -2.0]]),), note="a 2-D input keeps its shape"),
            Case((np.array([-3.5, 0.25, 7.0]),), hidden=True),
            Case((-30.0,), hidden=True),
            Case((np.zeros((2, 3, 4)),), hidden=True),
            Case((np.array([-1000.0, 1000.0]),), scored=False, note="x = -1000 and 1000 (overflow)")]


def neg_sampling() -> list[Case]:
    rng = np.random.default_rng(4)  # notebook 04's set-up
    outside = rng.standard_normal((10, 4))
    v_c = rng.standard_normal(4)
    hidden_v, hidden_u = _pair_inputs(1904, 6, 3)
    return [Case((v_c, 0, outside, np.array([3, 7, 3, 5, 3, 8])), note="notebook 04's input: 'cup' drawn 3 times"),
            Case((hidden_v, 1, hidden_u, np.array([3, 2, 2, 4, 5, 3, 5, 3, 1, 1])), hidden=True),
            Case((hidden_v[::-1].copy(), 4, hidden_u, np.array([0, 0, 2])), hidden=True)]


def _tables():
    return DUMMY[:5].copy(), DUMMY[5:].copy()  # center_vectors, outside_vectors: (5, 3) each


def skipgram() -> list[Case]:
    center, outside = _tables()
    negatives = ((3, 2, 2, 4, 1, 3, 1, 3, 1, 1), (2, 4, 0, 0, 0, 0, 4, 4, 2, 4))
    return [Case((2, np.array([0, 1, 4, 3, 1, 2]), center, outside, LossTable("softmax")),
                 note="notebook 05's window a b e d b c (naive softmax)"),
            Case((2, np.array([0, 1]), center, outside, LossTable("negatives", negatives)),
                 note="notebook 05's window a b (negative sampling)"),
            Case((0, np.array([2, 2, 4, 1]), center, outside, LossTable("softmax")), hidden=True)]


CBOW_NEGATIVES = (1, 4, 1, 3, 2, 1, 4, 3, 3, 2)


def cbow() -> list[Case]:
    center, outside = _tables()
    return [Case((0, np.array([0, 1, 2, 0]), center, outside, LossTable("softmax")),
                 note="notebook 05's context a b c a (naive softmax)"),
            Case((0, np.array([0, 1, 2, 0]), center, outside, LossTable("negatives", (CBOW_NEGATIVES,))),
                 note="notebook 05's context a b c a (negative sampling)"),
            Case((3, np.array([4, 4, 1, 2]), center, outside, LossTable("softmax")), hidden=True)]


def sgd_step() -> list[Case]:
    return [Case((np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([[0.1, 0.2], [-0.3, 0.4]]), 0.5),
                 note="notebook 05's theta, grad and step 0.5", report_args=(0,)),
            Case((np.array([0.25, -4.0, 2.0]), np.array([1.5, -0.5, 0.0]), 0.1), hidden=True, report_args=(0,)),
            Case((np.array([0.1, -3.95, 2.0]), np.array([9.0, 9.0, 9.0]), 0.0), hidden=True, report_args=(0,))]


# {function name: a function making its cases}; spec.build_spec accepts another table (tests use one).
CASES = {
    "warmup_grad": warmup_grad,
    "naive_softmax_loss_and_center_gradient": lambda: naive_softmax(1),
    "naive_softmax_loss_and_gradient": lambda: naive_softmax(2),
    "sigmoid": sigmoid,
    "neg_sampling_loss_and_gradient": neg_sampling,
    "skipgram": skipgram,
    "cbow": cbow,
    "sgd_step": sgd_step,
}

# What each function returns, by name: one name for a single value.
OUTPUTS = {
    "warmup_grad": ("dJ/dX",),
    "naive_softmax_loss_and_center_gradient": ("loss", "grad_center_vec"),
    "naive_softmax_loss_and_gradient": ("loss", "grad_center_vec", "grad_outside_vecs"),
    "sigmoid": ("sigma(x)",),
    "neg_sampling_loss_and_gradient": ("loss", "grad_center_vec", "grad_outside_vecs"),
    "skipgram": ("loss", "grad_center_vectors", "grad_outside_vectors"),
    "cbow": ("loss", "grad_center_vectors", "grad_outside_vectors"),
    "sgd_step": ("the returned parameters",),
}
