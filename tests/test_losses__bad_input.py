"""Every bad input to the losses and models gets a ValueError naming the argument, what it got and
what it expects."""
import numpy as np
import pytest
from support.messages import says

from w2v_lib import cbow, naive_softmax_loss_and_gradient, neg_sampling_loss_and_gradient, skipgram

N, D = 5, 3  # |Vocab| ≠ d, so a transposed table is always caught
CENTER_VECTORS = np.random.default_rng(0).standard_normal((N, D))
OUTSIDE_VECTORS = np.random.default_rng(1).standard_normal((N, D))
v_c = CENTER_VECTORS[0]
NEG = np.array([1, 2])


def naive(center=v_c, o=1, table=OUTSIDE_VECTORS):
    return naive_softmax_loss_and_gradient(center, o, table)


def neg(center=v_c, o=1, table=OUTSIDE_VECTORS, negs=NEG):
    return neg_sampling_loss_and_gradient(center, o, table, negs)


LOSSES = {"naive": naive, "neg": neg}

# (keyword of the helpers above, bad value, pattern the message must match)
BAD_PAIR_ARGUMENTS = [
    ("table", OUTSIDE_VECTORS.T, r"center_vec has length 3 but outside_vectors has shape \(3, 5\).*U transposed"),
    ("table", OUTSIDE_VECTORS[:, :2], r"outside_vectors must be \(\|Vocab\|, 3\)"),
    ("table", OUTSIDE_VECTORS[0], r"outside_vectors must be a 2-D array .* got shape \(3,\)"),
    ("table", OUTSIDE_VECTORS[None], r"outside_vectors must be a 2-D array .* got shape \(1, 5, 3\)"),
    ("table", np.zeros((0, D)), "outside_vectors must hold at least one word vector"),
    ("table", np.full((N, D), "a"), "outside_vectors must hold real numbers"),
    ("center", CENTER_VECTORS[:2], r"center_vec must be a 1-D vector .* got shape \(2, 3\)"),
    ("center", v_c[:2], r"center_vec has length 2 but outside_vectors has shape \(5, 3\)"),
    ("center", 1.0, r"center_vec must be a 1-D vector .* got shape \(\)"),
    ("center", v_c > 0, "center_vec must hold real numbers; got dtype bool"),
    ("o", 5, r"outside_idx must be a word index in \[0, 5\); got 5"),
    ("o", -1, r"outside_idx must be a word index in \[0, 5\); got -1"),
    ("o", 1.0, r"outside_idx must be an integer word index in \[0, 5\); got 1.0"),
    ("o", np.float64(2), "outside_idx must be an integer"),
    ("o", True, "outside_idx must be an integer word index .* got True"),
    ("o", np.bool_(False), "outside_idx must be an integer"),
    ("o", "1", "outside_idx must be an integer"),
    ("o", [1], "outside_idx must be an integer"),
    ("o", None, "outside_idx must be an integer"),
]

BAD_NEGATIVES = [
    (np.array([1.0, 2.0]), "neg_indices must hold integer word indices; got dtype float64"),
    ([1, 2.5], "neg_indices must hold integer"),
    (np.array([True, False]), "neg_indices must hold integer word indices; got dtype bool"),
    (np.array([[1, 2]]), r"neg_indices must be a 1-D array of word indices; got shape \(1, 2\)"),
    (np.array([1, 5, 7]), r"neg_indices must hold word indices in \[0, 5\); got \[5, 7\]"),
    ([-1, 0], r"neg_indices must hold word indices in \[0, 5\); got \[-1\]"),
    (3, r"neg_indices must be a 1-D array .* got shape \(\)"),
]


@pytest.mark.parametrize("loss", ["naive", "neg"])
@pytest.mark.parametrize("argument, value, match", BAD_PAIR_ARGUMENTS)
def test_bad_pair_arguments(loss, argument, value, match):
    with pytest.raises(ValueError, match=match):
        LOSSES[loss](**{argument: value})


@pytest.mark.parametrize("value, match", BAD_NEGATIVES)
def test_bad_negatives(value, match):
    with pytest.raises(ValueError, match=match):
        neg(negs=value)


def test_empty_negatives_and_numpy_integers_are_fine():
    assert np.isfinite(neg(negs=np.array([], dtype=np.int64))[0])
    assert np.isfinite(neg(negs=[])[0])
    assert naive(o=np.int32(4))[0] == naive(o=4)[0]
    assert neg(negs=np.array([1, 2], dtype=np.uint8))[0] == neg()[0]


def window(model, center=0, idxs=(1, 2, 1), center_vectors=CENTER_VECTORS, outside_vectors=OUTSIDE_VECTORS,
           loss_and_gradient=naive_softmax_loss_and_gradient):
    return model(center, np.asarray(idxs), center_vectors, outside_vectors, loss_and_gradient)


@pytest.mark.parametrize("model, idx_name", [(skipgram, "outside_idxs"), (cbow, "context_idxs")])
@pytest.mark.parametrize("kwargs, match", [
    ({"center": 5}, r"center_idx must be a word index in \[0, 5\); got 5"),
    ({"center": 0.0}, "center_idx must be an integer"),
    ({"center": True}, "center_idx must be an integer"),
    ({"idxs": [1, 9]}, r"{idx} must hold word indices in \[0, 5\); got \[9\]"),
    ({"idxs": [1.0, 2.0]}, "{idx} must hold integer word indices"),
    ({"idxs": [True]}, "{idx} must hold integer word indices; got dtype bool"),
    ({"idxs": [[1, 2]]}, "{idx} must be a 1-D array"),
    ({"center_vectors": CENTER_VECTORS.T}, r"center_vectors and outside_vectors must have the same shape .* "
                              r"got center_vectors \(3, 5\) and outside_vectors \(5, 3\)"),
    ({"outside_vectors": OUTSIDE_VECTORS.T}, r"got center_vectors \(5, 3\) and outside_vectors \(3, 5\).*U transposed"),
    ({"outside_vectors": OUTSIDE_VECTORS[:4]}, r"got center_vectors \(5, 3\) and outside_vectors \(4, 3\)"),
    ({"center_vectors": CENTER_VECTORS[0]}, r"center_vectors must be a 2-D array"),
    ({"outside_vectors": OUTSIDE_VECTORS[None]}, r"outside_vectors must be a 2-D array"),
    ({"loss_and_gradient": lambda v, o, outside: (0.0, v, outside.T)},
     r"loss_and_gradient returned gradients of shapes \(3,\) and \(3, 5\); expected \(3,\) .* \(5, 3\)"),
    ({"loss_and_gradient": lambda v, o, outside: (0.0, v)}, "loss_and_gradient must return"),
])
def test_bad_window_arguments(model, idx_name, kwargs, match):
    with pytest.raises(ValueError, match=match.format(idx=idx_name)):
        window(model, **kwargs)


def test_cbow_needs_a_context_but_a_skipgram_window_may_be_empty():
    with pytest.raises(ValueError, match=says("context_idxs", "empty")):
        window(cbow, idxs=[])
    loss, grad_center, grad_outside = window(skipgram, idxs=[])
    assert loss == 0.0 and not grad_center.any() and not grad_outside.any()
