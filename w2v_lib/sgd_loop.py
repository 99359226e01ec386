"""The course's SGD loop: step annealing, a running loss average, checkpoints and resume.

It applies the update of `optimizer.sgd_step` itself (a stub in the student release), so the
release of the graded notebooks leaves this module out (course/library_release.py).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from .optimizer import (
    TrainingDiverged,
    check_sgd_arguments,
    checkpoint_path,
    checkpoint_to_resume,
    diverged_parameters,
    restore_rng,
    save_checkpoint,
)


@dataclass
class SGDResult:
    x: np.ndarray  # the parameters after the last iteration
    losses: np.ndarray  # (iterations run in this call,) loss of each iteration
    ema_losses: np.ndarray  # (iterations run in this call,) running average 0.95·ema + 0.05·loss
    iteration: int  # the last iteration done, counted from the very start
    step: float  # the step size in force after the last iteration
    checkpoints: list  # paths written by this call
    ema: float | None = None  # the running average after the last iteration (a resumed run's: the checkpoint's)



def sgd(f, x0, step: float, iterations: int, *, anneal_every: int = 20000, rng=None,
        checkpoint_every: int | None = None, checkpoint_dir=None, resume_from=None,
        progress: bool = False, log=print, before_checkpoint=None):
    """Minimise f by plain SGD (the update sgd_step makes), halving the step every `anneal_every` iterations.

    Args:
        f: f(x) -> (loss, grad). If f samples, it should draw from `rng`, so that checkpoints
            capture its randomness.
        x0: the starting parameters (copied; dtype kept, e.g. float32 for speed).
        step: the initial step size.
        iterations: the iteration to stop at, counted from the start of the whole run (a run
            resumed at 5,000 with iterations=10,000 does 5,000 more).
        anneal_every: halve the step after every iteration divisible by this.
        rng: the numpy Generator that f draws from; its state is saved in checkpoints and
            restored on resume.
        checkpoint_every, checkpoint_dir: write sgd_<iteration>.npz there every so many iterations.
        resume_from: a checkpoint path to continue from; never guessed: without it, the run
            starts at x0 whatever the folder holds.
        progress: show a tqdm progress bar.
        log: where the resume message goes (None for silence).
        before_checkpoint: called as before_checkpoint(iteration, losses, ema_losses) (this call's
            histories so far) just before each checkpoint is written, so that whatever it saves
            always reaches at least as far as the newest checkpoint.

    A loss that is NaN or infinite stops the run with TrainingDiverged before its gradient is
    applied; the checkpoints written before it are kept (save_checkpoint refuses non-finite x).
    So do parameters that are not finite after the last update.
    """
    check_sgd_arguments(step, iterations, anneal_every, rng, checkpoint_every, checkpoint_dir)

    x = np.array(x0, dtype=None if np.asarray(x0).dtype.kind == "f" else np.float64)  # a copy
    start, ema = 0, None
    if resume_from is not None:
        ck = checkpoint_to_resume(resume_from, x.shape)
        x = ck["x"].astype(x.dtype, copy=False)
        start, step, ema = ck["iteration"], ck["step"], ck["ema"]
        if ck["rng_state"] is not None:
            if rng is None:
                raise ValueError(f"checkpoint {resume_from} holds a random state: pass the rng that f draws from")
            restore_rng(rng, ck, resume_from)
        if log:
            log(f"resuming from {resume_from} at iteration {start} (step {step:g})")

    losses, emas, written = [], [], []
    steps = range(start + 1, iterations + 1)
    if progress:
        from tqdm import tqdm  # the text bar: a notebook stores it as text (a widget bar would be a dead widget)
        steps = tqdm(steps, initial=start, total=iterations, desc="sgd", unit="it", file=sys.stdout, mininterval=0.5)
    for it in steps:
        loss, grad = f(x)
        if not np.isfinite(loss):
            raise TrainingDiverged(f"the loss became {loss} at iteration {it} (step {step:g}): training diverged; "
                                   "use a smaller step", iteration=it)
        # Written out, not sgd_step(): that is an exercise, a stub in the student release, which is
        # why this module ships only with the later notebooks (course/library_release.py).
        x -= step * grad
        ema = loss if ema is None else 0.95 * ema + 0.05 * loss
        losses.append(loss)
        emas.append(ema)
        if it % anneal_every == 0:
            step *= 0.5
        if checkpoint_every and it % checkpoint_every == 0:
            if before_checkpoint is not None:
                before_checkpoint(it, losses, emas)
            written.append(save_checkpoint(checkpoint_path(checkpoint_dir, it), x, it, step, ema, rng))
        if progress and it % 100 == 0:
            steps.set_postfix(loss=f"{ema:.3f}", refresh=False)  # redraws stay at mininterval
    if (err := diverged_parameters(x, max(start, iterations), step)) is not None:
        raise err
    return SGDResult(x=x, losses=np.asarray(losses, dtype=np.float64), ema_losses=np.asarray(emas, dtype=np.float64),
                     iteration=max(start, iterations), step=step, checkpoints=written, ema=ema)
