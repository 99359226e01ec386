"""The playground in a real browser: JupyterLab on 127.0.0.1 runs notebook 10 in headless Chromium,
a slider is moved with the keyboard, and the page shows "training…", then a new picture.

Uses test_browser.py's time budget, watchdog, Chromium and server shutdown; skips like it
(unless W2V_REQUIRE_BROWSER=1) without chromium or the treebank. Works on a copy of the notebook.
"""
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401
    CHROMIUM_ARGS,
    PlaywrightTimeout,
    budget,
    chromium,
    free_port,
    open_notebook,
    stop_server,
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
    port, token = free_port(), os.urandom(16).hex()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces")}
    news = root / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
           "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(root / "server.log", "wb")
    server = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + budget.s(60)
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (root / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        yield {"url": url, "token": token, "root": root}
    finally:
        try:
            stop_server(server, url, token)
        finally:
            log.close()


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
