"""gradcheck: passes right gradients, fails wrong ones and points at exactly the wrong coordinates."""
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from support.gradients import random_tables, stack, window_objective
from support.messages import says

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
from w2v_lib.gradcheck import row_labels, stacked_labels


def quadratic(x):
    a = np.arange(1.0, x.size + 1).reshape(x.shape)
    return float((a * x**2).sum()), 2 * a * x


def of_outside(loss_fn, v_c, *args):
    """The loss as a function of Uᵀ alone: W -> (J, ∂J/∂Uᵀ)."""
    def f(outside):
        loss, _, grad_U = loss_fn(v_c, args[0], outside, *args[1:])
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


def naive_softmax_transposed_outside_grad(v_c, o, outside_vectors):
    """A student's bug: ∂J/∂Uᵀ built as v_c (ŷ − y)ᵀ, the handout's orientation, not its transpose."""
    loss, grad_v, _ = naive_softmax_loss_and_gradient(v_c, o, outside_vectors)
    delta = softmax(outside_vectors @ v_c)
    delta[o] -= 1.0
    return loss, grad_v, np.outer(v_c, delta)  # (d, |Vocab|): same shape only because |Vocab| = d here


def test_transposed_outside_gradient_fails_at_the_off_diagonal_coordinates():
    v_table, outside_vectors = random_tables(11, 4, 4)  # square, so the wrong layout slips past any shape check
    v_c, o = v_table[0], 2
    result = gradcheck(of_outside(naive_softmax_transposed_outside_grad, v_c, o), outside_vectors)
    assert not result and result.max_rel_error > 1e-3
    right = naive_softmax_loss_and_gradient(v_c, o, outside_vectors)[2]
    wrong = right.T
    differs = np.abs(wrong - right) / np.maximum(1, np.maximum(np.abs(wrong), np.abs(right))) > result.tolerance
    assert set(result.failed_indices) == {tuple(int(i) for i in idx) for idx in np.argwhere(differs)}
    assert all(i != j for i, j in result.failed_indices)  # the diagonal of a transpose is right
    assert len(result.failed_indices) == 12


def test_u_for_u_transpose_in_the_center_gradient_fails_at_v_c():
    v_table, outside_vectors = random_tables(12, 3, 3)
    v_c, o = v_table[0], 1

    def mixed_up(v):
        loss, _, _ = naive_softmax_loss_and_gradient(v, o, outside_vectors)
        delta = softmax(outside_vectors @ v)
        delta[o] -= 1.0
        return loss, outside_vectors @ delta  # should be δ @ U, i.e. U(ŷ − y) with words as columns

    result = gradcheck(mixed_up, v_c)
    assert not result and result.n_failed >= 1
    assert "FAILED" in str(result) and str(result.worst[0][0]) in str(result)


def test_handout_orientation_for_a_non_square_table_fails_with_both_shapes_named():
    v_table, outside_vectors = random_tables(13, 5, 3)

    def handout_layout(outside):
        loss, _, grad_U = naive_softmax_loss_and_gradient(v_table[0], 0, outside)
        return loss, grad_U.T  # (d, |Vocab|): the handout's ∂J/∂U

    result = gradcheck(handout_layout, outside_vectors, name="dJ/dU")
    assert not result and result.pattern == "transposed_shape"
    assert str(result).startswith("FAILED: dJ/dU has shape (3, 5), but x has shape (5, 3)")
    assert "Transposed, it is right" in result.diagnosis
    assert result.n_failed == outside_vectors.size and result.worst == []


def neg_sampling_overwriting_repeats(v_c, o, outside_vectors, negs):
    """A student's bug: `grad[negs] += ...` keeps only one occurrence of a repeated negative."""
    loss, grad_v, _ = neg_sampling_loss_and_gradient(v_c, o, outside_vectors, negs)
    grad_U = np.zeros_like(outside_vectors)
    grad_U[o] += (sigmoid(outside_vectors[o] @ v_c) - 1.0) * v_c
    grad_U[negs] += np.outer(sigmoid(outside_vectors[negs] @ v_c), v_c)  # buffered: a repeat overwrites
    return loss, grad_v, grad_U


