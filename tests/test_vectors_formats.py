"""Vector files: word2vec text/binary round trips through gensim both ways, the projector's TSV pair,
and malformed files that say which line is wrong."""
import numpy as np
import pytest
from gensim.models import KeyedVectors
from support.messages import says

from w2v_lib import load_projector_tsv, load_word2vec, save_projector_tsv, save_word2vec

WORDS = ["the", "café", "naïve", "don't", "-LRB-", "''", "über", "x"]


def vectors(n=None, d=5, seed=0):
    n = len(WORDS) if n is None else n
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32) * 3


def gensim_vectors(words, vecs):
    kv = KeyedVectors(vecs.shape[1])
    kv.add_vectors(words, vecs)
    return kv


@pytest.mark.parametrize("binary", [False, True])
def test_ours_to_gensim(tmp_path, binary):
    vecs = vectors()
    path = save_word2vec(tmp_path / "v.w2v", WORDS, vecs, binary=binary)
    kv = KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert list(kv.index_to_key) == WORDS
    if binary:
        np.testing.assert_array_equal(kv.vectors, vecs)
    else:
        np.testing.assert_allclose(kv.vectors, vecs, rtol=1e-5)  # six significant digits in text


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_to_ours(tmp_path, binary):
    vecs = vectors(seed=1)
    path = tmp_path / "g.w2v"
    gensim_vectors(WORDS, vecs).save_word2vec_format(str(path), binary=binary)
    for hint in (binary, None):  # told the format, or left to tell it from the content
        words, loaded = load_word2vec(path, binary=hint)
        assert words == WORDS and loaded.dtype == np.float32 and loaded.shape == vecs.shape
        np.testing.assert_allclose(loaded, vecs, rtol=1e-6)


@pytest.mark.parametrize("binary", [False, True])
def test_our_round_trip(tmp_path, binary):
    vecs = vectors(seed=2)
    words, loaded = load_word2vec(save_word2vec(tmp_path / "sub" / "v.txt", WORDS, vecs, binary=binary))
    assert words == WORDS
    np.testing.assert_allclose(loaded, vecs, rtol=0 if binary else 1e-5)
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["v.txt"]  # no temporary file left


def test_projector_tsv_round_trip(tmp_path):
    vecs = vectors(seed=3)
    v_path, m_path = tmp_path / "vectors.tsv", tmp_path / "metadata.tsv"
    save_projector_tsv(v_path, m_path, WORDS, vecs)
    assert m_path.read_text(encoding="utf-8").splitlines() == WORDS  # one column: no header
    assert len(v_path.read_text().splitlines()[0].split("\t")) == 5
    words, loaded, meta = load_projector_tsv(v_path, m_path)
    assert words == WORDS and meta == {}
    np.testing.assert_allclose(loaded, vecs, rtol=1e-5)


def test_projector_tsv_with_metadata_columns(tmp_path):
    vecs = vectors(n=3, seed=4)
    words = ['"quoted"', "b", "c"]
    meta = {"count": [10, 5, 1], "note": ["a 'x'", "has space", ""]}
    v_path, m_path = tmp_path / "vectors.tsv", tmp_path / "metadata.tsv"
    save_projector_tsv(v_path, m_path, words, vecs, metadata=meta)
    # the projector splits on tabs and knows no quoting: the file must hold the text as it is
    assert m_path.read_text(encoding="utf-8").splitlines() == [
        "word\tcount\tnote", '"quoted"\t10\ta \'x\'', "b\t5\thas space", "c\t1\t"]
    got_words, loaded, got_meta = load_projector_tsv(v_path, m_path)
    assert got_words == words
    assert got_meta == {"count": ["10", "5", "1"], "note": ["a 'x'", "has space", ""]}
    np.testing.assert_allclose(loaded, vecs, rtol=1e-5)


