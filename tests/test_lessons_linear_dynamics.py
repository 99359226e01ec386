"""linear_dynamics on small corpora: the expected pairs and negatives against the samplers' own
draws, the linear step against the trainer's gradient, and the clocks against the iterated map."""
import numpy as np
import pytest

from w2v_lib.assignment.step import batch_loss_and_gradient, draw_batches
from w2v_lib.corpora import ContextSampler, build_vocabulary, encode
from w2v_lib.lessons import linear_dynamics as lin
from w2v_lib.sampling import NegativeSampler, noise_distribution

SENTENCES = [["a", "b", "c", "a", "d"], ["c", "c"], ["b", "b", "e", "a"], ["d", "e", "a", "b", "c", "e"],
             ["e", "e", "a"]]  # "c c" and "e e a" leave some windows empty: they are drawn again


def small_corpus():
    vocab = build_vocabulary(SENTENCES)
    corpus = encode(SENTENCES, vocab)
    keep = corpus.lengths >= 2
    assert keep.all()
    return vocab, corpus


def sampled_pairs(corpus, n_words, window, draws, seed=0):
    centers, contexts = ContextSampler(corpus).random_contexts(np.random.default_rng(seed), draws, window)
    found = np.zeros((n_words, n_words))
    rows = np.repeat(centers, (contexts >= 0).sum(axis=1))
    np.add.at(found, (rows, contexts[contexts >= 0]), 1.0)
    return found / draws


def test_pairs_per_window_is_the_samplers_expectation():
    vocab, corpus = small_corpus()
    n = len(vocab)
    expected = lin.pairs_per_window(corpus, n, window=3).toarray()
    found = sampled_pairs(corpus, n, 3, 400_000)
    se = np.sqrt(np.maximum(expected, 1e-4) / 400_000)  # the counts are nearly Poisson
    assert np.abs(found - expected).max() < 5 * se.max()
    assert np.all(np.diag(expected) == 0)  # a centre's repeats are no pairs
    for sentence_uniform in (True, False):  # by enumeration; the token-uniform one is the adversary
        want = enumerated_pairs(corpus, n, 3, sentence_uniform)
        if sentence_uniform:
            np.testing.assert_allclose(expected, want, atol=1e-12)
        else:
            assert np.abs(found - want).max() > 10 * se.max()


def enumerated_pairs(corpus, n_words, window, sentence_uniform):
    """#(c, o) per window by listing every (sentence, position, size); empty windows drawn again."""
    total = np.zeros((n_words, n_words))
    n_tokens = corpus.lengths.sum()
    for b in range(1, window + 1):
        per_size, kept = np.zeros((n_words, n_words)), 0.0
        for sent in corpus:
            for pos, c in enumerate(sent):
                weight = 1 / (len(corpus) * len(sent)) if sentence_uniform else 1 / n_tokens
                near = [o for o in np.concatenate([sent[max(0, pos - b):pos], sent[pos + 1:pos + 1 + b]]) if o != c]
                kept += weight if near else 0.0
                for o in near:
                    per_size[c, o] += weight
        total += per_size / kept / window
    return total


def test_origin_gradient_matches_a_dense_construction_and_the_negative_sampler():
    vocab, corpus = small_corpus()
    n, k = len(vocab), 4
    pairs = lin.pairs_per_window(corpus, n, window=2)
    noise = noise_distribution(vocab.counts)
    dense = pairs.toarray()
    simple = dense - k * np.outer(dense.sum(axis=1), noise)
    redraw = dense.copy()
    for c in range(n):
        for o in range(n):
            share = np.where(np.arange(n) == o, 0.0, noise / (1 - noise[o]))  # negatives of the pair (c, o)
            redraw[c] -= k * dense[c, o] * share
    x = np.random.default_rng(1).standard_normal((n, 3))
    for flag, want in [(False, simple), (True, redraw)]:
        op = lin.OriginGradient(pairs, noise, k, redraw_clashes=flag).operator()
        np.testing.assert_allclose(op.matmat(x), want @ x, atol=1e-12)
        np.testing.assert_allclose(op.rmatmat(x), want.T @ x, atol=1e-12)
        np.testing.assert_allclose(lin.OriginGradient(pairs, noise, k, flag).negatives(), (dense - want).sum(axis=1),
                                   atol=1e-12)
    # what NegativeSampler draws for an outside word: P_n(w)/(1 − P_n(o)) per draw, never o itself
    o = int(np.argmax(noise))
    drawn = NegativeSampler(vocab.counts, 2).sample_many(np.full(200_000, o), k)
    share = np.bincount(drawn.ravel(), minlength=n) / drawn.size
    np.testing.assert_allclose(share, np.where(np.arange(n) == o, 0.0, noise / (1 - noise[o])), atol=0.005)
    a, s, b = lin.OriginGradient(pairs, noise, k).singular_pairs(2)
    np.testing.assert_allclose(s, np.linalg.svd(redraw, compute_uv=False)[:2], rtol=1e-9)
    assert a[:, 0].sum() > 0


