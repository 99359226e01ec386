"""How the explorer widget draws its state: the FigureWidget, the clickable word list, the legend
and which controls show, all from the pure functions of figures.py.

The FigureWidget is built with its three traces and only ever updated in place: deleting and
re-adding traces races with the browser's first render (Voilà showed an empty plot and
"indices must be valid indices for gd.data"). Switching between 2-D and 3-D builds a new one.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go

from . import figures
from .controls import FILE_CHOICE

ERROR_COLOUR = "#b00020"


class ExplorerDrawing:
    """The drawing half of widget.Explorer (a mixin: it reads the explorer's state and controls)."""

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
