"""gradcheck's diagnosis: each catalogue pattern planted in a real gradient of the workbook is named
(with its rows, multiplicities and labels); right gradients get none; random wrong ones get none
or one that truly holds."""
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from support.gradients import random_tables, seeds, stack, window_objective

import w2v_lib
from w2v_lib import (
    NegativeSampler,
    cbow,
    gradcheck,
    naive_softmax_loss_and_gradient,
    neg_sampling_loss_and_gradient,
    negative_sampling,
    sigmoid,
    skipgram,
    softmax,
)
from w2v_lib.gradcheck import row_labels, stacked_labels
from w2v_lib.verdict.diagnosis import PATTERN_KEYS
from w2v_lib.verdict.finding import relative_errors

WORDS = ["the", "coffee", "tea", "cup", "hot", "cold", "milk", "sugar"]
NO_NEGATIVES = np.array([], dtype=np.int64)


def of_outside(loss_fn, v_c, o, *rest):
    """J as a function of outside_vectors alone: table -> (J, ∂J/∂outside_vectors)."""
    return lambda table: (lambda out: (out[0], out[2]))(loss_fn(v_c, o, table, *rest))


def outside_grad_with(v_c, o, table, negs, g_neg, add=np.add.at):
    """The negative-sampling outside gradient with the negatives' factors g_neg (K,) put in by `add`."""
    grad = neg_sampling_loss_and_gradient(v_c, o, table, NO_NEGATIVES)[2]  # u_o's row only
    add(grad, negs, np.outer(g_neg, v_c))  # (K, d)
    return grad


def overwrite(grad, idx, rows):
    grad[idx] += rows  # buffered: a repeated index adds once


def neg_case(seed=4, n_words=8, d=4):
    v_table, table = random_tables(seed, n_words, d)
    return v_table[0], 0, table, np.array([3, 7, 3, 5, 3, 6])  # word 3 drawn three times


def neg_check(mistake, **kwargs):
    v_c, o, table, negs = neg_case()
    loss = lambda t: neg_sampling_loss_and_gradient(v_c, o, t, negs)[0]  # noqa: E731
    return gradcheck(lambda t: (loss(t), mistake(v_c, o, t, negs)), table, name="dJ/d outside_vectors",
                     labels=row_labels(WORDS, "u"), **kwargs), v_c, negs


# ---- each pattern, planted in a real gradient ---------------------------------------------------

def test_sign_flipped_everywhere_naive_softmax():
    v_table, table = random_tables(1, 6, 3)
    result = gradcheck(lambda t: (naive_softmax_loss_and_gradient(v_table[0], 2, t)[0],
                                  -naive_softmax_loss_and_gradient(v_table[0], 2, t)[2]), table)
    assert result.pattern == "sign_flipped" and "−1 times" in result.diagnosis
    assert result.diagnosis in str(result) and result.verdict == str(result)


def test_sign_flipped_on_the_negatives_rows_only():
    result, _, negs = neg_check(lambda v, o, t, negs: outside_grad_with(v, o, t, negs, -sigmoid(t[negs] @ v)))
    assert result.pattern == "sign_flipped_rows"
    assert set(result.pattern_info["rows"]) == set(negs.tolist())
    assert "u_3 ('cup')" in result.diagnosis and "u_0" not in result.diagnosis


def test_the_write_ups_one_minus_sigma_is_the_complement_with_v_c_and_the_multiplicity_named():
    # One write-up: ∂J/∂u_k = [1 − σ(u_kᵀv_c)] v_c. Not a sign flip: A + N = v_c per occurrence.
    result, v_c, negs = neg_check(lambda v, o, t, negs: outside_grad_with(v, o, t, negs, 1 - sigmoid(t[negs] @ v)),
                                  inputs={"v_c": neg_case()[0]})
    assert result.pattern == "complement"
    assert result.pattern_info["equals"] == "v_c"
    assert dict(zip(result.pattern_info["rows"], result.pattern_info["multiplicity"])) == {3: 3, 5: 1, 6: 1, 7: 1}
    assert "3× on u_3 ('cup')" in result.diagnosis and "1 − σ(z)" in result.diagnosis


