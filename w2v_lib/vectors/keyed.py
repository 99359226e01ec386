"""One object for trained word vectors, in the spirit of gensim's KeyedVectors: the words, their
index, the (|Vocab|, D) vectors, optional counts, and the questions asked of them.

Every nearest-neighbour question in the workbook goes through `WordVectors.nearest` (a batch of
query vectors → each one's k best rows): a word's neighbours, an expression's, an analogy,
the export's table of every word's neighbours and the analogy benchmark.

Centring: small word2vec runs leave every vector with one large shared component, so all raw
cosines are ≈ 1 and the neighbour lists carry no information. By default the vectors are
centred: the mean vector μ is subtracted first (Mu & Viswanath 2018, "All-but-the-top") and
every question is asked of x_w − μ; `raw_vectors` keeps the vectors as given. Vectors are
rows, (|Vocab|, D); the SST run's word vectors are [v_w, u_w] side by side, so D = 2d there.
"""
from __future__ import annotations

import difflib
from functools import cached_property

import numpy as np

from .._checks import as_matrix
from ..corpora.vocabulary import FREQUENT_MIN_COUNT
from .expressions import Expression, evaluate, read_expression

METRICS = ("cosine", "euclidean")
MEAN_MIN_COUNT = FREQUENT_MIN_COUNT  # the mean is taken over the frequent words (when counts are known)


class UnknownWordError(ValueError):
    """A word that is not in the vocabulary; the message suggests close spellings."""


def mean_vector(vectors, counts=None, min_count: int = MEAN_MIN_COUNT) -> np.ndarray:
    """The (D,) mean that centring subtracts: over the words seen ≥ `min_count` times.

    Rare words have barely left their random start (notebook 06) and are most of a small
    corpus's vocabulary, so a mean over every word would mostly be theirs and leave the
    frequent words' shared direction in place. Without counts (or with fewer than two
    frequent words) the mean is over all words.
    """
    vectors = as_matrix(vectors, "vectors")
    rows = vectors
    if counts is not None:
        counts = np.asarray(counts)
        if counts.shape != (vectors.shape[0],):
            raise ValueError(f"counts must have shape ({vectors.shape[0]},); got {counts.shape}")
        if (counts >= min_count).sum() >= 2:
            rows = vectors[counts >= min_count]  # (n_frequent, D)
    return rows.astype(np.float64).mean(axis=0).astype(np.float32)  # (D,)


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}")


