"""Our analogy and word-pair evaluation against gensim's, on the same vectors."""
import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath
from support.messages import says

from w2v_lib.vectors.evaluation import analogy_accuracy, word_pair_similarity

QUESTIONS = datapath("questions-words.txt")


def question_words():
    words = []
    with open(QUESTIONS, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith(":"):
                words += line.lower().split()
    return list(dict.fromkeys(words))


@pytest.fixture(scope="module")
def planted():
    """Random vectors in which the first section's analogies (capital → country) mostly hold,
    with some question words left out of the vocabulary so coverage is partial."""
    rng = np.random.default_rng(0)
    words = [w for w in question_words() if rng.random() > 0.1]
    vecs = rng.standard_normal((len(words), 30)).astype(np.float32)
    index = {w: i for i, w in enumerate(words)}
    offset = rng.standard_normal(30).astype(np.float32) * 3
    with open(QUESTIONS, encoding="utf-8") as fh:
        lines = fh.read().split(": ")[1].splitlines()[1:]  # capital-common-countries
    for line in lines:
        capital, country = line.lower().split()[:2]
        if capital in index and country in index:
            vecs[index[country]] = vecs[index[capital]] + offset + 0.3 * rng.standard_normal(30)
    kv = KeyedVectors(30)
    kv.add_vectors(words, vecs)
    return words, vecs, kv


def test_analogy_accuracy_matches_gensim(planted):
    words, vecs, kv = planted
    ours = analogy_accuracy(vecs, words, QUESTIONS)
    total, sections = kv.evaluate_word_analogies(QUESTIONS)
    theirs = {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in sections}
    assert ours.accuracy == pytest.approx(total, abs=1e-12)
    assert ours.correct == theirs["Total accuracy"][0] and ours.covered == theirs["Total accuracy"][1]
    for name, correct, covered, _ in ours.sections:
        assert (correct, covered) == theirs.get(name, (0, 0)), name
    first = ours.sections[0]
    assert first[0] == "capital-common-countries" and first[1] > 0.5 * first[2]  # the planted analogies
    assert ours.total == 19544 and ours.covered < ours.total


@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
def test_word_pair_spearman_matches_gensim(name):
    rng = np.random.default_rng(1)
    pairs = [line.lower().split("\t")[:2] for line in open(datapath(name), encoding="utf-8")
             if not line.startswith("#")]
    words = [w for w in dict.fromkeys(w for p in pairs for w in p) if rng.random() > 0.15]
    vecs = rng.standard_normal((len(words), 20)).astype(np.float32)
    kv = KeyedVectors(20)
    kv.add_vectors(words, vecs)
    ours = word_pair_similarity(vecs, words, datapath(name))
    pearson, spearman, oov_percent = kv.evaluate_word_pairs(datapath(name))
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert 100 * ours.oov_ratio == pytest.approx(oov_percent)
    assert ours.oov > 0


def test_case_is_folded_and_a_perfect_model_scores_one(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("# comment\nA\tb\t1.0\na\tc\t2.0\nb\tc\t3.0\nzz\ta\t4.0\n", encoding="utf-8")
    vecs = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.2]], dtype=np.float32)  # cos(a,b)<cos(a,c)<cos(b,c)
    result = word_pair_similarity(vecs, ["a", "b", "c"], path)
    assert result.spearman == pytest.approx(1.0) and (result.covered, result.oov) == (3, 1)


def test_evaluation_errors(tmp_path):
    vecs = np.zeros((2, 3))
    with pytest.raises(ValueError, match=says('words', '1', '2 rows')):
        analogy_accuracy(vecs, ["a"], QUESTIONS)
    with pytest.raises(FileNotFoundError, match=says('nope.tsv', 'questions-words.txt')):
        word_pair_similarity(vecs, ["a", "b"], tmp_path / "nope.tsv")
    with pytest.raises(ValueError, match="too few"):
        word_pair_similarity(vecs, ["a", "b"], datapath("wordsim353.tsv"))


def test_nearest_neighbours_rank_by_cosine():
    from w2v_lib.vectors.evaluation import nearest_neighbours
    vecs = np.array([[1, 0], [0.9, 0.1], [0, 1], [-1, 0]], dtype=np.float32)
    words = ["a", "b", "c", "d"]
    assert [w for w, _ in nearest_neighbours(vecs, words, "A", k=3)] == ["b", "c", "d"]
    with pytest.raises(ValueError, match=says("'zz'", 'vocabulary')):
        nearest_neighbours(vecs, words, "zz")
    with pytest.raises(ValueError, match=says('k', '[1, 3]', '4')):
        nearest_neighbours(vecs, words, "a", k=4)
