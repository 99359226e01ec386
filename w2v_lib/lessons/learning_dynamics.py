"""A yardstick for what a training run learned: how far each vector moved from where it started.

A run starts from known vectors: center vectors v_w random and small, outside vectors u_w zero
(the handout's U = outside_vectors.T). Comparing the trained center vectors (|Vocab|, d) with that
start tells learned structure apart from leftover initialisation:
  * `shared_direction`, `split_movement`, `across_cosine`: the movement v_w − v_w⁽⁰⁾ split into
    its part along the one direction every vector moved along, and the rest;
  * `movement_spectrum`: in how many directions the vectors moved;
  * `frequency_link`: how closely the movement along that direction follows word frequency;
  * `frequency_surrogate`, `top_neighbours`, `neighbour_agreement`: a stand-in built from the
    initialisation plus two numbers per word, and how many neighbours it reproduces;
  * `measure`: all of the above for one run, as one `Yardstick` row;
  * `initial_center_vectors_sst`, `initial_center_vectors_fast`: each trainer's start, from its seed;
    `sst_run_corpus`: the subsampled copies `train_sst` draws its windows from;
  * `shifted_ppmi`, `factorise`: the factorisation view (Levy & Goldberg, 2014): skip-gram with K
    negatives fits u_oᵀv_c ≈ PMI(c, o) − log K; the SVD of that matrix is the closed-form
    counterpart of the trained vectors (the pair counts: `linear_dynamics.pairs_per_window`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._checks import as_matrix
from ..corpora import FREQUENT_MIN_COUNT, prepare_corpus
from ..initialisation import fast_start, init_params, initial_center_vectors, run_streams
from ..vectors.keyed import nearest_rows, neighbour_agreement


def _pair(vectors, initial):
    vectors = as_matrix(vectors, "vectors").astype(np.float64)
    initial = as_matrix(initial, "initial", cols=vectors.shape[1], rows=vectors.shape[0]).astype(np.float64)
    return vectors, initial


def movement_spectrum(vectors, initial) -> np.ndarray:
    """Singular values (d,), largest first, of the movement `vectors − initial` (|Vocab|, d): center
    vectors as rows, i.e. (V − V⁽⁰⁾)ᵀ in the handout's notation.

    One large value and d − 1 small ones: every vector moved along (nearly) one shared direction.
    Computed from the d × d Gram matrix, which squares them: values below about 1e-7 of the
    largest are round-off.
    """
    return _movement_axes(vectors, initial)[0]


def shared_direction(vectors, initial) -> np.ndarray:
    """The unit direction (d,) that the movement (V − V⁽⁰⁾)ᵀ follows most: its leading right
    singular vector, signed so that most words moved forwards along it."""
    vectors, initial = _pair(vectors, initial)
    direction = _movement_axes(vectors, initial)[1][:, 0]  # (d,)
    return direction if np.median((vectors - initial) @ direction) >= 0 else -direction


def _movement_axes(vectors, initial):
    """(singular values (d,), right singular vectors as columns (d, d)) of (V − V⁽⁰⁾)ᵀ, largest first,
    from the d × d Gram matrix: |Vocab| can be large, d is small."""
    vectors, initial = _pair(vectors, initial)
    movement = vectors - initial  # (|Vocab|, d)
    energy, axes = np.linalg.eigh(movement.T @ movement)  # ascending, (d,) and (d, d)
    return np.sqrt(np.maximum(energy[::-1], 0.0)), axes[:, ::-1]


def split_movement(vectors, initial, direction):
    """(along (|Vocab|,), across (|Vocab|,)): each word's movement v_w − v_w⁽⁰⁾ as its signed length along
    the unit `direction` and the length of the rest, orthogonal to it."""
    vectors, initial = _pair(vectors, initial)
    movement = vectors - initial  # (|Vocab|, d)
    along = movement @ _unit(direction, vectors.shape[1])  # (|Vocab|,)
    across = np.sqrt(np.maximum((movement ** 2).sum(axis=1) - along ** 2, 0.0))  # Pythagoras, (|Vocab|,)
    return along, across


def across_cosine(vectors, initial, direction) -> np.ndarray:
    """(|Vocab|,) cosine between each trained vector and its initialisation, both with their part along
    `direction` removed: 1 means that, apart from that direction, the word is still its random start."""
    vectors, initial = _pair(vectors, initial)
    e = _unit(direction, vectors.shape[1])
    a = vectors - np.outer(vectors @ e, e)  # (|Vocab|, d)
    b = initial - np.outer(initial @ e, e)  # (|Vocab|, d)
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def frequency_link(values, counts) -> float:
    """Spearman rank correlation between a per-word number (|Vocab|,) and the words' corpus counts (|Vocab|,)."""
    from scipy.stats import spearmanr

    values, counts = np.asarray(values, dtype=np.float64), np.asarray(counts)
    if values.shape != counts.shape or values.ndim != 1:
        raise ValueError(f"values and counts must be 1-D with one entry per word; got {values.shape}, {counts.shape}")
    return float(spearmanr(values, counts).statistic)


