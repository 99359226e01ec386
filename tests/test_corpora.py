"""corpora: one vocabulary for both trainers, the course's subsampling and windows, the text readers."""
from collections import Counter

import numpy as np
import pytest
from support.messages import says

from w2v_lib.corpora import (
    UNK,
    ContextSampler,
    TokenizedCorpus,
    build_vocabulary,
    encode,
    keep_probabilities,
    prepare_corpus,
    read_text_sentences,
    reject_probabilities,
    split_long,
    subsample,
    wiki_sample_sentences,
)

SENTENCES = [["a", "b", "a", "c"], ["b", "d"], ["e"], ["a", "a", "b", "c", "d"]]


def test_vocabulary_in_first_occurrence_order_with_unk():
    vocab = build_vocabulary(SENTENCES)
    assert vocab.words == ["a", "b", "c", "d", "e", UNK]
    assert vocab.counts.tolist() == [4, 3, 2, 2, 1, 1]
    assert vocab.n_tokens == 12 + 1  # the course counts the UNK too
    assert build_vocabulary(SENTENCES, unknown="error").words == ["a", "b", "c", "d", "e"]
    with pytest.raises(ValueError, match=says('sentences', 'empty')):
        build_vocabulary([[], []], unknown="error")


def test_encode_flattens_with_offsets():
    vocab = build_vocabulary(SENTENCES)
    corpus = encode(SENTENCES, vocab)
    assert corpus.tokens.tolist() == [0, 1, 0, 2, 1, 3, 4, 0, 0, 1, 2, 3]
    assert corpus.starts.tolist() == [0, 4, 6, 7] and corpus.lengths.tolist() == [4, 2, 1, 5]
    assert corpus.sentence(3).tolist() == [0, 0, 1, 2, 3]
    assert encode([["zzz"]], vocab).tokens.tolist() == [vocab.index[UNK]]
    with pytest.raises(ValueError, match=says("'zzz'", "unknown='map'")):
        encode([["zzz"]], build_vocabulary(SENTENCES, unknown="error"))


