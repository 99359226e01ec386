"""The SST trainer: the vectorized step equals the reference loop's, training learns, runs reproduce and resume."""
import numpy as np
import pytest
from support.messages import says
from support.training import SMALL, synthetic_sentences

from w2v_lib import load_run, sgd
from w2v_lib.assignment import RunExistsError, RunFolder, RunSettingsError
from w2v_lib.assignment import step as sst_step
from w2v_lib.assignment import train as sst_train
from w2v_lib.assignment.row_sparse import RowSparseGradient
from w2v_lib.assignment.step import (
    batch_loss_and_gradient,
    draw_batch,
    make_objective,
    straightforward_loss_and_gradient,
)
from w2v_lib.assignment.train import ensure_sst_run, init_params, train_sst
from w2v_lib.corpora import ContextSampler, prepare_corpus
from w2v_lib.sampling import NegativeSampler


@pytest.fixture(scope="module")
def data():
    return prepare_corpus(synthetic_sentences(), np.random.default_rng(1), copies=3, threshold=1e-2)


def test_init_params_is_the_courses_range():
    p = init_params(1000, 10, np.random.default_rng(0))
    assert p.shape == (2000, 10) and p.dtype == np.float32
    assert p[:1000].min() >= -0.05 and p[:1000].max() < 0.05 and p[:1000].max() > 0.049
    assert not p[1000:].any()


@pytest.mark.parametrize("d, order", [(3, "C"), (4, "C"), (4, "F")])  # flat, complex-view and dense routes
def test_row_sparse_gradient_acts_as_its_dense_equivalent(d, order):
    rng = np.random.default_rng(3)
    rows = np.array([0, 4, 4, 7, 0, 4])  # repeats must accumulate
    values = rng.standard_normal((6, d)).astype(np.float32)
    g = RowSparseGradient((9, d), rows, values)
    dense = np.zeros((9, d), np.float32)
    for r, v in zip(rows, values):
        dense[r] += v
    np.testing.assert_allclose(np.asarray(g), dense, rtol=1e-6)
    x = np.asarray(rng.standard_normal((9, d)).astype(np.float32), order=order)
    expected = x - 0.3 * dense
    x_id = id(x)
    x -= 0.3 * g  # sgd's update line
    assert id(x) == x_id  # in place
    np.testing.assert_allclose(x, expected, rtol=1e-6, atol=1e-6)
    untouched = [1, 2, 3, 5, 6, 8]
    np.testing.assert_array_equal(x[untouched], expected[untouched])
    np.testing.assert_allclose(np.add(np.float32(2.0) * g, 0), 2 * dense, rtol=1e-6)  # other ufuncs go dense
    with pytest.raises(ValueError, match=says('values', f'(6, {d})', '(6, 2)')):
        RowSparseGradient((9, d), rows, values[:, :2])


def test_one_vectorized_step_equals_one_straightforward_step(data):
    n = len(data.vocab)
    rng = np.random.default_rng(11)
    params = init_params(n, 6, rng, dtype=np.float64)
    params[n:] = rng.uniform(-0.5, 0.5, (n, 6))  # non-zero outside vectors: every term matters
    batch = draw_batch(ContextSampler(data.subsampled), NegativeSampler(data.vocab.counts, rng, method="alias"), rng,
                       batch_size=50, window=5, k=10)
    windows = batch.windows()
    assert sum(len(c) for _, c, _ in windows) == batch.negatives.shape[0]
    loss_fast, grad_fast = batch_loss_and_gradient(params, batch, n)
    loss_ref, grad_ref = straightforward_loss_and_gradient(params, [(c, ctx) for c, ctx, _ in windows],
                                                           [neg for _, _, neg in windows], n, k=10)
    assert loss_fast == pytest.approx(loss_ref, rel=1e-12)
    np.testing.assert_allclose(np.asarray(grad_fast), grad_ref, rtol=1e-10, atol=1e-14)
    x_fast, x_ref = params.copy(), params.copy()
    x_fast -= 0.3 * grad_fast
    x_ref -= 0.3 * grad_ref
    np.testing.assert_allclose(x_fast, x_ref, rtol=1e-12, atol=1e-15)
    # float32 as in training: same step to float32 precision
    p32 = params.astype(np.float32)
    loss32, grad32 = batch_loss_and_gradient(p32, batch, n)
    assert loss32 == pytest.approx(loss_ref, rel=1e-5)
    np.testing.assert_allclose(np.asarray(grad32), grad_ref, rtol=1e-3, atol=1e-6)


