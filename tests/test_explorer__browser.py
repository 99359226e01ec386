"""End to end in a real browser (headless Chromium), three ways the explorer is offered:

1. the Voilà app (`make app`, app/explorer.ipynb): the plot is drawn on first load, a search
   works, a click on the word list selects that word, and the kernel is culled once the tab is
   closed;
2. the exported offline page: plot, neighbour list and legend never overlap at 360, 1,280 and
   1,920 px, and its search finds every word, `constructor` and `__proto__` included;
3. notebook 08 run in JupyterLab: a word typed into the explorer's search box, the neighbour
   list and the highlighted points read back from the page.

The explorer in Voilà and in JupyterLab (file browser closed and open), and notebook 08's
comparison of two vector sets in JupyterLab, are measured at 390, 768, 1,280 and 1,920 px: by the
elements' bounding boxes, no control, plot or list is cut off or covers another, and no label
text is cut short. In JupyterLab, live t-SNE, its cancel and UMAP are driven on a small set. The
Voilà app is also attacked: server paths typed into every text box, copies of /etc/passwd and
/proc/self/environ uploaded; none of the server's file lines or environment may reach the page,
and its export is a download link.

Needs Debian's chromium (`apt-get install chromium`); the JupyterLab test also needs the treebank
(W2V_SST_DIR). Without them the tests skip, unless W2V_REQUIRE_BROWSER=1 (CI), where a skip would
hide a failure. Servers listen on 127.0.0.1 only and work on copies in temporary folders.
Screenshots at 1,280 × 800 go to the tests' temporary folder, or to docs/ (explorer.png,
voila_app.png, exported_page.png) when W2V_UPDATE_SCREENSHOT=1.

Nothing can hang: every wait takes the smaller of its own limit and what is left of a budget of
BUDGET_S seconds for the whole module, a SIGALRM watchdog fails the run a little after that, and
each server's process group (and its kernels, by pid) is killed in a `finally`.
"""
import html
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest
from support.browser import (
    PlaywrightTimeout,
    console_errors,
    free_port,
    lab_root,
    open_notebook,
    overlap,
    serve_jupyterlab,
    server_descendants,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "08_explorer.ipynb"
APP = REPO / "app"
DOCS = REPO / "docs"
SCREEN = {"width": 1280, "height": 800}
WORD = "france"  # its Wikipedia-sample neighbours are other places: a telling picture


def shot_path(tmp_path, name):
    """Where a screenshot goes: docs/ when W2V_UPDATE_SCREENSHOT=1, else the test's own folder."""
    return DOCS / name if os.environ.get("W2V_UPDATE_SCREENSHOT") == "1" else tmp_path / name


@pytest.fixture(scope="module")
def wiki():
    """The Wikipedia-sample vectors the app and notebook 08 open on (trained once, then cached)."""
    from w2v_lib.explorer.sources import wiki_sample

    return wiki_sample()[0]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, budget):
    """A JupyterLab server on a random port, serving a temporary copy of the notebook."""
    root = lab_root(tmp_path_factory, NOTEBOOK, "explorer")  # its ../data/ exports land in root/data
    # the notebook's runs and downloads go to root/data, never to the repository's data/ (where
    # notebook 06 must find no run of ours); runs already trained there are copied to save time
    from w2v_lib.corpora.sst import default_data_dir

    for part in ("sst_run", "vectors/wiki_sample"):
        if (default_data_dir() / part).is_dir():
            shutil.copytree(default_data_dir() / part, root / "data" / part)
    with serve_jupyterlab(root, budget, {"W2V_DATA_DIR": str(root / "data")}) as served:
        yield served


def expected_neighbours(model, word=WORD, k=10):
    """The word and its k nearest neighbours, as the explorer shows them (centred, cosine)."""
    return [word] + [w for w, _ in model.neighbours(word, k=k)]


