"""Pure functions from the explorer's state to what is drawn: the three traces of the map (all
words, the highlighted words, their labels), its layout, the legend and the word list.

Labels are placed so that they do not collide: the most important words first (the query, then
its nearest neighbours), each at the first of eight spots around its point whose text box
overlaps no label placed before; a word with no free spot keeps its marker and hover text, and
the word list beside the plot names it ("no room for a label"). The label trace carries
invisible markers as large as the highlighted ones, so plotly sets each label beside its marker,
never under it. Words reach the figure HTML-escaped (plotly renders hover text and labels as HTML).
"""
from __future__ import annotations

import html

import numpy as np

from ..vectors.label_placement import FONT_PX, PAD, SPOTS, place_labels  # noqa: F401 (re-exported)

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#aec7e8", "#ffbb78", "#98df8a")
HIGHLIGHT = "#d62728"
PLOT_SIZE = (780, 520)  # px: the size labels are placed for; the figure itself takes its container's width
MARGIN = dict(l=50, r=10, t=36, b=40)
MATCH_PX = 10  # the highlighted markers' size; the labels' invisible markers match it


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


def hover_texts(state, rows, scores=None) -> list:
    """Hover text of each row: the word, its count when known, its score against the question."""
    words, counts = state.model.words, state.model.counts
    out = []
    for j, i in enumerate(rows):
        parts = [html.escape(words[i])]
        if counts is not None:
            parts.append(f"count {int(counts[i]):,}")
        if scores is not None and scores[j] is not None:
            parts.append(f"{state.metric} {scores[j]:.3f}")
        out.append("<br>".join(parts))
    return out


def match_scores(state) -> list:
    """The score of each highlighted row against the question (None for the question's own words)."""
    by_word = dict(state.neighbours)
    return [by_word.get(state.model.words[i]) for i in state.highlighted]


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
                                                hovertext=hover_texts(state, shown),
                       marker=dict(size=3 if state.three_d else 5, color=state.colours[shown],
                                   colorscale=discrete_colorscale(n), cmin=-0.5, cmax=n - 0.5, showscale=False),
                       **xyz(shown))
    if not state.three_d:  # fade the other words while something is highlighted
        words_trace.update(selectedpoints=idx if faded else None, unselected=dict(marker=dict(opacity=0.25)))
    matched = escaped(words[i] for i in idx)
    match_trace = dict(name="matches", mode="markers", hoverinfo="text", text=matched,
                       hovertext=hover_texts(state, idx, match_scores(state)),
                       marker=dict(size=6 if state.three_d else MATCH_PX, color=HIGHLIGHT,
                                   line=dict(width=1, color="black")), **xyz(idx))
    labelled, spots = label_choice(state, size)
    label_trace = dict(name="labels", mode="text" if state.three_d else "markers+text", hoverinfo="skip",
                       text=escaped(words[i] for i in labelled), textposition=spots or "top center",
                       textfont=dict(size=12), **xyz(labelled))
    if not state.three_d:  # invisible markers: plotly offsets each label by its marker's size
        label_trace["marker"] = dict(size=MATCH_PX, opacity=0)
    return [words_trace, match_trace, label_trace]


def layout(state, size=PLOT_SIZE) -> dict:
    """The figure's layout: title, axis titles, and a fixed frame (the same for every checkpoint)."""
    titles = state.axis_titles()
    if state.three_d:  # long titles are cut off at the cube's corners: "PC1 · 12%"
        titles = [t.replace(" (", " · ").replace(" of variance)", "") for t in titles]
    axes = [dict(title=dict(text=t), range=r) for t, r in zip(titles, state.ranges)]
    out = dict(title=dict(text=state.title(), font=dict(size=14)), autosize=True, height=size[1],
               margin=MARGIN, showlegend=False, hovermode="closest", template="plotly_white", dragmode="pan")
    if state.three_d:
        out["scene"] = dict(xaxis=axes[0], yaxis=axes[1], zaxis=axes[2])
        out["margin"] = dict(l=0, r=0, t=36, b=0)
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
    """The list as HTML (what the offline page and a notebook print): [(word, score or None)]."""
    if not title:
        return ""
    items = "".join(f"<li>{html.escape(w)}" + ("" if s is None else f" <small>{s:.3f}</small>") + "</li>"
                    for w, s in rows)
    return f"<div><i>{html.escape(title)}</i><ol>{items}</ol></div>"


def word_entries(state, labelled_words) -> list:
    """The clickable word list: [(word, button text, tooltip)] of the list's rows. The tooltip
    gives the count and the score; a word the plot had no room to label says so."""
    counts, index = state.model.counts, state.model.index
    entries = []
    for word, score in state.list_rows:
        text = word if score is None else f"{word}   {score:.3f}"
        tip = [word]
        if counts is not None:
            tip.append(f"count {int(counts[index[word]]):,}")
        if score is not None:
            tip.append(f"{state.metric} {'similarity' if state.metric == 'cosine' else 'distance'} {score:.3f}")
        if word not in labelled_words:
            text += "   ·"
            tip.append("no room for a label on the plot: hover its point")
        entries.append((word, text, " · ".join(tip)))
    return entries