def test_alias_sampler_draws_the_core_samplers_distribution(data):
    counts = data.vocab.counts
    alias = NegativeSampler(counts, np.random.default_rng(0), method="alias")
    core = NegativeSampler(counts, np.random.default_rng(0))
    np.testing.assert_allclose(alias.implied_probabilities(), core.probabilities, rtol=1e-12, atol=1e-15)
    draws = alias.sample_many(np.zeros(20000, dtype=np.int64), 10)  # (20000, 10), outside word 0
    assert not (draws == 0).any()
    freq = np.bincount(draws.ravel(), minlength=len(counts)) / draws.size
    expected = core.probabilities.copy()
    expected[0] = 0
    expected /= expected.sum()
    assert np.abs(freq - expected).max() < 0.005
    with_zero = NegativeSampler(np.array([5, 0, 3, 1]), np.random.default_rng(2), method="alias")
    assert not (with_zero.sample_many(np.full(5000, 3), 4) == 1).any()  # a zero count is never drawn


def _train(tmp_path, name, iterations=300, **kw):
    return train_sst(run_dir=tmp_path / name, sentences=synthetic_sentences(), iterations=iterations,
                     checkpoint_every=kw.pop("checkpoint_every", 100), seed=kw.pop("seed", 5), log=None,
                     **{**SMALL, **kw})


def test_short_run_lowers_the_loss_and_writes_the_run_folder(tmp_path):
    r = _train(tmp_path, "a", iterations=600)
    assert r.losses.shape == r.ema_losses.shape == (600,)
    assert r.losses[-100:].mean() < 0.8 * r.losses[:20].mean()
    assert r.final_loss_ema == pytest.approx(r.ema_losses[-1])
    run = load_run(r.run_dir)
    assert run.words == r.words and run.vectors.shape == (len(r.words), 12)
    assert [p.name for p in run.checkpoints] == [f"sgd_{i:08d}.npz" for i in range(100, 700, 100)]
    assert r.params.dtype == np.float32


def test_training_is_bit_for_bit_deterministic_for_a_seed(tmp_path):
    a, b = _train(tmp_path, "a", 150), _train(tmp_path, "b", 150)
    np.testing.assert_array_equal(a.params, b.params)
    np.testing.assert_array_equal(a.losses, b.losses)
    c = _train(tmp_path, "c", 150, seed=6)
    assert not np.array_equal(a.params, c.params)


def test_resume_reproduces_the_uninterrupted_run(tmp_path):
    full = _train(tmp_path, "full", 300)
    _train(tmp_path, "cut", 200)
    resumed = _train(tmp_path, "cut", 300, resume=True)
    np.testing.assert_array_equal(resumed.params, full.params)
    np.testing.assert_array_equal(resumed.losses, full.losses)  # history stitched from the checkpoint on
    np.testing.assert_array_equal(resumed.ema_losses, full.ema_losses)
    with pytest.raises(ValueError, match="would change the run.s results; dim 6 → 7"):
        _train(tmp_path, "cut", 400, resume=True, dim=7)
    with pytest.raises(RunSettingsError, match=says('empty', '--run-dir', '--resume')):
        _train(tmp_path, "empty", 100, resume=True)


def test_a_fresh_run_replaces_old_checkpoints_only_when_asked(tmp_path):
    _train(tmp_path, "a", 300)
    with pytest.raises(RunExistsError, match=r"3 checkpoints .*sgd_00000300.npz.*--resume.*--overwrite"):
        _train(tmp_path, "a", 100)
    assert len(RunFolder(tmp_path / "a").checkpoints()) == 3
    r = _train(tmp_path, "a", 100, overwrite=True)
    assert [p.name for p in r.checkpoints] == ["sgd_00000100.npz"]