READ_PLOT = """() => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
      d => d.data && d.data.some(t => t.name === 'matches'));
  if (!gd) return null;
  const byName = Object.fromEntries(gd.data.map(t => [t.name, t]));
  const m = byName.matches, w = byName.words;
  return {hovertext: Array.from(m.text || []), x: Array.from(m.x || []),
          selected: w.selectedpoints ? Array.from(w.selectedpoints) : null, nwords: (w.x || []).length};
}"""


def coloured_pixels(png: bytes) -> int:
    """How many pixels of a screenshot are neither white nor grey: the drawn points."""
    import io

    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)  # (H, W, 3)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 60).sum())


def search_in_widget(page, budget, word):
    """Type `word` into the explorer's search box and press Enter; returns the listed words."""
    search = page.locator(".w2v-search input")
    try:  # on a cold start (fresh caches, a busy machine) the controls can take a while to attach
        search.wait_for(state="attached", timeout=budget.ms(90))
    except PlaywrightTimeout:
        pytest.fail("the explorer shows no search box; the page says: " + page.inner_text("body")[:500]
                    + "\nwidget errors: " + widget_error_texts(page))
    search.scroll_into_view_if_needed(timeout=budget.ms(20))
    search.fill(word, timeout=budget.ms(10))
    search.press("Enter", timeout=budget.ms(10))
    page.wait_for_function(f"() => document.querySelector('.w2v-neighbours').textContent.includes("
                           f"\"nearest to '{word}'\")", polling=500, timeout=budget.ms(120))
    return listed_words(page)


def widget_error_texts(page) -> str:
    """The messages behind the widget manager's "Click to show javascript error." boxes."""
    texts = []
    for box in page.locator(".jupyter-widgets-error-widget").all()[:4]:
        with suppress(Exception):
            box.click(timeout=2000)
            texts.append(box.inner_text(timeout=2000)[:800])
    return "\n---\n".join(texts) or "none"


def listed_words(page):
    """The words of the clickable list beside the plot, in order."""
    return [item.split()[0] for item in page.locator(".w2v-word:visible").all_inner_texts()]


WIDTHS = (390, 768, 1280, 1920)
READ_EXPLORER = """() => {
  const ex = document.querySelector('.w2v-explorer');
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = e => { const r = e.getBoundingClientRect(); const st = getComputedStyle(e);
                       return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none'; };
  const name = e => (e.className.baseVal === undefined ? e.className : '') + ' ' + (e.textContent || '').slice(0, 30);
  const controls = [...ex.querySelectorAll('.w2v-row > *')].filter(shown)
      .filter(e => !e.classList.contains('w2v-row')).map(e => [name(e), box(e)]);
  const cut = [...ex.querySelectorAll('button, .widget-label, .widget-toggle-button, label, option')]
      .filter(shown).filter(e => e.scrollWidth > e.clientWidth + 1 && !e.classList.contains('w2v-word'))
      .map(e => e.textContent.trim()).filter(t => t);
  const holder = ex.closest('.jp-OutputArea-output') || document.documentElement;
  const plot = ex.querySelector('.w2v-plot');
  return {explorer: box(ex), holder: holder === document.documentElement ? [0, 0, holder.clientWidth, 1e9]
                                                                         : box(holder),
          plot: box(plot), svg: box(plot.querySelector('.main-svg')), side: box(ex.querySelector('.w2v-side')),
          controls, cut, scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth};
}"""


SETTLED = """() => { const p = document.querySelector('.w2v-explorer .w2v-plot');
  const svg = p && p.querySelector('.main-svg'); if (!svg) return false;
  const a = p.getBoundingClientRect(), b = svg.getBoundingClientRect();
  return b.right <= a.right + 1 && b.width > 0.9 * a.width; }"""


