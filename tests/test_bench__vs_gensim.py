"""bench/bench_vs_gensim.py's verdicts, on made-up measurements (no training)."""
import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_vs_gensim.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_vs_gensim", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(impl, threads, rnd, words_per_s, analogy, ws353, simlex, model="skipgram"):
    return dict(impl=impl, model=model, threads=threads, round=rnd, seed=rnd + 1, epochs=5, words_per_s=words_per_s,
                seconds=1e6 / words_per_s, cpu_seconds=1.0, gflops=1.0, peak_mb=100.0,
                analogy=analogy, ws353=ws353, simlex=simlex)


def test_verdicts_name_each_target_and_each_shortcut(bench):
    ours = f"w2v_lib:{bench.default_rule()}"
    exact = f"w2v_lib:{bench.RULES[0]}"
    runs = []
    for rnd, jitter in enumerate((0.0, 0.002)):
        runs += [run("gensim", 1, rnd, 100_000, 0.020 + jitter, 0.235 + jitter, 0.12),
                 run(exact, 1, rnd, 200_000, 0.020 + jitter, 0.200, 0.12),  # WS353 below gensim's floor
                 run(ours, 1, rnd, 700_000, 0.021, 0.250 + jitter, 0.13),
                 run("gensim", 2, rnd, 150_000, 0.022, 0.25, 0.13),
                 run(ours, 2, rnd, 1_200_000, 0.022, 0.25, 0.13)]
    configs = [("gensim", "skipgram", 1), (exact, "skipgram", 1), (ours, "skipgram", 1),
               ("gensim", "skipgram", 2), (ours, "skipgram", 2)]
    rows, verdicts = bench.summarise(runs, configs)
    text = "\n".join(verdicts)
    assert "skipgram 1 thread(s): speed ratio 7.00" in text and "target ≥ 6.0) MET" in text
    assert "skipgram 2 thread(s): speed ratio 8.00" in text
    assert "our 2 threads give 1.71× our 1 (target ≥ 1.8) MISSED" in text
    assert f"skipgram 1 thread(s) {exact} quality over 2 seeds:" in text
    exact_line = next(v for v in verdicts if v.startswith(f"skipgram 1 thread(s) {exact} quality"))
    ours_line = next(v for v in verdicts if v.startswith(f"skipgram 1 thread(s) {ours} quality"))
    assert exact_line.endswith("MISSED") and ours_line.endswith("MET")
    assert f"{bench.default_rule()} against word2vec's own update" in text and "ws353 +0.0510" in text
    assert f"the fastest of our rules at gensim's quality is {ours}, 700,000 words/s (7.00× gensim)" in text
    table = bench.format_table(rows)
    assert f"{ours} (default)" in table and "0.2360 ± 0.0014" in table  # gensim's WS353 mean ± sd


def test_every_seed_given_is_trained(bench, capsys):
    """Fewer rounds than seeds would average over some seeds only: refused, naming the seeds left out."""
    with pytest.raises(SystemExit):
        bench.main(["--repeats", "3", "--seeds", "1,2,3,4,5"])
    assert "seeds [4, 5] untrained" in capsys.readouterr().err


def test_each_model_row_trains_that_models_default_rule(bench):
    """The CBOW row must train CBOW's default (it once took skip-gram's rule by mistake)."""
    from w2v_lib.fast.config import make_config
    for model in ("skipgram", "cbow"):
        cfg = make_config(method=bench.METHOD, model=model)
        rows = [c for c in bench.configs_for({model}, []) if c[0] != "gensim"]
        assert (f"w2v_lib:{cfg.sharing}+{cfg.shuffle}", model, 1) in rows or model == "skipgram"
        assert all(impl == f"w2v_lib:{cfg.sharing}+{cfg.shuffle}" for impl, _, _ in rows)
