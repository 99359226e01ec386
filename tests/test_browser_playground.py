"""The playground in a real browser: JupyterLab on 127.0.0.1 runs notebook 10 in headless Chromium,
a slider is moved with the keyboard, and the page shows "training…", then a new picture.

Uses test_browser.py's time budget, watchdog, Chromium and server shutdown; skips like it
(unless W2V_REQUIRE_BROWSER=1) without chromium or the treebank. Works on a copy of the notebook.
"""
import shutil
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401
    CHROMIUM_ARGS,
    PlaywrightTimeout,
    budget,
    chromium,
    open_notebook,
    serve_jupyterlab,
)

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_playground.ipynb"

WATCH_STATUS = """() => {
  window.w2vSeen = [];
  const status = document.querySelector('.w2v-status');
  new MutationObserver(() => window.w2vSeen.push(status.textContent))
      .observe(status, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def playground_lab(tmp_path_factory, budget):  # noqa: F811
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    shutil.copy(NOTEBOOK, root / "notebooks" / NOTEBOOK.name)
    with serve_jupyterlab(root, budget) as served:
        yield served


def test_moving_a_slider_retrains_and_redraws(budget, chromium, playground_lab):  # noqa: F811
    lab = playground_lab
    page = chromium.new_page(viewport={"width": 1500, "height": 1100})
    wait_until = open_notebook(page, lab, NOTEBOOK.name, budget, polling=250)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    wait_until("""() => { const s = document.querySelector('.w2v-status');
                          return s && s.textContent.startsWith('trained: dim=10,'); }""", 120)
    assert "Traceback" not in page.inner_text(".jp-Notebook", timeout=budget.ms(10))
    before = page.get_attribute(".w2v-picture", "src", timeout=budget.ms(10))
    assert before

    page.evaluate(WATCH_STATUS)
    handle = page.locator(".w2v-slider-dim .noUi-handle")
    handle.scroll_into_view_if_needed(timeout=budget.ms(10))
    handle.focus(timeout=budget.ms(10))
    page.keyboard.press("ArrowRight")
    wait_until("""() => document.querySelector('.w2v-status').textContent.startsWith('trained: dim=11,')""", 90)
    seen = page.evaluate("() => window.w2vSeen")
    assert any(text.startswith("training") for text in seen), seen
    wait_until(f"() => document.querySelector('.w2v-picture').getAttribute('src') !== {before!r}", 20)
    assert "Traceback" not in page.inner_text(".jp-Notebook", timeout=budget.ms(10))
