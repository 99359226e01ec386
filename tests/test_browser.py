"""End to end in a real browser: JupyterLab on 127.0.0.1, notebook 08 run in headless Chromium,
a word typed into the explorer's search box, the neighbour list and the highlighted points read
back from the page; then the exported offline HTML page and its search box.

Needs Debian's chromium (`apt-get install chromium`) and the treebank (W2V_SST_DIR). Without
them the test skips, unless W2V_REQUIRE_BROWSER=1 (CI), where a skip would hide a failure.
It works on a copy of the notebook in a temporary folder, so the committed file is untouched,
and takes a screenshot of the explorer: into the test's temporary folder, or over the README's
docs/explorer.png when W2V_UPDATE_SCREENSHOT=1 (so a plain test run leaves the repository clean).

It cannot hang: every wait takes the smaller of its own limit and what is left of a budget of
BUDGET_S seconds for the whole module, a SIGALRM watchdog fails the test a little after that,
and the JupyterLab server's process group (and its kernels, by pid) is killed in a `finally`.
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
import urllib.request
from contextlib import suppress
from pathlib import Path

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the fixture below skips (or fails) with a message
    PlaywrightTimeout = TimeoutError

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "08_explorer.ipynb"
DOCS_SCREENSHOT = REPO / "docs" / "explorer.png"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WORD = "boring"  # mid-frequency: its centred neighbours (interesting, strong, charming, …) make a telling picture
BUDGET_S = 200  # setup and test; the server's shutdown adds at most ~25 s


def skip_or_fail(reason):
    if os.environ.get("W2V_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (W2V_REQUIRE_BROWSER=1 forbids skipping)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Budget:
    """What is left of BUDGET_S: `ms(limit)` is a Playwright timeout, `s(limit)` one in seconds."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def s(self, limit: float) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            pytest.fail(f"the browser test ran out of its {BUDGET_S} s budget")
        return min(limit, left)

    def ms(self, limit: float) -> float:
        return 1000 * self.s(limit)


class WatchdogExpired(Exception):
    pass


@pytest.fixture(scope="module")
def budget():
    """The module's time budget, backed by SIGALRM in case a call ignores its timeout."""
    def expire(signum, frame):
        raise WatchdogExpired(f"the browser test exceeded {BUDGET_S + 20} s; stopping it")

    watchdog = hasattr(signal, "SIGALRM")
    if watchdog:
        previous = signal.signal(signal.SIGALRM, expire)
        signal.alarm(BUDGET_S + 20)
    try:
        yield Budget(BUDGET_S)
    finally:
        if watchdog:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def chromium(budget):
    path = shutil.which("chromium")
    if path is None:
        skip_or_fail("chromium is not installed: `apt-get install chromium` (Debian) to run the browser test")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is missing: pip install -e '.[test]'")
    try:
        from w2v_lib.corpora import find_sst

        find_sst()
    except FileNotFoundError as err:
        skip_or_fail(f"the explorer notebook needs the treebank: {err}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True,
                                     timeout=budget.ms(60))
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, budget):
    """A JupyterLab server on a random port, serving a temporary copy of the notebook."""
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    shutil.copy(NOTEBOOK, root / "notebooks" / NOTEBOOK.name)  # its ../data/ exports land in root/data
    port, token = free_port(), os.urandom(16).hex()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces")}
    news = root / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
           "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
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


def server_descendants(server):
    """The server's child processes (the kernels run in sessions of their own), via psutil."""
    try:
        import psutil

        return psutil.Process(server.pid).children(recursive=True)
    except Exception:  # no psutil, or the server is already gone: the REST shutdown has to do
        return []


def stop_server(server, url, token):
    """Stop the kernels and the server through the REST API, then kill whatever is left.

    Jupyter Server 2.21 can hang at exit waiting for an idle worker thread, and the kernels run
    in their own sessions, so the server's process group is killed by pid and the kernels (found
    as its children beforehand) by theirs, in a `finally`, whatever the REST calls did.
    """
    children = server_descendants(server) if server.poll() is None else []
    headers = {"Authorization": f"token {token}"}
    try:
        if server.poll() is None:
            with urllib.request.urlopen(urllib.request.Request(f"{url}/api/kernels", headers=headers), timeout=5) as r:
                kernels = json.load(r)
            for kernel in kernels:
                urllib.request.urlopen(urllib.request.Request(f"{url}/api/kernels/{kernel['id']}", method="DELETE",
                                                              headers=headers), timeout=5)
            urllib.request.urlopen(urllib.request.Request(f"{url}/api/shutdown", method="POST", headers=headers),
                                   timeout=5)
            server.wait(timeout=10)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        pass
    finally:
        if server.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)  # the server's own process group only
        with suppress(subprocess.TimeoutExpired):
            server.wait(timeout=5)
        for child in children:  # psutil refuses to signal a pid that was reused meanwhile
            with suppress(Exception):
                child.kill()


def expected_neighbours(k):
    from w2v_lib.assignment import ensure_sst_run
    from w2v_lib.explorer import load_embeddings

    model = load_embeddings(ensure_sst_run(), centred=True)  # as the explorer shows them by default
    return [WORD] + [w for w, _ in model.neighbours(WORD, k=k)]


