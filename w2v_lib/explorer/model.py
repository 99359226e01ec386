"""The explorer's model: a vocabulary with its vectors, and the questions a student asks of them.

Nearest neighbours (cosine or euclidean), analogies a − b + c, substring search, frequency
bands and k-means clusters. Vectors are rows, (|V|, D); the SST run's word vectors are
[v_w, u_w] side by side, so D = 2d there.

Centring: small word2vec runs leave every vector with one large shared component, so all raw
cosines are ≈ 1 and the neighbour lists carry no information. By default the model subtracts
the mean vector first (as in Mu & Viswanath 2018, "All-but-the-top") and asks every question
of x_w − μ; `raw_vectors` keeps the vectors as given.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np

from .._checks import as_matrix
from ..assignment.run_folder import load_run
from ..vectors_io import load_projector_tsv, load_word2vec
from .expressions import evaluate, parse

METRICS = ("cosine", "euclidean")
MEAN_MIN_COUNT = 20  # the mean is taken over words seen at least this often (when counts are known)


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


class EmbeddingModel:
    """Words, their (|V|, D) float32 vectors, unit-length copies and optional counts.

    Args:
        words: |V| unique strings, in row order.
        vectors: (|V|, D) array, one word per row.
        counts: optional (|V|,) corpus counts (frequency bands and the centring mean use them).
        centred: subtract the mean vector μ (see `mean_vector`) before answering anything.
            `vectors` are then x_w − μ and `raw_vectors` the vectors as given; cosine
            neighbours, analogies, k-means clusters and custom axes change, euclidean
            distances between words do not (they are translation invariant).
    """

    def __init__(self, words, vectors, counts=None, *, centred: bool = True):
        words = [str(w) for w in words]
        vectors = as_matrix(vectors, "vectors", rows=len(words)).astype(np.float32, copy=False)
        if len(set(words)) != len(words):
            dup = next(w for w in words if words.count(w) > 1)
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
        self.raw_vectors = vectors  # (|V|, D) as given
        self.mean = mean_vector(vectors, counts) if centred else np.zeros(vectors.shape[1], np.float32)  # (D,)
        self.vectors = vectors - self.mean if centred else vectors  # (|V|, D) what every question uses
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)  # (|V|, 1)
        self.unit_vectors = self.vectors / np.maximum(norms, 1e-12)  # (|V|, D); zero rows stay zero
        self.sq_norms = np.einsum("ij,ij->i", self.vectors, self.vectors)  # (|V|,) for euclidean distances
        self.index = {w: i for i, w in enumerate(words)}
        self._lower_words = [w.lower() for w in words]

    def __len__(self):
        return len(self.words)

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def with_vectors(self, vectors) -> EmbeddingModel:
        """The same vocabulary, counts and centring with other raw vectors (e.g. a checkpoint's);
        a centred model subtracts the new vectors' own mean."""
        return EmbeddingModel(self.words, vectors, self.counts, centred=self.centred)

    def with_centring(self, centred: bool) -> EmbeddingModel:
        """The same words and raw vectors, centred (mean subtracted) or not."""
        if centred == self.centred:
            return self
        return EmbeddingModel(self.words, self.raw_vectors, self.counts, centred=centred)

    @property
    def mode(self) -> str:
        """How the questions see the vectors, in words, for messages and exports."""
        return "centred: the mean vector is subtracted first" if self.centred else "raw vectors, not centred"

    # --- words -------------------------------------------------------------------------------
    def word_index(self, word) -> int:
        """The row of `word`; an unknown word raises UnknownWordError with suggestions."""
        if not isinstance(word, str):
            raise ValueError(f"word must be a string; got {word!r}")
        try:
            return self.index[word]
        except KeyError:
            pass
        raise UnknownWordError(f"{word!r} is not in the vocabulary ({len(self.words)} words){self.spelling_hint(word)}")

    def spelling_hint(self, word: str) -> str:
        """"; did you mean …?" with up to three close vocabulary words, or a general hint."""
        close = difflib.get_close_matches(word.lower(), self._lower_words, n=3, cutoff=0.75)
        if not close:
            return "; words are lower-case tokens of the corpus"
        return f"; did you mean {', '.join(repr(self.words[self._lower_words.index(c)]) for c in close)}?"

    def vector(self, word) -> np.ndarray:
        """The (D,) vector of `word` that questions use (centred if the model is)."""
        return self.vectors[self.word_index(word)]

    def expression_vector(self, text: str):
        """Evaluate word arithmetic such as "king - man + woman": returns ((D,) vector, input words)."""
        tree = parse(text)
        vec, used = evaluate(tree, self.vector)
        return vec, used

    def search(self, text: str, limit: int | None = None) -> np.ndarray:
        """Indices of words containing `text` (case-insensitive), the exact match first."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("the search text is empty: type part of a word, e.g. 'good'")
        needle = text.strip().lower()
        hits = [i for i, w in enumerate(self._lower_words) if needle in w]
        hits.sort(key=lambda i: (self._lower_words[i] != needle, len(self.words[i]), i))
        return np.array(hits[:limit] if limit else hits, dtype=np.int64)

    # --- neighbours --------------------------------------------------------------------------
    def neighbours_of_vector(self, query, k: int = 10, metric: str = "cosine", exclude=()) -> list:
        """The k words nearest to the (D,) `query`: [(word, score)], best first.

        Cosine scores are similarities (higher is nearer); euclidean scores are distances.
        `query` lives where `vectors` do (centred if the model is). Euclidean distances are
        translation invariant, ‖(x − μ) − (q − μ)‖ = ‖x − q‖, so centring leaves the euclidean
        neighbours of a word or of a − b + c unchanged; only cosine scores move.
        `exclude` lists words (or indices) left out, e.g. the inputs of an analogy.
        """
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}; got {metric!r}")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer; got {k!r}")
        query = np.asarray(query, dtype=np.float32)
        if query.shape != (self.dim,):
            raise ValueError(f"query must have shape ({self.dim},); got {query.shape}")
        if metric == "cosine":
            norm = float(np.linalg.norm(query))
            if norm == 0.0:
                raise ValueError("the query vector is zero, so it has no direction to compare by cosine")
            scores = self.unit_vectors @ (query / norm)  # (|V|,)
        else:
            # ‖x − q‖² = ‖x‖² − 2 x·q + ‖q‖²; the last term does not change the order
            scores = -(self.sq_norms - 2.0 * (self.vectors @ query))  # (|V|,)
        skip = np.array([w if isinstance(w, (int, np.integer)) else self.word_index(w) for w in exclude],
                        dtype=np.int64)
        if skip.size:
            scores[skip] = -np.inf
        k = min(k, len(self.words) - len(set(skip.tolist())))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]  # (k,) unordered
        top = top[np.lexsort((top, -scores[top]))]  # best first, ties by index
        if metric == "cosine":
            return [(self.words[i], float(scores[i])) for i in top]
        dist = np.sqrt(np.maximum(self.sq_norms[top] - 2.0 * (self.vectors[top] @ query) + query @ query, 0.0))
        return [(self.words[i], float(d)) for i, d in zip(top, dist)]

    def neighbours(self, text: str, k: int = 10, metric: str = "cosine") -> list:
        """The k nearest words of a word or an expression, leaving out the words it names."""
        vec, used = self.expression_vector(text)
        return self.neighbours_of_vector(vec, k, metric, exclude=used)

    def analogy(self, a: str, b: str, c: str, k: int = 5, metric: str = "cosine") -> list:
        """Words d with a − b + c ≈ d (king − man + woman ≈ queen), the inputs excluded."""
        vec = self.vector(a) - self.vector(b) + self.vector(c)  # (D,)
        return self.neighbours_of_vector(vec, k, metric, exclude=(a, b, c))

    # --- colourings --------------------------------------------------------------------------
    def frequency_bands(self, edges=(10, 100, 1000)) -> tuple:
        """Band of each word by corpus count: (labels (|V|,) int, band names). Needs counts."""
        if self.counts is None:
            raise ValueError("these vectors came without word counts, so there are no frequency bands; "
                             "load a training run (vocab.tsv) or colour by cluster")
        edges = sorted(int(e) for e in edges)
        labels = np.searchsorted(np.array(edges), self.counts, side="right")  # (|V|,) in 0..len(edges)
        names = [f"< {edges[0]}"] + [f"{lo}–{hi - 1}" for lo, hi in zip(edges, edges[1:])] + [f"≥ {edges[-1]}"]
        return labels.astype(np.int64), [f"count {n}" for n in names]

    def kmeans_clusters(self, n_clusters: int = 8, seed: int = 0) -> np.ndarray:
        """k-means (scikit-learn) on the unit vectors, so clusters follow cosine similarity (of the
        centred vectors if the model is centred): (|V|,) labels."""
        from sklearn.cluster import KMeans

        if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)) \
                or not 1 <= n_clusters <= len(self.words):
            raise ValueError(f"n_clusters must be an integer in [1, {len(self.words)}]; got {n_clusters!r}")
        km = KMeans(n_clusters=n_clusters, n_init=3, random_state=seed)
        return km.fit_predict(self.unit_vectors).astype(np.int64)


def load_embeddings(path, metadata_path=None, *, centred: bool = True) -> EmbeddingModel:
    """Load a training run folder, a word2vec text/binary file, or a vectors.tsv (+ metadata.tsv)."""
    path = Path(path)
    if path.is_dir():
        run = load_run(path)
        return EmbeddingModel(run.words, run.vectors, run.counts, centred=centred)
    if not path.is_file():
        raise FileNotFoundError(f"no such file or folder: {path}; give a run folder, a word2vec file "
                                "or a vectors.tsv")
    if path.suffix == ".tsv":
        meta = Path(metadata_path) if metadata_path else path.with_name("metadata.tsv")
        if not meta.is_file():
            raise FileNotFoundError(f"{path.name} needs its metadata.tsv (the words) beside it or as "
                                    "metadata_path")
        words, vectors, metadata = load_projector_tsv(path, meta)
        counts = metadata.get("count")
        try:
            counts = np.array([int(c) for c in counts]) if counts else None
        except ValueError:
            counts = None
        return EmbeddingModel(words, vectors, counts, centred=centred)
    words, vectors = load_word2vec(path)
    return EmbeddingModel(words, vectors, centred=centred)