def neg_sampling_sign_error(v_c, o, outside_vectors, negs):
    """A student's bug: ∂J/∂u_k written as [1 − σ(u_kᵀv_c)] v_c instead of σ(u_kᵀv_c) v_c."""
    loss, grad_v, grad_U = neg_sampling_loss_and_gradient(v_c, o, outside_vectors, negs)
    grad_U = np.zeros_like(outside_vectors)
    grad_U[o] += (sigmoid(outside_vectors[o] @ v_c) - 1.0) * v_c
    np.add.at(grad_U, negs, np.outer(1.0 - sigmoid(outside_vectors[negs] @ v_c), v_c))
    return loss, grad_v, grad_U


def test_overwritten_repeats_fail_exactly_at_the_repeated_negatives_row():
    v_table, outside_vectors = random_tables(14, 8, 3)
    v_c, o, negs = v_table[0], 0, np.array([2, 5, 2, 7])
    assert gradcheck(of_outside(neg_sampling_loss_and_gradient, v_c, o, negs), outside_vectors)  # the right one passes
    result = gradcheck(of_outside(neg_sampling_overwriting_repeats, v_c, o, negs), outside_vectors, name="dJ/dU")
    assert not result
    assert set(result.failed_indices) == {(2, j) for j in range(3)}  # all of row 2, nothing else
    assert all(idx[0] == 2 for idx, *_ in result.worst[:3])
    # the analytic row holds one occurrence where the numbers say two
    np.testing.assert_allclose(result.numeric[2], 2 * result.analytic[2], rtol=1e-6)


def test_sign_error_fails_exactly_at_the_negatives_rows():
    v_table, outside_vectors = random_tables(15, 8, 3)
    v_c, o, negs = v_table[0], 1, np.array([3, 4, 6])
    result = gradcheck(of_outside(neg_sampling_sign_error, v_c, o, negs), outside_vectors)
    assert not result
    assert failed_rows(result) == {3, 4, 6}  # u_o's row and the untouched words are right
    assert result.n_failed == len(result.failed_indices) == 9


def test_overwritten_repeats_through_skipgram_point_at_the_outside_rows_of_the_stacked_params():
    n = 6
    params = stack(*random_tables(16, n, 2))
    f = window_objective(skipgram, 0, np.array([1]), lambda v, o, outside: neg_sampling_overwriting_repeats(
        v, o, outside, np.array([4, 4, 3])))
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
    v_table, outside_vectors = random_tables(15, 8, 3)
    result = gradcheck(of_outside(neg_sampling_sign_error, v_table[0], 1, np.array([3, 4, 6])), outside_vectors)
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


def test_the_verdict_lists_only_wrong_coordinates_in_aligned_columns_with_labels():
    v_table, outside_vectors = random_tables(15, 8, 3)
    words = ["the", "coffee", "tea", "cup", "hot", "cold", "milk", "sugar"]
    result = gradcheck(of_outside(neg_sampling_sign_error, v_table[0], 1, np.array([3, 4, 6])), outside_vectors,
                       name="dJ/dU", labels=row_labels(words, "u"), n_worst=4)
    lines = str(result).splitlines()
    assert lines[0].startswith("FAILED: dJ/dU is wrong at 9 of 24 coordinates")
    assert lines[1].startswith("Diagnosis: ")
    header, table, more = lines[2], lines[3:7], lines[7]
    assert header.split() == ["coordinate", "analytic", "numeric", "rel.", "error"]
    assert len({len(line) for line in [header] + table}) == 1  # right-aligned columns end together
    for line in table:
        assert line.lstrip().split(",")[0] in {"u_3 ('cup')", "u_4 ('hot')", "u_6 ('milk')"}
        assert re.fullmatch(r"\d\.\de[+-]\d\d", line.split()[-1])  # rel. error as {:.1e}
    assert more == "  ... and 5 more wrong coordinates"
    assert "u_1" not in "\n".join(table)  # the right rows are not listed