def assert_explorer_fits(page, width, where, budget):
    """Nothing of the explorer is clipped or overlapped at this width (element geometry), once the
    figure has taken its box's new width (the page measures it, the kernel redraws)."""
    with suppress(PlaywrightTimeout):
        page.wait_for_function(SETTLED, polling=300, timeout=budget.ms(30))
    g = page.evaluate(READ_EXPLORER)
    at = f"{where} at {width} px"
    left, _, right, _ = g["holder"]
    assert g["explorer"][0] >= left - 1 and g["explorer"][2] <= right + 1, f"{at}: the explorer {g['explorer']} " \
        f"leaves its space {g['holder']}"
    assert g["svg"][0] >= g["plot"][0] - 1 and g["svg"][2] <= g["plot"][2] + 1, f"{at}: the plot {g['svg']} is " \
        f"clipped by its box {g['plot']}"
    assert g["plot"][2] - g["plot"][0] > 0.6 * (g["explorer"][2] - g["explorer"][0]) or \
        g["plot"][2] - g["plot"][0] > 450, f"{at}: the plot is squeezed to {g['plot']}"
    assert not overlap(g["plot"], g["side"]), f"{at}: the plot {g['plot']} overlaps the word list {g['side']}"
    assert g["side"][2] - g["side"][0] >= 180 and g["side"][2] <= g["explorer"][2] + 1, f"{at}: list {g['side']}"
    for label, b in g["controls"]:
        assert b[0] >= g["explorer"][0] - 1 and b[2] <= g["explorer"][2] + 1, f"{at}: {label!r} {b} is cut off"
    for i, (one, a) in enumerate(g["controls"]):
        for two, b in g["controls"][i + 1:]:
            assert not overlap(a, b), f"{at}: {one!r} {a} overlaps {two!r} {b}"
    assert not g["cut"], f"{at}: text cut short: {g['cut']}"
    if where == "Voila":
        assert g["scroll"] <= g["width"] + 1, f"{at}: the page scrolls sideways"
    return g


READ_COMPARISON = """() => {
  const cmp = document.querySelector('.w2v-compare');
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const holder = cmp.closest('.jp-OutputArea-output') || document.documentElement;
  const plots = [...cmp.querySelectorAll('.w2v-plot')];
  const cut = [...cmp.querySelectorAll('.widget-label, label')].filter(e => e.scrollWidth > e.clientWidth + 1)
      .map(e => e.textContent.trim()).filter(t => t);
  return {compare: box(cmp), holder: box(holder), plots: plots.map(box),
          svgs: plots.map(p => p.querySelector('.main-svg')).map(e => e ? box(e) : null),
          controls: [...cmp.querySelectorAll('.w2v-row > *')].map(box),
          lists: box(cmp.querySelector('.w2v-compare-lists')), cut};
}"""
COMPARISON_SETTLED = """() => { const ps = [...document.querySelectorAll('.w2v-compare .w2v-plot')];
  return ps.length === 2 && ps.every(p => { const svg = p.querySelector('.main-svg'); if (!svg) return false;
    const a = p.getBoundingClientRect(), b = svg.getBoundingClientRect();
    return b.right <= a.right + 1 && b.width > 0.9 * a.width; }); }"""


def assert_comparison_fits(page, width, where, budget):
    """The comparison of two vector sets: its pictures side by side when both fit, stacked otherwise,
    none clipped, none over another or over the controls and lists (element geometry)."""
    from w2v_lib.explorer.controls import PLOT_MIN_PX

    with suppress(PlaywrightTimeout):
        page.wait_for_function(COMPARISON_SETTLED, polling=300, timeout=budget.ms(30))
    g = page.evaluate(READ_COMPARISON)
    at = f"the comparison in {where} at {width} px"
    left, _, right, _ = g["holder"]
    assert g["compare"][0] >= left - 1 and g["compare"][2] <= right + 1, f"{at}: {g['compare']} leaves {g['holder']}"
    (a, b), (svg_a, svg_b) = g["plots"], g["svgs"]
    for plot, svg in ((a, svg_a), (b, svg_b)):
        assert svg is not None and svg[0] >= plot[0] - 1 and svg[2] <= plot[2] + 1, f"{at}: {svg} clipped by {plot}"
        assert plot[2] <= g["compare"][2] + 1 and plot[2] - plot[0] > min(PLOT_MIN_PX, 0.9 * (right - left)) - 40, \
            f"{at}: a picture is squeezed to {plot}"
    assert not overlap(a, b), f"{at}: the pictures {a} and {b} overlap"
    side_by_side = a[1] == b[1]
    assert side_by_side == (g["compare"][2] - g["compare"][0] >= 2 * PLOT_MIN_PX + 8), f"{at}: {a} {b}"
    for one in g["controls"] + [g["lists"]]:
        assert one[2] <= g["compare"][2] + 1 and not overlap(one, a) and not overlap(one, b), f"{at}: {one}"
    assert not g["cut"], f"{at}: text cut short: {g['cut']}"


