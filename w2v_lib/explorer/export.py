"""Exports: a standalone offline HTML page (for a course web page) and the Embedding
Projector's vectors.tsv + metadata.tsv pair (for projector.tensorflow.org).

The page embeds plotly.js, the 2-D coordinates and each word's precomputed nearest neighbours,
so its search box works without Python or a network. Words reach the page only as JSON data
(with <, > and & escaped) or as HTML-escaped hover text, and the page's script writes them with
textContent, so a corpus token like `<script>` shows as text. The neighbours are the model's
cosine neighbours, so they are centred (mean subtracted) exactly when the model is; the page
records which in its data ("centred") and says so under the title.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ..vectors_io import save_projector_tsv
from .model import EmbeddingModel
from .projections import pca

PLOT_DIV_ID = "w2v-explorer-plot"  # fixed, so that two exports of the same vectors are identical


def nearest_neighbour_table(model: EmbeddingModel, k: int = 10, chunk: int = 2048):
    """Every word's k nearest words by cosine, itself excluded: ((|V|, k) indices, (|V|, k) scores).

    Cosines are taken between `model.vectors`, i.e. after subtracting the mean when the model is centred.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < len(model):
        raise ValueError(f"k must be an integer in [1, {len(model) - 1}]; got {k!r}")
    n = len(model)
    top_idx, top_sim = np.empty((n, k), dtype=np.int64), np.empty((n, k), dtype=np.float32)
    for start in range(0, n, chunk):  # chunks keep the similarity block to chunk × |V| floats
        rows = np.arange(start, min(start + chunk, n))
        sims = model.unit_vectors[rows] @ model.unit_vectors.T  # (B, |V|)
        sims[np.arange(rows.size), rows] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]  # (B, k) unordered
        part_sims = np.take_along_axis(sims, part, axis=1)  # (B, k)
        order = np.argsort(-part_sims, axis=1, kind="stable")  # (B, k)
        top_idx[rows] = np.take_along_axis(part, order, axis=1)
        top_sim[rows] = np.take_along_axis(part_sims, order, axis=1)
    return top_idx, top_sim


