"""A run's losses.npz: every iteration's loss and its moving average, indexed by iteration.

    loss, ema   (n,) float64: entry i is iteration i + 1 (NaN where a resume found no record)
    finished    int64: the iteration the run finished at (its vectors were written), -1 while running

train_sst writes the file before each checkpoint, so it always reaches at least as far as the
newest checkpoint; a resume cuts it at the checkpoint's iteration (`history_before`), so a splice
can never land at the wrong offset. Every write is atomic.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from .._files import atomic_file


class DamagedHistoryError(ValueError):
    """losses.npz exists but cannot be read."""


def read_losses(path):
    """(losses, ema_losses) from `path`, or (None, None) if there is no such file."""
    path = Path(path)
    if not path.is_file():
        return None, None
    try:
        with np.load(path, allow_pickle=False) as saved:
            return saved["loss"], saved["ema"]
    except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise DamagedHistoryError(f"{path} is damaged ({err})") from err


def write_losses(path, losses, ema_losses, finished: bool = False) -> None:
    """Write the history atomically; `finished` marks the run complete at iteration len(losses)."""
    with atomic_file(path) as fh:
        np.savez(fh, loss=np.asarray(losses, dtype=np.float64), ema=np.asarray(ema_losses, dtype=np.float64),
                 finished=np.int64(len(losses) if finished else -1))


def finished_at(path) -> int | None:
    """The iteration the run finished at, or None (running, stopped, or no readable file)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            done = int(saved["finished"]) if "finished" in saved.files else -1
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None
    return done if done >= 0 else None


def history_before(path, iteration: int, log=print):
    """The saved (losses, ema_losses) of iterations 1..iteration, to continue a run resumed there.

    Iterations the file does not hold (deleted, damaged, or shorter than the checkpoint) are
    NaN, so entry i stays iteration i + 1.
    """
    losses, emas = np.full(iteration, np.nan), np.full(iteration, np.nan)
    try:
        saved_losses, saved_emas = read_losses(path)
    except DamagedHistoryError as err:
        saved_losses = saved_emas = None
        if log:
            log(f"{err}: it is replaced")
    kept = 0 if saved_losses is None else min(iteration, len(saved_losses))
    if kept:
        losses[:kept], emas[:kept] = saved_losses[:kept], saved_emas[:kept]
    if kept < iteration and log:
        log(f"{Path(path).name} holds {kept} of the {iteration} iterations before the resume point; "
            f"iterations {kept + 1}–{iteration} are recorded as NaN (not known)")
    return losses, emas
