"""The yardstick of learning_dynamics on constructed cases whose answer is known, and the two
initialisations checked against the trainers themselves."""
import json

import numpy as np
import pytest
import scipy.sparse as sp
from support.messages import says

from w2v_lib import train_sst, train_word2vec
from w2v_lib.lessons import learning_dynamics as ld


def moved_along_one_direction(seed=0, n=200, d=6):
    """(trained, initial, direction, shift): every vector moved by shift_w along one direction only."""
    rng = np.random.default_rng(seed)
    initial = (rng.random((n, d)) - 0.5) / d  # (n, d)
    direction = rng.standard_normal(d)
    direction /= np.linalg.norm(direction)
    shift = 1.0 + rng.random(n)  # (n,) all forwards
    return initial + np.outer(shift, direction), initial, direction, shift


def test_shared_direction_and_split_recover_a_pure_shift():
    trained, initial, direction, shift = moved_along_one_direction()
    found = ld.shared_direction(trained, initial)
    np.testing.assert_allclose(found, direction, atol=1e-12)  # sign too: words moved forwards
    along, across = ld.split_movement(trained, initial, found)
    np.testing.assert_allclose(along, shift, atol=1e-12)
    assert np.abs(across).max() < 1e-7
    np.testing.assert_allclose(ld.across_cosine(trained, initial, found), 1.0, atol=1e-12)
    s = ld.movement_spectrum(trained, initial)
    assert s[1] < 1e-6 * s[0]  # the Gram matrix squares the spread: round-off shows at 1e-8 of s1


def test_split_movement_measures_sideways_motion():
    trained, initial, direction, _ = moved_along_one_direction(seed=1)
    side = np.linalg.svd(direction[None, :])[2][1]  # (d,) a unit vector orthogonal to direction
    trained = trained + 0.25 * side
    along, across = ld.split_movement(trained, initial, direction)
    np.testing.assert_allclose(across, 0.25, atol=1e-12)
    assert (ld.across_cosine(trained, initial, direction) < 0.99).mean() > 0.5  # the start is no longer kept
    s = ld.movement_spectrum(trained, initial)
    assert s[1] > 0.01 * s[0] and s[2] < 1e-6 * s[0]  # two directions, up to round-off


def test_frequency_link_is_a_rank_correlation():
    counts = np.array([1, 5, 20, 300, 4000])
    assert ld.frequency_link(np.log(counts) ** 3, counts) == pytest.approx(1.0)
    assert ld.frequency_link(-counts.astype(float), counts) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match=says('values', 'counts', '(2,)', '(5,)')):
        ld.frequency_link([1.0, 2.0], counts)


def test_surrogate_is_exact_when_the_rest_is_a_scaled_start():
    trained, initial, direction, _ = moved_along_one_direction(seed=2)
    e = direction
    across_start = initial - np.outer(initial @ e, e)
    trained = trained + 0.5 * across_start  # each word's part across e now 1.5 times its start
    np.testing.assert_allclose(ld.frequency_surrogate(trained, initial, e), trained, atol=1e-12)


def test_surrogate_misses_learned_structure():
    rng = np.random.default_rng(3)
    initial = (rng.random((300, 5)) - 0.5) / 5
    trained = initial + rng.standard_normal((300, 5))  # moved far, in every direction
    e = ld.shared_direction(trained, initial)
    gap = np.linalg.norm(ld.frequency_surrogate(trained, initial, e) - trained, axis=1)
    assert np.median(gap / np.linalg.norm(trained, axis=1)) > 0.3


def test_measure_tells_a_frequency_shift_from_learned_structure():
    trained, initial, direction, shift = moved_along_one_direction(seed=5, n=300)
    counts = 1 + np.argsort(np.argsort(shift))  # (n,) the shift follows frequency: the larger, the more frequent
    shifted = ld.measure(trained, initial, counts, min_count=1)
    assert shifted.second_direction < 1e-6 and shifted.cosine_across == pytest.approx(1.0)
    assert shifted.surrogate_agreement == pytest.approx(1.0) and shifted.frequency_link == pytest.approx(1.0)
    rng = np.random.default_rng(6)
    learned = ld.measure(initial + rng.standard_normal(initial.shape), initial, counts, min_count=1)
    assert learned.second_direction > 0.5 and learned.cosine_across < 0.5 and learned.surrogate_agreement < 0.9
    assert abs(learned.frequency_link) < 0.3


