"""The fast trainer: its minibatch step against the reference losses, and its training loop."""
import numpy as np
import pytest
from gensim.test.utils import datapath
from support.messages import says

from w2v_lib import cbow, negative_sampling, skipgram
from w2v_lib.assignment.sst_kernel import EXACT, SIGMOID_ERROR, sigmoid_table
from w2v_lib.corpora import read_text_sentences
from w2v_lib.fast import FastConfig, kernels, make_config, train_word2vec
from w2v_lib.fast.batching import window_layout

N_WORDS, D = 9, 5


def tables(seed):
    rng = np.random.default_rng(seed)
    return tuple((rng.standard_normal((N_WORDS, D)) * 0.5).astype(np.float32) for _ in range(2))


def reference_step(model, center, outside, centers, contexts, negatives, lr):
    """The tables after one gradient step on the sum of the reference losses of every window."""
    center_ref, outside_ref = center.astype(np.float64), outside.astype(np.float64)
    gW, gC = np.zeros_like(center_ref), np.zeros_like(outside_ref)
    for c, row in zip(centers, contexts):
        _, gw, gc = model(int(c), row[row >= 0], center_ref, outside_ref, negative_sampling(negatives))
        gW += gw
        gC += gc
    return center_ref - lr * gW, outside_ref - lr * gC


