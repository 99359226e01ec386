"""cost_model: the touched-rows loss equals the dense one; timings are medians; bad input is named."""
import itertools

import numpy as np
import pytest

from w2v_lib import cost_model, neg_sampling_loss_and_gradient
from w2v_lib.cost_model import LossTimings, neg_sampling_on_touched_rows, predicted_cost_ratio, time_losses


@pytest.mark.parametrize("neg", [[3, 5, 7], [3, 3, 5, 3], [2, 0, 4]])  # distinct, repeated, o among them
def test_touched_rows_match_dense_gradient(neg):
    rng = np.random.default_rng(1)
    outside_vectors = rng.standard_normal((9, 4))
    v = rng.standard_normal(4)
    loss, g_v, g_outside = neg_sampling_loss_and_gradient(v, 0, outside_vectors, np.array(neg))
    loss_t, g_v_t, rows, g_rows = neg_sampling_on_touched_rows(v, 0, outside_vectors, np.array(neg))
    assert loss_t == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(g_v_t, g_v, rtol=1e-12)
    np.testing.assert_array_equal(rows, np.unique([0] + neg))
    dense = np.zeros_like(outside_vectors)
    dense[rows] = g_rows
    np.testing.assert_allclose(dense, g_outside, rtol=1e-12, atol=0)


def test_predicted_ratio_is_rows_touched():
    np.testing.assert_allclose(predicted_cost_ratio([11, 110], k=10), [1.0, 10.0])


def test_time_losses_reports_the_median_of_a_fake_clock():
    # A fake clock that advances 1, 2, 3, ... seconds per read: every repeat of `number` calls
    # spans a known interval, so the median per call is exact and checkable.
    ticks = itertools.count()
    clock = lambda: float(next(ticks)) ** 2  # noqa: E731  intervals grow, so the median is not the mean
    t = time_losses([20, 40], dim=3, k=2, repeats=3, number=2, rng=0, clock=clock)
    assert isinstance(t, LossTimings)
    np.testing.assert_array_equal(t.vocab_sizes, [20, 40])
    # reads come in (start, stop) pairs: repeat r of series s spans (2n)^2 -> (2n+1)^2 = 4n + 1.
    spans = (4 * np.arange(18) + 1) / 2  # per call
    medians = np.median(spans.reshape(6, 3), axis=1)  # one series per (W, loss)
    np.testing.assert_allclose(t.softmax, medians[[0, 3]])
    np.testing.assert_allclose(t.neg_sampling, medians[[1, 4]])
    np.testing.assert_allclose(t.neg_sampling_touched, medians[[2, 5]])


def test_ratios_measure_how_much_slower_the_softmax_is():
    # Losses whose cost is exactly the rows they touch, on a clock that only they advance: the
    # softmax costs |Vocab| per call, negative sampling K + 1, so the measured ratios must be the
    # predicted |Vocab| / (K + 1), and a softmax made twice as slow must double them.
    now = [0.0]
    slowdown = [1.0]

    def softmax(center_vec, outside_idx, outside_vectors):
        now[0] += slowdown[0] * outside_vectors.shape[0]
        return naive_softmax(center_vec, outside_idx, outside_vectors)

    def neg_sampling(center_vec, outside_idx, outside_vectors, neg_indices):
        now[0] += len(neg_indices) + 1
        return neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, neg_indices)

    naive_softmax = cost_model.naive_softmax_loss_and_gradient
    losses = dict(softmax_loss=softmax, neg_loss=neg_sampling)  # the student edition passes its own so
    t = time_losses([30, 300], dim=3, k=5, repeats=3, number=2, rng=0, clock=lambda: now[0], **losses)
    np.testing.assert_allclose(t.ratio, [5.0, 50.0])
    np.testing.assert_allclose(t.ratio_touched, [5.0, 50.0])
    np.testing.assert_allclose(t.predicted, [5.0, 50.0])
    slowdown[0] = 2.0
    slower = time_losses([30, 300], dim=3, k=5, repeats=3, number=2, rng=0, clock=lambda: now[0], **losses)
    np.testing.assert_allclose(slower.ratio, [10.0, 100.0])


@pytest.mark.parametrize("kwargs, message", [
    (dict(vocab_sizes=[]), "vocab_sizes"),
    (dict(vocab_sizes=[[10]]), "vocab_sizes"),
    (dict(vocab_sizes=[1, 10]), "vocabulary size"),
    (dict(vocab_sizes=[10], k=0), "k must"),
    (dict(vocab_sizes=[10], dim=0), "dim must"),
    (dict(vocab_sizes=[10], repeats=1.5), "repeats must"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        time_losses(**kwargs)


def test_touched_rows_rejects_out_of_range_negatives():
    with pytest.raises(ValueError, match="neg_indices"):
        neg_sampling_on_touched_rows(np.zeros(3), 0, np.zeros((5, 3)), np.array([1, 5]))


def test_the_vocabulary_sizes_are_the_ones_asked_for():
    # 100000 / 11 * 11 is 99999.99999999999 in floating point: the sizes must not be recomputed
    t = time_losses([100_000], dim=2, k=10, repeats=1, number=1, rng=0, clock=iter(range(100)).__next__,
                    softmax_loss=lambda *a: None, neg_loss=lambda *a: (0.0, None, None))
    assert t.vocab_sizes.tolist() == [100_000]
