"""Explorer speed at 20,000 words × 100 dimensions (issue 6's targets).

Times, as medians over repeated runs on random vectors:
  - a k-nearest-neighbour query (cosine and euclidean, k = 10), target ≤ 20 ms;
  - a search or selection update of the figure: the Explorer handler that computes the
    answer and updates the FigureWidget's traces in Python (one batch_update), target ≤ 200 ms.
The training slider and the "centre vectors" toggle redraw every point; they are timed
without a target.
The browser's drawing is not included: it happens in the page, after the message is sent.

Usage: python bench/bench_explorer.py [--words 20000] [--dim 100] [--repeats 30]
Exits with status 1 when a median misses its target.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from w2v_lib.explorer import Explorer
from w2v_lib.vectors import WordVectors


def median_ms(fn, args_list, warmup: int = 3) -> float:
    for args in args_list[:warmup]:  # first calls pay for imports, caches and BLAS thread start-up
        fn(*args)
    times = []
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=30)
    opts = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(opts.words)]
    vectors = rng.standard_normal((opts.words, opts.dim)).astype(np.float32)  # (|V|, D)
    counts = rng.zipf(1.3, opts.words).clip(1, 10**6)
    model = WordVectors(words, vectors, counts)
    # a few training checkpoints, so the slider's update is timed too
    checkpoints = [(it, (it / 4000) * vectors + 0.1 * rng.standard_normal(vectors.shape).astype(np.float32))
                   for it in (1000, 2000, 3000)]
    explorer = Explorer(model, checkpoints, k=10)

    picks = [[words[i]] for i in rng.integers(0, opts.words, opts.repeats)]
    queries = [[model.vector(w[0])] for w in picks]
    rows = []  # (what, median ms, target ms)
    rows.append(("k-NN query, cosine (k=10)",
                 median_ms(lambda q: model.neighbours_of_vector(q, 10, "cosine"), queries), 20))
    rows.append(("k-NN query, euclidean (k=10)",
                 median_ms(lambda q: model.neighbours_of_vector(q, 10, "euclidean"), queries), 20))
    rows.append(("k-NN of an expression a - b + c",
                 median_ms(lambda a, b, c: model.neighbours(f"{a} - {b} + {c}", 10),
                           [[p[0], q[0], r[0]] for p, q, r in zip(picks, picks[1:], picks[2:])]), 20))
    rows.append(("search Enter on a word (k-NN + figure)", median_ms(explorer.submit_search, picks), 200))
    substrings = [[f"w{i}"] for i in rng.integers(100, 999, opts.repeats)]  # each matches ~11 words
    rows.append(("search Enter on part of a word (figure)", median_ms(explorer.submit_search, substrings), 200))
    rows.append(("click / select a point (k-NN + figure)",
                 median_ms(explorer.select_index, [[int(i)] for i in rng.integers(0, opts.words, opts.repeats)]), 200))
    explorer.isolate_box.value = True
    rows.append(("search with 'isolate matches' on", median_ms(explorer.submit_search, picks), 200))
    explorer.isolate_box.value = False
    positions = [[p] for p in [0, 1, 2, -1] * max(1, opts.repeats // 8)]
    rows.append(("training slider step (all points)", median_ms(explorer.set_checkpoint, positions), None))
    explorer.submit_search(picks[0][0])  # a toggle also redoes the current query
    switches = [[flag] for flag in [False, True] * max(2, opts.repeats // 6)]
    rows.append(("'centre vectors' toggle (all points)", median_ms(explorer.set_centring, switches), None))

    assert explorer.last_error is None, explorer.last_error
    print(f"Explorer timings, {opts.words} words × {opts.dim} dims, median of {opts.repeats} (ms)")
    print(f"{'operation':<42} {'median':>8} {'target':>8}  verdict")
    failed = False
    for what, ms, target in rows:
        verdict = "-" if target is None else ("ok" if ms <= target else "TOO SLOW")
        failed |= verdict == "TOO SLOW"
        print(f"{what:<42} {ms:8.2f} {('≤ ' + str(target)) if target else '':>8}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