def voila_kernels(server):
    """The kernels Voila started (a kernel's own forked children carry its command line too)."""
    found = [p for p in server_descendants(server) if "ipykernel" in " ".join(p.cmdline())]
    return [p for p in found if p.ppid() not in {k.pid for k in found}]


SERVER_FILES = ["/etc/passwd", "/etc/shadow", "/proc/self/environ", "/etc/hostname", "../../etc/passwd",
                "file:///etc/passwd"]


def secrets_of_the_server():
    """Lines of the server's files and environment that must never reach the page."""
    found = []
    for path in ("/etc/passwd", "/etc/hostname"):
        with suppress(OSError):
            found += [line for line in Path(path).read_text().splitlines() if len(line) > 8]
    found += [f"{k}={v}" for k, v in os.environ.items() if len(v) > 8]
    return found


def try_server_files(page, budget, tmp_path):
    """Every way a visitor could name a server file, then the page must hold none of its lines."""
    before = page.inner_text("body", timeout=budget.ms(10))
    for box in page.locator(".w2v-explorer input[type=text]:visible").all():
        for path in SERVER_FILES[:3]:
            box.fill(path, timeout=budget.ms(10))
            box.press("Enter", timeout=budget.ms(10))
    # every text the message line takes is recorded: a later message (a redraw after the width
    # changed, say) may replace the prompt before a poll would see it
    page.evaluate("""() => {
        window.w2vMessages = [];
        const record = () => document.querySelectorAll('.w2v-message')
                                     .forEach(m => window.w2vMessages.push(m.textContent));
        new MutationObserver(record).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""")
    page.locator(".w2v-explorer select").first.select_option(label="a word2vec or projector file…",
                                                              timeout=budget.ms(10))
    try:
        page.wait_for_function("() => window.w2vMessages.some(t => t.includes('upload'))", polling=300,
                               timeout=budget.ms(120))
    except PlaywrightTimeout:
        messages = page.evaluate("() => window.w2vMessages.slice(-5)")
        pytest.fail(f"picking the file choice never asked for an upload; messages: {messages}; the menu shows "
                    f"{page.locator('.w2v-explorer select').first.input_value()!r}; widget errors: "
                    + widget_error_texts(page))
    assert not page.get_by_placeholder("run folder, word2vec .txt/.bin or vectors.tsv").count()  # no path box
    uploads = []
    for path in SERVER_FILES[:3]:  # what a visitor might upload: copies of files named like the server's
        copy = tmp_path / Path(path).name
        with suppress(OSError):
            copy.write_bytes(Path(path).read_bytes())
            uploads.append(copy)
    for copy in uploads:
        with page.expect_file_chooser(timeout=budget.ms(10)) as chooser:
            page.locator(".w2v-upload").click(timeout=budget.ms(10))
        chooser.value.set_files(str(copy), timeout=budget.ms(10))
        page.wait_for_function(f"() => document.querySelector('.w2v-message').textContent.includes('{copy.name}')",
                               polling=300, timeout=budget.ms(120))
    text = page.inner_text("body", timeout=budget.ms(10))
    leaked = [line for line in secrets_of_the_server() if line in text and line not in before]
    assert not leaked, f"the page shows server secrets: {leaked[:3]}"
    assert "Traceback" not in text and "root:x:0:0" not in text


