"""skipgram and cbow: how they call F, what they sum, and gradchecks on the stacked (2|Vocab|, d) parameters."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.gradients import dims, random_tables, seeds, stack, vocab_sizes, window_objective, windows
from support.messages import says

import w2v_lib
from w2v_lib import (
    NegativeSampler,
    cbow,
    gradcheck,
    naive_softmax_loss_and_gradient,
    neg_sampling_loss_and_gradient,
    negative_sampling,
    skipgram,
)

MODELS = {"skipgram": skipgram, "cbow": cbow}


def test_the_issues_api_is_importable_from_the_top_level():
    for name in ["softmax", "sigmoid", "naive_softmax_loss_and_gradient", "neg_sampling_loss_and_gradient",
                 "NegativeSampler", "negative_sampling", "skipgram", "cbow", "gradcheck", "GradcheckResult",
                 "sgd", "SGDResult", "save_checkpoint", "load_checkpoint", "list_checkpoints",
                 "save_word2vec", "load_word2vec", "save_projector_tsv", "load_projector_tsv",
                 "save_run", "load_run", "word_vectors", "Run"]:
        assert callable(getattr(w2v_lib, name)), name


class Recorder:
    """An F that remembers its calls and returns distinct, recognisable values."""

    def __init__(self, n_words, dim):
        self.calls = []
        self.n_words, self.dim = n_words, dim

    def __call__(self, center_vec, outside_idx, outside_vectors):
        self.calls.append((np.array(center_vec), outside_idx, outside_vectors))
        k = len(self.calls)
        grad_outside = np.full((self.n_words, self.dim), float(k))
        return 10.0 * k, np.full(self.dim, 100.0 * k), grad_outside


def test_skipgram_calls_f_once_per_outside_word_in_order_and_sums():
    center_vectors, outside_vectors = random_tables(0, 5, 3)
    f = Recorder(5, 3)
    loss, grad_center, grad_outside = skipgram(2, [4, 0, 4, 1], center_vectors, outside_vectors, f)
    assert [o for _, o, _ in f.calls] == [4, 0, 4, 1]
    for v_c, _, table in f.calls:
        np.testing.assert_array_equal(v_c, center_vectors[2])
        np.testing.assert_array_equal(table, outside_vectors)
    assert loss == 10 + 20 + 30 + 40
    np.testing.assert_array_equal(grad_center[2], np.full(3, 1000.0))
    assert not np.delete(grad_center, 2, axis=0).any()  # only v_c enters the loss
    np.testing.assert_array_equal(grad_outside, np.full((5, 3), 10.0))


def test_cbow_sums_the_context_with_repeats_and_calls_f_once():
    center_vectors, outside_vectors = random_tables(1, 5, 3)
    f = Recorder(5, 3)
    loss, grad_center, grad_outside = cbow(3, [1, 4, 1], center_vectors, outside_vectors, f)
    assert len(f.calls) == 1
    v_hat, center, table = f.calls[0]
    np.testing.assert_allclose(v_hat, 2 * center_vectors[1] + center_vectors[4])
    assert center == 3
    np.testing.assert_array_equal(table, outside_vectors)
    assert loss == 10.0
    np.testing.assert_array_equal(grad_center[1], np.full(3, 200.0))  # word 1 is in the context twice
    np.testing.assert_array_equal(grad_center[4], np.full(3, 100.0))
    assert not grad_center[[0, 2, 3]].any()
    np.testing.assert_array_equal(grad_outside, np.full((5, 3), 1.0))


def test_skipgram_with_the_real_loss_is_the_sum_of_pair_losses():
    center_vectors, outside_vectors = random_tables(2, 6, 4)
    loss, grad_center, grad_outside = skipgram(0, [3, 5, 3], center_vectors, outside_vectors,
                                               naive_softmax_loss_and_gradient)
    pairs = [naive_softmax_loss_and_gradient(center_vectors[0], o, outside_vectors) for o in (3, 5, 3)]
    assert loss == pytest.approx(sum(p[0] for p in pairs), rel=1e-14)
    np.testing.assert_allclose(grad_center[0], sum(p[1] for p in pairs), rtol=1e-13)
    np.testing.assert_allclose(grad_outside, sum(p[2] for p in pairs), rtol=1e-13)


def test_negative_sampling_binding_of_predrawn_rows():
    center_vectors, outside_vectors = random_tables(3, 6, 2)
    table = np.array([[1, 2], [4, 4], [0, 5]])
    f = negative_sampling(table)
    loss, _, _ = skipgram(0, [3, 1, 2], center_vectors, outside_vectors, f)
    expected = sum(neg_sampling_loss_and_gradient(center_vectors[0], o, outside_vectors, row)[0]
                   for o, row in zip([3, 1, 2], table))
    assert loss == pytest.approx(expected, rel=1e-14)
    # the next window of three starts again at row 0, so repeated evaluations agree
    assert skipgram(0, [3, 1, 2], center_vectors, outside_vectors, f)[0] == loss
    single = negative_sampling(np.array([2, 2, 5]))  # (K,): the same negatives on every call
    assert skipgram(0, [3, 1], center_vectors, outside_vectors, single)[0] == pytest.approx(
        sum(neg_sampling_loss_and_gradient(center_vectors[0], o, outside_vectors, [2, 2, 5])[0] for o in (3, 1)),
        rel=1e-14)


def test_negative_sampling_binding_of_a_sampler_draws_fresh_negatives():
    center_vectors, outside_vectors = random_tables(4, 8, 3)
    sampler = NegativeSampler(np.arange(1, 9), rng=7)
    twin = NegativeSampler(np.arange(1, 9), rng=7)
    loss, _, _ = skipgram(5, [2, 6], center_vectors, outside_vectors, negative_sampling(sampler, k=4))
    expected = sum(neg_sampling_loss_and_gradient(center_vectors[5], o, outside_vectors, twin.sample(o, 4))[0]
                   for o in (2, 6))
    assert loss == pytest.approx(expected, rel=1e-14)


@st.composite
def window_problems(draw, model_name):
    """Stacked params, a center word and a window, with repeats; the center word may recur in it."""
    n, d = draw(vocab_sizes), draw(dims)
    params = stack(*random_tables(draw(seeds), n, d))
    center = draw(st.integers(0, n - 1))
    idxs = draw(windows(n, max_size=5))
    if model_name == "skipgram" and draw(st.booleans()):
        idxs = np.append(idxs, center)  # a window can hold the center word itself
    return params, center, idxs


def predrawn_negatives(draw, n_words, predicted, also):
    """One row of negatives per predicted word: random ones, a repeat, that word itself and `also`."""
    k = draw(st.integers(1, 4))
    table = draw(st.lists(st.lists(st.integers(0, n_words - 1), min_size=k, max_size=k),
                          min_size=len(predicted), max_size=len(predicted)))
    for row, word in zip(table, predicted):
        row += [row[0], int(word), int(also)]
    return np.array(table, dtype=np.int64)  # (len(predicted), K)


@pytest.mark.parametrize("model_name", ["skipgram", "cbow"])
@given(data=st.data())
def test_naive_softmax_window_gradcheck_on_stacked_params(model_name, data):
    params, center, idxs = data.draw(window_problems(model_name))
    f = window_objective(MODELS[model_name], center, idxs, naive_softmax_loss_and_gradient)
    result = gradcheck(f, params, name=f"{model_name} + naive softmax")
    assert result.max_rel_error < 1e-7, result


@pytest.mark.parametrize("model_name", ["skipgram", "cbow"])
@given(data=st.data())
def test_neg_sampling_window_gradcheck_on_stacked_params(model_name, data):
    params, center, idxs = data.draw(window_problems(model_name))
    n = params.shape[0] // 2
    if model_name == "skipgram":  # each outside word's negatives include it and the center word
        table = predrawn_negatives(data.draw, n, predicted=idxs, also=center)
    else:  # CBOW predicts the center word; its negatives include it and a context word
        table = predrawn_negatives(data.draw, n, predicted=[center], also=idxs[0])
    f = window_objective(MODELS[model_name], center, idxs, negative_sampling(table))
    result = gradcheck(f, params, name=f"{model_name} + neg sampling")
    assert result.max_rel_error < 1e-7, result


@pytest.mark.parametrize("model_name", ["skipgram", "cbow"])
@given(seed=seeds, n=st.integers(3, 8), d=dims)
def test_sampled_neg_sampling_window_gradcheck(model_name, seed, n, d):
    rng = np.random.default_rng(seed)
    params = stack(*random_tables(seed, n, d))
    sampler = NegativeSampler(rng.integers(1, 50, size=n), rng=rng)
    center, idxs = 0, rng.integers(0, n, size=4)
    f = window_objective(MODELS[model_name], center, idxs, negative_sampling(sampler, k=5))
    result = gradcheck(f, params, rng=sampler)
    assert result.max_rel_error < 1e-7, result


def test_window_batch_wrapper_is_the_mean_of_the_windows_on_stacked_params():
    from w2v_lib import window_batch_loss_and_gradient

    rng = np.random.default_rng(0)
    center_vectors, outside_vectors = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    params = np.concatenate([center_vectors, outside_vectors])  # (2|Vocab|, d)
    windows = [(0, np.array([1, 2])), (3, np.array([4, 4, 5]))]
    loss, grad = window_batch_loss_and_gradient(skipgram, params, windows, naive_softmax_loss_and_gradient)
    parts = [skipgram(c, o, center_vectors, outside_vectors, naive_softmax_loss_and_gradient) for c, o in windows]
    assert loss == pytest.approx((parts[0][0] + parts[1][0]) / 2)
    np.testing.assert_allclose(grad[:6], (parts[0][1] + parts[1][1]) / 2)
    np.testing.assert_allclose(grad[6:], (parts[0][2] + parts[1][2]) / 2)
    per_window = [negative_sampling(np.array([[3, 3]])), negative_sampling(np.array([[0, 1]]))]
    loss_ns, _ = window_batch_loss_and_gradient(skipgram, params, windows, per_window)
    assert loss_ns != pytest.approx(loss)
    with pytest.raises(ValueError, match=says('loss_and_gradient', '2 windows')):
        window_batch_loss_and_gradient(skipgram, params, windows, per_window[:1])
    with pytest.raises(ValueError, match=says('params', '(11, 3)')):
        window_batch_loss_and_gradient(skipgram, params[:-1], windows, naive_softmax_loss_and_gradient)


def test_the_window_batch_wrapper_refuses_a_gradient_that_would_broadcast():
    from w2v_lib.models import window_batch_loss_and_gradient

    params = np.zeros((6, 2))  # |Vocab| = 3, d = 2

    def one_row_model(center_idx, outside_idxs, center_vectors, outside_vectors, f):
        return 1.0, np.ones(2), np.zeros((3, 2))  # a (d,) centre gradient: wrong

    with pytest.raises(ValueError, match=says('grad_center_vectors', '(2,)', '(3, 2)')):
        window_batch_loss_and_gradient(one_row_model, params, [(0, [1])], None)
    with pytest.raises(ValueError, match="must return"):
        window_batch_loss_and_gradient(lambda *a: None, params, [(0, [1])], None)
