"""The course's names (w2v_lib.course.handout_names) against the library's functions.

The handout-style functions below are written the way the 2019+ starter code asks for them
(words as strings, `word2Ind`, a `dataset` with `sampleTokenIdx()`, negatives drawn inside),
so that the adapters are tested on the kind of code a student brings from the handout.
"""
import random

import numpy as np
import pytest
from support.messages import says

from w2v_lib import gradcheck, neg_sampling_loss_and_gradient, sgd_step, skipgram, window_batch_loss_and_gradient
from w2v_lib.course import handout_names as hn
from w2v_lib.losses import naive_softmax_loss_and_gradient
from w2v_lib.sampling import noise_distribution

WORDS = ["a", "b", "c", "d", "e"]
WORD2IND = {w: i for i, w in enumerate(WORDS)}


@pytest.fixture
def dummy():
    """The course's dummy vectors: ten normalised rows, centre vectors 0-4, outside vectors 5-9."""
    vectors = np.random.RandomState(9265).randn(10, 3)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def course_dataset(seed=31415):
    """The course's test dataset: an object whose sampleTokenIdx() is random.randint(0, 4)."""
    dataset = type("dummy", (), {})()
    draws = random.Random(seed)
    dataset.sampleTokenIdx = lambda: draws.randint(0, 4)
    return dataset


class Recording:
    """Wraps a dataset and remembers what it handed out."""

    def __init__(self, dataset):
        self.dataset, self.drawn = dataset, []

    def sampleTokenIdx(self):  # noqa: N802
        self.drawn.append(self.dataset.sampleTokenIdx())
        return self.drawn[-1]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---- a student's handout code, in the course's style ---------------------------------------------

def handout_naive_softmax(centerWordVec, outsideWordIdx, outsideVectors, dataset):  # noqa: N803
    scores = outsideVectors @ centerWordVec
    y_hat = np.exp(scores - scores.max())
    y_hat /= y_hat.sum()
    loss = -np.log(y_hat[outsideWordIdx])
    delta = y_hat.copy()
    delta[outsideWordIdx] -= 1
    return loss, delta @ outsideVectors, np.outer(delta, centerWordVec)


def handout_neg_sampling(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):  # noqa: N803
    negSampleWordIndices = hn.getNegativeSamples(outsideWordIdx, dataset, K)  # noqa: N806
    u_o = outsideVectors[outsideWordIdx]
    loss = -np.log(sigmoid(u_o @ centerWordVec))
    gradCenterVec = (sigmoid(u_o @ centerWordVec) - 1) * u_o  # noqa: N806
    gradOutsideVecs = np.zeros_like(outsideVectors)  # noqa: N806
    gradOutsideVecs[outsideWordIdx] = (sigmoid(u_o @ centerWordVec) - 1) * centerWordVec
    for k in negSampleWordIndices:  # a loop adds every draw, repeats included
        s = sigmoid(outsideVectors[k] @ centerWordVec)
        loss -= np.log(1 - s)
        gradCenterVec += s * outsideVectors[k]
        gradOutsideVecs[k] += s * centerWordVec
    return loss, gradCenterVec, gradOutsideVecs


def handout_skipgram(currentCenterWord, windowSize, outsideWords, word2Ind, centerWordVectors,  # noqa: N803
                     outsideVectors, dataset, word2vecLossAndGradient=handout_naive_softmax):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)  # noqa: N806
    gradOutsideVectors = np.zeros(outsideVectors.shape)  # noqa: N806
    center = word2Ind[currentCenterWord]
    for word in outsideWords:
        pair_loss, g_center, g_outside = word2vecLossAndGradient(centerWordVectors[center], word2Ind[word],
                                                                 outsideVectors, dataset)
        loss += pair_loss
        gradCenterVecs[center] += g_center
        gradOutsideVectors += g_outside
    return loss, gradCenterVecs, gradOutsideVectors