@pytest.fixture(scope="module")
def lee():
    return read_text_sentences(datapath("lee_background.cor"), lowercase=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_skipgram_step_is_the_reference_gradient_step(seed):
    center, outside = tables(seed)
    # two windows in one group; word 2 is an outside word twice, and a center of one window and
    # an outside word of the other, so the scatter must accumulate
    centers = np.array([1, 2], dtype=np.int32)
    contexts = np.array([[2, 3, 2, -1], [1, 4, -1, -1]], dtype=np.int32)
    negatives = np.array([[5, 6, 7, 5]], dtype=np.int32)  # (G=1, M=K=4), a repeated negative
    lr = 0.1
    center_ref, outside_ref = reference_step(skipgram, center, outside, centers, contexts, negatives[0], lr)
    words, indptr = window_layout(contexts)
    kernels.skipgram_step(center, outside, centers, words, indptr, negatives, np.float32(lr), np.float32(1.0))
    np.testing.assert_allclose(center, center_ref, atol=2e-6)
    np.testing.assert_allclose(outside, outside_ref, atol=2e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_cbow_step_with_the_sum_is_the_reference_gradient_step(seed):
    center, outside = tables(seed)
    centers = np.array([0, 3], dtype=np.int32)
    contexts = np.array([[1, 2, 1], [4, 0, -1]], dtype=np.int32)  # word 1 twice: v̂ counts it twice
    negatives = np.array([[5, 6, 8]], dtype=np.int32)
    lr = 0.05
    center_ref, outside_ref = reference_step(cbow, center, outside, centers, contexts, negatives[0], lr)
    words, indptr = window_layout(contexts)
    kernels.cbow_step(center, outside, centers, words, indptr, negatives, np.float32(lr), np.float32(1.0), mean=False)
    np.testing.assert_allclose(center, center_ref, atol=2e-6)
    np.testing.assert_allclose(outside, outside_ref, atol=2e-6)


def test_a_negative_equal_to_the_outside_word_is_left_out():
    center, outside = tables(5)
    contexts = np.array([[3]], dtype=np.int32)
    # negatives [3, 4] with weight 1 for the pair (1 → 3) must act as the single negative [4]
    center_ref, outside_ref = reference_step(skipgram, center, outside, [1], contexts, np.array([4]), 0.1)
    words, indptr = window_layout(contexts)
    kernels.skipgram_step(center, outside, np.array([1], np.int32), words, indptr, np.array([[3, 4]], np.int32),
                          np.float32(0.1), np.float32(1.0))
    np.testing.assert_allclose(center, center_ref, atol=2e-6)
    np.testing.assert_allclose(outside, outside_ref, atol=2e-6)


def test_scatter_add_rows_accumulates_repeats():
    rng = np.random.default_rng(0)
    table = rng.standard_normal((6, 3)).astype(np.float32)
    rows = np.array([4, 1, 4, 4, 0], dtype=np.int32)
    updates = rng.standard_normal((5, 3)).astype(np.float32)
    expected = table.copy()
    np.add.at(expected, rows, updates)
    kernels.scatter_add_rows(table, rows, updates)
    np.testing.assert_allclose(table, expected, rtol=1e-6)


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_loss_decreases_and_vectors_are_float32(lee, model):
    result = train_word2vec(lee, model=model, epochs=4, seed=1, vector_size=32)
    losses = result.epoch_losses
    assert losses[-1] < losses[0] - 0.2, losses
    assert result.center_vectors.dtype == np.float32 and result.center_vectors.shape == (len(result.words), 32)
    assert result.effective_words > 0 and np.isfinite(result.center_vectors).all()


def test_a_fixed_seed_gives_the_same_vectors(lee):
    a = train_word2vec(lee, epochs=2, seed=7, vector_size=16)
    b = train_word2vec(lee, epochs=2, seed=7, vector_size=16)
    c = train_word2vec(lee, epochs=2, seed=8, vector_size=16)
    assert np.array_equal(a.center_vectors, b.center_vectors)
    assert np.array_equal(a.outside_vectors, b.outside_vectors)
    assert not np.array_equal(a.center_vectors, c.center_vectors)


def test_two_threads_train_too(lee):
    result = train_word2vec(lee, epochs=3, seed=1, vector_size=16, threads=2, chunk_words=5000)
    assert np.isfinite(result.center_vectors).all()
    assert result.epoch_losses[-1] < result.epoch_losses[0]


def test_resume_from_a_checkpoint_reproduces_the_run(lee, tmp_path):
    opts = dict(epochs=3, seed=2, vector_size=16, model="cbow")
    full = train_word2vec(lee, checkpoint_dir=tmp_path, checkpoint_every=1, **opts)
    assert [p.name for p in full.checkpoints] == ["sgd_00000001.npz", "sgd_00000002.npz", "sgd_00000003.npz"]
    messages = []
    resumed = train_word2vec(lee, resume_from=full.checkpoints[0], log=messages.append, **opts)
    assert "resuming" in messages[0] and resumed.epochs_done == 3
    assert np.array_equal(resumed.center_vectors, full.center_vectors)
    assert np.array_equal(resumed.outside_vectors, full.outside_vectors)


def test_a_checkpoint_for_another_vocabulary_is_refused(lee, tmp_path):
    full = train_word2vec(lee, epochs=1, seed=2, vector_size=16, checkpoint_dir=tmp_path, checkpoint_every=1)
    with pytest.raises(ValueError, match="shape"):
        train_word2vec(lee, epochs=2, vector_size=16, min_count=3, resume_from=full.checkpoints[0], log=None)


def test_resume_refusals_are_the_optimizer_loaders(lee, tmp_path):
    """The trainer loads through optimizer.checkpoint_to_resume: the same refusals, word for word."""
    from w2v_lib.optimizer import checkpoint_to_resume, load_checkpoint, save_checkpoint

    full = train_word2vec(lee, epochs=1, seed=2, vector_size=16, checkpoint_dir=tmp_path, checkpoint_every=1)
    ck = load_checkpoint(full.checkpoints[0])
    no_state = save_checkpoint(tmp_path / "no_state" / "sgd_00000001.npz", ck["x"], 1, 1.0, None)
    with pytest.raises(ValueError) as by_trainer:
        train_word2vec(lee, epochs=2, seed=2, vector_size=16, resume_from=no_state, log=None)
    with pytest.raises(ValueError) as by_loader:
        checkpoint_to_resume(no_state, ck["x"].shape, needs_rng_state=True)
    assert str(by_trainer.value) == str(by_loader.value) and "no random state" in str(by_loader.value)
    with pytest.raises(ValueError) as wrong_shape:
        train_word2vec(lee, epochs=2, vector_size=8, resume_from=full.checkpoints[0], log=None)
    assert f"shape {ck['x'].shape}; x0 has shape" in str(wrong_shape.value)
    assert "pass the same sentences and options" in str(wrong_shape.value)


@pytest.mark.parametrize("corpus", [[], [[]], [[], []]])
def test_an_empty_corpus_is_refused(corpus):
    with pytest.raises(ValueError, match="empty"):
        train_word2vec(corpus)


def test_min_count_emptying_the_vocabulary_is_refused():
    with pytest.raises(ValueError, match=says('min_count', '5', '2')):
        train_word2vec([["a", "b", "a"], ["c"]], min_count=5)


@pytest.mark.parametrize("options, message", [
    ({"workers": 2}, "did you mean threads"),
    ({"windw": 3}, "did you mean window"),
    ({"model": "glove"}, "model must be 'skipgram' or 'cbow'"),
    ({"vector_size": 0}, "vector_size must be a positive integer"),
    ({"sample": 1.5}, "sample must be in"),
    ({"alpha": 0.01, "min_alpha": 0.1}, "min_alpha"),
    ({"threads": True}, "threads must be a positive integer"),
    ({"window": 128}, "window must be at most 100"),
])
def test_bad_options_are_named(options, message):
    with pytest.raises(ValueError, match=message):
        make_config(**options)


def test_config_and_options_combine():
    cfg = make_config(FastConfig(model="cbow"), epochs=2)
    assert (cfg.model, cfg.epochs, cfg.window) == ("cbow", 2, 5)
    # model-dependent batches, split between threads unless given
    assert (make_config().batch_size, make_config(model="cbow").batch_size) == (512, 1024)
    assert make_config(threads=2).batch_size == 256 and make_config(threads=2, batch_size=300).batch_size == 300
    # the NumPy path: skip-gram shares 20 negatives per group by default, CBOW K of them; the
    # compiled kernels: 10 per window; an explicit value wins
    numpy_path = make_config(method="numpy")
    assert (numpy_path.shared_negatives, make_config(method="numpy", model="cbow").shared_negatives) == (20, 10)
    assert make_config(method="compiled").shared_negatives == 10
    assert make_config(shared_negatives=5).shared_negatives == 5
    assert make_config(method="numpy", shared_negatives=5).shared_negatives == 5


def test_the_method_is_checked():
    with pytest.raises(ValueError, match=says('method', "'cython'", "'compiled'", "'numpy'")):
        make_config(method="cython")


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_compiled_and_numpy_paths_learn_alike(lee, model):
    """Different algorithms (per-window updates vs shuffled minibatches), the same loss at the end."""
    pytest.importorskip("numba")
    runs = {m: train_word2vec(lee, model=model, epochs=3, seed=0, method=m, log=None) for m in ("compiled", "numpy")}
    assert runs["compiled"].epoch_losses[-1] == pytest.approx(runs["numpy"].epoch_losses[-1], rel=0.15)
    assert runs["compiled"].row_updates > runs["compiled"].effective_words


def test_checkpoint_every_needs_a_folder(lee):
    with pytest.raises(ValueError, match="checkpoint_dir"):
        train_word2vec(lee, checkpoint_every=1)


def test_divergence_is_reported_not_returned(lee):
    with pytest.raises(FloatingPointError, match="diverged"):
        train_word2vec(lee, epochs=1, vector_size=16, alpha=50.0, min_alpha=50.0, batch_size=4096)


def test_progress_bar_counts_trained_words(lee, capsys):
    result = train_word2vec(lee, epochs=1, vector_size=16, progress=True)
    assert "word" in capsys.readouterr().err and result.effective_words > 0


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_compiled_kernel_is_the_reference_step_window_after_window(model):
    """One sentence, window 1, every negative word 5 (an alias table that always takes the alias):
    each window's update is the reference gradient step of that window, taken in corpus order."""
    pytest.importorskip("numba")
    from w2v_lib import cbow as cbow_model
    from w2v_lib.fast.word_kernels import train_chunk
    center, outside = tables(3)
    tokens = np.array([0, 1, 2, 3, 4], dtype=np.int32)  # no word twice in a window: rows change once each
    sentence_ids = np.zeros(5, dtype=np.int32)
    threshold, alias = np.zeros(N_WORDS, dtype=np.uint32), np.full(N_WORDS, 5, dtype=np.int32)
    lr, k = 0.1, 2
    center_ref, outside_ref = center.astype(np.float64), outside.astype(np.float64)
    reference = skipgram if model == "skipgram" else cbow_model
    for i in range(len(tokens)):
        context = np.array([tokens[j] for j in (i - 1, i + 1) if 0 <= j < len(tokens)])
        _, gW, gC = reference(int(tokens[i]), context, center_ref, outside_ref, negative_sampling(np.array([5] * k)))
        center_ref, outside_ref = center_ref - lr * gW, outside_ref - lr * gC
    # M = 1 draw of weight K/M = 2: each row changes once per window, as in the simultaneous step
    train_chunk(center, outside, tokens, sentence_ids, np.ones(N_WORDS, dtype=np.float32), threshold, alias,
                model == "cbow", 1, k, 1,
                False, lr, lr, np.uint64(0), 1, EXACT)
    np.testing.assert_allclose(center, center_ref, atol=2e-6)
    np.testing.assert_allclose(outside, outside_ref, atol=2e-6)


@pytest.mark.parametrize("per_pair", [1, 2])
def test_compiled_per_pair_rules_are_word2vecs_step_pair_after_pair(per_pair):
    """sharing "none" (1) and "window" (2), every negative word 5: each pair (outside word o as the
    input, centre c predicted) is its own gradient step, in corpus order, as word2vec.c and gensim do."""
    pytest.importorskip("numba")
    from w2v_lib.fast.word_kernels import train_chunk
    center, outside = tables(4)
    tokens = np.array([0, 1, 2, 3, 4], dtype=np.int32)
    threshold, alias = np.zeros(N_WORDS, dtype=np.uint32), np.full(N_WORDS, 5, dtype=np.int32)
    lr, k = 0.1, 1  # one negative: word2vec moves u_5 between two draws of it, the reference would not
    center_ref, outside_ref = center.astype(np.float64), outside.astype(np.float64)
    for i in range(len(tokens)):
        for j in (i - 1, i + 1):
            if 0 <= j < len(tokens):
                _, gW, gC = skipgram(int(tokens[j]), tokens[[i]], center_ref, outside_ref,
                                     negative_sampling(np.array([5] * k)))
                center_ref, outside_ref = center_ref - lr * gW, outside_ref - lr * gC
    kept, *_ = train_chunk(center, outside, tokens, np.zeros(5, dtype=np.int32), np.ones(N_WORDS, dtype=np.float32),
                           threshold, alias,
                           False, 1, k, k, False, lr, lr, np.uint64(0), 1, EXACT, per_pair)
    assert kept == 5
    np.testing.assert_allclose(center, center_ref, atol=2e-6)
    np.testing.assert_allclose(outside, outside_ref, atol=2e-6)
    # the summed rule (0) is a different step on the same data: the test can tell them apart
    center0, outside0 = tables(4)
    train_chunk(center0, outside0, tokens, np.zeros(5, dtype=np.int32), np.ones(N_WORDS, dtype=np.float32),
                threshold, alias,
                False, 1, k, k, False, lr, lr, np.uint64(0), 1, EXACT, 0)
    assert np.abs(center0 - center_ref).max() > 1e-3


def test_sharing_is_checked_and_defaults_by_method():
    assert make_config(method="numpy").sharing == "group"
    assert make_config(method="compiled", sharing="none").shared_negatives == 10  # K per prediction
    with pytest.raises(ValueError, match=says("sharing='none'", "method='numpy'", "'group'")):
        make_config(method="numpy", sharing="none")
    with pytest.raises(ValueError, match=says("sharing='pairs'", "method='compiled'", "'window'")):
        make_config(method="compiled", sharing="pairs")


@pytest.mark.parametrize("per_pair", [0, 1])
def test_shuffled_windows_are_the_same_windows_in_another_order(per_pair):
    """A small step: to first order the update is the sum of the windows' gradients, whatever their
    order, so shuffled (1: windows, 2: sentences) and corpus-ordered (0) runs agree to first order,
    and differ (the order is not kept)."""
    pytest.importorskip("numba")
    from w2v_lib.fast.word_kernels import train_chunk
    rng = np.random.default_rng(3)
    tokens = rng.integers(0, N_WORDS, 400).astype(np.int32)
    sentence_ids = (np.arange(400) // 20).astype(np.int32)
    threshold, alias = np.zeros(N_WORDS, dtype=np.uint32), np.full(N_WORDS, 5, dtype=np.int32)
    moved = {}
    for shuffle in (0, 1, 2):
        center, outside = tables(5)
        center0 = center.copy()
        train_chunk(center, outside, tokens, sentence_ids, np.ones(N_WORDS, dtype=np.float32), threshold, alias,
                    False, 1, 1, 1, False, 1e-4, 1e-4, np.uint64(0), 1, EXACT, per_pair, shuffle)
        moved[shuffle] = center - center0
    size = np.abs(moved[0]).max()
    assert size > 1e-4
    for shuffle in (1, 2):
        assert 0 < np.abs(moved[shuffle] - moved[0]).max() < 0.05 * size


def test_shuffle_is_checked():
    assert make_config(method="numpy").shuffle == "windows"
    assert make_config(method="compiled", model="cbow").shuffle == "windows"  # CBOW too: see config.py
    with pytest.raises(ValueError, match=says("shuffle='sentences'", "method='numpy'", "'windows'")):
        make_config(method="numpy", shuffle="sentences")


def test_compiled_sigmoid_comes_from_the_assignments_table_within_its_bound():
    """σ(−s) from the interpolated table stays within SIGMOID_ERROR of exact where it is tabulated,
    is exact beyond (saturating, not clipped to the table's last entry), keeps NaN, and differs from
    exp's value somewhere (so the table is really used); EXACT computes it with exp."""
    pytest.importorskip("numba")
    from w2v_lib.fast.word_kernels import sigmoid_of_minus
    table = sigmoid_table()
    scores = np.linspace(-12, 12, 4801, dtype=np.float32)
    exact = 1 / (1 + np.exp(scores.astype(np.float64)))
    tabulated = np.array([sigmoid_of_minus(s, table) for s in scores])
    assert np.abs(tabulated - exact).max() <= SIGMOID_ERROR
    assert np.abs(tabulated - exact).max() > 1e-7
    assert sigmoid_of_minus(np.float32(30.0), table) < 1e-12 and sigmoid_of_minus(np.float32(-30.0), table) == 1.0
    assert np.isnan(sigmoid_of_minus(np.float32("nan"), table))
    np.testing.assert_allclose([sigmoid_of_minus(s, EXACT) for s in scores[::100]], exact[::100], rtol=1e-6)


def test_sigmoid_option_is_checked_and_defaults_by_method():
    assert make_config(method="compiled").sigmoid == "table"
    assert make_config(method="numpy").sigmoid == "exact"
    with pytest.raises(ValueError, match="sigmoid='table' is not available with method='numpy'"):
        make_config(method="numpy", sigmoid="table")
    with pytest.raises(ValueError, match="sigmoid='fast' is not available with method='compiled'"):
        make_config(method="compiled", sigmoid="fast")


def test_numpy_and_compiled_subsampling_keep_each_word_at_its_keep_probability():
    """batching.subsample_chunk (NumPy) and word_kernels.subsample_chunk_compiled keep word w at
    keep_prob[w] (within 5 sd over 50,000 occurrences each), sentence ids alongside."""
    pytest.importorskip("numba")
    from w2v_lib.compiled import seed_state
    from w2v_lib.fast.batching import subsample_chunk
    from w2v_lib.fast.word_kernels import subsample_chunk_compiled
    keep_prob = np.array([0.1, 0.5, 0.9, 1.0], dtype=np.float32)
    tokens = np.tile(np.arange(4, dtype=np.int32), 50_000)
    sentence_ids = (np.arange(tokens.shape[0]) // 7).astype(np.int32)
    rng = np.random.default_rng(0)
    numpy_tokens, numpy_sids = subsample_chunk(tokens, sentence_ids, keep_prob, rng)
    kept, kept_sentence = np.empty_like(tokens), np.empty_like(sentence_ids)
    n, _ = subsample_chunk_compiled(tokens, sentence_ids, keep_prob, seed_state(rng), kept, kept_sentence)
    sd = np.sqrt(keep_prob * (1 - keep_prob) / 50_000)
    for got, sids in ((numpy_tokens, numpy_sids), (kept[:n], kept_sentence[:n])):
        rate = np.bincount(got, minlength=4) / 50_000
        assert (np.abs(rate - keep_prob) <= 5 * sd + 1e-12).all()
        assert rate[0] < 0.2  # the rule drops something: not a copy of the input
        assert sids.shape == got.shape and (np.diff(sids) >= 0).all()  # in corpus order, each with its sentence


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_prefetching_changes_the_speed_only(lee, model):
    """Asking for the next window's rows early must not change a single number of the result."""
    pytest.importorskip("numba")
    runs = [train_word2vec(lee, epochs=1, seed=3, vector_size=16, model=model, method="compiled", prefetch=p)
            for p in (True, False)]
    assert np.array_equal(runs[0].center_vectors, runs[1].center_vectors)
    assert np.array_equal(runs[0].outside_vectors, runs[1].outside_vectors)
    assert runs[0].epoch_losses == runs[1].epoch_losses
