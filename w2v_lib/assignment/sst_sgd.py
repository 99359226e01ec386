"""The assignment's SGD run with the compiled step: `sgd`'s contract, with the loop compiled too.

`sgd(f, x0, ...)` calls f once per step from Python; at 40,000 steps even a few tens of
microseconds of Python per call add up to a second. Here the steps run in compiled blocks of
BLOCK, and the steps' windows and negatives are drawn by a second thread one block ahead (the
draws never depend on the parameters, so that changes nothing but the wall time). Annealing,
the loss average, checkpoints and resume behave as in `sgd`, and give the same `SGDResult`.

Randomness: the draws come in blocks on a fixed grid (iterations 1–250, 251–500, …), each
block's kernel stream seeded by one draw from the caller's Generator, in block order. The grid
does not move with the checkpoint interval, the annealing or the number of iterations, so none
of them changes the results. A checkpoint at iteration t stores the Generator's state from
before the seed of the block that holds iteration t + 1; a resume draws that block again and
skips the steps already done, so a resumed run draws exactly what the uninterrupted one drew.
The stream is not the vectorized path's (a different generator inside the kernel), so the two
paths agree in distribution and in their final loss, not draw for draw.
"""
from __future__ import annotations

import copy
import math
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..compiled import packed_alias_table, require_numba, seed_state
from ..optimizer import (
    check_sgd_arguments,
    checkpoint_path,
    checkpoint_to_resume,
    diverged,
    diverged_parameters,
    restore_rng,
    save_checkpoint,
)
from ..sampling import NegativeSampler
from ..sgd_loop import SGDResult
from .sst_kernel import EXACT, apply_steps, draw_steps, moving_average, sigmoid_table

BLOCK = 250  # steps per drawn block: long enough to hide the call, short enough to overlap draws


