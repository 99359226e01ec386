"""Two vector sets on the same words, side by side after alignment, with each word's neighbours
in both: e.g. the SST run against the Wikipedia sample, or two checkpoints of one run.

The loss sees only the scores u_oᵀv_c, so two independently trained sets share no axes (any
invertible A with V → AV, U → A⁻ᵀU leaves it unchanged); the pictures are aligned first by the
part of that freedom that keeps cosines, a rotation: when both
sets have the same dimension, B is rotated onto A (orthogonal Procrustes over the shared words)
and both are drawn in A's PCA basis; otherwise each is drawn in its own 2-D PCA and B's picture
is rotated (or reflected) onto A's and scaled to the same spread. The agreement of the two sets
is measured, not drawn: for each shared word, the fraction of its k nearest neighbours the two
sets have in common.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from scipy.linalg import orthogonal_procrustes

from ..vectors.keyed import WordVectors, neighbour_agreement
from ..vectors.projections import align_to, pca_basis
from .controls import PLOT_MIN_PX, STYLE, _fit
from .figures import HIGHLIGHT, PALETTE, escaped, word_list_html

OTHER = "#9467bd"  # B's neighbours, where they differ from A's
COMPARE_HEIGHT_PX = 420


@dataclass
class VectorComparison:
    names: tuple  # (name of A, name of B)
    a: WordVectors  # A restricted to the shared words, in A's order
    b: WordVectors  # B restricted to the same words, same order
    coords: tuple  # ((n, 2) A's picture, (n, 2) B's picture aligned to it)
    overlap: np.ndarray  # (n,) shared fraction of the k nearest neighbours
    k: int

    @property
    def words(self) -> list:
        return self.a.words

    def neighbours(self, word: str, k: int | None = None) -> tuple:
        """The word's neighbours in A and in B: ([(word, cosine)], [(word, cosine)])."""
        k = k or self.k
        row = self.a.word_index(word, ignore_case=True)
        return tuple(kv.neighbours_of_vector(kv.vectors[row], k, exclude=(row,)) for kv in (self.a, self.b))


def compare_vectors(a: WordVectors, b: WordVectors, names=("A", "B"), *, k: int = 10,
                    max_words: int = 5000) -> VectorComparison:
    """Compare two vector sets on their shared words (the first `max_words` of A's order,
    i.e. the most frequent when A is sorted by frequency)."""
    shared = [w for w in a.words if w in b.index][:max_words]
    if len(shared) < max(k + 1, 3):
        raise ValueError(f"the two vector sets share only {len(shared)} words; at least {max(k + 1, 3)} are needed")
    rows_a = np.array([a.index[w] for w in shared])
    rows_b = np.array([b.index[w] for w in shared])

    def subset(kv, rows):
        counts = None if kv.counts is None else kv.counts[rows]
        return WordVectors(shared, kv.raw_vectors[rows], counts, centred=kv.centred)

    sub_a, sub_b = subset(a, rows_a), subset(b, rows_b)
    if sub_a.dim == sub_b.dim:
        rotated = align_to(sub_a.vectors, sub_b.vectors)  # (n, D) B turned onto A
        basis = pca_basis(sub_a.vectors, 2)
        coords = (basis.project(sub_a.vectors), basis.project(rotated))
    else:
        pic_a = pca_basis(sub_a.vectors, 2).project(sub_a.vectors)  # (n, 2)
        pic_b = pca_basis(sub_b.vectors, 2).project(sub_b.vectors)  # (n, 2)
        pic_a, pic_b = (p / np.sqrt((p ** 2).sum(axis=1).mean()) for p in (pic_a, pic_b))  # same spread
        rotation, _ = orthogonal_procrustes(pic_b, pic_a)  # (2, 2)
        coords = (pic_a.astype(np.float32), (pic_b @ rotation).astype(np.float32))
    table_a, _ = sub_a.neighbour_table(k)  # (n, k)
    table_b, _ = sub_b.neighbour_table(k)  # (n, k)
    overlap = neighbour_agreement(table_a, table_b)  # (n,) shared fraction
    return VectorComparison(tuple(names), sub_a, sub_b, coords, overlap, k)


