"""The exported offline page in headless Chromium, opened from file:// with the network cut:

- layout at 390, 768, 1,280 and 1,920 px, by element geometry: nothing overlaps, nothing wider than
  the screen, side by side from 900 px and stacked below, the legend where it was whatever the list holds;
- labels: never over a highlighted marker, over each other or outside the plot;
- a click on a point and a click on a list entry make the same selection as Enter on that word;
- the page's expression grammar agrees with w2v_lib.vectors.expressions on a list of expressions
  (readings, sign notes, error messages) and its neighbours with WordVectors on its own vectors;
- words that begin with U+2028/U+2029 are found, a 1 MB word does not hold up a search, and a
  hostile word shows as text.

Uses test_explorer__browser.py's Chromium, time budget and skip rules.
"""
import base64
import json
import re

import numpy as np
import pytest
from support.browser import console_errors, overlap

from w2v_lib.explorer import export_html
from w2v_lib.vectors import WordVectors
from w2v_lib.vectors.expressions import ExpressionError, parse, sign_notes, to_text, words_in

pytestmark = pytest.mark.browser

WIDTHS = (390, 768, 1280, 1920)
SPECIAL = ["king", "queen", "man", "woman", "good", "great", "bad", "-lrb-", 'a"b', "3rd", "'s", "n't", "<script>",
           "<img src=x onerror=alert(1)>", "\u2028line", "\u2029para", "caf\u00e9"]
OBJECT_NAMES = ["constructor", "__proto__", "hasOwnProperty", "toString", "valueOf", "Constructor"]


def toy_model(n=3000, dim=24, long_word=False):
    rng = np.random.default_rng(7)
    words = SPECIAL + OBJECT_NAMES + [f"w{i}" for i in range(n - len(SPECIAL) - len(OBJECT_NAMES))]
    if long_word:
        words.append("a" * 1_000_000)
    spectrum = 1.0 / np.sqrt(np.arange(1, dim + 1))
    vectors = (rng.standard_normal((len(words), dim)) * spectrum).astype(np.float32)  # (|Vocab|, D)
    return WordVectors(words, vectors, rng.integers(1, 10_000, len(words)))


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    model = toy_model()
    bands = np.arange(len(model)) % 3
    path = export_html(tmp_path_factory.mktemp("page") / "toy.html", model, title="Toy vectors", colours=bands,
                       colour_names=["often", "sometimes", "rarely"], k=8)
    return model, path


@pytest.fixture(scope="module")
def page(chromium, budget, page_file):
    tab = chromium.new_page(viewport={"width": 1280, "height": 800})
    tab.set_default_timeout(budget.ms(60))
    tab.route("http*://**", lambda route: route.abort())  # prove it needs no network
    tab.errors = console_errors(tab)
    yield tab
    tab.close()


def open_page(tab, path, budget, width=1280):
    tab.set_viewport_size({"width": width, "height": 800})
    tab.goto(path.as_uri(), timeout=budget.ms(60))
    tab.wait_for_function("() => document.body.dataset.ready === '1'", polling=100, timeout=budget.ms(60))


