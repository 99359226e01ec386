"""Exports: a standalone offline HTML page (for a course web page) and the Embedding Projector's
vectors.tsv + metadata.tsv pair (for projector.tensorflow.org).

The page is one file that needs no Python and no network: plotly.js, the page's own script
(w2v_lib/explorer/page/*.js, a port of the widget's expression grammar and search) and the data
(page_data.py says what it carries and how it stays small at 400,000 words). Its search box
answers a word (its k nearest neighbours by cosine, centred exactly when the model is), an
expression such as `king - man + woman`, or part of a word; clicking a point or a list entry
selects that word, as Enter on it would. Words reach the page only as JSON data (with <, > and &
escaped) and are shown through textContent or HTML-escaped, so `<script>` shows as text.

Both exports are written atomically (w2v_lib._files): a failed write (a full disk, a word that
UTF-8 cannot store) leaves the old page, or the old TSV pair, as it was, and the pair is replaced
as a pair.
"""
from __future__ import annotations

import html
import re
from importlib import resources
from pathlib import Path

import numpy as np

from .._files import atomic_file, describe_os_error, write_together
from ..vectors.formats import save_projector_tsv
from ..vectors.keyed import WordVectors
from ..vectors.projections import pca_basis
from .figures import HIGHLIGHT, PALETTE, discrete_colorscale
from .page_data import VECTOR_BUDGET, b64, fit_rows, page_vectors, plain_text, python_text_classes, script_json

PLOT_DIV_ID = "w2v-explorer-plot"  # fixed, so that two exports of the same vectors are identical
DRAW_CAP = 1000  # matches marked on the plot at most (the list shows LIST_CAP, the status the count)
LIST_CAP = 50


def _page_file(name: str) -> str:
    return (resources.files("w2v_lib.explorer") / "page" / name).read_text(encoding="utf-8")


def _fill(template: str, parts: dict) -> str:
    """Replace each @NAME@ of the template in one pass (so no inserted text is scanned again)."""
    return re.sub(r"@([A-Z_]+)@", lambda m: parts[m.group(1)], template)