def test_the_expected_step_near_the_origin_is_linear_in_g():
    """The trainer's own batch gradient, over a huge batch at small parameters, is −½ G (outside) and
    −½ Gᵀ (center): the ½ from σ(0), the mean over windows, the redrawn negatives all as derived."""
    vocab, corpus = small_corpus()
    n, k, d = len(vocab), 3, 2
    rng = np.random.default_rng(5)
    params = np.concatenate([rng.standard_normal((n, d)), rng.standard_normal((n, d))]) * 1e-4  # (2n, d)
    sampler = NegativeSampler(vocab.counts, rng, method="alias")
    batch = draw_batches(ContextSampler(corpus), sampler, rng, 1, 300_000, 2, k)[0]
    _, grad = batch_loss_and_gradient(params, batch, n)
    grad = grad.toarray()  # (2n, d)
    op = lin.OriginGradient(lin.pairs_per_window(corpus, n, 2), sampler.probabilities, k).operator()
    want_center, want_outside = -0.5 * op.matmat(params[n:]), -0.5 * op.rmatmat(params[:n])
    scale = 1e-4 * np.abs(op.matmat(np.eye(n))).max()
    assert np.abs(grad[:n] - want_center).max() < 0.05 * scale
    assert np.abs(grad[n:] - want_outside).max() < 0.05 * scale
    assert np.abs(grad[n:] - 2 * want_outside).max() > 0.2 * scale  # a missing ½ would show


def test_step_sizes_follow_sgds_annealing():
    np.testing.assert_allclose(lin.step_sizes(0.3, 5, 2), [0.3, 0.3, 0.15, 0.15, 0.075])


def test_step_sizes_are_the_steps_sgd_takes():
    """Against sgd_loop.sgd itself: with a gradient of 1, each step moves x by exactly η_t."""
    from w2v_lib.sgd_loop import sgd

    seen = []

    def f(x):
        seen.append(float(x[0]))  # x before each iteration
        return 1.0, np.ones(1)

    sgd(f, np.zeros(1), 0.3, 7, anneal_every=3, log=None)
    np.testing.assert_allclose(-np.diff(seen), lin.step_sizes(0.3, 7, 3)[:6], rtol=1e-12)


def test_predicted_mode_lengths_iterate_the_expected_map():
    s, steps = 0.02, lin.step_sizes(0.5, 300, 100)
    p, q = np.array([0.07, -0.03]), np.zeros(2)
    lengths = [(np.linalg.norm(p), np.linalg.norm(q))]
    for eta in steps:
        p, q = p + eta * s / 2 * q, q + eta * s / 2 * p
        lengths.append((np.linalg.norm(p), np.linalg.norm(q)))
    got_p, got_q = lin.predicted_mode_lengths(s, np.linalg.norm([0.07, -0.03]), steps)
    np.testing.assert_allclose(np.column_stack([got_p, got_q]), lengths, rtol=1e-12)
    clock = np.concatenate([[0], np.cumsum(steps * s / 2)])
    np.testing.assert_allclose(got_q, np.linalg.norm([0.07, -0.03]) * np.sinh(clock), rtol=5e-3)  # ≈ sinh


def test_first_crossing_interpolates_in_log():
    assert lin.first_crossing([0, 10, 20], [0.1, 1.0, 10.0], 3.1622776601683795) == pytest.approx(15.0)
    assert lin.first_crossing([0, 10], [0.1, 0.2], 1.0) is None
    assert lin.first_crossing([5, 10], [2.0, 3.0], 1.0) == 5.0
