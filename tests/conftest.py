"""The suite's shared fixtures and settings: hypothesis profiles, the offline guard, local servers,
a tiny treebank on disk, and the browser tests' Chromium and time budget. Plain helpers (no
fixtures) live in tests/support/, one job per module; no test module imports another.

Hypothesis runs derandomized by default, so the suite gives the same verdict on every machine.
`W2V_HYPOTHESIS=explore pytest tests` draws fresh, many more examples when hunting for bugs.
"""
import http.server
import os
import shutil
import signal
import threading

import matplotlib
import pytest
from hypothesis import HealthCheck, settings
from support.browser import BUDGET_S, CHROMIUM_ARGS, Budget, WatchdogExpired, skip_or_fail
from support.training import synthetic_sentences

from w2v_lib.corpora.sst import SENTENCES_FILE

matplotlib.use("Agg")  # GradcheckResult.plot in tests must not need a display

settings.register_profile("w2v", max_examples=30, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=400, deadline=None, database=None)
settings.load_profile(os.environ.get("W2V_HYPOTHESIS", "w2v"))


@pytest.fixture
def truncating_server():
    """The base URL of a server on 127.0.0.1 that answers one GET with a zip's first 102 bytes of
    a promised 100,000, then hangs up (a download cut short)."""

    class Truncating(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"PK" + b"\0" * 100)  # then hang up early

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Truncating)
    thread = threading.Thread(target=httpd.handle_request, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    thread.join(5)
    httpd.server_close()


LOOPBACK = ("127.", "::1", "localhost")


@pytest.fixture(autouse=True)
def offline(request, monkeypatch):
    """Tests never reach the internet: downloads are tested against servers on 127.0.0.1, so the
    suite gives the same verdict with no network. A connection from this process to any other
    address fails the test at once, unless the test is marked `network`."""
    if request.node.get_closest_marker("network"):
        return
    import socket

    def guarded(real):
        def connect(sock, address):
            host = str(address[0]) if isinstance(address, tuple) else ""
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not host.startswith(LOOPBACK):
                raise AssertionError(f"a test tried to reach {address}; tests stay offline (serve the file on "
                                     "127.0.0.1, or mark the test @pytest.mark.network)")
            return real(sock, address)
        return connect

    monkeypatch.setattr(socket.socket, "connect", guarded(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(socket.socket.connect_ex))


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
    """Debian's headless Chromium through Playwright; skips (or fails under W2V_REQUIRE_BROWSER=1) without it."""
    path = shutil.which("chromium")
    if path is None:
        skip_or_fail("chromium is not installed: `apt-get install chromium` (Debian) to run the browser test")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is missing: pip install -e '.[test]'")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True,
                                     timeout=budget.ms(60))
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def tiny_sst(tmp_path):
    """A folder holding a treebank sentences file of synthetic_sentences(), for the command line."""
    folder = tmp_path / "sst"
    folder.mkdir()
    lines = [f"{i}\t{' '.join(s)}" for i, s in enumerate(synthetic_sentences(), start=1)]
    (folder / SENTENCES_FILE).write_text("sentence_index\tsentence\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return folder
