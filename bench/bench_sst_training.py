"""The assignment's SST run: the straightforward loop, the vectorized NumPy step and the compiled one.

Part 1, per iteration: each method's seconds per SGD step on the real treebank with the
assignment's settings, in the same process, repeats alternated so that machine load hits all
alike; medians shown, with the ratio to the compiled step.
Part 2, the whole run (40,000 steps), `repeats` times per method, alternated: the SGD time
inside `train_sst`, and the command line end to end (`python -m w2v_lib train`, a fresh Python:
start-up, imports, reading, vocabulary, subsampling, training, saving, the plot), wall and CPU
time, with the final loss average (the assignment's check: around or below 10).

    W2V_SST_DIR=../shared/data/sst python bench/bench_sst_training.py [--repeats 3] [--iterations 200]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from w2v_lib import sgd
from w2v_lib.assignment.sst_sgd import sgd_compiled
from w2v_lib.assignment.step import make_objective
from w2v_lib.assignment.train import DEFAULTS, DRAW_AHEAD, init_params, train_sst
from w2v_lib.corpora import find_sst, prepare_corpus, read_sentences

# (label, method, dtype): the course's arrays are float64 (np.random.rand); the trainer uses float32.
VARIANTS = [("straightforward, float64 (the course's dtype)", "straightforward", np.float64),
            ("straightforward, float32", "straightforward", np.float32),
            ("vectorized NumPy step, float32", "vectorized", np.float32),
            ("compiled step and loop, float32", "compiled", np.float32)]
TARGETS = {"sgd_s": 1.0, "cli_s": 2.5, "loss": 10.0}


def time_iterations(data, method: str, dtype, iterations: int, seed: int) -> float:
    """Seconds per iteration of `iterations` SGD steps (the objective is built outside the clock)."""
    rng = np.random.default_rng(seed)
    x0 = init_params(len(data.vocab), DEFAULTS["dim"], np.random.default_rng(seed), dtype=dtype)
    if method == "compiled":
        start = time.perf_counter()
        sgd_compiled(data, x0, DEFAULTS["step"], iterations, anneal_every=DEFAULTS["anneal_every"], rng=rng, log=None)
        return (time.perf_counter() - start) / iterations
    f = make_objective(data, rng, method, DEFAULTS["batch_size"], DEFAULTS["window"], DEFAULTS["negatives"],
                       draw_ahead=DRAW_AHEAD)
    start = time.perf_counter()
    sgd(f, x0, DEFAULTS["step"], iterations, anneal_every=DEFAULTS["anneal_every"], rng=rng)
    return (time.perf_counter() - start) / iterations


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_run(sentences, method: str) -> dict:
    """One 40,000-step train_sst in this process: SGD wall and CPU seconds, final loss."""
    with tempfile.TemporaryDirectory() as tmp:
        cpu = time.process_time()
        result = train_sst(sentences=sentences, run_dir=tmp, log=None, method=method)
        return dict(sgd_s=result.seconds, process_cpu_s=time.process_time() - cpu, loss=result.final_loss_ema)


def cli_run(method: str) -> dict:
    """`python -m w2v_lib train` in a fresh interpreter: wall and CPU seconds end to end."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "w2v_lib", "train", "--run-dir", tmp, "--no-progress", "--method", method]
        cpu, start = children_cpu(), time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        return dict(cli_s=time.perf_counter() - start, cli_cpu_s=children_cpu() - cpu)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200, help="iterations per timed repeat (each method)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-full-run", action="store_true", help="skip the 40,000-iteration runs")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} logical CPUs; 1-min load average at start {os.getloadavg()[0]:.1f}")
    sentences = read_sentences(find_sst())
    data = prepare_corpus(sentences, np.random.default_rng(0), DEFAULTS["copies"])
    time_iterations(data, "compiled", np.float32, 10, seed=0)  # the first call loads (or compiles) the kernels
    times = {label: [] for label, _, _ in VARIANTS}
    for r in range(args.repeats):
        for label, method, dtype in VARIANTS:  # alternate, so a burst of load hits every variant
            # the reference loop takes ~0.1 s a step: 50 steps tell its speed; the compiled loop runs blocks of 250
            n = {"straightforward": min(args.iterations, 50), "compiled": max(args.iterations, 2000)}.get(
                method, args.iterations)
            times[label].append(time_iterations(data, method, dtype, n, seed=r))
    med = {label: statistics.median(t) for label, t in times.items()}
    fast = med[VARIANTS[-1][0]]
    print(f"SST skip-gram, d={DEFAULTS['dim']}, C={DEFAULTS['window']}, K={DEFAULTS['negatives']}, "
          f"{DEFAULTS['batch_size']} windows/step; {args.repeats} repeats, medians")
    print("| step | µs / iteration | 40,000 iterations (extrapolated) | slower than compiled by |")
    print("|---|---:|---:|---:|")
    for label, t in med.items():
        total = f"{40000 * t / 60:.1f} min" if t > 0.01 else f"{40000 * t:.1f} s"
        print(f"| {label} | {1e6 * t:,.0f} | {total} | {t / fast:,.1f}x |")

    if args.no_full_run:
        return 0
    runs = {m: [] for m in ("vectorized", "compiled")}
    for _ in range(args.repeats):
        for method in runs:
            runs[method].append({**whole_run(sentences, method), **cli_run(method)})
    print(f"\nthe whole run, 40,000 iterations, {args.repeats} repeats alternated: medians (min–max)")
    print("| method | SGD wall s | train_sst CPU s (all of it) | CLI end to end wall s | CLI CPU s | final loss EMA |")
    print("|---|---:|---:|---:|---:|---:|")

    def cell(rows, key):
        values = [r[key] for r in rows]
        return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"

    for method, rows in runs.items():
        print(f"| {method} | {cell(rows, 'sgd_s')} | {cell(rows, 'process_cpu_s')} | {cell(rows, 'cli_s')} | "
              f"{cell(rows, 'cli_cpu_s')} | {cell(rows, 'loss')} |")
    compiled, vectorized = runs["compiled"], runs["vectorized"]
    ratio = statistics.median(v["sgd_s"] / c["sgd_s"] for v, c in zip(vectorized, compiled))
    print(f"compiled SGD is {ratio:.1f}x the vectorized SGD (median of same-round ratios)")
    failed = False
    for key, label in (("sgd_s", "SGD wall"), ("cli_s", "CLI end to end wall"), ("loss", "final loss EMA")):
        value = statistics.median(r[key] for r in compiled)
        met = value <= TARGETS[key]
        failed |= key == "loss" and not met
        print(f"compiled {label}: {value:.2f} (target <= {TARGETS[key]}) {'MET' if met else 'NOT MET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