def nearest_rows(table, queries, k: int, metric: str = "cosine", exclude=None, chunk: int = 1024, *,
                 dtype=np.float32, unit_vectors=None, sq_norms=None):
    """The k rows of `table` (|Vocab|, D) nearest to each query (Q, D): ((Q, k) indices, (Q, k) scores),
    best first; the one nearest-neighbour routine (`WordVectors.nearest` passes its own tables).

    Args:
        metric: "cosine" (scores are similarities) or "euclidean" (scores are distances).
        exclude: None, or (Q, m) row indices left out of each query's answer (-1 pads).
        dtype: np.float32 (the explorer's speed), or np.float64 where near-ties must come out in
            the same order on any CPU (the learning-dynamics yardstick).
        unit_vectors, sq_norms: the table's unit rows and squared norms, if already computed.
    Ties go to the lower row. When fewer than k rows remain, the last columns hold row -1
    and score -inf (cosine) or +inf (euclidean).
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}; got {metric!r}")
    _check_k(k)
    table = np.asarray(table, dtype=dtype)  # (|Vocab|, D)
    queries = np.asarray(queries, dtype=dtype)
    if queries.ndim != 2 or queries.shape[1] != table.shape[1]:
        raise ValueError(f"queries must have shape (Q, {table.shape[1]}); got {queries.shape}")
    if metric == "cosine" and unit_vectors is None:
        unit_vectors = table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12)  # (|Vocab|, D)
    if metric == "euclidean" and sq_norms is None:
        sq_norms = np.einsum("ij,ij->i", table, table)  # (|Vocab|,)
    if exclude is not None:
        exclude = np.asarray(exclude, dtype=np.int64).reshape(len(queries), -1)  # (Q, m)
    k_all = min(k, len(table))
    top_idx = np.full((len(queries), k), -1, dtype=np.int64)
    top_score = np.full((len(queries), k), -np.inf, dtype=dtype)
    for start in range(0, len(queries), chunk):  # chunks keep the score block to chunk × |Vocab| floats
        part = queries[start:start + chunk]  # (B, D)
        if metric == "cosine":
            norms = np.linalg.norm(part, axis=1, keepdims=True)  # (B, 1)
            scores = (part / np.maximum(norms, 1e-30)) @ unit_vectors.T  # (B, |Vocab|)
        else:  # ‖x − q‖² = ‖x‖² − 2 x·q + ‖q‖²; the last term does not change the order
            scores = 2.0 * (part @ table.T) - sq_norms  # (B, |Vocab|)
        if exclude is not None:
            ex = exclude[start:start + chunk]  # (B, m)
            rows = np.broadcast_to(np.arange(len(part))[:, None], ex.shape)  # (B, m)
            scores[rows[ex >= 0], ex[ex >= 0]] = -np.inf
        cand = np.sort(np.argpartition(-scores, k_all - 1, axis=1)[:, :k_all], axis=1)  # (B, k) by row
        cand_scores = np.take_along_axis(scores, cand, axis=1)  # (B, k)
        order = np.argsort(-cand_scores, axis=1, kind="stable")  # (B, k) best first, ties by row
        top_idx[start:start + len(part), :k_all] = np.take_along_axis(cand, order, axis=1)
        top_score[start:start + len(part), :k_all] = np.take_along_axis(cand_scores, order, axis=1)
    top_idx[~np.isfinite(top_score)] = -1
    if metric == "euclidean":
        q_sq = np.einsum("ij,ij->i", queries, queries)[:, None]  # (Q, 1)
        top_score = np.sqrt(np.maximum(q_sq - top_score, 0.0))  # -inf (left out) becomes +inf
    return top_idx, top_score


def neighbour_agreement(neighbours, other) -> np.ndarray:
    """(n,) for each word, the fraction of its neighbour list (n, k) that `other` (n, k) also lists."""
    neighbours, other = np.asarray(neighbours), np.asarray(other)
    if neighbours.shape != other.shape or neighbours.ndim != 2:
        raise ValueError(f"both neighbour lists must be (n, k) of one shape; got {neighbours.shape}, {other.shape}")
    return np.array([len(set(a) & set(b)) for a, b in zip(neighbours.tolist(), other.tolist())]) / neighbours.shape[1]


class WordVectors:
    """Words, their (|Vocab|, D) float32 vectors, unit-length copies and optional counts.

    Args:
        words: |Vocab| unique strings, in row order.
        vectors: (|Vocab|, D) array, one word per row.
        counts: optional (|Vocab|,) corpus counts (frequency bands and the centring mean use them).
        centred: subtract the mean vector μ (see `mean_vector`) before answering anything.
            `vectors` are then x_w − μ and `raw_vectors` the vectors as given; cosine
            neighbours, analogies, k-means clusters and custom axes change, euclidean
            distances between words do not (they are translation invariant).
    """

    def __init__(self, words, vectors, counts=None, *, centred: bool = True):
        words = [str(w) for w in words]
        vectors = as_matrix(vectors, "vectors", rows=len(words)).astype(np.float32, copy=False)
        self.index = {w: i for i, w in enumerate(words)}
        if len(self.index) != len(words):
            dup = next(w for i, w in enumerate(words) if self.index[w] != i)
            raise ValueError(f"words must be unique; {dup!r} occurs more than once")
        if not np.isfinite(vectors).all():
            raise ValueError("vectors must be finite; got NaN or infinite entries")
        if not isinstance(centred, (bool, np.bool_)):
            raise ValueError(f"centred must be True or False; got {centred!r}")
        if counts is not None:
            counts = np.asarray(counts)
            if counts.shape != (len(words),) or (counts < 0).any():
                raise ValueError(f"counts must be {len(words)} non-negative numbers; got shape {counts.shape}")
            counts = counts.astype(np.int64)
        self.words = words
        self.counts = counts
        self.centred = bool(centred)
        self.raw_vectors = vectors  # (|Vocab|, D) as given
        self.mean = mean_vector(vectors, counts) if centred else np.zeros(vectors.shape[1], np.float32)  # (D,)
        self.vectors = vectors - self.mean if centred else vectors  # (|Vocab|, D) what every question uses
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)  # (|Vocab|, 1)
        self.unit_vectors = self.vectors / np.maximum(norms, 1e-12)  # (|Vocab|, D); zero rows stay zero
        self.sq_norms = np.einsum("ij,ij->i", self.vectors, self.vectors)  # (|Vocab|,) for euclidean distances

    def __len__(self):
        return len(self.words)

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def with_vectors(self, vectors) -> WordVectors:
        """The same vocabulary, counts and centring with other raw vectors (e.g. a checkpoint's);
        a centred set subtracts the new vectors' own mean."""
        return WordVectors(self.words, vectors, self.counts, centred=self.centred)

    def with_centring(self, centred: bool) -> WordVectors:
        """The same words and raw vectors, centred (mean subtracted) or not."""
        if centred == self.centred:
            return self
        return WordVectors(self.words, self.raw_vectors, self.counts, centred=centred)

    @property
    def mode(self) -> str:
        """How the questions see the vectors, in words, for messages and exports."""
        return "centred: the mean vector is subtracted first" if self.centred else "raw vectors, not centred"

    # --- words -------------------------------------------------------------------------------
    @cached_property
    def lower_index(self) -> dict:
        """lower-cased word → row; when two words fold together the first (most frequent) wins."""
        index = {}
        for i, w in enumerate(self.words):
            index.setdefault(w.lower(), i)
        return index

    @cached_property
    def _lower_words(self) -> list:
        return [w.lower() for w in self.words]

    def word_index(self, word, ignore_case: bool = False) -> int:
        """The row of `word`; an unknown word raises UnknownWordError with suggestions.
        With `ignore_case`, an exact match wins, then the first word equal up to case."""
        if not isinstance(word, str):
            raise ValueError(f"word must be a string; got {word!r}")
        row = self.index.get(word)
        if row is None and ignore_case:
            row = self.lower_index.get(word.lower())
        if row is None:
            raise UnknownWordError(f"{word!r} is not in the vocabulary ({len(self.words)} words)"
                                   f"{self.spelling_hint(word)}")
        return row

    def spelling_hint(self, word: str) -> str:
        """"; did you mean …?" with up to three close vocabulary words, or a general hint."""
        close = difflib.get_close_matches(word.lower(), self._lower_words, n=3, cutoff=0.75)
        if not close:
            return "; words are lower-case tokens of the corpus"
        return f"; did you mean {', '.join(repr(self.words[self.lower_index[c]]) for c in close)}?"

    def vector(self, word) -> np.ndarray:
        """The (D,) vector of `word` that questions use (centred if the set is)."""
        return self.vectors[self.word_index(word)]

    def expression_vector(self, text: str):
        """Evaluate word arithmetic such as "king - man + woman": returns ((D,) vector, input words)."""
        vec, rows = self.expression_rows(read_expression(text))
        return vec, [self.words[r] for r in rows]

    def expression_rows(self, expression: Expression):
        """Evaluate an expression read by `read_expression`: ((D,) vector, rows of the words it names).

        Each word is looked up once; an unknown one raises UnknownWordError with suggestions."""
        row_of = {w: self.word_index(w) for w in expression.words}
        vec, _ = evaluate(expression.tree, lambda w: self.vectors[row_of[w]])
        return vec, list(row_of.values())

    def search(self, text: str, limit: int | None = None) -> np.ndarray:
        """Indices of words containing `text` (case-insensitive), the exact match first."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("the search text is empty: type part of a word, e.g. 'good'")
        needle = text.strip().lower()
        hits = [i for i, w in enumerate(self._lower_words) if needle in w]
        hits.sort(key=lambda i: (self._lower_words[i] != needle, len(self.words[i]), i))
        return np.array(hits[:limit] if limit else hits, dtype=np.int64)

    # --- neighbours: the one routine ---------------------------------------------------------
    def nearest(self, queries, k: int, metric: str = "cosine", exclude=None, chunk: int = 1024):
        """The k rows nearest to each query vector: ((Q, k) indices, (Q, k) scores), best first.

        `queries` (Q, D) live where `vectors` do (centred if the set is); see `nearest_rows`.
        """
        return nearest_rows(self.vectors, queries, k, metric, exclude, chunk,
                            unit_vectors=self.unit_vectors, sq_norms=self.sq_norms)

    def neighbours_of_vector(self, query, k: int = 10, metric: str = "cosine", exclude=()) -> list:
        """The k words nearest to the (D,) `query`: [(word, score)], best first.

        `exclude` lists words (or row indices) left out, e.g. the inputs of an analogy. Euclidean
        distances are translation invariant, ‖(x − μ) − (q − μ)‖ = ‖x − q‖, so centring leaves
        the euclidean neighbours of a word or of a − b + c unchanged; only cosine scores move.
        """
        skip = [w if isinstance(w, (int, np.integer)) else self.word_index(w) for w in exclude]
        rows, scores = self.neighbour_rows(query, k, metric, exclude_rows=skip)
        return [(self.words[i], float(s)) for i, s in zip(rows, scores)]

    def neighbour_rows(self, query, k: int = 10, metric: str = "cosine", exclude_rows=()) -> tuple:
        """The k rows nearest to the (D,) `query`, leaving out `exclude_rows`: ((≤k,) rows, (≤k,) scores)."""
        _check_k(k)
        query = np.asarray(query, dtype=np.float32)
        if query.shape != (self.dim,):
            raise ValueError(f"query must have shape ({self.dim},); got {query.shape}")
        if metric == "cosine" and not np.linalg.norm(query) > 0:
            raise ValueError("the query vector is zero, so it has no direction to compare by cosine")
        skip = [int(r) for r in exclude_rows]
        idx, scores = self.nearest(query[None], k, metric, exclude=[skip] if skip else None)
        found = idx[0] >= 0  # fewer than k rows when the exclusions leave fewer
        return idx[0][found], scores[0][found]

    def neighbours(self, text: str, k: int = 10, metric: str = "cosine") -> list:
        """The k nearest words of a word or an expression, leaving out the words it names."""
        vec, rows = self.expression_rows(read_expression(text))
        return self.neighbours_of_vector(vec, k, metric, exclude=rows)

    def analogy(self, a: str, b: str, c: str, k: int = 5, metric: str = "cosine") -> list:
        """Words d with a − b + c ≈ d (king − man + woman ≈ queen), the inputs excluded."""
        vec = self.vector(a) - self.vector(b) + self.vector(c)  # (D,)
        return self.neighbours_of_vector(vec, k, metric, exclude=(a, b, c))

    def neighbour_table(self, k: int = 10, chunk: int = 1024):
        """Every word's k nearest words by cosine, itself excluded: ((|Vocab|, k) rows, (|Vocab|, k) scores)."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < len(self):
            raise ValueError(f"k must be an integer in [1, {len(self) - 1}]; got {k!r}")
        return self.nearest(self.unit_vectors, k, exclude=np.arange(len(self))[:, None], chunk=chunk)

    # --- colourings --------------------------------------------------------------------------
    def frequency_bands(self, edges=(10, 100, 1000)) -> tuple:
        """Band of each word by corpus count: (labels (|Vocab|,) int, band names). Needs counts."""
        if self.counts is None:
            raise ValueError("these vectors came without word counts, so there are no frequency bands; "
                             "load a training run (vocab.tsv) or colour by cluster")
        edges = sorted(int(e) for e in edges)
        labels = np.searchsorted(np.array(edges), self.counts, side="right")  # (|Vocab|,) in 0..len(edges)
        names = [f"< {edges[0]}"] + [f"{lo}–{hi - 1}" for lo, hi in zip(edges, edges[1:])] + [f"≥ {edges[-1]}"]
        return labels.astype(np.int64), [f"count {n}" for n in names]

    def kmeans_clusters(self, n_clusters: int = 8, seed: int = 0) -> np.ndarray:
        """k-means (scikit-learn) on the unit vectors, so clusters follow cosine similarity (of the
        centred vectors if the set is centred): (|Vocab|,) labels."""
        from sklearn.cluster import KMeans

        if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)) \
                or not 1 <= n_clusters <= len(self.words):
            raise ValueError(f"n_clusters must be an integer in [1, {len(self.words)}]; got {n_clusters!r}")
        km = KMeans(n_clusters=n_clusters, n_init=3, random_state=seed)
        return km.fit_predict(self.unit_vectors).astype(np.int64)