def handout_sgd(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10):  # noqa: N803
    x = x0
    postprocessing = postprocessing or (lambda x: x)
    for _ in range(iterations):
        _, grad = f(x)
        x -= step * grad
        x = postprocessing(x)
    return x


# ---- aliases: the course's names call the library -------------------------------------------------

def test_naive_softmax_alias_is_the_library_function(dummy):
    got = hn.naiveSoftmaxLossAndGradient(dummy[2], 4, dummy[5:], dataset=None)
    want = naive_softmax_loss_and_gradient(dummy[2], 4, dummy[5:])
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_neg_sampling_alias_draws_from_the_dataset_and_matches_the_library(dummy):
    recording = Recording(course_dataset())
    got = hn.negSamplingLossAndGradient(dummy[2], 0, dummy[5:], recording, K=10)
    negatives = [i for i in recording.drawn if i != 0]  # getNegativeSamples redraws the outside word
    assert len(negatives) == 10 and len(set(negatives)) < 10, "ten draws from five words repeat"
    want = neg_sampling_loss_and_gradient(dummy[2], 0, dummy[5:], np.array(negatives))
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)


def test_get_negative_samples_draws_with_replacement_and_never_the_outside_word():
    negatives = hn.getNegativeSamples(3, course_dataset(seed=1), 200)
    assert len(negatives) == 200 and 3 not in negatives
    assert set(negatives) == {0, 1, 2, 4}, "with replacement: every other word, many times"


def test_skipgram_alias_takes_words_and_matches_the_library(dummy):
    window = ["a", "b", "e", "d", "b", "c"]
    got = hn.skipgram("c", 3, window, WORD2IND, dummy[:5], dummy[5:], None)
    want = skipgram(2, np.array([WORD2IND[w] for w in window]), dummy[:5], dummy[5:],
                    lambda v, o, u: naive_softmax_loss_and_gradient(v, o, u))
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=0)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-12, atol=0)
    assert np.isclose(got[0], 11.16610900153398, rtol=1e-10), "the course's expected window loss"


def test_sgd_alias_passes_the_course_sanity_check(capsys):
    for start in (0.5, 0.0, -1.5):
        x = hn.sgd(lambda x: (float(x @ x), 2 * x), np.array([start]), 0.01, 1000, PRINT_EVERY=100)
        assert abs(x[0]) <= 1e-6
    assert "iter 1000:" in capsys.readouterr().out
    with pytest.raises(ValueError, match="resume_from"):
        hn.sgd(lambda x: (0.0, x), np.zeros(1), 0.1, 1, useSaved=True)


def test_sampler_dataset_follows_the_noise_distribution():
    counts = np.array([50.0, 10.0, 5.0, 1.0])
    dataset = hn.SamplerDataset(counts, rng=0)
    draws = np.array([dataset.sampleTokenIdx() for _ in range(20000)])
    frequencies = np.bincount(draws, minlength=4) / draws.size
    # 20,000 draws: each frequency within 5 standard errors of P(w) ∝ count^0.75
    p = noise_distribution(counts)
    assert np.all(np.abs(frequencies - p) < 5 * np.sqrt(p * (1 - p) / draws.size))


# ---- adapters: a handout function, as the check cells call it -------------------------------------

def test_handout_naive_softmax_runs_as_ours(dummy):
    ours = hn.from_handout_naive_softmax(handout_naive_softmax)
    got, want = ours(dummy[2], np.int64(1), dummy[5:]), naive_softmax_loss_and_gradient(dummy[2], 1, dummy[5:])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_handout_neg_sampling_gets_the_checks_negatives(dummy):
    ours = hn.from_handout_neg_sampling(handout_neg_sampling)
    negatives = np.array([3, 2, 2, 4, 1, 3, 1, 3, 1, 1])  # the course's draws for (c, a): repeats
    got = ours(dummy[2], 0, dummy[5:], negatives)
    want = neg_sampling_loss_and_gradient(dummy[2], 0, dummy[5:], negatives)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    result = gradcheck(lambda u: ours(dummy[2], 0, u, negatives)[::2], dummy[5:].copy())
    assert result, result.verdict


