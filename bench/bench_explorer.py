"""Explorer speed: the widget at 20,000 words × 100 dimensions (issue 6's targets) and the
offline page at 100,000 × 100 and 400,000 × 300 (issue 21's).

The widget's times, as medians over repeated runs on random vectors:
  - a k-nearest-neighbour query (cosine and euclidean, k = 10), target ≤ 20 ms;
  - a search or selection update of the figure: the Explorer handler that computes the
    answer and updates the FigureWidget's traces in Python (one batch_update), target ≤ 200 ms.
The training slider and the "centre vectors" toggle redraw every point; they are timed
without a target.
The browser's drawing is not included: it happens in the page, after the message is sent.

The offline page (export_html), on synthetic vectors with a decaying spectrum (like real
embeddings', so that a projection keeps what it would keep of them), medians of --runs runs:
  - export time and page size at 100,000 × 100 (target ≤ 20 s) and at 400,000 × 300 (works);
  - how well the page's own vectors (float16, projected at 400,000 × 300) find the true ten
    nearest neighbours (recall@10 over 200 words, against the float32 vectors);
  - in headless Chromium (Debian's chromium, via Playwright): the time to open the page, and per
    keystroke in the search box at 100,000 words (target ≤ 100 ms): the search handler alone,
    and the handler plus the next frame (software WebGL here: no GPU); Enter on a word, on an
    expression, and a click on a list entry.

Usage: python bench/bench_explorer.py [--part widget|page|all] [--words 20000] [--dim 100] [--repeats 30]
           [--runs 3] [--page-words 100000] [--page-dim 100] [--big-words 400000] [--big-dim 300]
Exits with status 1 when a median misses its target.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

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
    parser.add_argument("--part", choices=("widget", "page", "all"), default="all")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page-words", type=int, default=100_000)
    parser.add_argument("--page-dim", type=int, default=100)
    parser.add_argument("--big-words", type=int, default=400_000)
    parser.add_argument("--big-dim", type=int, default=300)
    opts = parser.parse_args(argv)
    failed = False
    if opts.part in ("widget", "all"):
        failed |= widget_bench(opts)
    if opts.part in ("page", "all"):
        failed |= page_bench(opts)
    return 1 if failed else 0


def widget_bench(opts) -> bool:

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(opts.words)]
    vectors = rng.standard_normal((opts.words, opts.dim)).astype(np.float32)  # (|Vocab|, D)
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
    return failed


def synthetic_model(n: int, dim: int, seed: int = 0) -> WordVectors:
    """n words × dim float32 vectors whose spectrum decays as 1/√rank, and Zipf counts."""
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((n, dim), dtype=np.float32)  # (|Vocab|, D)
    vectors /= np.sqrt(np.arange(1, dim + 1, dtype=np.float32))
    return WordVectors([f"w{i}" for i in range(n)], vectors, np.sort(rng.zipf(1.3, n).clip(1, 10**6))[::-1])


def page_recall(path: Path, model: WordVectors, queries: int = 200, k: int = 10) -> float:
    """Recall@k of the page's own vectors against the model's, over `queries` evenly spaced words."""
    import base64
    import json
    import re

    blob = re.search(r'<script id="w2v-data" type="application/json">(.*?)</script>',
                     path.read_text(encoding="utf-8"), re.S).group(1)
    data = json.loads(blob)
    carried = np.frombuffer(base64.b64decode(data["vectors"]), dtype="<f2").reshape(len(model), data["dim"])
    page = WordVectors(model.words, carried.astype(np.float32), centred=False)
    rows = np.linspace(0, len(model) - 1, queries).astype(np.int64)
    truth, _ = model.nearest(model.vectors[rows], k, exclude=rows[:, None])  # (Q, k)
    got, _ = page.nearest(page.vectors[rows], k, exclude=rows[:, None])  # (Q, k)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(truth, got)]))


def timed_export(model, path: Path, runs: int) -> float:
    from w2v_lib.explorer import export_html

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        export_html(path, model, title="synthetic vectors")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


KEYSTROKES = """async (texts) => {
  const box = document.getElementById('w2v-search'), handler = [], framed = [];
  for (const text of texts) {
    box.value = ''; box.dispatchEvent(new Event('input'));
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
    const t0 = performance.now();
    box.value = text; box.dispatchEvent(new Event('input'));
    handler.push(performance.now() - t0);
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
    framed.push(performance.now() - t0);
  }
  return [handler, framed];
}"""

ENTER = """async (texts) => {
  const out = [];
  for (const text of texts) {
    const t0 = performance.now(); w2vSearch(text);
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
    out.push(performance.now() - t0);
  }
  return out;
}"""


def browser_rows(path: Path, runs: int, rows: list) -> None:
    """Open the page in headless Chromium and time its search box; appends (what, value, target, unit)."""
    import shutil

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed (apt-get install chromium): the browser timings are skipped")
        return
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    prefixes = ["w", "w1", "w12", "w123", "w1234", "w9", "w99", "w999", "w9999", "w5", "w55", "w555"]
    handler, framed, opened, enters, clicks = {}, {}, [], {}, []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=args, headless=True)
        try:
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                start = time.perf_counter()
                page.goto(path.as_uri(), timeout=300_000)
                page.wait_for_function("() => document.body.dataset.ready === '1'", polling=100, timeout=300_000)
                opened.append(time.perf_counter() - start)
                page.wait_for_timeout(2000)  # as a person would: the plot drawn, the page idle, then typing
                hand, fr = page.evaluate(KEYSTROKES, prefixes)
                for text, h, f in zip(prefixes, hand, fr):
                    handler.setdefault(text, []).append(h)
                    framed.setdefault(text, []).append(f)
                questions = {"Enter on a word (k-NN)": ["w17", "w4242", "w99999"][:3],
                             "Enter on an expression": ["w1 - w2 + w3", "2*w10 - w20"]}
                for what, texts in questions.items():
                    enters.setdefault(what, []).extend(page.evaluate(ENTER, texts))
                page.evaluate("() => w2vSearch('w17')")
                clicks.append(page.evaluate("""async () => { const t0 = performance.now();
                    document.querySelector('#w2v-neighbours li button').click();
                    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
                    return performance.now() - t0; }"""))
                page.close()
        finally:
            browser.close()
    worst = max(handler, key=lambda text: statistics.median(handler[text]))
    rows.append(("open the page (to ready)", statistics.median(opened), None, "s"))
    rows.append((f"keystroke: search handler, worst ({worst!r})", statistics.median(handler[worst]), 100, "ms"))
    rows.append(("keystroke: search handler, median", statistics.median(sum(handler.values(), [])), 100, "ms"))
    worst = max(framed, key=lambda text: statistics.median(framed[text]))
    rows.append((f"keystroke: handler + next frame, worst ({worst!r})", statistics.median(framed[worst]), None,
                 "ms"))
    for what, values in enters.items():
        rows.append((what + " + frame", statistics.median(values), None, "ms"))
    rows.append(("click a list entry + frame", statistics.median(clicks), None, "ms"))


def page_bench(opts) -> bool:
    import tempfile

    rows = []  # (what, value, target, unit)
    with tempfile.TemporaryDirectory() as folder:
        for n, dim, target in ((opts.page_words, opts.page_dim, 20), (opts.big_words, opts.big_dim, None)):
            model = synthetic_model(n, dim)
            path = Path(folder) / f"page_{n}.html"
            rows.append((f"export {n:,} × {dim}", timed_export(model, path, opts.runs), target, "s"))
            rows.append(("  page size", path.stat().st_size / 1e6, None, "MB"))
            rows.append(("  recall@10 of the page's vectors", page_recall(path, model), None, ""))
            if n == opts.page_words:
                browser_rows(path, opts.runs, rows)
            del model
    print(f"\nOffline page (export_html), medians of {opts.runs} runs")
    print(f"{'what':<44} {'median':>9} {'target':>8}  verdict")
    failed = False
    for what, value, target, unit in rows:
        verdict = "-" if target is None else ("ok" if value <= target else "TOO SLOW")
        failed |= verdict == "TOO SLOW"
        shown = f"{value:.3f}" if unit == "" else f"{value:.1f} {unit}"
        print(f"{what:<44} {shown:>9} {('≤ ' + str(target) + ' ' + unit) if target else '':>8}  {verdict}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