@pytest.mark.parametrize("meta, match", [
    ({"count": [1, 2]}, "metadata column 'count' has 2 values for 3 words"),
    ({"note": ["a", "tab\there", "c"]}, "tab or line break"),
    ({"bad\tname": ["a", "b", "c"]}, "tab or line break"),
])
def test_projector_metadata_that_cannot_be_stored_is_refused(tmp_path, meta, match):
    with pytest.raises(ValueError, match=match):
        save_projector_tsv(tmp_path / "v.tsv", tmp_path / "m.tsv", ["a", "b", "c"], vectors(n=3), metadata=meta)


def test_projector_row_count_mismatch(tmp_path):
    v_path, m_path = tmp_path / "vectors.tsv", tmp_path / "metadata.tsv"
    save_projector_tsv(v_path, m_path, ["a", "b", "c"], vectors(n=3))
    m_path.write_text("a\nb\n")
    with pytest.raises(ValueError, match=says('metadata.tsv', '2', '3', 'vectors.tsv')):
        load_projector_tsv(v_path, m_path)
    v_path.write_text("1\t2\n3\tx\n")
    with pytest.raises(ValueError, match=says('vectors.tsv', 'tab-separated')):
        load_projector_tsv(v_path, m_path)


@pytest.mark.parametrize("words, vecs, match", [
    (["new york", "b"], vectors(n=2), "'new york' is empty or contains white space"),
    (["tab\tword", "b"], vectors(n=2), "contains white space"),
    (["", "b"], vectors(n=2), "is empty"),
    (["a", "a"], vectors(n=2), "words must be unique"),
    (["a", "b", "c"], vectors(n=2), "got 3 words for 2 vectors"),
    (["a", "b"], np.zeros(2), r"vectors must be 2-D \(\|Vocab\|, d\); got shape \(2,\)"),
    (["a", "b"], np.full((2, 2), "1.0"), "vectors must hold real numbers; got dtype <U3"),
])
@pytest.mark.parametrize("binary", [False, True])
def test_what_a_vector_file_cannot_hold_is_refused(tmp_path, words, vecs, match, binary):
    with pytest.raises(ValueError, match=match):
        save_word2vec(tmp_path / "v.txt", words, vecs, binary=binary)
    with pytest.raises(ValueError, match=match):
        save_projector_tsv(tmp_path / "v.tsv", tmp_path / "m.tsv", words, vecs)


@pytest.mark.parametrize("text, match", [
    ("three 2\na 1 2\n", "first line must be '<number of words> <dimension>'"),
    ("3\na 1 2\n", "first line must be"),
    ("2 0\na\nb\n", "first line must be"),
    ("2 2\na 1 2\nb 1\n", "line 3: expected a word and 2 numbers; got 1 fields"),
    ("2 2\na 1 2\n\nb 1 2 3\n", "line 4: expected a word and 2 numbers; got 3 fields"),  # blank lines count
    ("3 2\na 1 2\nb 3 4\nc 5 oops\n", "line 4: a value is not a number"),
    ("3 2\na 1 2\nb 3 4\n", "header promises 3 words but the file has 2"),
])
def test_malformed_text_files_name_the_line(tmp_path, text, match):
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        load_word2vec(path, binary=False)
    with pytest.raises(ValueError, match=match):
        load_word2vec(path)  # the same verdict when the format is detected


def test_truncated_binary_file_names_the_word(tmp_path):
    path = save_word2vec(tmp_path / "v.bin", WORDS, vectors(), binary=True)
    path.write_bytes(path.read_bytes()[:-10])  # into the last vector
    with pytest.raises(ValueError, match=says("v.bin", f"{len(WORDS)} of {len(WORDS)}")):
        load_word2vec(path, binary=True)
    path.write_bytes(b"8 5\nthe ")
    with pytest.raises(ValueError, match=says('v.bin', '1 of 8')):
        load_word2vec(path, binary=True)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=says('nope.txt')):
        load_word2vec(tmp_path / "nope.txt")


