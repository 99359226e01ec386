"""The assignment's run: skip-gram with negative sampling on the SST, trained by the core `sgd`.

`train_sst` reads the treebank, prepares the course's corpus (corpora.prepare_corpus), draws
batches and steps through `step.make_objective`, and writes everything into a `RunFolder`.
"""
from __future__ import annotations

import hashlib
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._files import fault_point
from ..corpora import find_sst, prepare_corpus, read_sentences
from ..fast import compiled
from ..fast.sst_sgd import sgd_compiled
from ..optimizer import TrainingDiverged, load_checkpoint
from ..sgd_loop import sgd
from .run_folder import RunFolder
from .step import make_objective

# The assignment's configuration (run.py / q3_run.py and word2vec_sgd_wrapper).
DEFAULTS = dict(dim=10, window=5, negatives=10, batch_size=50, step=0.3, anneal_every=20000, copies=30,
                subsample_threshold=1e-5)
DEFAULT_SEED = 31415
DRAW_AHEAD = 100  # SGD steps whose windows and negatives are drawn in one bulk call


def init_params(n_words: int, dim: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """The course's starting point, stacked (2|V|, d) = [center_vectors; outside_vectors].

    Center vectors v_w are (rand − 0.5)/d, i.e. uniform in [−0.5/d, 0.5/d): [−0.05, 0.05) at
    d = 10, so "±0.05" is ±1/(2d), not a fixed width. Outside vectors u_w start at 0.
    """
    center = (rng.random((n_words, dim)) - 0.5) / dim  # (|V|, d)
    return np.concatenate([center, np.zeros((n_words, dim))]).astype(dtype)  # (2|V|, d)


@dataclass
class SSTTrainResult:
    run_dir: Path
    words: list
    counts: np.ndarray  # (|V|,)
    params: np.ndarray  # (2|V|, d) float32 [center_vectors; outside_vectors]
    losses: np.ndarray  # (iterations,) every iteration's loss, from iteration 1
    ema_losses: np.ndarray  # (iterations,) the 0.95/0.05 moving average the course prints
    iterations: int
    final_loss_ema: float
    seconds: float  # wall time of the sgd call (not of reading and subsampling)
    checkpoints: list


def _corpus_digest(sentences) -> str:
    return hashlib.sha256("\n".join(" ".join(s) for s in sentences).encode()).hexdigest()[:16]


_POSITIVE_INTS = ("dim", "window", "negatives", "batch_size", "anneal_every", "copies")


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_settings(iterations, checkpoint_every, seed, resume, overwrite, hyper) -> dict:
    """The run's hyperparameters (DEFAULTS overridden by `hyper`), every argument checked; touches no file."""
    unknown = set(hyper) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown hyperparameters {sorted(unknown)}; expected some of {sorted(DEFAULTS)}")
    cfg = {**DEFAULTS, **hyper}
    for name in _POSITIVE_INTS:
        if not _is_int(cfg[name]) or cfg[name] < 1:
            raise ValueError(f"{name} must be a positive integer; got {cfg[name]!r}")
    for name in ("step", "subsample_threshold"):
        value = cfg[name]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 < value < math.inf:
            raise ValueError(f"{name} must be a positive finite number; got {value!r}")
    if not _is_int(iterations) or iterations < 0:
        raise ValueError(f"iterations must be a non-negative integer; got {iterations!r}")
    if checkpoint_every is not None and (not _is_int(checkpoint_every) or checkpoint_every < 0):
        raise ValueError(f"checkpoint_every must be a positive integer (0 or None: no checkpoints); "
                         f"got {checkpoint_every!r}")
    if not _is_int(seed):
        raise ValueError(f"seed must be an integer; got {seed!r}")
    if not isinstance(resume, (bool, str, Path)):
        raise ValueError(f"resume must be True, False or a checkpoint path; got {resume!r}")
    if not isinstance(overwrite, bool):
        raise ValueError(f"overwrite must be True or False; got {overwrite!r}")
    return cfg


def train_sst(sst_dir=None, run_dir=None, iterations: int = 40000, checkpoint_every: int | None = 2000,
              seed: int = DEFAULT_SEED, progress: bool = False, resume=False, *, overwrite: bool = False,
              method: str = "vectorized", sentences=None, log=print, **hyper) -> SSTTrainResult:
    """Train the assignment's skip-gram on the SST and write the run folder (see run_folder.py).

    Hyperparameters (keywords): dim, window (C), negatives (K), batch_size, step, anneal_every,
    copies, subsample_threshold (the 1e-5 in the drop probability); the defaults are the
    assignment's (DEFAULTS). `sentences` (lists of tokens) replaces the treebank, for small
    experiments. `resume=True` continues from the run's latest checkpoint, or pass a checkpoint
    path. A folder that holds an earlier run is never emptied unless `overwrite=True`.
    Every argument is checked before anything is read or written. A NaN or infinite loss stops
    the run (TrainingDiverged) and keeps the last good checkpoint.
    Same seed, same everything: the run is bit-for-bit reproducible, through kills and resumes.
    """
    cfg = check_settings(iterations, checkpoint_every, seed, resume, overwrite, hyper)
    if method == "auto":  # the compiled step (fast/sst_sgd.py) where numba is installed, else the vectorized one
        method = "compiled" if compiled.HAVE_NUMBA else "vectorized"
    checkpoint_every = checkpoint_every or None
    run = RunFolder(run_dir)
    run.check_location()
    if sentences is None:
        sentences = read_sentences(find_sst(sst_dir))
    init_rng, corpus_rng, rng = (np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(3))
    data = prepare_corpus(sentences, corpus_rng, cfg["copies"], cfg["subsample_threshold"])
    n = len(data.vocab)
    draw_ahead = math.gcd(DRAW_AHEAD, checkpoint_every or DRAW_AHEAD)  # checkpoints fall between bulk draws
    f = None if method == "compiled" else make_objective(data, rng, method, cfg["batch_size"], cfg["window"],
                                                         cfg["negatives"], draw_ahead)
    config = {**cfg, "seed": int(seed), "method": method, "draw_ahead": draw_ahead, "n_words": n,
              "corpus": _corpus_digest(sentences)}

    resume_from = run.begin(config, resume, overwrite, log=log, iterations=iterations)  # the first write to the folder

    start_iteration = load_checkpoint(resume_from)["iteration"] if resume_from is not None else 0
    before_losses, before_emas = run.history_before(start_iteration, log=log)

    def save_history(_, losses, emas, finished=False):  # losses.npz always reaches the newest checkpoint
        run.write_losses(np.concatenate([before_losses, losses]), np.concatenate([before_emas, emas]), finished)

    objective = f
    if os.environ.get("W2V_FAULT"):  # the kill-and-resume test's mid-training point
        def objective(x):
            fault_point("iteration")
            return f(x)

    x0 = init_params(n, cfg["dim"], init_rng)
    start = time.perf_counter()
    with run.writing():
        try:
            common = dict(anneal_every=cfg["anneal_every"], rng=rng, checkpoint_every=checkpoint_every,
                          checkpoint_dir=run.checkpoint_dir, resume_from=resume_from, progress=progress, log=log,
                          before_checkpoint=save_history)
            if method == "compiled":
                hook = (lambda: fault_point("iteration")) if os.environ.get("W2V_FAULT") else None
                res = sgd_compiled(data, x0, cfg["step"], iterations, batch_size=cfg["batch_size"],
                                   window=cfg["window"], k=cfg["negatives"], each_iteration=hook, **common)
            else:
                res = sgd(objective, x0, cfg["step"], iterations, **common)
        except TrainingDiverged as err:
            latest = run.latest_checkpoint()
            kept = (f"the last good checkpoint, {latest.name}, is kept in {run.checkpoint_dir}" if latest
                    else "no checkpoint was written before it")
            raise TrainingDiverged(f"{err}; {kept}. Start again with a smaller --step "
                                   f"and --overwrite, or in another --run-dir", err.iteration) from None
        seconds = time.perf_counter() - start
        run.save(data.vocab.words, data.vocab.counts, res.x)
        save_history(None, res.losses, res.ema_losses, finished=True)  # after the vectors: marks the run done
    losses, emas = np.concatenate([before_losses, res.losses]), np.concatenate([before_emas, res.ema_losses])
    # the average sgd ended with (a resume with nothing left to do: the checkpoint's), else the history's
    ema = res.ema if res.ema is not None else (emas[-1] if len(emas) else None)
    final = float("nan") if ema is None else float(ema)
    return SSTTrainResult(run.path, data.vocab.words, data.vocab.counts, res.x, losses, emas, res.iteration,
                          final, seconds, run.checkpoints())


def ensure_sst_run(run_dir=None, sst_dir=None, progress: bool = False) -> Path:
    """The run folder, after training it with the defaults if `RunFolder.load` cannot read it.

    A run that stopped after a checkpoint is continued from there; a folder that holds other
    data of a run but no checkpoint is not touched (the error says what to do).
    """
    run = RunFolder(run_dir)
    try:
        run.load()
    except (FileNotFoundError, ValueError):
        resume = {"resume": True} if run.latest_checkpoint() is not None else {}
        train_sst(sst_dir=sst_dir, run_dir=run.path, progress=progress, **resume)
    return run.path