def export_html(path, model: WordVectors, coords=None, *, title: str = "Word vectors", k: int = 10,
                colours=None, colour_names=None, label_limit: int = 12, projection: str | None = None,
                axis_titles=None, vector_budget: int = VECTOR_BUDGET) -> Path:
    """Write a standalone page with the words' 2-D map and a search box that needs no Python.

    Args:
        coords: (|Vocab|, 2) positions; the 2-D PCA of the vectors by default (fitted on at most
            page_data.FIT_ROWS evenly spaced words, then applied to all).
        projection: what the coordinates are (e.g. "t-SNE"), for the subtitle and axis titles;
            "PCA" when coords are not given.
        axis_titles: (x title, y title); "<projection> 1" and "<projection> 2" by default.
        colours: optional (|Vocab|,) integer groups (e.g. frequency bands) to colour the points,
            named by `colour_names` in the legend.
        label_limit: at most this many text labels, placed clear of the markers and each other.
        vector_budget: bytes of float16 vectors the page may carry (page_data.page_vectors).
    Returns the path written. The page is identical for identical inputs. On failure the file
    at `path` is unchanged.
    """
    n = len(model)
    if n < 2:
        raise ValueError(f"the page needs at least two words; got {n}")
    if coords is None:
        basis = pca_basis(model.vectors[fit_rows(n)], 2)  # fitted on a sample past 50,000 words
        coords = basis.project(model.vectors)
        projection = projection or "PCA"
        shares = [f" ({100 * s:.0f} % of the variance)" for s in basis.explained]
        default_titles = [f"{projection} {i + 1}{shares[i]}" for i in range(2)]
    else:
        projection = projection or "given 2-D coordinates"
        default_titles = [f"{projection} {i + 1}" for i in range(2)]
    coords = np.asarray(coords, dtype=np.float32)
    if coords.shape != (n, 2):
        raise ValueError(f"coords must have shape ({n}, 2); got {coords.shape}")
    if not np.isfinite(coords).all():
        raise ValueError(f"coords must be finite; row {int(np.argmax(~np.isfinite(coords).all(axis=1)))} is not")
    axis_titles = list(axis_titles) if axis_titles is not None else default_titles
    k = min(int(k), n - 1)
    legend, colour_data, names = [], None, []
    if colours is not None:
        colours = np.asarray(colours)
        if colours.shape != (n,):
            raise ValueError(f"colours must have shape ({n},); got {colours.shape}")
        groups = int(colours.max()) + 1
        if colours.min() < 0 or groups > 255:
            raise ValueError(f"colours must be integer groups 0..254; got {colours.min()}..{colours.max()}")
        names = list(colour_names) if colour_names is not None else [f"group {g + 1}" for g in range(groups)]
        legend = [(PALETTE[g % len(PALETTE)], names[g]) for g in range(groups)]
        colour_data = b64(colours, np.uint8)
    legend.append((HIGHLIGHT, "the word searched and its neighbours"))
    legend_html = "<br>".join(f'<span style="color:{c}">●</span> {html.escape(plain_text(str(name)))}'
                              for c, name in legend)
    vectors, scale, kept = page_vectors(model.vectors, vector_budget)
    carried = ("float16 copies of the vectors" if vectors.shape[1] == model.dim else
               f"a {vectors.shape[1]}-dimensional projection of the vectors (float16, keeping "
               f"{100 * kept:.0f} % of their energy), so its neighbours can differ from the full vectors'")
    subtitle = (f"{n:,} words, {model.dim} dimensions, drawn by {projection}. Type a word, part of one, or an "
                f"expression such as king - man + woman, then Enter; click a point or a listed word to see its "
                f"{k} nearest neighbours (cosine; {model.mode}). The page computes them from {carried}.")
    counts = None if model.counts is None else b64(np.clip(model.counts, 0, 2**32 - 1), np.uint32)
    data = {"words": list(model.words), "x": b64(coords[:, 0], np.float32), "y": b64(coords[:, 1], np.float32),
            "vectors": b64(vectors, np.float16), "dim": int(vectors.shape[1]), "full_dim": model.dim,
            "scale": scale, "kept": kept, "counts": counts, "colours": colour_data,
            "centred": model.centred, "mode": model.mode, "text": python_text_classes(),
            "config": {"div_id": PLOT_DIV_ID, "k": k, "label_limit": int(label_limit), "draw_cap": DRAW_CAP,
                       "list_cap": LIST_CAP, "palette": list(PALETTE), "highlight": HIGHLIGHT,
                       "colorscale": discrete_colorscale(len(names)) if names else None,
                       "colour_names": [plain_text(str(s)) for s in names],
                       "axis_titles": [plain_text(str(t)) for t in axis_titles], "projection": projection}}
    from plotly.offline import get_plotlyjs

    page = _fill(_page_file("page.html"), {
        "TITLE": html.escape(plain_text(title)), "SUBTITLE": html.escape(plain_text(subtitle)),
        "CSS": _page_file("page.css"), "PLOTLY": get_plotlyjs(),
        "DIV_ID": PLOT_DIV_ID, "LEGEND": legend_html,
        "DATA": script_json(data), "EXPRESSIONS": _page_file("expressions.js"), "EXPLORER": _page_file("explorer.js")})
    body = page.encode("utf-8")  # before the file is touched: nothing half-written on an encoding error
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as fh:
            fh.write(body)
    except OSError as err:
        raise OSError(err.errno, f"could not write the page: {describe_os_error(err)}; "
                                 f"any earlier page there is unchanged", str(path)) from err
    return path


def export_projector_tsv(directory, model: WordVectors, metadata: dict | None = None) -> tuple:
    """Write vectors.tsv (the raw vectors, as trained) and metadata.tsv (word, count and any
    extra columns) into `directory`, as a pair: both files are replaced, or neither."""
    directory = Path(directory)
    columns = {} if model.counts is None else {"count": [str(c) for c in model.counts]}
    for name, values in (metadata or {}).items():
        if len(values) != len(model):
            raise ValueError(f"metadata column {name!r} has {len(values)} values for {len(model)} words")
        columns[name] = [str(v) for v in values]
    for row, word in enumerate(model.words):
        try:
            word.encode("utf-8")
        except UnicodeEncodeError as err:
            raise ValueError(f"word {row} ({word!r}) holds a lone surrogate, which UTF-8 (and so the TSV) cannot "
                             f"store ({err.reason}); fix or drop that word; nothing was written") from None
    directory.mkdir(parents=True, exist_ok=True)
    vec_path, meta_path = directory / "vectors.tsv", directory / "metadata.tsv"
    write_together([vec_path, meta_path],  # as trained, not centred
                   lambda temps: save_projector_tsv(temps[0], temps[1], model.words, model.raw_vectors, columns))
    return vec_path, meta_path