def test_labels_read_as_words_stacked_rows_and_vector_dims():
    v = np.array([0.5, -1.0, 2.0])
    bad = gradcheck(lambda p: (float(p @ p), p), v, labels="v_c")
    assert bad.coordinate_name((1,)) == "v_c, dim 1" and "v_c, dim 2" in str(bad)
    params = np.ones((4, 2))
    stacked = gradcheck(lambda p: (float((p ** 2).sum()), p), params, labels=stacked_labels(["tea", "cup"]))
    assert stacked.coordinate_name((1, 0)) == "v_1 ('cup'), dim 0"
    assert stacked.coordinate_name((2, 1)) == "u_0 ('tea'), dim 1"
    table = gradcheck(lambda p: (float((p ** 2).sum()), p), np.ones((2, 2)), labels=["tea", "cup"])
    assert table.coordinate_name((1, 1)) == "row 1 ('cup'), dim 1"
    assert gradcheck(lambda p: (float((p ** 2).sum()), p), np.ones((2, 2))).coordinate_name((1, 1)) == "(1, 1)"
    assert "u_1, dim 0" in str(gradcheck(lambda p: (float((p ** 2).sum()), p), np.ones((2, 2)), labels="u"))


@pytest.mark.parametrize("labels, match", [
    (["a", "b", "c"], "3 words, but the checked array has 2 rows"),
    (stacked_labels(["a", "b"]), r"\(4, d\).*shape \(2, 2\)"),
    (3.5, "labels must be"),
])
def test_labels_that_do_not_fit_are_named(labels, match):
    with pytest.raises(ValueError, match=match):
        gradcheck(quadratic, np.ones((2, 2)), labels=labels)


def test_a_vector_is_plotted_as_analytic_and_numeric_bars():
    xs = np.linspace(-2.0, 2.0, 5)
    result = gradcheck(lambda x: (float(-np.log(sigmoid(-x)).sum()), 1.0 - sigmoid(x)), xs, labels="x")
    ax = result.plot()
    assert not ax.get_images() and len(ax.patches) == 2 * xs.size
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights[:5], result.analytic)
    np.testing.assert_allclose(heights[5:], result.numeric)
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"x, dim {j}" for j in range(5)]
    assert len(ax.collections[0].get_offsets()) == 4  # the wrong ones are marked
    plt.close(ax.figure)


def test_a_wrong_shape_still_plots_a_message():
    result = gradcheck(lambda outside: (float((outside ** 2).sum()), 2 * outside.T), np.ones((3, 2)))
    ax = result.plot()
    assert "shape (2, 3)" in ax.texts[0].get_text()
    plt.close(ax.figure)


def test_one_buffer_reused_for_every_gradient_is_not_taken_for_nondeterminism():
    buffer = np.zeros(3)

    def f(x):
        buffer[:] = 2 * x  # the same array object every call
        return float((x ** 2).sum()), buffer

    result = gradcheck(f, np.array([1.0, -2.0, 0.5]))
    assert result and result.pattern is None


def test_a_gradient_that_changes_between_calls_is_nondeterministic():
    calls = []

    def f(x):
        calls.append(1)
        return float((x ** 2).sum()), 2 * x + (len(calls) == 2)  # the second call's gradient is off by 1

    result = gradcheck(f, np.ones(2))
    assert not result and result.pattern == "nondeterministic" and "different gradients" in result.diagnosis


def test_inputs_must_be_vectors_or_tables():
    with pytest.raises(ValueError, match=says("inputs['u']", '(2, 2, 2)')):
        gradcheck(quadratic, np.ones(2), inputs={"u": np.ones((2, 2, 2))})


def test_a_zero_loss_with_zero_gradients_never_passes():
    result = gradcheck(quadratic, np.zeros(3))  # right, but indistinguishable from a stub
    assert not result and result.pattern == "all_zero"
    assert str(result).startswith("FAILED: gradient and the loss are exactly 0 everywhere")
