"""Exports: a standalone offline HTML page (for a course web page) and the Embedding
Projector's vectors.tsv + metadata.tsv pair (for projector.tensorflow.org).

The page embeds plotly.js, the 2-D coordinates and each word's precomputed nearest neighbours,
so its search box works without Python or a network. Words reach the page only as JSON data
(with <, > and & escaped) or as HTML-escaped hover text, and the page's script writes them with
textContent, so a corpus token like `<script>` shows as text. The neighbours are the model's
cosine neighbours, so they are centred (mean subtracted) exactly when the model is; the page
records which in its data ("centred") and says so under the title. The page's index of words is
a Map, so words such as `constructor` or `__proto__` are found like any other. The plot and the
list sit side by side on wide screens and stack on narrow ones (flex-wrap), and a legend names
the colours.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ..vectors.formats import save_projector_tsv
from ..vectors.keyed import WordVectors
from ..vectors.projections import pca
from .figures import HIGHLIGHT, PALETTE, discrete_colorscale

PLOT_DIV_ID = "w2v-explorer-plot"  # fixed, so that two exports of the same vectors are identical


def _script_json(data) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' characters left."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
* {{ box-sizing: border-box; }}
body {{ font-family: system-ui, sans-serif; margin: .5em 1em; color: #222; }}
h1 {{ font-size: 1.4em; margin: .3em 0; }}
#w2v-controls {{ margin-bottom: .5em; }}
#w2v-search {{ width: 22em; max-width: 100%; font-size: 1em; padding: .2em .4em; }}
#w2v-status {{ margin-left: .5em; color: #555; }}
#w2v-layout {{ display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }}
#w2v-plot-box {{ flex: 1 1 560px; min-width: 0; max-width: 100%; }}
#w2v-side {{ flex: 0 1 16em; min-width: 12em; max-width: 100%; }}
#w2v-neighbours {{ margin: 0; padding-left: 2em; overflow-wrap: anywhere; }}
#w2v-legend {{ margin-top: 1em; font-size: .9em; }}
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
<div id="w2v-plot-box">{plot}</div>
<div id="w2v-side"><ol id="w2v-neighbours"></ol><div id="w2v-legend">{legend}</div></div>
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
  // Maps, not plain objects: a word such as "constructor" or "__proto__" is an ordinary key here
  var index = new Map(), lowerIndex = new Map();
  data.words.forEach(function (w, i) {{
    index.set(w, i);
    if (!lowerIndex.has(lower[i])) lowerIndex.set(lower[i], i);
  }});
  function escapeHtml(s) {{
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
            .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }}
  var SPOTS = [["top center", 0, 1], ["bottom center", 0, -1], ["middle right", 1, 0], ["middle left", -1, 0],
               ["top right", 1, 1], ["top left", -1, 1], ["bottom right", 1, -1], ["bottom left", -1, -1]];
  function placeLabels(indices) {{
    // the most important words first, each at the first spot whose box overlaps no placed box
    var xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, boxes = [], kept = [], spots = [];
    var marks = indices.map(function (i) {{ var px = xa.l2p(data.x[i]), py = ya.l2p(data.y[i]);
                                            return [px - 6, py - 6, px + 6, py + 6]; }});
    function hit(b, skip) {{
      return boxes.concat(marks.filter(function (m, j) {{ return j !== skip; }})).some(function (o) {{
        return b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]; }});
    }}
    for (var j = 0; j < indices.length && kept.length < {label_limit}; j++) {{
      var i = indices[j], px = xa.l2p(data.x[i]), py = ya.l2p(data.y[i]);
      var w = 7.5 * Math.max(data.words[i].length, 1) + 4, h = 19;
      for (var s = 0; s < SPOTS.length; s++) {{
        var cx = px + SPOTS[s][1] * (6 + w / 2), cy = py - SPOTS[s][2] * (6 + h / 2);
        var b = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
        if (j === 0 || !hit(b, j)) {{ boxes.push(b); kept.push(i); spots.push(SPOTS[s][0]); break; }}
      }}
    }}
    return [kept, spots];
  }}
  function show(indices, labelled) {{
    var shown = indices.map(function (i) {{ return escapeHtml(data.words[i]); }});
    // fade the other words while something is highlighted, so the labels can be read
    Plotly.restyle(gd, {{selectedpoints: [indices.length ? indices : null],
                         "unselected.marker.opacity": 0.2}}, [0]);
    Plotly.restyle(gd, {{x: [indices.map(function (i) {{ return data.x[i]; }})],
                         y: [indices.map(function (i) {{ return data.y[i]; }})],
                         hovertext: [shown]}}, [1]);
    var placed = placeLabels(labelled);
    Plotly.restyle(gd, {{x: [placed[0].map(function (i) {{ return data.x[i]; }})],
                         y: [placed[0].map(function (i) {{ return data.y[i]; }})],
                         textposition: [placed[1]],
                         text: [placed[0].map(function (i) {{ return escapeHtml(data.words[i]); }})]}}, [2]);
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
    var exact = index.has(q) ? index.get(q) : lowerIndex.get(q.toLowerCase());
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
    show(hits, hits);
    fillList(hits.slice(0, 50).map(function (j) {{ return data.words[j]; }}));
    status.textContent = hits.length ? hits.length + " words contain \\u201c" + q + "\\u201d"
                                     : "no word contains \\u201c" + q + "\\u201d";
  }}
  box.addEventListener("keydown", function (ev) {{ if (ev.key === "Enter") search(box.value); }});
  // plotly sized the plot before the list beside it existed: fit it to its box now
  Plotly.Plots.resize(gd);
  window.w2vSearch = search;  // for tests and for a course page's own links
}})();
</script>
</body>
</html>
"""


