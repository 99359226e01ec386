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


class TrainingDiverged(ArithmeticError):
    """The loss or the parameters became NaN or infinite; `iteration` is where it was noticed."""

    def __init__(self, message: str, iteration: int):
        super().__init__(message)
        self.iteration = iteration


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
    """Read a checkpoint written by `save_checkpoint` (never unpickles anything)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}: pass the path of an sgd_*.npz file")
    try:
        with np.load(path, allow_pickle=False) as data:
            out = {"x": data["x"], "iteration": int(data["iteration"]), "step": float(data["step"]),
                   "ema": float(data["ema"]), "rng_state": str(data["rng_state"])}
    except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"{path} is not a readable SGD checkpoint ({err}); "
                         "delete it or resume from an earlier one") from err
    out["ema"] = None if np.isnan(out["ema"]) else out["ema"]
    out["rng_state"] = json.loads(out["rng_state"]) if out["rng_state"] else None
    return out


def sgd_step(params, grad, step: float):
    """One step of gradient descent, θ ← θ − α ∇J(θ), made in place on `params`, which it returns.

    Args:
        params: θ, the parameters, e.g. the stacked (2|V|, d) [center_vectors; outside_vectors].
        grad: ∇J(θ), the same shape (or a RowSparseGradient, which updates only its rows).
        step: α, the step size (learning rate).
    """
    ### BEGIN SOLUTION
    params -= step * grad  # in place: the caller's array is the one updated
    return params
    ### END SOLUTION


def checkpoint_to_resume(path, shape) -> dict:
    """Load the checkpoint a run continues from; refuse one whose parameters have another shape."""
    ck = load_checkpoint(path)
    if ck["x"].shape != tuple(shape):
        raise ValueError(f"checkpoint {path} holds parameters of shape {ck['x'].shape}; x0 has shape {tuple(shape)}")
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
