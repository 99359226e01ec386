"""The course's word list and its 2-D picture of word vectors: PCA through the SVD of the covariance.

As the course's run.py: center the selected vectors, form C = XᵀX / n (d × d), take its SVD
C = P S Pᵀ, and plot X P[:, :2]. Only the selected words enter the covariance, so the axes are
the directions along which *those* words differ most, not the vocabulary's.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..vectors.label_placement import FONT_PX, SPOTS, place_labels
from ..vectors.projections import pca_basis

# The word list of the 2019+ assignment (a2 run.py).
COURSE_WORDS = ["great", "cool", "brilliant", "wonderful", "well", "amazing", "worth", "sweet", "enjoyable",
                "boring", "bad", "dumb", "annoying", "female", "male", "queen", "king", "man", "woman",
                "rain", "snow", "hail", "coffee", "tea"]
# The 2017 edition's list (assignment1 q3_run.py): function words and punctuation first.
OLDER_EDITION_WORDS = ["the", "a", "an", ",", ".", "?", "!", "``", "''", "--", "good", "great", "cool",
                       "brilliant", "wonderful", "well", "amazing", "worth", "sweet", "enjoyable", "boring",
                       "bad", "waste", "dumb", "annoying"]


def select_words(words, vectors, wanted, missing: str = "error"):
    """(the wanted words found, their rows of `vectors`); missing words raise or are skipped."""
    if missing not in ("error", "skip"):
        raise ValueError(f"missing must be 'error' or 'skip'; got {missing!r}")
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ValueError(f"vectors must be (|Vocab|, d) with |Vocab| = {len(words)} words; got shape {vectors.shape}")
    index = {w: i for i, w in enumerate(words)}
    absent = [w for w in wanted if w not in index]
    if absent and missing == "error":
        raise ValueError(f"words not in the vocabulary: {absent}; pass missing='skip' to leave them out")
    found = [w for w in wanted if w in index]
    return found, vectors[[index[w] for w in found]]  # (n, d)


def pca_2d(selected):
    """Project n vectors (n, d) on the top two principal axes: returns (coords (n, 2), share (2,)).

    `share` is each axis's fraction of the selected words' total variance. Each axis is oriented
    so its largest loading is positive, making the picture independent of the SVD's sign choice.
    """
    selected = np.asarray(selected, dtype=np.float64)
    if selected.ndim != 2 or selected.shape[0] < 2 or selected.shape[1] < 2:
        raise ValueError(f"selected must be (n, d) with n >= 2 words and d >= 2; got shape {selected.shape}")
    basis = pca_basis(selected, 2)  # the explorer's PCA: same axes, same sign rule
    return (selected - basis.mean) @ basis.components.T, basis.explained  # (n, 2) in float64, (2,)


def plot_words_2d(coords, words, ax=None, title: str | None = None, share=None):
    """Each word as a point with its label beside it, labels placed so they do not collide; returns the axes.

    Words are labelled in the order given (the course's list order); a word whose label finds no
    free spot keeps its point and is named in a note under the plot, so every word can be read.
    """
    import matplotlib.pyplot as plt

    coords = np.asarray(coords)
    if coords.shape != (len(words), 2):
        raise ValueError(f"coords must be ({len(words)}, 2), one row per word; got {coords.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    ax.scatter(coords[:, 0], coords[:, 1], s=12, color="tab:green", zorder=2)
    pad = 0.08 * np.ptp(coords, axis=0) + 1e-9  # a margin keeps labels at the extremes inside
    ax.set_xlim(coords[:, 0].min() - pad[0], coords[:, 0].max() + pad[0])
    ax.set_ylim(coords[:, 1].min() - pad[1], coords[:, 1].max() + pad[1])
    scale = ax.figure.dpi / 72 * 9 / 12  # FONT_PX is for 12 px text; these labels are 9 pt
    pixels = ax.transData.transform(coords) / scale  # (n, 2) in units of the placement's 12 px font
    kept, spots = place_labels(pixels, list(words), limit=len(words), marker_px=4.0)
    char_w, line_h = FONT_PX
    for row, spot in zip(kept, spots):
        dx, dy = SPOTS[spot]
        side = 1 if spot.endswith("right") else -1 if spot.endswith("left") else 0
        offset = (side * 4.0, (dy * line_h + np.sign(dy) * 4.0) if dy else 0.0)  # (x, y) in 12 px units
        ax.annotate(words[row], coords[row], xytext=(offset[0] * scale, offset[1] * scale),
                    textcoords="offset pixels", fontsize=9, va="center",
                    ha={1: "left", -1: "right", 0: "center"}[side],
                    bbox=dict(facecolor="green", alpha=0.1, lw=0, pad=1))
    crowded = [w for i, w in enumerate(words) if i not in set(kept.tolist())]
    if crowded:
        ax.text(0.01, 0.01, "no room to label: " + ", ".join(crowded), transform=ax.transAxes, fontsize=8,
                va="bottom", color="0.3")
    if share is not None:
        ax.set_xlabel(f"PC 1 ({100 * share[0]:.0f}% of the variance)")
        ax.set_ylabel(f"PC 2 ({100 * share[1]:.0f}%)")
    if title:
        ax.set_title(title)
    return ax


def warm_up_plotting() -> None:
    """Import matplotlib and draw a throw-away labelled figure, so the next plot starts warm (fonts
    and the renderer loaded): the command line does this in a thread while the compiled SGD runs."""
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    ax = fig.subplots()
    ax.scatter([0.0, 1.0], [0.0, 1.0])
    ax.annotate("warm", (0.5, 0.5), fontsize=9, bbox=dict(facecolor="green", alpha=0.1, lw=0, pad=1))
    ax.set(title="warm", xlabel="PC 1", ylabel="PC 2")
    fig.savefig(io.BytesIO(), format="png", dpi=30, bbox_inches="tight")


def save_word_plot(path, words, vectors, wanted=COURSE_WORDS, title: str | None = None) -> Path:
    """Write the course's PCA plot of `wanted` (missing words skipped) to an image file."""
    from matplotlib.figure import Figure  # no pyplot: works under any backend, leaves no open figure

    found, selected = select_words(words, vectors, wanted, missing="skip")
    coords, share = pca_2d(selected)
    fig = Figure(figsize=(7, 6))
    plot_words_2d(coords, found, ax=fig.subplots(), title=title, share=share)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path