def test_one_minus_sigma_on_the_sigmoid_points_is_the_complement_of_1():
    xs = np.linspace(-4.0, 4.0, 9)
    result = gradcheck(lambda x: (float(-np.log(sigmoid(-x)).sum()), 1.0 - sigmoid(x)), xs, labels="x")
    assert result.pattern == "complement" and "plus the right one is 1:" in result.diagnosis
    assert result.pattern_info["rows"] == [0, 1, 2, 3, 5, 6, 7, 8]  # x = 0 is right by luck


def test_sigma_for_sigma_minus_one_is_a_constant_offset_of_1():
    xs = np.linspace(-3.0, 3.0, 7)
    result = gradcheck(lambda x: (float(-np.log(sigmoid(x)).sum()), sigmoid(x)), xs)
    assert result.pattern == "constant_offset" and "1 more than the right one" in result.diagnosis


def test_transposed_square_table():
    v_table, table = random_tables(2, 5, 5)
    f = lambda t: (naive_softmax_loss_and_gradient(v_table[0], 1, t)[0],  # noqa: E731
                   naive_softmax_loss_and_gradient(v_table[0], 1, t)[2].T)
    result = gradcheck(f, table)
    assert result.pattern == "transposed" and ".T" in result.diagnosis


@pytest.mark.parametrize("wrong, pattern, said", [
    (lambda g: g.T, "transposed_shape", "Transposed, it is right"),
    (lambda g: 2 * g.T, "transposed_shape", "Even transposed it would be wrong"),
    (lambda g: g[:, :, None], "wrong_shape", "extra or missing axis of length 1"),
    (lambda g: g.reshape(-1), "wrong_shape", "right number of entries"),
    (lambda g: g[0], "wrong_shape", "check which array"),
])
def test_a_wrong_shape_fails_with_both_shapes_never_a_broadcast_error(wrong, pattern, said):
    # g.T is one write-up's ∂J/∂U = v_c (ŷ − y)ᵀ, the handout's (d, |Vocab|) orientation.
    v_table, table = random_tables(3, 6, 3)
    result = gradcheck(lambda t: (naive_softmax_loss_and_gradient(v_table[0], 1, t)[0],
                                  wrong(naive_softmax_loss_and_gradient(v_table[0], 1, t)[2])), table, name="dJ/dU")
    assert not result and result.pattern == pattern and said in result.diagnosis
    assert str(result).startswith("FAILED: dJ/dU has shape") and "(6, 3)" in str(result)
    assert result.n_failed == table.size


def test_a_column_vector_for_v_c_and_a_none_gradient():
    v_table, table = random_tables(4, 5, 3)
    col = gradcheck(lambda v: (naive_softmax_loss_and_gradient(v, 1, table)[0],
                               naive_softmax_loss_and_gradient(v, 1, table)[1][:, None]), v_table[0])
    assert col.pattern == "wrong_shape" and "(3, 1)" in col.diagnosis and "(3,)" in col.diagnosis
    none = gradcheck(lambda v: (1.0, None), v_table[0])
    assert not none and none.pattern == "wrong_shape" and "None" in str(none)


def test_a_weight_broadcast_along_the_wrong_axis():
    rng = np.random.default_rng(11)
    X, w = rng.standard_normal((4, 4)), rng.uniform(0.5, 2.0, 4)
    loss = lambda X_: float((X_ ** 3 * w[None, :]).sum() / 3)  # noqa: E731
    result = gradcheck(lambda X_: (loss(X_), X_ ** 2 * w[:, None]), X)  # should be w[None, :]
    assert result.pattern == "wrong_axis" and "w[:, None] in place of w[None, :]" in result.diagnosis
    np.testing.assert_allclose(result.pattern_info["weights"], w / w[0], rtol=1e-6)


