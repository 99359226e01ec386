"""vectors.keyed's one nearest-neighbour routine as a function of arrays (nearest_rows), its
float64 option, and the one neighbour-overlap measure (neighbour_agreement)."""
import numpy as np
import pytest
from support.messages import says

from w2v_lib.vectors.keyed import WordVectors, nearest_rows, neighbour_agreement


def test_word_vectors_nearest_is_nearest_rows():
    rng = np.random.default_rng(4)
    kv = WordVectors([f"w{i}" for i in range(300)], rng.standard_normal((300, 8)), centred=False)
    queries = rng.standard_normal((40, 8)).astype(np.float32)
    for metric in ("cosine", "euclidean"):
        got = kv.nearest(queries, 7, metric)
        expected = nearest_rows(kv.vectors, queries, 7, metric)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])
    brute = np.argsort(-(queries / np.linalg.norm(queries, axis=1, keepdims=True)) @ kv.unit_vectors.T, axis=1)
    np.testing.assert_array_equal(nearest_rows(kv.vectors, queries, 5)[0], brute[:, :5])


def test_float64_separates_what_float32_cannot():
    """Two candidates a float32 cosine cannot tell apart; in float64 the nearer one wins, whatever
    the row order (in float32 the tie goes to the lower row)."""
    query = np.array([[1.0, 0.0]])
    near, far = [1.0, 1e-5], [1.0, 2e-5]  # cosines 1 − 5e−11 and 1 − 2e−10: equal in float32
    for table in (np.array([near, far]), np.array([far, near])):
        best64 = int(nearest_rows(table, query, 1, dtype=np.float64)[0][0, 0])
        assert table[best64].tolist() == near
    assert nearest_rows(np.array([far, near]), query, 1)[0][0, 0] == 0  # float32: a tie, the lower row
    scores, dtype = nearest_rows(np.array([near, far]), query, 2, dtype=np.float64)[1], np.float64
    assert scores.dtype == dtype and scores[0, 0] > scores[0, 1]


def test_exclude_and_too_few_rows():
    table = np.eye(3)
    rows, scores = nearest_rows(table, table, 3, exclude=np.arange(3)[:, None], dtype=np.float64)
    assert (rows[:, :2] != np.arange(3)[:, None]).all() and (rows[:, 2] == -1).all()
    assert np.isneginf(scores[:, 2]).all()
    with pytest.raises(ValueError, match=says('queries', '(Q, 3)', '(2, 4)')):
        nearest_rows(table, np.ones((2, 4)), 1)


def test_neighbour_agreement_counts_shared_neighbours():
    a = np.array([[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(neighbour_agreement(a, np.array([[3, 2, 9], [7, 8, 9]])), [2 / 3, 0.0])
    with pytest.raises(ValueError, match="one shape"):
        neighbour_agreement(a, a.T)
