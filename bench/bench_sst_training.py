"""The assignment's SST run: the straightforward loop, the vectorized NumPy step and the compiled one.

Part 1, per iteration: each method's seconds per SGD step on the real treebank with the
assignment's settings, in the same process, repeats alternated so that machine load hits all
alike; medians shown, with the ratio to the compiled step. The compiled step with exact σ
(exp and log on every term, as before the σ table) runs beside the tabulated one: old and new.
Part 2, the whole run (40,000 steps), `repeats` times per method, alternated: the SGD time
inside `train_sst` (checkpoints included), the compiled SGD with exact σ (sgd_compiled with the
same checkpoints), and the command line end to end (`python -m w2v_lib train`, a fresh Python:
start-up, imports, reading, vocabulary, subsampling, training, saving, the plot), wall and CPU
time, with the final loss average (the assignment's check: around or below 10). The command
line is timed with numba's cache and Python's bytecode cache warm (every run after a machine's
first); one more run with an empty numba cache (NUMBA_CACHE_DIR pointed at a fresh folder) gives
the first run's figure, and one with no bytecode cache what a shell with PYTHONDONTWRITEBYTECODE
set costs (`cli_env`).
Part 3, the playground: a slider move retrains the assignment's settings (a new step size each
time, so nothing is recalled) and draws the widget's picture; seconds per move.
Each target prints MET or MISSED; the exit status is 1 when the final loss misses its bound.

    W2V_SST_DIR=../shared/data/sst python bench/bench_sst_training.py [--repeats 3] [--iterations 200] [--moves 5]
        [--compiled-only]
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
from w2v_lib.assignment.train import DEFAULT_SEED, DEFAULTS, DRAW_AHEAD, init_params, train_sst
from w2v_lib.corpora import find_sst, prepare_corpus, read_sentences
from w2v_lib.initialisation import run_streams

# (label, method, dtype): the course's arrays are float64 (np.random.rand); the trainer uses float32.
VARIANTS = [("straightforward, float64 (the course's dtype)", "straightforward", np.float64),
            ("straightforward, float32", "straightforward", np.float32),
            ("vectorized NumPy step, float32", "vectorized", np.float32),
            ("compiled, exact σ (before), float32", "compiled-exact", np.float32),
            ("compiled step and loop, float32", "compiled", np.float32)]
TARGETS = {"sgd_s": 1.0, "cli_s": 2.5, "loss": 10.0, "move_s": 1.5}


def time_iterations(data, method: str, dtype, iterations: int, seed: int) -> float:
    """Seconds per iteration of `iterations` SGD steps (the objective is built outside the clock)."""
    rng = np.random.default_rng(seed)
    x0 = init_params(len(data.vocab), DEFAULTS["dim"], np.random.default_rng(seed), dtype=dtype)
    if method.startswith("compiled"):
        start = time.perf_counter()
        sgd_compiled(data, x0, DEFAULTS["step"], iterations, anneal_every=DEFAULTS["anneal_every"], rng=rng, log=None,
                     sigmoid="exact" if method == "compiled-exact" else "table")
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


def train_sst_corpus(sentences):
    """The subsampled corpus train_sst builds with its default seed (its second spawned stream)."""
    corpus_rng = run_streams(DEFAULT_SEED).corpus
    return prepare_corpus(sentences, corpus_rng, DEFAULTS["copies"], DEFAULTS["subsample_threshold"])


def exact_sgd_run(data) -> dict:
    """The compiled SGD of train_sst's run (its corpus `data`, start and stream) with exact σ (the kernel before
    the table), checkpoints as train_sst's."""
    streams = run_streams(DEFAULT_SEED)
    x0 = init_params(len(data.vocab), DEFAULTS["dim"], streams.init)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        res = sgd_compiled(data, x0, DEFAULTS["step"], 40000, anneal_every=DEFAULTS["anneal_every"],
                           rng=streams.training, checkpoint_every=2000, checkpoint_dir=tmp, log=None,
                           sigmoid="exact")
        return dict(sgd_s=time.perf_counter() - start, loss=res.ema)


def cli_env(**changes) -> dict:
    """The command line's environment: this one, with Python's bytecode cache on (as in any installation:
    pip writes it, and so does every import) unless `changes` say otherwise. A shell that sets
    PYTHONDONTWRITEBYTECODE makes every import compile its module's source again (numba's alone
    takes about a second that way), which no user's run pays."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **changes}


def cli_run(method: str, env=None) -> dict:
    """`python -m w2v_lib train` in a fresh interpreter: wall and CPU seconds end to end."""
    env = cli_env() if env is None else env
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "w2v_lib", "train", "--run-dir", tmp, "--no-progress", "--method", method]
        cpu, start = children_cpu(), time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
        return dict(cli_s=time.perf_counter() - start, cli_cpu_s=children_cpu() - cpu)


def playground_moves(sentences, moves: int) -> dict:
    """Seconds per slider move in the playground: retrain the assignment's settings (a step size not seen
    before) and draw the widget's picture, as PlaygroundWidget does after a release."""
    from w2v_lib.lessons.playground import Playground, Settings, draw, png

    pg = Playground(sentences)
    pg.corpus(Settings().copies)  # built once when the notebook opens the playground
    train_s, draw_s = [], []
    for m in range(moves):
        start = time.perf_counter()
        run = pg.train(Settings(step=DEFAULTS["step"] + 0.01 * (m + 1)))
        middle = time.perf_counter()
        png(draw(run))
        train_s.append(middle - start)
        draw_s.append(time.perf_counter() - middle)
    return dict(train_s=train_s, draw_s=draw_s, move_s=[a + b for a, b in zip(train_s, draw_s)],
                loss=run.final_loss)


