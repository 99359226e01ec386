"""The assignment's run: skip-gram with negative sampling on the SST, trained by the core `sgd`.

`train_sst` reads the treebank, prepares the course's corpus (corpora.prepare_corpus), draws
batches and steps through `step.make_objective`, and writes everything into a `RunFolder`.
"""
from __future__ import annotations

import hashlib
import math
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import compiled
from .._limits import check_disk, check_fits
from ..corpora import find_sst, prepare_corpus, read_sentences
from ..initialisation import init_params, run_streams
from ..optimizer import TrainingDiverged, diverged, load_checkpoint, restore_rng
from ..sampling import NegativeSampler
from ..sgd_loop import sgd
from .run_folder import RunFolder, RunSettingsError
from .sst_sgd import BLOCK, sgd_compiled

# The assignment's configuration (run.py / q3_run.py and word2vec_sgd_wrapper).
DEFAULTS = dict(dim=10, window=5, negatives=10, batch_size=50, step=0.3, anneal_every=20000, copies=30,
                subsample_threshold=1e-5)
DEFAULT_SEED = 31415
DRAW_AHEAD = 100  # SGD steps whose windows and negatives are drawn in one bulk call
METHODS = ("compiled", "vectorized", "straightforward")
# A loss above this many nats per term (each pair has 1 + K terms −log σ(·)) means scores of that
# size: σ saturated, the gradient a constant push, the run diverging (`--step 50` reached 1e35).
LOSS_BOUND_PER_TERM = 100.0
# Fault injection (tests only): callables run once per iteration, before it (vectorized) or after the
# compiled block that holds it; tests/support/fault_runner.py puts its mid-training kill here.
ITERATION_HOOKS: list = []
ALONGSIDE_SWITCH_S = 0.0005  # the GIL switch interval while `alongside` runs (see _start_alongside)


@dataclass
class SSTTrainResult:
    run_dir: Path
    words: list
    counts: np.ndarray  # (|Vocab|,)
    params: np.ndarray  # (2|Vocab|, d) float32 [center_vectors; outside_vectors]
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


def check_saved_config(saved: dict, path) -> None:
    """Refuse a config.json whose fields are not the settings a run writes (RunSettingsError naming the field)."""
    def bad(field, what):
        return RunSettingsError(f"{path}: field {field!r} {what}; got {saved.get(field)!r}: restore config.json, "
                                "or start the run again with --overwrite")

    for name in (*_POSITIVE_INTS, "n_words", "draw_ahead", "checkpoint_every"):
        if name in saved and (not _is_int(saved[name]) or saved[name] < (0 if name == "checkpoint_every" else 1)):
            raise bad(name, "must be a positive integer")
    for name in ("step", "subsample_threshold"):
        value = saved.get(name)
        if name in saved and (isinstance(value, bool) or not isinstance(value, (int, float))
                              or not 0 < value < math.inf):
            raise bad(name, "must be a positive finite number")
    if "seed" in saved and not _is_int(saved["seed"]):
        raise bad("seed", "must be an integer")
    if "method" in saved and saved["method"] not in METHODS:
        raise bad("method", f"must be one of {list(METHODS)}")
    if "corpus" in saved and not isinstance(saved["corpus"], str):
        raise bad("corpus", "must be the corpus's digest (a string)")


INFORMATIONAL = frozenset({"checkpoint_every"})  # in config.json for the messages; results do not depend on it


def describe_changes(saved: dict, config: dict) -> list:
    """What a resume (or a rerun) with `config` would change of the results of the run `saved` describes,
    in the user's words; the checkpoint interval only where it matters (the vectorized draws)."""
    out = []
    for key in sorted((set(saved) | set(config)) - INFORMATIONAL):
        before, now = saved.get(key), config.get(key)
        if before == now or (key == "draw_ahead" and saved.get("method") != config.get("method")):
            continue  # the method's change says it
        if key == "draw_ahead":
            every = saved.get("checkpoint_every")
            out.append("the checkpoint interval: the vectorized method draws its batches in groups set by "
                       "--checkpoint-every (checkpoint_every=), so another interval draws other batches; resume "
                       + (f"with --checkpoint-every {every}" if every else "with the interval the run began with")
                       if before is not None and now is not None else
                       "the method's random draws (the run was made by another version or method)")
        elif key in ("corpus", "n_words"):
            out.append(f"the corpus ({key} {before} → {now}): another treebank, --copies or subsample threshold")
        else:
            out.append(f"{key} {before} → {now}")
    return out