READ_LAYOUT = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const q = s => document.querySelector(s);
  return {plot: box(q('#w2v-explorer-plot .main-svg')), side: box(q('#w2v-side')), legend: box(q('#w2v-legend')),
          list: box(q('#w2v-list-box')), controls: box(q('#w2v-controls')), subtitle: box(q('#w2v-subtitle')),
          search: box(q('#w2v-search')), width: document.documentElement.clientWidth,
          scroll: document.documentElement.scrollWidth};
}"""

READ_LABELS = """() => {
  const box = el => { const b = el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const gd = document.getElementById('w2v-explorer-plot'), L = gd._fullLayout, r = gd.getBoundingClientRect();
  const left = r.left + L.xaxis._offset, top = r.top + L.yaxis._offset;
  return {markers: w2vMarks(),
          labels: [...document.querySelectorAll('#w2v-marks text')].map(box),
          texts: [...document.querySelectorAll('#w2v-marks text')].map(t => t.textContent),
          area: [left, top, left + L.xaxis._length, top + L.yaxis._length]};
}"""


def circle_hits_box(centre, radius, b) -> bool:
    nearest_x = min(max(centre[0], b[0]), b[2])
    nearest_y = min(max(centre[1], b[1]), b[3])
    return (nearest_x - centre[0]) ** 2 + (nearest_y - centre[1]) ** 2 < radius ** 2


def check_labels(tab, where):
    got = tab.evaluate(READ_LABELS)
    assert got["labels"] and len(got["labels"]) == len(got["texts"]), where
    for label, text in zip(got["labels"], got["texts"]):
        for centre in got["markers"]:
            assert not circle_hits_box(centre, 6, label), f"{where}: label {text!r} {label} over a marker {centre}"
        a = got["area"]
        assert a[0] - 1 <= label[0] and label[2] <= a[2] + 1 and a[1] - 1 <= label[1] and label[3] <= a[3] + 1, \
            f"{where}: label {text!r} {label} outside the plot {a}"
    for i, one in enumerate(got["labels"]):
        for two in got["labels"][i + 1:]:
            assert not overlap(one, two), f"{where}: labels {one} and {two} overlap"
    return got


def test_layout_and_labels_at_four_widths(page, page_file, budget):
    model, path = page_file
    for width in WIDTHS:
        open_page(page, path, budget, width)
        page.fill("#w2v-search", "king")
        page.press("#w2v-search", "Enter")
        assert page.inner_text("#w2v-status").startswith("8 nearest words to \u201cking\u201d (cosine, centred)")
        g = page.evaluate(READ_LAYOUT)
        assert g["scroll"] <= g["width"] + 1, f"at {width} px the page scrolls sideways"
        for name in ("plot", "side", "controls", "subtitle", "search"):
            assert g[name][0] >= -0.5 and g[name][2] <= g["width"] + 0.5, f"at {width} px the {name} is cut: {g[name]}"
        for one, two in (("plot", "side"), ("plot", "controls"), ("side", "controls"), ("legend", "list")):
            assert not overlap(g[one], g[two]), f"at {width} px the {one} {g[one]} overlaps the {two} {g[two]}"
        plot_width = g["plot"][2] - g["plot"][0]
        if width >= 900:  # side by side, the plot taking the room left
            assert g["side"][0] >= g["plot"][2] - 0.5 and abs(g["side"][1] - g["plot"][1]) < 40
            assert plot_width > width - 420
        else:  # stacked: the list below the plot, both as wide as the page
            assert g["side"][1] >= g["plot"][3] - 0.5 and plot_width > 0.85 * (width - 40)
        assert g["plot"][3] - g["plot"][1] >= 300
        check_labels(page, f"{width} px, king")
        legend_before = g["legend"]
        page.fill("#w2v-search", "w")  # thousands of matches, typed: no Enter needed
        matches = sum("w" in word.lower() for word in model.words)
        assert page.inner_text("#w2v-status") == (f"{matches:,} words contain \u201cw\u201d; the 1,000 shortest "
                                                  "marked, 50 listed")
        after = page.evaluate(READ_LAYOUT)
        assert after["legend"] == legend_before, f"at {width} px the matches moved the legend"
        assert page.locator("#w2v-neighbours li").count() == 50
        assert after["list"][3] - after["list"][1] <= 480  # the list scrolls inside its box
        check_labels(page, f"{width} px, w")
    assert not page.errors, page.errors


def test_clicks_on_points_and_list_entries_select_alike(page, page_file, budget):
    model, path = page_file
    open_page(page, path, budget, 1280)
    page.fill("#w2v-search", "queen")
    page.press("#w2v-search", "Enter")
    listed = page.evaluate("() => w2vState().list")
    assert [model.words[i] for i in listed] == [w for w, _ in model.neighbours("queen", k=8)]
    third = listed[2]
    page.locator("#w2v-neighbours li button").nth(2).click()
    by_list = page.evaluate("() => w2vState()")
    assert by_list["kind"] == "word" and by_list["selected"] == third and by_list["box"] == model.words[third]
    page.fill("#w2v-search", model.words[third])
    page.press("#w2v-search", "Enter")
    by_enter = page.evaluate("() => w2vState()")
    # now click the marker of a neighbour on the plot: the same as a click on its list entry
    target = by_enter["rows"][1]
    j = by_enter["rows"].index(target)
    spot = page.evaluate("() => w2vMarks()")[len(by_enter["rows"]) - 1 - j]  # drawn last to first
    page.mouse.move(spot[0], spot[1])
    page.mouse.click(spot[0], spot[1])
    page.wait_for_function(f"() => w2vState().selected === {target}", polling=100, timeout=budget.ms(20))
    by_point = page.evaluate("() => w2vState()")
    page.evaluate(f"() => w2vSearch({json.dumps(model.words[target])})")
    assert page.evaluate("() => w2vState()") == by_point  # the click did what Enter on the word does
    assert by_point["box"] == model.words[target]  # and the search box says which word it is
    page.fill("#w2v-search", model.words[target])
    page.press("#w2v-search", "Enter")
    page.evaluate("() => w2vSearch('queen')")
    page.locator("#w2v-neighbours li button").nth(2).click()
    by_list_click = page.evaluate("() => w2vState()")
    assert by_list_click == by_list


EXPRESSIONS = [
    "king - man + woman", "king - - man", "king + - man", "2*good - bad", "(good + great)/2", "-king", "+king",
    "king \u2212man", '"-lrb-" + good', '"a\\"b" - good', "1e-3*king", "1.e2*king", ".5*king", "3rd + king",
    "'s - n't", "king +", "(king", "king)", "", "   ", "king queen", '"unclosed', '""', "king * * man",
    "1e999 * king", "king\u2028- man", "\u2028king", "-" * 45 + "king", " + ".join(["a"] * 201),
    "\u0663 * king", "\U0001d7d0*king", "\U0001f600 + king queen", "x" * 70 + " + (king" + " " * 30 + "queen",
    "king\t+\nqueen", "king / 0", "2 + 3", "king * queen", "king / queen", "2 - king", "nosuchword + king",
    "king - king", "caf\u00e9 * 2", "w1 w2 \u00a0 )", "king\u00a0-\u3000man", "((king)) * (2 / 4)",
    "1e5*king", "1e-7*king", "123456789*king",
]


def python_reading(text):
    try:
        tree = parse(text)
    except ExpressionError as err:
        return {"error": str(err)}
    return {"text": to_text(tree), "notes": sign_notes(text), "words": words_in(tree)}


def page_vectors_model(path, model):
    """The vectors the page itself carries, as a WordVectors (no centring: they are the questions' vectors)."""
    blob = re.search(r'<script id="w2v-data" type="application/json">(.*?)</script>',
                     path.read_text(encoding="utf-8"), re.S).group(1)
    data = json.loads(blob)
    carried = np.frombuffer(base64.b64decode(data["vectors"]), dtype="<f2").reshape(len(model), data["dim"])
    return WordVectors(model.words, carried.astype(np.float32) * data["scale"], centred=False)


def test_expressions_agree_with_the_widgets_grammar(page, page_file, budget):
    model, path = page_file
    open_page(page, path, budget, 1280)
    for text in EXPRESSIONS:
        assert page.evaluate("t => w2vExpression(t)", text) == python_reading(text), repr(text)
    carried = page_vectors_model(path, model)
    for text in EXPRESSIONS:
        if "error" in python_reading(text):
            continue
        try:
            expected = [[w, s] for w, s in carried.neighbours(text, k=8)]
        except ValueError as err:
            expected = {"error": str(err)}
        got = page.evaluate("t => w2vNeighbours(t)", text)
        if isinstance(expected, dict):
            message = expected["error"]
            if "is not in the vocabulary" in message:  # the spelling hints differ (difflib vs part of the word)
                assert got["error"].startswith(message.split(" words)")[0]), (text, got)
            else:
                assert got == expected, text
            continue
        assert [w for w, _ in got] == [w for w, _ in expected], text
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-5, err_msg=text)
    # through the search box: the status names the expression, the list its neighbours
    page.fill("#w2v-search", "king - - man")
    assert page.inner_text("#w2v-status") == "press Enter to evaluate the expression"
    page.press("#w2v-search", "Enter")
    status = page.inner_text("#w2v-status")
    assert status.startswith("8 nearest words to king - - man (cosine, centred); '- -' at position 6 reads as '+'")
    assert page.evaluate("() => w2vState().list") == [carried.index[w] for w, _ in carried.neighbours("king + man", 8)]
    page.fill("#w2v-search", "king queen +")
    page.press("#w2v-search", "Enter")
    assert page.inner_text("#w2v-status") == python_reading("king queen +")["error"]
    assert not page.errors, page.errors


def test_odd_words_are_found_and_shown_as_text(chromium, budget, tmp_path):
    model = toy_model(n=400, long_word=True)
    path = export_html(tmp_path / "odd.html", model, k=5)
    tab = chromium.new_page(viewport={"width": 1280, "height": 800})
    tab.route("http*://**", lambda route: route.abort())
    errors = console_errors(tab)
    try:
        open_page(tab, path, budget)
        for word in ["\u2028line", "\u2029para"] + OBJECT_NAMES:  # OBJECT_NAMES: a plain object's own keys
            tab.evaluate("w => w2vSearch(w)", word)
            state = tab.evaluate("() => w2vState()")
            assert state["kind"] == "word" and model.words[state["selected"]] == word, (word, state["status"])
            tab.evaluate("w => w2vType(w)", word[:3])  # typed: the matches list it
            assert model.index[word] in tab.evaluate("() => w2vState().rows")
        took = tab.evaluate("""() => { const t0 = performance.now(); w2vType('a'); w2vType('aa');
                                       return performance.now() - t0; }""")
        rows = tab.evaluate("() => w2vState().rows")
        assert len(model) - 1 in rows  # the 1 MB word matched, listed cut short
        assert took < 1000, f"two searches matching a 1 MB word took {took:.0f} ms"
        assert all(len(t) <= 200 for t in tab.locator("#w2v-neighbours li").all_inner_texts())
        tab.evaluate("w => w2vSearch(w)", "<img")
        assert tab.locator("img").count() == 0
        assert "<img src=x onerror=alert(1)>" in tab.inner_text("#w2v-neighbours")
        tab.evaluate("w => w2vSearch(w)", "zzzqqq")
        assert tab.inner_text("#w2v-status") == "no word contains \u201czzzqqq\u201d"
        tab.evaluate("w => w2vSearch(w)", "CAF\u00c9")  # any case
        assert tab.evaluate("() => w2vState().selected") == model.index["caf\u00e9"]
        assert not errors, errors
    finally:
        tab.close()
