"""From D dimensions to the screen: PCA (2-D/3-D), t-SNE (openTSNE, live), UMAP, axes defined by words, and the
rotation that brings two independently trained vector sets into one picture (the comparison).

Every projection returns (|V|, n) float32 coordinates, n = 2 or 3.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from scipy.linalg import eigh, orthogonal_procrustes
from scipy.sparse.linalg import ArpackError, eigsh

from .._checks import as_matrix

TSNE_LIBRARY = "openTSNE (FFT-accelerated gradients)"
UMAP_LIBRARY = "umap-learn"


@dataclass
class PCABasis:
    mean: np.ndarray  # (D,) the mean the directions are measured from
    components: np.ndarray  # (n, D) unit principal directions, largest variance first
    explained: np.ndarray  # (n,) fraction of the total variance along each direction

    def project(self, vectors) -> np.ndarray:
        vectors = as_matrix(vectors, "vectors", cols=self.mean.shape[0])
        return ((vectors - self.mean) @ self.components.T).astype(np.float32)  # (|V|, n)


def _check_n(n_components):
    if n_components not in (2, 3):
        raise ValueError(f"n_components must be 2 or 3; got {n_components!r}")


def pca_basis(vectors, n_components: int = 2) -> PCABasis:
    """The 2 or 3 principal directions of the (|V|, D) vectors a picture uses (see `principal_basis`)."""
    _check_n(n_components)
    return principal_basis(vectors, n_components)


def principal_basis(vectors, n_components: int) -> PCABasis:
    """The top `n_components` principal directions of the (|V|, D) vectors, and only those.

    From the smaller of the two square matrices of the centred data: the (D, D) covariance when
    D ≤ |V|, the (|V|, |V|) Gram matrix otherwise (a plot of 30 words in 10,000 dimensions), with
    only the top eigenpairs asked for (`_top_eigenpairs`), which skips most of the work of a full
    decomposition. Deterministic: the same on every machine up to round-off. Each direction's sign
    is fixed (its largest-magnitude entry positive) so the picture does not flip between runs or
    library versions.
    """
    x = as_matrix(vectors, "vectors").astype(np.float64)
    n_rows, dim = x.shape
    if dim < n_components:
        raise ValueError(f"vectors have {dim} dimensions; cannot take {n_components} components")
    mean = x.mean(axis=0)  # (D,)
    centred = x - mean  # (|V|, D)
    total = float(np.einsum("ij,ij->", centred, centred)) / n_rows  # the trace of the covariance
    if dim <= n_rows:
        var, comps = _top_eigenpairs(centred.T @ centred / n_rows, n_components)  # (n,), (D, n)
    else:
        var, left = _top_eigenpairs(centred @ centred.T / n_rows, min(n_components, n_rows))  # (n,), (|V|, n)
        comps = centred.T @ left  # (D, n): each column is the direction times sqrt(|V| var)
        comps = _orthonormal_completion(comps, var > _ZERO_VARIANCE * max(total, np.finfo(float).tiny),
                                        n_components)
        var = np.concatenate([var, np.zeros(n_components - len(var))])  # fewer rows than components
    comps = comps.T  # (n, D)
    signs = np.sign(comps[np.arange(n_components), np.abs(comps).argmax(axis=1)])  # (n,)
    comps = comps * np.where(signs == 0, 1.0, signs)[:, None]
    explained = np.maximum(var, 0.0) / total if total > 0 else np.zeros(n_components)
    return PCABasis(mean, comps, explained)


_ZERO_VARIANCE = 1e-12  # relative to the total variance: a direction with less is round-off, not data


_LANCZOS_FROM = 400  # matrix side from which Lanczos beats LAPACK's O(m³) tridiagonal reduction


def _top_eigenpairs(sym, k: int):
    """The k largest eigenvalues of the symmetric (m, m) `sym`, largest first, and their (m, k) eigenvectors.

    Up to `_LANCZOS_FROM` rows, LAPACK's eigh for the top k only; above it, Lanczos (ARPACK's
    eigsh, O(m²) per step) from a fixed start vector, so reruns give the same answer; if it does
    not converge (nearly equal top eigenvalues), LAPACK after all.
    """
    m = sym.shape[0]
    if m >= _LANCZOS_FROM:
        try:
            values, vectors = eigsh(sym, k=k, which="LA", v0=np.ones(m), ncv=min(m, 4 * k + 16), maxiter=20 * m)
            order = np.argsort(values)[::-1]
            return values[order], vectors[:, order]
        except ArpackError:
            pass
    values, vectors = eigh(sym, subset_by_index=[m - k, m - 1])  # ascending
    return values[::-1], vectors[:, ::-1]


def _orthonormal_completion(columns, keep, k: int) -> np.ndarray:
    """The (D, k) orthonormal basis of `columns[:, keep]` (normalised), completed by the first
    standard basis vectors e_0, e_1, … not (nearly) in its span, orthogonalised: directions of
    zero variance, which any orthonormal choice describes equally; this one is reproducible."""
    found = columns[:, keep] / np.linalg.norm(columns[:, keep], axis=0)  # (D, r)
    basis = [found[:, j] for j in range(found.shape[1])]
    for axis in range(columns.shape[0]):
        if len(basis) == k:
            break
        e = np.zeros(columns.shape[0])
        e[axis] = 1.0
        for b in basis:  # Gram-Schmidt, twice for round-off
            e -= (b @ e) * b
        for b in basis:
            e -= (b @ e) * b
        if (norm := np.linalg.norm(e)) > 0.5:
            basis.append(e / norm)
    return np.stack(basis, axis=1)  # (D, k)


def pca(vectors, n_components: int = 2) -> np.ndarray:
    """PCA coordinates, (|V|, n_components)."""
    return pca_basis(vectors, n_components).project(vectors)


class ProjectionCancelled(Exception):
    """A t-SNE stopped by its caller's `on_step` (the explorer's cancel button)."""


@dataclass(frozen=True)
class TSNESchedule:
    """How openTSNE runs: `early` iterations with exaggeration 12 (momentum 0.5), then `main` without
    (momentum 0.8); learning rate 'auto' (|V| / exaggeration); `n_jobs` threads (None: the cores
    idle now); FFT grid with `grid` interpolation intervals per unit in the main phase."""
    early: int = 100
    main: int = 400
    n_jobs: int | None = None
    perplexity: float = 30.0
    grid: float = 2.0

    @property
    def iterations(self) -> int:
        return self.early + self.main


# what the explorer runs. With learning rate |V|/12 the exaggerated phase has gathered the clusters
# well before openTSNE's 250 iterations, and the main phase's last 100 iterations (the most costly:
# the FFT grid grows with the spread) barely change the map; bench/bench_projections.py measures
# the time and the map's quality (KL divergence, neighbours kept) of both schedules in one run
TSNE_SCHEDULE = TSNESchedule()
# openTSNE's own iteration counts, on one thread: what the explorer ran before (the bench's reference)
OPENTSNE_DEFAULTS = TSNESchedule(early=250, main=500, n_jobs=1)


def idle_cores() -> int:
    """How many cores no other process is using now (at least 1): a second openTSNE thread on a
    busy 2-core machine costs more in waiting than it computes."""
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:  # no load average on this system: use every core
        busy = 0.0
    return max(1, min(cores, round(cores - busy)))


def cosine_neighbours(vectors, k: int) -> tuple:
    """Each row's k nearest rows of a (|V|, D) table by cosine, through the one nearest-neighbour
    routine (WordVectors.neighbour_table): ((|V|, k) rows, (|V|, k) cosines)."""
    from .keyed import WordVectors

    return WordVectors([str(i) for i in range(len(vectors))], vectors, centred=False).neighbour_table(k)


def tsne(vectors, n_components: int = 2, seed: int = 0, on_step=None, every: int = 25,
         schedule: TSNESchedule = TSNE_SCHEDULE, result: dict | None = None) -> np.ndarray:
    """t-SNE coordinates (|V|, 2) from openTSNE: cosine affinities, PCA start, FFT gradients.

    Args:
        on_step: optional callback(fraction done in [0, 1], (|V|, 2) coordinates so far, text);
            it is called first with the PCA start (a picture before any neighbour is searched),
            then every `every` iterations. Returning True stops the run: ProjectionCancelled.
        schedule: iterations, threads, perplexity and grid (see TSNESchedule).
        result: optional dict that receives "kl_divergence" (the final map's) and "n_jobs".
    """
    _check_n(n_components)
    if n_components != 2:
        raise ValueError("t-SNE is offered in 2-D only (openTSNE's fast gradients are 2-D)")
    x = as_matrix(vectors, "vectors").astype(np.float32)
    n = x.shape[0]
    if n < 5:
        raise ValueError(f"t-SNE needs at least 5 words; got {n}")
    perplexity = min(float(schedule.perplexity), (n - 1) / 3.0)  # openTSNE needs 3 * perplexity < |V|
    n_jobs = schedule.n_jobs or idle_cores()
    total = schedule.iterations
    start = pca(x)  # (|V|, 2): shown at once, before openTSNE is even imported
    start = (start / max(float(start[:, 0].std()), 1e-12) * 1e-4).astype(np.float32)  # openTSNE's PCA start
    if on_step and on_step(0.0, start, f"t-SNE: finding each word's {int(3 * perplexity)} nearest neighbours"):
        raise ProjectionCancelled("t-SNE cancelled")
    from openTSNE import TSNEEmbedding, affinity, nearest_neighbors
    from openTSNE.tsne import OptimizationInterrupt

    # exact cosine neighbours: on 2 cores a chunked matrix product beats openTSNE's approximate
    # (Annoy) search at 20,000 words
    rows, sims = cosine_neighbours(x, min(n - 1, int(3 * perplexity)))  # (|V|, k) each
    knn = nearest_neighbors.PrecomputedNeighbors(rows, np.maximum(1.0 - sims, 0.0).astype(np.float32))
    if on_step and on_step(0.02, start, "t-SNE: neighbours found; computing their affinities"):
        raise ProjectionCancelled("t-SNE cancelled")
    affinities = affinity.PerplexityBasedNN(perplexity=perplexity, knn_index=knn, n_jobs=n_jobs,
                                            random_state=seed, verbose=False)
    # Barnes-Hut below 10,000 words, FFT interpolation above (openTSNE's own rule): the FFT grid
    # has a fixed cost per iteration that small sets never pay back
    method = "fft" if n >= 10_000 else "bh"
    embedding = TSNEEmbedding(start, affinities, negative_gradient_method=method, n_jobs=n_jobs,
                              random_state=seed, verbose=False)
    done = [0]

    def step(offset):
        def callback(iteration, error, coords):
            done[0] = offset + iteration
            return bool(on_step(done[0] / total, np.asarray(coords, dtype=np.float32),
                                f"t-SNE: iteration {done[0]} of {total}"))
        return callback if on_step else None

    # the grid's unit grows with the spread: two intervals per unit quarter the main phase's grid
    grid = dict(ints_in_interval=schedule.grid) if method == "fft" else {}
    try:  # propagate_exception: a stopped phase raises instead of handing back a half-done map
        embedding = embedding.optimize(schedule.early, exaggeration=12, momentum=0.5, callbacks=step(0),
                                       callbacks_every_iters=every, propagate_exception=True)
        embedding = embedding.optimize(schedule.main, momentum=0.8, callbacks=step(schedule.early),
                                       callbacks_every_iters=every, propagate_exception=True, **grid)
    except OptimizationInterrupt:
        raise ProjectionCancelled(f"t-SNE cancelled at iteration {done[0]} of {total}") from None
    if result is not None:
        result.update(kl_divergence=float(embedding.kl_divergence), n_jobs=n_jobs)
    return np.asarray(embedding, dtype=np.float32)


def neighbours_kept(vectors, coords, k: int = 10) -> float:
    """The share of each word's k nearest neighbours by cosine in the (|V|, D) vectors that are also
    among its k nearest in the (|V|, 2) picture, averaged over words: 1 is a perfect map."""
    from scipy.spatial import cKDTree

    x = as_matrix(vectors, "vectors")
    xy = as_matrix(coords, "coords", rows=x.shape[0])
    high, _ = cosine_neighbours(x, k)  # (|V|, k)
    _, low = cKDTree(xy).query(xy, k + 1)  # (|V|, k + 1): each point first, at distance 0
    low = low[:, 1:]  # (|V|, k)
    # rows of `high` have no repeats, nor those of `low`: shared entries are counted once
    hits = (high[:, :, None] == low[:, None, :]).any(axis=2).sum(axis=1)  # (|V|,)
    return float(hits.mean() / k)


def umap(vectors, seed: int = 0, n_neighbors: int = 15, on_step=None) -> np.ndarray:
    """UMAP coordinates (|V|, 2) from umap-learn (cosine, seeded). No live steps: `on_step` is
    called once with the PCA picture before the (numba-compiled, slow to import) library starts."""
    _check_n(2)
    x = as_matrix(vectors, "vectors").astype(np.float32)
    if x.shape[0] < 5:
        raise ValueError(f"UMAP needs at least 5 words; got {x.shape[0]}")
    if on_step and on_step(0.0, pca(x), "UMAP: loading umap-learn and finding neighbours"):
        raise ProjectionCancelled("UMAP cancelled")
    import umap as umap_learn

    model = umap_learn.UMAP(n_neighbors=min(n_neighbors, x.shape[0] - 1), metric="cosine", random_state=seed,
                            init="spectral" if x.shape[0] > n_neighbors + 1 else "random")
    return model.fit_transform(x).astype(np.float32)


def axis_direction(model, expression: str) -> np.ndarray:
    """The (D,) direction named by an expression such as "woman - man", on the model's vectors."""
    vec, _ = model.expression_vector(expression)
    norm = float(np.linalg.norm(vec))
    if norm == 0.0:
        raise ValueError(f"the axis {expression!r} is the zero vector; pick words that differ")
    return vec / norm


def custom_axes(model, expressions) -> np.ndarray:
    """Coordinates along axes given by expressions, e.g. ("woman - man", "queen - king").

    Each coordinate is the cosine-normalised word vector's projection on the axis direction,
    as in the Embedding Projector's custom projection: (|V|, len(expressions)).
    """
    if isinstance(expressions, str) or len(expressions) not in (2, 3):
        raise ValueError(f"expressions must be 2 or 3 axis expressions; got {expressions!r}")
    dirs = np.stack([axis_direction(model, e) for e in expressions])  # (n, D)
    return (model.unit_vectors @ dirs.T).astype(np.float32)  # (|V|, n)


def align_to(reference, vectors) -> np.ndarray:
    """Rotate (|V|, D) `vectors` onto `reference` by orthogonal Procrustes, after centring both.

    The loss depends on the vectors only through the scores u_oᵀv_c, so it cannot tell a set of
    vectors from any invertible transform of it (V → AV with U → A⁻ᵀU), rotations included. Two
    independently trained sets therefore share no axes, and a rotation is the part of that freedom
    that keeps cosines, so it is what is removed before drawing them together. Checkpoints of one
    run already share one coordinate system and are never aligned: it would remove real movement
    too (notebook 08 measures how much). The scale is kept.
    """
    ref = as_matrix(reference, "reference").astype(np.float64)
    x = as_matrix(vectors, "vectors", cols=ref.shape[1], rows=ref.shape[0]).astype(np.float64)
    ref_mean, x_mean = ref.mean(axis=0), x.mean(axis=0)  # (D,) each
    rotation, _ = orthogonal_procrustes(x - x_mean, ref - ref_mean)  # (D, D)
    return ((x - x_mean) @ rotation + ref_mean).astype(np.float32)