def _script_json(data) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' characters left."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1em 2em; color: #222; }}
#w2v-controls {{ margin-bottom: .5em; }}
#w2v-search {{ width: 22em; font-size: 1em; padding: .2em .4em; }}
#w2v-status {{ margin-left: 1em; color: #555; }}
#w2v-layout {{ display: flex; gap: 1em; align-items: flex-start; }}
#w2v-layout > div:first-child {{ flex: 1; min-width: 0; }}
#w2v-neighbours {{ width: 16em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{subtitle}</p>
<div id="w2v-controls">
<input id="w2v-search" type="search" placeholder="type a word, then Enter" aria-label="search words">
<span id="w2v-status"></span>
</div>
<div id="w2v-layout">
<div>{plot}</div>
<ol id="w2v-neighbours"></ol>
</div>
<script id="w2v-data" type="application/json">{data}</script>
<script>
(function () {{
  var data = JSON.parse(document.getElementById("w2v-data").textContent);
  var gd = document.getElementById("{div_id}");
  var box = document.getElementById("w2v-search");
  var status = document.getElementById("w2v-status");
  var list = document.getElementById("w2v-neighbours");
  var lower = data.words.map(function (w) {{ return w.toLowerCase(); }});
  var index = {{}};
  data.words.forEach(function (w, i) {{ index[w] = i; }});
  function escapeHtml(s) {{
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
            .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }}
  function show(indices, labelled) {{
    var shown = indices.map(function (i) {{ return escapeHtml(data.words[i]); }});
    Plotly.restyle(gd, {{x: [indices.map(function (i) {{ return data.x[i]; }})],
                         y: [indices.map(function (i) {{ return data.y[i]; }})],
                         hovertext: [shown]}}, [1]);
    Plotly.restyle(gd, {{x: [labelled.map(function (i) {{ return data.x[i]; }})],
                         y: [labelled.map(function (i) {{ return data.y[i]; }})],
                         text: [labelled.map(function (i) {{ return escapeHtml(data.words[i]); }})]}}, [2]);
  }}
  function fillList(rows) {{
    list.textContent = "";
    rows.forEach(function (row) {{
      var li = document.createElement("li");
      li.textContent = row;
      list.appendChild(li);
    }});
  }}
  function search(text) {{
    var q = text.trim();
    if (!q) {{ status.textContent = "type a word first"; fillList([]); show([], []); return; }}
    var exact = index.hasOwnProperty(q) ? index[q] : index[q.toLowerCase()];
    if (exact !== undefined) {{
      var nb = data.neighbours[exact];
      var picked = [exact].concat(nb);
      show(picked, picked);
      fillList(nb.map(function (j, r) {{ return data.words[j] + "  " + data.scores[exact][r].toFixed(3); }}));
      status.textContent = nb.length + " nearest words to \\u201c" + data.words[exact] + "\\u201d (cosine, "
                           + (data.centred ? "centred" : "raw") + ")";
      return;
    }}
    var needle = q.toLowerCase(), hits = [];
    for (var i = 0; i < lower.length; i++) {{ if (lower[i].indexOf(needle) >= 0) hits.push(i); }}
    show(hits, hits.slice(0, {label_limit}));
    fillList(hits.slice(0, 50).map(function (j) {{ return data.words[j]; }}));
    status.textContent = hits.length ? hits.length + " words contain \\u201c" + q + "\\u201d"
                                     : "no word contains \\u201c" + q + "\\u201d";
  }}
  box.addEventListener("keydown", function (ev) {{ if (ev.key === "Enter") search(box.value); }});
}})();
</script>
</body>
</html>
"""


def export_html(path, model: EmbeddingModel, coords=None, *, title: str = "Word vectors",
                k: int = 10, colours=None, label_limit: int = 30) -> Path:
    """Write a standalone page with the words' 2-D map and a search box that needs no Python.

    Args:
        coords: (|V|, 2) positions; the 2-D PCA of the vectors by default.
        colours: optional (|V|,) integer groups (e.g. frequency bands) to colour the points.
    Returns the path written. The page is identical for identical inputs (fixed div id).
    """
    coords = pca(model.vectors, 2) if coords is None else np.asarray(coords, dtype=np.float32)
    if coords.shape != (len(model), 2):
        raise ValueError(f"coords must have shape ({len(model)}, 2); got {coords.shape}")
    k = min(k, len(model) - 1)
    neighbours, scores = nearest_neighbour_table(model, k)
    escaped = [html.escape(w) for w in model.words]
    marker = dict(size=5)
    if colours is not None:
        colours = np.asarray(colours)
        if colours.shape != (len(model),):
            raise ValueError(f"colours must have shape ({len(model)},); got {colours.shape}")
        marker.update(color=colours, colorscale="Viridis", showscale=False)
    fig = go.Figure(
        [go.Scattergl(x=coords[:, 0], y=coords[:, 1], mode="markers", name="words", hoverinfo="text",
                      hovertext=escaped, marker=marker),
         go.Scattergl(x=[], y=[], mode="markers", name="matches", hoverinfo="text",
                      marker=dict(size=10, color="#d62728", line=dict(width=1, color="black"))),
         go.Scatter(x=[], y=[], mode="text", name="labels", hoverinfo="skip", textposition="top center")],
        go.Layout(height=620, showlegend=False, template="plotly_white", hovermode="closest",
                  margin=dict(l=10, r=10, t=10, b=10)))
    plot = pio.to_html(fig, include_plotlyjs=True, full_html=False, div_id=PLOT_DIV_ID,
                       config={"displaylogo": False})
    data = {"words": model.words, "x": np.round(coords[:, 0].astype(float), 4).tolist(),
            "y": np.round(coords[:, 1].astype(float), 4).tolist(), "neighbours": neighbours.tolist(),
            "scores": np.round(scores.astype(float), 4).tolist(), "centred": model.centred, "mode": model.mode}
    page = _PAGE.format(title=html.escape(title), div_id=PLOT_DIV_ID, plot=plot, data=_script_json(data),
                        label_limit=int(label_limit),
                        subtitle=html.escape(f"{len(model)} words, {model.dim} dimensions; type a word "
                                             f"and press Enter to see its {k} nearest neighbours "
                                             f"(cosine; {model.mode})."))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def export_projector_tsv(directory, model: EmbeddingModel, metadata: dict | None = None) -> tuple:
    """Write vectors.tsv (the raw vectors, as trained) and metadata.tsv (word, count and any
    extra columns) into `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    columns = {} if model.counts is None else {"count": [str(c) for c in model.counts]}
    for name, values in (metadata or {}).items():
        if len(values) != len(model):
            raise ValueError(f"metadata column {name!r} has {len(values)} values for {len(model)} words")
        columns[name] = [str(v) for v in values]
    vec_path, meta_path = directory / "vectors.tsv", directory / "metadata.tsv"
    save_projector_tsv(vec_path, meta_path, model.words, model.raw_vectors, columns)  # as trained, not centred
    return vec_path, meta_path