def frequency_surrogate(vectors, initial, direction) -> np.ndarray:
    """(|Vocab|, d) stand-ins for the trained vectors: v̂_w = a_w e + s_w (v_w⁽⁰⁾ − (v_w⁽⁰⁾·e) e).

    Built from the initialisation and two numbers per word, fitted by least squares: a_w, the
    trained vector's coordinate along the unit direction e (how it relates to word frequency is
    measured by `frequency_link`, not assumed), and s_w, the scale of the start's part across e.
    """
    vectors, initial = _pair(vectors, initial)
    e = _unit(direction, vectors.shape[1])
    a = vectors @ e  # (|Vocab|,)
    start_across = initial - np.outer(initial @ e, e)  # (|Vocab|, d)
    scale = (vectors * start_across).sum(axis=1) / (start_across ** 2).sum(axis=1)  # (|Vocab|,) since e ⟂ start_across
    return np.outer(a, e) + scale[:, None] * start_across


def top_neighbours(vectors, rows, k: int = 10) -> np.ndarray:
    """(len(rows), k) each listed word's k nearest words by cosine, searched among `rows` only
    (the word itself left out), as indices into `vectors`, nearest first."""
    vectors = as_matrix(vectors, "vectors")
    rows = np.asarray(rows, dtype=np.int64)
    if not isinstance(k, (int, np.integer)) or not 1 <= k < rows.size:
        raise ValueError(f"k must be an integer in [1, {rows.size - 1}] for {rows.size} candidate rows; got {k!r}")
    candidates = vectors[rows].astype(np.float64)  # (n, d)
    # float64: near-ties between neighbours come out in the same order on any CPU
    found, _ = nearest_rows(candidates, candidates, k, exclude=np.arange(rows.size)[:, None], dtype=np.float64)
    return rows[found]  # (n, k)


@dataclass(frozen=True)
class Yardstick:
    """One run measured against its start (see `measure`); every column over the same words, those
    seen at least `min_count` times, and the shared direction found from their movement alone."""
    second_direction: float  # s₂/s₁ of their movement (V − V⁽⁰⁾)ᵀ: near 0 when one direction carries it all
    cosine_across: float  # median of their across_cosine: 1 = still the random start
    surrogate_agreement: float  # mean share of their top-k lists (among them) that frequency_surrogate reproduces
    frequency_link: float  # Spearman correlation of their movement along that direction with their counts


def measure(vectors, initial, counts, min_count: int = FREQUENT_MIN_COUNT, k: int = 10) -> Yardstick:
    """The yardstick for trained center vectors (|Vocab|, d) against their start (|Vocab|, d), with the
    words' corpus counts (|Vocab|,), computed over the words seen at least `min_count` times only (the
    words whose vectors training updates often enough to matter): each column of `Yardstick` is."""
    counts = np.asarray(counts)
    frequent = np.flatnonzero(counts >= min_count)
    if frequent.size <= k:
        raise ValueError(f"only {frequent.size} words are seen at least {min_count} times; need more than k = {k}")
    vectors, initial = _pair(vectors, initial)
    moved, start = vectors[frequent], initial[frequent]  # (n, d) each
    direction = shared_direction(moved, start)
    s = movement_spectrum(moved, start)
    along, _ = split_movement(moved, start, direction)
    rows = np.arange(frequent.size)
    trained_lists = top_neighbours(moved, rows, k)
    surrogate_lists = top_neighbours(frequency_surrogate(moved, start, direction), rows, k)
    return Yardstick(second_direction=float(s[1] / s[0]),
                     cosine_across=float(np.median(across_cosine(moved, start, direction))),
                     surrogate_agreement=float(neighbour_agreement(trained_lists, surrogate_lists).mean()),
                     frequency_link=frequency_link(along, counts[frequent]))


def initial_center_vectors_sst(n_words: int, dim: int, seed: int) -> np.ndarray:
    """(|Vocab|, d) float32: the center vectors `assignment.train.train_sst(seed=seed)` starts from.

    train_sst draws it with `init_params` from the first of its `run_streams(seed)`, and so does this.
    """
    return init_params(n_words, dim, run_streams(seed).init)[:n_words]


