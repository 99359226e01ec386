"""The explorer's model: neighbours, analogies, search, colourings, projections, file round trips.

The vectors are built so that the answers are known: king = royal + male, queen = royal +
female, and so on, plus random filler words far from them.
"""
import numpy as np
import pytest
from support.messages import says
from support.toy_vectors import make_run, offset_vectors, toy_vectors

from w2v_lib.vectors import UnknownWordError, WordVectors, load_word_vectors
from w2v_lib.vectors.formats import save_projector_tsv, save_word2vec
from w2v_lib.vectors.keyed import MEAN_MIN_COUNT, mean_vector
from w2v_lib.vectors.projections import ProjectionCancelled, align_to, custom_axes, pca
from w2v_lib.vectors.tsne import neighbours_kept, tsne

SPECIAL = ["king", "queen", "man", "woman", "good", "great", "bad", "<script>", "-lrb-", "'s"]


@pytest.fixture
def model():
    words, vectors, counts = toy_vectors()
    return WordVectors(words, vectors, counts)


def test_nearest_neighbours_cosine_and_euclidean(model):
    assert [w for w, _ in model.neighbours("good", k=1)] == ["great"]
    sims = [s for _, s in model.neighbours("king", k=5)]
    assert sims == sorted(sims, reverse=True) and -1 <= sims[-1] <= sims[0] <= 1
    dists = [s for _, s in model.neighbours("king", k=5, metric="euclidean")]
    assert dists == sorted(dists)
    brute = np.linalg.norm(model.vectors - model.vector("king"), axis=1)
    brute[model.word_index("king")] = np.inf
    assert np.allclose(dists, np.sort(brute)[:5], atol=1e-4)
    assert "king" not in [w for w, _ in model.neighbours("king", k=len(model))]


def test_k_larger_than_vocabulary_returns_every_other_word(model):
    assert len(model.neighbours("king", k=10_000)) == len(model) - 1


def test_analogy_excludes_inputs_and_finds_queen(model):
    best = model.analogy("king", "man", "woman", k=3)
    assert best[0][0] == "queen"
    assert not {"king", "man", "woman"} & {w for w, _ in best}
    assert model.neighbours("king - man + woman", k=1)[0][0] == "queen"


def test_unknown_word_suggests_close_spelling(model):
    with pytest.raises(UnknownWordError, match=says("'queeen'", "'queen'")):
        model.neighbours("queeen")
    with pytest.raises(ValueError, match=says("'zzzz'", 'vocabulary')):
        model.analogy("king", "zzzz", "woman")