def test_text_format_keeps_float32_exactly_and_leaves_no_temp_file(tmp_path):
    vecs = np.random.default_rng(3).normal(size=(4, 6)).astype(np.float32)
    path = save_word2vec(tmp_path / "v.txt", ["a", "b", "c", "d"], vecs)
    np.testing.assert_array_equal(load_word2vec(path)[1], vecs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.txt"]


# --- what gensim reads, read the same way (issue 9, part 4) ----------------------------------
def test_non_utf8_word_names_the_line_or_reads_as_gensim(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"2 2\ncaf\xe9 1 2\nok 3 4\n")
    with pytest.raises(ValueError, match=says('latin1.txt', 'line 2', 'column 4', 'UTF-8')):
        load_word2vec(path)
    for errors in ("replace", "ignore"):
        words, vecs = load_word2vec(path, unicode_errors=errors)
        theirs = KeyedVectors.load_word2vec_format(str(path), unicode_errors=errors)
        assert words == theirs.index_to_key and np.array_equal(vecs, theirs.vectors)


def test_non_utf8_word_in_a_binary_file(tmp_path):
    path = tmp_path / "v.bin"
    rows = np.arange(4, dtype="<f4").reshape(2, 2)
    path.write_bytes(b"2 2\ncaf\xe9 " + rows[0].tobytes() + b"\nok " + rows[1].tobytes() + b"\n")
    with pytest.raises(ValueError, match="word 1 .* is not UTF-8"):
        load_word2vec(path, binary=True)
    words, _ = load_word2vec(path, binary=True, unicode_errors="replace")
    assert words == KeyedVectors.load_word2vec_format(str(path), binary=True, unicode_errors="replace").index_to_key


def test_only_newline_ends_a_line(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes("3 2\nab\u2028cd 1 2\nx\x0cy 3 4\nz\x85w 5 6\n".encode("utf-8"))
    words, vecs = load_word2vec(path)
    theirs = KeyedVectors.load_word2vec_format(str(path))
    assert words == ["ab\u2028cd", "x\x0cy", "z\x85w"] == theirs.index_to_key
    assert np.array_equal(vecs, theirs.vectors)


@pytest.mark.parametrize("binary, match", [(False, "header promises 1000000000 words but the file has 1"),
                                           (True, "binary data ends early at word 2 of 1000000000")])
def test_a_header_promising_too_much_is_refused_before_allocating(tmp_path, binary, match):
    import tracemalloc

    path = tmp_path / "huge.txt"
    path.write_bytes(b"1000000000 300\n" + b"a " + b" ".join([b"0.5"] * 300) + b"\n")
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            load_word2vec(path, binary=binary)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000  # the promised table would be 1.2 TB


def test_gzip_and_limit(tmp_path):
    import gzip

    path = save_word2vec(tmp_path / "v.txt", WORDS, vectors())
    packed = tmp_path / "v.txt.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    words, vecs = load_word2vec(packed, limit=3)
    assert words == WORDS[:3] and np.array_equal(vecs, vectors()[:3].astype(np.float32))
    assert load_word2vec(packed)[0] == WORDS


def test_projector_metadata_that_is_not_utf8_names_the_line(tmp_path):
    save_projector_tsv(tmp_path / "v.tsv", tmp_path / "m.tsv", ["a", "b"], vectors(n=2))
    (tmp_path / "m.tsv").write_bytes(b"a\ncaf\xe9\n")
    with pytest.raises(ValueError, match=says('m.tsv', 'line 2', 'column 4', 'UTF-8')):
        load_projector_tsv(tmp_path / "v.tsv", tmp_path / "m.tsv")
    (tmp_path / "m.tsv").write_bytes("a\u2028x\nb\x0cy\n".encode())  # only \n ends a row
    assert load_projector_tsv(tmp_path / "v.tsv", tmp_path / "m.tsv")[0] == ["a\u2028x", "b\x0cy"]
