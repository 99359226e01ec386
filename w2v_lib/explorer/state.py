"""What the explorer shows, as plain data: the vectors, the view, the colouring, the question
asked and its answer. No widgets here; widget.py turns controls into calls of these methods and
figures.py turns the state into a picture.

Every action method raises ValueError with a message for bad input and leaves the state as it
was, except the question: a failed question clears the previous answer, so that no stale list
stays on screen beside an error.
"""
from __future__ import annotations

import hashlib

import numpy as np

from ..vectors.expressions import is_expression, read_expression
from ..vectors.keyed import METRICS, WordVectors
from ..vectors.projections import UMAP_LIBRARY, custom_axes, pca_basis, umap
from ..vectors.tsne import TSNE_LIBRARY, tsne
from .answers import default_min_count, explain_answer

PROJECTIONS = ("PCA 2-D", "PCA 3-D", "t-SNE 2-D", "UMAP 2-D", "custom axes")
LEARNED = {"t-SNE 2-D": (tsne, TSNE_LIBRARY), "UMAP 2-D": (umap, UMAP_LIBRARY)}  # slow: final vectors only, cached
COLOURINGS = ("frequency band", "k-means cluster", "none")
# (vector fingerprint, centred, projection, seed) → (|Vocab|, 2): t-SNE of 20,000 words takes tens of seconds
_PROJECTION_CACHE: dict = {}


def fingerprint(vectors: np.ndarray) -> str:
    """A short digest of a vector table, so caches survive reloading the same set."""
    return hashlib.sha1(np.ascontiguousarray(vectors).tobytes()).hexdigest()[:16]