def _check_resources(cfg, method, iterations, checkpoint_every, n_tokens, n_types, run: RunFolder) -> None:
    """Refuse settings whose arrays cannot fit in memory, or whose files cannot fit on the disk, before allocating."""
    b, c, k, d = cfg["batch_size"], cfg["window"], cfg["negatives"], cfg["dim"]
    pairs = b * 2 * c * (1 + k)  # (negative or outside word, pair) slots of one step, at most
    tables = 2 * n_types * d * 4 * 3  # the parameters, their copy in sgd, the word vectors written
    corpus = n_tokens * cfg["copies"] * 24  # tokens, their sentence ids and the subsampled copy (int64)
    history = iterations * 8 * 6  # losses and their averages, and the concatenations that save them
    if method == "compiled":
        steps = 2 * BLOCK * pairs * 4  # two drawn blocks of int32 indices
    else:
        steps = math.gcd(DRAW_AHEAD, checkpoint_every or DRAW_AHEAD) * pairs * 8 * 3 + pairs * d * 8 * 4
    hint = ("lower --negatives, --batch-size, --window, --copies, --dim or --iterations (keywords of the same "
            "names in train_sst)")
    check_fits(tables + corpus + history + steps,
               f"training with batch_size={b}, window={c}, negatives={k}, dim={d}, copies={cfg['copies']} "
               f"and {iterations:,} iterations", hint)
    n_checkpoints = iterations // checkpoint_every if checkpoint_every else 0
    on_disk = n_checkpoints * 2 * n_types * d * 4 + n_types * 2 * d * 16 + iterations * 16
    check_disk(on_disk, run.path, f"this run ({n_checkpoints} checkpoints of {2 * n_types * d * 4:,} bytes, "
                                  f"vectors.txt, losses.npz)",
               "free some space, lower --dim, checkpoint less often (--checkpoint-every), or choose another "
               "--run-dir")