def _segment_end(a: int, end: int, *intervals) -> int:
    """The first iteration after `a` that ends a stretch of training: `end`, or a multiple of an interval."""
    return min([end] + [(a // n + 1) * n for n in intervals if n])


def _write_checkpoint(before_checkpoint, path, x, iteration, step, ema, state, losses, emas):
    if before_checkpoint is not None:
        before_checkpoint(iteration, losses, emas)
    return save_checkpoint(path, x, iteration, step, ema, state)


def _raise_failed(writes) -> None:
    """Raise the error of the first finished write that failed (a full disk, parameters not finite)."""
    for done in writes:
        if done.done() and done.exception() is not None:
            raise done.exception()


def sgd_compiled(data, x0, step: float, iterations: int, *, batch_size: int = 50, window: int = 5, k: int = 10,
                 anneal_every: int = 20000, rng=None, checkpoint_every=None, checkpoint_dir=None,
                 resume_from=None, progress: bool = False, log=print, before_checkpoint=None, threads: int = 2,
                 each_iteration=None, loss_bound: float = math.inf, sigmoid: str = "table",
                 sampler: NegativeSampler | None = None) -> SGDResult:
    """Train the skip-gram of `data` (a TrainingCorpus) from x0 (2|Vocab|, d) float32, as `sgd` would.

    The arguments are sgd's (before_checkpoint included), plus the corpus's batch_size, window and
    k. threads=2 draws the next block while this one trains; threads=1 does both in turn (the same
    result). each_iteration, if given, is called once per iteration, after the block that holds it
    (the kill-and-resume test's hook). A NaN or infinite loss, or one above `loss_bound`, raises
    TrainingDiverged at the end of its stretch of steps, before that stretch's checkpoint; so do
    parameters that are not finite after the last step.
    Checkpoints are written in the background, in order; all are on the disk when the call returns
    or raises and before each_iteration is called for a later iteration (a kill from outside within
    the few milliseconds of a write finds the previous checkpoint the newest: a resume from it is
    just as exact); a write that fails raises its error at a later checkpoint or at the end.
    sigmoid="table" takes σ and log σ from sst_kernel's interpolated table (within SIGMOID_ERROR and
    SOFTPLUS_ERROR of exact; the steps take about 0.9x the time); "exact" computes them with exp and log
    (the formulas of the kernel before the table; the same results up to float32 rounding).
    sampler: the run's NegativeSampler (method "alias"; only its table is read, the kernel draws
    from its own stream); without it, one is made from the corpus's counts.
    """
    require_numba("the compiled SST step")
    check_sgd_arguments(step, iterations, anneal_every, rng, checkpoint_every, checkpoint_dir, rng_required=True)
    if threads not in (1, 2):
        raise ValueError(f"threads must be 1 or 2; got {threads!r}")
    if sigmoid not in ("table", "exact"):
        raise ValueError(f"sigmoid must be 'table' or 'exact'; got {sigmoid!r}")
    table = sigmoid_table() if sigmoid == "table" else EXACT
    x = np.array(x0, dtype=np.float32, order="C")  # a copy, as sgd makes
    n_words = x.shape[0] // 2
    start, ema = 0, None
    if resume_from is not None:
        ck = checkpoint_to_resume(resume_from, x.shape, needs_rng_state=True)
        x[...] = ck["x"]
        start, step, ema = ck["iteration"], ck["step"], ck["ema"]
        restore_rng(rng, ck, resume_from)
        if log:
            log(f"resuming from {resume_from} at iteration {start} (step {step:g})")

    corpus = data.subsampled
    if sampler is None:
        sampler = NegativeSampler(data.vocab.counts, method="alias")
    elif sampler.method != "alias" or sampler.vocab_size != n_words:
        raise ValueError(f"sampler must be a NegativeSampler(method='alias') over the corpus's {n_words} words; "
                         f"got method {sampler.method!r} over {sampler.vocab_size} words")
    alias_table = packed_alias_table(sampler)
    most = batch_size * 2 * window  # pairs a step can have
    blocks = list(range(start // BLOCK, (iterations - 1) // BLOCK + 1)) if iterations > start else []

    # Two sets of buffers, used in turn: block i + 1 is drawn into one while block i trains from the
    # other (fresh arrays for every block would cost a page fault per 4 KB, megabytes per block).
    buffers = [(np.empty((BLOCK, most), dtype=np.int32),  # (steps, pairs) the centre of each pair
                np.empty((BLOCK, most, 1 + k), dtype=np.int32),  # (steps, pairs, 1+K) its o and negatives
                np.empty(BLOCK, dtype=np.int64)) for _ in range(2)]  # (steps,) pairs per step

    def draw(i):
        before = copy.deepcopy(rng)  # the state a checkpoint inside this block must store
        centers, words, n_pairs = buffers[i % 2]
        draw_steps(corpus.tokens, corpus.starts, corpus.lengths, alias_table, batch_size, window, k,
                   seed_state(rng), centers, words, n_pairs)
        return before, centers, words, n_pairs

    losses = np.empty(max(iterations - start, 0), dtype=np.float64)  # (iterations run,)
    emas = np.empty_like(losses)
    written = []
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=iterations, initial=start, desc="sgd (compiled)", unit="it", file=sys.stdout, mininterval=0.5)
    pool = ThreadPoolExecutor(1) if threads == 2 and len(blocks) > 1 else None
    # Checkpoints (and before_checkpoint) are written by a thread of their own, in order, from copies:
    # their fsyncs wait on the disk while the next steps train (20 of them took a quarter of a second).
    writer = ThreadPoolExecutor(1) if checkpoint_every else None
    writes = []
    try:
        ahead = pool.submit(draw, 0) if pool else None
        for i, block in enumerate(blocks):
            drawn = ahead.result() if pool else draw(i)
            if pool and i + 1 < len(blocks):
                ahead = pool.submit(draw, i + 1)
            before, centers, words, n_pairs = drawn
            first, a = block * BLOCK, max(start, block * BLOCK)
            block_end = min(iterations, first + BLOCK)
            while a < block_end:
                b = _segment_end(a, block_end, anneal_every, checkpoint_every)
                lo, hi = a - start, b - start
                apply_steps(x, n_words, centers[a - first:b - first], words[a - first:b - first],
                            n_pairs[a - first:b - first], batch_size, float(step), losses[lo:hi], table)
                worst = lo + int(np.argmax(~np.isfinite(losses[lo:hi]) | (losses[lo:hi] > loss_bound)))
                if (err := diverged(losses[worst], start + worst + 1, step, loss_bound)) is not None:
                    raise err
                ema = moving_average(losses[lo:hi], np.nan if ema is None else ema, emas[lo:hi])
                if each_iteration is not None:
                    for done in writes:  # the hooks see every earlier checkpoint on the disk
                        done.result()
                    for _ in range(a, b):
                        each_iteration()
                if b % anneal_every == 0:
                    step *= 0.5
                if checkpoint_every and b % checkpoint_every == 0:
                    if b < first + BLOCK:  # inside this block: a resume draws it again
                        state = before
                    else:  # at its end: the next block's state (drawn ahead, or the Generator's now)
                        state = ahead.result()[0] if pool and i + 1 < len(blocks) else copy.deepcopy(rng)
                    path = checkpoint_path(checkpoint_dir, b)
                    writes.append(writer.submit(_write_checkpoint, before_checkpoint, path, x.copy(), b, step, ema,
                                                state, losses[:hi].copy(), emas[:hi].copy()))
                    written.append(path)
                    _raise_failed(writes)  # an earlier write that failed stops the run here
                if bar is not None:
                    bar.update(b - a)
                    bar.set_postfix(loss=f"{ema:.3f}", refresh=False)
                a = b
        for done in writes:  # every checkpoint on the disk before the run returns
            done.result()
    finally:
        if pool:
            pool.shutdown(wait=True)
        if writer:  # a run stopped by an error keeps the checkpoints it wrote (the last good one)
            writer.shutdown(wait=True)
        if bar is not None:
            bar.close()
    if (err := diverged_parameters(x, max(start, iterations), step)) is not None:
        raise err
    return SGDResult(x=x, losses=losses, ema_losses=emas, iteration=max(start, iterations), step=step,
                     checkpoints=written, ema=ema)
