"""gradcheck: passes right gradients, fails wrong ones and points at exactly the wrong coordinates."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from conftest import random_tables, stack, window_objective
from w2v_lib import (
    GradcheckResult,
    NegativeSampler,
    gradcheck,
    naive_softmax_loss_and_gradient,
    neg_sampling_loss_and_gradient,
    negative_sampling,
    sigmoid,
    skipgram,
    softmax,
)


def quadratic(x):
    a = np.arange(1.0, x.size + 1).reshape(x.shape)
    return float((a * x**2).sum()), 2 * a * x


def of_outside(loss_fn, v_c, *args):
    """The loss as a function of Uᵀ alone: W -> (J, ∂J/∂Uᵀ)."""
    def f(W):
        loss, _, grad_U = loss_fn(v_c, args[0], W, *args[1:])
        return loss, grad_U
    return f


def failed_rows(result):
    return {idx[0] for idx in result.failed_indices}


def test_a_right_gradient_passes_and_says_so():
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    before = x.copy()
    result = gradcheck(quadratic, x, name="quadratic")
    np.testing.assert_array_equal(x, before)  # the caller's x is never perturbed
    assert isinstance(result, GradcheckResult)
    assert result and result.passed is True
    assert result.max_rel_error < 1e-9
    assert result.rel_errors.shape == x.shape and result.n_failed == 0 and result.failed_indices == []
    np.testing.assert_allclose(result.numeric, quadratic(x)[1], rtol=1e-9)
    assert str(result).startswith("PASSED: quadratic") and "4 coordinates" in str(result)


def test_f_that_also_reads_the_callers_array_sees_it_unperturbed():
    x = np.array([1.0, 2.0])
    result = gradcheck(lambda p: (float(p @ x), x.copy()), x)  # linear in p when x stays put
    assert result, result


def test_int_points_are_checked_in_float64():
    result = gradcheck(quadratic, np.array([1, -2, 3]))
    assert result and result.analytic.dtype == np.float64


def naive_softmax_transposed_outside_grad(v_c, o, U):
    """A student's bug: ∂J/∂Uᵀ built as v_c (ŷ − y)ᵀ, the handout's orientation, not its transpose."""
    loss, grad_v, _ = naive_softmax_loss_and_gradient(v_c, o, U)
    delta = softmax(U @ v_c)
    delta[o] -= 1.0
    return loss, grad_v, np.outer(v_c, delta)  # (d, |V|): same shape only because |V| = d here


def test_transposed_outside_gradient_fails_at_the_off_diagonal_coordinates():
    v_table, U = random_tables(11, 4, 4)  # square, so the wrong layout slips past any shape check
    v_c, o = v_table[0], 2
    result = gradcheck(of_outside(naive_softmax_transposed_outside_grad, v_c, o), U)
    assert not result and result.max_rel_error > 1e-3
    right = naive_softmax_loss_and_gradient(v_c, o, U)[2]
    wrong = right.T
    differs = np.abs(wrong - right) / np.maximum(1, np.maximum(np.abs(wrong), np.abs(right))) > result.tolerance
    assert set(result.failed_indices) == {tuple(int(i) for i in idx) for idx in np.argwhere(differs)}
    assert all(i != j for i, j in result.failed_indices)  # the diagonal of a transpose is right
    assert len(result.failed_indices) == 12


def test_u_for_u_transpose_in_the_center_gradient_fails_at_v_c():
    v_table, U = random_tables(12, 3, 3)
    v_c, o = v_table[0], 1

    def mixed_up(v):
        loss, _, _ = naive_softmax_loss_and_gradient(v, o, U)
        delta = softmax(U @ v)
        delta[o] -= 1.0
        return loss, U @ delta  # should be δ @ U, i.e. U(ŷ − y) with words as columns

    result = gradcheck(mixed_up, v_c)
    assert not result and result.n_failed >= 1
    assert "FAILED" in str(result) and str(result.worst[0][0]) in str(result)


def test_handout_orientation_for_a_non_square_table_is_refused_with_a_clear_error():
    v_table, U = random_tables(13, 5, 3)

    def handout_layout(W):
        loss, _, grad_U = naive_softmax_loss_and_gradient(v_table[0], 0, W)
        return loss, grad_U.T  # (d, |V|): the handout's ∂J/∂U

    with pytest.raises(ValueError, match=r"gradient of shape \(3, 5\).*\(5, 3\)"):
        gradcheck(handout_layout, U)


def neg_sampling_overwriting_repeats(v_c, o, U, negs):
    """A student's bug: `grad[negs] += ...` keeps only one occurrence of a repeated negative."""
    loss, grad_v, _ = neg_sampling_loss_and_gradient(v_c, o, U, negs)
    grad_U = np.zeros_like(U)
    grad_U[o] += (sigmoid(U[o] @ v_c) - 1.0) * v_c
    grad_U[negs] += np.outer(sigmoid(U[negs] @ v_c), v_c)  # buffered: a repeat overwrites
    return loss, grad_v, grad_U