def test_window_average_is_a_scale_factor():
    params = stack(*random_tables(5, 6, 3))
    window = np.array([1, 4, 1, 2])
    right = window_objective(skipgram, 0, window, naive_softmax_loss_and_gradient)
    result = gradcheck(lambda p: (right(p)[0], right(p)[1] / len(window)), params)
    assert result.pattern == "scaled" and result.pattern_info["factor"] == pytest.approx(0.25)
    assert "1/4 times the right one" in result.diagnosis


def test_repeated_negative_counted_once():
    result, _, _ = neg_check(lambda v, o, t, negs: outside_grad_with(v, o, t, negs, sigmoid(t[negs] @ v), overwrite))
    assert result.pattern == "repeat_counted_once" and result.pattern_info["multiplicity"] == {3: 3}
    assert "3× yours on u_3 ('cup')" in result.diagnosis


def test_cbow_window_as_a_set_names_the_stacked_center_row_and_its_multiplicity():
    # One write-up: ∂J_CBOW/∂v_k = ∂F/∂v̂ "if k is in the window", the window taken as a set.
    def cbow_as_set(center_idx, ctx, center_vectors, outside_vectors, F):
        loss, g_v_hat, g_outside = F(center_vectors[ctx].sum(axis=0), center_idx, outside_vectors)
        grad_center = np.zeros_like(center_vectors)  # (|Vocab|, d)
        grad_center[ctx] = g_v_hat  # a repeated index written, not added
        return loss, grad_center, g_outside

    params = stack(*random_tables(6, 8, 3))
    F = negative_sampling(np.array([0, 7, 0, 4]))
    result = gradcheck(window_objective(cbow_as_set, 3, np.array([1, 5, 1, 6]), F), params,
                       labels=stacked_labels(WORDS))
    assert result.pattern == "repeat_counted_once" and result.pattern_info["multiplicity"] == {1: 2}
    assert "2× yours on v_1 ('coffee')" in result.diagnosis
    assert "v_1 ('coffee'), dim" in str(result)


def test_the_observed_words_row_never_added_is_a_missing_contribution():
    result, _, _ = neg_check(lambda v, o, t, negs: outside_grad_with(v, o, t, negs, sigmoid(t[negs] @ v))
                             - neg_sampling_loss_and_gradient(v, o, t, NO_NEGATIVES)[2])
    assert result.pattern == "missing_contribution" and result.pattern_info["rows"] == [0]
    assert "0 on u_0 ('the')" in result.diagnosis


def test_a_returned_np_zeros_is_missing_everywhere():
    v_table, table = random_tables(7, 5, 3)
    result = gradcheck(lambda t: (naive_softmax_loss_and_gradient(v_table[0], 1, t)[0], np.zeros_like(t)), table)
    assert result.pattern == "missing_contribution" and result.pattern_info["everywhere"]


def test_forgotten_minus_u_o_in_the_center_gradient_is_the_input_row_u_o():
    v_table, table = random_tables(8, 7, 4)
    o = 2

    def dropped(v):  # U ŷ: the expected half without the observed one
        return naive_softmax_loss_and_gradient(v, o, table)[0], softmax(table @ v) @ table

    result = gradcheck(dropped, v_table[0], labels="v_c", inputs={"u": (table, WORDS[:7])})
    assert result.pattern == "offset_equals_input_row"
    assert "exactly u_2 ('tea'): a term −u_2 ('tea') is missing" in result.diagnosis
    assert gradcheck(dropped, v_table[0]).pattern is None  # without u, no vector to name: no story


def test_forgotten_minus_u_o_through_skipgram_names_the_row_of_the_stacked_params():
    def no_observed(v, o, table):
        loss, g_v, g_out = naive_softmax_loss_and_gradient(v, o, table)
        return loss, g_v + table[o], g_out

    params = stack(*random_tables(9, 8, 3))
    result = gradcheck(window_objective(skipgram, 3, np.array([5]), no_observed), params,
                       labels=stacked_labels(WORDS))
    assert result.pattern == "offset_equals_input_row"
    assert "exactly u_5 ('cold') on v_3 ('cup')" in result.diagnosis


