"""Headless Chromium for the browser tests: time budgets, local Jupyter servers, page geometry.

Nothing can hang: every wait takes the smaller of its own limit and what is left of a module's
budget of BUDGET_S seconds (the `budget` fixture in conftest.py, backed by a SIGALRM watchdog), and
each server's process group (and its kernels, by pid) is killed in a `finally`.
"""
import contextlib
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
except ImportError:  # the chromium fixture skips (or fails) with a message
    PlaywrightTimeout = TimeoutError


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


BUDGET_S = 900  # the three tests on a busy or cold machine; each server's shutdown adds at most ~25 s


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


def wait_for_http(url, server, log_path, budget, what):
    deadline = time.monotonic() + budget.s(60)
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what} did not start:\n" + Path(log_path).read_text()[-3000:])
            time.sleep(0.5)


def lab_root(tmp_path_factory, notebook, what):
    """A fresh folder holding notebooks/<notebook> for a JupyterLab server; skips (or fails, in CI)
    when the treebank the notebook reads is not found."""
    from w2v_lib.corpora import find_sst

    try:
        find_sst()
    except FileNotFoundError as err:
        skip_or_fail(f"the {what} notebook needs the treebank: {err}")
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    shutil.copy(notebook, root / "notebooks" / notebook.name)
    return root


@contextlib.contextmanager
def serve_jupyterlab(root, budget, extra_env=None):
    """JupyterLab on 127.0.0.1 serving `root`, with its own settings (no news, every cell rendered)."""
    port, token = free_port(), os.urandom(16).hex()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           **(extra_env or {})}
    news = root / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    tracker = root / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)  # render every cell, not only those in view, so the widgets' outputs exist
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
           "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        cmd.append("--allow-root")
    log = open(root / "server.log", "wb")
    server = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/api/status?token={token}", server, root / "server.log", budget, "JupyterLab")
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


def accept_kernel_dialog(page, budget):
    """JupyterLab may ask which kernel to start; take the proposed one (the notebook's python3)."""
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        dialog.wait_for(state="visible", timeout=budget.ms(10))
    except PlaywrightTimeout:
        return
    dialog.click(timeout=budget.ms(10))


def console_errors(page):
    """Collect the page's console errors (and uncaught exceptions) into a list."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def overlap(a, b) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def open_notebook(page, lab, name, budget, polling=500):
    """Open notebooks/<name> in JupyterLab and wait until its kernel is idle; returns wait_until(js, limit_s)."""
    page.set_default_timeout(budget.ms(60))  # a cap for calls below that take no timeout of their own
    page.set_default_navigation_timeout(budget.ms(60))

    def wait_until(expression, limit_s=60):
        page.wait_for_function(expression, polling=polling, timeout=budget.ms(limit_s))

    page.goto(f"{lab['url']}/lab/tree/notebooks/{name}?token={lab['token']}", timeout=budget.ms(60))
    wait_until("() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')")
    wait_until("""() => { const s = document.querySelector('.jp-Notebook-ExecutionIndicator');
                          return s && s.getAttribute('data-status') === 'idle'; }""", 90)
    accept_kernel_dialog(page, budget)
    return wait_until