def sst_run_corpus(sentences, seed: int, copies: int = 30, subsample_threshold: float = 1e-5):
    """The `corpora.TrainingCorpus` (vocabulary, subsampled copies) that
    `train_sst(sentences=sentences, seed=seed, ...)` prepares, drawn from its corpus generator."""
    return prepare_corpus(sentences, run_streams(seed).corpus, copies, subsample_threshold)


def initial_center_vectors_fast(n_words: int, dim: int, seed: int, method: str = "auto") -> np.ndarray:
    """(|Vocab|, d) float32: the center vectors `fast.train_word2vec(seed=seed, method=method)` starts
    from, the first use of default_rng(seed): ±0.5/d for "numpy", ±1/d for "compiled" ("auto": the
    one make_config picks here)."""
    from ..fast.config import make_config

    start = fast_start(make_config(method=method).method)
    return initial_center_vectors(n_words, dim, np.random.default_rng(int(seed)), start)  # (|Vocab|, d)


def shifted_ppmi(pairs, noise_probabilities, k: int) -> sp.csr_matrix:
    """(|Vocab|, |Vocab|) sparse max(0, log(#(c, o) / (#(c) · K · P_n(o)))): the shifted positive PMI.

    With P_n the negative-sampling distribution (|Vocab|,) and #(c) = Σ_o #(c, o), the log term is the
    value of u_oᵀv_c at which skip-gram's expected loss for that pair is smallest (Levy & Goldberg,
    2014); pairs never seen, and negative values, are set to 0 so the matrix stays sparse.
    """
    pairs = sp.csr_matrix(pairs, dtype=np.float64)
    noise = np.asarray(noise_probabilities, dtype=np.float64)
    if pairs.shape[0] != pairs.shape[1] or noise.shape != (pairs.shape[0],):
        raise ValueError(f"pairs must be (|Vocab|, |Vocab|) and noise_probabilities (|Vocab|,); "
                         f"got {pairs.shape}, {noise.shape}")
    center_totals = np.asarray(pairs.sum(axis=1)).ravel()  # (|Vocab|,) #(c)
    coo = pairs.tocoo()
    keep = coo.data > 0
    r, c, n = coo.row[keep], coo.col[keep], coo.data[keep]
    values = np.log(n) - np.log(center_totals[r]) - np.log(k * noise[c])
    positive = values > 0
    return sp.csr_matrix((values[positive], (r[positive], c[positive])), shape=pairs.shape)


def factorise(matrix, dim: int, seed: int = 0):
    """(center-side (n, dim), outside-side (n, dim), singular values (dim,)) of a rank-`dim` SVD of
    `matrix` (n, n), largest first, each side scaled by √s so that their product approximates it."""
    from scipy.sparse.linalg import svds

    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    if not isinstance(dim, (int, np.integer)) or not 1 <= dim < min(matrix.shape):
        raise ValueError(f"dim must be an integer in [1, {min(matrix.shape) - 1}]; got {dim!r}")
    start = np.random.default_rng(seed).standard_normal(min(matrix.shape))  # (n,) ARPACK's seeded start
    left, s, right_t = svds(matrix, k=dim, v0=start)
    order = np.argsort(-s)
    root = np.sqrt(s[order])
    return left[:, order] * root, right_t[order].T * root, s[order]


def _unit(direction, dim):
    e = np.asarray(direction, dtype=np.float64)
    if e.shape != (dim,) or not np.linalg.norm(e) > 0:
        raise ValueError(f"direction must be a nonzero vector of shape ({dim},); got shape {e.shape}")
    return e / np.linalg.norm(e)


def partial_rank_correlation(values, others, control) -> float:
    """Spearman correlation of two per-word numbers (|Vocab|,) with a third (e.g. the counts) partialled
    out: the correlation of their ranks' residuals after a least-squares fit on the control's ranks."""
    from scipy.stats import rankdata

    ranks = [rankdata(np.asarray(x, dtype=np.float64)) for x in (values, others, control)]
    if len({r.shape for r in ranks}) != 1 or ranks[0].ndim != 1:
        raise ValueError(f"values, others and control must be 1-D of one length; got {[r.shape for r in ranks]}")
    z = np.column_stack([np.ones_like(ranks[2]), ranks[2]])  # (n, 2)
    residuals = [r - z @ np.linalg.lstsq(z, r, rcond=None)[0] for r in ranks[:2]]
    return float(residuals[0] @ residuals[1] / (np.linalg.norm(residuals[0]) * np.linalg.norm(residuals[1])))