def test_a_wrong_per_word_factor_on_some_rows_is_rows_wrong_with_the_right_direction():
    result, _, negs = neg_check(lambda v, o, t, negs: outside_grad_with(v, o, t, negs, sigmoid(t[negs] @ v) ** 2))
    assert result.pattern == "rows_wrong" and result.pattern_info["parallel"]
    assert set(result.pattern_info["rows"]) == set(negs.tolist())
    assert "Only u_3 ('cup'), u_5 ('cold'), u_6 ('milk') and u_7 ('sugar') are wrong" in result.diagnosis


def test_a_sampled_loss_without_its_generator_is_nondeterministic():
    n = 6
    params = stack(*random_tables(10, n, 2))
    sampler = NegativeSampler(np.arange(1, n + 1) ** 2, rng=3)
    f = window_objective(skipgram, 2, np.array([0, 5]), negative_sampling(sampler, k=3))
    result = gradcheck(f, params)
    assert not result and result.pattern == "nondeterministic" and "rng=" in result.diagnosis
    assert gradcheck(f, params, rng=sampler).pattern is None


def test_a_stub_returning_zeros_fails_as_all_zero():
    result = gradcheck(lambda t: (0.0, np.zeros_like(t)), np.ones((4, 3)))
    assert not result and result.pattern == "all_zero" and "unfinished" in str(result)


def test_every_key_the_code_can_report_is_listed_as_stable():
    root = Path(w2v_lib.__file__).parent
    source = "".join((root / f).read_text() for f in ("gradcheck.py", "verdict/diagnosis.py", "verdict/offsets.py"))
    reported = set(re.findall(r'Finding\(\s*"(\w+)"', source))
    assert reported == set(PATTERN_KEYS)


# ---- no false diagnosis ---------------------------------------------------------------------------

@given(seeds, st.integers(2, 6), st.integers(1, 4), st.sampled_from(["skip-gram", "CBOW"]),
       st.sampled_from(["naive softmax", "negative sampling"]))
def test_right_gradients_pass_without_a_diagnosis(seed, n_words, d, model_name, loss_name):
    rng = np.random.default_rng(seed)
    model = skipgram if model_name == "skip-gram" else cbow
    F = (naive_softmax_loss_and_gradient if loss_name == "naive softmax"
         else negative_sampling(rng.integers(0, n_words, size=4)))
    f = window_objective(model, 0, rng.integers(0, n_words, size=3), F)
    result = gradcheck(f, stack(*random_tables(seed, n_words, d)), labels=stacked_labels(n_words))
    assert result and result.diagnosis is None and result.pattern is None, result


def claim_holds(result, x, tol):
    """An independent reading of each pattern's claim, checked against the numbers."""
    A, N = result.analytic, result.numeric
    A2, N2 = A.reshape(A.shape[0], -1), N.reshape(N.shape[0], -1)
    ok = lambda a, n: bool(np.all(relative_errors(a, n) <= tol))  # noqa: E731
    info, rows = result.pattern_info, result.pattern_info.get("rows", [])
    others = [r for r in range(A2.shape[0]) if r not in rows]
    rest_right = ok(A2[others], N2[others])
    return {
        "sign_flipped": lambda: ok(-A, N),
        "transposed": lambda: ok(A.T, N),
        "wrong_axis": lambda: ok(A * info["weights"][None, :] / info["weights"][:, None], N),
        "scaled": lambda: ok(A / info["factor"], N),
        "sign_flipped_rows": lambda: ok(-A2[rows], N2[rows]) and rest_right,
        "repeat_counted_once": lambda: all(ok(m * A2[r], N2[r]) for r, m in info["multiplicity"].items())
        and rest_right,
        "missing_contribution": lambda: np.all(np.abs(A[relative_errors(A, N) > tol]) <= 1e-12) and rest_right,
        "offset_equals_input_row": lambda: all(ok(a - off, n) for a, n, off in zip(
            A2[rows] if rows else [A.ravel()], N2[rows] if rows else [N.ravel()], info["offsets"]))
        and (rest_right if rows else True)
        and all(any(np.allclose(off, c * row) for c in (1, -1, 2, -2, 3, -3) for row in x.reshape(-1, off.size))
                for off in info["offsets"]),
        "complement": lambda: ok(np.outer(info["multiplicity"], info["vector"]) - A2[rows], N2[rows]) and rest_right,
        "constant_offset": lambda: ok(A2[rows] - info["offset"], N2[rows]) and rest_right,
        "rows_wrong": lambda: 0 < len(rows) < A2.shape[0] and rest_right and not ok(A2[rows], N2[rows]),
    }[result.pattern]()