def _check_resume_point(ck: dict, path, rng: np.random.Generator, seed: int, cfg: dict, iterations: int) -> None:
    """Refuse a checkpoint that another run wrote (another seed or step) or that lies past `iterations`;
    `rng` is this run's training stream (the one `seed` gives)."""
    it = ck["iteration"]
    if it > iterations:
        raise RunSettingsError(f"{path} is at iteration {it:,}, past the {iterations:,} iterations asked for: "
                               f"ask for at least {it:,} (--iterations), or resume from an earlier checkpoint")
    if ck["rng_state"] is None:
        raise RunSettingsError(f"{path} holds no random state, so the run cannot be continued exactly: resume from "
                               "a checkpoint that train_sst wrote")
    theirs = np.random.default_rng(0)
    restore_rng(theirs, ck, path)  # a state numpy accepts (else a message naming the field)
    # PCG64's increment is fixed by the seed and never changes as it draws: it tells whose stream this is
    if theirs.bit_generator.state["state"]["inc"] != rng.bit_generator.state["state"]["inc"]:
        raise RunSettingsError(f"{path} was written by a run with another seed (its random stream is not seed "
                               f"{seed}'s): resume with that run's --seed, or start over with --overwrite")
    expected = cfg["step"] * 0.5 ** (it // cfg["anneal_every"])  # what sgd's halving makes of the step
    if not math.isclose(ck["step"], expected, rel_tol=1e-12):
        raise RunSettingsError(f"{path} holds step {ck['step']:g} at iteration {it:,}; step {cfg['step']:g} "
                               f"halved every {cfg['anneal_every']:,} iterations gives {expected:g}: it was "
                               "written with another --step or --anneal-every; resume with the run's own")


def _retry_advice(step: float) -> str:
    """What to try after a run with `step` diverged (written before the SGD: it needs only the settings)."""
    return (f"Start again with a smaller step, e.g. --step {min(step / 10, DEFAULTS['step']):g} (step=), and "
            "--overwrite, or in another --run-dir")


def _divergence(err: TrainingDiverged, run: RunFolder, advice: str) -> TrainingDiverged:
    """The message a user reads: where it diverged, what is kept, `advice` (a step to try)."""
    latest = run.latest_checkpoint()
    kept = (f"the last good checkpoint, {latest.name}, is kept in {run.checkpoint_dir}" if latest
            else "no checkpoint was written before it")
    return TrainingDiverged(f"{err}; {kept}. {advice}", err.iteration)


def train_sst(sst_dir=None, run_dir=None, iterations: int = 40000, checkpoint_every: int | None = 2000,
              seed: int = DEFAULT_SEED, progress: bool = False, resume=False, *, overwrite: bool = False,
              method: str = "vectorized", sentences=None, log=print, alongside=None, **hyper) -> SSTTrainResult:
    """Train the assignment's skip-gram on the SST and write the run folder (see run_folder.py).

    Hyperparameters (keywords): dim, window (C), negatives (K), batch_size, step, anneal_every,
    copies, subsample_threshold (the 1e-5 in the drop probability); the defaults are the
    assignment's (DEFAULTS). `sentences` (lists of tokens) replaces the treebank, for small
    experiments. `resume=True` continues from the run's latest checkpoint, or pass a checkpoint
    path (one of this run's: another seed or step is refused). A folder that holds an earlier
    run is never emptied unless `overwrite=True`, and a folder that holds anything else is not
    written into (run_folder.py). The folder is locked for the whole call: a second process
    gets RunBusyError.
    Every argument is checked before anything is read or written, and the memory and disk the
    settings need against what the machine has (ResourceLimitError, with the figures).
    A NaN or infinite loss, a loss above LOSS_BOUND_PER_TERM per term, or parameters that are
    not finite at the end stop the run (TrainingDiverged) and keep the last good checkpoint.
    Same seed, same everything: the run is bit-for-bit reproducible, through kills and resumes;
    with method="compiled" the checkpoint interval does not change the results either.
    `alongside`, a function of no arguments, runs in a thread of its own from the start of the SGD
    (the compiled steps release the GIL, so it costs the run nothing on a second core); its errors
    are ignored, so it must only prepare what a later call does again (the command line's plot).
    """
    cfg = check_settings(iterations, checkpoint_every, seed, resume, overwrite, hyper)
    if method == "auto":  # the compiled step (sst_sgd.py) where numba is installed, else the vectorized one
        method = "compiled" if compiled.HAVE_NUMBA else "vectorized"
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)} (or 'auto'); got {method!r}")
    checkpoint_every = checkpoint_every or None
    run = RunFolder(run_dir)
    run.check_location()
    if sentences is None:
        sentences = read_sentences(find_sst(sst_dir))
    _check_resources(cfg, method, iterations, checkpoint_every, sum(len(s) for s in sentences),
                     len({w for s in sentences for w in s}), run)
    run.check_not_foreign(overwrite)  # before the lock file is made in a folder that is not a run's
    with run.owned():  # one owner from the first write to the last
        return _train_owned(run, sentences, cfg, method, iterations, checkpoint_every, int(seed), progress, resume,
                            overwrite, log, alongside)


