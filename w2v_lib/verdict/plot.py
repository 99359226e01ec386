"""The picture of a gradient check: bars for a vector, a heat map of relative errors for a table."""
from __future__ import annotations

import numpy as np

MAX_TICK_LABELS = 30  # beyond this many rows or coordinates, names would overlap: numbers only


def plot_result(result, ax=None, title: str | None = None):
    """Draw `result` (a GradcheckResult) on `ax` (a new figure if None); returns the axes."""
    import matplotlib.pyplot as plt

    if result.rel_errors.shape != np.shape(result.analytic):  # nothing to compare coordinate by coordinate
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, result.headline or "FAILED", ha="center", va="center", wrap=True)
        return ax
    if result.rel_errors.ndim <= 1:
        return _bars(result, ax, title, plt)
    return _heat_map(result, ax, title, plt)


def _bars(result, ax, title, plt):
    """Analytic and numeric value of each coordinate side by side; a wrong coordinate is marked."""
    analytic, numeric = np.ravel(result.analytic), np.ravel(result.numeric)  # (n,) each
    n = analytic.size
    if ax is None:
        _, ax = plt.subplots(figsize=(min(10, 2 + 0.6 * n), 3))
    pos = np.arange(n)
    ax.bar(pos - 0.2, analytic, width=0.4, label="analytic (yours)", color="tab:blue")
    ax.bar(pos + 0.2, numeric, width=0.4, label="numeric (finite differences)", color="tab:orange")
    wrong = np.flatnonzero(np.ravel(result.rel_errors) > result.tolerance)
    top = np.maximum(analytic, numeric)[wrong] if wrong.size else np.zeros(0)
    ax.scatter(wrong, top, marker="v", color="red", s=40, zorder=3, label="over tolerance")
    ax.axhline(0.0, color="black", linewidth=0.8)
    if result.labels is not None and not result.labels.plain and n <= MAX_TICK_LABELS:
        ax.set_xticks(pos, [result.labels.row(i) for i in range(n)], rotation=45, ha="right")
    else:
        ax.set_xlabel("coordinate")
    ax.set_ylabel("gradient")
    ax.set_title(title or f"{result.name}: analytic vs numeric")
    ax.legend(fontsize="small")
    return ax


def _heat_map(result, ax, title, plt):
    """log10 relative error per coordinate, rows × columns (further axes flattened into columns)."""
    err = result.rel_errors.reshape(result.rel_errors.shape[0], -1)  # (rows, rest)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(8, 1.5 + 0.5 * err.shape[1]), min(6, 1 + 0.35 * err.shape[0])))
    img = ax.imshow(np.log10(np.minimum(err, 1e300) + 1e-16), cmap="magma", vmin=-16, vmax=1, aspect="auto")
    bad = np.argwhere(err > result.tolerance)
    ax.scatter(bad[:, 1], bad[:, 0], marker="x", color="cyan", s=30, label="over tolerance")
    if result.labels is not None and not result.labels.plain and err.shape[0] <= MAX_TICK_LABELS:
        ax.set_yticks(np.arange(err.shape[0]), [result.labels.row(r) for r in range(err.shape[0])])
    else:
        ax.set_ylabel("row")
    ax.set_xlabel("dim" if result.labels is not None and not result.labels.plain else "column")
    ax.set_title(title or f"{result.name}: log10 relative error")
    ax.figure.colorbar(img, ax=ax, shrink=0.8)
    return ax
