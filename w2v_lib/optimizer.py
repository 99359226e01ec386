"""The SGD step (an exercise, notebook 05), atomic checkpoints and explicit resume.

The loop that uses them, with step annealing, is sgd_loop.sgd.

A checkpoint is an .npz file holding only arrays (no pickle): the parameters, the iteration,
the step, the running loss average and the random generator's state, so that a resumed run
continues exactly as the uninterrupted one would have.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np

from ._files import atomic_file

CHECKPOINT_PATTERN = re.compile(r"^sgd_(\d+)\.npz$")


class TrainingDiverged(FloatingPointError):
    """The loss or the parameters became NaN or infinite, or the loss passed a bound that no
    learning run reaches; `iteration` is where it was noticed. Every SGD loop of the library
    (sgd, the compiled SST loop, the fast trainer) raises this one class (a FloatingPointError,
    so code that caught that still does)."""

    def __init__(self, message: str, iteration: int):
        super().__init__(message)
        self.iteration = iteration


def diverged(loss, iteration: int, step: float, bound: float = np.inf) -> TrainingDiverged | None:
    """The TrainingDiverged for `loss` at `iteration` if it is NaN, infinite or above `bound`, else None."""
    if np.isfinite(loss) and loss <= bound:
        return None
    why = f"the loss became {loss}" if not np.isfinite(loss) else \
        f"the loss reached {loss:.3g}, above {bound:.3g}, which no run that learns reaches,"
    return TrainingDiverged(f"{why} at iteration {iteration} (step {step:g}): training diverged", iteration=iteration)


def diverged_parameters(x, iteration: int, step: float) -> TrainingDiverged | None:
    """The TrainingDiverged for parameters that hold NaN or infinite values after `iteration`, else None
    (every loop's last update, which no checkpoint checked)."""
    if np.isfinite(x).all():
        return None
    return TrainingDiverged(f"the parameters hold NaN or infinite values after iteration {iteration} "
                            f"(step {step:g}): training diverged", iteration=iteration)


def checkpoint_path(directory, iteration: int) -> Path:
    return Path(directory) / f"sgd_{iteration:08d}.npz"


def list_checkpoints(directory) -> list:
    """The checkpoints in `directory`, sorted by iteration."""
    d = Path(directory)
    if not d.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in d.iterdir() if (m := CHECKPOINT_PATTERN.match(p.name))]
    return [p for _, p in sorted(found)]


def save_checkpoint(path, x, iteration: int, step: float, ema: float | None, rng=None) -> Path:
    """Write a checkpoint atomically (see _files.atomic_file); parameters that are not finite are refused.

    A checkpoint is the point a run goes back to, so it must never hold NaN or infinite values:
    TrainingDiverged is raised instead, and the previous checkpoint stays the newest.
    """
    x = np.asarray(x)
    if x.dtype.kind not in "fiu":  # an object array would be pickled, and pickles are refused on load
        raise ValueError(f"x must be a numeric array to be checkpointed; got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise TrainingDiverged(f"the parameters hold NaN or infinite values at iteration {iteration}: "
                               "training diverged, so no checkpoint was written; use a smaller step",
                               iteration=iteration)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # MT19937 and Philox states hold arrays: json writes them as lists
    state = json.dumps(rng.bit_generator.state, default=np.ndarray.tolist) if rng is not None else ""
    with atomic_file(path) as fh:
        np.savez(fh, x=x, iteration=np.int64(iteration), step=np.float64(step),
                 ema=np.float64(np.nan if ema is None else ema), rng_state=np.str_(state))
    return path