def test_straightforward_method_trains_through_the_same_sgd(tmp_path):
    r = _train(tmp_path, "slow", 40, method="straightforward", checkpoint_every=20)
    assert len(r.checkpoints) == 2 and np.isfinite(r.final_loss_ema)
    with pytest.raises(ValueError, match=says('method', "'fast'", "'compiled'")):
        _train(tmp_path, "bad", 5, method="fast")
    with pytest.raises(ValueError, match="unknown hyperparameters"):
        train_sst(sentences=synthetic_sentences(), run_dir=tmp_path / "x", iterations=1, learning_rate=1)


@pytest.mark.parametrize("method, kind", [("vectorized", "alias"), ("straightforward", "cdf"), ("compiled", "alias")])
def test_the_run_makes_one_negative_sampler_and_its_sgd_path_draws_from_it(tmp_path, monkeypatch, method, kind):
    """train_sst owns the run's noise distribution; the SGD path (which made its own before) is handed it."""
    if method == "compiled":
        pytest.importorskip("numba")
    made, handed = [], []
    real_init = NegativeSampler.__init__

    def counted(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(self)

    def handing(real):
        def call(*args, **kwargs):
            handed.append(kwargs.get("sampler"))
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(NegativeSampler, "__init__", counted)
    # train.py imports make_objective from step when the run needs it (scipy.special stays unloaded otherwise)
    module, path = (sst_train, "sgd_compiled") if method == "compiled" else (sst_step, "make_objective")
    monkeypatch.setattr(module, path, handing(getattr(module, path)))
    _train(tmp_path, method, 40, method=method, checkpoint_every=20)
    assert len(made) == 1 and made[0].method == kind
    assert handed == made


def test_a_sampler_that_is_not_the_runs_is_refused(data):
    n = len(data.vocab)
    rng = np.random.default_rng(4)
    with pytest.raises(ValueError, match="Generator of its own"):  # its draws would escape the checkpoints
        make_objective(data, rng, sampler=NegativeSampler(data.vocab.counts, np.random.default_rng(4), method="alias"))
    with pytest.raises(ValueError, match=f"corpus's {n} words; got one over 3 words"):
        make_objective(data, rng, sampler=NegativeSampler(np.ones(3), rng, method="alias"))
    pytest.importorskip("numba")
    from w2v_lib.assignment.sst_sgd import sgd_compiled
    x0 = init_params(n, 6, np.random.default_rng(0))
    with pytest.raises(ValueError, match="method='alias'.*got method 'cdf'"):
        sgd_compiled(data, x0, 0.3, 5, rng=rng, log=None, sampler=NegativeSampler(data.vocab.counts, rng))


def test_vectorized_objective_plugs_into_core_sgd(data):
    rng = np.random.default_rng(4)
    f = make_objective(data, rng, "vectorized", batch_size=8, window=3, k=4)
    res = sgd(f, init_params(len(data.vocab), 6, np.random.default_rng(0)), 0.3, 50, rng=rng)
    assert res.x.dtype == np.float32 and res.losses.shape == (50,)


def test_ensure_sst_run_trains_only_when_needed(tmp_path, monkeypatch):
    calls = []

    def tiny_train(sst_dir=None, run_dir=None, progress=False):
        calls.append(run_dir)
        return train_sst(run_dir=run_dir, sentences=synthetic_sentences(), iterations=20, checkpoint_every=10,
                         log=None, **SMALL)

    monkeypatch.setattr(sst_train, "train_sst", tiny_train)
    run_dir = tmp_path / "run"
    assert ensure_sst_run(run_dir) == run_dir and calls == [run_dir]
    assert ensure_sst_run(run_dir) == run_dir and calls == [run_dir]  # already there: no training
    load_run(run_dir)
