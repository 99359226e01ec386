"""The explorer's controls: every ipywidget and how they are laid out, with no behaviour.

Rows are grouped by what they act on (the vectors and the question; the view; training and
analogies; the file box; the message line); widget.py shows or hides the rows that apply and
wires each control to one action.
"""
from __future__ import annotations

import functools

import ipywidgets as widgets

from ..vectors.keyed import METRICS
from . import figures
from .state import COLOURINGS, PROJECTIONS

FILE_CHOICE = "a word2vec or projector file…"


class Controls:
    """The widgets of one explorer. `panel` holds the rows above the plot, `side` the list and
    legend beside it; `axes_row` and `file_row` are shown only when they apply."""

    def __init__(self, name: str, source_names, k: int, axes):
        text = functools.partial(widgets.Text, continuous_update=False)  # acts on Enter, not per key
        narrow = {"description_width": "initial"}
        self.source_menu = widgets.Dropdown(options=[name, *[s for s in source_names if s != name], FILE_CHOICE],
                                            value=name, description="vectors", style=narrow,
                                            layout=widgets.Layout(width="330px"))
        self.search_box = text(placeholder="word, part of one, or king - man + woman", description="search",
                               style=narrow, layout=widgets.Layout(width="360px"))
        self.search_box.add_class("w2v-search")
        self.centre_box = widgets.Checkbox(value=True, description="centre vectors (subtract the mean)",
                                           indent=False, layout=widgets.Layout(width="250px"))
        self.centre_box.add_class("w2v-centre")
        self.isolate_box = widgets.Checkbox(value=False, description="isolate matches", indent=False,
                                            layout=widgets.Layout(width="130px"))
        self.export_button = widgets.Button(description="export", tooltip="offline HTML page + projector TSV pair",
                                            icon="download", layout=widgets.Layout(width="90px"))
        self.projection_menu = widgets.Dropdown(options=PROJECTIONS, value="PCA 2-D", description="view",
                                                style=narrow, layout=widgets.Layout(width="170px"))
        self.colour_menu = widgets.Dropdown(options=COLOURINGS, description="colour", style=narrow,
                                            layout=widgets.Layout(width="210px"))
        self.k_slider = widgets.IntSlider(value=k, min=1, max=50, description="k", style=narrow,
                                          layout=widgets.Layout(width="200px"))
        self.metric_toggle = widgets.ToggleButtons(options=METRICS, value="cosine", style={"button_width": "80px"})
        self.x_axis_box = text(value=axes[0], description="x axis", style=narrow,
                               layout=widgets.Layout(width="210px"))
        self.y_axis_box = text(value=axes[1], description="y axis", style=narrow,
                               layout=widgets.Layout(width="210px"))
        self.checkpoint_slider = widgets.SelectionSlider(options=[("final", -1)], value=-1, description="training",
                                                         continuous_update=False, style=narrow,
                                                         layout=widgets.Layout(width="360px"))
        self.analogy_boxes = [text(placeholder=p, layout=widgets.Layout(width="100px"))
                              for p in ("king", "man", "woman")]
        self.analogy_button = widgets.Button(description="a − b + c", layout=widgets.Layout(width="90px"))
        self.path_box = text(placeholder="run folder, word2vec .txt/.bin or vectors.tsv", description="file",
                             style=narrow, layout=widgets.Layout(width="420px"))
        self.load_button = widgets.Button(description="Load", layout=widgets.Layout(width="70px"))
        self.progress = widgets.FloatProgress(value=0, min=0, max=1, layout=widgets.Layout(width="200px"))
        self.message = widgets.HTML()
        self.message.add_class("w2v-message")
        self.neighbour_list = widgets.HTML()
        self.neighbour_list.add_class("w2v-neighbours")
        self.legend = widgets.HTML()
        self.legend.add_class("w2v-legend")


        def row(children):  # each row its own Layout: a shared one would hide every row with the file row
            return widgets.HBox(children, layout=widgets.Layout(align_items="center", flex_flow="row wrap"))

        self.axes_row = widgets.HBox([self.x_axis_box, self.y_axis_box])
        self.file_row = row([self.path_box, self.load_button])
        self.panel = widgets.VBox([
            row([self.source_menu, self.search_box, self.centre_box, self.export_button]),
            row([self.projection_menu, self.axes_row, self.colour_menu, self.k_slider, self.metric_toggle]),
            row([self.checkpoint_slider, widgets.Label("analogy"), *self.analogy_boxes, self.analogy_button,
                 self.isolate_box]),
            self.file_row,
            row([self.message, self.progress]),
        ])
        self.side = widgets.VBox([self.neighbour_list, self.legend],
                                  layout=widgets.Layout(width="250px", max_height=f"{figures.PLOT_SIZE[1]}px",
                                                        overflow="auto"))

