"""The playground in a real browser: JupyterLab on 127.0.0.1 runs notebook 10 in headless Chromium.

- a slider moved with the keyboard: the page shows "training…", then a new picture;
- a long run shows its progress with an estimate; the Cancel button stops it, and so does
  Kernel → Interrupt (JupyterLab's own command), each with a message, the last picture kept;
- Reset puts the starting settings back;
- layout at 390, 768, 1,280 and 1,920 px, with JupyterLab's file browser open (its default) and
  closed, by element geometry: every slider, button and the picture inside the output area,
  nothing overlapping, no label cut, nothing scrolling sideways (at 390 px with the file browser
  open JupyterLab leaves the notebook about 20 px: that case only checks that it still does).

Uses test_explorer__browser.py's time budget, watchdog, Chromium and server shutdown; skips like it
(unless W2V_REQUIRE_BROWSER=1) without chromium or the treebank. Works on a copy of the notebook.
"""
from pathlib import Path

import pytest
from support.browser import (
    lab_root,
    open_notebook,
    overlap,
    serve_jupyterlab,
)

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_playground.ipynb"
WIDTHS = (390, 768, 1280, 1920)

WATCH_STATUS = """() => {
  window.w2vSeen = [];
  const status = document.querySelector('.w2v-status');
  new MutationObserver(() => window.w2vSeen.push(status.textContent))
      .observe(status, {subtree: true, childList: true, characterData: true});
}"""

STATUS = "() => document.querySelector('.w2v-status').textContent"

READ_LAYOUT = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const root = document.querySelector('.w2v-playground');
  const area = root.closest('.jp-OutputArea-output') || root.parentElement;
  const parts = [...root.querySelectorAll('.widget-slider, .w2v-cancel, .w2v-reset, .w2v-keep, .w2v-picture')];
  return {area: box(area), root: box(root), parts: parts.map(p => [p.className.match(/w2v-[a-z-]+/)[0], box(p)]),
          readouts: [...root.querySelectorAll('.widget-readout')].map(box),
          labels: [...root.querySelectorAll('.widget-label')].map(l => [l.textContent, l.scrollWidth, l.clientWidth]),
          overflow: [area.scrollWidth, area.clientWidth]};
}"""


@pytest.fixture(scope="module")
def playground_lab(tmp_path_factory, budget):
    root = lab_root(tmp_path_factory, NOTEBOOK, "playground")
    with serve_jupyterlab(root, budget) as served:
        yield served


@pytest.fixture(scope="module")
def lab_page(budget, chromium, playground_lab):
    page = chromium.new_page(viewport={"width": 1500, "height": 1100})
    wait_until = open_notebook(page, playground_lab, NOTEBOOK.name, budget, polling=250)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    wait_until("""() => { const s = document.querySelector('.w2v-status');
                          return s && s.textContent.startsWith('trained: dim=10,'); }""", 150)
    assert "Traceback" not in page.inner_text(".jp-Notebook", timeout=budget.ms(10))
    page.wait_until = wait_until
    yield page
    page.close()


def press_on(page, budget, slider, key):
    handle = page.locator(f".w2v-slider-{slider} .noUi-handle")
    handle.scroll_into_view_if_needed(timeout=budget.ms(10))
    handle.focus(timeout=budget.ms(10))
    page.keyboard.press(key)


def test_moving_a_slider_retrains_and_redraws(budget, lab_page):
    page = lab_page
    before = page.get_attribute(".w2v-picture", "src", timeout=budget.ms(10))
    assert before
    page.evaluate(WATCH_STATUS)
    press_on(page, budget, "dim", "ArrowRight")
    page.wait_until("() => document.querySelector('.w2v-status').textContent.startsWith('trained: dim=11,')", 90)
    seen = page.evaluate("() => window.w2vSeen")
    assert any(text.startswith("training") for text in seen), seen
    page.wait_until(f"() => document.querySelector('.w2v-picture').getAttribute('src') !== {before!r}", 20)
    assert "Traceback" not in page.inner_text(".jp-Notebook", timeout=budget.ms(10))


def test_cancel_interrupt_and_reset(budget, lab_page):
    page = lab_page
    picture = page.get_attribute(".w2v-picture", "src", timeout=budget.ms(10))
    press_on(page, budget, "iterations", "End")  # 100,000 iterations: long enough to stop on the way
    page.wait_until("() => /about .* left/.test(document.querySelector('.w2v-progress').textContent)", 60)
    assert page.evaluate(STATUS).startswith("training… dim=11,")
    page.click(".w2v-cancel", timeout=budget.ms(10))
    page.wait_until("() => document.querySelector('.w2v-status').textContent.startsWith('cancelled at iteration')", 30)
    assert page.get_attribute(".w2v-picture", "src", timeout=budget.ms(10)) == picture  # the last finished run

    press_on(page, budget, "window", "ArrowLeft")  # a new run of 100,000 iterations
    page.wait_until("() => document.querySelector('.w2v-status').textContent.startsWith('training… dim=11, window=4')",
                    30)
    page.wait_until("() => /about .* left/.test(document.querySelector('.w2v-progress').textContent)", 60)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:interrupt-kernel')")  # Kernel → Interrupt
    page.wait_until("() => document.querySelector('.w2v-status').textContent.startsWith('cancelled at iteration')", 30)
    assert "window=4" in page.evaluate(STATUS)

    page.click(".w2v-reset", timeout=budget.ms(10))  # the starting settings: their run is remembered
    page.wait_until("() => document.querySelector('.w2v-status').textContent.startsWith('trained: dim=10,')", 60)
    assert "window=5" in page.evaluate(STATUS) and "40,000 iterations" in page.evaluate(STATUS)
    assert "Traceback" not in page.inner_text(".jp-Notebook", timeout=budget.ms(10))


def test_layout_at_four_widths(budget, lab_page):
    page = lab_page
    for browser_open in (True, False):
        shown = page.evaluate("() => !document.querySelector('#jp-left-stack').classList.contains('lm-mod-hidden')")
        if shown != browser_open:
            page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.locator(".w2v-playground").scroll_into_view_if_needed(timeout=budget.ms(10))
            page.wait_for_timeout(400)  # let the layout settle
            g = page.evaluate(READ_LAYOUT)
            where = f"at {width} px, file browser {'open' if browser_open else 'closed'}"
            area = g["area"]
            if width == 390 and browser_open:  # JupyterLab itself leaves the notebook a sliver of a few px here
                assert area[2] - area[0] < 100, f"{where} the output area is {area}: test this case too"
                continue
            assert g["overflow"][0] <= g["overflow"][1] + 1, f"{where} the playground scrolls sideways: {g['overflow']}"
            for name, b in g["parts"]:
                assert b[0] >= area[0] - 1 and b[2] <= area[2] + 1, f"{where} the {name} {b} leaves the output {area}"
                assert b[2] - b[0] > 40, f"{where} the {name} is squeezed: {b}"
            for i, (one, a) in enumerate(g["parts"]):
                for two, b in g["parts"][i + 1:]:
                    assert not overlap(a, b), f"{where} the {one} {a} overlaps the {two} {b}"
            for text, needed, has in g["labels"]:
                assert needed <= has + 1, f"{where} the label {text!r} is cut ({needed} > {has} px)"
