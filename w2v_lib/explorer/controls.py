"""The explorer's controls: every ipywidget and how they are laid out, with no behaviour.

One layout for every screen: each row of controls wraps (flex-wrap), no control is wider than
its row, and the plot and the side panel (the clickable word list, the legend) sit side by side
when there is room for both, the side panel below the plot otherwise (STACK_BELOW_PX). The plot
takes the width it is given (plotly autosize). widget.py shows or hides the rows that apply and
wires each control to one action.
"""
from __future__ import annotations

import functools

import ipywidgets as widgets

from ..vectors.keyed import METRICS
from .state import COLOURINGS, PROJECTIONS

FILE_CHOICE = "a word2vec or projector file…"
LIST_SIZE = 50  # the word list's buttons, made once and reused (the k slider's maximum)
PLOT_MIN_PX, SIDE_PX = 520, 230  # the plot's and the side panel's basis widths
STACK_BELOW_PX = PLOT_MIN_PX + SIDE_PX + 30  # narrower than this, the side panel goes below the plot
PLOT_HEIGHT_PX = 520
MAX_UPLOAD_MB = 50

# plotly's FigureWidget does not follow its box in every front-end (Voila sends it no resize), so
# a ResizeObserver on each plot's box writes the box's width into a hidden IntText of the same
# explorer; widget.py sets the figure's width from it and places the labels for that width. (An
# inline handler, as an HTML widget runs no <script>.)
RESIZE_WATCH = ("if(!window.w2vResizeWatch){window.w2vResizeWatch=1;const ro=new ResizeObserver(es=>es.forEach(en=>{"
                "const box=en.target,ex=box.closest('.w2v-explorer'),inp=ex&&ex.querySelector('.w2v-width input');"
                "const w=Math.floor(box.getBoundingClientRect().width);if(inp&&w>0&&String(w)!==inp.value){"
                "inp.value=w;inp.dispatchEvent(new Event('change',{bubbles:true}));}}));"
                "const watch=()=>document.querySelectorAll('.w2v-plot').forEach(e=>{if(!e.w2vWatched){"
                "e.w2vWatched=1;ro.observe(e);}});watch();new MutationObserver(watch).observe(document.body,"
                "{childList:true,subtree:true});}")
STYLE = f"""<style>
.w2v-explorer {{ max-width: 100%; box-sizing: border-box; }}
.w2v-explorer .widget-hbox, .w2v-explorer .widget-vbox, .w2v-explorer .widget-box {{ max-width: 100%; }}
.w2v-explorer .w2v-row > * {{ max-width: calc(100% - 4px); flex-shrink: 1; }}  /* 2px margins */
.w2v-explorer .w2v-body {{ display: flex; flex-flow: row wrap; align-items: flex-start; gap: 8px; width: 100%; }}
.w2v-explorer .w2v-plot {{ flex: 1 1 {PLOT_MIN_PX}px; min-width: 0; max-width: 100%; overflow: hidden; }}
.w2v-explorer .w2v-plot > .js-plotly-plot {{ flex: 1 1 auto; width: 100%; min-width: 0; }}
.w2v-explorer .w2v-side {{ flex: 1 1 {SIDE_PX}px; min-width: 0; max-width: 100%; }}
@media (min-width: {STACK_BELOW_PX}px) {{ .w2v-explorer .w2v-side {{ flex: 0 1 {SIDE_PX}px; }} }}
.w2v-explorer .w2v-word {{ width: 100%; height: auto; min-height: 24px; margin: 1px 0; }}
.w2v-explorer .w2v-word button, .w2v-explorer button.w2v-word {{ text-align: left; justify-content: flex-start; }}
.w2v-explorer .w2v-message {{ flex: 1 1 260px; min-width: 0; }}
.w2v-explorer .w2v-message, .w2v-explorer .w2v-explanation {{ white-space: normal; overflow-wrap: anywhere; }}
</style>
<img alt="" src="data:," style="display:none" onerror="{RESIZE_WATCH}">"""


def _fit(width: str, **more) -> widgets.Layout:
    """A control's layout: its natural `width`, never wider than its row."""
    return widgets.Layout(width=width, max_width="calc(100% - 4px)", **more)  # ipywidgets adds 2 px margins


