"""The explorer widget: the controls of controls.py around a plotly FigureWidget, wired to
ExplorerState.

This module only wires: each control calls one state method through `_act`, which clears the
old message, turns any error into a red line (never a traceback) and redraws from the pure
functions of figures.py. Everything a student does is also a method, so tests and notebooks
drive it from Python: `submit_search("good")`, `show_analogy("king", "man", "woman")`,
`select_index(i)`, `select_word("queen")`, `set_projection("PCA 3-D")`, `set_checkpoint(0)`,
`set_centring(False)`, `set_min_count(5)`, `load_source("Wikipedia sample …")`,
`load_upload({name: bytes})`, `export()`.

t-SNE and UMAP run in a thread (projection_job.py), so the kernel stays free for the cancel
button; the picture follows the iterations. `wait()` joins that thread (tests, notebooks).
Drawing is in drawing.py, loading other vectors and the export in loading.py.
"""
from __future__ import annotations

import threading
from pathlib import Path

import ipywidgets as widgets

from ..vectors.keyed import WordVectors
from . import figures
from .controls import Controls
from .drawing import ExplorerDrawing
from .loading import VectorLoading
from .projection_job import ProjectionJob
from .state import LEARNED, ExplorerState


class Explorer(ExplorerDrawing, VectorLoading):
    """An interactive view of word vectors, with a slider through training checkpoints.

    Args:
        model: the WordVectors of the final vectors (centred by default).
        checkpoints: optional [(iteration, (|Vocab|, D) vectors)] from training, oldest first.
        name: the vector set's name (titles, exports, the vectors menu).
        sources: optional {menu name: loader() -> (WordVectors, checkpoints)} offered in the
            vectors menu (see sources.py); files come by upload too.
        export_dir: where the export button writes in a notebook (data/explorer by default).
        k: the initial number of neighbours; label_limit: at most this many text labels.
        serve: True in the web app: no path box, exports only as download links.
        background: run t-SNE and UMAP in a thread (False: in the caller, e.g. a script).
    """

    def __init__(self, model: WordVectors, checkpoints=(), *, name: str = "word vectors", sources=None,
                 export_dir=None, k: int = 10, n_clusters: int = 8, label_limit: int = 30, seed: int = 0,
                 serve: bool = False, background: bool = True):
        if not isinstance(model, WordVectors):
            raise ValueError(f"model must be a WordVectors; got {type(model).__name__}")
        self.state = ExplorerState(model, checkpoints, name=name, k=k, n_clusters=n_clusters,
                                   label_limit=label_limit, seed=seed)
        self.sources = dict(sources or {})
        self.export_dir = Path(export_dir) if export_dir else None
        self.serve, self.background = bool(serve), bool(background)
        self.last_error = self.last_message = None
        self.job = None  # the running t-SNE / UMAP, if any
        self.plot_size = figures.PLOT_SIZE  # the labels' layout; the browser reports the real width
        self._lock = threading.RLock()  # the job's thread and the kernel's handlers take turns
        self._quiet = False  # True while the code itself sets a control, so observers stay still
        self.controls = Controls(name, list(self.sources), k, self.state.axes, serve=self.serve)
        self._wire()
        self.fig = self._new_figure()
        self._plot_box = widgets.Box([self.fig], layout=widgets.Layout(min_width="0"))
        self._plot_box.add_class("w2v-plot")
        body = widgets.Box([self._plot_box, self.controls.side], layout=widgets.Layout(width="100%"))
        body.add_class("w2v-body")
        self.ui = widgets.VBox([self.controls.panel, body], layout=widgets.Layout(max_width="100%"))
        self.ui.add_class("w2v-explorer")
        self._after_load()

    @classmethod
    def from_run(cls, run_dir, max_checkpoints: int = 21, *, centred: bool = True, **kwargs) -> Explorer:
        """An explorer of a training run folder (see w2v_lib.assignment.run_folder), with its checkpoints."""
        from .sources import run_vectors

        model, checkpoints = run_vectors(run_dir, max_checkpoints, centred=centred)
        kwargs.setdefault("name", "SST run")
        return cls(model, checkpoints, **kwargs)

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    # --- what the tests and the notebook read ------------------------------------------------
    model = property(lambda self: self.state.model)
    current_model = property(lambda self: self.state.current_model)
    coords = property(lambda self: self.state.coords)
    highlighted = property(lambda self: self.state.highlighted)
    neighbours = property(lambda self: self.state.neighbours)
    selected = property(lambda self: self.state.selected)
    checkpoints = property(lambda self: self.state.checkpoints)
    _ranges = property(lambda self: self.state.ranges)
    _colour_cache = property(lambda self: self.state._colour_cache)

    @property
    def label_limit(self) -> int:
        return self.state.label_limit

    @label_limit.setter
    def label_limit(self, value: int):
        self.state.label_limit = int(value)

    # --- wiring ------------------------------------------------------------------------------
    def __getattr__(self, name):
        """The controls by name (explorer.search_box, explorer.k_slider, …), for tests and notebooks."""
        controls = self.__dict__.get("controls")
        if controls is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(controls, name)

    def _wire(self):
        on = self._observe
        on(self.search_box, self.submit_search)
        on(self.k_slider, lambda v: self._act(self._set_state, "k", v))
        on(self.metric_toggle, lambda v: self._act(self._set_state, "metric", v))
        on(self.isolate_box, lambda v: self._act(self.state.set_isolate, v))
        on(self.min_count_box, self.set_min_count)
        on(self.centre_box, self.set_centring)
        on(self.projection_menu, self.set_projection)
        on(self.x_axis_box, lambda v: self._act(self.state.set_axes, v, self.y_axis_box.value))
        on(self.y_axis_box, lambda v: self._act(self.state.set_axes, self.x_axis_box.value, v))
        on(self.colour_menu, self.set_colouring)
        on(self.checkpoint_slider, self.set_checkpoint)
        on(self.source_menu, self._source_chosen)
        self.analogy_button.on_click(lambda _: self.show_analogy(*(b.value for b in self.analogy_boxes)))
        self.load_button.on_click(lambda _: self.load_path(self.path_box.value))
        self.export_button.on_click(lambda _: self.export())
        self.cancel_button.on_click(lambda _: self.cancel())
        on(self.upload, self._uploaded)
        self.controls.plot_width.observe(lambda change: self._box_resized(change["new"]), "value")
        for button in self.controls.word_buttons:
            button.on_click(lambda b: self.select_word(b.w2v_word))

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

    def _set_state(self, name, value):
        setattr(self.state, name, value)
        self.state._refresh_answer()

    # --- the one path every action takes -----------------------------------------------------
    def _act(self, action, *args, pending: str = ""):
        """Clear the old message (or show `pending` while it runs), run `action`, show its note
        or its error, redraw."""
        with self._lock:
            self.last_error = None
            self.show_message(pending)
            try:
                note = action(*args)
            except Exception as err:  # a UI must never show a traceback; say what broke instead
                known = isinstance(err, (ValueError, FileNotFoundError, KeyError, OSError))
                text = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
                self.show_message(str(text) if known else f"unexpected {type(err).__name__}: {err}", error=True)
                note = None
            finally:
                if self.job is None or not self.job.running:
                    self.progress.layout.visibility = "hidden"
            self._render()
            return self._say(note)

    def _say(self, note):
        if self.last_error is None:
            lines = [self.state.summary] if self.state.summary else []
            lines += [n for n in note if n] if isinstance(note, list) else ([note] if note else [])
            if lines:
                self.show_message("\n".join(lines))
        return note


    # --- actions -----------------------------------------------------------------------------
    def submit_search(self, text: str):
        """What Enter in the search box does (see ExplorerState.search)."""
        self._set_quietly(self.search_box, value=(text or "").strip())
        return self._act(self.state.search, text)

    def select_index(self, index: int):
        """What a click on a point does; the search box then names the selected word."""
        note = self._act(self.state.select, index)
        if self.state.selected is not None:
            self._set_quietly(self.search_box, value=self.state.model.words[self.state.selected])
        return note

    def select_word(self, word: str):
        """What a click on the word list does: the same selection as a click on its point."""
        model = self.state.model
        if word not in model.index:
            return self._act(lambda: model.word_index(word))
        return self.select_index(model.index[word])

    def set_min_count(self, min_count: int):
        return self._act(self.state.set_min_count, min_count)

    def show_analogy(self, a: str, b: str, c: str):
        for box, w in zip(self.analogy_boxes, (a, b, c)):
            self._set_quietly(box, value=(w or "").strip())
        return self._act(self.state.analogy, a, b, c)

    def set_projection(self, name: str):
        """Switch the view. A t-SNE or UMAP not computed yet runs in a thread (see projection_job):
        the picture follows its iterations, with progress and a cancel button."""
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.job.join(30)
        if isinstance(name, str) and name in LEARNED and self.state.projection_needed(name):
            self.job = ProjectionJob(self, name)
            self.job.start(background=self.background)
            return None
        return self._act(self.state.set_projection, name)

    def cancel(self):
        """Stop a running t-SNE or UMAP; the view goes back to what it was."""
        if self.job is not None and self.job.running:
            self.job.cancel()

    def wait(self, timeout: float | None = None):
        """Wait for a running t-SNE or UMAP to finish (tests and notebooks)."""
        if self.job is not None:
            self.job.join(timeout)

    def set_colouring(self, name: str):
        return self._act(self.state.set_colouring, name)

    def set_checkpoint(self, position: int):
        return self._act(self.state.set_checkpoint, position)

    def set_centring(self, centred: bool):
        def switch():
            self.state.set_centring(centred)
            return f"{self.state.model.mode}; cosines, analogies, clusters and axes follow (euclidean distances do not)"
        return self._act(switch)
