"""The compiled SST step against the NumPy step, and the compiled SGD run's bookkeeping."""
import numpy as np
import pytest

pytest.importorskip("numba")

from support.training import TEXT, random_params

from w2v_lib.assignment import sst_kernel
from w2v_lib.assignment.sst_sgd import sgd_compiled
from w2v_lib.assignment.step import batch_loss_and_gradient, draw_batches, make_objective
from w2v_lib.assignment.train import init_params
from w2v_lib.compiled import alias_tables, packed_alias_table
from w2v_lib.corpora import ContextSampler, prepare_corpus
from w2v_lib.optimizer import list_checkpoints
from w2v_lib.sampling import NegativeSampler
from w2v_lib.sgd_loop import sgd


@pytest.fixture(scope="module")
def data():
    sentences = [s.split() for s in TEXT] * 20
    return prepare_corpus(sentences, np.random.default_rng(0), copies=3, threshold=1e-2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_step_is_the_numpy_step_on_the_same_batches(data, seed):
    n = len(data.vocab)
    rng = np.random.default_rng(seed)
    sampler = NegativeSampler(data.vocab.counts, rng, method="alias")
    batches = draw_batches(ContextSampler(data.subsampled), sampler, rng, 4, 7, 3, 5)
    x = random_params(n, 6, seed)
    for batch in batches:  # repeated words in a batch: the updates must accumulate, from the old values
        expected = x.copy()
        loss, grad = batch_loss_and_gradient(expected, batch, n)
        expected -= 0.3 * grad
        got_loss = sst_kernel.step_batch(x, batch, n, 0.3)
        assert got_loss == pytest.approx(loss, rel=1e-5)
        np.testing.assert_allclose(x, expected, rtol=1e-5, atol=1e-6)
        x = expected  # the next batch starts from the same parameters on both paths


def test_compiled_draws_follow_the_course_distributions(data):
    """Windows (pairs per window) and negatives (unigram^0.75, never the outside word) as NumPy draws them."""
    n = len(data.vocab)
    corpus = data.subsampled
    sampler = NegativeSampler(data.vocab.counts, 0, method="alias")
    steps, batch, window, k = 400, 50, 3, 5
    centers = np.empty((steps, batch * 2 * window), dtype=np.int32)
    words = np.empty((steps, batch * 2 * window, 1 + k), dtype=np.int32)
    n_pairs = np.empty(steps, dtype=np.int64)
    sst_kernel.draw_steps(corpus.tokens, corpus.starts, corpus.lengths, packed_alias_table(sampler), batch, window, k,
                          np.uint64(3), centers, words, n_pairs)
    ours = np.concatenate([words[t, :n_pairs[t]] for t in range(steps)])  # (P, 1+K)
    assert (ours[:, 1:] != ours[:, :1]).all()
    rng = np.random.default_rng(0)
    _, ctx = ContextSampler(corpus).random_contexts(rng, steps * batch, window)
    assert n_pairs.sum() / (steps * batch) == pytest.approx((ctx >= 0).sum() / (steps * batch), rel=0.03)
    freq = np.bincount(ours[:, 1:].ravel(), minlength=n) / ours[:, 1:].size
    expected = sampler.probabilities  # conditioned on ≠ outside word, so only roughly: compare the big ones
    big = expected > 0.05
    np.testing.assert_allclose(freq[big], expected[big], rtol=0.25)


def test_packed_alias_draw_gives_alias_draws_word_for_every_bits(data):
    """One 8-byte entry per column gives the same word as the two tables, on every column and at the edges
    of each column's threshold (where the draw switches from the column to its alias)."""
    from w2v_lib.compiled import alias_draw, packed_alias_draw

    sampler = NegativeSampler(data.vocab.counts, 0, method="alias")
    threshold, alias = alias_tables(sampler)
    table = packed_alias_table(sampler)
    n = threshold.shape[0]
    cols = np.arange(n, dtype=np.uint64)
    # bits32 whose product with n lands at column col with fraction f: bits32 = ceil((col·2³² + f) / n)
    for fraction in (0, 1, 2**31):
        bits = ((cols << np.uint64(32)) + np.uint64(fraction) + np.uint64(n - 1)) // np.uint64(n)
        for b in bits:
            assert packed_alias_draw(b, table) == alias_draw(b, threshold, alias)
    bits = np.random.default_rng(1).integers(0, 2**32, size=20_000, dtype=np.uint64)
    for b in bits:
        assert packed_alias_draw(b, table) == alias_draw(b, threshold, alias)
    scaled = bits * np.uint64(n)
    kept = (scaled & np.uint64(2**32 - 1)) < threshold[scaled >> np.uint64(32)]
    assert 0.05 < kept.mean() < 0.999  # both ways out of a column were compared


def test_compiled_run_reaches_the_numpy_runs_loss_and_threads_do_not_change_it(data):
    n = len(data.vocab)
    x0 = init_params(n, 5, np.random.default_rng(1))
    runs = [sgd_compiled(data, x0, 0.3, 600, batch_size=10, window=3, k=5, anneal_every=300,
                         rng=np.random.default_rng(2), threads=t, log=None) for t in (1, 2)]
    np.testing.assert_array_equal(runs[0].x, runs[1].x)
    rng = np.random.default_rng(2)
    f = make_objective(data, rng, "vectorized", 10, 3, 5)
    reference = sgd(f, x0, 0.3, 600, anneal_every=300, rng=rng, log=None)
    assert runs[0].step == reference.step == 0.3 / 4
    # different random streams: compare the average of the last 200 losses, not draw for draw
    assert runs[0].losses[-200:].mean() == pytest.approx(reference.losses[-200:].mean(), rel=0.1)
    assert runs[0].losses[-200:].mean() < runs[0].losses[:50].mean()


def test_compiled_run_resumes_exactly(data, tmp_path):
    n = len(data.vocab)
    x0 = init_params(n, 5, np.random.default_rng(1))
    kw = dict(batch_size=10, window=3, k=5, anneal_every=200, checkpoint_every=100, checkpoint_dir=tmp_path, log=None)
    whole = sgd_compiled(data, x0, 0.3, 500, rng=np.random.default_rng(4), **kw)
    assert [p.name for p in list_checkpoints(tmp_path)][-1] == "sgd_00000500.npz"
    resumed = sgd_compiled(data, x0, 0.3, 500, rng=np.random.default_rng(99), resume_from=tmp_path / "sgd_00000300.npz",
                           **kw)
    np.testing.assert_array_equal(resumed.x, whole.x)
    np.testing.assert_array_equal(resumed.losses, whole.losses[300:])
    assert resumed.step == whole.step
    # a checkpoint without a random state cannot be continued exactly: the optimizer's loader refuses it
    from w2v_lib.optimizer import load_checkpoint, save_checkpoint

    ck = load_checkpoint(tmp_path / "sgd_00000300.npz")
    stateless = save_checkpoint(tmp_path / "stateless" / "sgd_00000300.npz", ck["x"], 300, ck["step"], ck["ema"])
    with pytest.raises(ValueError, match="no random state.*continued exactly"):
        sgd_compiled(data, x0, 0.3, 500, rng=np.random.default_rng(4), resume_from=stateless, **kw)


@pytest.mark.parametrize("bad, message", [(dict(threads=3), "threads"), (dict(rng=0), "Generator"),
                                          (dict(iterations=-1), "iterations"), (dict(step=0), "step")])
def test_compiled_run_names_bad_arguments(data, bad, message):
    n = len(data.vocab)
    args = dict(step=0.3, iterations=10, rng=np.random.default_rng(0))
    args.update(bad)
    with pytest.raises(ValueError, match=message):
        sgd_compiled(data, init_params(n, 5, np.random.default_rng(1)), **args)


def test_without_numba_auto_falls_back_to_numpy(monkeypatch, data):
    """Where numba is missing, method='auto' picks the NumPy paths and 'compiled' says what to install."""
    from w2v_lib import compiled
    from w2v_lib.assignment import sst_sgd
    from w2v_lib.fast import config
    from w2v_lib.fast.config import make_config

    monkeypatch.setattr(compiled, "HAVE_NUMBA", False)
    assert make_config(method="auto").method == "numpy"
    with pytest.raises(ImportError, match="pip install numba"):
        make_config(method="compiled")
    with pytest.raises(ImportError, match="pip install numba"):
        sst_sgd.sgd_compiled(data, init_params(len(data.vocab), 5, np.random.default_rng(1)), 0.3, 10,
                             rng=np.random.default_rng(0))
    assert config.METHODS == ("auto", "compiled", "numpy")


@pytest.mark.parametrize("have_numba, expected", [(True, "compiled"), (False, "vectorized")])
def test_auto_picks_the_compiled_step_where_it_can(monkeypatch, tmp_path, have_numba, expected):
    import json

    from w2v_lib import compiled
    from w2v_lib.assignment.train import train_sst

    monkeypatch.setattr(compiled, "HAVE_NUMBA", have_numba)
    sentences = [s.split() for s in TEXT] * 20
    result = train_sst(sentences=sentences, run_dir=tmp_path, iterations=40, checkpoint_every=20, log=None, copies=2,
                       subsample_threshold=1e-2, method="auto")  # the command line's default
    assert json.loads((tmp_path / "config.json").read_text())["method"] == expected
    assert np.isfinite(result.ema_losses).all() and len(result.checkpoints) == 2


def test_compiled_run_reports_divergence_and_calls_its_hooks(data, tmp_path):
    from w2v_lib.optimizer import TrainingDiverged

    n = len(data.vocab)
    seen, ticks = [], []
    kw = dict(batch_size=10, window=3, k=5, checkpoint_every=100, checkpoint_dir=tmp_path, log=None)
    run = sgd_compiled(data, init_params(n, 5, np.random.default_rng(1)), 0.3, 200, rng=np.random.default_rng(0),
                       before_checkpoint=lambda it, losses, emas: seen.append((it, len(losses), len(emas))),
                       each_iteration=lambda: ticks.append(1), **kw)
    assert seen == [(100, 100, 100), (200, 200, 200)] and len(ticks) == 200 and run.ema == run.ema_losses[-1]
    x0 = init_params(n, 5, np.random.default_rng(1))
    x0[0, 0] = np.nan  # a NaN parameter makes every loss that touches it NaN
    with pytest.raises(TrainingDiverged, match="training diverged") as err:
        sgd_compiled(data, x0, 0.3, 200, rng=np.random.default_rng(0), **{**kw, "checkpoint_dir": tmp_path / "x"})
    assert 1 <= err.value.iteration <= 200


@pytest.mark.parametrize("damaged", ["nbc", "nbi"])
def test_a_damaged_numba_cache_is_cleared_and_rebuilt_once_with_a_line(tmp_path, damaged):
    """A truncated cache file (a kill or a full disk while numba saved it) used to fail every later run
    with a raw UnpicklingError until __pycache__ was deleted by hand."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = ("import numpy as np; from w2v_lib.assignment.sst_kernel import moving_average; "
              "print(moving_average(np.array([1.0, 3.0]), np.nan, np.empty(2)))")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}

    def run():
        return subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                              timeout=300)

    first = run()
    assert first.returncode == 0 and first.stdout.strip() == "1.1", first.stderr
    files = sorted((tmp_path / "cache").rglob(f"*moving_average*.{damaged}"))
    assert files, sorted(p.name for p in (tmp_path / "cache").rglob("*"))
    for f in files:
        f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    second = run()
    assert second.returncode == 0 and second.stdout.strip() == "1.1", second.stderr
    assert "UnpicklingError" not in second.stdout
    lines = [line for line in second.stderr.splitlines() if "was damaged" in line]
    assert len(lines) == 1 and "moving_average" in lines[0] and "compiled again" in lines[0], second.stderr
    third = run()  # rebuilt: loaded quietly
    assert third.returncode == 0 and "damaged" not in third.stderr, third.stderr
