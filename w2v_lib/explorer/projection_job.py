"""A t-SNE or UMAP of the explorer's vectors, run apart from the kernel's handlers.

In a thread (the default) the kernel stays free, so the cancel button works and the picture can
follow the iterations: every step of vectors.projections.tsne redraws the points, with the
iteration, a time estimate and the progress bar. Cancelling (or loading other vectors) stops the
run at its next step and goes back to the view it replaced. ipywidgets accepts updates from a
thread; the explorer's lock keeps them from interleaving with a handler's.
"""
from __future__ import annotations

import threading
import time

from ..vectors.projections import ProjectionCancelled


class ProjectionJob:
    """Compute the learned view `name` of `explorer`'s vectors, showing it as it goes."""

    def __init__(self, explorer, name: str):
        self.explorer, self.name = explorer, name
        self.state = explorer.state
        self.before = self.state.projection
        self._stop = threading.Event()
        self._thread = None
        self.running = False
        self.steps = 0  # how many pictures were shown on the way (tests check the live view)

    def start(self, background: bool = True):
        ex = self.explorer
        self.running = True
        ex.progress.value = 0
        ex.progress.layout.visibility = "visible"
        ex.cancel_button.layout.display = None
        ex.show_message(f"{self.name}: starting")
        if background:
            self._thread = threading.Thread(target=self._run, name=f"w2v-{self.name}", daemon=True)
            self._thread.start()
        else:
            self._run()

    def cancel(self):
        self._stop.set()

    def join(self, timeout: float | None = None):
        if self._thread is not None:
            self._thread.join(timeout)

    def _stale(self) -> bool:
        return self._stop.is_set() or self.explorer.state is not self.state

    def _on_step(self, fraction, coords, text):
        if self._stale():
            return True
        ex = self.explorer
        now = time.monotonic()
        if self._rate_from is None and fraction > 0.05:  # the neighbour search is done: time the iterations
            self._rate_from = (now, fraction)
        eta = ""
        if self._rate_from and fraction > self._rate_from[1]:
            t0, f0 = self._rate_from
            eta = f", about {(1 - fraction) * (now - t0) / (fraction - f0):.0f} s left"
        with ex._lock:
            if self._stale():
                return True
            self.state.show_partial(self.name, coords)
            ex._render()
            ex.progress.value = fraction
            ex.show_message(f"{text} ({now - self._t0:.0f} s so far{eta}); the picture follows the iterations")
        self.steps += 1
        return self._stale()

    def _run(self):
        ex = self.explorer
        self._t0, self._rate_from = time.monotonic(), None
        outcome = None
        try:
            self.state.compute_projection(self.name, self._on_step)
        except ProjectionCancelled as err:
            outcome = f"{err}; back to {self.before}"
        except Exception as err:  # shown as a message by the explorer's one path
            outcome = err
        finally:
            self.running = False
            ex.cancel_button.layout.display = "none"
            ex.progress.layout.visibility = "hidden"
        if ex.state is not self.state:  # other vectors were loaded meanwhile: nothing to show
            return
        if outcome is None:
            seconds = time.monotonic() - self._t0
            ex._act(lambda: [self.state.set_projection(self.name),
                             f"computed in {seconds:.0f} s and kept for this session"])
        elif isinstance(outcome, str):
            ex._act(lambda: self.state.set_projection(self.before) or outcome)
        else:
            def fail():
                self.state.set_projection(self.before)
                raise outcome
            ex._act(fail)