def test_bad_arguments_name_the_argument(model):
    with pytest.raises(ValueError, match=says('metric', "'manhattan'", "'cosine'", "'euclidean'")):
        model.neighbours("king", metric="manhattan")
    with pytest.raises(ValueError, match=says('k', '0')):
        model.neighbours("king", k=0)
    with pytest.raises(ValueError, match=says('query', '(12,)', '(3,)')):
        model.neighbours_of_vector(np.zeros(3))
    with pytest.raises(ValueError, match="zero"):
        model.neighbours_of_vector(np.zeros(model.dim))
    with pytest.raises(ValueError, match="unique"):
        WordVectors(["a", "a"], np.ones((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        WordVectors(["a", "b"], np.array([[1.0, np.nan], [0.0, 1.0]]))


def test_search_puts_exact_match_first(model):
    hits = [model.words[i] for i in model.search("KING")]
    assert hits == ["king"]
    assert [model.words[i] for i in model.search("scr")] == ["<script>"]
    assert len(model.search("filler1")) == 11  # filler1, filler10..filler19
    assert model.words[model.search("filler1")[0]] == "filler1"
    with pytest.raises(ValueError, match="empty"):
        model.search("  ")


def test_frequency_bands_and_clusters(model):
    labels, names = model.frequency_bands(edges=(10, 1000))
    assert names == ["count < 10", "count 10–999", "count ≥ 1000"]
    assert labels[model.word_index("<script>")] == 0
    assert labels[model.word_index("king")] == 1 and labels[model.word_index("'s")] == 2
    clusters = model.kmeans_clusters(3, seed=0)
    assert clusters.shape == (len(model),) and set(clusters) == {0, 1, 2}
    assert np.array_equal(clusters, model.kmeans_clusters(3, seed=0))
    with pytest.raises(ValueError, match=says('word counts', 'vocab.tsv')):
        WordVectors(model.words, model.vectors).frequency_bands()
    with pytest.raises(ValueError, match="n_clusters"):
        model.kmeans_clusters(0)


def test_pca_matches_numpy_and_is_sign_stable(model):
    coords = pca(model.vectors, 2)
    centred = model.vectors - model.vectors.mean(axis=0)
    _, s, _ = np.linalg.svd(centred, full_matrices=False)
    assert np.allclose(coords.var(axis=0) * len(model), s[:2] ** 2, rtol=1e-4)
    flipped = pca(-model.vectors, 2)  # same cloud mirrored: the sign rule gives one answer
    assert np.allclose(np.abs(flipped), np.abs(coords), atol=1e-4)
    assert pca(model.vectors, 3).shape == (len(model), 3)
    with pytest.raises(ValueError, match=says('n_components', '4')):
        pca(model.vectors, 4)


def test_custom_axes_separate_gender(model):
    xy = custom_axes(model, ("woman - man", "queen - king"))
    assert xy.shape == (len(model), 2)
    assert xy[model.word_index("woman"), 0] > 0.5 > -0.5 > xy[model.word_index("man"), 0]
    assert xy[model.word_index("queen"), 1] > xy[model.word_index("king"), 1]
    with pytest.raises(ValueError, match="zero vector"):
        custom_axes(model, ("king - king", "good"))
    with pytest.raises(ValueError, match=says("'woman - man'", '2 or 3')):
        custom_axes(model, "woman - man")


def test_tsne_runs_on_a_small_vocabulary(model):
    xy = tsne(model.vectors, 2, seed=0)
    assert xy.shape == (len(model), 2) and np.isfinite(xy).all()
    with pytest.raises(ValueError, match=says('5', '3')):
        tsne(model.vectors[:3])


def test_tsne_stopped_mid_run_raises_instead_of_returning_a_half_done_map(model):
    texts = []

    def stop_at_the_first_iteration_shown(fraction, coords, text):
        texts.append(text)
        return "iteration" in text

    with pytest.raises(ProjectionCancelled, match=says('cancelled', '25', '500')):
        tsne(model.vectors, on_step=stop_at_the_first_iteration_shown)
    assert texts[-1] == "t-SNE: iteration 25 of 500" and len(texts) == 3  # PCA start, neighbours, iteration 25


def test_neighbours_kept_is_one_for_a_faithful_map_and_low_for_a_shuffled_one():
    angles = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    circle = np.column_stack([np.cos(angles), np.sin(angles)])  # (200, 2): cosine order is circle order
    vectors = np.hstack([circle, np.zeros((200, 3))])  # (200, 5)
    assert neighbours_kept(vectors, circle, k=4) == 1.0
    shuffled = circle[np.random.default_rng(0).permutation(200)]
    assert neighbours_kept(vectors, shuffled, k=4) < 0.1


def test_alignment_undoes_a_rotation(model):
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.standard_normal((model.dim, model.dim)))  # a random orthogonal matrix
    rotated = model.vectors @ q + 5.0
    assert np.allclose(align_to(model.vectors, rotated), model.vectors, atol=1e-4)
    with pytest.raises(ValueError, match="rows"):
        align_to(model.vectors, model.vectors[:-1])


def test_loads_run_word2vec_text_binary_and_tsv(tmp_path, model):
    run = make_run(tmp_path / "run")
    from_run = load_word_vectors(run)
    assert from_run.words == model.words and from_run.counts is not None
    for binary in (False, True):
        path = save_word2vec(tmp_path / f"v{int(binary)}.{'bin' if binary else 'txt'}", model.words,
                             model.raw_vectors, binary=binary)
        back = load_word_vectors(path)
        assert back.words == model.words and np.allclose(back.raw_vectors, model.raw_vectors, atol=1e-5)
    save_projector_tsv(tmp_path / "vectors.tsv", tmp_path / "metadata.tsv", model.words, model.raw_vectors,
                       {"count": [str(c) for c in model.counts]})
    back = load_word_vectors(tmp_path / "vectors.tsv")
    assert back.words == model.words and np.array_equal(back.counts, model.counts)


def test_gensim_reads_our_files_and_we_read_gensims(tmp_path, model):
    from gensim.models import KeyedVectors

    raw = model.with_centring(False)  # gensim's most_similar takes cosines of the vectors as stored
    for binary in (False, True):
        ours = save_word2vec(tmp_path / f"ours{int(binary)}", model.words, model.raw_vectors, binary=binary)
        kv = KeyedVectors.load_word2vec_format(str(ours), binary=binary)
        assert kv.index_to_key == model.words
        assert [w for w, _ in kv.most_similar("king", topn=5)] == [w for w, _ in raw.neighbours("king", k=5)]
        theirs = tmp_path / f"theirs{int(binary)}"
        kv.save_word2vec_format(str(theirs), binary=binary)
        back = load_word_vectors(theirs)
        assert back.words == model.words and np.allclose(back.raw_vectors, model.raw_vectors, atol=1e-5)


def test_bad_files_get_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=says('missing.txt', 'run folder')):
        load_word_vectors(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("not a header\n")
    with pytest.raises(ValueError, match="first line"):
        load_word_vectors(bad)
    (tmp_path / "alone" ).mkdir()
    lonely = tmp_path / "alone" / "vectors.tsv"
    lonely.write_text("1\t2\n")
    with pytest.raises(FileNotFoundError, match="metadata.tsv"):
        load_word_vectors(lonely)
    with pytest.raises(FileNotFoundError, match=says('alone', 'vocab.tsv', 'train')):
        load_word_vectors(tmp_path / "alone")


def test_centring_turns_offset_dominated_cosines_into_directions():
    words, vectors = offset_vectors()
    centred, raw = WordVectors(words, vectors), WordVectors(words, vectors, centred=False)
    assert centred.centred and not raw.centred  # centring is the default
    assert np.allclose(centred.mean, [20, 0, 0, 0], atol=1e-5) and not raw.mean.any()
    assert np.array_equal(centred.raw_vectors, vectors) and np.allclose(centred.vectors, vectors - centred.mean)
    raw_near = raw.neighbours("a", k=3)
    assert [w for w, _ in raw_near] == ["b", "a_short", "na_short"] and min(s for _, s in raw_near) > 0.98
    near = centred.neighbours("a", k=5)
    assert [w for w, _ in near[:3]] == ["a_short", "b", "nb"]
    assert near[0][1] == pytest.approx(1.0, abs=1e-5) and near[-1][1] == pytest.approx(-1.0, abs=1e-5)
    groups = centred.kmeans_clusters(2, seed=0)
    assert len(set(groups[:3])) == 1 and len(set(groups[3:])) == 1 and groups[0] != groups[3]


def test_euclidean_neighbours_do_not_depend_on_centring(model):
    raw = model.with_centring(False)
    assert not np.allclose(model.mean, 0)
    for query in ("king", "good", "king - man + woman"):
        a, b = model.neighbours(query, k=8, metric="euclidean"), raw.neighbours(query, k=8, metric="euclidean")
        assert [w for w, _ in a] == [w for w, _ in b]
        assert np.allclose([d for _, d in a], [d for _, d in b], atol=1e-4)
    a, b = model.analogy("king", "man", "woman", metric="euclidean"), raw.analogy("king", "man", "woman",
                                                                                   metric="euclidean")
    assert [w for w, _ in a] == [w for w, _ in b] and np.allclose([d for _, d in a], [d for _, d in b], atol=1e-4)
    cosines = [[s for _, s in m.neighbours("king", k=8)] for m in (model, raw)]
    assert not np.allclose(*cosines, atol=1e-3)  # while the cosines do move


def test_mean_comes_from_frequent_words_and_modes_carry_over(model, tmp_path):
    frequent = model.counts >= MEAN_MIN_COUNT
    assert 2 <= frequent.sum() < len(model)
    assert np.allclose(model.mean, model.raw_vectors[frequent].mean(axis=0), atol=1e-6)
    assert np.allclose(mean_vector(model.raw_vectors, np.zeros(len(model))), model.raw_vectors.mean(axis=0),
                       atol=1e-6)  # fewer than two frequent words: the mean over all words
    with pytest.raises(ValueError, match=says('counts', '(50,)', '(2,)')):
        mean_vector(model.raw_vectors, [1, 2])
    with pytest.raises(ValueError, match=says('centred', "'yes'")):
        WordVectors(model.words, model.raw_vectors, centred="yes")
    raw = model.with_centring(False)
    assert model.with_centring(True) is model and raw.with_centring(True).centred
    assert np.array_equal(raw.vectors, model.raw_vectors) and raw.raw_vectors is model.raw_vectors
    shifted = model.raw_vectors + 7.0  # a checkpoint with its own mean
    assert model.with_vectors(shifted).centred and not raw.with_vectors(shifted).centred
    assert np.allclose(model.with_vectors(shifted).vectors, model.vectors, atol=1e-4)
    assert not load_word_vectors(make_run(tmp_path), centred=False).centred


def test_tsne_threads_follow_the_idle_cores_and_survive_a_system_without_load_average(monkeypatch):
    import os

    from w2v_lib.vectors import tsne as tsne_module

    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 0.0, 0.0))
    assert tsne_module.idle_cores() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 0.0, 0.0))
    assert tsne_module.idle_cores() == 1  # never fewer than one
    monkeypatch.delattr(os, "getloadavg")  # Windows has none
    assert tsne_module.idle_cores() == 4
