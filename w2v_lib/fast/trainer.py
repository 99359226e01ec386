"""The fast word2vec trainer: skip-gram or CBOW with negative sampling, float32, minibatched.

    result = train_word2vec(sentences, model="skipgram", epochs=5, seed=0)
    result.center_vectors    # (|Vocab|, d) the v_w, the usual word vectors

One thread (the default) is deterministic for a given seed: every random draw comes from one
Generator, in a fixed order. With threads=2 the chunks of an epoch are trained concurrently on
the same tables without locks (Hogwild!, as word2vec and gensim do); NumPy, BLAS and SciPy's
sparse kernels release the GIL, so the threads overlap, but the result then depends on timing.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..assignment.sst_kernel import EXACT, sigmoid_table
from ..compiled import alias_tables, seed_state
from ..corpora import Vocabulary, build_vocabulary, encode, keep_probabilities
from ..initialisation import fast_start, initial_center_vectors
from ..optimizer import TrainingDiverged, checkpoint_path, checkpoint_to_resume, restore_rng, save_checkpoint
from ..sampling import NegativeSampler, noise_distribution
from . import batching, kernels, word_kernels
from .config import PAIR_MODES, SHUFFLES, FastConfig, make_config

LOSS_EVERY = 8  # compute the loss on one batch in this many (it costs a log per score)


@dataclass
class FastResult:
    vocab: Vocabulary
    center_vectors: np.ndarray  # (|Vocab|, d) float32, the v_w
    outside_vectors: np.ndarray  # (|Vocab|, d) float32, the u_w
    config: FastConfig
    epochs_done: int
    effective_words: int  # tokens trained on in this call, after subsampling (gensim's count)
    seconds: float  # time spent in the training loop
    epoch_losses: list = field(default_factory=list)  # mean loss per example, per epoch run here
    row_updates: int = 0  # compiled kernels: row updates done (6·d flops each), for the arithmetic rate
    checkpoints: list = field(default_factory=list)

    @property
    def words(self) -> list:
        return self.vocab.words

    @property
    def stacked(self) -> np.ndarray:
        """The parameters as the course stacks them: [center_vectors; outside_vectors], (2|Vocab|, d)."""
        return np.concatenate([self.center_vectors, self.outside_vectors])


def train_word2vec(sentences, config: FastConfig | None = None, *, vocab: Vocabulary | None = None,
                   progress: bool = False, checkpoint_dir=None, checkpoint_every: int | None = None,
                   resume_from=None, log=print, **options) -> FastResult:
    """Train word vectors on `sentences` (lists of str tokens).

    Args:
        sentences: the corpus, e.g. `corpora.wiki_sample_sentences()`.
        config, **options: a FastConfig and/or its fields by name (see FastConfig); an unknown
            name raises a ValueError listing the valid ones.
        vocab: a Vocabulary to use instead of building one with `min_count`.
        progress: show a tqdm bar counting trained words (its rate is words/s).
        checkpoint_dir, checkpoint_every: write sgd_<epoch>.npz (x = [center; outside]) there
            after every so many epochs.
        resume_from: a checkpoint to continue from (never picked up silently); pass the same
            sentences and options as the interrupted run to reproduce it exactly.
    """
    cfg = make_config(config, **options)
    if checkpoint_every is not None and (checkpoint_every < 1 or checkpoint_dir is None):
        raise ValueError("checkpoint_every needs a positive number of epochs and a checkpoint_dir; "
                         f"got checkpoint_every={checkpoint_every!r}, checkpoint_dir={checkpoint_dir!r}")
    if vocab is None:
        vocab = build_vocabulary(sentences, min_count=cfg.min_count, order="count", unknown="drop")
    _check_memory(cfg, len(vocab))
    corpus = batching.flatten(encode(sentences, vocab), cfg.chunk_words)

    rng = np.random.default_rng(cfg.seed)
    n, d = len(vocab), cfg.vector_size
    center_vectors = initial_center_vectors(n, d, rng, fast_start(cfg.method))  # (|Vocab|, d) ±0.5/d, compiled ±1/d
    outside_vectors = np.zeros((n, d), dtype=np.float32)  # (|Vocab|, d)
    start_epoch = 0
    if resume_from is not None:
        ck = checkpoint_to_resume(resume_from, (2 * n, d), needs_rng_state=True,
                                  shape_hint="pass the same sentences and options")
        center_vectors, outside_vectors = (np.ascontiguousarray(a, dtype=np.float32) for a in np.split(ck["x"], 2))
        start_epoch = ck["iteration"]
        restore_rng(rng, ck, resume_from)
        if log:
            log(f"resuming from {resume_from} after epoch {start_epoch} of {cfg.epochs}")

    trainer = _EpochRunner(cfg, corpus, vocab.counts, center_vectors, outside_vectors, rng)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(desc=f"{cfg.model}", unit="word", unit_scale=True, dynamic_ncols=True)
    result = FastResult(vocab, center_vectors, outside_vectors, cfg, start_epoch, 0, 0.0)
    with _single_threaded_blas(), np.errstate(over="ignore", invalid="ignore"):  # divergence is checked below
        epoch = start_epoch
        while epoch < cfg.epochs:
            # the epochs up to the next checkpoint run as one stream of chunks (no wait at an epoch's end)
            stop = cfg.epochs if not checkpoint_every else min(cfg.epochs, (epoch // checkpoint_every + 1)
                                                               * checkpoint_every)
            t0 = time.perf_counter()
            per_epoch = trainer.run_epochs(epoch, stop, bar)
            result.seconds += time.perf_counter() - t0
            finite = np.isfinite(center_vectors).all() and np.isfinite(outside_vectors).all()
            for done, (words, loss) in enumerate(per_epoch, epoch + 1):
                if np.isinf(loss) or not (finite or done < stop):
                    raise TrainingDiverged(f"training diverged in epoch {done} (loss {loss}): lower alpha (got "
                                           f"{cfg.alpha}) or batch_size (got {cfg.batch_size})", iteration=done)
                result.effective_words += words
                result.epoch_losses.append(loss)
            epoch = result.epochs_done = stop
            result.row_updates = trainer.row_updates
            if checkpoint_every and epoch % checkpoint_every == 0:
                path = checkpoint_path(Path(checkpoint_dir), epoch)
                result.checkpoints.append(save_checkpoint(path, result.stacked, epoch,
                                                          trainer.lr_at(epoch, 0.0), loss, rng))
    if bar is not None:
        bar.close()
    return result


def _check_memory(cfg: FastConfig, n_words: int) -> None:
    """Refuse options whose tables or per-chunk arrays cannot fit in memory, with the figures, before allocating."""
    from .._limits import check_fits

    tables = 2 * n_words * cfg.vector_size * 4 * 2  # center and outside vectors, and a stacked copy to checkpoint
    pairs = cfg.chunk_words * 2 * cfg.window  # (center, context) pairs of one chunk, at most
    per_chunk = pairs * 8 * 3 + pairs * cfg.vector_size * 4 * 2  # indices, and the rows a batch gathers
    if cfg.method != "compiled":
        groups = -(-pairs // max(cfg.negative_group or 1, 1))
        per_chunk += groups * (cfg.shared_negatives or cfg.negative) * 4
    check_fits(tables + per_chunk * max(cfg.threads, 1),
               f"train_word2vec with vector_size={cfg.vector_size}, window={cfg.window}, negative={cfg.negative}, "
               f"chunk_words={cfg.chunk_words} and threads={cfg.threads} on {n_words:,} words",
               "lower vector_size, window, negative, chunk_words or threads, or raise min_count")


class _EpochRunner:
    def __init__(self, cfg, corpus, counts, center_vectors, outside_vectors, rng):
        self.cfg, self.corpus, self.rng = cfg, corpus, rng
        self.center_vectors, self.outside_vectors = center_vectors, outside_vectors
        keep_prob = keep_probabilities(counts, threshold=cfg.sample, word2vec=True)  # (|Vocab|,)
        self.keep_prob = keep_prob.astype(np.float32)
        self.noise = noise_distribution(counts)  # (|Vocab|,) unigram^0.75
        if cfg.method == "compiled":  # the alias table, compact for the kernels
            self.threshold, self.alias = alias_tables(NegativeSampler(counts, method="alias"))
            self.sigmoid = sigmoid_table() if cfg.sigmoid == "table" else EXACT  # (n, 4) or (0, 4) float32
        self.neg_weight = np.float32(cfg.negative / cfg.shared_negatives)
        self.total_tokens = corpus.chunk_bounds[-1]
        self.row_updates = 0  # compiled kernels only: score + two multiply-adds of d numbers each

    def lr_at(self, epoch, within) -> float:
        cfg = self.cfg
        progress = min((epoch + within) / cfg.epochs, 1.0)
        return cfg.alpha - (cfg.alpha - cfg.min_alpha) * progress

    def run_epochs(self, first, stop, bar) -> list:
        """Train epochs first..stop−1; returns [(words, mean loss)] per epoch.

        One seed per chunk, drawn in order from the run's Generator (the same numbers as one epoch's
        seeds after another's): the data of every chunk is the same whatever the thread count, and
        the Generator's state after `stop` is a complete checkpoint of the randomness. With threads,
        the chunks of all these epochs form one queue, so no thread waits for another at an epoch's
        end (an epoch's last chunks overlap the next epoch's first, as in word2vec and gensim)."""
        seeds = self.rng.integers(2**63, size=(stop - first, self.corpus.n_chunks))  # (epochs, chunks)
        jobs = [(epoch, i, int(s)) for epoch, row in zip(range(first, stop), seeds) for i, s in enumerate(row)]
        outcomes = []
        with ThreadPoolExecutor(self.cfg.threads) if self.cfg.threads > 1 else _InThisThread() as pool:
            for job, out in zip(jobs, pool.map(lambda job: self._run_chunk(*job), jobs)):
                outcomes.append((job[0], *out))
                if bar is not None:
                    bar.update(out[0])
        self.row_updates += sum(o[4] for o in outcomes)
        per_epoch = []
        for epoch in range(first, stop):
            mine = [o for o in outcomes if o[0] == epoch]
            loss_n = sum(o[3] for o in mine)
            per_epoch.append((sum(o[1] for o in mine), sum(o[2] for o in mine) / loss_n if loss_n else float("nan")))
            if bar is not None:
                bar.set_postfix(epoch=epoch + 1, loss=f"{per_epoch[-1][1]:.3f}")
        return per_epoch

    def _run_chunk(self, epoch, chunk, seed):
        cfg, rng = self.cfg, np.random.default_rng(seed)
        lo, hi = self.corpus.chunk_bounds[chunk], self.corpus.chunk_bounds[chunk + 1]
        if cfg.method == "compiled":
            words, loss_sum, loss_n, rows, _ = word_kernels.train_chunk(
                self.center_vectors, self.outside_vectors, self.corpus.tokens[lo:hi], self.corpus.sentence_ids[lo:hi],
                self.keep_prob,
                self.threshold, self.alias, cfg.model == "cbow", cfg.window, cfg.negative, cfg.shared_negatives,
                cfg.cbow_mean, self.lr_at(epoch, lo / self.total_tokens), self.lr_at(epoch, hi / self.total_tokens),
                seed_state(rng), LOSS_EVERY, self.sigmoid, PAIR_MODES[cfg.sharing],
                SHUFFLES["compiled"][cfg.shuffle], int(cfg.prefetch))
            return words, loss_sum, loss_n, rows
        tokens, sids = batching.subsample_chunk(self.corpus.tokens[lo:hi], self.corpus.sentence_ids[lo:hi],
                                          self.keep_prob, rng)
        centers, contexts = batching.windows(tokens, sids, cfg.window, rng)
        B = cfg.batch_size
        n_batches = -(-centers.shape[0] // B)
        groups = -(-B // cfg.negative_group)
        negatives = rng.choice(self.noise.shape[0], size=(n_batches, groups, cfg.shared_negatives),
                               p=self.noise).astype(np.int32)  # (n_batches, G, M)
        loss_sum, loss_n = 0.0, 0
        for b in range(n_batches):
            sl = slice(b * B, (b + 1) * B)
            lr = np.float32(self.lr_at(epoch, (lo + (hi - lo) * b / n_batches) / self.total_tokens))
            want = b % LOSS_EVERY == 0
            words, indptr = batching.window_layout(contexts[sl])
            if cfg.model == "skipgram":
                loss = kernels.skipgram_step(self.center_vectors, self.outside_vectors, centers[sl], words, indptr,
                                             negatives[b], lr, self.neg_weight, want)
            else:
                loss = kernels.cbow_step(self.center_vectors, self.outside_vectors, centers[sl], words, indptr,
                                         negatives[b], lr, self.neg_weight, cfg.cbow_mean, want)
            if want:
                loss_sum += loss
                loss_n += words.shape[0] if cfg.model == "skipgram" else indptr.shape[0] - 1
        return tokens.shape[0], loss_sum, loss_n, 0


class _InThisThread:
    """ThreadPoolExecutor's `map` for one thread: the jobs run in order, in the caller's thread."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def map(func, items):
        return map(func, items)


class _single_threaded_blas:
    """Keep BLAS to one thread: its products here are small, and our own threads share the cores."""

    def __enter__(self):
        from threadpoolctl import threadpool_limits
        self._limits = threadpool_limits(limits=1, user_api="blas")
        return self

    def __exit__(self, *exc):
        self._limits.restore_original_limits()
