"""The assignment's run: skip-gram with negative sampling on the SST, trained by the core `sgd`.

Two objectives compute the same thing, the loss and gradient of one SGD step over 50 random
windows (loss and gradients averaged over them):
  * `straightforward_loss_and_gradient`, the reference: a Python loop over windows calling the
    core `skipgram` with `negative_sampling`, which builds a dense (|V|, d) gradient per pair;
  * `batch_loss_and_gradient`, the fast one: every pair of the 50 windows at once, negatives
    drawn in bulk, the gradient returned as rows + values (`RowSparseGradient`, row_sparse.py) so that sgd's
    `x -= step * grad` touches only the rows that moved (repeats accumulated), which equals the
    dense update.
"""
from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .corpus import AliasNegativeSampler, ContextSampler, TrainingCorpus, prepare_corpus
from .models import skipgram
from .optimizer import list_checkpoints, sgd
from .row_sparse import RowSparseGradient
from .runs import load_run, save_run
from .sampling import NegativeSampler, negative_sampling
from .sst import default_data_dir, find_sst, read_sentences
from .fast import compiled
from .fast.sst_sgd import sgd_compiled

# The assignment's configuration (run.py / q3_run.py and word2vec_sgd_wrapper).
DEFAULTS = dict(dim=10, window=5, negatives=10, batch_size=50, step=0.3, anneal_every=20000, copies=30,
                subsample_threshold=1e-5)
DEFAULT_SEED = 31415
DRAW_AHEAD = 100  # SGD steps whose windows and negatives are drawn in one bulk call


def default_run_dir() -> Path:
    return default_data_dir() / "sst_run"


