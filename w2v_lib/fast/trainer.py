"""The fast word2vec trainer: skip-gram or CBOW with negative sampling, float32, minibatched.

    result = train_word2vec(sentences, model="skipgram", epochs=5, seed=0)
    result.center_vectors    # (|V|, d) the v_w, the usual word vectors

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

from ..compiled import alias_tables, seed_state
from ..corpora import Vocabulary, build_vocabulary, encode
from ..initialisation import fast_start, initial_center_vectors
from ..optimizer import TrainingDiverged, checkpoint_path, checkpoint_to_resume, restore_rng, save_checkpoint
from ..sampling import NegativeSampler, noise_distribution
from . import batching, kernels, word_kernels
from .config import PAIR_MODES, SHUFFLES, FastConfig, make_config

LOSS_EVERY = 8  # compute the loss on one batch in this many (it costs a log per score)


@dataclass
class FastResult:
    vocab: Vocabulary
    center_vectors: np.ndarray  # (|V|, d) float32, the v_w
    outside_vectors: np.ndarray  # (|V|, d) float32, the u_w
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
        """The parameters as the course stacks them: [center_vectors; outside_vectors], (2|V|, d)."""
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
    center_vectors = initial_center_vectors(n, d, rng, fast_start(cfg.method))  # (|V|, d) ±0.5/d, compiled ±1/d
    outside_vectors = np.zeros((n, d), dtype=np.float32)  # (|V|, d)
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
        for epoch in range(start_epoch, cfg.epochs):
            t0 = time.perf_counter()
            words, loss = trainer.run_epoch(epoch, bar)
            if np.isinf(loss) or not (np.isfinite(center_vectors).all() and np.isfinite(outside_vectors).all()):
                raise TrainingDiverged(f"training diverged in epoch {epoch + 1} (loss {loss}): lower alpha "
                                       f"(got {cfg.alpha}) or batch_size (got {cfg.batch_size})", iteration=epoch + 1)
            result.seconds += time.perf_counter() - t0
            result.effective_words += words
            result.epoch_losses.append(loss)
            result.epochs_done = epoch + 1
            result.row_updates = trainer.row_updates
            if checkpoint_every and (epoch + 1) % checkpoint_every == 0:
                path = checkpoint_path(Path(checkpoint_dir), epoch + 1)
                result.checkpoints.append(save_checkpoint(path, result.stacked, epoch + 1,
                                                          trainer.lr_at(epoch + 1, 0.0), loss, rng))
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
        self.keep_prob = batching.keep_probabilities(counts, cfg.sample).astype(np.float32)  # (|V|,)
        self.noise = noise_distribution(counts)  # (|V|,) unigram^0.75
        if cfg.method == "compiled":  # the alias table, compact for the kernels
            self.threshold, self.alias = alias_tables(NegativeSampler(counts, method="alias"))
        self.neg_weight = np.float32(cfg.negative / cfg.shared_negatives)
        self.total_tokens = corpus.chunk_bounds[-1]
        self.row_updates = 0  # compiled kernels only: score + two multiply-adds of d numbers each

    def lr_at(self, epoch, within) -> float:
        cfg = self.cfg
        progress = min((epoch + within) / cfg.epochs, 1.0)
        return cfg.alpha - (cfg.alpha - cfg.min_alpha) * progress

    def run_epoch(self, epoch, bar):
        # One seed per chunk, drawn in order from the run's Generator: the data of every chunk is
        # the same whatever the thread count, and the Generator's state at an epoch's end is a
        # complete checkpoint of the randomness.
        seeds = self.rng.integers(2**63, size=self.corpus.n_chunks)
        jobs = [(epoch, i, int(s)) for i, s in enumerate(seeds)]
        if self.cfg.threads == 1:
            outcomes = [self._run_chunk(*job) for job in jobs]
            for words, *_ in outcomes:
                bar is not None and bar.update(words)
        else:
            with ThreadPoolExecutor(self.cfg.threads) as pool:
                outcomes = []
                for out in pool.map(lambda job: self._run_chunk(*job), jobs):
                    outcomes.append(out)
                    bar is not None and bar.update(out[0])
        words = sum(o[0] for o in outcomes)
        self.row_updates += sum(o[3] for o in outcomes)
        loss_sum, loss_n = sum(o[1] for o in outcomes), sum(o[2] for o in outcomes)
        loss = loss_sum / loss_n if loss_n else float("nan")
        if bar is not None:
            bar.set_postfix(epoch=epoch + 1, loss=f"{loss:.3f}")
        return words, loss

    def _run_chunk(self, epoch, chunk, seed):
        cfg, rng = self.cfg, np.random.default_rng(seed)
        lo, hi = self.corpus.chunk_bounds[chunk], self.corpus.chunk_bounds[chunk + 1]
        if cfg.method == "compiled":
            words, loss_sum, loss_n, rows, _ = word_kernels.train_chunk(
                self.center_vectors, self.outside_vectors, self.corpus.tokens[lo:hi], self.corpus.sentence_ids[lo:hi],
                self.keep_prob,
                self.threshold, self.alias, cfg.model == "cbow", cfg.window, cfg.negative, cfg.shared_negatives,
                cfg.cbow_mean, self.lr_at(epoch, lo / self.total_tokens), self.lr_at(epoch, hi / self.total_tokens),
                seed_state(rng), LOSS_EVERY, PAIR_MODES[cfg.sharing],
                SHUFFLES["compiled"][cfg.shuffle])
            return words, loss_sum, loss_n, rows
        tokens, sids = batching.subsample(self.corpus.tokens[lo:hi], self.corpus.sentence_ids[lo:hi],
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


class _single_threaded_blas:
    """Keep BLAS to one thread: its products here are small, and our own threads share the cores."""

    def __enter__(self):
        from threadpoolctl import threadpool_limits
        self._limits = threadpool_limits(limits=1, user_api="blas")
        return self

    def __exit__(self, *exc):
        self._limits.restore_original_limits()