def load_checkpoint(path) -> dict:
    """Read a checkpoint written by `save_checkpoint` (never unpickles anything), every field checked.

    Raises ValueError naming the file and the field for anything `save_checkpoint` never writes:
    parameters that are not real numbers or not finite, a negative iteration (or one other than
    the file name's), a step that is not a positive finite number, a random state that is not one.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}: pass the path of an sgd_*.npz file")
    try:
        with np.load(path, allow_pickle=False) as data:
            raw = {key: data[key] for key in ("x", "iteration", "step", "ema", "rng_state")}
    except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"{path} is not a readable SGD checkpoint ({err}); "
                         "delete it or resume from an earlier one") from err

    def bad(field, what):
        return ValueError(f"{path}: field {field!r} {what}; this is not a checkpoint the training wrote: "
                          "delete it or resume from an earlier one")

    x = raw["x"]
    if x.dtype.kind not in "fiu":
        raise bad("x", f"must hold real numbers; got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise bad("x", "holds NaN or infinite values")
    fields = {}
    for name, kind in (("iteration", "iu"), ("step", "fiu"), ("ema", "fiu")):
        value = raw[name]
        if value.shape != () or value.dtype.kind not in kind:
            raise bad(name, f"must be a single {'integer' if kind == 'iu' else 'number'}; "
                            f"got {value.dtype} of shape {value.shape}")
        fields[name] = value.item()
    iteration, step, ema = int(fields["iteration"]), float(fields["step"]), float(fields["ema"])
    named = CHECKPOINT_PATTERN.match(path.name)
    if iteration < 0 or (named is not None and int(named.group(1)) != iteration):
        raise bad("iteration", f"is {iteration}, " + (f"but the file name says {int(named.group(1))}" if named
                                                      else "a negative number"))
    if not 0 < step < np.inf:
        raise bad("step", f"must be a positive finite number; got {step}")
    if np.isinf(ema):
        raise bad("ema", f"must be finite (or NaN: none yet); got {ema}")
    state = raw["rng_state"]
    if state.shape != () or state.dtype.kind != "U":
        raise bad("rng_state", f"must be a JSON string; got {state.dtype} of shape {state.shape}")
    try:
        rng_state = json.loads(str(state)) if str(state) else None
    except ValueError as err:
        raise bad("rng_state", f"is not JSON ({err})") from None
    if rng_state is not None and not (isinstance(rng_state, dict) and isinstance(rng_state.get("bit_generator"), str)):
        raise bad("rng_state", "is not a numpy random state (a dict naming its bit_generator)")
    return {"x": x, "iteration": iteration, "step": step, "ema": None if np.isnan(ema) else ema,
            "rng_state": rng_state}


def restore_rng(rng, checkpoint: dict, path) -> None:
    """Put the random state of `checkpoint` (from `load_checkpoint(path)`) into `rng`, or say why it cannot."""
    state = checkpoint["rng_state"]
    if state["bit_generator"] != type(rng.bit_generator).__name__:
        raise ValueError(f"{path}: field 'rng_state' is a {state['bit_generator']} state; this run draws from "
                         f"{type(rng.bit_generator).__name__}: resume with the run's own checkpoints")
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as err:
        raise ValueError(f"{path}: field 'rng_state' is not a valid {state['bit_generator']} state "
                         f"({type(err).__name__}: {err}); delete the checkpoint or resume from an earlier one"
                         ) from None


def sgd_step(params, grad, step: float):
    """One step of gradient descent, θ ← θ − α ∇J(θ), made in place on `params`, which it returns.

    Args:
        params: θ, the parameters, e.g. the stacked (2|Vocab|, d) [center_vectors; outside_vectors].
        grad: ∇J(θ), the same shape (or a RowSparseGradient, which updates only its rows).
        step: α, the step size (learning rate).
    """
    ### BEGIN SOLUTION
    params -= step * grad  # in place: the caller's array is the one updated
    return params
    ### END SOLUTION


def checkpoint_to_resume(path, shape, *, needs_rng_state: bool = False, shape_hint: str = "") -> dict:
    """Load the checkpoint a run continues from; refuse one whose parameters have another shape.

    Args:
        path: the checkpoint (`save_checkpoint`'s .npz).
        shape: the shape the run's parameters x0 have, e.g. (2|Vocab|, d).
        needs_rng_state: refuse a checkpoint without a random state (a run that draws cannot continue exactly).
        shape_hint: what to do when the shapes differ, added to that message.
    """
    ck = load_checkpoint(path)
    if ck["x"].shape != tuple(shape):
        raise ValueError(f"checkpoint {path} holds parameters of shape {ck['x'].shape}; x0 has shape {tuple(shape)}"
                         + (f" ({shape_hint})" if shape_hint else ""))
    if needs_rng_state and ck["rng_state"] is None:
        raise ValueError(f"checkpoint {path} holds no random state, so the run cannot be continued exactly: "
                         "resume from a checkpoint that this trainer wrote")
    return ck


def check_sgd_arguments(step, iterations, anneal_every, rng, checkpoint_every, checkpoint_dir,
                        rng_required: bool = False) -> None:
    """Refuse bad SGD arguments before anything runs or is written (shared by every SGD loop)."""
    if not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise ValueError(f"iterations must be a non-negative integer; got {iterations!r}")
    if not (isinstance(step, (int, float, np.floating, np.integer)) and 0 < step < np.inf):
        raise ValueError(f"step must be a positive finite number; got {step!r}")
    if not isinstance(anneal_every, (int, np.integer)) or anneal_every < 1:
        raise ValueError(f"anneal_every must be a positive integer; got {anneal_every!r}")
    if (rng is not None or rng_required) and not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be the numpy Generator that f draws from, e.g. np.random.default_rng(0); "
                         f"got {type(rng).__name__}")
    if checkpoint_every is not None and (not isinstance(checkpoint_every, (int, np.integer))
                                         or checkpoint_every < 1 or checkpoint_dir is None):
        raise ValueError("checkpoint_every needs a positive interval and a checkpoint_dir; "
                         f"got checkpoint_every={checkpoint_every!r}, checkpoint_dir={checkpoint_dir!r}")