def export_html(path, model: WordVectors, coords=None, *, title: str = "Word vectors", k: int = 10,
                colours=None, colour_names=None, label_limit: int = 12) -> Path:
    """Write a standalone page with the words' 2-D map and a search box that needs no Python.

    Args:
        coords: (|V|, 2) positions; the 2-D PCA of the vectors by default.
        colours: optional (|V|,) integer groups (e.g. frequency bands) to colour the points,
            named by `colour_names` in the legend.
        label_limit: at most this many text labels, placed so that they do not collide.
    Returns the path written. The page is identical for identical inputs (fixed div id).
    """
    coords = pca(model.vectors, 2) if coords is None else np.asarray(coords, dtype=np.float32)
    if coords.shape != (len(model), 2):
        raise ValueError(f"coords must have shape ({len(model)}, 2); got {coords.shape}")
    k = min(k, len(model) - 1)
    neighbours, scores = model.neighbour_table(k)
    escaped = [html.escape(w) for w in model.words]
    marker = dict(size=5, color=PALETTE[0])
    legend = []
    if colours is not None:
        colours = np.asarray(colours)
        if colours.shape != (len(model),):
            raise ValueError(f"colours must have shape ({len(model)},); got {colours.shape}")
        n = int(colours.max()) + 1
        names = list(colour_names) if colour_names is not None else [f"group {g + 1}" for g in range(n)]
        marker.update(color=colours, colorscale=discrete_colorscale(n), cmin=-0.5, cmax=n - 0.5, showscale=False)
        legend = [(PALETTE[g % len(PALETTE)], names[g]) for g in range(n)]
    legend.append((HIGHLIGHT, "the word searched and its neighbours"))
    legend_html = "<br>".join(f'<span style="color:{c}">●</span> {html.escape(name)}' for c, name in legend)
    fig = go.Figure(
        [go.Scattergl(x=coords[:, 0], y=coords[:, 1], mode="markers", name="words", hoverinfo="text",
                      hovertext=escaped, marker=marker),
         go.Scattergl(x=[], y=[], mode="markers", name="matches", hoverinfo="text",
                      marker=dict(size=10, color=HIGHLIGHT, line=dict(width=1, color="black"))),
         go.Scatter(x=[], y=[], mode="text", name="labels", hoverinfo="skip", textposition="top center")],
        go.Layout(autosize=True, height=560, showlegend=False, template="plotly_white", hovermode="closest",
                  margin=dict(l=10, r=10, t=10, b=10)))
    plot = pio.to_html(fig, include_plotlyjs=True, full_html=False, div_id=PLOT_DIV_ID, default_width="100%",
                       default_height="560px", config={"displaylogo": False, "responsive": True})
    data = {"words": model.words, "x": np.round(coords[:, 0].astype(float), 4).tolist(),
            "y": np.round(coords[:, 1].astype(float), 4).tolist(), "neighbours": neighbours.tolist(),
            "scores": np.round(scores.astype(float), 4).tolist(), "centred": model.centred, "mode": model.mode}
    page = _PAGE.format(title=html.escape(title), div_id=PLOT_DIV_ID, plot=plot, data=_script_json(data),
                        label_limit=int(label_limit), legend=legend_html,
                        subtitle=html.escape(f"{len(model)} words, {model.dim} dimensions; type a word "
                                             f"and press Enter to see its {k} nearest neighbours "
                                             f"(cosine; {model.mode})."))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def export_projector_tsv(directory, model: WordVectors, metadata: dict | None = None) -> tuple:
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
