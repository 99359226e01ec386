"""w2v_lib's fast trainer against gensim's Word2Vec on gensim's Wikipedia sample, side by side.

    .venv/bin/python bench/bench_vs_gensim.py                 # 3 interleaved rounds, seeds 1,2,3
    .venv/bin/python bench/bench_vs_gensim.py --quick         # 1 round of 1 epoch: a smoke test
    .venv/bin/python bench/bench_vs_gensim.py --seeds 1,2,3,4,5   # the quality table's 5 seeds: 5 rounds

Every training runs in its own subprocess (so peak memory, read with getrusage, is that
training's alone), and the rounds are interleaved: round r trains every configuration once,
in a rotated order, so that load from other programs on the machine hits all of them alike.
Speed is effective words per second (tokens left after subsampling, gensim's own count) over
the wall time of the training call; ours includes turning the tokens into ids, as gensim's
does. Ratios are taken within a round, then the median over rounds is shown. CPU seconds (user +
system of the training call) are shown too: on a shared machine they move less than wall time.

Our skip-gram is trained with several of the compiled kernel's rules, named sharing+shuffle
(`sharing`: "none" is word2vec's own update, "window" shares a window's K negatives between its
pairs, "summed" is HogBatch: M shared negatives and the centre's update summed over the window;
`shuffle`: "none" walks the corpus in order as word2vec does, "windows" shuffles a chunk's windows),
so the table shows what each shortcut and the order cost on their own, against the same seeds;
the other rows use the default.
Two more measurements answer "is the speed bought with quality": the quality our default reaches
in gensim's wall time (as many epochs as fit in the median time of gensim's default run), and
the highest words/s of a rule whose quality matches gensim's (mean ≥ gensim's mean − 1 sd on all
three benchmarks). The two-thread row is set beside a control loop (float32 products, one BLAS
thread each, on one then two Python threads): what a second core gives any program right now.

The arithmetic rate: our kernels count their row updates (a score and two multiply-adds of d
numbers: 6·d flops); that over the training's wall time is set beside the machine's float32
matrix-multiply rate measured here (one thread), the most this core's arithmetic could give.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

SETTINGS = dict(vector_size=100, window=5, negative=10, sample=1e-3, min_count=5, alpha=0.025, min_alpha=0.0001)
METHOD = os.environ.get("W2V_BENCH_METHOD", "compiled")  # the trainer's method: "compiled" or "numpy"
# the compiled kernel's rules, sharing+shuffle, word2vec's own first
RULES = ("none+none", "window+none", "summed+none", "summed+windows")
QUALITY = ("analogy", "ws353", "simlex")


def default_rule(model: str = "skipgram") -> str:
    """Our default rule for `model`, as sharing+shuffle (the CBOW rows train with CBOW's own default)."""
    from w2v_lib.fast.config import make_config
    cfg = make_config(method=METHOD, model=model)
    return f"{cfg.sharing}+{cfg.shuffle}"


def configs_for(models, rules) -> list:
    """(impl, model, threads) in the order the table shows them; ours is "w2v_lib:<sharing>+<shuffle>"."""
    out = []
    if "skipgram" in models:
        out += [("gensim", "skipgram", 1)] + [(f"w2v_lib:{r}", "skipgram", 1) for r in rules]
        out += [("gensim", "skipgram", 2), (f"w2v_lib:{default_rule('skipgram')}", "skipgram", 2)]
    if "cbow" in models:
        out += [("gensim", "cbow", 1), (f"w2v_lib:{default_rule('cbow')}", "cbow", 1)]
    return list(dict.fromkeys(out))


def train_once(impl: str, model: str, threads: int, seed: int, epochs: int) -> dict:
    """Train one configuration in this process and return its measurements."""
    from w2v_lib.corpora import build_vocabulary, wiki_sample_sentences
    from w2v_lib.vectors.evaluation import evaluate_all

    sentences = wiki_sample_sentences()
    if impl == "gensim":
        import logging

        from gensim.models import Word2Vec
        logging.disable(logging.WARNING)
        m = Word2Vec(sg=int(model == "skipgram"), workers=threads, seed=seed, **SETTINGS)
        m.build_vocab(sentences)
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        effective, _ = m.train(sentences, total_examples=m.corpus_count, epochs=epochs)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        words, vectors, flops, first_call = m.wv.index_to_key, m.wv.vectors, float("nan"), float("nan")
    else:
        from w2v_lib.fast import train_word2vec
        rule = dict(zip(("sharing", "shuffle"), impl.split(":")[1].split("+"))) if ":" in impl else {}
        vocab = build_vocabulary(sentences, min_count=SETTINGS["min_count"], order="count", unknown="drop")
        # The first call loads the compiled kernels from numba's cache (or compiles them, once per
        # machine): timed here, outside the training clock, as gensim's compiled module is loaded on import.
        t0 = time.perf_counter()
        train_word2vec(sentences[:20], vocab=vocab, model=model, threads=threads, epochs=1, method=METHOD, log=None,
                       **rule)
        first_call = time.perf_counter() - t0
        t0, cpu0 = time.perf_counter(), time.process_time()
        result = train_word2vec(sentences, vocab=vocab, model=model, threads=threads, seed=seed, epochs=epochs,
                                method=METHOD, **SETTINGS, **rule)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        effective, words, vectors = result.effective_words, result.words, result.center_vectors
        flops = 6.0 * SETTINGS["vector_size"] * result.row_updates
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return dict(impl=impl, model=model, threads=threads, seed=seed, epochs=epochs, words_per_s=effective / seconds,
                seconds=seconds, cpu_seconds=cpu, first_call_s=first_call, gflops=flops / seconds / 1e9,
                peak_mb=peak_mb,
                **evaluate_all(vectors, words))


def run_subprocess(impl, model, threads, seed, epochs) -> dict:
    cmd = [sys.executable, __file__, "--worker", impl, model, str(threads), str(seed), str(epochs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import gensim
    import numpy
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"gensim {gensim.__version__}; 1-min load average at start {load:.1f}")


def mean_sd(values):
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def summarise(runs, configs) -> tuple:
    rows, verdicts = [], []
    by = {c: [r for r in runs if (r["impl"], r["model"], r["threads"]) == c] for c in configs}
    for impl, model, threads in configs:
        mine = by[(impl, model, threads)]
        base = by.get(("gensim", model, threads)) or by.get(("gensim", model, 1))
        ratios = [a["words_per_s"] / b["words_per_s"] for a, b in zip(mine, base)]  # same round
        row = dict(impl=impl, model=model, threads=threads, n=len(mine),
                   words_per_s=statistics.median(r["words_per_s"] for r in mine), ratio=statistics.median(ratios),
                   peak_mb=statistics.median(r["peak_mb"] for r in mine),
                   seconds=statistics.median(r["seconds"] for r in mine),
                   cpu_seconds=statistics.median(r.get("cpu_seconds", float("nan")) for r in mine),
                   gflops=statistics.median(r.get("gflops", float("nan")) for r in mine),
                   ratios=sorted(ratios))
        for key in QUALITY:
            row[key] = mean_sd([r[key] for r in mine])
        row["peak_ratio"] = row["peak_mb"] / statistics.median(r["peak_mb"] for r in base)
        rows.append(row)
    table = {(r["impl"], r["model"], r["threads"]): r for r in rows}
    ours = f"w2v_lib:{default_rule()}"  # skip-gram's
    targets = [("skipgram", 1, 6.0), ("skipgram", 2, 5.0), ("cbow", 1, 2.0)]
    for model, threads, need in targets:
        r = table.get((f"w2v_lib:{default_rule(model)}", model, threads))
        if r:
            spread = f"rounds {r['ratios'][0]:.2f}–{r['ratios'][-1]:.2f}"
            verdicts.append(f"{model} {threads} thread(s): speed ratio {r['ratio']:.2f} ({spread}; target ≥ {need}) "
                            f"{'MET' if r['ratio'] >= need else 'MISSED'}")
    one, two = table.get((ours, "skipgram", 1)), table.get((ours, "skipgram", 2))
    if one and two:
        scale = two["words_per_s"] / one["words_per_s"]
        verdicts.append(f"skipgram: our 2 threads give {scale:.2f}× our 1 (target ≥ 1.8) "
                        f"{'MET' if scale >= 1.8 else 'MISSED'}")
    for impl, model, threads in configs:
        theirs = table.get(("gensim", model, threads))
        if impl == "gensim" or not theirs:
            continue
        r = table[(impl, model, threads)]
        met = [r[k][0] >= theirs[k][0] - theirs[k][1] for k in QUALITY]
        r["matches_gensim"] = all(met)
        seeds = len({run["seed"] for run in by[(impl, model, threads)]})
        verdicts.append(f"{model} {threads} thread(s) {impl} quality over {seeds} seeds: " + ", ".join(
            f"{k} {r[k][0]:.4f} vs gensim {theirs[k][0]:.4f} − sd {theirs[k][1]:.4f}" for k in QUALITY)
            + f" {'MET' if all(met) else 'MISSED'}")
    exact = table.get((f"w2v_lib:{RULES[0]}", "skipgram", 1))
    for rule in RULES[1:]:
        r = table.get((f"w2v_lib:{rule}", "skipgram", 1))
        if exact and r:
            verdicts.append(f"skipgram 1 thread: {rule} against word2vec's own update in corpus order "
                            "(same seeds): " + ", ".join(f"{k} {r[k][0] - exact[k][0]:+.4f}" for k in QUALITY)
                            + f", for {r['words_per_s'] / exact['words_per_s']:.2f}× its words/s")
    matching = [r for r in rows if r["impl"] != "gensim" and r["model"] == "skipgram" and r["threads"] == 1
                and r.get("matches_gensim")]
    if matching:
        best = max(matching, key=lambda r: r["words_per_s"])
        verdicts.append(f"skipgram 1 thread: the fastest of our rules at gensim's quality is {best['impl']}, "
                        f"{best['words_per_s']:,.0f} words/s ({best['ratio']:.2f}× gensim)")
    elif any(r["impl"] != "gensim" and r["model"] == "skipgram" and r["threads"] == 1 for r in rows):
        verdicts.append("skipgram 1 thread: none of our rules matched gensim's quality")
    return rows, verdicts


def format_table(rows) -> str:
    head = ("| implementation | model | threads | runs | words/s (median) | × gensim | CPU s | GFLOP/s | peak MB | "
            "analogy | WS353 ρ | SimLex ρ |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        if r["impl"] != "gensim" and r["impl"].endswith(f":{default_rule(r['model'])}"):
            r = {**r, "impl": r["impl"] + " (default)"}
        lines.append(f"| {r['impl']} | {r['model']} | {r['threads']} | {r['n']} | {r['words_per_s']:,.0f} | "
                     f"{r['ratio']:.2f} | {r['cpu_seconds']:.1f} | {r['gflops']:.1f} | {r['peak_mb']:.0f} | "
                     + " | ".join(f"{r[k][0]:.4f} ± {r[k][1]:.4f}" for k in ("analogy", "ws353", "simlex")) + " |")
    return "\n".join(lines)


def matmul_gflops(n: int = 1024, repeats: int = 5) -> float:
    """The machine's float32 matrix-multiply rate on one thread: the best of a few 2n³-flop products."""
    import numpy as np
    from threadpoolctl import threadpool_limits
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    best = float("inf")
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(repeats):
            t0 = time.perf_counter()
            a @ a
            best = min(best, time.perf_counter() - t0)
    return 2 * n ** 3 / best / 1e9


def thread_control(n: int = 256, seconds: float = 1.0) -> float:
    """How much a second thread adds right now: float32 products (one BLAS thread each, GIL released)
    counted for `seconds` on one Python thread, then on two; the ratio of their totals."""
    import threading

    import numpy as np
    from threadpoolctl import threadpool_limits
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)

    def count(stop, out, i):
        while time.perf_counter() < stop:
            a @ a
            out[i] += 1

    done = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for k in (1, 2):
            out, stop = [0] * k, time.perf_counter() + seconds
            workers = [threading.Thread(target=count, args=(stop, out, i)) for i in range(k)]
            [w.start() for w in workers]
            [w.join() for w in workers]
            done[k] = sum(out)
    return done[2] / done[1]


def budget_runs(runs, configs, seeds) -> list:
    """Our default skip-gram (1 thread) trained for as many epochs as fit in gensim's median wall time."""
    ours = f"w2v_lib:{default_rule()}"
    mine = [r for r in runs if (r["impl"], r["model"], r["threads"]) == (ours, "skipgram", 1)]
    theirs = [r for r in runs if (r["impl"], r["model"], r["threads"]) == ("gensim", "skipgram", 1)]
    if not (mine and theirs):
        return []
    per_epoch = statistics.median(r["seconds"] / r["epochs"] for r in mine)
    epochs = max(1, min(50, int(statistics.median(r["seconds"] for r in theirs) / per_epoch)))
    out = []
    for seed in seeds:
        r = run_subprocess(ours, "skipgram", 1, seed, epochs)
        r["impl"] = f"{ours} in gensim's time ({epochs} epochs)"
        out.append(r)
    return out


def report(runs, configs, peak=None, control=None, budget=()):
    runs = sorted(runs, key=lambda r: r["round"])
    rows, verdicts = summarise(runs, configs)
    print(format_table(rows))
    print("\n".join(verdicts))
    if budget:
        theirs = next(r for r in rows if (r["impl"], r["model"], r["threads"]) == ("gensim", "skipgram", 1))
        print(f"in gensim's wall time ({theirs['seconds']:.1f} s, its 5-epoch skip-gram run), {len(budget)} seeds: "
              f"{budget[0]['impl']}: " + ", ".join(f"{k} {mean_sd([r[k] for r in budget])[0]:.4f}" for k in QUALITY)
              + "; gensim: " + ", ".join(f"{k} {theirs[k][0]:.4f}" for k in QUALITY))
    if control:
        print(f"control loop: a second thread gives {control:.2f}× the work of one on this machine right now")
    if peak:
        ours = [r for r in rows if r["impl"] != "gensim"]
        print(f"float32 matrix multiply on one thread (1024², best of 5): {peak:.1f} GFLOP/s; our kernels reach "
              + ", ".join(f"{r['impl']} {r['model']} {r['threads']}t {r['gflops']:.1f} ({r['gflops'] / peak:.0%})"
                          for r in ours))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, help="interleaved rounds (default: one per seed); at least the seeds")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds, one per round, cycled")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--models", default="skipgram,cbow", help="which models to compare")
    parser.add_argument("--rules", default=",".join(RULES), help="our skip-gram rules (sharing+shuffle) to compare")
    parser.add_argument("--no-budget", action="store_true", help="skip the runs in gensim's wall time")
    parser.add_argument("--quick", action="store_true", help="one round of one epoch (a smoke test)")
    parser.add_argument("--json", help="also write every run's measurements to this file")
    parser.add_argument("--report", help="print the table of a file written by --json, without training")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        impl, model, threads, seed, epochs = args.worker
        print(json.dumps(train_once(impl, model, int(threads), int(seed), int(epochs))))
        return
    if args.report:
        with open(args.report) as fh:
            saved = json.load(fh)
        configs = list(dict.fromkeys((r["impl"], r["model"], r["threads"]) for r in saved["runs"]))
        print(f"machine: {saved['machine']}")
        report(saved["runs"], configs, saved.get("matmul_gflops"), saved.get("thread_control"), saved.get("budget", ()))
        return
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.quick:
        args.repeats, args.epochs, seeds = 1, 1, seeds[:1]
    args.repeats = len(seeds) if args.repeats is None else args.repeats
    if args.repeats < len(seeds):  # every seed given is trained: the quality means are over all of them
        parser.error(f"--repeats {args.repeats} would leave seeds {seeds[args.repeats:]} untrained: "
                     f"give at least {len(seeds)} rounds, or fewer seeds")
    models = set(args.models.split(","))
    rules = args.rules.split(",")
    unknown = (models - {"skipgram", "cbow"}) | (set(rules) - set(RULES))
    if unknown or args.repeats < 1 or args.epochs < 1:
        parser.error(f"--models takes skipgram and/or cbow, --rules {', '.join(RULES)} (got {sorted(unknown)}); "
                     "--repeats/--epochs ≥ 1")
    configs = configs_for(models, rules)
    described = machine()
    print(f"machine: {described}")
    print(f"settings: {SETTINGS}, epochs {args.epochs}, rounds {args.repeats}, seeds {seeds}, our method {METHOD}",
          flush=True)
    runs = []
    for rnd in range(args.repeats):
        seed = seeds[rnd % len(seeds)]
        shift = rnd % len(configs)
        for impl, model, threads in configs[shift:] + configs[:shift]:  # rotated: no config always first
            r = run_subprocess(impl, model, threads, seed, args.epochs)
            r["round"] = rnd
            runs.append(r)
            print(f"  round {rnd + 1}: {impl:8s} {model:8s} threads={threads} seed={seed}: "
                  f"{r['words_per_s']:,.0f} words/s, cpu {r['cpu_seconds']:.1f} s, peak {r['peak_mb']:.0f} MB, "
                  f"analogy {r['analogy']:.4f}", file=sys.stderr, flush=True)
    budget = [] if args.no_budget or args.quick else budget_runs(runs, configs, seeds[:args.repeats])
    peak, control = matmul_gflops(), thread_control()
    report(runs, configs, peak, control, budget)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"machine": described, "runs": runs, "matmul_gflops": peak, "thread_control": control,
                       "budget": budget}, fh, indent=1)


if __name__ == "__main__":
    main()