def verdict(name: str, value: float, target: float, unit: str = "") -> bool:
    met = value <= target
    print(f"{name}: {value:.2f}{unit} (target <= {target}{unit}) {'MET' if met else 'MISSED'}")
    return met


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200, help="iterations per timed repeat (each method)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-full-run", action="store_true", help="skip the 40,000-iteration runs")
    parser.add_argument("--moves", type=int, default=5, help="playground slider moves timed")
    parser.add_argument("--compiled-only", action="store_true",
                        help="leave out the NumPy steps (the targets are the compiled run's; they take minutes)")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} logical CPUs; 1-min load average at start {os.getloadavg()[0]:.1f}")
    sentences = read_sentences(find_sst())
    data = prepare_corpus(sentences, np.random.default_rng(0), DEFAULTS["copies"])
    time_iterations(data, "compiled", np.float32, 10, seed=0)  # the first call loads (or compiles) the kernels
    variants = [v for v in VARIANTS if v[1].startswith("compiled") or not args.compiled_only]
    times = {label: [] for label, _, _ in variants}
    for r in range(args.repeats):
        for label, method, dtype in variants:  # alternate, so a burst of load hits every variant
            # the reference loop takes ~0.1 s a step: 50 steps tell its speed; the compiled loop runs blocks of 250
            n = (min(args.iterations, 50) if method == "straightforward" else
                 max(args.iterations, 2000) if method.startswith("compiled") else args.iterations)
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

    print(f"the σ table: the compiled step takes {med[VARIANTS[-2][0]] / fast:.2f}x as long with exact σ")

    met = {}
    if not args.no_full_run:
        met.update(full_runs(sentences, args.repeats, args.compiled_only))
    pg = playground_moves(sentences, args.moves)
    print(f"\nthe playground, {args.moves} slider moves (the assignment's settings, a new step each): "
          "medians (min–max)")
    print("| retrain s | draw the picture s | per move s | final loss EMA of the last |")
    print("|---:|---:|---:|---:|")
    cells = [f"{statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f})" for v in (pg["train_s"], pg["draw_s"],
                                                                              pg["move_s"])]
    print(f"| {' | '.join(cells)} | {pg['loss']:.2f} |")
    print(f"\n1-min load average at the end {os.getloadavg()[0]:.1f} (above ~0.5 the timings are under load)")
    met["move_s"] = verdict("playground, seconds per slider move", statistics.median(pg["move_s"]),
                            TARGETS["move_s"], " s")
    return 0 if met.get("loss", True) else 1


def full_runs(sentences, repeats: int, compiled_only: bool = False) -> dict:
    """Part 2: the whole 40,000-step run, each way `repeats` times, alternated; the targets' verdicts."""
    runs = {m: [] for m in ("vectorized", "compiled", "compiled, exact σ (before)")
            if not (compiled_only and m == "vectorized")}
    same = train_sst_corpus(sentences)
    cli_run("compiled")  # not timed: writes the bytecode caches, and numba's if it is empty
    for _ in range(repeats):
        for method in runs:
            if method.startswith("compiled, exact"):
                runs[method].append(exact_sgd_run(same))
            else:
                runs[method].append({**whole_run(sentences, method), **cli_run(method)})
    with tempfile.TemporaryDirectory() as cache:  # numba compiles every kernel, as on a machine's first run
        cold = cli_run("compiled", env=cli_env(NUMBA_CACHE_DIR=cache))
    with tempfile.TemporaryDirectory() as empty:  # every module compiled from its source, nothing written
        no_bytecode = cli_run("compiled", env=cli_env(PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=empty))
    print(f"\nthe whole run, 40,000 iterations, {repeats} repeats alternated: medians (min–max)")
    print("| method | SGD wall s | train_sst CPU s (all of it) | CLI end to end wall s | CLI CPU s | final loss EMA |")
    print("|---|---:|---:|---:|---:|---:|")

    def cell(rows, key):
        values = [r[key] for r in rows if key in r]
        return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})" if values else "–"

    for method, rows in runs.items():
        print(f"| {method} | {cell(rows, 'sgd_s')} | {cell(rows, 'process_cpu_s')} | {cell(rows, 'cli_s')} | "
              f"{cell(rows, 'cli_cpu_s')} | {cell(rows, 'loss')} |")
    print(f"| compiled, numba's cache empty (a machine's first run) | | | {cold['cli_s']:.2f} | "
          f"{cold['cli_cpu_s']:.2f} | |")
    print(f"| compiled, Python's bytecode cache empty and not written | | | {no_bytecode['cli_s']:.2f} | "
          f"{no_bytecode['cli_cpu_s']:.2f} | |")
    compiled, exact = runs["compiled"], runs["compiled, exact σ (before)"]
    if "vectorized" in runs:
        ratio = statistics.median(v["sgd_s"] / c["sgd_s"] for v, c in zip(runs["vectorized"], compiled))
        print(f"compiled SGD is {ratio:.1f}x the vectorized SGD (median of same-round ratios)")
    ratio = statistics.median(e["sgd_s"] / c["sgd_s"] for e, c in zip(exact, compiled))
    print(f"the σ table: the compiled SGD with exact σ takes {ratio:.2f}x as long (median of same-round ratios); "
          f"final loss EMA {statistics.median(r['loss'] for r in exact):.4f} exact, "
          f"{statistics.median(r['loss'] for r in compiled):.4f} with the table")
    met = {}
    for key, label, unit in (("sgd_s", "compiled SGD wall (train_sst, warm cache)", " s"),
                             ("cli_s", "compiled CLI end to end wall (warm cache)", " s"),
                             ("loss", "compiled final loss EMA", "")):
        met[key] = verdict(label, statistics.median(r[key] for r in compiled), TARGETS[key], unit)
    return met


if __name__ == "__main__":
    sys.exit(main())
