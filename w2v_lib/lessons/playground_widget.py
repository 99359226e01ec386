"""The playground's widget: sliders that retrain on release, without ever freezing the notebook.

A run trains in a thread of its own, in chunks of playground.CHUNK iterations; between two chunks
it reports its progress (a bar, the iteration, the time spent and an estimate of the time left)
and looks at its cancel flag. The flag is set by the Cancel button, by a new setting (the old
run stops, the new one starts), and by Kernel → Interrupt: ipykernel ignores SIGINT while it
waits for messages, so `route_interrupts` puts a handler in place that cancels the runs going
on (and does what was done before when none is). Reset puts the starting settings back; "keep
for comparison" holds the run shown, and every later run is drawn above it on the same scales.
The controls wrap on narrow screens and the picture scales to the width it gets.
"""
from __future__ import annotations

import html
import signal
import threading
import time
from dataclasses import asdict

import ipywidgets as widgets
import numpy as np

from .playground import RANGES, Playground, RunCancelled, Settings, check, draw, png, settings_text

_running = set()  # the cancel flags (threading.Event) of the runs going on
_before = {"handler": signal.SIG_IGN}  # what SIGINT did before route_interrupts


def _on_interrupt(signum, frame):
    """SIGINT: cancel the runs going on; with none, do what was done before."""
    if _running:
        for flag in list(_running):
            flag.set()
        return
    previous = _before["handler"]
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_DFL:
        raise KeyboardInterrupt


def route_interrupts() -> bool:
    """Let SIGINT (Kernel → Interrupt) cancel the runs going on. Call from the main thread; returns
    whether the handler is in place (after a widget callback, in a kernel)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    kernel = None
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
    except ImportError:
        pass
    if kernel is not None and hasattr(kernel, "saved_sigint_handler"):
        # inside a message handler ipykernel holds its own handler and puts this one back after it
        if kernel.saved_sigint_handler is not _on_interrupt:
            _before["handler"] = kernel.saved_sigint_handler
            kernel.saved_sigint_handler = _on_interrupt
        return True
    current = signal.getsignal(signal.SIGINT)
    if current is not _on_interrupt:
        _before["handler"] = current
        signal.signal(signal.SIGINT, _on_interrupt)
    return True


def duration(seconds: float) -> str:
    """'0.4 s', '12 s', '2 min 5 s'."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


