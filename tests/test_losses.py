"""The two per-pair losses: values and gradients against a pure-Python reference, and gradchecks."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.gradients import dims, random_tables, seeds, strict, vocab_sizes

from w2v_lib import gradcheck, naive_softmax_loss_and_gradient, neg_sampling_loss_and_gradient


def _dot(a, b):
    return math.fsum(x * y for x, y in zip(a, b))


def _sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def reference_naive_softmax(v_c, o, outside_vectors):
    """J = log Σ_w exp(u_wᵀv_c) − u_oᵀv_c and its gradients, written out with loops."""
    scores = [_dot(u, v_c) for u in outside_vectors]
    total = math.fsum(math.exp(s) for s in scores)
    probs = [math.exp(s) / total for s in scores]
    loss = math.log(total) - scores[o]
    err = [p - (w == o) for w, p in enumerate(probs)]  # ŷ − y
    grad_v = [math.fsum(err[w] * outside_vectors[w][j] for w in range(len(outside_vectors))) for j in range(len(v_c))]
    grad_U = [[err[w] * v_c[j] for j in range(len(v_c))] for w in range(len(outside_vectors))]
    return loss, grad_v, grad_U


def reference_neg_sampling(v_c, o, outside_vectors, negs):
    """J = −log σ(u_oᵀv_c) − Σ_k log σ(−u_kᵀv_c), every occurrence of a negative its own term."""
    z_o = _dot(outside_vectors[o], v_c)
    loss = -math.log(_sig(z_o)) - math.fsum(math.log(_sig(-_dot(outside_vectors[k], v_c))) for k in negs)
    grad_v = [(_sig(z_o) - 1.0) * outside_vectors[o][j] for j in range(len(v_c))]
    grad_U = [[0.0] * len(v_c) for _ in outside_vectors]
    for j in range(len(v_c)):
        grad_U[o][j] += (_sig(z_o) - 1.0) * v_c[j]
    for k in negs:
        s = _sig(_dot(outside_vectors[k], v_c))
        for j in range(len(v_c)):
            grad_v[j] += s * outside_vectors[k][j]
            grad_U[k][j] += s * v_c[j]
    return loss, grad_v, grad_U


@st.composite
def pairs(draw):
    """(v_c (d,), o, Uᵀ (|Vocab|, d)) at a random size and seed."""
    n, d = draw(vocab_sizes), draw(dims)
    v_table, outside_vectors = random_tables(draw(seeds), n, d)
    return v_table[0], draw(st.integers(0, n - 1)), outside_vectors


@st.composite
def negatives(draw, n_words, outside_idx):
    """K negatives with a repeat, and often the outside word itself among them."""
    negs = draw(st.lists(st.integers(0, n_words - 1), min_size=1, max_size=6))
    negs.append(negs[0])  # a repeated negative
    if draw(st.booleans()):
        negs.insert(draw(st.integers(0, len(negs))), outside_idx)
    return np.array(negs, dtype=np.int64)


def assert_matches_reference(ours, ref):
    loss, grad_v, grad_U = ours
    assert isinstance(loss, float)
    assert loss == pytest.approx(ref[0], rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grad_v, ref[1], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grad_U, ref[2], rtol=1e-10, atol=1e-13)


def check_both_gradients(loss_fn, v_c, outside_vectors, name):
    """Gradcheck ∂J/∂v_c with Uᵀ fixed, then ∂J/∂Uᵀ with v_c fixed."""
    def of_center(v):
        loss, grad_v, _ = loss_fn(v, outside_vectors)
        return loss, grad_v

    def of_outside(outside):
        loss, _, grad_U = loss_fn(v_c, outside)
        return loss, grad_U

    on_center = gradcheck(of_center, v_c, name=f"{name} dJ/dv_c")
    on_outside = gradcheck(of_outside, outside_vectors, name=f"{name} dJ/dU")
    assert on_center.max_rel_error < 1e-7, on_center
    assert on_outside.max_rel_error < 1e-7, on_outside


@given(pairs())
def test_naive_softmax_matches_reference(pair):
    v_c, o, outside_vectors = pair
    ours = naive_softmax_loss_and_gradient(v_c, o, outside_vectors)
    assert ours[1].shape == v_c.shape and ours[2].shape == outside_vectors.shape
    assert_matches_reference(ours, reference_naive_softmax(v_c.tolist(), o, outside_vectors.tolist()))


@given(pairs())
def test_naive_softmax_gradcheck(pair):
    v_c, o, outside_vectors = pair
    check_both_gradients(lambda v, outside: naive_softmax_loss_and_gradient(v, o, outside), v_c, outside_vectors,
                         "naive softmax")


@given(st.data())
def test_neg_sampling_matches_reference(data):
    v_c, o, outside_vectors = data.draw(pairs())
    negs = data.draw(negatives(outside_vectors.shape[0], o))
    ours = neg_sampling_loss_and_gradient(v_c, o, outside_vectors, negs)
    assert_matches_reference(ours, reference_neg_sampling(v_c.tolist(), o, outside_vectors.tolist(), negs.tolist()))


@given(st.data())
def test_neg_sampling_gradcheck_with_repeats_and_the_outside_word(data):
    v_c, o, outside_vectors = data.draw(pairs())
    negs = data.draw(negatives(outside_vectors.shape[0], o))
    check_both_gradients(lambda v, outside: neg_sampling_loss_and_gradient(v, o, outside, negs), v_c, outside_vectors,
                         "neg sampling")


def test_neg_sampling_counts_every_occurrence():
    v_table, outside_vectors = random_tables(3, 5, 4)
    v_c = v_table[0]
    once = neg_sampling_loss_and_gradient(v_c, 0, outside_vectors, [2])
    thrice = neg_sampling_loss_and_gradient(v_c, 0, outside_vectors, [2, 2, 2])
    target = neg_sampling_loss_and_gradient(v_c, 0, outside_vectors, [])
    # each extra occurrence adds the same term again: to the loss, to v_c's gradient and to row 2
    assert thrice[0] - target[0] == pytest.approx(3 * (once[0] - target[0]))
    np.testing.assert_allclose(thrice[1] - target[1], 3 * (once[1] - target[1]))
    np.testing.assert_allclose(thrice[2][2], 3 * once[2][2])
    untouched = [w for w in range(5) if w not in (0, 2)]
    assert not thrice[2][untouched].any()  # words that are neither o nor a negative get nothing


def test_losses_are_finite_and_silent_for_huge_scores():
    outside_vectors = np.array([[30.0, 0.0], [-30.0, 5.0], [0.0, -40.0]])
    v_c = np.array([40.0, 25.0])  # scores 1200, -1075, -1000
    with strict():
        naive = naive_softmax_loss_and_gradient(v_c, 1, outside_vectors)
        neg = neg_sampling_loss_and_gradient(v_c, 1, outside_vectors, np.array([0, 2]))
    scores = outside_vectors @ v_c
    assert naive[0] == pytest.approx(np.logaddexp.reduce(scores) - scores[1], rel=1e-12)  # ≈ 2275
    # −log σ(−1075) ≈ 1075, −log σ(−1200) ≈ 1200, −log σ(1000) ≈ 0
    assert neg[0] == pytest.approx(1075 + 1200, rel=1e-12)
    for out in (naive, neg):
        assert all(np.isfinite(part).all() for part in out)


def test_float32_tables_are_accepted():
    v_table, outside_vectors = random_tables(4, 6, 3)
    loss32, gv32, gU32 = naive_softmax_loss_and_gradient(v_table[0].astype(np.float32), 2,
                                                         outside_vectors.astype(np.float32))
    loss64, gv64, gU64 = naive_softmax_loss_and_gradient(v_table[0], 2, outside_vectors)
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    np.testing.assert_allclose(gU32, gU64, rtol=1e-4, atol=1e-6)
