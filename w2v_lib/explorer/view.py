"""The explorer's picture: projections, colours and the plotly traces of the FigureWidget.

`MapView` is the half of `Explorer` that draws; widget.py holds the other half (controls,
layout and the questions). MapView reads the explorer's `model`, `current_model`,
`highlighted` and the controls it mirrors, and writes `coords`, the training checkpoints and
the figure's three traces: all words, the highlighted words, their text labels.
"""
from __future__ import annotations

import functools
import html

import numpy as np
import plotly.graph_objects as go

from .projections import TSNE_LIBRARY, align_checkpoints, custom_axes, pca_basis, tsne

PROJECTIONS = ("PCA 2-D", "PCA 3-D", "t-SNE 2-D", "custom axes")
COLOURINGS = ("frequency band", "k-means cluster", "none")
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#aec7e8", "#ffbb78", "#98df8a")
HIGHLIGHT = "#d62728"


def reports_errors(method):
    """Run a UI handler; any error becomes a message in the widget instead of a traceback."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (ValueError, FileNotFoundError, KeyError) as err:
            text = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
            self.show_message(str(text), error=True)
        except Exception as err:  # a UI must never show a traceback; say what broke instead
            self.show_message(f"unexpected {type(err).__name__}: {err}", error=True)
        return None
    return wrapper


def escaped(words) -> list:
    return [html.escape(w) for w in words]


def _discrete_colorscale(n: int) -> list:
    """A plotly colorscale that maps the integers 0..n-1 (with cmin=-0.5, cmax=n-0.5) to flat colours."""
    scale = []
    for i in range(n):
        colour = PALETTE[i % len(PALETTE)]
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    return scale


def _trace(three_d, **kwargs):
    if three_d:
        return go.Scatter3d(**kwargs)
    return go.Scattergl(**kwargs) if kwargs.get("mode") == "markers" else go.Scatter(**kwargs)


class MapView:
    """Projection, colouring and drawing of the words (mixed into `Explorer`)."""

    # --- projection --------------------------------------------------------------------------
    @reports_errors
    def set_projection(self, name: str):
        """Switch the view: "PCA 2-D", "PCA 3-D", "t-SNE 2-D" or "custom axes"."""
        if name not in PROJECTIONS:
            raise ValueError(f"projection must be one of {PROJECTIONS}; got {name!r}")
        if name == "custom axes":  # check the axes before switching, so a bad axis keeps the view
            custom_axes(self.current_model, (self.x_axis_box.value, self.y_axis_box.value))
        self._projection = name
        self._set_quietly(self.projection_menu, value=name)
        self.checkpoint_slider.disabled = name.startswith("t-SNE") or not self.checkpoints
        if name.startswith("t-SNE") and self._checkpoint != -1:
            self.set_checkpoint(-1)
        self._compute_coords()
        self._draw_all()
        if name.startswith("t-SNE"):
            self.show_message(f"t-SNE by {TSNE_LIBRARY}, on the final vectors (the training slider "
                              "needs PCA or custom axes)")

    def _project(self, model) -> np.ndarray:
        name = self._projection
        if name.startswith("PCA"):  # PCA subtracts its own mean: the raw vectors give the same picture
            return self._basis.project(model.raw_vectors)  # and keep each checkpoint's place in it
        if name == "custom axes":
            return custom_axes(model, (self.x_axis_box.value, self.y_axis_box.value))
        return self._tsne_coords

    def _compute_coords(self):
        name = self._projection
        if name.startswith("PCA"):
            self._basis = pca_basis(self.model.raw_vectors, 3 if name == "PCA 3-D" else 2)
        elif name.startswith("t-SNE") and getattr(self, "_tsne_coords", None) is None:
            self._tsne_coords = tsne(self.model.vectors, 2, seed=self.seed)
        self.coords = self._project(self.current_model)  # (|V|, 2 or 3)
        # one fixed frame for every checkpoint, so the slider shows motion, not rescaling
        frames = [self.coords] + ([self._project(self.model.with_vectors(v)) for v in self._aligned]
                                  if self.checkpoints and not name.startswith("t-SNE") else [])
        # every point of this view stays inside; of the other frames, the outermost 0.5% may leave
        lo = np.minimum(self.coords.min(axis=0), np.min([np.percentile(f, 0.5, axis=0) for f in frames], axis=0))
        hi = np.maximum(self.coords.max(axis=0), np.max([np.percentile(f, 99.5, axis=0) for f in frames], axis=0))
        pad = 0.05 * np.maximum(hi - lo, 1e-6)
        self._ranges = [[float(a), float(b)] for a, b in zip(lo - pad, hi + pad)]

    def _axis_titles(self):
        if self._projection == "custom axes":
            return [self.x_axis_box.value, self.y_axis_box.value]
        if self._projection.startswith("PCA"):
            return [f"PC{i + 1} ({100 * e:.0f}% of variance)" for i, e in enumerate(self._basis.explained)]
        return ["t-SNE 1", "t-SNE 2"]

    def _title(self):
        it = "final vectors" if self._checkpoint == -1 else f"iteration {self.checkpoints[self._checkpoint][0]}"
        return f"{self._projection} · {it}"

    # --- drawing -----------------------------------------------------------------------------
    def _draw_all(self):
        """Rebuild the three traces: all words, the highlighted words, their labels."""
        three_d = self.coords.shape[1] == 3
        with self.fig.batch_update():
            self.fig.data = ()
            xyz = dict(zip("xyz", self.coords.T))  # x, y (and z) columns
            self.fig.add_trace(_trace(three_d, mode="markers", name="words", hoverinfo="text",
                                      hovertext=escaped(self.model.words), marker=dict(size=3 if three_d else 5),
                                      **xyz))
            self.fig.add_trace(_trace(three_d, mode="markers", name="matches", hoverinfo="text",
                                      marker=dict(size=6 if three_d else 10, color=HIGHLIGHT,
                                                  line=dict(width=1, color="black"))))
            self.fig.add_trace(_trace(three_d, mode="text", name="labels", hoverinfo="skip",
                                      textposition="top center", textfont=dict(size=12)))
            self._shown, self._isolated = np.arange(len(self.model)), False
            titles = self._axis_titles()
            axes = [dict(title=t, range=r) for t, r in zip(titles, self._ranges)]
            if three_d:
                self.fig.layout.scene = dict(xaxis=axes[0], yaxis=axes[1], zaxis=axes[2])
            else:
                self.fig.layout.xaxis, self.fig.layout.yaxis = axes
            self.fig.layout.title = self._title()
            self._apply_colours()
            self._draw_highlight()
        if not three_d:
            for trace in self.fig.data[:2]:
                trace.on_click(self._on_click)

    def _draw_highlight(self):
        """Redraw the highlight and label traces (and the isolation of the word trace)."""
        idx = self.highlighted
        three_d = self.coords.shape[1] == 3
        words_trace, match_trace, label_trace = self.fig.data
        shown = idx if (self.isolate_box.value and idx.size) else None
        with self.fig.batch_update():
            if shown is not None or getattr(self, "_isolated", False):
                base = np.arange(len(self.model)) if shown is None else shown
                words_trace.update(x=self.coords[base, 0], y=self.coords[base, 1],
                                   hovertext=[html.escape(self.model.words[i]) for i in base])
                if three_d:
                    words_trace.z = self.coords[base, 2]
                words_trace.marker.color = self._colours[base]
                self._isolated = shown is not None
            self._shown = np.arange(len(self.model)) if shown is None else shown
            if not three_d:  # fade the other words while something is highlighted
                words_trace.selectedpoints = None if (idx.size == 0 or shown is not None) else idx
                words_trace.unselected = dict(marker=dict(opacity=0.25))
            match_words = [self.model.words[i] for i in idx]
            match_trace.update(x=self.coords[idx, 0], y=self.coords[idx, 1], hovertext=escaped(match_words),
                               text=escaped(match_words))
            labelled = idx[: self.label_limit]
            label_trace.update(x=self.coords[labelled, 0], y=self.coords[labelled, 1],
                               text=escaped(match_words[: self.label_limit]))
            if three_d:
                match_trace.z = self.coords[idx, 2]
                label_trace.z = self.coords[labelled, 2]

    def _highlight(self, indices):
        self.highlighted = np.asarray(indices, dtype=np.int64)
        self._draw_highlight()

    def _on_click(self, trace, points, state):
        if not points.point_inds:
            return
        j = points.point_inds[0]
        idx = self._shown[j] if trace.name == "words" else self.highlighted[j]
        self.select_index(int(idx))

    # --- colours -----------------------------------------------------------------------------
    @reports_errors
    def set_colouring(self, name: str, redraw: bool = True):
        """Colour the words by "frequency band", "k-means cluster" or "none"."""
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
        self._colours, self._colour_names = self._colour_cache[name]
        self._set_quietly(self.colour_menu, value=name)
        if note:
            self.show_message(note)
        self.legend.value = "<br>".join(
            f'<span style="color:{PALETTE[i % len(PALETTE)]}">●</span> {html.escape(n)}'
            for i, n in enumerate(self._colour_names))
        if redraw:
            self._apply_colours()
            self._draw_highlight()

    def _apply_colours(self):
        n = len(self._colour_names)
        marker = self.fig.data[0].marker
        marker.update(color=self._colours[self._shown],
                      colorscale=_discrete_colorscale(n), cmin=-0.5, cmax=n - 0.5, showscale=False)

    # --- training checkpoints ----------------------------------------------------------------
    def _load_checkpoints(self, checkpoints):
        """Keep [(iteration, (|V|, D) vectors)], rotated onto the final raw vectors (so switching
        the centring needs no new alignment), and offer them on the training slider."""
        self.checkpoints = [(int(it), np.asarray(v, dtype=np.float32)) for it, v in checkpoints]
        for it, v in self.checkpoints:
            if v.shape != self.model.raw_vectors.shape:
                raise ValueError(f"checkpoint at iteration {it} has shape {v.shape}; "
                                 f"the final vectors have {self.model.raw_vectors.shape}")
        self._aligned = align_checkpoints([v for _, v in self.checkpoints], self.model.raw_vectors)
        options = [(f"iteration {it}", j) for j, (it, _) in enumerate(self.checkpoints)] + [("final", -1)]
        self._set_quietly(self.checkpoint_slider, options=options, value=-1)
        self.checkpoint_slider.disabled = not self.checkpoints

    @reports_errors
    def set_checkpoint(self, position: int):
        """Show checkpoint `position` (0 = the oldest kept; -1 = the final vectors)."""
        if position != -1 and not 0 <= position < len(self.checkpoints):
            raise ValueError(f"checkpoint must be -1 (final) or in [0, {len(self.checkpoints)}); got {position}")
        if position != -1 and self._projection.startswith("t-SNE"):
            self._set_quietly(self.checkpoint_slider, value=-1)
            raise ValueError("t-SNE is computed for the final vectors only; switch the view to PCA "
                             "to move through training")
        self._checkpoint = position
        self._set_quietly(self.checkpoint_slider, value=position)
        self.current_model = self.model if position == -1 else self.model.with_vectors(self._aligned[position])
        self.coords = self._project(self.current_model)
        three_d = self.coords.shape[1] == 3
        with self.fig.batch_update():
            base = self._shown
            self.fig.data[0].update(x=self.coords[base, 0], y=self.coords[base, 1])
            if three_d:
                self.fig.data[0].z = self.coords[base, 2]
            self.fig.layout.title = self._title()
            self._refresh_query()
            self._draw_highlight()
