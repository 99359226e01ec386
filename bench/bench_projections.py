"""How long the explorer's t-SNE takes to show its first picture and to finish (issue 21's
targets at 20,000 words × 100 dimensions: first picture within 3 s, all within 30 s), and PCA.

The vectors are random (a seeded standard normal table), the hardest case for the neighbour
search and the same on every machine; `--wiki` uses the Wikipedia-sample vectors instead (9,000
words, trained once). Prints medians of `--repeats` runs, for one and for two openTSNE threads.

    python bench/bench_projections.py [--words 20000] [--dim 100] [--repeats 3] [--wiki]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from w2v_lib.vectors.projections import pca, tsne


def one_run(vectors, n_jobs):
    """(seconds to the first picture, seconds in all, CPU seconds of this process) of one live t-SNE."""
    start, cpu = time.perf_counter(), time.process_time()
    first = []

    def on_step(fraction, coords, text):
        if not first:
            first.append(time.perf_counter() - start)
        return False

    tsne(vectors, seed=0, on_step=on_step, n_jobs=n_jobs)
    return first[0], time.perf_counter() - start, time.process_time() - cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--wiki", action="store_true", help="the Wikipedia-sample vectors, not random ones")
    args = parser.parse_args(argv)
    if args.wiki:
        from w2v_lib.explorer.sources import wiki_sample

        vectors, what = wiki_sample()[0].vectors, "Wikipedia-sample vectors (centred)"
    else:
        vectors = np.random.default_rng(0).standard_normal((args.words, args.dim)).astype(np.float32)
        what = "random normal vectors"
    print(f"{vectors.shape[0]:,} × {vectors.shape[1]} {what}; medians of {args.repeats} runs")
    pca(vectors[:100])  # BLAS warmed up
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        pca(vectors)
        times.append(time.perf_counter() - t)
    print(f"{'PCA 2-D':<22} {statistics.median(times):8.2f} s")
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a busy machine "
          "stretches the wall-clock times; the CPU seconds are what an idle machine would need)")
    print(f"{'t-SNE (openTSNE)':<22} {'first picture':>14} {'all 750 iterations':>20} {'CPU seconds':>12}")
    tsne(vectors[:50], seed=0)  # imports and compiled code loaded before timing
    for jobs in args.jobs:
        runs = [one_run(vectors, jobs) for _ in range(args.repeats)]
        first = statistics.median(r[0] for r in runs)
        total = statistics.median(r[1] for r in runs)
        cpu = statistics.median(r[2] for r in runs)
        print(f"{f'{jobs} thread(s)':<22} {first:12.2f} s {total:18.2f} s {cpu:10.2f} s")


if __name__ == "__main__":
    main()