class ExplorerState:
    """The explorer's state for one vector set (and optional training checkpoints).

    Args:
        vectors: the WordVectors of the final vectors; their centring is the initial mode.
        checkpoints: [(iteration, (|Vocab|, D) raw vectors)] oldest first, drawn as they are: one run's
            checkpoints share the final vectors' axes (training never rotates them), so each is
            projected on the final vectors' PCA basis and every move on screen is a real one.
        name: what the vector set is called in titles and exports.
    """

    def __init__(self, vectors: WordVectors, checkpoints=(), *, name: str = "word vectors", k: int = 10,
                 n_clusters: int = 8, label_limit: int = 30, seed: int = 0):
        if not isinstance(vectors, WordVectors):
            raise ValueError(f"vectors must be a WordVectors; got {type(vectors).__name__}")
        self.name, self.k, self.n_clusters, self.label_limit, self.seed = name, k, n_clusters, label_limit, seed
        self.metric, self.isolate = "cosine", False
        self.min_count = default_min_count(vectors.counts)  # neighbours rarer than this are left out
        self.projection = "PCA 2-D"
        self.colouring = "frequency band" if vectors.counts is not None else "k-means cluster"
        self.axes = ("woman - man", "queen - king")
        self.model = vectors
        self._fingerprint = fingerprint(vectors.raw_vectors)
        self.checkpoints = [(int(it), np.asarray(v, dtype=np.float32)) for it, v in checkpoints]
        for it, v in self.checkpoints:
            if v.shape != vectors.raw_vectors.shape:
                raise ValueError(f"checkpoint at iteration {it} has shape {v.shape}; "
                                 f"the final vectors have {vectors.raw_vectors.shape}")
        self.checkpoint = -1
        self._colour_cache = {}
        self.clear_answer()
        self._compute_coords()
        self.set_colouring(self.colouring)

    # --- derived -----------------------------------------------------------------------------
    @property
    def current_model(self) -> WordVectors:
        """The vectors at the current checkpoint (the final ones at -1), in the current centring."""
        return self.model if self.checkpoint == -1 else self._checkpoint_model(self.checkpoint)

    def _checkpoint_model(self, position):
        return self.model.with_vectors(self.checkpoints[position][1])

    @property
    def three_d(self) -> bool:
        return self.projection == "PCA 3-D"

    @property
    def shown(self) -> np.ndarray:
        """Rows drawn in the all-words trace: the highlighted ones only when isolated."""
        return self.highlighted if (self.isolate and self.highlighted.size) else np.arange(len(self.model))

    def title(self) -> str:
        it = "final vectors" if self.checkpoint == -1 else f"iteration {self.checkpoints[self.checkpoint][0]}"
        return f"{self.name} · {self.projection} · {it}"

    def axis_titles(self) -> list:
        if self.projection == "custom axes":
            return list(self.axes)
        if self.projection.startswith("PCA"):
            return [f"PC{i + 1} ({100 * e:.0f}% of variance)" for i, e in enumerate(self.basis.explained)]
        method = self.projection.split()[0]
        return [f"{method} 1", f"{method} 2"]

    @property
    def learned(self) -> bool:
        """Whether the view is a learned layout (t-SNE, UMAP): final vectors only, computed once."""
        return self.projection in LEARNED

    # --- the view ----------------------------------------------------------------------------
    def _project(self, model) -> np.ndarray:
        if self.projection.startswith("PCA"):  # PCA subtracts its own mean: the raw vectors give the same
            return self.basis.project(model.raw_vectors)  # picture and keep each checkpoint's place in it
        if self.projection == "custom axes":
            return custom_axes(model, self.axes)
        return self.compute_projection(self.projection)

    def _cache_key(self, name):
        return (self._fingerprint, self.model.centred, name, self.seed)

    def projection_needed(self, name: str) -> bool:
        """True when the view `name` is a learned layout not computed yet (slow: run it apart)."""
        return name in LEARNED and self._cache_key(name) not in _PROJECTION_CACHE

    def compute_projection(self, name: str, on_step=None) -> np.ndarray:
        """The (|Vocab|, 2) learned layout `name` of the final vectors, from the cache or computed
        (see vectors.projections.tsne for `on_step`; it may stop the run)."""
        key = self._cache_key(name)
        if key not in _PROJECTION_CACHE:
            method, _ = LEARNED[name]
            _PROJECTION_CACHE[key] = method(self.model.vectors, seed=self.seed, on_step=on_step)
        return _PROJECTION_CACHE[key]

    def show_partial(self, name: str, coords) -> None:
        """Show a learned layout while it is computed: the final vectors at `coords`, axes that follow."""
        self.projection, self.checkpoint = name, -1
        self.coords = np.asarray(coords, dtype=np.float32)
        self._frames = [self.coords]
        self._refresh_answer()
        self._fit_ranges()

    def _compute_coords(self):
        if self.projection.startswith("PCA"):
            self.basis = pca_basis(self.model.raw_vectors, 3 if self.three_d else 2)
        self.coords = self._project(self.current_model)  # (|Vocab|, 2 or 3)
        # one fixed frame for every checkpoint, so the slider shows motion, not rescaling
        frames = [self.coords] + ([self._project(self._checkpoint_model(j)) for j in range(len(self.checkpoints))]
                                  if self.checkpoints and not self.learned else [])
        self._frames = frames
        self._fit_ranges()

    def _fit_ranges(self):
        """Axes that hold every point of every frame (the training slider never leaves one out),
        or, while matches are isolated, that zoom onto them."""
        frames = self._frames
        if self.isolate and self.highlighted.size:
            frames = [f[self.highlighted] for f in frames]
        lo = np.min([f.min(axis=0) for f in frames], axis=0)
        hi = np.max([f.max(axis=0) for f in frames], axis=0)
        pad = 0.06 * np.maximum(hi - lo, 1e-6)
        self.ranges = [[float(a), float(b)] for a, b in zip(lo - pad, hi + pad)]

    def set_isolate(self, isolate: bool):
        """Show only the highlighted words, zoomed onto them (True), or every word (False)."""
        self.isolate = bool(isolate)
        self._fit_ranges()

    def set_min_count(self, min_count: int):
        """Leave words seen fewer than `min_count` times out of neighbour lists (0: keep all)."""
        if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
            raise ValueError(f"min count must be a whole number ≥ 0; got {min_count!r}")
        if min_count and self.model.counts is None:
            raise ValueError("these vectors came without word counts, so there is nothing to filter by")
        self.min_count = int(min_count)
        self._refresh_answer()

    def set_projection(self, name: str) -> str | None:
        """Switch the view; returns a note for the user (t-SNE's source), or None."""
        if name not in PROJECTIONS:
            raise ValueError(f"projection must be one of {PROJECTIONS}; got {name!r}")
        if name == "custom axes":  # check the axes before switching, so a bad axis keeps the view
            custom_axes(self.current_model, self.axes)
        before = (self.projection, self.checkpoint)
        self.projection = name
        if name in LEARNED:
            self.checkpoint = -1
        try:
            self._compute_coords()
        except Exception:
            self.projection, self.checkpoint = before
            raise
        self._refresh_answer()
        if name in LEARNED:
            return (f"{name.split()[0]} by {LEARNED[name][1]}, on the final vectors (the training slider needs "
                    "PCA or custom axes)")
        return None

    def set_axes(self, x_axis: str, y_axis: str):
        """Axes of the custom view, e.g. ("woman - man", "queen - king")."""
        custom_axes(self.current_model, (x_axis, y_axis))  # raises for an unknown word, keeping the old axes
        self.axes = (x_axis, y_axis)
        if self.projection == "custom axes":
            self._compute_coords()

    def set_checkpoint(self, position: int):
        """Show checkpoint `position` (0 = the oldest kept; -1 = the final vectors)."""
        if position != -1 and not 0 <= position < len(self.checkpoints):
            raise ValueError(f"checkpoint must be -1 (final) or in [0, {len(self.checkpoints)}); got {position}")
        if position != -1 and self.learned:
            raise ValueError(f"{self.projection.split()[0]} is computed for the final vectors only; switch the "
                             "view to PCA to move through training")
        self.checkpoint = position
        self.coords = self._project(self.current_model)
        self._refresh_answer()

    def set_centring(self, centred: bool):
        """Subtract the mean vector (True) or use the raw vectors (False). Neighbours, analogies,
        k-means colours, t-SNE and custom axes follow; PCA pictures do not move."""
        if not isinstance(centred, (bool, np.bool_)):
            raise ValueError(f"centred must be True or False; got {centred!r}")
        self.model = self.model.with_centring(bool(centred))
        self._colour_cache.pop("k-means cluster", None)
        self._compute_coords()
        self.set_colouring(self.colouring)
        self._refresh_answer()

    # --- colours -----------------------------------------------------------------------------
    def set_colouring(self, name: str) -> str | None:
        """Colour by "frequency band", "k-means cluster" or "none"; returns a note or None."""
        if name not in COLOURINGS:
            raise ValueError(f"colouring must be one of {COLOURINGS}; got {name!r}")
        note = None
        if name == "frequency band" and self.model.counts is None:
            name, note = "k-means cluster", "these vectors came without word counts: coloured by k-means cluster"
        if name not in self._colour_cache:
            if name == "frequency band":
                self._colour_cache[name] = self.model.frequency_bands()
            elif name == "k-means cluster":
                labels = self.model.kmeans_clusters(min(self.n_clusters, len(self.model)), seed=self.seed)
                self._colour_cache[name] = (labels, [f"cluster {c + 1}" for c in range(labels.max() + 1)])
            else:
                self._colour_cache[name] = (np.zeros(len(self.model), dtype=np.int64), ["all words"])
        self.colouring = name
        self.colours, self.colour_names = self._colour_cache[name]
        return note

    # --- questions ---------------------------------------------------------------------------
    def clear_answer(self):
        self.query = None  # ("word", row) | ("analogy", (a, b, c)) | ("expression", Expression) | ("search", text)
        self.highlighted = np.zeros(0, dtype=np.int64)  # rows drawn in red, the query's own words first
        self.selected = None
        self.neighbours = []  # [(word, score)]
        self.list_title, self.list_rows = "", []  # the list beside the plot: (word, score or None)
        self.summary = ""  # one line saying what the answer is
        self.explanation = ""  # why an analogy's expected answer is not first, measured; or ""

    def ask(self, query):
        """Answer a question, or clear the old answer and re-raise its error."""
        try:
            self._answer(query)
        except Exception:
            self.clear_answer()
            raise
        finally:
            if self.isolate and getattr(self, "_frames", None):
                self._fit_ranges()

    def _refresh_answer(self):
        if self.query is not None:
            self.ask(self.query)

    def search(self, text: str) -> list:
        """What Enter in the search box does: a word (any case) shows its neighbours, an expression
        the neighbours of its vector, part of a word every match. Returns notes for the user."""
        text = (text or "").strip()
        if not text:
            self.clear_answer()
            raise ValueError("the search box is empty: type a word (e.g. good) and press Enter")
        m = self.current_model
        row = m.index.get(text, m.lower_index.get(text.lower()))
        if row is not None:
            self.ask(("word", row))
            return []
        if is_expression(text):
            try:
                expression = read_expression(text)
            except ValueError:
                self.clear_answer()
                raise
            self.ask(("expression", expression))
            return expression.notes if '"' not in text else []
        self.ask(("search", text))
        return []

    def select(self, index: int):
        """Select one word (what a click does): highlight it and its k nearest neighbours."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(self.model):
            raise ValueError(f"index must be in [0, {len(self.model)}); got {index!r}")
        self.ask(("word", int(index)))
        self.selected = int(index)

    def analogy(self, a: str, b: str, c: str):
        words = tuple((w or "").strip() for w in (a, b, c))
        if not all(words):
            self.clear_answer()
            raise ValueError("an analogy needs three words a, b, c (a − b + c), e.g. king, man, woman")
        self.ask(("analogy", words))

    def _answer(self, query):
        kind, arg = query
        k, metric, m = self.k, self.metric, self.current_model
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}; got {metric!r}")
        space = "centred" if m.centred else "raw"
        if kind == "search":
            hits = m.search(arg)
            if hits.size == 0:
                raise ValueError(f"no word contains {arg!r}{m.spelling_hint(arg)}")
            self.query, self.selected, self.neighbours = query, None, []
            self.highlighted = hits
            self.list_title = f"{hits.size} words contain {arg!r}"
            self.list_rows = [(m.words[i], None) for i in hits[:50]]
            self.summary = f"{hits.size} matches for {arg!r}" + (
                " (labels on the first few; hover for the rest)" if hits.size > self.label_limit else "")
            return
        rare = self.rare_rows(m)
        if kind == "word":
            head, title = [arg], f"nearest to {m.words[arg]!r}"
            query_vec = m.vectors[arg]  # (D,)
        elif kind == "analogy":
            head, title = [m.word_index(w) for w in arg], f"{arg[0]!r} − {arg[1]!r} + {arg[2]!r}"
            query_vec = m.vectors[head[0]] - m.vectors[head[1]] + m.vectors[head[2]]  # (D,)
        else:
            query_vec, head = m.expression_rows(arg)
            title = f"nearest to {arg.text}"
        rows, scores = m.neighbour_rows(query_vec, k, metric, exclude_rows=head + [int(r) for r in rare])
        hits = [(m.words[r], float(s)) for r, s in zip(rows, scores)]
        self.query, self.neighbours = query, hits
        self.selected = head[0] if kind == "word" else None
        self.highlighted = np.concatenate([np.array(head, dtype=np.int64), rows.astype(np.int64)])
        filtered = f", count ≥ {self.min_count}" if rare.size else ""
        self.list_title = f"{title} ({metric}, {space}{filtered})"
        self.list_rows = hits
        self.summary = f"{len(hits)} neighbours, {title}, by {metric} on {space} vectors" + (
            f" (the {rare.size:,} words seen fewer than {self.min_count} times left out)" if rare.size else "")
        self.explanation = explain_answer(m, query, query_vec, head, hits, metric, self.min_count)

    def rare_rows(self, model=None) -> np.ndarray:
        """Rows of the words the minimum count leaves out of neighbour lists."""
        m = model or self.current_model
        if not self.min_count or m.counts is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(m.counts < self.min_count)
