"""Per-iteration time of the SST training: the straightforward reference loop vs the vectorized one.

Both run through the core `sgd` on the real treebank with the assignment's settings, in the same
process, alternating repeats so machine load hits both alike; medians are reported. Then the
full 40,000-iteration run is timed and its final loss EMA checked against the assignment's
sanity bound (<= 10).

    W2V_SST_DIR=../shared/data/sst python bench/bench_sst_training.py [--iterations 200] [--repeats 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time

import numpy as np

from w2v_lib import sgd
from w2v_lib.assignment.step import make_objective
from w2v_lib.assignment.train import DEFAULTS, DRAW_AHEAD, init_params, train_sst
from w2v_lib.corpora import find_sst, prepare_corpus, read_sentences

# (label, method, dtype): the course's arrays are float64 (np.random.rand); the trainer uses float32.
VARIANTS = [("straightforward, float64 (the course's dtype)", "straightforward", np.float64),
            ("straightforward, float32", "straightforward", np.float32),
            ("vectorized, float32 (train_sst)", "vectorized", np.float32)]


def time_iterations(data, method: str, dtype, iterations: int, seed: int) -> float:
    """Seconds per iteration of `iterations` sgd steps (the objective is built outside the clock)."""
    rng = np.random.default_rng(seed)
    f = make_objective(data, rng, method, DEFAULTS["batch_size"], DEFAULTS["window"], DEFAULTS["negatives"],
                       draw_ahead=DRAW_AHEAD)
    x0 = init_params(len(data.vocab), DEFAULTS["dim"], np.random.default_rng(seed), dtype=dtype)
    start = time.perf_counter()
    sgd(f, x0, DEFAULTS["step"], iterations, anneal_every=DEFAULTS["anneal_every"], rng=rng)
    return (time.perf_counter() - start) / iterations


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200, help="iterations per timed repeat (each method)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-full-run", action="store_true", help="skip timing the full 40,000-iteration run")
    args = parser.parse_args(argv)

    sentences = read_sentences(find_sst())
    data = prepare_corpus(sentences, np.random.default_rng(0), DEFAULTS["copies"])
    times = {label: [] for label, _, _ in VARIANTS}
    for r in range(args.repeats):
        for label, method, dtype in VARIANTS:  # alternate, so a burst of load hits every variant
            times[label].append(time_iterations(data, method, dtype, args.iterations, seed=r))
    med = {label: statistics.median(t) for label, t in times.items()}
    fast = med[VARIANTS[-1][0]]
    print(f"SST skip-gram, d={DEFAULTS['dim']}, C={DEFAULTS['window']}, K={DEFAULTS['negatives']}, "
          f"{DEFAULTS['batch_size']} windows/step; {args.iterations} iterations x {args.repeats} repeats, medians")
    print("| loop | ms / iteration | 40,000 iterations (extrapolated) | vectorized is faster by |")
    print("|---|---:|---:|---:|")
    for label, t in med.items():
        total = f"{40000 * t / 60:.1f} min" if t > 0.01 else f"{40000 * t:.1f} s"
        print(f"| {label} | {1e3 * t:.3f} | {total} | {t / fast:.0f}x |")
    print("(target: >= 500x over the straightforward loop)")

    if not args.no_full_run:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            result = train_sst(sentences=sentences, run_dir=tmp, log=None)
            total = time.perf_counter() - start
        print(f"full run: 40,000 iterations, sgd {result.seconds:.1f} s, with vocabulary, subsampling and saving "
              f"{total:.1f} s; final loss EMA {result.final_loss_ema:.2f} (assignment: around or below 10)")
        if result.final_loss_ema > 10.5:
            print("FAILED: the final loss is above the assignment's sanity bound", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
