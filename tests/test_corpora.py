"""Corpus readers and the vocabulary."""
import numpy as np
import pytest

from w2v_lib.corpora import build_vocab, encode, read_text_sentences, split_long, wiki_sample_sentences


def test_text_reader_splits_lines_and_skips_blank_ones(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("The cat sat\n\n  \nthe dog\n", encoding="utf-8")
    assert read_text_sentences(path) == [["The", "cat", "sat"], ["the", "dog"]]
    assert read_text_sentences(path, lowercase=True)[0] == ["the", "cat", "sat"]


def test_text_reader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="one sentence per line"):
        read_text_sentences(tmp_path / "missing.txt")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n \n", encoding="utf-8")
    with pytest.raises(ValueError, match="holds no tokens"):
        read_text_sentences(blank)


def test_split_long_keeps_every_token_in_order():
    sentences = [list("abcdefg"), list("xy")]
    pieces = split_long(sentences, 3)
    assert pieces == [list("abc"), list("def"), list("g"), list("xy")]
    with pytest.raises(ValueError, match="max_length"):
        split_long(sentences, 0)


def test_vocabulary_is_sorted_by_count_and_cut_at_min_count():
    vocab = build_vocab([["b", "a", "b"], ["c", "a", "b"], ["d"]], min_count=2)
    assert vocab.words == ["b", "a"] and vocab.counts.tolist() == [3, 2]
    assert vocab.index == {"b": 0, "a": 1} and len(vocab) == 2


def test_vocabulary_errors():
    with pytest.raises(ValueError, match="empty"):
        build_vocab([[], []])
    with pytest.raises(ValueError, match="min_count=3 removes every word"):
        build_vocab([["a", "a", "b"]], min_count=3)
    with pytest.raises(ValueError, match="min_count must be a positive integer"):
        build_vocab([["a"]], min_count=0)
    with pytest.raises(ValueError, match="not strings"):
        build_vocab(["a sentence as one string"])


def test_encode_drops_unknown_words_and_empty_sentences():
    vocab = build_vocab([["x", "y", "x"]], min_count=1)
    ids = encode([["x", "zz", "y"], ["zz"]], vocab)
    assert len(ids) == 1 and ids[0].dtype == np.int32 and ids[0].tolist() == [0, 1]
    with pytest.raises(ValueError, match="no sentence keeps"):
        encode([["zz"]], vocab)


def test_wiki_sample_has_the_size_the_benchmark_quotes():
    sentences = wiki_sample_sentences()
    assert max(len(s) for s in sentences) <= 10000
    n_tokens = sum(len(s) for s in sentences)
    assert 440_000 < n_tokens < 470_000
    vocab = build_vocab(sentences, min_count=5)
    assert 8_500 < len(vocab) < 9_500 and vocab.words[0] == "the"