def test_voila_app_draws_searches_and_culls_its_kernel(budget, chromium, wiki, tmp_path):
    config = json.loads((APP / "voila.json").read_text())
    assert config["MappingKernelManager"]["cull_idle_timeout"] > 0  # what `make app` runs with
    assert config["MappingKernelManager"]["cull_connected"] is False
    # the same, faster; not so fast that a kernel still starting on a busy machine is culled
    config["MappingKernelManager"].update(cull_idle_timeout=20, cull_interval=1)
    (tmp_path / "voila.json").write_text(json.dumps(config))
    port = free_port()
    log = open(tmp_path / "voila.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "voila", str(APP / "explorer.ipynb"), "--no-browser",
                               f"--port={port}", "--Voila.ip=127.0.0.1", f"--Voila.config_file_paths={tmp_path}"],
                              cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    kernels = []
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + budget.s(60)
        while True:  # the port only: a GET of the page would start a kernel of its own
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("Voila did not start:\n" + (tmp_path / "voila.log").read_text()[-3000:])
            time.sleep(0.5)
        page = chromium.new_page(viewport=SCREEN)
        errors = console_errors(page)
        page.goto(url, timeout=budget.ms(90))
        try:  # the page says what it loads at once; the plot follows when the vectors are read
            page.wait_for_function(f"() => {{ const r = ({READ_PLOT})(); return r && r.nwords === {len(wiki)}; }}",
                                   polling=500, timeout=budget.ms(180))
        except PlaywrightTimeout:
            pytest.fail("the app drew no plot; the page says: " + page.inner_text("body")[:500])
        kernels = voila_kernels(server)
        assert len(kernels) == 1, [(k.pid, k.ppid(), k.cmdline()) for k in kernels]
        kernels += [child for child in kernels[0].children(recursive=True)]
        time.sleep(1.0)  # let WebGL finish drawing
        plot = page.locator(".js-plotly-plot").first
        assert coloured_pixels(plot.screenshot(timeout=budget.ms(20))) > 5_000  # points, not empty axes
        assert not [e for e in errors if "Error setting state" in e or "gd.data" in e]
        assert "import" not in page.inner_text("body", timeout=budget.ms(10))  # the app shows no code
        expected = expected_neighbours(wiki)
        assert search_in_widget(page, budget, WORD) == expected[1:]
        # a click on the list selects that word, as a click on its point does; the box follows
        page.locator(".w2v-word:visible").nth(1).click(timeout=budget.ms(10))
        page.wait_for_function(f"() => document.querySelector('.w2v-search input').value === '{expected[2]}'",
                               polling=300, timeout=budget.ms(120))
        assert search_in_widget(page, budget, WORD) == expected[1:]
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            assert_explorer_fits(page, width, "Voila", budget)
        page.set_viewport_size(SCREEN)
        time.sleep(1.0)
        page.screenshot(path=str(shot_path(tmp_path, "voila_app.png")), timeout=budget.ms(20))
        try_server_files(page, budget, tmp_path)
        page.locator(".w2v-export").click(timeout=budget.ms(10))  # the export is a download, not a server file
        page.wait_for_selector(".w2v-download a[download]", timeout=budget.ms(60))
        assert page.get_attribute(".w2v-download a", "href").startswith("data:text/html;base64,")
        assert "/" not in page.inner_text(".w2v-message")
        page.close()
        deadline = time.monotonic() + budget.s(60)
        while any(k.is_running() for k in kernels) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not any(k.is_running() for k in kernels), "Voila kept the kernel after the tab was closed"
    finally:
        with suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            server.wait(timeout=5)
        for kernel in kernels:
            with suppress(Exception):
                kernel.kill()
        log.close()


READ_LAYOUT = """() => {
  const box = id => { const r = document.getElementById(id).getBoundingClientRect();
                      return [r.left, r.top, r.right, r.bottom]; };
  const svg = document.querySelector('#w2v-explorer-plot .main-svg').getBoundingClientRect();
  return {plot: [svg.left, svg.top, svg.right, svg.bottom], list: box('w2v-neighbours'),
          legend: box('w2v-legend'), width: document.documentElement.clientWidth,
          scroll: document.documentElement.scrollWidth};
}"""