class PlaygroundWidget(widgets.VBox):
    """Sliders for every setting, Cancel, Reset, Keep for comparison, a progress bar, a status line
    and the picture of the last run (with the kept one, if any)."""

    def __init__(self, playground: Playground, settings: Settings | None = None):
        self.playground = playground
        self.start_settings = Settings() if settings is None else settings
        self.sliders = {name: self._slider(name, value) for name, value in asdict(self.start_settings).items()}
        for name, slider in self.sliders.items():
            slider.add_class(f"w2v-slider-{name}")
            slider.observe(self._changed, names="value")
        self.cancel_button = self._button("Cancel", "stop the training going on", "w2v-cancel", self.cancel)
        self.reset_button = self._button("Reset", "the starting settings, no kept run", "w2v-reset", self.reset)
        self.keep_button = self._button("Keep for comparison", "draw later runs above this one", "w2v-keep", self.keep)
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, layout=widgets.Layout(width="auto", flex="1 1 160px"))
        self.progress_text = widgets.HTML(layout=widgets.Layout(flex="10 1 220px"))
        self.progress_text.add_class("w2v-progress")
        self.status = widgets.HTML()
        self.status.add_class("w2v-status")
        self.picture = widgets.Image(format="png", layout=widgets.Layout(  # widgets have a 2 px margin
            width="calc(100% - 4px)", height="auto", max_width="1040px"))
        self.picture.add_class("w2v-picture")
        self.shown = None  # the PlaygroundRun drawn
        self.kept = None  # the PlaygroundRun kept for comparison
        self.last_error = None
        self._thread, self._flag, self._lock = None, None, threading.Lock()
        wrap = widgets.Layout(display="flex", flex_flow="row wrap", align_items="center")
        controls = widgets.GridBox(list(self.sliders.values()), layout=widgets.Layout(
            grid_template_columns="repeat(auto-fill, minmax(min(260px, 100%), 1fr))", grid_gap="2px 16px",
            width="100%"))
        controls.add_class("w2v-controls")
        buttons = widgets.Box([self.cancel_button, self.reset_button, self.keep_button], layout=wrap)
        progress = widgets.Box([self.progress, self.progress_text], layout=wrap)
        super().__init__([controls, buttons, progress, self.status, self.picture],
                         layout=widgets.Layout(width="calc(100% - 4px)", max_width="1060px"))
        self.add_class("w2v-playground")
        route_interrupts()
        self.retrain()

    # --- building -----------------------------------------------------------------------------
    @staticmethod
    def _slider(name, value):
        lo, hi = RANGES[name]
        common = dict(value=value, description=name, continuous_update=False, style={"description_width": "76px"},
                      layout=widgets.Layout(width="auto", min_width="0"))
        if name == "step":
            return widgets.FloatLogSlider(base=10, min=np.log10(lo), max=np.log10(hi), step=0.05,
                                          readout_format=".3g", **common)
        return widgets.IntSlider(min=lo, max=hi, step=1000 if name == "iterations" else 1, readout_format=",", **common)

    @staticmethod
    def _button(text, tooltip, css, action):
        button = widgets.Button(description=text, tooltip=tooltip, layout=widgets.Layout(width="auto"))
        button.add_class(css)
        button.on_click(lambda _: action())
        return button

    # --- actions ------------------------------------------------------------------------------
    def settings(self) -> Settings:
        """The sliders' settings; the step rounded to the three digits shown."""
        values = {name: w.value for name, w in self.sliders.items()}
        values["step"] = float(f"{values['step']:.3g}")
        return Settings(**values)

    def _changed(self, _=None):
        route_interrupts()  # from a widget callback: the main thread, where signals are set
        self.retrain()

    def retrain(self):
        """Stop the run going on (if any) and train the sliders' settings in a thread."""
        chosen = self.settings()
        problems = check(chosen)
        if problems:
            self._say("<b>not trained:</b> " + "; ".join(problems))
            return
        self.cancel(quiet=True)
        flag = threading.Event()
        with self._lock:
            self._flag = flag
            self._thread = threading.Thread(target=self._train, args=(chosen, flag), daemon=True,
                                            name="playground run")
        self._say(f"<b>training…</b> {settings_text(chosen)}")
        self._thread.start()

    def cancel(self, quiet: bool = False):
        """Stop the run going on between two chunks (waits for it, a fraction of a second)."""
        with self._lock:
            thread, flag = self._thread, self._flag
        if thread is None or not thread.is_alive():
            if not quiet:
                self._say("nothing to cancel: no run is going on")
            return
        flag.set()
        thread.join(timeout=30)

    def reset(self):
        """The starting settings and no kept run (a run seen before shows at once)."""
        self.kept = None
        self.keep_button.description = "Keep for comparison"
        with self.hold_trait_notifications():
            for name, value in asdict(self.start_settings).items():
                self.sliders[name].unobserve(self._changed, names="value")
                self.sliders[name].value = value
                self.sliders[name].observe(self._changed, names="value")
        self.retrain()

    def keep(self):
        """Keep the run shown for comparison (again: stop comparing)."""
        if self.kept is not None:
            self.kept = None
            self.keep_button.description = "Keep for comparison"
        elif self.shown is not None:
            self.kept = self.shown
            self.keep_button.description = "Stop comparing"
        if self.shown is not None:
            self._show(self.shown)

    def wait(self, timeout: float = 600) -> None:
        """Block until the run going on has finished (for scripts and tests)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # --- the training thread ------------------------------------------------------------------
    def _train(self, chosen: Settings, flag: threading.Event):
        _running.add(flag)
        started, last = time.perf_counter(), [0.0]

        def progress(done, total):
            now = time.perf_counter()
            if done and done < total and now - last[0] < 0.2:
                return  # a few updates a second are enough
            last[0] = now
            spent = now - started
            left = f", about {duration(spent / done * (total - done))} left" if done else ", estimating the time left"
            self.progress.value = done / total
            self.progress_text.value = f"iteration {done:,} of {total:,}: {duration(spent)} spent{left}"

        try:
            run = self.playground.train(chosen, progress=progress, cancel=flag.is_set)
        except RunCancelled as stop:
            self._say(f"<b>{html.escape(str(stop))}</b> ({settings_text(chosen)}); the picture shows the last "
                      "finished run")
            return
        except (ValueError, FloatingPointError) as err:
            self.last_error = str(err)
            self._say(f"<b>not trained:</b> {html.escape(str(err))}")
            return
        except Exception as err:  # a message in the widget, never a traceback lost in a thread
            self.last_error = f"{type(err).__name__}: {err}"
            self._say(f"<b>not trained:</b> {html.escape(self.last_error)}")
            return
        finally:
            _running.discard(flag)
        self.progress.value = 1.0
        self.progress_text.value = f"{chosen.iterations:,} iterations in {duration(run.seconds)}"
        self._show(run)
        self._say(f"trained: {settings_text(chosen)}, in {duration(run.seconds)}; final loss {run.final_loss:.2f}")

    def _show(self, run):
        self.shown = run
        if self.kept is not None and self.kept is not run:
            self.picture.value = png(draw(run, other=self.kept, names=("this run", "the run kept")))
        else:
            self.picture.value = png(draw(run))

    def _say(self, html: str):
        self.status.value = html
