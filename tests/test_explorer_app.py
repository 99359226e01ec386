"""The served app (explorer/app.py) in a real kernel: the vectors load in a thread, the widgets are
made on the kernel's event loop.

Why it matters: a page that opens while widgets are being made in another thread asks the kernel
for every widget's state, and ipywidgets iterates its live instances without a lock; CI's cold,
busy machines then showed "javascript error" boxes instead of the explorer's controls. This test
records the thread of every widget construction; made in the loading thread, it fails.
"""
import time

import pytest

jupyter_client = pytest.importorskip("jupyter_client")

SETUP = """
import threading, time
import numpy as np
import ipywidgets
from w2v_lib.explorer.app import explorer_app
from w2v_lib.vectors import WordVectors

made_in = []
ipywidgets.Widget.on_widget_constructed(lambda w: made_in.append(threading.current_thread().name))

def slow_source(progress=None):
    rng = np.random.default_rng(0)
    words = [f"word{i}" for i in range(60)]
    progress(0.5, "reading")
    time.sleep(0.5)  # the thread is still loading when this cell has returned
    return WordVectors(words, rng.standard_normal((60, 8)).astype(np.float32), np.arange(60) + 1), ()

panel = explorer_app("toy", {"toy": slow_source})
before = len(made_in)
"""
REPORT = "print(panel.explorer is not None, sorted(set(made_in[before:])), len(made_in) - before)"


def run(client, code, timeout=60):
    """Execute `code` in the kernel; returns what it printed (fails on an error)."""
    msg_id = client.execute(code)
    out = []
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            pytest.fail("the kernel raised: " + "\n".join(content["traceback"])[-2000:])
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


def test_the_app_makes_its_widgets_on_the_kernels_loop_not_in_the_loading_thread():
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        run(client, SETUP, timeout=120)
        deadline = time.monotonic() + 60
        while True:  # idle between cells: the loop is free to run the build the thread scheduled
            printed = run(client, REPORT).strip()
            if printed.startswith("True") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert printed.startswith("True"), f"the explorer never replaced the loading panel: {printed}"
        threads = printed.split(" ", 1)[1].rsplit(" ", 1)[0]
        assert threads == "['MainThread']", f"explorer widgets were made in {threads}"
        assert int(printed.rsplit(" ", 1)[1]) > 10  # the explorer's widgets, not only a message
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