def test_reject_probabilities_are_the_courses_formula():
    counts = np.array([1000, 100, 10, 1])
    p = reject_probabilities(counts, n_tokens=100_000, threshold=1e-3)  # threshold·N = 100
    np.testing.assert_allclose(p, [1 - np.sqrt(0.1), 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="positive counts"):
        reject_probabilities([3, 0])


def test_keep_probabilities_are_the_one_formula_of_the_course_and_of_word2vec():
    """The course keeps w with min(1, √(t/f)); word2vec.c and gensim with (√(f/t) + 1)·t/f, capped at 1;
    reject_probabilities is the course's complement; threshold 0 keeps everything."""
    counts = np.array([5000, 1000, 100, 10])
    t_n = 1e-3 * 100_000  # threshold·N
    course = keep_probabilities(counts, n_tokens=100_000, threshold=1e-3)
    np.testing.assert_allclose(course, np.minimum(np.sqrt(t_n / counts), 1.0))
    np.testing.assert_allclose(reject_probabilities(counts, 100_000, 1e-3), 1.0 - course)
    word2vec = keep_probabilities(counts, n_tokens=100_000, threshold=1e-3, word2vec=True)
    np.testing.assert_allclose(word2vec, np.minimum((np.sqrt(counts / t_n) + 1) * t_n / counts, 1.0))
    assert (word2vec > course)[:2].all() and word2vec[0] < 1
    np.testing.assert_array_equal(keep_probabilities(counts, threshold=0.0, word2vec=True), np.ones(4))


def test_subsample_keeps_each_occurrence_with_one_minus_the_reject_probability():
    rng = np.random.default_rng(0)
    sentences = [["the", "cat", "the", "dog", "the"]] * 400
    vocab = build_vocabulary(sentences)
    corpus = encode(sentences, vocab)
    reject = np.array([0.9, 0.0, 0.0, 0.0])  # the, cat, dog, UNK
    sub = subsample(corpus, reject, rng, copies=30)
    kept = np.bincount(sub.tokens, minlength=4)
    # 'cat' and 'dog' are always kept, but sentences left with < 2 tokens are dropped.
    assert kept[1] == kept[2] == sub.n_sentences
    assert (sub.lengths >= 2).all()
    assert kept[0] / sub.n_sentences == pytest.approx(3 * 0.1, abs=0.02)
    assert sub.n_sentences == 30 * 400  # cat + dog always survive, so no sentence is dropped
    again = subsample(corpus, reject, np.random.default_rng(0), copies=30)
    np.testing.assert_array_equal(again.tokens, sub.tokens)
    with pytest.raises(ValueError, match="copies"):
        subsample(corpus, reject, rng, copies=0)


def exact_window_distribution(sentences, max_window):
    """P(center, context) of the course's procedure, enumerated: sizes uniform in 1..C, sentence then
    position uniform, center's repeats dropped, empty contexts redrawn (with the same size)."""
    total = Counter()
    for size in range(1, max_window + 1):
        outcomes = Counter()
        for s in sentences:
            for pos, center in enumerate(s):
                ctx = [w for w in s[max(0, pos - size):pos] + s[pos + 1:pos + 1 + size] if w != center]
                if ctx:
                    outcomes[(center, tuple(ctx))] += 1 / (len(sentences) * len(s))
        z = sum(outcomes.values())  # redrawing an empty context = conditioning on a non-empty one
        for key, p in outcomes.items():
            total[key] += p / z / max_window
    return total


def test_both_window_samplers_follow_the_courses_distribution():
    sentences = [[0, 1, 2, 1, 3], [2, 2, 4], [0, 3], [1, 1]]  # [1, 1] never yields a context
    lengths = np.array([len(s) for s in sentences])
    corpus = TokenizedCorpus(np.concatenate(sentences).astype(np.int32),
                             np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    sampler = ContextSampler(corpus)
    exact = exact_window_distribution(sentences, 3)
    n = 40000
    rng = np.random.default_rng(7)
    centers, contexts = sampler.random_contexts(rng, n, 3)
    bulk = Counter((int(c), tuple(int(w) for w in row if w >= 0)) for c, row in zip(centers, contexts))
    rng = np.random.default_rng(8)
    one_by_one = Counter()
    for _ in range(n):
        c, ctx = sampler.random_context(rng, int(rng.integers(1, 4)))
        one_by_one[(c, tuple(ctx.tolist()))] += 1
    for observed in (bulk, one_by_one):
        assert set(observed) <= set(exact)
        worst = max(abs(observed[k] / n - p) for k, p in exact.items())
        assert worst < 0.006  # ~4 standard deviations of the largest cell
    assert not (contexts == centers[:, None]).any()


def test_context_sampler_needs_sentences_of_two_tokens():
    corpus = encode([["a", "b"], ["c"]], build_vocabulary([["a", "b"], ["c"]]))
    with pytest.raises(ValueError, match="2 or more tokens"):
        ContextSampler(corpus)
    with pytest.raises(ValueError, match="window"):
        ContextSampler(encode([["a", "b"]], build_vocabulary([["a", "b"]]))).random_context(np.random.default_rng(), 0)


def test_prepare_corpus_bundles_the_pipeline():
    sentences = [["x", "y", "z", "y"]] * 50
    data = prepare_corpus(sentences, np.random.default_rng(0), copies=2, threshold=0.5)
    assert len(data.vocab) == 4 and data.reject_prob.shape == (4,)
    assert (data.subsampled.lengths >= 2).all() and data.subsampled.n_sentences <= 100
    with pytest.raises(ValueError, match="too small"):
        prepare_corpus([["x", "y"]], np.random.default_rng(0), copies=1, threshold=1e-9)


def test_encode_maps_unknown_words_to_a_custom_unknown_token():
    vocab = build_vocabulary([["a", "b"]], unk_token="<unk>")
    corpus = encode([["a", "zzz"], []], vocab)
    assert corpus.tokens.tolist() == [vocab.index["a"], vocab.index["<unk>"]]
    assert corpus.starts.tolist() == [0] and corpus.lengths.tolist() == [2]  # the empty sentence is skipped


def test_text_reader_splits_lines_and_skips_blank_ones(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("The cat sat\n\n  \nthe dog\n", encoding="utf-8")
    assert read_text_sentences(path) == [["The", "cat", "sat"], ["the", "dog"]]
    assert read_text_sentences(path, lowercase=True)[0] == ["the", "cat", "sat"]


def test_text_reader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=says('missing.txt', 'one sentence per line')):
        read_text_sentences(tmp_path / "missing.txt")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n \n", encoding="utf-8")
    with pytest.raises(ValueError, match=says('blank.txt', 'no tokens')):
        read_text_sentences(blank)


def test_split_long_keeps_every_token_in_order():
    sentences = [list("abcdefg"), list("xy")]
    pieces = split_long(sentences, 3)
    assert pieces == [list("abc"), list("def"), list("g"), list("xy")]
    with pytest.raises(ValueError, match="max_length"):
        split_long(sentences, 0)


def test_vocabulary_is_sorted_by_count_and_cut_at_min_count():
    vocab = build_vocabulary([["b", "a", "b"], ["c", "a", "b"], ["d"]], min_count=2, order="count", unknown="drop")
    assert vocab.words == ["b", "a"] and vocab.counts.tolist() == [3, 2]
    assert vocab.index == {"b": 0, "a": 1} and len(vocab) == 2


def test_vocabulary_errors():
    with pytest.raises(ValueError, match="empty"):
        build_vocabulary([[], []])
    with pytest.raises(ValueError, match=says('min_count', '3', '2')):
        build_vocabulary([["a", "a", "b"]], min_count=3)
    with pytest.raises(ValueError, match=says('min_count', '0')):
        build_vocabulary([["a"]], min_count=0)
    with pytest.raises(ValueError, match="not strings"):
        build_vocabulary(["a sentence as one string"])
    with pytest.raises(ValueError, match=says('order', "'alphabetical'", "'first_seen'", "'count'")):
        build_vocabulary([["a"]], order="alphabetical")
    with pytest.raises(ValueError, match=says('unknown', "'skip'", "'map'")):
        build_vocabulary([["a"]], unknown="skip")


def test_encode_drops_unknown_words_and_empty_sentences():
    vocab = build_vocabulary([["x", "y", "x"]], order="count", unknown="drop")
    ids = encode([["x", "zz", "y"], ["zz"]], vocab)
    assert len(ids) == 1 and ids[0].dtype == np.int32 and ids[0].tolist() == [0, 1]
    with pytest.raises(ValueError, match="no sentence keeps"):
        encode([["zz"]], vocab)


def test_wiki_sample_has_the_size_the_benchmark_quotes():
    sentences = wiki_sample_sentences()
    assert max(len(s) for s in sentences) <= 10000
    n_tokens = sum(len(s) for s in sentences)
    assert 440_000 < n_tokens < 470_000
    vocab = build_vocabulary(sentences, min_count=5, order="count", unknown="drop")
    assert 8_500 < len(vocab) < 9_500 and vocab.words[0] == "the"


def test_min_count_with_the_unknown_token_keeps_the_courses_bookkeeping():
    vocab = build_vocabulary([["a", "a", "b"], ["c", "a"]], min_count=2)
    assert vocab.words == ["a", UNK] and vocab.counts.tolist() == [3, 1]
    assert encode([["b", "a", "c"]], vocab).tokens.tolist() == [1, 0, 1]
