"""Intrinsic evaluation of word vectors: analogies by 3CosAdd and word-pair similarity by Spearman.

Both compare words case-insensitively (the benchmark files are capitalised, our corpora are
lower-cased) and report how much of the test set the vocabulary covers, because a score on
40 % of the questions is not comparable with one on 90 %.
The test files ship with gensim: `gensim.test.utils.datapath("questions-words.txt")`,
`"wordsim353.tsv"` and `"simlex999.txt"`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .keyed import WordVectors


def _raw_vectors(vectors, words) -> WordVectors:
    """The benchmarks score the vectors as given: no centring."""
    words = list(words)
    if len(words) != len(vectors):
        raise ValueError(f"words must name every row of vectors: got {len(words)} words for {len(vectors)} rows")
    return WordVectors(words, vectors, centred=False)


def _data_file(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no evaluation file at {path}: e.g. gensim.test.utils.datapath('questions-words.txt')")
    return path


@dataclass
class AnalogyResult:
    sections: list  # (name, correct, covered, total) per section, in file order
    correct: int
    covered: int  # questions whose four words are all in the vocabulary
    total: int

    @property
    def accuracy(self) -> float:
        """Correct over covered questions (gensim's "Total accuracy")."""
        return self.correct / self.covered if self.covered else 0.0


def analogy_accuracy(vectors, words, path, batch: int = 1024) -> AnalogyResult:
    """3CosAdd: for "a is to b as c is to d", predict argmax_w cos(w, b̂ − â + ĉ) over the vocabulary
    without a, b and c (unit vectors), and count it correct when it is d.

    Args:
        vectors: (|Vocab|, d) the word vectors, one row per word of `words`.
        words: the |Vocab| words.
        path: a questions file in word2vec's format (": section" lines, then "a b c d" lines).
    """
    kv = _raw_vectors(vectors, words)
    index = kv.lower_index
    sections, questions = [], []  # questions: (section number, a, b, c, d) as rows
    with _data_file(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(":"):
                sections.append([line[1:].strip(), 0, 0, 0])
                continue
            parts = line.lower().split()
            if len(parts) != 4:
                continue
            if not sections:
                raise ValueError(f"{path}: a question comes before the first ': section' line")
            sections[-1][3] += 1
            ids = [index.get(w) for w in parts]
            if None not in ids:
                questions.append([len(sections) - 1, *ids])
    q = np.array(questions, dtype=np.int64).reshape(-1, 5)  # (Q, 5)
    units = kv.unit_vectors
    targets = units[q[:, 2]] - units[q[:, 1]] + units[q[:, 3]]  # (Q, d)  b̂ − â + ĉ
    best, _ = kv.nearest(targets, 1, exclude=q[:, 1:4], chunk=batch)  # (Q, 1) the question words never count
    hits = best[:, 0] == q[:, 4]
    for k, sec in enumerate(sections):
        mine = q[:, 0] == k
        sec[1], sec[2] = int(hits[mine].sum()), int(mine.sum())
    return AnalogyResult(sections=[tuple(sec) for sec in sections], correct=int(hits.sum()),
                         covered=int(q.shape[0]), total=sum(sec[3] for sec in sections))


@dataclass
class WordPairResult:
    spearman: float  # rank correlation of cosine similarity with the human scores
    pearson: float
    covered: int  # pairs with both words in the vocabulary
    oov: int  # pairs left out because a word is missing

    @property
    def oov_ratio(self) -> float:
        return self.oov / (self.covered + self.oov) if self.covered + self.oov else 0.0


def word_pair_similarity(vectors, words, path) -> WordPairResult:
    """Spearman correlation between cos(v_a, v_b) and the human score of each pair in a
    tab-separated file (word, word, score; lines starting with # are comments)."""
    from scipy.stats import pearsonr, spearmanr

    kv = _raw_vectors(vectors, words)
    index, units = kv.lower_index, kv.unit_vectors
    model, human, oov = [], [], 0
    with _data_file(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.lower().split("\t")
            if len(parts) < 3:
                raise ValueError(f"{path}: expected 'word<TAB>word<TAB>score'; got {line.strip()!r}")
            a, b = index.get(parts[0].strip()), index.get(parts[1].strip())
            if a is None or b is None:
                oov += 1
                continue
            model.append(float(units[a] @ units[b]))
            human.append(float(parts[2]))
    if len(model) < 3:
        raise ValueError(f"only {len(model)} pairs of {path} are in the vocabulary: too few to correlate")
    return WordPairResult(spearman=float(spearmanr(model, human).statistic),
                          pearson=float(pearsonr(model, human).statistic), covered=len(model), oov=oov)


def evaluate_all(vectors, words) -> dict:
    """Analogy accuracy, WordSim353 and SimLex-999 Spearman with gensim's shipped test files."""
    from gensim.test.utils import datapath

    analogy = analogy_accuracy(vectors, words, datapath("questions-words.txt"))
    ws = word_pair_similarity(vectors, words, datapath("wordsim353.tsv"))
    sl = word_pair_similarity(vectors, words, datapath("simlex999.txt"))
    return {"analogy": analogy.accuracy, "analogy_covered": analogy.covered, "ws353": ws.spearman,
            "ws353_oov": ws.oov, "simlex": sl.spearman, "simlex_oov": sl.oov}


def nearest_neighbours(vectors, words, query: str, k: int = 5) -> list:
    """The k words with the highest cosine similarity to `query` (itself left out), best first;
    `query` is matched case-insensitively."""
    kv = _raw_vectors(vectors, words)
    if query.lower() not in kv.lower_index:
        raise ValueError(f"query {query!r} is not in the vocabulary of {len(kv)} words")
    if not isinstance(k, int) or not 1 <= k < len(kv):
        raise ValueError(f"k must be an integer in [1, {len(kv) - 1}]; got {k!r}")
    row = kv.lower_index[query.lower()]
    return kv.neighbours_of_vector(kv.vectors[row], k, exclude=(row,))