def comparison_figure(cmp: VectorComparison, side: int, word: str | None = None,
                      size=(PLOT_MIN_PX, COMPARE_HEIGHT_PX)) -> go.Figure:
    """One set's picture (side 0: A, 1: B); a chosen word, its neighbours in A (red) and in B (purple)."""
    xy = cmp.coords[side]  # (n, 2)
    near_a, near_b = cmp.neighbours(word) if word else ([], [])
    fig = go.Figure(go.Scattergl(x=xy[:, 0], y=xy[:, 1], mode="markers", hoverinfo="text", hovertext=escaped(cmp.words),
                                 marker=dict(size=4, color=PALETTE[0], opacity=0.35 if word else 0.8), name="words"))
    for near, colour in ((near_b, OTHER), (near_a, HIGHLIGHT)):
        rows = [cmp.a.index[w] for w, _ in near]
        fig.add_trace(go.Scatter(x=xy[rows, 0], y=xy[rows, 1], mode="markers+text", text=escaped(w for w, _ in near),
                                 textposition="top center", hoverinfo="text", textfont=dict(size=10, color=colour),
                                 marker=dict(size=8, color=colour), name="neighbours"))
    rows = [cmp.a.word_index(word, ignore_case=True)] if word else []  # always a trace: updates go in place
    fig.add_trace(go.Scatter(x=xy[rows, 0], y=xy[rows, 1], mode="markers+text",
                             text=escaped(cmp.words[r] for r in rows), textposition="bottom center",
                             marker=dict(size=12, color="black", symbol="star"), name="word"))
    fig.update_layout(title=dict(text=html.escape(cmp.names[side]), font=dict(size=14)), autosize=True,
                      width=size[0], height=size[1], showlegend=False, template="plotly_white",
                      margin=dict(l=30, r=10, t=40, b=30), hovermode="closest")
    return fig


class Comparison:
    """A search box over a comparison: the word in both pictures, its two neighbour lists and
    how many neighbours they share. The explorer's layout: the two pictures side by side when
    there is room for both, one above the other otherwise, each as wide as its box."""

    def __init__(self, cmp: VectorComparison):
        self.cmp = cmp
        self.search_box = widgets.Text(placeholder="a shared word, then Enter", description="word",
                                       continuous_update=False, layout=_fit("360px"))
        self.search_box.add_class("w2v-compare-search")
        self.message = widgets.HTML()
        self.message.add_class("w2v-message")
        self.lists = widgets.HTML()
        self.lists.add_class("w2v-compare-lists")
        self.figs = [go.FigureWidget(comparison_figure(cmp, side)) for side in (0, 1)]
        self.plot_width = widgets.IntText(value=0, layout=widgets.Layout(display="none"))  # set by the page
        self.plot_width.add_class("w2v-width")
        self.plot_width.observe(lambda change: self._box_resized(change["new"]), "value")
        self.search_box.observe(lambda change: self.show(change["new"]), "value")
        boxes = [widgets.Box([fig], layout=widgets.Layout(min_width="0")) for fig in self.figs]
        for box in boxes:
            box.add_class("w2v-plot")
        body = widgets.Box(boxes, layout=widgets.Layout(width="100%"))
        body.add_class("w2v-body")
        top = widgets.HBox([self.search_box, self.message], layout=widgets.Layout(
            align_items="center", flex_flow="row wrap", max_width="100%"))
        top.add_class("w2v-row")
        self.ui = widgets.VBox([widgets.HTML(STYLE), self.plot_width, top, body, self.lists],
                               layout=widgets.Layout(max_width="100%"))
        self.ui.add_class("w2v-explorer")  # the explorer's style sheet and resize watch apply
        self.ui.add_class("w2v-compare")
        self.message.value = html.escape(self.summary())

    def summary(self) -> str:
        return (f"{len(self.cmp.words):,} shared words; on average {100 * self.cmp.overlap.mean():.0f}% of a word's "
                f"{self.cmp.k} nearest neighbours are the same in both sets")

    def _box_resized(self, width):
        """The page measured a picture's box (both have the same width): draw both that wide."""
        width = int(width or 0)
        if width >= 100:
            for fig in self.figs:
                fig.layout.width = width

    def show(self, word: str):
        """Show `word` in both pictures with its neighbours in each; errors become a message."""
        word = (word or "").strip()
        try:
            near_a, near_b = self.cmp.neighbours(word)
        except ValueError as err:
            self.message.value = f'<span style="color:#b00020">{html.escape(str(err))}</span>'
            self.lists.value = ""
            return
        for side, fig in enumerate(self.figs):
            new = comparison_figure(self.cmp, side, word)
            with fig.batch_update():
                for trace, fresh in zip(fig.data, new.data):
                    trace.update(fresh.to_plotly_json(), overwrite=True)
        shared = len({w for w, _ in near_a} & {w for w, _ in near_b})
        self.message.value = html.escape(f"{word}: {shared} of {len(near_a)} neighbours shared")
        self.lists.value = ('<div style="display:flex;flex-wrap:wrap;column-gap:2em">'
                            + word_list_html(f"in {self.cmp.names[0]}", near_a)
                            + word_list_html(f"in {self.cmp.names[1]}", near_b) + "</div>")

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)
