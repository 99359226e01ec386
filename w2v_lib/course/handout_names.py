"""The course's own names and argument orders, mapped onto this workbook's functions.

Two directions, both thin (no loss or gradient is computed here):

* aliases: `naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset)`,
  `negSamplingLossAndGradient(..., dataset, K=10)`, `skipgram(currentCenterWord, windowSize,
  outsideWords, word2Ind, ...)`, `sgd(f, x0, step, iterations, ...)`, `getNegativeSamples`: the
  2019+ starter code's signatures, calling the library (so, in the student release, its stubs);
* adapters: `from_handout_*` turn a function written for the handout into the one this
  workbook's check cells call, so a student's handout code runs against the checks unchanged.

Orientation: every edition's starter code keeps the word vectors as rows, `outsideVectors`
(|Vocab|, d), as this library does (`outside_vectors` is the handout's Uᵀ), so no array is
transposed on the way. A `dataset` is any object with `sampleTokenIdx()` returning a word index.
"""
from __future__ import annotations

import numpy as np

from .. import losses, models, optimizer
from ..sampling import noise_distribution

# The starter code's constants: sgd saves every 5,000 and halves the step every 20,000 iterations.
ANNEAL_EVERY = 20000


class FixedDraws:
    """A handout-style `dataset` whose `sampleTokenIdx()` returns given indices, in order.

    It lets a handout negSamplingLossAndGradient (which draws through getNegativeSamples)
    use the negatives a check cell fixed in advance. Drawing more than were given is an error.
    """

    def __init__(self, indices):
        self.indices = [int(i) for i in np.asarray(indices).ravel()]
        self.drawn = 0

    def sampleTokenIdx(self) -> int:  # noqa: N802 (the course's name)
        if self.drawn >= len(self.indices):
            raise RuntimeError(f"sampleTokenIdx() was called more than the {len(self.indices)} times the check "
                               "drew negatives for: draw K negatives once per call, with getNegativeSamples")
        self.drawn += 1
        return self.indices[self.drawn - 1]


class SamplerDataset:
    """A handout-style `dataset` drawing words from P(w) ∝ count(w)^0.75 (`noise_distribution`).

    Each `sampleTokenIdx()` is one independent draw (repeats happen), as the course's
    StanfordSentiment.sampleTokenIdx is; getNegativeSamples redraws any draw equal to o.
    """

    def __init__(self, counts, rng=None, power: float = 0.75):
        self.probabilities = noise_distribution(counts, power)  # (|Vocab|,)
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)

    def sampleTokenIdx(self) -> int:  # noqa: N802
        return int(self.rng.choice(self.probabilities.shape[0], p=self.probabilities))


def getNegativeSamples(outsideWordIdx, dataset, K):  # noqa: N802, N803
    """K indices drawn one at a time from `dataset`, each redrawn while it equals outsideWordIdx.

    As in the starter code: draws are independent, so the K negatives may repeat.
    """
    negatives = []
    for _ in range(K):
        index = dataset.sampleTokenIdx()
        while index == outsideWordIdx:
            index = dataset.sampleTokenIdx()
        negatives.append(index)
    return negatives


# ---- aliases: the course's signatures over the library ------------------------------------------

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):  # noqa: N802, N803
    """(loss, gradCenterVec (d,), gradOutsideVecs (|Vocab|, d)); `dataset` is unused, as in the handout."""
    return losses.naive_softmax_loss_and_gradient(centerWordVec, outsideWordIdx, outsideVectors)


def negSamplingLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):  # noqa: N802, N803
    """Draws K negatives with getNegativeSamples(outsideWordIdx, dataset, K), then the library's loss."""
    negatives = np.asarray(getNegativeSamples(outsideWordIdx, dataset, K), dtype=np.int64)  # (K,)
    return losses.neg_sampling_loss_and_gradient(centerWordVec, outsideWordIdx, outsideVectors, negatives)


def _as_pair_loss(word2vecLossAndGradient, dataset):  # noqa: N803
    """The handout's four-argument F (…, dataset) as the library's three-argument F."""
    def loss_and_gradient(center_vec, outside_idx, outside_vectors):
        return word2vecLossAndGradient(center_vec, outside_idx, outside_vectors, dataset)
    return loss_and_gradient