def neg_sampling_sign_error(v_c, o, U, negs):
    """A student's bug: ∂J/∂u_k written as [1 − σ(u_kᵀv_c)] v_c instead of σ(u_kᵀv_c) v_c."""
    loss, grad_v, grad_U = neg_sampling_loss_and_gradient(v_c, o, U, negs)
    grad_U = np.zeros_like(U)
    grad_U[o] += (sigmoid(U[o] @ v_c) - 1.0) * v_c
    np.add.at(grad_U, negs, np.outer(1.0 - sigmoid(U[negs] @ v_c), v_c))
    return loss, grad_v, grad_U


def test_overwritten_repeats_fail_exactly_at_the_repeated_negatives_row():
    v_table, U = random_tables(14, 8, 3)
    v_c, o, negs = v_table[0], 0, np.array([2, 5, 2, 7])
    assert gradcheck(of_outside(neg_sampling_loss_and_gradient, v_c, o, negs), U)  # the right one passes
    result = gradcheck(of_outside(neg_sampling_overwriting_repeats, v_c, o, negs), U, name="dJ/dU")
    assert not result
    assert set(result.failed_indices) == {(2, j) for j in range(3)}  # all of row 2, nothing else
    assert all(idx[0] == 2 for idx, *_ in result.worst[:3])
    # the analytic row holds one occurrence where the numbers say two
    np.testing.assert_allclose(result.numeric[2], 2 * result.analytic[2], rtol=1e-6)


def test_sign_error_fails_exactly_at_the_negatives_rows():
    v_table, U = random_tables(15, 8, 3)
    v_c, o, negs = v_table[0], 1, np.array([3, 4, 6])
    result = gradcheck(of_outside(neg_sampling_sign_error, v_c, o, negs), U)
    assert not result
    assert failed_rows(result) == {3, 4, 6}  # u_o's row and the untouched words are right
    assert result.n_failed == len(result.failed_indices) == 9


def test_overwritten_repeats_through_skipgram_point_at_the_outside_rows_of_the_stacked_params():
    n = 6
    params = stack(*random_tables(16, n, 2))
    f = window_objective(skipgram, 0, np.array([1]), lambda v, o, W: neg_sampling_overwriting_repeats(
        v, o, W, np.array([4, 4, 3])))
    result = gradcheck(f, params)
    assert not result
    assert failed_rows(result) == {n + 4}  # the outside half of the stack, row of word 4


def sampled_skipgram(seed=3, n=7, d=3):
    params = stack(*random_tables(seed, n, d))
    sampler = NegativeSampler(np.arange(1, n + 1) ** 2, rng=seed)
    f = window_objective(skipgram, 2, np.array([0, 5, 5]), negative_sampling(sampler, k=4))
    return f, params, sampler


def test_a_sampled_loss_passes_only_when_gradcheck_restores_the_generator():
    f, params, sampler = sampled_skipgram()
    start = sampler.rng.bit_generator.state
    restored = gradcheck(f, params, rng=sampler)
    assert restored.max_rel_error < 1e-7, restored
    after_check = sampler.rng.bit_generator.state
    # the generator is left where one call of f would leave it
    sampler.rng.bit_generator.state = start
    f(params)
    assert sampler.rng.bit_generator.state == after_check
    unrestored = gradcheck(f, params)  # fresh negatives at x+h and x−h: the differences are noise
    assert not unrestored and unrestored.max_rel_error > 1e-3


def test_rng_may_be_a_generator_or_a_list_of_them():
    g1, g2 = np.random.default_rng(1), np.random.default_rng(2)

    def noisy(x):  # a different function on every call unless both generators are rewound
        a, b = g1.normal(size=x.shape), g2.normal(size=x.shape)
        return float((a * x + b * x**2).sum()), a + 2 * b * x

    x = np.array([0.5, -0.25])
    assert gradcheck(noisy, x, rng=[g1, g2])
    assert not gradcheck(noisy, x, rng=g1)


def test_plot_draws_the_error_map_and_marks_the_failures():
    v_table, U = random_tables(15, 8, 3)
    result = gradcheck(of_outside(neg_sampling_sign_error, v_table[0], 1, np.array([3, 4, 6])), U)
    ax = result.plot()
    assert ax.get_images()[0].get_array().shape == (8, 3)
    marked = {(int(r), int(c)) for c, r in ax.collections[0].get_offsets()}
    assert marked == set(result.failed_indices)
    plt.close(ax.figure)
    _, ax1 = plt.subplots()
    assert gradcheck(quadratic, np.ones(4)).plot(ax=ax1) is ax1
    plt.close(ax1.figure)


@pytest.mark.parametrize("kwargs, match", [
    ({"h": 0.0}, "h must"), ({"h": -1e-4}, "h must"), ({"tolerance": 0}, "tolerance"),
    ({"rng": 42}, "rng must"), ({"rng": "seed"}, "rng must"),
])
def test_bad_options_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gradcheck(quadratic, np.ones(2), **kwargs)


def test_f_must_return_a_scalar_loss():
    with pytest.raises(ValueError, match="scalar loss"):
        gradcheck(lambda x: (x * 2, 2 * np.ones_like(x)), np.ones(3))


def test_a_nan_gradient_fails_and_is_located():
    x = np.array([1.0, -1.0, 2.0])
    result = gradcheck(lambda v: (float((v ** 2).sum()), np.where(v > 0, np.nan, 2 * v)), x)
    assert not result
    assert result.failed_indices == [(0,), (2,)]
    assert "wrong at 2 of 3 coordinates" in str(result)
