"""Pure functions from the explorer's state to what is drawn: the three traces of the map (all
words, the highlighted words, their labels), its layout, the legend and the word list.

Labels are placed so that they do not collide: the most important words first (the query, then
its nearest neighbours), each at the first of eight spots around its point whose text box
overlaps no label placed before; a word with no free spot keeps its marker and hover text only.
Words reach the figure HTML-escaped (plotly renders hover text and labels as HTML).
"""
from __future__ import annotations

import html

import numpy as np

from ..vectors.label_placement import FONT_PX, PAD, SPOTS, place_labels  # noqa: F401 (re-exported)

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#aec7e8", "#ffbb78", "#98df8a")
HIGHLIGHT = "#d62728"
PLOT_SIZE = (780, 520)  # px: with the 260 px side panel this fits a 1,280 × 800 screen in JupyterLab
MARGIN = dict(l=50, r=10, t=36, b=40)


def escaped(words) -> list:
    return [html.escape(w) for w in words]


def discrete_colorscale(n: int) -> list:
    """A plotly colorscale that maps the integers 0..n-1 (with cmin=-0.5, cmax=n-0.5) to flat colours."""
    scale = []
    for i in range(n):
        colour = PALETTE[i % len(PALETTE)]
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    return scale


def to_pixels(xy, ranges, size=PLOT_SIZE) -> np.ndarray:
    """(n, 2) data coordinates → (n, 2) pixels inside the plotting area of a figure of `size`."""
    width = size[0] - MARGIN["l"] - MARGIN["r"]
    height = size[1] - MARGIN["t"] - MARGIN["b"]
    (x0, x1), (y0, y1) = ranges[:2]
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)  # (n, 2)
    return np.column_stack([(xy[:, 0] - x0) / (x1 - x0) * width, (xy[:, 1] - y0) / (y1 - y0) * height])


def label_choice(state, size=PLOT_SIZE):
    """The rows to label and their textpositions: the highlighted words, or every word of a
    vocabulary small enough to be labelled whole."""
    rows = state.highlighted
    if rows.size == 0 and len(state.model) <= state.label_limit:
        rows = np.arange(len(state.model))
    if rows.size == 0:
        return rows, []
    if state.three_d:  # no screen positions in 3-D: the first few, above their points
        rows = rows[: min(state.label_limit, 10)]
        return rows, ["top center"] * rows.size
    texts = [state.model.words[i] for i in rows]
    kept, spots = place_labels(to_pixels(state.coords[rows, :2], state.ranges, size), texts, state.label_limit)
    return rows[kept], spots


def traces(state, size=PLOT_SIZE, all_words: bool = True) -> list:
    """Property dicts of the three traces (all words, highlighted words, labels), in that order.
    With `all_words=False` the first holds only what a new question changes (the fading), which
    spares re-sending 20,000 points when only the highlight moved."""
    coords, words = state.coords, state.model.words
    shown, idx = state.shown, state.highlighted
    n = len(state.colour_names)

    def xyz(rows):
        return {axis: coords[rows, j] for j, axis in enumerate("xyz"[: coords.shape[1]])}

    faded = idx.size > 0 and not (state.isolate and idx.size)
    words_trace = {} if not all_words else dict(name="words", mode="markers", hoverinfo="text",
                                                hovertext=escaped(words[i] for i in shown),
                       marker=dict(size=3 if state.three_d else 5, color=state.colours[shown],
                                   colorscale=discrete_colorscale(n), cmin=-0.5, cmax=n - 0.5, showscale=False),
                       **xyz(shown))
    if not state.three_d:  # fade the other words while something is highlighted
        words_trace.update(selectedpoints=idx if faded else None, unselected=dict(marker=dict(opacity=0.25)))
    matched = escaped(words[i] for i in idx)
    match_trace = dict(name="matches", mode="markers", hoverinfo="text", hovertext=matched, text=matched,
                       marker=dict(size=6 if state.three_d else 10, color=HIGHLIGHT,
                                   line=dict(width=1, color="black")), **xyz(idx))
    labelled, spots = label_choice(state, size)
    label_trace = dict(name="labels", mode="text", hoverinfo="skip", text=escaped(words[i] for i in labelled),
                       textposition=spots or "top center", textfont=dict(size=12), **xyz(labelled))
    return [words_trace, match_trace, label_trace]


def layout(state, size=PLOT_SIZE) -> dict:
    """The figure's layout: title, axis titles, and a fixed frame (the same for every checkpoint)."""
    axes = [dict(title=dict(text=t), range=r) for t, r in zip(state.axis_titles(), state.ranges)]
    out = dict(title=dict(text=state.title(), font=dict(size=14)), width=size[0], height=size[1],
               margin=MARGIN, showlegend=False, hovermode="closest", template="plotly_white", dragmode="pan")
    if state.three_d:
        out["scene"] = dict(xaxis=axes[0], yaxis=axes[1], zaxis=axes[2])
    else:
        out.update(xaxis=axes[0], yaxis=axes[1])
    return out


def legend_html(state) -> str:
    """The colour key: one line per colour, plus the highlight."""
    rows = [f'<span style="color:{PALETTE[i % len(PALETTE)]}">●</span> {html.escape(name)}'
            for i, name in enumerate(state.colour_names)]
    rows.append(f'<span style="color:{HIGHLIGHT}">●</span> the question and its answer')
    return "<br>".join(rows)


def word_list_html(title: str, rows) -> str:
    """The list beside the plot: [(word, score or None)] under an italic title."""
    if not title:
        return ""
    items = "".join(f"<li>{html.escape(w)}" + ("" if s is None else f" <small>{s:.3f}</small>") + "</li>"
                    for w, s in rows)
    return f"<div><i>{html.escape(title)}</i><ol>{items}</ol></div>"
