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

Served (`serve=True`, the Voilà app), a visitor never names a server file: vectors come from
the operator's menu or by upload, and the export is a download link, not a file on the server.

The FigureWidget is built with its three traces and only ever updated in place: deleting and
re-adding traces races with the browser's first render (Voilà showed an empty plot and
"indices must be valid indices for gd.data"). Switching between 2-D and 3-D builds a new one.
"""
from __future__ import annotations

import base64
import html
import tempfile
import threading
from pathlib import Path

import ipywidgets as widgets
import plotly.graph_objects as go

from ..vectors.formats import load_word_vectors
from ..vectors.keyed import WordVectors
from . import figures
from .controls import FILE_CHOICE, MAX_UPLOAD_MB, Controls
from .projection_job import ProjectionJob
from .state import LEARNED, ExplorerState
from .upload import vectors_from_upload

ERROR_COLOUR = "#b00020"


class Explorer:
    """An interactive view of word vectors, with a slider through training checkpoints.

    Args:
        model: the WordVectors of the final vectors (centred by default).
        checkpoints: optional [(iteration, (|V|, D) vectors)] from training, oldest first.
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

    def show_message(self, text: str, error: bool = False):
        """One message under the controls; an expression error keeps its caret under the right
        character (white space is kept and the quoted lines use a fixed-width font)."""
        colour = ERROR_COLOUR if error else "#333"
        first, *rest = (text or "").split("\n")
        body = html.escape(first)
        for line in rest:  # only an expression and its caret need a fixed-width font
            quoted = line.startswith("  ")
            body += (f'<br><code style="white-space:pre">{html.escape(line)}</code>' if quoted
                     else f"<br>{html.escape(line)}")
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
                specs = figures.traces(s, self.plot_size, all_words=drawn != self._drawn)
                for trace, props in zip(self.fig.data, specs):
                    trace.update(props, overwrite=True)
                self.fig.layout.update(figures.layout(s))
            self._drawn = drawn
        self._show_word_list()
        self.legend.value = figures.legend_html(s)
        self._set_quietly(self.colour_menu, value=s.colouring)
        self._set_quietly(self.projection_menu, value=s.projection)
        self._set_quietly(self.centre_box, value=s.model.centred)
        self._set_quietly(self.checkpoint_slider, value=s.checkpoint)
        # only the controls that apply to this view and these vectors are shown
        self.controls.axes_row.layout.display = None if s.projection == "custom axes" else "none"
        self.checkpoint_slider.layout.display = None if s.checkpoints else "none"
        self.checkpoint_slider.disabled = s.learned
        self._set_quietly(self.min_count_box, value=s.min_count)
        self._set_quietly(self.isolate_box, value=s.isolate)
        self.min_count_box.disabled = s.model.counts is None
        self.controls.file_row.layout.display = None if self.source_menu.value == FILE_CHOICE else "none"

    def _show_word_list(self):
        """The clickable list beside the plot: one button per word, its count and score on hover."""
        s = self.state
        labelled = {s.model.words[i] for i in figures.label_choice(s, self.plot_size)[0]}
        entries = figures.word_entries(s, labelled)
        self.controls.list_title.value = f"<i>{html.escape(s.list_title)}</i>" if s.list_title else ""
        for j, button in enumerate(self.controls.word_buttons):
            if j < len(entries):
                button.w2v_word, button.description, button.tooltip = entries[j]
                button.layout.display = None
            elif button.layout.display != "none":
                button.layout.display = "none"
        self.controls.explanation.value = (f'<span style="color:#6a4a00">{html.escape(s.explanation)}</span>'
                                           if s.explanation else "")

    @property
    def listed(self) -> list:
        """The words the list beside the plot shows, in order."""
        return [b.w2v_word for b in self.controls.word_buttons if b.layout.display != "none"]

    def _new_figure(self) -> go.FigureWidget:
        s = self.state
        kind = go.Scatter3d if s.three_d else None
        specs = figures.traces(s, self.plot_size)
        made = [(kind or (go.Scattergl if p["mode"] == "markers" else go.Scatter))(**p) for p in specs]
        fig = go.FigureWidget(data=made, layout=figures.layout(s))
        if self.plot_size != figures.PLOT_SIZE:  # a new figure (2-D ↔ 3-D) keeps the measured width
            fig.layout.width = self.plot_size[0]
        self._drawn = (id(s.coords), id(s.colours), s.shown.tobytes() if s.isolate else None)
        if not s.three_d:
            for trace in fig.data[:2]:
                trace.on_click(self._on_click)
        return fig

    def _box_resized(self, width):
        """The page measured the plot's box: draw the figure that wide, labels placed for it."""
        width = int(width or 0)
        if width < 100 or width == self.plot_size[0]:
            return
        self.plot_size = (width, self.plot_size[1])
        with self._lock:
            self.fig.layout.width = width
            # the traces change only if labels are shown: the first measurement arrives while the
            # browser may still be drawing the figure, when a trace update races with it
            if self.state.highlighted.size or len(self.state.model) <= self.state.label_limit:
                self._render()

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

    # --- other vectors -----------------------------------------------------------------------
    def load_vectors(self, model: WordVectors, checkpoints=(), name: str = "word vectors"):
        """Show another vector set; the view, colouring and k carry over where they apply."""
        old = self.state
        state = ExplorerState(model, checkpoints, name=name, k=old.k, n_clusters=old.n_clusters,
                              label_limit=old.label_limit, seed=old.seed)
        state.metric = old.metric
        if old.colouring != "frequency band" or model.counts is not None:
            state.set_colouring(old.colouring)
        if not state.projection_needed(old.projection):
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
        """Show the vectors of a run folder, a word2vec file or a vectors.tsv (notebook only: the
        web app takes no server path from its visitors)."""
        def load():
            if self.serve:
                raise ValueError("this app reads no file of its server: upload a vectors file instead")
            if not (path or "").strip():
                raise ValueError("type the path of a run folder, a word2vec .txt/.bin file or a vectors.tsv")
            model = load_word_vectors(path.strip(), metadata_path, centred=self.centre_box.value)
            self.load_vectors(model, (), name=Path(path.strip()).name)
        return self._act(load)

    def load_upload(self, files: dict):
        """Show uploaded vectors: {file name: bytes}, parsed in memory (see upload.py)."""
        def load():
            model, name = vectors_from_upload(files, MAX_UPLOAD_MB << 20, centred=self.centre_box.value)
            self.load_vectors(model, (), name=name)
        return self._act(load)

    def _uploaded(self, value):
        if not value:
            return
        files = {item["name"]: item["content"] for item in value}
        try:
            self.load_upload(files)
        finally:
            self._set_quietly(self.upload, value=())  # the bytes are not kept in the widget

    def load_source(self, name: str):
        """Show one of the vector sets of the menu (which may train or download them first).
        If it fails, the menu goes back to the set still shown and one line says what to do."""
        shown = self.state.name

        def load():
            if name not in self.sources:
                raise ValueError(f"no vector set called {name!r}; the menu offers {list(self.sources)}")
            self.show_message(f"loading {name}…")
            self.progress.value = 0
            self.progress.layout.visibility = "visible"
            try:
                model, checkpoints = self.sources[name](progress=self._progress)
            except (OSError, ValueError) as err:
                raise ValueError(self._failed_load(name, shown, err)) from None
            self.load_vectors(model.with_centring(self.centre_box.value), checkpoints, name=name)
        note = self._act(load)
        if self.last_error:
            self._set_quietly(self.source_menu, value=shown)
        return note

    def _failed_load(self, name, shown, err) -> str:
        """One line: what failed and what to do. Served, no server path is named."""
        if self.serve:
            return (f"{name} could not be loaded (no network here?); still showing {shown}: pick another "
                    "set or upload a vectors file")
        first = str(err).split("\n")[0]
        return f"{name} could not be loaded; still showing {shown}. {first}"

    def _progress(self, fraction: float, text: str = ""):
        self.progress.value = min(max(float(fraction), 0.0), 1.0)
        if text:
            self.show_message(text)

    def _source_chosen(self, name):
        if name == FILE_CHOICE:
            self._render()
            self.show_message("upload a word2vec .txt/.bin(.gz) file, or a vectors.tsv with its metadata.tsv"
                              if self.serve else
                              "type the path of a run folder, a word2vec .txt/.bin file or a vectors.tsv, then "
                              "Load; or upload one")
        elif name in self.sources:
            self.load_source(name)

    def export(self, directory=None):
        """The offline HTML page of the vectors shown, as a download link; in a notebook also
        written with the projector's TSV pair (into `directory` or export_dir)."""
        from ..corpora.sst import default_data_dir
        from .export import export_html, export_projector_tsv

        def write():
            s = self.state
            slug = "".join(c if c.isalnum() else "_" for c in s.name.lower()).strip("_") or "vectors"
            coords = s.coords[:, :2] if not s.three_d else None
            with tempfile.TemporaryDirectory() as scratch:
                folder = Path(scratch) if self.serve else \
                    Path(directory or self.export_dir or default_data_dir() / "explorer") / slug
                page = export_html(folder / f"{slug}.html", s.current_model, coords, title=s.name,
                                   colours=s.colours, colour_names=s.colour_names,
                                   projection=s.projection if coords is not None else None)
                self._offer_download(page.read_bytes(), page.name)
                if self.serve:
                    return f"the page is ready: {page.name} (the link above the plot downloads it)"
                vec, meta = export_projector_tsv(folder / "projector", s.current_model)
            self.exported = (page, vec, meta)
            return f"exported {page} and the projector pair {vec.name} + {meta.name} in {vec.parent}"
        return self._act(write)

    def _offer_download(self, data: bytes, filename: str):
        """A link that downloads `data` from the page itself (a data: URL): no file on the server."""
        href = "data:text/html;base64," + base64.b64encode(data).decode("ascii")
        self.download.value = (f'<a download="{html.escape(filename)}" href="{href}">download '
                               f'{html.escape(filename)} ({len(data) / 1e6:.1f} MB)</a>')
