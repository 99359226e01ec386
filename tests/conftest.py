"""Shared pieces of the test suite: hypothesis settings, random word tables, stacked objectives.

Hypothesis runs derandomized by default, so the suite gives the same verdict on every machine.
`W2V_HYPOTHESIS=explore pytest tests` draws fresh, many more examples when hunting for bugs.
"""
import contextlib
import http.server
import os
import threading
import warnings

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from w2v_lib import window_batch_loss_and_gradient

matplotlib.use("Agg")  # GradcheckResult.plot in tests must not need a display

settings.register_profile("w2v", max_examples=30, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=400, deadline=None, database=None)
settings.load_profile(os.environ.get("W2V_HYPOTHESIS", "w2v"))

# Small tables keep every finite-difference check quick; a scale of 0.5 keeps u_wᵀv_c in the
# range where the third derivative (the centered difference's error term) stays small.
SCALE = 0.5
seeds = st.integers(0, 2**32 - 1)
vocab_sizes = st.integers(2, 8)
dims = st.integers(1, 6)


def random_tables(seed, n_words, dim, scale=SCALE):
    """(center_vectors, outside_vectors), each (|Vocab|, d) float64, from a seed."""
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((n_words, dim)), scale * rng.standard_normal((n_words, dim))


def stack(center_vectors, outside_vectors):
    """The training parameters (2|Vocab|, d) = [center_vectors; outside_vectors]."""
    return np.concatenate([center_vectors, outside_vectors], axis=0)


def window_objective(model, center_idx, idxs, loss_and_gradient):
    """f(params) -> (loss, grad (2|Vocab|, d)) for one window of skipgram or cbow on stacked params."""
    return lambda params: window_batch_loss_and_gradient(model, params, [(center_idx, idxs)], loss_and_gradient)


@st.composite
def windows(draw, n_words, min_size=1, max_size=5):
    """A window of word indices with a forced repeat when it has room for one."""
    idxs = draw(st.lists(st.integers(0, n_words - 1), min_size=min_size, max_size=max_size))
    if len(idxs) >= 2:
        idxs[-1] = idxs[0]  # the same word twice: its terms must add up
    return np.array(idxs, dtype=np.int64)


@contextlib.contextmanager
def strict():
    """Any floating-point event (overflow, underflow, invalid, divide) or warning becomes an error."""
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


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