def test_handout_neg_sampling_refuses_what_getnegativesamples_would_redraw(dummy):
    ours = hn.from_handout_neg_sampling(handout_neg_sampling)
    with pytest.raises(ValueError, match=says('neg_indices', '0', 'getNegativeSamples')):
        ours(dummy[2], 0, dummy[5:], np.array([1, 0, 2]))


def test_a_handout_function_that_draws_too_often_is_named(dummy):
    def draws_twice(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):  # noqa: N803
        hn.getNegativeSamples(outsideWordIdx, dataset, K)
        return handout_neg_sampling(centerWordVec, outsideWordIdx, outsideVectors, dataset, K)

    with pytest.raises(RuntimeError, match=says('sampleTokenIdx()', '3', 'getNegativeSamples')):
        hn.from_handout_neg_sampling(draws_twice)(dummy[2], 0, dummy[5:], np.array([1, 2, 3]))


def test_handout_skipgram_runs_through_our_sgd_wrapper_and_gradient_check(dummy):
    ours = hn.from_handout_skipgram(handout_skipgram)
    window = np.array([0, 1, 4, 3, 1, 2])
    got = ours(2, window, dummy[:5], dummy[5:], naive_softmax_loss_and_gradient)
    want = skipgram(2, window, dummy[:5], dummy[5:], naive_softmax_loss_and_gradient)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    negatives = hn.from_handout_neg_sampling(handout_neg_sampling)
    table = iter(np.array([[3, 2, 2, 4, 1, 3, 1, 3, 1, 1], [2, 4, 0, 0, 0, 0, 4, 4, 2, 4]]))

    def fixed(v, o, u, rows=table):
        return negatives(v, o, u, next(rows))

    loss, _, _ = ours(2, np.array([0, 1]), dummy[:5], dummy[5:], fixed)
    assert np.isclose(loss, 16.15119285363322, rtol=1e-10), "the course's negative-sampling window loss"
    result = gradcheck(lambda p: window_batch_loss_and_gradient(ours, p, [(2, window)],
                                                                naive_softmax_loss_and_gradient), dummy.copy())
    assert result, result.verdict


def test_an_adapter_does_not_hide_a_wrong_handout_function(dummy):
    def sign_lost(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):  # noqa: N803
        loss, g_center, g_outside = handout_neg_sampling(centerWordVec, outsideWordIdx, outsideVectors, dataset, K)
        return loss, -g_center, g_outside

    ours = hn.from_handout_neg_sampling(sign_lost)
    negatives = np.array([3, 2, 2, 4])
    result = gradcheck(lambda v: ours(v, 0, dummy[5:], negatives)[:2], dummy[2].copy())
    assert not result and result.pattern == "sign_flipped", result.verdict


def test_handout_sgd_runs_as_sgd_step_in_place():
    ours = hn.from_handout_sgd(handout_sgd)
    params = np.array([[1.0, -2.0], [0.5, 3.0]])
    returned = ours(params, np.array([[0.1, 0.2], [-0.3, 0.4]]), 0.5)
    assert returned is params
    np.testing.assert_allclose(params, [[0.95, -2.1], [0.65, 2.8]], rtol=1e-12)
    np.testing.assert_allclose(sgd_step(np.array([1.0]), np.array([2.0]), 0.25), ours(np.array([1.0]),
                                                                                      np.array([2.0]), 0.25))


def test_handout_sgd_that_returns_a_new_array_still_updates_params():
    def copying_sgd(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10):  # noqa: N803
        x = x0.copy()
        for _ in range(iterations):
            x = x - step * f(x)[1]
        return x

    params = np.array([1.0, 2.0])
    hn.from_handout_sgd(copying_sgd)(params, np.array([1.0, 1.0]), 0.5)
    np.testing.assert_allclose(params, [0.5, 1.5])