def test_exported_page_never_overlaps_and_finds_every_word(budget, chromium, wiki, tmp_path):
    import numpy as np

    from w2v_lib.explorer import export_html
    from w2v_lib.vectors import WordVectors

    bands, names = wiki.frequency_bands()
    page_path = export_html(tmp_path / "wiki.html", wiki, title="Wikipedia-sample word vectors",
                            colours=bands, colour_names=names)
    offline = chromium.new_page(viewport=SCREEN)
    offline.set_default_timeout(budget.ms(30))
    offline.route("http*://**", lambda route: route.abort())  # prove it needs no network
    expected = expected_neighbours(wiki)
    for width in (360, 1920, 1280):  # 1,280 last: the screenshot's width
        offline.set_viewport_size({"width": width, "height": 800})
        offline.goto(page_path.as_uri(), timeout=budget.ms(30))
        offline.wait_for_function("() => document.querySelector('#w2v-explorer-plot .main-svg')",
                                  polling=200, timeout=budget.ms(30))
        offline.fill("#w2v-search", WORD)
        offline.press("#w2v-search", "Enter")
        offline.wait_for_function("() => document.querySelectorAll('#w2v-neighbours li').length > 0",
                                  polling=200, timeout=budget.ms(30))
        geometry = offline.evaluate(READ_LAYOUT)
        boxes = {name: geometry[name] for name in ("plot", "list", "legend")}
        for i, (one, a) in enumerate(boxes.items()):
            for two, b in list(boxes.items())[i + 1:]:
                assert not overlap(a, b), f"at {width} px the {one} {a} overlaps the {two} {b}"
        assert geometry["scroll"] <= geometry["width"] + 1, f"at {width} px the page scrolls sideways"
        plot_width = geometry["plot"][2] - geometry["plot"][0]
        assert geometry["plot"][2] <= geometry["width"] and plot_width > 0.6 * min(width, 900)
    rows = offline.locator("#w2v-neighbours li").all_inner_texts()
    assert [r.split()[0] for r in rows] == expected[1:]
    assert "(cosine, centred)" in offline.inner_text("#w2v-status")
    labels = offline.evaluate("() => [...document.querySelectorAll('#w2v-marks text')].map(t => t.textContent)")
    assert 1 <= len(labels) <= len(expected) and labels[0] == WORD
    time.sleep(0.5)
    offline.screenshot(path=str(shot_path(tmp_path, "exported_page.png")), timeout=budget.ms(20))

    # words that are also names of a plain JavaScript object's properties
    tricky = ["constructor", "__proto__", "hasOwnProperty", "toString", "valueOf", "Constructor"]
    rng = np.random.default_rng(0)
    words = tricky + [f"w{i}" for i in range(30)]
    toy = export_html(tmp_path / "toy.html", WordVectors(words, rng.standard_normal((len(words), 8))), k=3)
    offline.goto(toy.as_uri(), timeout=budget.ms(30))
    offline.wait_for_function("() => window.w2vSearch", polling=200, timeout=budget.ms(30))
    for word in words:
        offline.evaluate("w => window.w2vSearch(w)", word)
        status = offline.inner_text("#w2v-status")
        assert status.startswith("3 nearest words to \u201c" + word + "\u201d"), (word, status)
        assert len(offline.locator("#w2v-neighbours li").all_inner_texts()) == 3
    offline.evaluate("w => window.w2vSearch(w)", "CONSTRUCTOR")  # any case: the first word that folds to it
    assert "\u201cconstructor\u201d" in offline.inner_text("#w2v-status")
    offline.evaluate("w => window.w2vSearch(w)", "zzzqqq")
    assert "no word contains" in offline.inner_text("#w2v-status")


