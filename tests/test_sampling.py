"""NegativeSampler: the unigram^0.75 distribution, no outside word, clear errors, seeded determinism."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare
from support.messages import says

from w2v_lib import NegativeSampler, negative_sampling

COUNTS = np.array([1, 5, 10, 50, 100, 400, 0])  # the last word never occurs


def test_probabilities_are_proportional_to_count_to_the_three_quarters():
    sampler = NegativeSampler(COUNTS, rng=0)
    weights = COUNTS.astype(float) ** 0.75
    np.testing.assert_allclose(sampler.probabilities, weights / weights.sum(), rtol=1e-14)
    unigram = NegativeSampler(COUNTS, rng=0, power=1.0)
    np.testing.assert_allclose(unigram.probabilities, COUNTS / COUNTS.sum(), rtol=1e-14)


def test_draw_frequencies_follow_count_to_the_three_quarters():
    sampler = NegativeSampler(COUNTS, rng=2024)
    draws = sampler.sample(6, 200_000)  # word 6 has count 0, so no draw is ever redrawn
    observed = np.bincount(draws, minlength=COUNTS.size)
    assert observed[6] == 0
    expected = COUNTS[:6] ** 0.75 / (COUNTS[:6] ** 0.75).sum() * draws.size
    assert chisquare(observed[:6], expected).pvalue > 1e-4
    np.testing.assert_allclose(observed[:6] / draws.size, expected / draws.size, atol=0.005)


def test_redrawing_the_outside_word_gives_the_conditional_distribution():
    sampler = NegativeSampler(COUNTS, rng=7)
    draws = sampler.sample_many(np.full(4000, 5), 50).ravel()  # word 5 is the most likely one
    observed = np.bincount(draws, minlength=COUNTS.size)
    assert observed[5] == 0 and observed[6] == 0
    p = COUNTS[:5] ** 0.75 / (COUNTS[:5] ** 0.75).sum()  # P(w | w ≠ 5)
    assert chisquare(observed[:5], p * draws.size).pvalue > 1e-4


@given(counts=st.lists(st.integers(0, 20), min_size=2, max_size=12), seed=st.integers(0, 2**32 - 1),
       data=st.data())
def test_never_returns_the_outside_word_or_an_unseen_word(counts, seed, data):
    counts = np.array(counts)
    positive = np.flatnonzero(counts)
    if positive.size < 2:  # every draw would be the outside word; covered by the error test below
        counts[:2] = 1
        positive = np.flatnonzero(counts)
    outs = np.array(data.draw(st.lists(st.sampled_from(positive.tolist()), min_size=1, max_size=20)))
    neg = NegativeSampler(counts, rng=seed).sample_many(outs, 8)
    assert neg.shape == (outs.size, 8) and neg.dtype == np.int64
    assert not (neg == outs[:, None]).any()
    assert (counts[neg] > 0).all()


class LargestDraw:
    """A stand-in generator whose every uniform draw is the largest float below 1."""

    def random(self, shape):
        return np.full(shape, np.nextafter(1.0, 0.0))


def test_a_zero_count_word_at_the_end_is_never_drawn_even_by_rounding():
    sampler = NegativeSampler([7, 3, 2, 0], rng=0)  # these probabilities sum to 1 − 1e-16
    sampler.rng = LargestDraw()
    np.testing.assert_array_equal(sampler.sample(0, 3), [2, 2, 2])


def test_sample_returns_k_int64_indices():
    neg = NegativeSampler(COUNTS, rng=1).sample(3, 10)
    assert neg.shape == (10,) and neg.dtype == np.int64 and 3 not in neg
    assert NegativeSampler(COUNTS, rng=1).sample(3, 0).shape == (0,)


def test_same_seed_same_negatives_and_the_given_generator_is_used():
    a = NegativeSampler(COUNTS, rng=123).sample_many([0, 4, 4], 20)
    b = NegativeSampler(COUNTS, rng=np.random.default_rng(123)).sample_many([0, 4, 4], 20)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, NegativeSampler(COUNTS, rng=124).sample_many([0, 4, 4], 20))
    gen = np.random.default_rng(5)
    sampler = NegativeSampler(COUNTS, rng=gen)
    assert sampler.rng is gen  # checkpoints and gradcheck can capture its state
    before = gen.bit_generator.state
    sampler.sample(0, 3)
    assert gen.bit_generator.state != before


def test_impossible_draws_are_refused_clearly():
    sampler = NegativeSampler([0, 0, 3, 0], rng=0)
    with pytest.raises(ValueError, match=says('outside word 2', 'positive count')):
        sampler.sample(2, 5)
    with pytest.raises(ValueError, match="outside word 2"):
        sampler.sample_many([1, 2], 1)
    assert sampler.sample(2, 0).shape == (0,)  # asking for none is fine
    assert set(sampler.sample(1, 5)) == {2}


@pytest.mark.parametrize("counts, kwargs, match", [
    ([[1, 2], [3, 4]], {}, "counts must be a non-empty 1-D"),
    ([], {}, "counts must be a non-empty 1-D"),
    ([1, -2, 3], {}, r"counts must be finite and non-negative; got \[-2.0\]"),
    ([1, np.nan], {}, "counts must be finite"),
    ([0, 0, 0], {}, "counts must have at least one positive"),
    ([1, 2], {"power": -0.5}, "power must be"),
    ([1, 2], {"power": float("nan")}, "power must be"),
    ([1, 2], {"power": True}, "power must be"),
])
def test_bad_sampler_arguments_are_named(counts, kwargs, match):
    with pytest.raises(ValueError, match=match):
        NegativeSampler(counts, rng=0, **kwargs)


@pytest.mark.parametrize("call, match", [
    (lambda s: s.sample(7, 3), r"outside_idx must be a word index in \[0, 7\); got 7"),
    (lambda s: s.sample(-1, 3), "outside_idx"),
    (lambda s: s.sample(1.0, 3), "outside_idx must be an integer"),
    (lambda s: s.sample(True, 3), "outside_idx must be an integer"),
    (lambda s: s.sample(1, -1), "k .* non-negative integer"),
    (lambda s: s.sample(1, 2.0), "k .* non-negative integer"),
    (lambda s: s.sample(1, True), "k .* non-negative integer"),
    (lambda s: s.sample_many([[1, 2]], 3), "outside_idxs must be a 1-D"),
    (lambda s: s.sample_many([1.5], 3), "outside_idxs must hold integer"),
    (lambda s: negative_sampling(s, k=-2), "k .* non-negative integer"),
])
def test_bad_draw_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call(NegativeSampler(COUNTS, rng=0))


@pytest.mark.parametrize("negatives", [np.array([1.0, 2.0]), np.zeros((2, 2, 2), dtype=int), "abc", [[1], [2, 3]]])
def test_negative_sampling_refuses_what_is_neither_a_sampler_nor_an_index_table(negatives):
    with pytest.raises(ValueError, match=says('negatives', 'NegativeSampler', '(K,)', '(M, K)')):
        negative_sampling(negatives)


@pytest.mark.parametrize("method", ["cdf", "alias"])
def test_both_draw_methods_follow_the_noise_distribution(method):
    from w2v_lib import noise_distribution

    counts = np.array([50, 0, 10, 3, 1])
    sampler = NegativeSampler(counts, np.random.default_rng(1), method=method)
    np.testing.assert_allclose(sampler.implied_probabilities(), noise_distribution(counts), atol=1e-15)
    draws = sampler.sample_many(np.full(20000, 4), 5)  # outside word 4: never drawn
    freq = np.bincount(draws.ravel(), minlength=5) / draws.size
    expected = noise_distribution(counts)
    expected[4] = 0
    np.testing.assert_allclose(freq, expected / expected.sum(), atol=0.01)
    with pytest.raises(ValueError, match=says('method', "'table'", "'cdf'", "'alias'")):
        NegativeSampler(counts, method="table")


def test_negative_sampling_binds_the_loss_it_is_given():
    seen = []

    def own_loss(center_vec, outside_idx, outside_vectors, neg_indices):
        seen.append(tuple(neg_indices))
        return 0.5, np.zeros_like(center_vec), np.zeros_like(outside_vectors)

    f = negative_sampling(np.array([[1, 2], [3, 3]]), loss_and_gradient=own_loss)
    f(np.zeros(2), 0, np.zeros((4, 2)))
    f(np.zeros(2), 0, np.zeros((4, 2)))
    assert seen == [(1, 2), (3, 3)]
    with pytest.raises(ValueError, match=says('loss_and_gradient', 'str')):
        negative_sampling(np.array([1, 2]), loss_and_gradient="not a function")


def test_once_per_row_uses_each_row_once_and_refuses_a_second_call_per_pair():
    seen = []

    def own_loss(center_vec, outside_idx, outside_vectors, neg_indices):
        seen.append(tuple(neg_indices))
        return 0.5, np.zeros_like(center_vec), np.zeros_like(outside_vectors)

    args = (np.zeros(2), 0, np.zeros((4, 2)))
    f = negative_sampling(np.array([[1, 2], [3, 3]]), loss_and_gradient=own_loss, once_per_row=True)
    f(*args)
    f(*args)
    assert seen == [(1, 2), (3, 3)]
    with pytest.raises(RuntimeError, match="more than 2 times for one window"):
        f(*args)  # a third call for a window of two pairs: a model calling F twice for one pair
    cycling = negative_sampling(np.array([[1, 2], [3, 3]]), loss_and_gradient=own_loss)
    for _ in range(3):
        cycling(*args)
    assert seen[-1] == (1, 2)  # without the option, row i mod M, as before