def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind, centerWordVectors,  # noqa: N802, N803
             outsideVectors, dataset, word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    """(loss, gradCenterVecs (|Vocab|, d), gradOutsideVectors (|Vocab|, d)) for one window of words.

    Words are strings mapped to rows by word2Ind; windowSize is unused (the window is outsideWords).
    """
    outside_idxs = np.array([word2Ind[word] for word in outsideWords], dtype=np.int64)  # (2m,)
    return models.skipgram(word2Ind[currentCenterWord], outside_idxs, centerWordVectors, outsideVectors,
                           _as_pair_loss(word2vecLossAndGradient, dataset))


def sgd(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10):  # noqa: N803
    """The starter code's loop: x ← postprocessing(x − step·∇f(x)), the step halved every 20,000 iterations.

    Returns the final x. `useSaved` (resume from saved_params_*.npy) is not supported: use the
    library's `w2v_lib.sgd(..., resume_from=...)`; PRINT_EVERY prints the running loss.
    """
    if useSaved:
        raise ValueError("useSaved=True is not supported here: resume with w2v_lib.sgd(..., resume_from=checkpoint)")
    postprocessing = postprocessing or (lambda x: x)
    x, running = x0, None
    for iteration in range(1, iterations + 1):
        loss, grad = f(x)
        x = postprocessing(optimizer.sgd_step(x, grad, step))
        running = loss if running is None else 0.95 * running + 0.05 * loss
        if PRINT_EVERY and iteration % PRINT_EVERY == 0:
            print(f"iter {iteration}: {running:f}")
        if iteration % ANNEAL_EVERY == 0:
            step *= 0.5
    return x


# ---- adapters: a function written for the handout, as the check cells call it --------------------

def from_handout_naive_softmax(naiveSoftmaxLossAndGradient):  # noqa: N803
    """naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors) from the handout's function."""
    def naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors):
        return naiveSoftmaxLossAndGradient(center_vec, int(outside_idx), outside_vectors, None)
    return naive_softmax_loss_and_gradient


def from_handout_neg_sampling(negSamplingLossAndGradient):  # noqa: N803
    """neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, neg_indices) from the handout's.

    The handout's function draws its negatives itself, through getNegativeSamples and
    dataset.sampleTokenIdx(); here the dataset hands it the check's neg_indices, in order,
    with K = len(neg_indices). neg_indices must not contain outside_idx (the sampler's rule).
    """
    def neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, neg_indices):
        neg_indices = np.asarray(neg_indices).ravel()  # (K,)
        if np.any(neg_indices == outside_idx):
            raise ValueError(f"neg_indices holds the outside word {int(outside_idx)}: getNegativeSamples would "
                             "redraw it, so the handout's function cannot use these negatives")
        return negSamplingLossAndGradient(center_vec, int(outside_idx), outside_vectors,
                                          FixedDraws(neg_indices), K=len(neg_indices))
    return neg_sampling_loss_and_gradient


def from_handout_skipgram(skipgram_of_handout, model_name: str = "skipgram"):
    """skipgram(center_idx, outside_idxs, center_vectors, outside_vectors, loss_and_gradient) from the handout's.

    Words become the strings "0", "1", … with word2Ind mapping each to its row; the library's
    three-argument F is handed over as the handout's four-argument one (dataset ignored).
    Works for the 2017 cbow and skipgram too (same argument order).
    """
    def adapted(center_idx, outside_idxs, center_vectors, outside_vectors, loss_and_gradient):
        word2Ind = {str(i): i for i in range(np.shape(center_vectors)[0])}  # noqa: N806
        outside_words = [str(int(i)) for i in np.asarray(outside_idxs).ravel()]
        def handout_f(centerWordVec, outsideWordIdx, outsideVectors, dataset):  # noqa: N803
            return loss_and_gradient(centerWordVec, outsideWordIdx, outsideVectors)
        return skipgram_of_handout(str(int(center_idx)), len(outside_words) // 2, outside_words, word2Ind,
                                   center_vectors, outside_vectors, None, handout_f)
    adapted.__name__ = model_name
    return adapted


def from_handout_sgd(sgd_of_handout):
    """sgd_step(params, grad, step) from the handout's whole sgd loop: one iteration of it.

    The result is written back into `params` (the workbook's sgd_step updates in place).
    """
    def sgd_step(params, grad, step):
        x = sgd_of_handout(lambda _x: (0.0, grad), params, step, 1, postprocessing=None, useSaved=False,
                           PRINT_EVERY=10 ** 9)
        if x is not params:
            params[...] = x
        return params
    return sgd_step