def test_neighbours_and_their_agreement():
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9], [-1.0, 0.0]])
    rows = np.array([0, 1, 2, 3])  # word 4 is not a candidate
    near = ld.top_neighbours(vectors, rows, k=1)
    np.testing.assert_array_equal(near[:, 0], [1, 0, 3, 2])
    np.testing.assert_array_equal(ld.neighbour_agreement(near, near[[1, 0, 2, 3]]), [0.0, 0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=says('k', '[1, 3]', '4')):
        ld.top_neighbours(vectors, rows, k=4)
    with pytest.raises(ValueError, match="one shape"):
        ld.neighbour_agreement(near, near.T)


def test_sst_initialisation_is_the_trainers(tmp_path):
    sentences = [["a", "b", "c", "a"], ["b", "c", "d", "e"], ["c", "a", "e", "b"]] * 5
    result = train_sst(sentences=sentences, run_dir=tmp_path, iterations=0, checkpoint_every=None, seed=7,
                       dim=4, subsample_threshold=1.0, log=None)  # a threshold of 1 drops no word
    n = len(result.words)
    np.testing.assert_array_equal(ld.initial_center_vectors_sst(n, 4, seed=7), result.params[:n])
    assert not np.array_equal(ld.initial_center_vectors_sst(n, 4, seed=8), result.params[:n])


@pytest.mark.parametrize("method", ["numpy", "compiled"])
def test_fast_initialisation_is_the_trainers(method):
    """Both methods: the compiled one starts from ±1/d, twice the NumPy start (a copy of the NumPy
    start alone passed while only the NumPy path was tested)."""
    if method == "compiled":
        pytest.importorskip("numba", reason="the compiled method needs numba")
    rng = np.random.default_rng(0)
    sentences = [[str(w) for w in rng.integers(0, 30, 12)] for _ in range(40)]
    # A step of 1e-30 changes no float32 center vector: what comes back is the start.
    result = train_word2vec(sentences, vector_size=8, min_count=1, epochs=1, alpha=1e-30, min_alpha=0.0, seed=5,
                            sample=0, log=None, method=method)
    n = len(result.vocab)
    np.testing.assert_array_equal(ld.initial_center_vectors_fast(n, 8, seed=5, method=method), result.center_vectors)
    assert np.abs(result.center_vectors).max() > (0.5 if method == "compiled" else 0.25) / 8


def test_measure_uses_the_frequent_words_only():
    trained, initial, direction, shift = moved_along_one_direction(seed=7, n=300)
    counts = 1 + np.argsort(np.argsort(shift))  # (n,) ranks: the larger shift, the more frequent
    counts[:100] = 1  # rare words: make them move at random, in every direction
    trained[:100] = initial[:100] + np.random.default_rng(8).standard_normal((100, initial.shape[1]))
    frequent_only = ld.measure(trained, initial, counts, min_count=2)
    assert frequent_only.second_direction < 1e-6 and frequent_only.cosine_across == pytest.approx(1.0)
    assert frequent_only.frequency_link > 0.99
    assert ld.measure(trained, initial, counts, min_count=1).second_direction > 0.3  # all words: the rare ones count
    with pytest.raises(ValueError, match=says('4', '295', '10')):
        ld.measure(trained, initial, counts, min_count=295)


def test_sst_run_corpus_is_the_trainers(tmp_path):
    sentences = [["a", "b", "c", "a"], ["b", "c", "d", "e"], ["c", "a", "e", "b"]] * 5
    result = train_sst(sentences=sentences, run_dir=tmp_path, iterations=0, checkpoint_every=None, seed=3,
                       dim=4, subsample_threshold=0.05, log=None)
    data = ld.sst_run_corpus(sentences, seed=3, subsample_threshold=0.05)
    assert data.vocab.words == result.words
    assert json.loads((tmp_path / "config.json").read_text())["n_words"] == len(data.vocab)
    other = ld.sst_run_corpus(sentences, seed=4, subsample_threshold=0.05)
    assert not np.array_equal(other.subsampled.tokens, data.subsampled.tokens)  # the seed picks the copies


def test_shifted_ppmi_is_the_skipgram_optimum():
    pairs = sp.csr_matrix(np.array([[0.0, 8.0, 2.0], [8.0, 0.0, 1.0], [2.0, 1.0, 0.0]]))
    noise = np.array([0.5, 0.25, 0.25])
    k = 2
    got = ld.shifted_ppmi(pairs, noise, k).toarray()
    totals = pairs.toarray().sum(axis=1)
    with np.errstate(divide="ignore"):
        want = np.maximum(np.log(pairs.toarray() / (totals[:, None] * k * noise[None, :])), 0)
    np.testing.assert_allclose(got, want)
    assert got[0, 1] > 0 and got[1, 2] == 0  # 8/(10·2·0.25) > 1; 1/(9·2·0.25) < 1
    with pytest.raises(ValueError, match="noise_probabilities"):
        ld.shifted_ppmi(pairs, noise[:2], k)


def test_factorise_reconstructs_a_low_rank_matrix():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((30, 3)), rng.standard_normal((30, 3))
    matrix = a @ b.T  # (30, 30) rank 3
    left, right, s = ld.factorise(matrix, 3)
    np.testing.assert_allclose(left @ right.T, matrix, atol=1e-8)
    assert (np.diff(s) <= 0).all()
    with pytest.raises(ValueError, match=says('dim', '[1, 29]', '30')):
        ld.factorise(matrix, 30)


def test_partial_rank_correlation_removes_a_common_driver():
    rng = np.random.default_rng(9)
    counts = rng.integers(1, 1000, 500)
    x, y = np.log(counts) + 0.1 * rng.standard_normal(500), counts ** 0.5 + rng.standard_normal(500)
    assert ld.frequency_link(x, y) > 0.8 and abs(ld.partial_rank_correlation(x, y, counts)) < 0.15
    shared = rng.standard_normal(500)  # something both follow beyond the count
    assert ld.partial_rank_correlation(np.log(counts) + shared, counts ** 0.5 + 20 * shared, counts) > 0.5
    with pytest.raises(ValueError, match="one length"):
        ld.partial_rank_correlation(x, y[:10], counts)
