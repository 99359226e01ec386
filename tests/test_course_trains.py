"""compare_training: the student's own functions step by step beside the library's vectorized step."""
import re

import numpy as np
import pytest
from support.messages import says

from w2v_lib.assignment.step import batch_loss_and_gradient, draw_batches
from w2v_lib.corpora import ContextSampler, prepare_corpus
from w2v_lib.course.trains import compare_training, student_batch_loss_and_gradient
from w2v_lib.losses import neg_sampling_loss_and_gradient
from w2v_lib.models import skipgram
from w2v_lib.sampling import NegativeSampler


def sgd_step(params, grad, step):
    params -= step * grad
    return params


RIGHT = {"skipgram": skipgram, "neg_sampling_loss_and_gradient": neg_sampling_loss_and_gradient, "sgd_step": sgd_step}


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(30)]
    sentences = [[words[j] for j in rng.zipf(1.5, size=8) % 30] for _ in range(200)]
    data = prepare_corpus(sentences, rng, copies=1, threshold=1.0)  # keep every token
    n = len(data.vocab)
    sampler = NegativeSampler(data.vocab.counts, rng, method="alias")
    batches = draw_batches(ContextSampler(data.subsampled), sampler, rng, 6, 8, 3, 4)
    params = rng.standard_normal((2 * n, 5)) * 0.3  # (2|Vocab|, d): outside vectors non-zero, so v_c moves too
    return batches, params, n, data.vocab.words


def test_student_batch_equals_the_vectorized_batch(setup):
    batches, params, n, _ = setup
    loss, grad = student_batch_loss_and_gradient(RIGHT, params, batches[0], n)
    ref_loss, ref_grad = batch_loss_and_gradient(params, batches[0], n)
    assert np.isclose(loss, ref_loss, rtol=1e-12) and np.allclose(grad, np.asarray(ref_grad), rtol=1e-10, atol=1e-14)


def test_right_functions_match_every_step(setup):
    batches, params, n, _ = setup
    result = compare_training(RIGHT, batches, params, n, step=0.3)
    assert result and result.steps == len(batches) and "PASSED" in result.verdict
    assert np.allclose(result.student_losses, result.library_losses, rtol=1e-9)


def flipped_outside(*args):
    loss, grad_center, grad_outside = neg_sampling_loss_and_gradient(*args)
    return loss, grad_center, -grad_outside


def doubled_loss(*args):
    loss, grad_center, grad_outside = neg_sampling_loss_and_gradient(*args)
    return 2 * loss, grad_center, grad_outside


def zero_grads(center_idx, outside_idxs, center_vectors, outside_vectors, pair_loss):
    loss = skipgram(center_idx, outside_idxs, center_vectors, outside_vectors, pair_loss)[0]
    return loss, np.zeros_like(center_vectors), np.zeros_like(outside_vectors)


@pytest.mark.parametrize("replace, message", [
    ({"neg_sampling_loss_and_gradient": doubled_loss}, r"step 1, .* your loss is .* the loss of your skipgram"),
    ({"neg_sampling_loss_and_gradient": flipped_outside},
     r"step 1 the losses agree but your gradient differs from the library's on u_'w\d+', u_"),
    ({"skipgram": zero_grads}, r"gradient is 0 everywhere, so training would leave the loss flat"),
    ({"sgd_step": lambda params, grad, step: params}, r"left the parameters unchanged, so the loss would stay flat"),
    ({"sgd_step": lambda params, grad, step: params + step * grad}, r"uphill .* the loss would rise"),
    ({"sgd_step": lambda params, grad, step: params - 2 * step * grad}, r"gave other parameters on"),
])
def test_each_mistake_is_named(setup, replace, message):
    batches, params, n, words = setup
    result = compare_training({**RIGHT, **replace}, batches, params, n, step=0.3, words=words)
    assert not result and result.verdict.startswith("FAILED")
    assert re.search(message, result.verdict), result.verdict


def test_missing_functions_are_named(setup):
    batches, params, n, _ = setup
    with pytest.raises(ValueError, match=says('sgd_step', 'load_answers')):
        compare_training({k: v for k, v in RIGHT.items() if k != "sgd_step"}, batches, params, n, step=0.3)


def test_the_callers_parameters_are_not_touched(setup):
    batches, params, n, _ = setup
    before = params.copy()
    compare_training(RIGHT, batches, params, n, step=0.3)
    assert np.array_equal(params, before)
