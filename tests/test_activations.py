"""softmax and sigmoid: right values, stable and silent at extremes, inputs left untouched."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from support.gradients import strict

from w2v_lib import sigmoid, softmax

EXTREMES = np.array([1e4, -1e4, 0.0, 9999.5, -3.0, 1e4])


def reference_softmax(row):
    """exp(x_i) / Σ_j exp(x_j) in pure Python, for moderate x."""
    exps = [math.exp(v) for v in row]
    total = math.fsum(exps)
    return [e / total for e in exps]


@given(arrays(np.float64, st.integers(1, 7), elements=st.floats(-30, 30)))
def test_softmax_1d_matches_the_definition(x):
    np.testing.assert_allclose(softmax(x), reference_softmax(x.tolist()), rtol=1e-12, atol=1e-300)


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=st.floats(-30, 30)))
def test_softmax_2d_is_row_by_row(x):
    out = softmax(x)
    assert out.shape == x.shape
    for row_in, row_out in zip(x, out):
        np.testing.assert_allclose(row_out, reference_softmax(row_in.tolist()), rtol=1e-12, atol=1e-300)


def test_softmax_is_shift_invariant_and_sums_to_one():
    x = np.random.default_rng(1).standard_normal((3, 5))
    np.testing.assert_allclose(softmax(x + 1000.0), softmax(x), rtol=1e-12)
    np.testing.assert_allclose(softmax(x).sum(axis=-1), 1.0, rtol=1e-14)


@pytest.mark.parametrize("x", [EXTREMES, np.stack([EXTREMES, -EXTREMES, np.full(6, 1e4)])])
def test_softmax_is_finite_and_silent_at_extremes(x):
    with strict():
        out = softmax(x)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out.sum(axis=-1), 1.0)
    # the two entries at 1e4 share the mass; 9999.5 gets e^-0.5 of each share; the rest is 0
    first = out if out.ndim == 1 else out[0]
    share = 1.0 / (2 + math.exp(-0.5))
    np.testing.assert_allclose(first, [share, 0, 0, share * math.exp(-0.5), 0, share], atol=1e-300)
    if out.ndim == 2:
        np.testing.assert_allclose(out[2], np.full(6, 1 / 6))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_never_mutates_its_input(dtype):
    x = np.random.default_rng(2).standard_normal((4, 3)).astype(dtype)
    before = x.copy()
    out = softmax(x)
    np.testing.assert_array_equal(x, before)
    assert not np.shares_memory(out, x)


def test_softmax_dtypes():
    ints = softmax(np.array([1, 2, 3]))
    assert ints.dtype == np.float64
    np.testing.assert_allclose(ints, reference_softmax([1, 2, 3]))
    np.testing.assert_allclose(softmax([1, 2, 3]), ints)  # a plain list works too
    x32 = np.array([[0.5, -1.0, 2.0]], dtype=np.float32)
    assert softmax(x32).dtype == np.float32
    np.testing.assert_allclose(softmax(x32), softmax(x32.astype(np.float64)), rtol=1e-6)


@pytest.mark.parametrize("bad", [np.zeros((2, 2, 2)), np.float64(3.0), np.zeros((2, 0)), np.array(["a", "b"])])
def test_softmax_rejects_what_it_cannot_normalise(bad):
    with pytest.raises(ValueError, match="softmax: x"):
        softmax(bad)


@given(st.floats(-50, 50))
def test_sigmoid_scalar_matches_the_definition(z):
    out = sigmoid(z)
    assert isinstance(out, float)
    assert out == pytest.approx(1.0 / (1.0 + math.exp(-z)), rel=1e-14, abs=1e-300)
    assert sigmoid(-z) == pytest.approx(1.0 - out, abs=1e-15)


def test_sigmoid_is_finite_and_silent_at_extremes():
    with strict():
        out = sigmoid(EXTREMES)
        s_big, s_small = sigmoid(1e4), sigmoid(-1e4)
    assert np.isfinite(out).all()
    assert s_big == 1.0 and s_small == 0.0
    np.testing.assert_allclose(out, [1, 0, 0.5, 1, 1 / (1 + math.exp(3)), 1], rtol=1e-14, atol=1e-300)


def test_sigmoid_arrays_and_dtypes():
    x = np.array([[-2.0, 0.0], [3.0, 40.0]])
    before = x.copy()
    out = sigmoid(x)
    np.testing.assert_array_equal(x, before)
    assert out.shape == (2, 2) and out.dtype == np.float64
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-x)), rtol=1e-14)
    assert sigmoid(x.astype(np.float32)).dtype == np.float32
    assert sigmoid(np.array([0, 2])).dtype == np.float64
    assert sigmoid(0) == 0.5


def test_sigmoid_rejects_non_numbers():
    with pytest.raises(ValueError, match="real numbers"):
        sigmoid(np.array(["a"]))
