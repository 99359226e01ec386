"""t-SNE through openTSNE, drawn live: a picture before any neighbour is searched, then one every
few iterations, with a schedule (iterations, threads) measured for speed and for the map's quality
(bench/bench_projections.py), and `neighbours_kept`, the quality measure the bench prints.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .._checks import as_matrix
from .projections import ProjectionCancelled, _check_n, pca

TSNE_LIBRARY = "openTSNE (FFT-accelerated gradients)"


@dataclass(frozen=True)
class TSNESchedule:
    """How openTSNE runs: `early` iterations with exaggeration 12 (momentum 0.5), then `main` without
    (momentum 0.8); learning rate 'auto' (|Vocab| / exaggeration); `n_jobs` threads (None: the cores
    idle now); FFT grid with `grid` interpolation intervals per unit in the main phase."""
    early: int = 100
    main: int = 400
    n_jobs: int | None = None
    perplexity: float = 30.0
    grid: float = 2.0

    @property
    def iterations(self) -> int:
        return self.early + self.main


# what the explorer runs. With learning rate |Vocab|/12 the exaggerated phase has gathered the clusters
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
    except (OSError, AttributeError):  # no load average here (Windows has no os.getloadavg): use every core
        busy = 0.0
    return max(1, min(cores, round(cores - busy)))


def cosine_neighbours(vectors, k: int) -> tuple:
    """Each row's k nearest rows of a (|Vocab|, D) table by cosine, through the one nearest-neighbour
    routine (WordVectors.neighbour_table): ((|Vocab|, k) rows, (|Vocab|, k) cosines)."""
    from .keyed import WordVectors

    return WordVectors([str(i) for i in range(len(vectors))], vectors, centred=False).neighbour_table(k)


def tsne(vectors, n_components: int = 2, seed: int = 0, on_step=None, every: int = 25,
         schedule: TSNESchedule = TSNE_SCHEDULE, result: dict | None = None) -> np.ndarray:
    """t-SNE coordinates (|Vocab|, 2) from openTSNE: cosine affinities, PCA start, FFT gradients.

    Args:
        on_step: optional callback(fraction done in [0, 1], (|Vocab|, 2) coordinates so far, text);
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
    perplexity = min(float(schedule.perplexity), (n - 1) / 3.0)  # openTSNE needs 3 * perplexity < |Vocab|
    n_jobs = schedule.n_jobs or idle_cores()
    total = schedule.iterations
    start = pca(x)  # (|Vocab|, 2): shown at once, before openTSNE is even imported
    start = (start / max(float(start[:, 0].std()), 1e-12) * 1e-4).astype(np.float32)  # openTSNE's PCA start
    if on_step and on_step(0.0, start, f"t-SNE: finding each word's {int(3 * perplexity)} nearest neighbours"):
        raise ProjectionCancelled("t-SNE cancelled")
    from openTSNE import TSNEEmbedding, affinity, nearest_neighbors
    from openTSNE.tsne import OptimizationInterrupt

    # exact cosine neighbours: on 2 cores a chunked matrix product beats openTSNE's approximate
    # (Annoy) search at 20,000 words
    rows, sims = cosine_neighbours(x, min(n - 1, int(3 * perplexity)))  # (|Vocab|, k) each
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
    """The share of each word's k nearest neighbours by cosine in the (|Vocab|, D) vectors that are also
    among its k nearest in the (|Vocab|, 2) picture, averaged over words: 1 is a perfect map."""
    from scipy.spatial import cKDTree

    x = as_matrix(vectors, "vectors")
    xy = as_matrix(coords, "coords", rows=x.shape[0])
    high, _ = cosine_neighbours(x, k)  # (|Vocab|, k)
    _, low = cKDTree(xy).query(xy, k + 1)  # (|Vocab|, k + 1): each point first, at distance 0
    low = low[:, 1:]  # (|Vocab|, k)
    # rows of `high` have no repeats, nor those of `low`: shared entries are counted once
    hits = (high[:, :, None] == low[:, None, :]).any(axis=2).sum(axis=1)  # (|Vocab|,)
    return float(hits.mean() / k)
