"""Where every trainer starts: a run's seeded random streams and its initial vectors.

One place for both, so that the course's SST run (NumPy and compiled), the playground, the fast
trainer and the lessons' yardstick (`lessons.learning_dynamics`, which recomputes a run's start
from its seed) agree on the numbers a seed gives.

The starts, all uniform and centred on 0, with outside vectors at 0:
  "course"    (rand − 0.5)/d, drawn in float64: ±0.5/d (the assignment's starter code);
  "word2vec"  the same, drawn in float32: ±0.5/d (the C word2vec; the fast trainer's NumPy method);
  "gensim"    the "word2vec" draw doubled: ±1/d, as gensim 4 starts. The fast trainer's compiled
              kernels start there because it measured better (docs/benchmark.md, 5 seeds:
              skip-gram analogy 0.0155 → 0.0184, CBOW 0.0070 → 0.0091).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

STARTS = ("course", "word2vec", "gensim")


class RunStreams(NamedTuple):
    """A course run's three independent generators: how much one draws never shifts another."""
    init: np.random.Generator  # the initial vectors
    corpus: np.random.Generator  # subsampling the corpus's copies
    training: np.random.Generator  # windows and negatives, saved in each checkpoint


def run_streams(seed: int) -> RunStreams:
    """The generators of `train_sst(seed=seed)` and the playground: SeedSequence(seed) spawned in three."""
    return RunStreams(*(np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(3)))


def initial_center_vectors(n_words: int, dim: int, rng: np.random.Generator, start: str = "course") -> np.ndarray:
    """(|Vocab|, d) center vectors drawn from `rng` for `start` (see the module's docstring):
    float64 for "course", float32 for "word2vec" and "gensim"."""
    if start not in STARTS:
        raise ValueError(f"start must be one of {', '.join(map(repr, STARTS))}; got {start!r}")
    if start == "course":
        return (rng.random((n_words, dim)) - 0.5) / dim  # (|Vocab|, d)
    center_vectors = (rng.random((n_words, dim), dtype=np.float32) - 0.5) / dim  # (|Vocab|, d)
    if start == "gensim":
        center_vectors *= 2
    return center_vectors


def fast_start(method: str) -> str:
    """The start of the fast trainer's `method` ("compiled" or "numpy", as make_config resolves it;
    why the compiled kernels start from gensim's: the module's docstring)."""
    return "gensim" if method == "compiled" else "word2vec"


def init_params(n_words: int, dim: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """The course's starting point, stacked (2|Vocab|, d) = [center_vectors; outside_vectors].

    Center vectors v_w are (rand − 0.5)/d, i.e. uniform in [−0.5/d, 0.5/d): [−0.05, 0.05) at
    d = 10, so "±0.05" is ±1/(2d), not a fixed width. Outside vectors u_w start at 0.
    """
    center_vectors = initial_center_vectors(n_words, dim, rng, "course")  # (|Vocab|, d)
    return np.concatenate([center_vectors, np.zeros((n_words, dim))]).astype(dtype)  # (2|Vocab|, d)