def test_explorer_in_jupyterlab(budget, chromium, lab, tmp_path):
    page = chromium.new_page(viewport=SCREEN)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    wait_until = open_notebook(page, lab, NOTEBOOK.name, budget, polling=500)
    page.evaluate("() => { window.jupyterapp.commands.execute('application:toggle-left-area'); }")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    # done when every code cell has a number in its prompt and the kernel is idle again
    wait_until("""() => {
        const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
        const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
        return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent))
               && status.getAttribute('data-status') === 'idle'; }""", 150)
    outputs = page.inner_text(".jp-Notebook", timeout=budget.ms(10))
    assert "Traceback" not in outputs
    from w2v_lib.vectors import load_word_vectors

    wiki = load_word_vectors(lab["root"] / "data" / "vectors" / "wiki_sample" / "vectors.tsv")  # what it showed

    explorer = page.locator(".w2v-explorer").first
    explorer.scroll_into_view_if_needed(timeout=budget.ms(20))
    wait_until(f"() => {{ const r = ({READ_PLOT})(); return r && r.nwords === {len(wiki)}; }}")
    assert page.locator(".w2v-centre input").first.is_checked(timeout=budget.ms(10))  # centring is on by default
    search = page.locator(".w2v-search input").first
    search.fill(WORD, timeout=budget.ms(10))
    assert f"nearest to '{WORD}'" not in page.inner_text(".w2v-neighbours", timeout=budget.ms(10))  # not before Enter
    search.press("Enter", timeout=budget.ms(10))
    wait_until(f"() => document.querySelector('.w2v-neighbours').textContent.includes(\"nearest to '{WORD}'\")")
    assert "cosine, centred" in page.inner_text(".w2v-neighbours", timeout=budget.ms(10))
    expected = expected_neighbours(wiki)
    assert listed_words(page) == expected[1:]
    wait_until(f"() => {{ const r = ({READ_PLOT})(); return r && r.hovertext[0] === '{WORD}'; }}")
    plot = page.evaluate(READ_PLOT)
    assert plot["hovertext"] == [html.escape(w) for w in expected] and len(plot["x"]) == len(expected)
    assert plot["selected"] is not None and len(plot["selected"]) == len(expected)

    # nothing clipped or overlapped at any width, the file browser closed, then open (JupyterLab's default)
    for browser_open in (False, True):
        if browser_open:
            page.evaluate("() => { window.jupyterapp.commands.execute('application:toggle-left-area'); }")
        # at 390 px an open file browser leaves the notebook about 25 px: JupyterLab's own layout,
        # where no output can fit (measured), so that pair is left out
        for width in WIDTHS[1:] if browser_open else WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            explorer.evaluate("e => e.scrollIntoView({block: 'start'})")
            where = f"JupyterLab, file browser {'open' if browser_open else 'closed'}"
            assert_explorer_fits(page, width, where, budget)
            assert_comparison_fits(page, width, where, budget)
    page.evaluate("() => { window.jupyterapp.commands.execute('application:toggle-left-area'); }")
    page.set_viewport_size(SCREEN)
    time.sleep(1.0)

    # the whole explorer (controls, plot and list) fits a 1,280 x 800 screen
    explorer.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(1.0)  # let WebGL finish drawing the highlighted points before the picture
    box = explorer.bounding_box()
    assert box["width"] <= SCREEN["width"] and box["height"] <= SCREEN["height"] - 60
    page.screenshot(path=str(shot_path(tmp_path, "explorer.png")), timeout=budget.ms(30))
    assert not dialogs


LIVE_WORDS = 3000  # enough for t-SNE to take a few seconds on a quiet machine, so cancel finds it running
LIVE_NOTEBOOK = f"""import numpy as np

from w2v_lib.explorer import Explorer
from w2v_lib.vectors import WordVectors

rng = np.random.default_rng(0)
centres = 3 * rng.standard_normal((8, 20))  # eight clusters: a map for t-SNE and UMAP to find
vectors = centres[rng.integers(0, 8, {LIVE_WORDS})] + rng.standard_normal(({LIVE_WORDS}, 20))  # (|Vocab|, 20)
Explorer(WordVectors([f"w{{i}}" for i in range({LIVE_WORDS})], vectors.astype(np.float32)), name="clusters")
"""
READ_WORDS = """() => {
  // the notebook in front only: JupyterLab restores notebook 08's tab (and its explorer) beside it
  const root = window.jupyterapp.shell.currentWidget ? window.jupyterapp.shell.currentWidget.node : document;
  const gd = [...root.querySelectorAll('.w2v-explorer .js-plotly-plot')].find(
      d => d.data && d.data.some(t => t.name === 'words'));
  if (!gd) return null;
  const w = gd.data.find(t => t.name === 'words');
  const title = gd.layout.xaxis && gd.layout.xaxis.title;
  const menu = [...root.querySelectorAll('.w2v-explorer select')].find(
      s => [...s.options].some(o => o.value === 't-SNE 2-D'));  // ipywidgets shows labels with no-break spaces
  const message = root.querySelector('.w2v-message');
  return {x: Array.from(w.x || []), y: Array.from(w.y || []), xtitle: title ? (title.text || title) : '',
          message: message ? message.textContent : '', menu: menu ? menu.value : null};
}"""


