// The offline page's explorer: decodes the data (see w2v_lib/explorer/page_data.py), draws the
// map with plotly, and answers the search box, clicks on points and clicks on list entries.
//
// Speed at 400,000 words: part-of-a-word search runs String.indexOf over one lower-cased string
// of all words (no per-word loop), maps each hit to its word by binary search, orders the hits by
// a counting sort on length, and draws at most DRAW_CAP of them; labels are placed for at most
// LABEL_LIMIT words against the at most DRAW_CAP marked points. Every step is linear in the vocabulary
// or bounded, so a keystroke costs a few milliseconds. Words are shown through textContent or
// HTML-escaped (plotly renders hover text as HTML) and cut to SHOW_CHARS characters.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("w2v-data").textContent);
  var CFG = D.config, DRAW_CAP = CFG.draw_cap, LABEL_LIMIT = CFG.label_limit, LIST_CAP = CFG.list_cap;
  var SHOW_CHARS = 40, R = 5, GAP = 2;
  var gd = document.getElementById(CFG.div_id);
  var box = document.getElementById("w2v-search");
  var status = document.getElementById("w2v-status");
  var list = document.getElementById("w2v-neighbours");
  var expr = W2VExpressions(D.text.spaces, D.text.digit_zeros);

  // --- the data ---------------------------------------------------------------------------
  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out.buffer;
  }
  function halfToFloat(buffer) {
    var table = new Float32Array(65536), h = new Uint16Array(buffer), out = new Float32Array(h.length);
    for (var b = 0; b < 65536; b++) {
      var sign = b & 0x8000 ? -1 : 1, e = (b >> 10) & 0x1f, f = b & 0x3ff;
      table[b] = e === 0 ? sign * f * Math.pow(2, -24) : e === 31 ? (f ? NaN : sign * Infinity)
                                                              : sign * (1 + f / 1024) * Math.pow(2, e - 15);
    }
    for (var i = 0; i < h.length; i++) out[i] = table[h[i]];
    return out;
  }
  var words = D.words, n = words.length, dim = D.dim;
  var X = new Float32Array(bytes(D.x)), Y = new Float32Array(bytes(D.y));
  var counts = D.counts ? new Uint32Array(bytes(D.counts)) : null;
  var V = halfToFloat(bytes(D.vectors));  // (n, dim) row-major
  var norms = new Float32Array(n);
  for (var r = 0; r < n; r++) {
    var s2 = 0;
    for (var c = 0, off = r * dim; c < dim; c++) s2 += V[off + c] * V[off + c];
    norms[r] = Math.sqrt(s2);
  }
  delete D.vectors; delete D.x; delete D.y;

  // --- words: exact index, case-folded index, and one string to search ---------------------
  var index = new Map(), lowerIndex = new Map(), lower = new Array(n);
  for (var i = 0; i < n; i++) {
    lower[i] = words[i].toLowerCase();
    index.set(words[i], i);  // Maps: "constructor" and "__proto__" are ordinary keys
    if (!lowerIndex.has(lower[i])) lowerIndex.set(lower[i], i);
  }
  var SEP = "\u0000", starts = new Int32Array(n), parts = new Array(n), at = 1;
  for (i = 0; i < n; i++) { starts[i] = at; parts[i] = lower[i]; at += lower[i].length + 1; }
  var haystack = SEP + parts.join(SEP) + SEP;
  parts = null;

  var ends = new Int32Array(n), sizes = new Uint16Array(n), LONG = 65535;
  for (i = 0; i < n; i++) { ends[i] = starts[i] + lower[i].length; sizes[i] = Math.min(words[i].length, LONG); }
  function wordAt(pos, from) {  // the word whose span holds haystack position pos, at or after word `from`
    var lo = from, step = 0;
    while (step < 8 && lo + 1 < n && starts[lo + 1] <= pos) { lo++; step++; }  // near: a few steps
    if (step < 8) return lo;
    var hi = n - 1;  // far: binary search
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (starts[mid] <= pos) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function containing(needle) {
    // every word containing `needle` (lower-cased), shortest first, then by row (the widget's
    // order): one indexOf per match, then a counting sort on the length
    var hits = new Int32Array(n), count = 0, from = 0, w = 0;
    if (!needle) return hits.subarray(0, 0);
    for (;;) {
      var pos = haystack.indexOf(needle, from);
      if (pos < 0) break;
      w = wordAt(pos, w);
      if (pos + needle.length <= ends[w]) { hits[count++] = w; from = ends[w] + 1; w++; } else from = pos + 1;
      if (w >= n) break;
    }
    var tally = new Int32Array(LONG + 2);
    for (var j = 0; j < count; j++) tally[sizes[hits[j]] + 1]++;
    for (j = 1; j < tally.length; j++) tally[j] += tally[j - 1];
    var ordered = new Int32Array(count);
    for (j = 0; j < count; j++) ordered[tally[sizes[hits[j]]]++] = hits[j];
    return ordered;
  }

  // --- shown text ---------------------------------------------------------------------------
  function shortWord(w) { return w.length > SHOW_CHARS ? Array.from(w.slice(0, 2 * SHOW_CHARS)).slice(0, SHOW_CHARS).join("") + "\u2026" : w; }
  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function hover(i, score) {
    var text = escapeHtml(shortWord(words[i]));
    if (counts) text += "<br>count " + counts[i].toLocaleString("en");
    if (score !== undefined) text += "<br>cosine " + score.toFixed(3);
    return text;
  }
  function fmt(x) { return x.toLocaleString("en"); }

  // --- neighbours ---------------------------------------------------------------------------
  function lookup(word) {
    var row = index.get(word);
    if (row === undefined) {
      throw new Error(expr.pyRepr(word) + " is not in the vocabulary (" + n + " words)" + hint(word));
    }
    var v = new Array(dim);
    for (var c = 0; c < dim; c++) v[c] = V[row * dim + c];
    return v;
  }
  function hint(word) {
    var close = Array.from(containing(word.toLowerCase()).subarray(0, 3));
    return close.length ? "; did you mean " + close.map(function (j) { return expr.pyRepr(words[j]); }).join(", ") + "?"
                        : "; words are lower-case tokens of the corpus";
  }
  function nearest(q, k, exclude) {
    var qn = 0;
    for (var c = 0; c < dim; c++) qn += q[c] * q[c];
    qn = Math.sqrt(qn);
    if (!(qn > 0)) throw new Error("the query vector is zero, so it has no direction to compare by cosine");
    var qq = new Float32Array(q), best = [], worst = -Infinity;
    for (var row = 0; row < n; row++) {
      if (exclude.has(row)) continue;
      var dot = 0, off = row * dim;
      for (c = 0; c < dim; c++) dot += qq[c] * V[off + c];
      var score = norms[row] > 0 ? dot / (qn * norms[row]) : 0;
      if (best.length < k || score > worst) {  // ties keep the lower row, as numpy's stable sort does
        var at = best.length;
        while (at > 0 && best[at - 1][1] < score) at--;
        best.splice(at, 0, [row, score]);
        if (best.length > k) best.pop();
        worst = best[best.length - 1][1];
      }
    }
    return best;
  }

  // --- the plot -----------------------------------------------------------------------------
  var hoverAll = new Array(n);
  for (i = 0; i < n; i++) hoverAll[i] = hover(i);
  var marker = {size: 5, color: CFG.palette[0]};
  if (D.colours) {
    marker = {size: 5, color: Array.from(new Uint8Array(bytes(D.colours))), colorscale: CFG.colorscale,
              cmin: -0.5, cmax: CFG.colour_names.length - 0.5, showscale: false};
  }
  // The words are drawn once by plotly (WebGL: hover, click, zoom and pan); the marked words and
  // their labels are drawn over it in an SVG of our own, in pixels, so a search never makes
  // plotly redraw (its cost would grow with the vocabulary) and the labels' boxes are measured.
  var baseLayout = {autosize: true, showlegend: false, hovermode: "closest", dragmode: "pan",
                    margin: {l: 60, r: 12, t: 12, b: 50}, plot_bgcolor: "white", paper_bgcolor: "white",
                    xaxis: {title: {text: CFG.axis_titles[0]}, zeroline: false, gridcolor: "#eee"},
                    yaxis: {title: {text: CFG.axis_titles[1]}, zeroline: false, gridcolor: "#eee"}};
  Plotly.newPlot(gd, [{type: "scattergl", mode: "markers", name: "words", x: X, y: Y, hoverinfo: "text",
                       hovertext: hoverAll, marker: marker}],
                 baseLayout, {displaylogo: false, responsive: true, scrollZoom: true});
  var marks = document.getElementById("w2v-marks"), dots = document.getElementById("w2v-dots");

  // --- labels: never over a highlighted marker, never over each other, inside the plot -------
  var SPOTS = [["above", 0, 1], ["below", 0, -1], ["right", 1, 0], ["left", -1, 0],
               ["above right", 1, 1], ["above left", -1, 1], ["below right", 1, -1], ["below left", -1, -1]];
  // labels are measured on a canvas in the labels' own font (no layout of the page needed)
  var LABEL_FONT = "12px \"Open Sans\", verdana, arial, sans-serif", measure = document.createElement("canvas").getContext("2d");
  measure.font = LABEL_FONT;
  var metrics = measure.measureText("Hg"), ASCENT = metrics.fontBoundingBoxAscent || 11;
  var LABEL_HEIGHT = ASCENT + (metrics.fontBoundingBoxDescent || 3);
  function hits(b, boxes) {
    for (var j = 0; j < boxes.length; j++) {
      var o = boxes[j];
      if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return true;
    }
    return false;
  }
  function placeLabels(rows, xa, ya) {
    // the first rows matter most; each label goes to the first of eight spots around its marker
    // whose box (plus a margin) is clear of every marker, every label placed and the plot's
    // edges; a word with no free spot is named in the list only. Returns [rows, SVG text].
    var width = xa._length, height = ya._length, markers = [], placed = [], labelled = [], svg = [];
    for (var j = 0; j < rows.length; j++) {
      var mx = xa.l2p(X[rows[j]]), my = ya.l2p(Y[rows[j]]);
      markers.push([mx - R - 1, my - R - 1, mx + R + 1, my + R + 1]);
    }
    for (j = 0; j < rows.length && labelled.length < LABEL_LIMIT; j++) {
      var row = rows[j], px = xa.l2p(X[row]), py = ya.l2p(Y[row]);
      if (!(px >= 0 && px <= width && py >= 0 && py <= height)) continue;  // off screen after a zoom
      var shown = shortWord(words[row]), w = measure.measureText(shown).width, h = LABEL_HEIGHT, off = R + 1 + GAP;
      for (var s = 0; s < SPOTS.length; s++) {
        var sx = SPOTS[s][1], sy = SPOTS[s][2];
        var x0 = sx > 0 ? px + off : sx < 0 ? px - off - w : px - w / 2;
        var y0 = sy > 0 ? py - off - h : sy < 0 ? py + off : py - h / 2;
        var b = [x0 - GAP, y0 - GAP, x0 + w + GAP, y0 + h + GAP];
        if (b[0] < 0 || b[1] < 0 || b[2] > width || b[3] > height) continue;
        if (hits(b, markers) || hits(b, placed)) continue;
        placed.push(b);
        labelled.push(row);
        svg.push('<text class="w2v-label" data-row="' + row + '" x="' + x0.toFixed(1) + '" y="' +
                 (y0 + ASCENT).toFixed(1) + '">' + escapeHtml(shown) + "</text>");
        break;
      }
    }
    return [labelled, svg.join("")];
  }

  // --- what is shown: one state, whatever asked ---------------------------------------------
  var state = {kind: null, text: "", rows: [], scores: [], selected: null, labelled: []};
  var drawn = [];  // [x, y] in pixels of the plotting area, of the markers drawn
  function draw() {
    // the marks over the plot: at most DRAW_CAP markers on a canvas and LABEL_LIMIT labels in an
    // SVG, in pixels of the plotting area (both moved to its corner)
    var xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, rows = state.rows.slice(0, DRAW_CAP);
    var ratio = window.devicePixelRatio || 1, w = xa._length + 2 * R + 2, h = ya._length + 2 * R + 2;
    dots.style.left = (xa._offset - R - 1) + "px";
    dots.style.top = (ya._offset - R - 1) + "px";
    dots.style.width = w + "px";
    dots.style.height = h + "px";
    var ctx = dots.getContext("2d");
    if (dots.width !== Math.round(w * ratio) || dots.height !== Math.round(h * ratio)) {
      dots.width = Math.round(w * ratio);  // a new size clears the canvas too
      dots.height = Math.round(h * ratio);
    } else {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, dots.width, dots.height);
    }
    ctx.setTransform(ratio, 0, 0, ratio, (R + 1) * ratio, (R + 1) * ratio);
    ctx.fillStyle = CFG.highlight;
    ctx.strokeStyle = "black";
    ctx.lineWidth = 1;
    drawn = [];
    for (var j = rows.length - 1; j >= 0; j--) {  // the query's own words last, on top
      var mx = xa.l2p(X[rows[j]]), my = ya.l2p(Y[rows[j]]);
      if (mx >= -R && mx <= xa._length + R && my >= -R && my <= ya._length + R) {
        ctx.beginPath();
        ctx.arc(mx, my, R, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
        drawn.push([mx, my]);
      }
    }
    var labels = placeLabels(rows, xa, ya);
    state.labelled = labels[0];
    marks.innerHTML = '<g transform="translate(' + xa._offset + "," + ya._offset + ')">' + labels[1] + "</g>";
  }
  function say(message) {
    status.textContent = message;
    status.classList.toggle("w2v-code", message.indexOf("\n  ") >= 0);  // a caret under an expression
  }
  function fillList(rows, scores) {
    list.textContent = "";
    rows.slice(0, LIST_CAP).forEach(function (j, r) {
      var li = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      button.className = "w2v-word";
      button.dataset.row = String(j);
      button.textContent = shortWord(words[j]) + (scores && scores[r] !== undefined ? "  " + scores[r].toFixed(3) : "");
      button.title = (counts ? "count " + fmt(counts[j]) + "; " : "") + "click to see its neighbours";
      li.appendChild(button);
      list.appendChild(li);
    });
  }
  function answer(kind, text, rows, scores, selected, message, listed) {
    // rows: what is marked, the query's own words first; listed: [rows, scores] for the list
    state = {kind: kind, text: text, rows: rows, scores: scores || [], selected: selected, labelled: []};
    fillList(listed[0], listed[1]);
    say(message);
    draw();
  }
  function fail(message) {
    state = {kind: null, text: "", rows: [], scores: [], selected: null, labelled: []};
    fillList([]);
    say(message);
    draw();
  }
  function unzip(got) { return [got.map(function (g) { return g[0]; }), got.map(function (g) { return g[1]; })]; }
  var space = D.centred ? "centred" : "raw", K = CFG.k;

  function showWord(row) {
    var got = nearest(lookup(words[row]), K, new Set([row])), listed = unzip(got);
    answer("word", words[row], [row].concat(listed[0]), [undefined].concat(listed[1]), row,
           got.length + " nearest words to \u201c" + shortWord(words[row]) + "\u201d (cosine, " + space + ")", listed);
  }
  function showExpression(text) {
    var read = expr.read(text), used = read.words, vec = expr.evaluate(read.tree, lookup);
    if (vec.some(function (a) { return !isFinite(Math.fround(a * D.scale)); })) {
      throw new Error("the result is too large to hold in float32 (infinite or NaN): use smaller numbers");
    }
    var head = used.map(function (w) { return index.get(w); });
    var got = nearest(vec, K, new Set(head)), listed = unzip(got);
    var notes = text.indexOf('"') < 0 ? read.notes : [];
    answer("expression", text, head.concat(listed[0]), head.map(function () { return undefined; }).concat(listed[1]),
           null, got.length + " nearest words to " + text + " (cosine, " + space + ")" +
           (notes.length ? "; " + notes.join("; ") : ""), listed);
  }
  function showMatches(text) {
    var hit = containing(text.toLowerCase());
    if (!hit.length) { fail("no word contains \u201c" + text + "\u201d"); return; }
    answer("search", text, hit, null, null,
           fmt(hit.length) + (hit.length === 1 ? " word contains" : " words contain") + " \u201c" + text + "\u201d" +
           (hit.length > DRAW_CAP ? "; the " + fmt(DRAW_CAP) + " shortest marked" : "") +
           (hit.length > LIST_CAP ? ", " + LIST_CAP + " listed" : ""), [hit, null]);
  }
  function exactRow(text) {
    if (index.has(text)) return index.get(text);
    var t = text.trim();
    if (index.has(t)) return index.get(t);
    return lowerIndex.has(t.toLowerCase()) ? lowerIndex.get(t.toLowerCase()) : undefined;
  }
  function search(raw) {
    // Enter: a word (any case) shows its neighbours, an expression the neighbours of its vector,
    // part of a word every match (as the widget's search box does)
    try {
      var text = String(raw), row = exactRow(text);
      if (row !== undefined) return showWord(row);
      var t = text.trim();
      if (!t) return fail("type a word first (e.g. good), part of one, or an expression such as king - man + woman");
      if (expr.isExpression(t)) return showExpression(t);
      return showMatches(t);
    } catch (err) {
      fail(err.message);
    }
  }
  function typed(raw) {
    // a keystroke: the words containing what is typed (an expression waits for Enter)
    var text = String(raw), t = text.trim();
    if (!t && !text) return fail("");
    if (exactRow(text) === undefined && expr.isExpression(t)) {
      say("press Enter to evaluate the expression");
      return;
    }
    showMatches(index.has(text) ? text : t || text);
  }
  function select(row) {
    if (!(row >= 0 && row < n)) return;
    box.value = words[row];
    showWord(row);
  }

  box.addEventListener("input", function () { typed(box.value); });
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(box.value); });
  list.addEventListener("click", function (ev) {
    var button = ev.target.closest("button.w2v-word");
    if (button) select(parseInt(button.dataset.row, 10));
  });
  gd.on("plotly_click", function (ev) {
    var p = ev.points && ev.points[0];
    if (p && p.curveNumber === 0) select(p.pointIndex);
  });
  gd.on("plotly_relayouting", function () {  // hidden while dragging
    marks.textContent = "";
    dots.getContext("2d").clearRect(0, 0, dots.width, dots.height);
  });
  gd.on("plotly_relayout", draw);  // zoom, pan, reset and resize move the pixels: place the marks again

  // for tests and for a course page's own links
  window.w2vSearch = search;
  window.w2vType = typed;
  window.w2vSelect = select;
  window.w2vState = function () {
    return {kind: state.kind, text: state.text, rows: Array.from(state.rows.slice(0, DRAW_CAP)), selected: state.selected,
            labelled: state.labelled.slice(), box: box.value, status: status.textContent,
            list: Array.from(list.querySelectorAll("button")).map(function (b) { return parseInt(b.dataset.row, 10); })};
  };
  window.w2vMarks = function () {  // the markers drawn, in the page's pixels
    var r = gd.getBoundingClientRect(), L = gd._fullLayout;
    return drawn.map(function (d) { return [r.left + L.xaxis._offset + d[0], r.top + L.yaxis._offset + d[1]]; });
  };
  window.w2vExpression = function (text) {
    try {
      var read = expr.read(text);
      return {text: expr.toText(read.tree), notes: read.notes, words: read.words};
    } catch (err) {
      return {error: err.message};
    }
  };
  window.w2vNeighbours = function (text) {
    try {
      var read = expr.read(text), used = read.words;
      return nearest(expr.evaluate(read.tree, lookup), K, new Set(used.map(function (w) { return index.get(w); })))
          .map(function (g) { return [words[g[0]], g[1]]; });
    } catch (err) {
      return {error: err.message};
    }
  };
  document.body.dataset.ready = "1";
})();