def accept_kernel_dialog(page, budget):
    """JupyterLab may ask which kernel to start; take the proposed one (the notebook's python3)."""
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        dialog.wait_for(state="visible", timeout=budget.ms(10))
    except PlaywrightTimeout:
        return
    dialog.click(timeout=budget.ms(10))


READ_PLOT = """() => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
      d => d.data && d.data.some(t => t.name === 'matches'));
  if (!gd) return null;
  const byName = Object.fromEntries(gd.data.map(t => [t.name, t]));
  const m = byName.matches, w = byName.words;
  return {hovertext: Array.from(m.hovertext || []), x: Array.from(m.x || []),
          selected: w.selectedpoints ? Array.from(w.selectedpoints) : null, nwords: (w.x || []).length};
}"""


def test_explorer_in_jupyterlab_then_exported_page(budget, chromium, lab):
    page = chromium.new_page(viewport={"width": 1500, "height": 1000})
    page.set_default_timeout(budget.ms(60))  # a cap for calls below that take no timeout of their own
    page.set_default_navigation_timeout(budget.ms(60))
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def wait_until(expression, limit_s=60):
        page.wait_for_function(expression, polling=500, timeout=budget.ms(limit_s))

    page.goto(f"{lab['url']}/lab/tree/notebooks/{NOTEBOOK.name}?token={lab['token']}", timeout=budget.ms(60))
    wait_until("() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')")
    wait_until("""() => { const s = document.querySelector('.jp-Notebook-ExecutionIndicator');
                          return s && s.getAttribute('data-status') === 'idle'; }""", 90)
    accept_kernel_dialog(page, budget)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    # done when every code cell has a number in its prompt and the kernel is idle again
    wait_until("""() => {
        const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
        const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
        return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent))
               && status.getAttribute('data-status') === 'idle'; }""", 120)
    outputs = page.inner_text(".jp-Notebook", timeout=budget.ms(10))
    assert "Traceback" not in outputs

    search = page.locator(".w2v-search input")
    search.scroll_into_view_if_needed(timeout=budget.ms(20))
    wait_until(f"() => {{ const r = ({READ_PLOT})(); return r && r.nwords > 10000; }}")
    assert page.locator(".w2v-centre input").is_checked(timeout=budget.ms(10))  # centring is on by default
    search.fill(WORD, timeout=budget.ms(10))
    assert f"nearest to '{WORD}'" not in page.inner_text(".w2v-neighbours", timeout=budget.ms(10))  # not before Enter
    search.press("Enter", timeout=budget.ms(10))
    wait_until(f"() => document.querySelector('.w2v-neighbours').textContent.includes(\"nearest to '{WORD}'\")")
    listed = page.locator(".w2v-neighbours li").all_inner_texts()
    assert "cosine, centred" in page.inner_text(".w2v-neighbours", timeout=budget.ms(10))
    expected = expected_neighbours(k=10)
    assert [item.split()[0] for item in listed] == expected[1:]
    wait_until(f"() => {{ const r = ({READ_PLOT})(); return r && r.hovertext[0] === '{WORD}'; }}")
    plot = page.evaluate(READ_PLOT)
    assert plot["hovertext"] == [html.escape(w) for w in expected] and len(plot["x"]) == len(expected)
    assert plot["selected"] is not None and len(plot["selected"]) == len(expected)

    widget = page.locator(".jp-OutputArea-output", has=page.locator(".w2v-search"))
    time.sleep(1.0)  # let WebGL finish drawing the highlighted points before the picture
    shot = DOCS_SCREENSHOT if os.environ.get("W2V_UPDATE_SCREENSHOT") == "1" else lab["root"] / "explorer.png"
    shot.parent.mkdir(exist_ok=True)
    widget.screenshot(path=str(shot), timeout=budget.ms(30))
    assert shot.stat().st_size > 20_000

    exported = lab["root"] / "data" / "explorer" / "sst_explorer.html"
    assert exported.is_file(), "the notebook did not write its HTML export"
    offline = chromium.new_page()
    offline.set_default_timeout(budget.ms(30))
    offline.route("http*://**", lambda route: route.abort())  # prove it needs no network
    offline.goto(exported.as_uri(), timeout=budget.ms(30))

    def wait_offline(expression):
        offline.wait_for_function(expression, polling=500, timeout=budget.ms(30))

    wait_offline("() => document.getElementById('w2v-explorer-plot').data")
    offline.fill("#w2v-search", WORD, timeout=budget.ms(10))
    offline.press("#w2v-search", "Enter", timeout=budget.ms(10))
    wait_offline("() => document.querySelectorAll('#w2v-neighbours li').length > 0")
    rows = offline.locator("#w2v-neighbours li").all_inner_texts()
    assert [r.split()[0] for r in rows] == expected[1:]
    assert "(cosine, centred)" in offline.inner_text("#w2v-status", timeout=budget.ms(10))
    hover = offline.evaluate("() => document.getElementById('w2v-explorer-plot').data[1].hovertext")
    assert list(hover) == [html.escape(w) for w in expected]
    offline.fill("#w2v-search", "zzzqqq", timeout=budget.ms(10))
    offline.press("#w2v-search", "Enter", timeout=budget.ms(10))
    wait_offline("() => document.getElementById('w2v-status').textContent.includes('no word contains')")
    assert not dialogs