def test_live_tsne_cancel_and_umap_in_jupyterlab(budget, chromium, lab, tmp_path):
    """t-SNE draws while it iterates (the plot read twice, mid-run), cancel goes back to PCA with a
    message, and UMAP draws: the explorer on LIVE_WORDS clustered random words in JupyterLab."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LIVE_NOTEBOOK)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, lab["root"] / "notebooks" / "live_projections.ipynb")
    page = chromium.new_page(viewport=SCREEN)
    errors = console_errors(page)
    wait_until = open_notebook(page, lab, "live_projections.ipynb", budget, polling=100)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    wait_until(f"() => {{ const r = ({READ_WORDS})(); return r && r.x.length === {LIVE_WORDS}; }}", 120)
    pca_view = page.evaluate(READ_WORDS)
    assert pca_view["menu"] == "PCA 2-D" and pca_view["xtitle"].startswith("PC1")
    menu = page.locator(".w2v-explorer select:has(option[value='t-SNE 2-D']):visible")

    menu.select_option(value="t-SNE 2-D", timeout=budget.ms(10))
    # two pictures of the iterations, read from the plot while the message still counts them
    wait_until(f"() => {{ const r = ({READ_WORDS})(); return r && /iteration \\d+ of/.test(r.message); }}", 120)
    first = page.evaluate(READ_WORDS)
    wait_until(f"""() => {{ const r = ({READ_WORDS})();
        return r && /iteration \\d+ of/.test(r.message) && r.x[0] !== {first['x'][0]!r}; }}""", 60)
    second = page.evaluate(READ_WORDS)
    page.locator(".w2v-cancel:visible").click(timeout=budget.ms(10))
    seen = [int(v.split("iteration ")[1].split()[0]) for v in (first["message"], second["message"])]
    assert seen[0] < seen[1] and first["x"] != second["x"], (first["message"], second["message"])
    assert second["xtitle"] == "t-SNE 1" and len(second["x"]) == LIVE_WORDS
    wait_until(f"() => {{ const r = ({READ_WORDS})(); return r && r.message.includes('cancelled'); }}", 60)
    back = page.evaluate(READ_WORDS)
    assert back["menu"] == "PCA 2-D" and "back to PCA 2-D" in back["message"]
    assert back["x"] == pca_view["x"] and back["y"] == pca_view["y"]  # the previous view, as it was
    assert not page.locator(".w2v-cancel:visible").count()

    menu.select_option(value="UMAP 2-D", timeout=budget.ms(10))  # numba compiles on first use: allow time
    wait_until(f"() => {{ const r = ({READ_WORDS})(); return r && r.message.includes('computed in'); }}", 240)
    umap_view = page.evaluate(READ_WORDS)
    assert umap_view["menu"] == "UMAP 2-D" and umap_view["xtitle"] == "UMAP 1"
    assert len(umap_view["x"]) == LIVE_WORDS and umap_view["x"] != pca_view["x"]
    assert all(isinstance(v, (int, float)) for v in umap_view["x"] + umap_view["y"])  # no NaN (null) coordinates
    assert "Traceback" not in page.evaluate("() => window.jupyterapp.shell.currentWidget.node.innerText")
    assert not [e for e in errors if "Error setting state" in e]
    page.close()
