"""The explorer's user interface: ipywidgets controls around a plotly FigureWidget.

Everything a student does in the page is also a method, so tests and notebooks drive it from
Python: `submit_search("good")`, `show_analogy("king", "man", "woman")`, `select_index(i)`,
`set_projection("PCA 3-D")`, `set_checkpoint(0)`, `set_centring(False)`. Errors land in
`message` (an HTML widget), never as a traceback. This module builds the controls and answers
the questions; view.py (`MapView`) draws the picture.
"""
from __future__ import annotations

import functools
import html

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from ..assignment.run_folder import load_run
from .expressions import parse, words_in
from .model import METRICS, EmbeddingModel, load_embeddings
from .view import COLOURINGS, PROJECTIONS, MapView, reports_errors

EXPRESSION_CHARS = set('+-*/()"')


class Explorer(MapView):
    """An interactive view of word vectors, with a slider through training checkpoints.

    Args:
        model: the EmbeddingModel of the final vectors.
        checkpoints: optional [(iteration, (|V|, D) vectors)] from training, oldest first; they
            are rotated onto the final vectors (orthogonal Procrustes) and drawn in the final
            vectors' PCA basis, so the picture stays put while the words move.
        k: the initial number of neighbours; label_limit: at most this many text labels.

    The "centre vectors" box starts as `model.centred` (True by default) and swaps `model` for
    `model.with_centring(...)`; the raw vectors stay in `model.raw_vectors`.
    """

    def __init__(self, model: EmbeddingModel, checkpoints=(), *, k: int = 10, n_clusters: int = 8,
                 label_limit: int = 30, height: int = 560, seed: int = 0):
        if not isinstance(model, EmbeddingModel):
            raise ValueError(f"model must be an EmbeddingModel; got {type(model).__name__}")
        self.label_limit, self.n_clusters, self.seed = label_limit, n_clusters, seed
        self._build_controls(k)
        self.fig = go.FigureWidget(layout=go.Layout(
            height=height, margin=dict(l=10, r=10, t=40, b=10), showlegend=False, dragmode="pan",
            hovermode="closest", template="plotly_white"))
        self.ui = widgets.VBox([self._controls, widgets.HBox([self.fig, self._side])])
        self._load_model(model, checkpoints)

    # --- construction ------------------------------------------------------------------------
    def _build_controls(self, k):
        text = functools.partial(widgets.Text, continuous_update=False)  # acts on Enter, not per key
        self.search_box = text(placeholder="a word, part of one, or king - man + woman; then Enter",
                               description="Search", layout=widgets.Layout(width="430px"))
        self.search_box.add_class("w2v-search")
        self.k_slider = widgets.IntSlider(value=k, min=1, max=50, description="k")
        self.metric_toggle = widgets.ToggleButtons(options=METRICS, value="cosine", description="metric")
        self.isolate_box = widgets.Checkbox(value=False, description="isolate matches", indent=False)
        self.centre_box = widgets.Checkbox(value=True, description="centre vectors (subtract the mean)",
                                           indent=False)
        self.centre_box.add_class("w2v-centre")
        self.projection_menu = widgets.Dropdown(options=PROJECTIONS, value="PCA 2-D", description="view")
        self.x_axis_box = text(value="woman - man", description="x axis", layout=widgets.Layout(width="260px"))
        self.y_axis_box = text(value="queen - king", description="y axis", layout=widgets.Layout(width="260px"))
        self.colour_menu = widgets.Dropdown(options=COLOURINGS, value="frequency band", description="colour")
        self.analogy_boxes = [text(placeholder=p, layout=widgets.Layout(width="110px"))
                              for p in ("king", "man", "woman")]
        self.analogy_button = widgets.Button(description="a − b + c")
        self.checkpoint_slider = widgets.SelectionSlider(options=[("final", -1)], value=-1,
                                                         description="training", continuous_update=False,
                                                         layout=widgets.Layout(width="430px"))
        self.path_box = text(placeholder="run folder, word2vec .txt/.bin or vectors.tsv", description="load")
        self.load_button = widgets.Button(description="Load")
        self.message = widgets.HTML()
        self.message.add_class("w2v-message")
        self.neighbour_list = widgets.HTML()
        self.neighbour_list.add_class("w2v-neighbours")
        self.legend = widgets.HTML()

        self._quiet = False  # True while the code itself sets a control, so observers stay still
        on = self._observe
        on(self.search_box, lambda v: self.submit_search(v))
        on(self.k_slider, lambda v: self._refresh_query())
        on(self.metric_toggle, lambda v: self._refresh_query())
        on(self.isolate_box, lambda v: self._draw_highlight())
        on(self.centre_box, lambda v: self.set_centring(v))
        on(self.projection_menu, lambda v: self.set_projection(v))
        on(self.x_axis_box, lambda v: self._custom_axes_changed())
        on(self.y_axis_box, lambda v: self._custom_axes_changed())
        on(self.colour_menu, lambda v: self.set_colouring(v))
        on(self.checkpoint_slider, lambda v: self.set_checkpoint(v))
        self.analogy_button.on_click(lambda _: self.show_analogy(*(b.value for b in self.analogy_boxes)))
        self.load_button.on_click(lambda _: self.load_path(self.path_box.value))

        self._controls = widgets.VBox([
            widgets.HBox([self.search_box, self.isolate_box, self.centre_box]),
            widgets.HBox([self.k_slider, self.metric_toggle]),
            widgets.HBox([self.projection_menu, self.x_axis_box, self.y_axis_box]),
            widgets.HBox([self.colour_menu, self.checkpoint_slider]),
            widgets.HBox([widgets.Label("analogy"), *self.analogy_boxes, self.analogy_button]),
            widgets.HBox([self.path_box, self.load_button]),
            self.message,
        ])
        self._side = widgets.VBox([widgets.HTML("<b>neighbours</b>"), self.neighbour_list, self.legend],
                                  layout=widgets.Layout(width="260px"))

    def _observe(self, widget, handler):
        widget.observe(lambda change: None if self._quiet else handler(change["new"]), "value")

    def _set_quietly(self, widget, **traits):
        """Set a control from code without running its handler (the caller does the work)."""
        self._quiet = True
        try:
            for name, value in traits.items():
                setattr(widget, name, value)
        finally:
            self._quiet = False

    def _load_model(self, model, checkpoints):
        self.model = model
        self.current_model = model
        self._load_checkpoints(checkpoints)
        self._set_quietly(self.centre_box, value=model.centred)
        self.highlighted = np.zeros(0, dtype=np.int64)  # indices drawn in red
        self.selected = None  # the index of the clicked or searched word
        self.neighbours = []  # [(word, score)] listed beside the plot
        self._query = None  # how to recompute the neighbours when k or the metric changes
        self._colour_cache = {}
        self.neighbour_list.value = ""
        self._checkpoint = -1
        self.set_colouring(self.colour_menu.value, redraw=False)
        self._projection = None
        self.set_projection(self.projection_menu.value)
        self.show_message(f"{len(model)} words, {model.dim} dimensions"
                          + (f", {len(self.checkpoints)} training checkpoints" if self.checkpoints else ""))

    @classmethod
    def from_run(cls, run_dir, max_checkpoints: int = 21, *, centred: bool = True, **kwargs) -> Explorer:
        """An explorer of a training run folder (see w2v_lib.runs), with its checkpoints."""
        run = load_run(run_dir)
        paths = run.checkpoints
        if len(paths) > max_checkpoints:  # evenly spaced, always keeping the last
            keep = np.unique(np.linspace(0, len(paths) - 1, max_checkpoints).round().astype(int))
            paths = [paths[i] for i in keep]
        checkpoints = [run.checkpoint_vectors(p) for p in paths]
        return cls(EmbeddingModel(run.words, run.vectors, run.counts, centred=centred), checkpoints, **kwargs)

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    # --- messages ----------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False):
        colour = "#b00020" if error else "#333"
        self.message.value = f'<span style="color:{colour}">{html.escape(text).replace(chr(10), "<br>")}</span>'
        self.last_error = text if error else None
        self.last_message = text

    # --- questions ---------------------------------------------------------------------------
    @reports_errors
    def submit_search(self, text: str):
        """What Enter in the search box does: a word shows its neighbours, part of a word
        highlights every match, an expression shows the neighbours of its vector."""
        text = (text or "").strip()
        self._set_quietly(self.search_box, value=text)
        if not text:
            raise ValueError("the search box is empty: type a word (e.g. good) and press Enter")
        if text in self.current_model.index:
            self.select_index(self.current_model.index[text])
        elif EXPRESSION_CHARS & set(text):
            self._query = ("expression", text)
            self._refresh_query()
        else:
            hits = self.current_model.search(text)
            if hits.size == 0:
                raise ValueError(f"no word contains {text!r}{self.current_model.spelling_hint(text)}")
            self._query = None
            self.selected = None
            self.neighbours = []
            self._highlight(hits)
            self.neighbour_list.value = self._word_list([(self.model.words[i], None) for i in hits[:50]],
                                                        f"{hits.size} words contain {text!r}")
            self.show_message(f"{hits.size} matches for {text!r}"
                              + (f" (labels on the first {self.label_limit})" if hits.size > self.label_limit else ""))

    @reports_errors
    def select_index(self, index: int):
        """Select one word (what a click does): highlight it and its k nearest neighbours."""
        if not 0 <= int(index) < len(self.model):
            raise ValueError(f"index must be in [0, {len(self.model)}); got {index}")
        self.selected = int(index)
        self._query = ("word", self.model.words[self.selected])
        self._refresh_query()

    @reports_errors
    def show_analogy(self, a: str, b: str, c: str):
        """Neighbours of a − b + c, the three input words left out."""
        words = [(w or "").strip() for w in (a, b, c)]
        if not all(words):
            raise ValueError("an analogy needs three words a, b, c (a − b + c), e.g. king, man, woman")
        for box, w in zip(self.analogy_boxes, words):
            self._set_quietly(box, value=w)
        self._query = ("analogy", tuple(words))
        self._refresh_query()

    def _refresh_query(self):
        if self._query is not None:
            self._run_query()

    @reports_errors
    def _run_query(self):
        kind, arg = self._query
        k, metric, m = self.k_slider.value, self.metric_toggle.value, self.current_model
        if kind == "word":
            hits = m.neighbours_of_vector(m.vector(arg), k, metric, exclude=(arg,))
            head, title = [m.word_index(arg)], f"nearest to {arg!r}"
        elif kind == "analogy":
            hits = m.analogy(*arg, k=k, metric=metric)
            head, title = [m.word_index(w) for w in arg], f"{arg[0]!r} − {arg[1]!r} + {arg[2]!r}"
        else:
            hits = m.neighbours(arg, k, metric)
            vec_words = [w for w in words_in(parse(arg)) if w in m.index]
            head, title = [m.word_index(w) for w in vec_words], f"nearest to {arg}"
        self.neighbours = hits
        self._highlight(head + [m.index[w] for w, _ in hits])
        space = "centred" if m.centred else "raw"
        self.neighbour_list.value = self._word_list(hits, f"{title} ({metric}, {space})")
        self.show_message(f"{len(hits)} neighbours, {title}, by {metric} on {space} vectors")

    def _word_list(self, rows, title):
        items = "".join(f"<li>{html.escape(w)}" + ("" if s is None else f" <small>{s:.3f}</small>") + "</li>"
                        for w, s in rows)
        return f"<div><i>{html.escape(title)}</i><ol>{items}</ol></div>"

    # --- centring, axes and files ------------------------------------------------------------
    @reports_errors
    def set_centring(self, centred: bool):
        """Subtract the mean vector (True) or use the raw vectors (False). Neighbours, analogies,
        k-means colours, t-SNE and custom axes are recomputed; PCA pictures do not move."""
        if not isinstance(centred, (bool, np.bool_)):
            raise ValueError(f"centred must be True or False; got {centred!r}")
        self._set_quietly(self.centre_box, value=bool(centred))
        self.last_error = None  # only an error of this switch keeps its message below
        self.model = self.model.with_centring(bool(centred))
        self.current_model = (self.model if self._checkpoint == -1
                              else self.model.with_vectors(self._aligned[self._checkpoint]))
        self._colour_cache.pop("k-means cluster", None)
        self._tsne_coords = None
        self.set_colouring(self.colour_menu.value, redraw=False)
        self.set_projection(self._projection)
        self._refresh_query()
        if self.last_error is None:
            note = f"{self.model.mode}; cosines, analogies, clusters and axes follow (euclidean distances do not)"
            self.show_message(note if self._query is None else f"{self.last_message}\n{note}")

    def _custom_axes_changed(self):
        if self._projection == "custom axes":
            self.set_projection("custom axes")

    @reports_errors
    def load_path(self, path: str, metadata_path=None):
        """Replace the vectors with those of a run folder, a word2vec file or a vectors.tsv."""
        if not (path or "").strip():
            raise ValueError("type the path of a run folder, a word2vec .txt/.bin file or a vectors.tsv")
        model = load_embeddings(path.strip(), metadata_path, centred=self.centre_box.value)
        self._tsne_coords = None
        self._load_model(model, ())
