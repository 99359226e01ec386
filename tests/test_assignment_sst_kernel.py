"""The compiled SST step's σ table: its error bound, and a run with it against the exact kernel."""
import numpy as np
import pytest

pytest.importorskip("numba")

from support.training import TEXT, random_params

from w2v_lib.assignment import sst_kernel  # noqa: E402
from w2v_lib.assignment.sst_sgd import sgd_compiled  # noqa: E402
from w2v_lib.assignment.step import batch_loss_and_gradient, draw_batches  # noqa: E402
from w2v_lib.assignment.train import init_params  # noqa: E402
from w2v_lib.corpora import ContextSampler, prepare_corpus  # noqa: E402
from w2v_lib.sampling import NegativeSampler  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return prepare_corpus([s.split() for s in TEXT] * 20, np.random.default_rng(0), copies=3, threshold=1e-2)


def tabulated_terms(scores, table):
    """(σ(−s), −log σ(s)) for each score s as the kernel computes them (one outside word per pair)."""
    coef = scores.astype(np.float32).reshape(-1, 1)  # (P, 1): pairs with no negatives
    losses = np.array([sst_kernel._loss_and_coefficients(coef[i:i + 1], 1, 1, np.float32(1.0), table)
                       for i in range(len(coef))])
    return -coef[:, 0].astype(np.float64), losses  # the kernel stores −σ(−s_o)/B for the outside word


def test_the_table_is_within_its_stated_bounds_and_exact_beyond():
    # a grid finer than the table's step, every entry's ends, and points just below and above TABLE_END
    s = np.concatenate([np.linspace(-8, 8, 40_001), np.arange(-1024, 1025) / sst_kernel.TABLE_PER_UNIT,
                        np.nextafter(np.float32([8, -8]), np.float32(0)), [8.5, -9.0, 30.0, -30.0, 200.0, -200.0]])
    s = s.astype(np.float32).astype(np.float64)  # the scores the kernel sees
    sig, loss = tabulated_terms(s, sst_kernel.sigmoid_table())
    exact_sig = 1.0 / (1.0 + np.exp(s))  # σ(−s)
    exact_loss = np.logaddexp(0.0, -s)  # −log σ(s)
    sig_error, loss_error = np.abs(sig - exact_sig), np.abs(loss - exact_loss)
    assert sig_error.max() <= sst_kernel.SIGMOID_ERROR < 1.2e-6, sig_error.max()
    assert loss_error.max() <= sst_kernel.SOFTPLUS_ERROR < 3e-6, loss_error.max()
    # the bounds are not loose by orders of magnitude: interpolation error is what they describe
    assert sig_error.max() > sst_kernel.SIGMOID_ERROR / 10 and loss_error.max() > sst_kernel.SOFTPLUS_ERROR / 10
    # no clipping (the C word2vec's table saturates σ at |s| = 6): large scores are exact, the loss grows as |s|
    far = np.abs(s) >= sst_kernel.TABLE_END
    np.testing.assert_allclose(sig[far], exact_sig[far], rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(loss[far], exact_loss[far], rtol=1e-6, atol=1e-7)  # 1 + e^(−|s|) in float32
    assert loss[s == -200.0] == pytest.approx(200.0)


def test_nan_and_infinite_scores_still_reach_the_loss():
    for bad in (np.nan, np.inf, -np.inf):
        _, loss = tabulated_terms(np.array([0.5, bad]), sst_kernel.sigmoid_table())
        assert np.isfinite(loss[0]) and (np.isnan(loss[1]) if np.isnan(bad) else loss[1] in (0.0, np.inf))
    _, loss = tabulated_terms(np.array([-np.inf]), sst_kernel.sigmoid_table())
    assert loss[0] == np.inf  # a diverged score: the run's check sees it


@pytest.mark.parametrize("seed", [0, 1])
def test_the_tabulated_step_is_the_numpy_step_within_the_bound(data, seed):
    n = len(data.vocab)
    rng = np.random.default_rng(seed)
    sampler = NegativeSampler(data.vocab.counts, rng, method="alias")
    batch = draw_batches(ContextSampler(data.subsampled), sampler, rng, 8, 1, 3, 5)[0]
    x = random_params(n, 6, seed)
    expected = x.copy()
    loss, grad = batch_loss_and_gradient(expected.astype(np.float64), batch, n)
    expected = expected - 0.3 * grad
    got = sst_kernel.step_batch(x, batch, n, 0.3, table=sst_kernel.sigmoid_table())
    terms = batch.pair_words.size / batch.centers.shape[0]  # −log σ terms per window
    assert abs(got - loss) <= terms * sst_kernel.SOFTPLUS_ERROR + 1e-5 * abs(loss)
    # each gradient entry is a sum of σ-weighted rows: the σ error times the rows' summed size bounds it
    rows = np.abs(random_params(n, 6, seed)).max()
    per_entry = 0.3 * sst_kernel.SIGMOID_ERROR * rows * batch.pair_words.shape[1] * len(batch.pair_words) / 8
    np.testing.assert_allclose(x, expected, rtol=1e-5, atol=per_entry + 1e-6)


def test_a_run_with_the_table_ends_where_the_exact_kernel_ends(data):
    n = len(data.vocab)
    x0 = init_params(n, 5, np.random.default_rng(1))
    runs = {how: sgd_compiled(data, x0, 0.3, 1000, batch_size=10, window=3, k=5, anneal_every=500,
                              rng=np.random.default_rng(2), log=None, sigmoid=how) for how in ("exact", "table")}
    exact, table = runs["exact"], runs["table"]
    # the same draws; per-step losses differ by the table's error, and the drift it causes stays small
    assert np.abs(table.losses - exact.losses).max() < 1e-3
    assert abs(table.ema - exact.ema) < 1e-4 * exact.ema
    np.testing.assert_allclose(table.x, exact.x, atol=1e-4)
    assert not np.array_equal(table.x, exact.x)  # the table is really in use
    with pytest.raises(ValueError, match="sigmoid must be"):
        sgd_compiled(data, x0, 0.3, 10, rng=np.random.default_rng(2), log=None, sigmoid="fast")