def init_params(n_words: int, dim: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """The course's starting point, stacked (2|V|, d) = [center_vectors; outside_vectors].

    Center vectors v_w are (rand − 0.5)/d, i.e. uniform in [−0.5/d, 0.5/d): [−0.05, 0.05) at
    d = 10, so "±0.05" is ±1/(2d), not a fixed width. Outside vectors u_w start at 0.
    """
    center = (rng.random((n_words, dim)) - 0.5) / dim  # (|V|, d)
    return np.concatenate([center, np.zeros((n_words, dim))]).astype(dtype)  # (2|V|, d)


@dataclass
class WindowBatch:
    """One SGD step's draws: B windows and K negatives for every (center, outside) pair."""
    centers: np.ndarray  # (B,) center word c of each window
    contexts: np.ndarray  # (B, 2C) outside words, -1 where none
    negatives: np.ndarray  # (P, K) for the P pairs, in row-major order of `contexts`
    pair_centers: np.ndarray = None  # (P,) c of each pair (derived; draw_batches fills it in bulk)
    pair_words: np.ndarray = None  # (P, 1+K) each pair's o then its K negatives (derived)

    def __post_init__(self):
        if self.pair_centers is None:
            mask = self.contexts >= 0  # (B, 2C)
            self.pair_centers = np.repeat(self.centers, mask.sum(axis=1))  # (P,)
            self.pair_words = np.concatenate([self.contexts[mask][:, None], self.negatives], axis=1)  # (P, 1+K)

    def windows(self):
        """[(center, context (n,), negatives (n, K))] per window, the reference loop's input."""
        out, start = [], 0
        for c, row in zip(self.centers, self.contexts):
            ctx = row[row >= 0]
            out.append((int(c), ctx, self.negatives[start:start + ctx.size]))
            start += ctx.size
        return out


def draw_batches(contexts: ContextSampler, sampler: NegativeSampler, rng, n_batches: int, batch_size: int,
                 window: int, k: int) -> list:
    """`n_batches` steps' draws at once: B windows each (sizes uniform in 1..window) and, for every
    pair, k negatives ≠ its outside word. Draws never depend on the parameters, so drawing
    several steps ahead changes nothing but the order in which the random stream is used."""
    centers, ctx = contexts.random_contexts(rng, n_batches * batch_size, window)  # (n·B,), (n·B, 2C)
    mask = ctx >= 0
    outside = ctx[mask]  # (P_total,)
    negatives = sampler.sample_many(outside, k)  # (P_total, K)
    per_window = mask.sum(axis=1)  # (n·B,)
    pair_centers = np.repeat(centers, per_window)  # (P_total,)
    pair_words = np.concatenate([outside[:, None], negatives], axis=1)  # (P_total, 1+K)
    ends = np.cumsum(per_window.reshape(n_batches, batch_size).sum(axis=1))  # (n,) pairs up to each step
    starts = np.concatenate([[0], ends[:-1]])
    return [WindowBatch(centers[i * batch_size:(i + 1) * batch_size], ctx[i * batch_size:(i + 1) * batch_size],
                        negatives[a:b], pair_centers[a:b], pair_words[a:b])
            for i, (a, b) in enumerate(zip(starts, ends))]


def draw_batch(contexts: ContextSampler, sampler: NegativeSampler, rng, batch_size: int, window: int, k: int):
    """One step's draws (see draw_batches)."""
    return draw_batches(contexts, sampler, rng, 1, batch_size, window, k)[0]


def batch_loss_and_gradient(params, batch: WindowBatch, n_words: int):
    """Mean skip-gram negative-sampling loss over the batch's windows and its RowSparseGradient.

    Per pair (c, o) with negatives k: J = −log σ(u_oᵀv_c) − Σ_k log σ(−u_kᵀv_c), and every
    window's J is the sum over its pairs; the step's loss is the mean over the B windows.
    """
    d = params.shape[1]
    B = batch.centers.shape[0]
    centers = batch.pair_centers  # (P,) c of each pair
    words = batch.pair_words + n_words  # (P, 1+K) rows of u_o, u_k1..u_kK in the stacked parameters
    v = params.take(centers, axis=0)  # (P, d) v_c
    u = params.take(words.reshape(-1), axis=0).reshape(*words.shape, d)  # (P, 1+K, d) u_o, u_k
    y = np.einsum("pjd,pd->pj", u, v)  # (P, 1+K) u_wᵀv_c
    y[:, 1:] *= -1  # every term is −log σ(y) with y = u_oᵀv_c or y = −u_kᵀv_c
    sum_log_sig, coef = _sum_log_sigmoid_and_complement(y)
    loss = -sum_log_sig / B
    coef /= B  # (P, 1+K) ∂J/∂(u_wᵀv_c), averaged over windows:
    coef[:, 0] *= -1  # σ(u_oᵀv_c) − 1 = −σ(−y_o) for o, σ(u_kᵀv_c) = σ(−y_k) for each k
    P, J = coef.shape
    values = np.empty((P * (1 + J), d), dtype=u.dtype)  # (M, d): the P center rows, then P·(1+K) outside rows
    np.einsum("pj,pjd->pd", coef, u, out=values[:P])  # ∂J/∂v_c per pair
    np.multiply(coef[:, :, None], v[:, None, :], out=values[P:].reshape(P, J, d))  # ∂J/∂u_w per occurrence
    rows = np.concatenate([centers, words.reshape(-1)])  # (M,)
    return float(loss), RowSparseGradient(params.shape, rows, values)


def _sum_log_sigmoid_and_complement(y):
    """(Σ log σ(y), σ(−y)) without overflow, in y's precision, from one e = exp(−|y|):

    log σ(y) = min(y, 0) − log(1 + e), so Σ log σ(y) = (Σy − Σ|y|)/2 − Σ log(1 + e); and
    σ(−y) = e/(1 + e) for y >= 0, 1/(1 + e) otherwise. exp and log vectorize well in float32
    (scipy's expit/log_expit are several times slower here).
    """
    a = np.abs(y)
    abs_sum = a.sum(dtype=np.float64)
    e = np.exp(np.negative(a, out=a), out=a)  # e^(−|y|), in a's memory
    t = 1 + e
    log_t = np.log(t) if y.dtype == np.float32 else np.log1p(e)  # float32: log(1 + e) is as exact and faster
    total = (y.sum(dtype=np.float64) - abs_sum) / 2 - log_t.sum(dtype=np.float64)
    sig_neg = np.where(y >= 0, e, 1)
    sig_neg /= t
    return float(total), sig_neg


def straightforward_loss_and_gradient(params, windows, negatives, n_words: int, k: int = 10):
    """The reference: the course's wrapper, one core `skipgram` call per window, dense gradients.

    `windows` is [(center, context indices)] and `negatives` either a NegativeSampler (fresh
    draws, as the course) or one (len(context), K) array per window (pre-drawn, for comparisons).
    """
    V, U = params[:n_words], params[n_words:]  # (|V|, d) each
    loss, grad = 0.0, np.zeros_like(params)  # (2|V|, d)
    B = len(windows)
    for i, (center, context) in enumerate(windows):
        bound = negatives if isinstance(negatives, NegativeSampler) else negatives[i]
        c_loss, g_center, g_outside = skipgram(center, context, V, U, negative_sampling(bound, k))
        loss += c_loss / B
        grad[:n_words] += g_center / B
        grad[n_words:] += g_outside / B
    return loss, grad


def make_objective(data: TrainingCorpus, rng, method: str = "vectorized", batch_size: int = 50,
                   window: int = 5, k: int = 10, draw_ahead: int = 1):
    """f(x) -> (loss, grad) for sgd, drawing every window and negative from `rng`.

    The vectorized objective draws `draw_ahead` steps' windows and negatives in one go (bulk
    sampling amortizes NumPy's per-call cost). For resume to be exact, a checkpoint must fall on
    a multiple of `draw_ahead`, so that sgd saves the random state between two bulk draws.
    """
    if not isinstance(draw_ahead, (int, np.integer)) or draw_ahead < 1:
        raise ValueError(f"draw_ahead must be a positive integer; got {draw_ahead!r}")
    contexts = ContextSampler(data.subsampled)
    n = len(data.vocab)
    if method == "vectorized":
        sampler = AliasNegativeSampler(data.vocab.counts, rng)
        queue = []

        def f(x):
            if not queue:
                queue.extend(reversed(draw_batches(contexts, sampler, rng, draw_ahead, batch_size, window, k)))
            return batch_loss_and_gradient(x, queue.pop(), n)
        return f
    if method == "straightforward":
        sampler = NegativeSampler(data.vocab.counts, rng)

        def f(x):
            windows = [contexts.random_context(rng, int(rng.integers(1, window + 1))) for _ in range(batch_size)]
            return straightforward_loss_and_gradient(x, windows, sampler, n, k)
        return f
    raise ValueError(f"method must be 'vectorized' or 'straightforward'; got {method!r}")


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
              seed: int = DEFAULT_SEED, progress: bool = False, resume=False, *, method: str = "auto",
              sentences=None, log=print, **hyper) -> SSTTrainResult:
    """Train the assignment's skip-gram on the SST and write the run folder (see runs.py).

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
    if method == "auto":  # the compiled step where numba is installed, else the vectorized one
        method = "compiled" if compiled.HAVE_NUMBA else "vectorized"
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer; got {seed!r}")
    if sentences is None:
        sentences = read_sentences(find_sst(sst_dir))
    init_rng, corpus_rng, rng = (np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(3))
    data = prepare_corpus(sentences, corpus_rng, cfg["copies"], cfg["subsample_threshold"])
    n = len(data.vocab)
    run_dir = Path(run_dir) if run_dir is not None else default_run_dir()
    ck_dir = run_dir / "checkpoints"
    draw_ahead = math.gcd(DRAW_AHEAD, checkpoint_every or DRAW_AHEAD)  # checkpoints fall between bulk draws
    config = {**cfg, "seed": int(seed), "method": method, "draw_ahead": draw_ahead, "n_words": n,
              "corpus": _corpus_digest(sentences)}

    resume_from = None
    if resume:
        resume_from = Path(resume) if not isinstance(resume, bool) else (list_checkpoints(ck_dir) or [None])[-1]
        if resume_from is None:
            raise FileNotFoundError(f"resume was asked for but {ck_dir} holds no checkpoint: train without resume")
        saved = json.loads((run_dir / "config.json").read_text()) if (run_dir / "config.json").is_file() else None
        if saved is not None and saved != config:
            diff = {k: (saved.get(k), v) for k, v in config.items() if saved.get(k) != v}
            raise ValueError(f"cannot resume {run_dir}: its run used other settings (saved, now): {diff}")
    else:
        for old in list_checkpoints(ck_dir):
            old.unlink()
        (run_dir / "losses.npz").unlink(missing_ok=True)  # an earlier run's history must not be joined to this one
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(config, indent=1) + "\n")

    x0 = init_params(n, cfg["dim"], init_rng)
    start = time.perf_counter()
    if method == "compiled":  # the same steps with the loop compiled (fast/sst_sgd.py)
        res = sgd_compiled(data, x0, cfg["step"], iterations, batch_size=cfg["batch_size"], window=cfg["window"],
                           k=cfg["negatives"], anneal_every=cfg["anneal_every"], rng=rng,
                           checkpoint_every=checkpoint_every or None, checkpoint_dir=ck_dir if checkpoint_every else None,
                           resume_from=resume_from, progress=progress, log=log)
    else:
        f = make_objective(data, rng, method, cfg["batch_size"], cfg["window"], cfg["negatives"], draw_ahead)
        res = sgd(f, x0, cfg["step"], iterations, anneal_every=cfg["anneal_every"], rng=rng,
                  checkpoint_every=checkpoint_every or None, checkpoint_dir=ck_dir if checkpoint_every else None,
                  resume_from=resume_from, progress=progress, log=log)
    seconds = time.perf_counter() - start

    losses, emas = res.losses, res.ema_losses
    history = run_dir / "losses.npz"
    if resume_from is not None and history.is_file():
        done = res.iteration - len(losses)  # the iteration resumed from
        with np.load(history, allow_pickle=False) as old:
            if len(old["loss"]) >= done:
                losses = np.concatenate([old["loss"][:done], losses])
                emas = np.concatenate([old["ema"][:done], emas])
            elif log:
                log(f"{history.name} holds {len(old['loss'])} of the {done} iterations before the resume, so the "
                    f"saved loss history starts at iteration {done + 1}")
    np.savez(history, loss=losses, ema=emas)
    save_run(run_dir, data.vocab.words, data.vocab.counts, res.x)
    final = float(emas[-1]) if len(emas) else float("nan")
    return SSTTrainResult(run_dir, data.vocab.words, data.vocab.counts, res.x, losses, emas, res.iteration,
                          final, seconds, list_checkpoints(ck_dir))


def ensure_sst_run(run_dir=None, sst_dir=None, progress: bool = False) -> Path:
    """The run folder, after training it with the defaults if runs.load_run cannot read it."""
    run_dir = Path(run_dir) if run_dir is not None else default_run_dir()
    try:
        load_run(run_dir)
    except (FileNotFoundError, ValueError):
        train_sst(sst_dir=sst_dir, run_dir=run_dir, progress=progress)
    return run_dir
