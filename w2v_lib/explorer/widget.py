"""The explorer widget: the controls of controls.py around a plotly FigureWidget, wired to
ExplorerState.

This module only wires: each control calls one state method through `_act`, which clears the
old message, turns any error into a red line (never a traceback) and redraws from the pure
functions of figures.py. Everything a student does is also a method, so tests and notebooks
drive it from Python: `submit_search("good")`, `show_analogy("king", "man", "woman")`,
`select_index(i)`, `set_projection("PCA 3-D")`, `set_checkpoint(0)`, `set_centring(False)`,
`load_source("Wikipedia sample …")`, `export()`.

The FigureWidget is built with its three traces and only ever updated in place: deleting and
re-adding traces races with the browser's first render (Voilà showed an empty plot and
"indices must be valid indices for gd.data"). Switching between 2-D and 3-D builds a new one.
"""
from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets
import plotly.graph_objects as go

from ..vectors.formats import load_word_vectors
from ..vectors.keyed import WordVectors
from . import figures
from .controls import FILE_CHOICE, Controls
from .state import ExplorerState

ERROR_COLOUR = "#b00020"


class Explorer:
    """An interactive view of word vectors, with a slider through training checkpoints.

    Args:
        model: the WordVectors of the final vectors (centred by default).
        checkpoints: optional [(iteration, (|V|, D) vectors)] from training, oldest first.
        name: the vector set's name (titles, exports, the vectors menu).
        sources: optional {menu name: loader() -> (WordVectors, checkpoints)} offered in the
            vectors menu (see sources.py); a file path box is always offered too.
        export_dir: where the export button writes (data/explorer by default).
        k: the initial number of neighbours; label_limit: at most this many text labels.
    """

    def __init__(self, model: WordVectors, checkpoints=(), *, name: str = "word vectors", sources=None,
                 export_dir=None, k: int = 10, n_clusters: int = 8, label_limit: int = 30, seed: int = 0):
        if not isinstance(model, WordVectors):
            raise ValueError(f"model must be a WordVectors; got {type(model).__name__}")
        self.state = ExplorerState(model, checkpoints, name=name, k=k, n_clusters=n_clusters,
                                   label_limit=label_limit, seed=seed)
        self.sources = dict(sources or {})
        self.export_dir = Path(export_dir) if export_dir else None
        self.last_error = self.last_message = None
        self._quiet = False  # True while the code itself sets a control, so observers stay still
        self.controls = Controls(name, list(self.sources), k, self.state.axes)
        self._wire()
        self.fig = self._new_figure()
        self._plot_box = widgets.Box([self.fig])
        self.ui = widgets.VBox([self.controls.panel, widgets.HBox([self._plot_box, self.controls.side])])
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
        on(self.isolate_box, lambda v: self._act(self._set_state, "isolate", v))
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
            self.progress.layout.visibility = "hidden"
        self._render()
        if self.last_error is None:
            lines = [self.state.summary] if self.state.summary else []
            lines += note if isinstance(note, list) else ([note] if note else [])
            if lines:
                self.show_message("\n".join(lines))
        return note

    def show_message(self, text: str, error: bool = False):
        """One message under the controls; an expression error keeps its caret under the right
        character (white space is kept and the quoted lines use a fixed-width font)."""
        colour = ERROR_COLOUR if error else "#333"
        first, *rest = (text or "").split("\n")
        body = html.escape(first)
        if rest:
            body += "".join(f'<br><code style="white-space:pre">{html.escape(line)}</code>' for line in rest)
        self.message.value = f'<span style="color:{colour}">{body}</span>' if text else ""
        if error:
            self.last_error = text
        self.last_message = text

    def _render(self):
        """Redraw everything from the state."""
        s = self.state
        if (self.fig.data[0].type == "scatter3d") != s.three_d:
            self.fig = self._new_figure()
            self._plot_box.children = (self.fig,)
        else:
            # what the all-words trace shows; unchanged, only its fading is sent again
            drawn = (id(s.coords), id(s.colours), s.shown.tobytes() if s.isolate else None)
            with self.fig.batch_update():
                specs = figures.traces(s, all_words=drawn != self._drawn)
                for trace, props in zip(self.fig.data, specs):
                    trace.update(props, overwrite=True)
                self.fig.layout.update(figures.layout(s))
            self._drawn = drawn
        self.neighbour_list.value = figures.word_list_html(s.list_title, s.list_rows)
        self.legend.value = figures.legend_html(s)
        self._set_quietly(self.colour_menu, value=s.colouring)
        self._set_quietly(self.projection_menu, value=s.projection)
        self._set_quietly(self.centre_box, value=s.model.centred)
        self._set_quietly(self.checkpoint_slider, value=s.checkpoint)
        # only the controls that apply to this view and these vectors are shown
        self.controls.axes_row.layout.display = None if s.projection == "custom axes" else "none"
        self.checkpoint_slider.layout.display = None if s.checkpoints else "none"
        self.checkpoint_slider.disabled = s.projection.startswith("t-SNE")
        self.controls.file_row.layout.display = None if self.source_menu.value == FILE_CHOICE else "none"

    def _new_figure(self) -> go.FigureWidget:
        s = self.state
        kind = go.Scatter3d if s.three_d else None
        specs = figures.traces(s)
        made = [(kind or (go.Scattergl if p["mode"] == "markers" else go.Scatter))(**p) for p in specs]
        fig = go.FigureWidget(data=made, layout=figures.layout(s))
        self._drawn = (id(s.coords), id(s.colours), s.shown.tobytes() if s.isolate else None)
        if not s.three_d:
            for trace in fig.data[:2]:
                trace.on_click(self._on_click)
        return fig

    def _on_click(self, trace, points, state):
        if not points.point_inds:
            return
        j = points.point_inds[0]
        rows = self.state.shown if trace.name == "words" else self.state.highlighted
        self.select_index(int(rows[j]))

    # --- actions -----------------------------------------------------------------------------
    def submit_search(self, text: str):
        """What Enter in the search box does (see ExplorerState.search)."""
        self._set_quietly(self.search_box, value=(text or "").strip())
        return self._act(self.state.search, text)

    def select_index(self, index: int):
        return self._act(self.state.select, index)

    def show_analogy(self, a: str, b: str, c: str):
        for box, w in zip(self.analogy_boxes, (a, b, c)):
            self._set_quietly(box, value=(w or "").strip())
        return self._act(self.state.analogy, a, b, c)

    def set_projection(self, name: str):
        pending = ""
        if isinstance(name, str) and name.startswith("t-SNE") and self.state.tsne_needed():
            pending = (f"computing t-SNE of {len(self.state.model):,} words… (once per vector set and centring; "
                       "20,000 words take about two minutes)")
        return self._act(self.state.set_projection, name, pending=pending)

    def set_colouring(self, name: str):
        return self._act(self.state.set_colouring, name)

    def set_checkpoint(self, position: int):
        return self._act(self.state.set_checkpoint, position)

    def set_centring(self, centred: bool):
        def switch():
            self.state.set_centring(centred)
            return f"{self.state.model.mode}; cosines, analogies, clusters and axes follow (euclidean distances do not)"
        return self._act(switch)

    # --- other vectors -----------------------------------------------------------------------
    def load_vectors(self, model: WordVectors, checkpoints=(), name: str = "word vectors"):
        """Show another vector set; the view, colouring and k carry over where they apply."""
        old = self.state
        state = ExplorerState(model, checkpoints, name=name, k=old.k, n_clusters=old.n_clusters,
                              label_limit=old.label_limit, seed=old.seed)
        state.metric = old.metric
        if old.colouring != "frequency band" or model.counts is not None:
            state.set_colouring(old.colouring)
        if old.projection != "t-SNE 2-D" or not state.tsne_needed():
            try:
                state.set_projection(old.projection)
            except ValueError:  # e.g. the custom axes' words are not in the new vocabulary
                pass
        self.state = state
        options = list(self.source_menu.options)
        if name not in options:
            options.insert(len(options) - 1, name)
        self._set_quietly(self.source_menu, options=options, value=name)
        self._after_load()

    def _after_load(self):
        s = self.state
        options = [(f"iteration {it}", j) for j, (it, _) in enumerate(s.checkpoints)] + [("final", -1)]
        self._set_quietly(self.checkpoint_slider, options=options, value=-1)
        self._set_quietly(self.k_slider, value=s.k)
        self._act(lambda: f"{s.name}: {len(s.model):,} words, {s.model.dim} dimensions"
                  + (f", {len(s.checkpoints)} training checkpoints" if s.checkpoints else ""))

    def load_path(self, path: str, metadata_path=None):
        """Show the vectors of a run folder, a word2vec file or a vectors.tsv."""
        def load():
            if not (path or "").strip():
                raise ValueError("type the path of a run folder, a word2vec .txt/.bin file or a vectors.tsv")
            model = load_word_vectors(path.strip(), metadata_path, centred=self.centre_box.value)
            self.load_vectors(model, (), name=Path(path.strip()).name)
        return self._act(load)

    def load_source(self, name: str):
        """Show one of the vector sets of the menu (which may train or download them first)."""
        def load():
            if name not in self.sources:
                raise ValueError(f"no vector set called {name!r}; the menu offers {list(self.sources)}")
            self.show_message(f"loading {name}…")
            self.progress.value = 0
            self.progress.layout.visibility = "visible"
            model, checkpoints = self.sources[name](progress=self._progress)
            self.load_vectors(model.with_centring(self.centre_box.value), checkpoints, name=name)
        return self._act(load)

    def _progress(self, fraction: float, text: str = ""):
        self.progress.value = min(max(float(fraction), 0.0), 1.0)
        if text:
            self.show_message(text)

    def _source_chosen(self, name):
        if name == FILE_CHOICE:
            self._render()
            self.show_message("type the path of a run folder, a word2vec .txt/.bin file or a vectors.tsv, then Load")
        elif name in self.sources:
            self.load_source(name)

    def export(self, directory=None):
        """Write the offline HTML page and the projector's TSV pair of the vectors shown."""
        from ..corpora.sst import default_data_dir
        from .export import export_html, export_projector_tsv

        def write():
            s = self.state
            slug = "".join(c if c.isalnum() else "_" for c in s.name.lower()).strip("_") or "vectors"
            folder = Path(directory or self.export_dir or default_data_dir() / "explorer") / slug
            coords = s.coords[:, :2] if not s.three_d else None
            page = export_html(folder / f"{slug}.html", s.current_model, coords, title=s.name,
                               colours=s.colours, colour_names=s.colour_names)
            vec, meta = export_projector_tsv(folder / "projector", s.current_model)
            self.exported = (page, vec, meta)
            return f"exported {page} and the projector pair {vec.name} + {meta.name} in {vec.parent}"
        return self._act(write)
