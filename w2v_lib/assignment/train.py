"""The assignment's run: skip-gram with negative sampling on the SST, trained by the core `sgd`.

`train_sst` reads the treebank, prepares the course's corpus (corpora.prepare_corpus), draws
batches and steps through `step.make_objective`, and writes everything into a `RunFolder`.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..corpora import find_sst, prepare_corpus, read_sentences
from ..optimizer import sgd
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


def train_sst(sst_dir=None, run_dir=None, iterations: int = 40000, checkpoint_every: int | None = 2000,
              seed: int = DEFAULT_SEED, progress: bool = False, resume=False, *, method: str = "vectorized",
              sentences=None, log=print, **hyper) -> SSTTrainResult:
    """Train the assignment's skip-gram on the SST and write the run folder (see run_folder.py).

    Hyperparameters (keywords): dim, window (C), negatives (K), batch_size, step, anneal_every,
    copies, subsample_threshold (the 1e-5 in the drop probability); the defaults are the
    assignment's (DEFAULTS). `sentences` (lists of tokens) replaces the treebank, for small
    experiments. `resume=True` continues from the run's latest
    checkpoint, or pass a checkpoint path; a fresh run deletes the folder's old checkpoints.
    Same seed, same everything: the run is bit-for-bit reproducible.
    """
    unknown = set(hyper) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown hyperparameters {sorted(unknown)}; expected some of {sorted(DEFAULTS)}")
    cfg = {**DEFAULTS, **hyper}
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer; got {seed!r}")
    if sentences is None:
        sentences = read_sentences(find_sst(sst_dir))
    init_rng, corpus_rng, rng = (np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(3))
    data = prepare_corpus(sentences, corpus_rng, cfg["copies"], cfg["subsample_threshold"])
    n = len(data.vocab)
    run = RunFolder(run_dir)
    draw_ahead = math.gcd(DRAW_AHEAD, checkpoint_every or DRAW_AHEAD)  # checkpoints fall between bulk draws
    config = {**cfg, "seed": int(seed), "method": method, "draw_ahead": draw_ahead, "n_words": n,
              "corpus": _corpus_digest(sentences)}

    resume_from = run.begin(config, resume)

    x0 = init_params(n, cfg["dim"], init_rng)
    f = make_objective(data, rng, method, cfg["batch_size"], cfg["window"], cfg["negatives"], draw_ahead)
    start = time.perf_counter()
    res = sgd(f, x0, cfg["step"], iterations, anneal_every=cfg["anneal_every"], rng=rng,
              checkpoint_every=checkpoint_every or None,
              checkpoint_dir=run.checkpoint_dir if checkpoint_every else None,
              resume_from=resume_from, progress=progress, log=log)
    seconds = time.perf_counter() - start

    losses, emas = run.record_losses(res.losses, res.ema_losses, res.iteration, resumed=resume_from is not None,
                                     log=log)
    run.save(data.vocab.words, data.vocab.counts, res.x)
    final = float(emas[-1]) if len(emas) else float("nan")
    return SSTTrainResult(run.path, data.vocab.words, data.vocab.counts, res.x, losses, emas, res.iteration,
                          final, seconds, run.checkpoints())


def ensure_sst_run(run_dir=None, sst_dir=None, progress: bool = False) -> Path:
    """The run folder, after training it with the defaults if `RunFolder.load` cannot read it."""
    run = RunFolder(run_dir)
    try:
        run.load()
    except (FileNotFoundError, ValueError):
        train_sst(sst_dir=sst_dir, run_dir=run.path, progress=progress)
    return run.path