class Controls:
    """The widgets of one explorer. `panel` holds the rows above the plot, `side` the word list
    and legend beside (or below) it; `axes_row` and `file_row` are shown only when they apply.

    Args:
        serve: True in the web app: no path box (a visitor must never name a server file);
            vector files come by upload. False in a notebook, where the user owns the server.
    """

    def __init__(self, name: str, source_names, k: int, axes, *, serve: bool = False):
        text = functools.partial(widgets.Text, continuous_update=False)  # acts on Enter, not per key
        narrow = {"description_width": "initial"}
        self.source_menu = widgets.Dropdown(options=[name, *[s for s in source_names if s != name], FILE_CHOICE],
                                            value=name, description="vectors", style=narrow, layout=_fit("330px"))
        self.search_box = text(placeholder="word, part of one, or king - man + woman", description="search",
                               style=narrow, layout=_fit("360px"))
        self.search_box.add_class("w2v-search")
        self.centre_box = widgets.Checkbox(value=True, description="centre vectors (subtract the mean)",
                                           indent=False, layout=_fit("250px"))
        self.centre_box.add_class("w2v-centre")
        self.isolate_box = widgets.Checkbox(value=False, description="isolate and zoom", indent=False,
                                            layout=_fit("140px"))
        self.export_button = widgets.Button(description="export", tooltip="offline HTML page + projector TSV pair",
                                            icon="download", layout=_fit("90px"))
        self.export_button.add_class("w2v-export")
        self.projection_menu = widgets.Dropdown(options=PROJECTIONS, value="PCA 2-D", description="view",
                                                style=narrow, layout=_fit("170px"))
        self.colour_menu = widgets.Dropdown(options=COLOURINGS, description="colour", style=narrow,
                                            layout=_fit("210px"))
        self.k_slider = widgets.IntSlider(value=k, min=1, max=LIST_SIZE, description="k", style=narrow,
                                          layout=_fit("200px"))
        self.metric_toggle = widgets.ToggleButtons(options=METRICS, value="cosine", style={"button_width": "86px"},
                                                   layout=_fit("auto"))
        self.min_count_box = widgets.BoundedIntText(value=0, min=0, max=10**9, description="min count",
                                                    tooltip="leave words seen fewer times out of neighbour lists",
                                                    style=narrow, layout=_fit("150px"))
        self.min_count_box.add_class("w2v-min-count")
        self.x_axis_box = text(value=axes[0], description="x axis", style=narrow, layout=_fit("210px"))
        self.y_axis_box = text(value=axes[1], description="y axis", style=narrow, layout=_fit("210px"))
        self.checkpoint_slider = widgets.SelectionSlider(options=[("final", -1)], value=-1, description="training",
                                                         continuous_update=False, style=narrow, layout=_fit("360px"))
        self.analogy_boxes = [text(placeholder=p, layout=_fit("100px")) for p in ("king", "man", "woman")]
        self.analogy_button = widgets.Button(description="a − b + c", layout=_fit("90px"))
        self.path_box = text(placeholder="run folder, word2vec .txt/.bin or vectors.tsv", description="file",
                             style=narrow, layout=_fit("420px"))
        self.load_button = widgets.Button(description="Load", layout=_fit("70px"))
        self.upload = widgets.FileUpload(accept=".txt,.bin,.gz,.vec,.tsv", multiple=True,
                                         description=f"upload (≤ {MAX_UPLOAD_MB} MB)", layout=_fit("220px"))
        self.upload.add_class("w2v-upload")
        self.progress = widgets.FloatProgress(value=0, min=0, max=1, layout=_fit("200px", visibility="hidden"))
        self.cancel_button = widgets.Button(description="cancel", button_style="warning", layout=_fit("80px"))
        self.cancel_button.add_class("w2v-cancel")
        self.cancel_button.layout.display = "none"
        self.message = widgets.HTML()
        self.message.add_class("w2v-message")
        self.plot_width = widgets.IntText(value=0, layout=widgets.Layout(display="none"))  # set by the page
        self.plot_width.add_class("w2v-width")
        self.download = widgets.HTML()
        self.download.add_class("w2v-download")
        self.list_title = widgets.HTML()
        self.list_title.add_class("w2v-neighbours")
        self.word_buttons = [widgets.Button(layout=widgets.Layout(width="100%", display="none"))
                             for _ in range(LIST_SIZE)]
        for button in self.word_buttons:
            button.add_class("w2v-word")
        self.word_list = widgets.VBox(self.word_buttons, layout=widgets.Layout(width="100%"))
        self.explanation = widgets.HTML()
        self.explanation.add_class("w2v-explanation")
        self.legend = widgets.HTML()
        self.legend.add_class("w2v-legend")

        def row(children):  # each row its own Layout: a shared one would hide every row with the file row
            box = widgets.HBox(children, layout=widgets.Layout(align_items="center", flex_flow="row wrap",
                                                               max_width="100%"))
            box.add_class("w2v-row")
            return box

        self.axes_row = row([self.x_axis_box, self.y_axis_box])
        self.file_row = row([self.upload] if serve else [self.path_box, self.load_button, self.upload])
        self.panel = widgets.VBox([
            widgets.HTML(STYLE), self.plot_width,
            row([self.source_menu, self.search_box, self.centre_box, self.export_button]),
            row([self.projection_menu, self.axes_row, self.colour_menu, self.k_slider, self.metric_toggle,
                 self.min_count_box]),
            row([self.checkpoint_slider, widgets.Label("analogy"), *self.analogy_boxes, self.analogy_button,
                 self.isolate_box]),
            self.file_row,
            row([self.message, self.progress, self.cancel_button]),
            row([self.download]),
        ], layout=widgets.Layout(max_width="100%"))
        self.side = widgets.VBox([self.list_title, self.word_list, self.explanation, self.legend],
                                 layout=widgets.Layout(max_height=f"{PLOT_HEIGHT_PX + 40}px", overflow="auto"))
        self.side.add_class("w2v-side")