def _train_owned(run, sentences, cfg, method, iterations, checkpoint_every, seed, progress, resume, overwrite,
                 log, alongside) -> SSTTrainResult:
    init_rng, corpus_rng, rng = run_streams(seed)
    data = prepare_corpus(sentences, corpus_rng, cfg["copies"], cfg["subsample_threshold"])
    n = len(data.vocab)
    config = {**cfg, "seed": seed, "method": method, "n_words": n, "corpus": _corpus_digest(sentences),
              "checkpoint_every": checkpoint_every or 0}
    if method != "compiled":  # the compiled draws do not depend on the checkpoint interval (sst_sgd.py)
        from .step import make_objective  # here: it imports scipy.special (0.25 s), which the compiled run never uses

        config["draw_ahead"] = math.gcd(DRAW_AHEAD, checkpoint_every or DRAW_AHEAD)  # checkpoints between draws

    resume_from = run.begin(config, resume, overwrite, log=log, iterations=iterations,  # the first write
                            check_saved=lambda saved: check_saved_config(saved, run.config_path),
                            changes=describe_changes)
    start_iteration = 0
    if resume_from is not None:
        ck = load_checkpoint(resume_from)
        _check_resume_point(ck, resume_from, rng, seed, cfg, iterations)
        start_iteration = ck["iteration"]
    before_losses, before_emas = run.history_before(start_iteration, log=log)
    advice = _retry_advice(cfg["step"])  # everything is checked and the folder is ours: now the data goes down

    def save_history(_, losses, emas, finished=False):  # losses.npz always reaches the newest checkpoint
        run.write_losses(np.concatenate([before_losses, losses]), np.concatenate([before_emas, emas]), finished)

    bound = LOSS_BOUND_PER_TERM * 2 * cfg["window"] * (1 + cfg["negatives"])
    calls = [start_iteration]

    # one noise distribution for the run, drawn from by whichever SGD path trains it
    sampler = NegativeSampler(data.vocab.counts, rng, method="cdf" if method == "straightforward" else "alias")
    f = None
    if method != "compiled":
        f = make_objective(data, rng, method, cfg["batch_size"], cfg["window"], cfg["negatives"],
                           config["draw_ahead"], sampler=sampler)

    def objective(x):  # the vectorized paths: the loss bound, and the fault-injection seam
        for hook in ITERATION_HOOKS:
            hook()
        loss, grad = f(x)
        calls[0] += 1
        step = cfg["step"] * 0.5 ** ((calls[0] - 1) // cfg["anneal_every"])
        if (err := diverged(loss, calls[0], step, bound)) is not None and np.isfinite(loss):
            raise err  # NaN and inf: sgd's own check says so
        return loss, grad

    def each_iteration():
        for hook in ITERATION_HOOKS:
            hook()

    x0 = init_params(n, cfg["dim"], init_rng)
    switch = _start_alongside(alongside)
    start = time.perf_counter()
    with run.writing():
        try:
            common = dict(anneal_every=cfg["anneal_every"], rng=rng, checkpoint_every=checkpoint_every,
                          checkpoint_dir=run.checkpoint_dir, resume_from=resume_from, progress=progress, log=log,
                          before_checkpoint=save_history)
            if method == "compiled":
                res = sgd_compiled(data, x0, cfg["step"], iterations, batch_size=cfg["batch_size"],
                                   window=cfg["window"], k=cfg["negatives"], loss_bound=bound, sampler=sampler,
                                   each_iteration=each_iteration if ITERATION_HOOKS else None, **common)
            else:
                res = sgd(objective, x0, cfg["step"], iterations, **common)
        except TrainingDiverged as err:
            raise _divergence(err, run, advice) from None
        finally:
            if switch:
                _release_switch_interval()
        seconds = time.perf_counter() - start
        run.save(data.vocab.words, data.vocab.counts, res.x)
        save_history(None, res.losses, res.ema_losses, finished=True)  # after the vectors: marks the run done
    losses, emas = np.concatenate([before_losses, res.losses]), np.concatenate([before_emas, res.ema_losses])
    # the average sgd ended with (a resume with nothing left to do: the checkpoint's), else the history's
    ema = res.ema if res.ema is not None else (emas[-1] if len(emas) else None)
    final = float("nan") if ema is None else float(ema)
    return SSTTrainResult(run.path, data.vocab.words, data.vocab.counts, res.x, losses, emas, res.iteration,
                          final, seconds, run.checkpoints())


def _start_alongside(task) -> bool:
    """Start `task` in a thread; True when it did, and the caller then owes `_release_switch_interval()`.

    The SGD thread needs the GIL for a moment between its compiled blocks (every few milliseconds);
    while another thread runs Python it would wait up to the switch interval (5 ms) each time, which
    would stretch the SGD, so the interval is ALONGSIDE_SWITCH_S meanwhile."""
    if task is None:
        return False

    def quietly():
        try:
            task()
        except Exception:  # noqa: BLE001 — a preparation: the call it prepares raises the same error itself
            pass

    _lower_switch_interval()
    # Not a daemon: a run that stops early (a diverged step, a bad argument) ends the interpreter while the
    # task may still be inside matplotlib's C++ code, and a daemon thread killed there aborts the process
    # ("terminate called without an active exception", exit -6) after the error was printed; the
    # interpreter waits for it instead (a fraction of a second).
    threading.Thread(target=quietly, name="alongside the SGD", daemon=False).start()
    return True


# The switch interval is the interpreter's, shared by overlapping train_sst calls (threads): the first
# to lower it keeps the value to restore and the last to finish restores it, in whatever order they end.
_switch_guard = threading.Lock()
_switch_state = {"holders": 0, "restore": None}


def _lower_switch_interval() -> None:
    with _switch_guard:
        if _switch_state["holders"] == 0:
            _switch_state["restore"] = sys.getswitchinterval()
            sys.setswitchinterval(ALONGSIDE_SWITCH_S)
        _switch_state["holders"] += 1


def _release_switch_interval() -> None:
    with _switch_guard:
        _switch_state["holders"] -= 1
        if _switch_state["holders"] == 0:
            sys.setswitchinterval(_switch_state["restore"])


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
