"""The explorer as a web app (app/explorer.ipynb, served by Voilà with `make app`).

The page must show something at once: `explorer_app()` returns a panel that says in words what
is happening (reading the Wikipedia-sample vectors, or training them the first time), while a
thread loads them; the explorer replaces the panel when they are ready. A failure leaves one
line saying what to do. Served means safe: no server paths from visitors (uploads and the
operator's W2V_EXPLORER_FILES instead), exports as downloads (see widget.Explorer's `serve`).

The thread only reads numbers: the explorer's widgets are made on the kernel's own event loop.
ipywidgets answers a page's request for every widget's state by iterating its live instances
without a lock, so widgets made in a thread while a freshly opened page asks for them can break
that answer, and the page then shows "javascript error" boxes instead of the controls (seen on
cold, busy CI machines). On the kernel's loop the two never interleave.
"""
from __future__ import annotations

import html
import threading

import ipywidgets as widgets

from .sources import WIKI_SAMPLE, default_sources, operator_sources
from .widget import Explorer


def explorer_app(first: str = WIKI_SAMPLE, sources=None, background: bool = True) -> widgets.VBox:
    """A panel that becomes the served explorer of `first` once its vectors are loaded."""
    sources = dict(sources if sources is not None else {**default_sources(), **operator_sources()})
    message = widgets.HTML(f"<b>Opening the word-vector explorer.</b> Loading {first}…")
    message.add_class("w2v-app-message")
    progress = widgets.FloatProgress(value=0.02, min=0, max=1, layout=widgets.Layout(width="300px",
                                                                                     max_width="100%"))
    panel = widgets.VBox([message, progress], layout=widgets.Layout(max_width="100%"))

    def report(fraction, text=""):
        progress.value = min(max(float(fraction), 0.0), 1.0)
        if text:
            message.value = f"<b>Opening the word-vector explorer.</b> {html.escape(text)}"

    def fail(err):  # the page shows one line, never a traceback
        message.value = (f'<span style="color:#b00020">{html.escape(first)} could not be loaded '
                         f"({type(err).__name__}); reload the page to try again</span>")
        progress.layout.display = "none"

    def build(model, checkpoints):
        try:
            explorer = Explorer(model, checkpoints, name=first, sources=sources, serve=True)
        except Exception as err:
            fail(err)
            return
        panel.explorer = explorer
        panel.children = (explorer.ui,)

    def load(call):
        try:
            model, checkpoints = sources[first](progress=report)
        except Exception as err:
            fail(err)
            return
        call(build, model, checkpoints)

    panel.explorer = None
    if background:
        threading.Thread(target=load, args=(on_kernel_loop(),), name="w2v-app-load", daemon=True).start()
    else:
        load(lambda fn, *args: fn(*args))
    return panel


def on_kernel_loop():
    """A function `call(fn, *args)` that runs fn(*args) on the running kernel's event loop (the
    thread that handles the page's widget messages), or at once where there is no kernel."""
    try:
        from IPython import get_ipython

        loop = getattr(getattr(get_ipython(), "kernel", None), "io_loop", None)
    except ImportError:
        loop = None
    if loop is None:
        return lambda fn, *args: fn(*args)
    return lambda fn, *args: loop.add_callback(fn, *args)  # tornado: safe to call from any thread