@given(seeds, st.integers(2, 6), st.integers(1, 4), st.data())
def test_random_wrong_gradients_get_no_story_or_a_true_one(seed, n_words, d, data):
    v_table, table = random_tables(seed, n_words, d)
    negs = np.random.default_rng(seed).integers(0, n_words, size=4)
    right = neg_sampling_loss_and_gradient(v_table[0], 0, table, negs)[2]
    wrong = right.copy()
    picks = data.draw(st.lists(st.tuples(st.integers(0, n_words - 1), st.integers(0, d - 1),
                                         st.floats(-3, 3, allow_nan=False)), min_size=1, max_size=6))
    for r, c, value in picks:
        wrong[r, c] = value
    f = lambda t: (neg_sampling_loss_and_gradient(v_table[0], 0, t, negs)[0], wrong)  # noqa: E731
    result = gradcheck(f, table)
    if result:  # the draws happened to rewrite only right numbers
        return
    assert result.pattern is None or claim_holds(result, table, result.tolerance), result


@given(seeds, st.floats(0.5, 2.0))
def test_planted_patterns_survive_finite_difference_noise_at_larger_scales(seed, scale):
    v_table, table = random_tables(seed, 8, 3, scale=scale)
    v_c, negs = v_table[0], np.array([2, 5, 2, 7])

    def counted_once(t):
        return neg_sampling_loss_and_gradient(v_c, 0, t, negs)[0], outside_grad_with(
            v_c, 0, t, negs, sigmoid(t[negs] @ v_c), overwrite)

    result = gradcheck(counted_once, table)
    assume(not result)  # σ(u_2ᵀv_c) can be too small for the doubled row to show
    assert result.pattern == "repeat_counted_once" and result.pattern_info["multiplicity"] == {2: 2}, result


ROW_MISTAKES = {  # one row's corruption: (right row, that row of x, another row of x, a number) -> row
    "flip": lambda g, xr, other, s: -g,
    "scale": lambda g, xr, other, s: s * g,
    "twice": lambda g, xr, other, s: 2 * g,
    "half": lambda g, xr, other, s: g / 2,
    "zero": lambda g, xr, other, s: 0 * g,
    "plus row": lambda g, xr, other, s: g + other,
    "plus constant": lambda g, xr, other, s: g + s,
    "complement": lambda g, xr, other, s: other - g,
}


@given(seeds, st.integers(3, 7), st.integers(1, 4), st.data())
def test_mixed_row_mistakes_get_no_story_or_a_true_one(seed, n_words, d, data):
    v_table, table = random_tables(seed, n_words, d)
    v_c = v_table[0]
    right = naive_softmax_loss_and_gradient(v_c, 1, table)[2]
    wrong = right.copy()
    rows = data.draw(st.lists(st.integers(0, n_words - 1), min_size=1, max_size=3, unique=True))
    for r in rows:
        kind = data.draw(st.sampled_from(sorted(ROW_MISTAKES)))
        other = table[data.draw(st.integers(0, n_words - 1))]
        wrong[r] = ROW_MISTAKES[kind](right[r], table[r], other, data.draw(st.floats(-2, 2)))
    f = lambda t: (naive_softmax_loss_and_gradient(v_c, 1, t)[0], wrong)  # noqa: E731
    result = gradcheck(f, table, inputs={"v_c": v_c})
    assume(not result)
    assert result.pattern is None or claim_holds(result, table, result.tolerance), result
