"""PCA's top 2 directions, old way against new: the old `principal_basis` decomposed the whole
(D, D) covariance (an SVD, O(D³)); the new one asks LAPACK for the top eigenpairs only, of the
smaller of the covariance and the (|Vocab|, |Vocab|) Gram matrix.

Two shapes of input per dimension D: the command line's plot (the 24 course words, whose vectors
are [v_w, u_w]: `train --dim 5000` plots D = 10,000) and an explorer-sized set. The vectors are a
seeded standard normal table. Prints the median of `--repeats` runs of each, and the largest
difference between the two answers' directions (which must be round-off).

    python bench/bench_pca.py [--dims 300 1000 5000] [--words 24 2000] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from w2v_lib.vectors.projections import principal_basis


def full_svd_basis(vectors, n_components: int):
    """The old way, kept here as the reference: SVD of the whole (D, D) covariance; (n, D) directions."""
    x = np.asarray(vectors, dtype=np.float64)
    centred = x - x.mean(axis=0)  # (|Vocab|, D)
    u, _, _ = np.linalg.svd(centred.T @ centred / x.shape[0])  # (D, D)
    comps = u[:, :n_components].T  # (n, D)
    signs = np.sign(comps[np.arange(n_components), np.abs(comps).argmax(axis=1)])
    return comps * np.where(signs == 0, 1.0, signs)[:, None]


def median_seconds(fn, repeats: int) -> tuple:
    """(median seconds of `repeats` calls, the last result)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[300, 1000, 5000])
    parser.add_argument("--words", type=int, nargs="+", default=[24, 2000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    principal_basis(rng.standard_normal((50, 50)), 2)  # BLAS and LAPACK warmed up
    print(f"PCA, 2 components; medians of {args.repeats} runs; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'|Vocab|':>6} {'D':>6} {'old: full SVD':>14} {'new: top-k':>12} {'speed-up':>9} {'max |Δ|':>9}")
    for dim in args.dims:
        for n_words in args.words:
            vectors = rng.standard_normal((n_words, dim)).astype(np.float32)
            old_s, old = median_seconds(lambda v=vectors: full_svd_basis(v, 2), args.repeats)
            new_s, new = median_seconds(lambda v=vectors: principal_basis(v, 2).components, args.repeats)
            print(f"{n_words:>6,} {dim:>6,} {old_s:12.3f} s {new_s:10.3f} s {old_s / new_s:8.1f}× "
                  f"{np.abs(old - new).max():9.1e}")


if __name__ == "__main__":
    main()
