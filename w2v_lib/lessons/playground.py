"""The SST playground: change a setting, retrain the assignment's model in seconds, see what changed.

    pg = Playground(read_sentences(find_sst()))
    run = pg.train(Settings(dim=10, window=5))      # the compiled SGD run (sst_sgd.py)
    figure = draw(run)                              # loss curve, 2-D word plot, movement from the start
    playground_widget(pg)                           # sliders, cancel, reset, compare: playground_widget.py

Each run starts as `train_sst` starts (same seed, same initial vectors, the same subsampled
copies of the treebank for a given number of copies), so moving a slider and moving it back
gives the same picture. The yardstick is how far the center vectors moved from their
initialisation, split into the part along the one direction they all moved along (the
frequency direction of notebook 06) and the part across it.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass, fields

import numpy as np

from ..assignment.sst_sgd import BLOCK, sgd_compiled
from ..assignment.train import DEFAULT_SEED, DEFAULTS
from ..assignment.word_plot import COURSE_WORDS, pca_2d, plot_words_2d, select_words
from ..corpora import FREQUENT_MIN_COUNT, prepare_corpus
from ..initialisation import init_params, run_streams
from ..optimizer import TrainingDiverged
from .learning_dynamics import shared_direction, split_movement

# (lowest, highest) of each slider; the defaults are the assignment's
RANGES = {"dim": (2, 50), "window": (1, 10), "negatives": (1, 30), "step": (0.01, 3.0),
          "iterations": (1000, 100_000), "copies": (1, 60)}
KEEP_RUNS = 8  # runs remembered (each holds two (|Vocab|, d) tables: a few MB)
CHUNK = BLOCK  # iterations between two looks at `cancel` and two progress reports
# each row's panels, as fractions of its width and height: room for the tick labels, the axis titles
# and the note under the word plot
MARGINS = dict(left=0.06, right=0.99, bottom=0.2, top=0.86, wspace=0.3)


@dataclass(frozen=True)
class Settings:
    dim: int = DEFAULTS["dim"]
    window: int = DEFAULTS["window"]
    negatives: int = DEFAULTS["negatives"]
    step: float = DEFAULTS["step"]
    iterations: int = 40_000
    copies: int = DEFAULTS["copies"]


def check(settings: Settings) -> list:
    """What is wrong with `settings`, in words (an empty list when they can be trained).

    Within these ranges every combination trains (even step 3 with K = 30 keeps a finite loss:
    σ saturates); a run that diverges all the same is reported by `Playground.train`."""
    problems = []
    for f in fields(Settings):
        value, (lo, hi) = getattr(settings, f.name), RANGES[f.name]
        integral = f.type in (int, "int")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or (integral and int(value) != value):
            problems.append(f"{f.name} must be {'a whole number' if integral else 'a number'}; got {value!r}")
        elif not lo <= value <= hi:
            problems.append(f"{f.name} must be between {lo} and {hi}; got {value}")
    return problems


def settings_text(s: Settings) -> str:
    """The settings in words, numbers rounded for reading: 'dim=10, window=5, …, step=0.355, …'."""
    return (f"dim={s.dim}, window={s.window}, negatives={s.negatives}, step={s.step:.3g}, "
            f"{s.iterations:,} iterations, {s.copies} copies")


class RunCancelled(Exception):
    """A run stopped by its `cancel` (a button, Kernel → Interrupt) between two chunks."""


@dataclass
class PlaygroundRun:
    settings: Settings
    words: list
    counts: np.ndarray  # (|Vocab|,)
    initial: np.ndarray  # (|Vocab|, d) the center vectors at the start
    center_vectors: np.ndarray  # (|Vocab|, d) after training
    ema_losses: np.ndarray  # (iterations,) the course's running loss
    seconds: float  # the SGD run's wall time

    @property
    def final_loss(self) -> float:
        return float(self.ema_losses[-1])


class Playground:
    """Trains the assignment's model for given Settings, keeping the subsampled corpora it built."""

    def __init__(self, sentences, seed: int = DEFAULT_SEED, threads: int = 2):
        self.sentences, self.seed, self.threads = sentences, seed, threads
        self._corpora = {}
        self._runs = {}  # Settings -> PlaygroundRun, the last few: moving a slider back shows its run at once

    def corpus(self, copies: int):
        if copies not in self._corpora:  # as train_sst: the second of three streams spawned from the seed
            corpus_rng = run_streams(self.seed).corpus
            self._corpora[copies] = prepare_corpus(self.sentences, corpus_rng, copies, DEFAULTS["subsample_threshold"])
        return self._corpora[copies]

    def train(self, settings: Settings, progress=None, cancel=None) -> PlaygroundRun:
        """Train (or recall) the run of `settings`.

        progress(done, total), if given, is called before the first chunk and after each chunk of
        CHUNK iterations; cancel(), if given, is asked after each chunk, and a true answer stops the
        run with RunCancelled (nothing is remembered). Both are called from the training thread.
        """
        problems = check(settings)
        if problems:
            raise ValueError("; ".join(problems))
        if settings in self._runs:
            return self._runs[settings]
        data = self.corpus(settings.copies)
        init_rng, _, rng = run_streams(self.seed)
        n = len(data.vocab)
        x0 = init_params(n, settings.dim, init_rng)  # (2|Vocab|, d)
        done = [0]

        def each_iteration():  # sgd_compiled calls it once per iteration, after each compiled block
            done[0] += 1
            if done[0] % CHUNK and done[0] != settings.iterations:
                return
            if cancel is not None and cancel():
                raise RunCancelled(f"cancelled at iteration {done[0]:,} of {settings.iterations:,}")
            if progress is not None:
                progress(done[0], settings.iterations)

        if progress is not None:
            progress(0, settings.iterations)
        start = time.perf_counter()
        res = sgd_compiled(data, x0, settings.step, settings.iterations, batch_size=DEFAULTS["batch_size"],
                           window=settings.window, k=settings.negatives, anneal_every=DEFAULTS["anneal_every"],
                           rng=rng, threads=self.threads, log=None, each_iteration=each_iteration)
        seconds = time.perf_counter() - start
        if not np.isfinite(res.ema_losses).all():
            bad = int(np.argmin(np.isfinite(res.ema_losses))) + 1
            raise TrainingDiverged(f"training diverged at iteration {bad} (the loss became infinite or NaN): "
                                   f"lower the step (got {settings.step})", iteration=bad)
        run = PlaygroundRun(settings, data.vocab.words, data.vocab.counts, x0[:n], res.x[:n], res.ema_losses, seconds)
        self._runs[settings] = run
        while len(self._runs) > KEEP_RUNS:
            self._runs.pop(next(iter(self._runs)))  # the oldest
        return run


def movement(run: PlaygroundRun):
    """(rows, along, across, direction) for the words seen at least FREQUENT_MIN_COUNT times: each one's
    movement v_w − v_w⁽⁰⁾ along the shared direction and the length of the rest (notebook 06's
    yardstick, `learning_dynamics.shared_direction` and `split_movement`, on those words)."""
    rows = np.flatnonzero(run.counts >= FREQUENT_MIN_COUNT)  # (n,)
    trained, initial = run.center_vectors[rows], run.initial[rows]  # (n, d) each
    direction = shared_direction(trained, initial)  # (d,)
    along, across = split_movement(trained, initial, direction)  # (n,), (n,)
    return rows, along, across, direction


def draw(run: PlaygroundRun, figure=None, other: PlaygroundRun | None = None, names=("this run", "the run kept")):
    """The three panels of one run (loss, the course's words in 2-D, movement) on a matplotlib Figure
    (a new one unless given); with `other`, a second row of the same panels for it, on the same
    scales, each row titled by its settings."""
    from matplotlib.figure import Figure

    runs = [run] if other is None else [run, other]
    fig = figure or Figure(figsize=(13, 4.4 * len(runs)))
    fig.clear()
    rows = fig.subfigures(len(runs), 1, squeeze=False)[:, 0]
    # fixed margins, not matplotlib's constrained layout: that measured every tick label once more and
    # took half of each redraw, which a slider move waits for (bench/bench_sst_training.py)
    axes = [row.subplots(1, 3, gridspec_kw=MARGINS) for row in rows]
    for sub, row_axes, one, name in zip(rows, axes, runs, names):
        _draw_row(one, row_axes)
        if other is not None:
            sub.suptitle(f"{name}: {settings_text(one.settings)}", fontsize=10, x=0.01, ha="left")
    if other is not None:  # the same scales, so the rows compare at a glance
        for column in (0, 2):
            lows, highs = zip(*(row_axes[column].get_ylim() for row_axes in axes))
            for row_axes in axes:
                row_axes[column].set_ylim(min(lows), max(highs))
        for row_axes in axes:
            row_axes[2].set_xlim(min(a[2].get_xlim()[0] for a in axes), max(a[2].get_xlim()[1] for a in axes))
    else:
        rows[0].suptitle(settings_text(run.settings), fontsize=10, x=0.01, ha="left")
    return fig


def _draw_row(run: PlaygroundRun, axes) -> None:
    ax_loss, ax_words, ax_move = axes
    ax_loss.plot(np.arange(1, len(run.ema_losses) + 1), run.ema_losses, lw=1)
    ax_loss.set(xlabel="iteration", ylabel="loss (running average)")
    words, vectors = select_words(run.words, run.center_vectors, COURSE_WORDS, missing="skip")
    coords, share = pca_2d(vectors)
    plot_words_2d(coords, words, ax=ax_words, share=share)
    # titles at a given height: placed automatically, each would be moved above the top axis's tick labels
    # (there are none), which measures every tick label and took a third of a redraw
    for ax, title in ((ax_loss, f"loss: {run.final_loss:.2f} at the end"),
                      (ax_words, "the course's words, 2-D (PCA)"),
                      (ax_move, "how far each vector moved from its start")):
        ax.set_title(title, y=1.0)
    for note in ax_words.texts:  # its note of words with no room sits under the axis, not over the points
        if note.get_text().startswith("no room to label"):
            note.set(position=(0.0, -0.2), va="top", wrap=True)
    rows, along, across, _ = movement(run)
    initial_norm = np.linalg.norm(run.initial[rows], axis=1)  # (n,)
    ax_move.scatter(run.counts[rows], np.abs(along) / initial_norm, s=3, alpha=0.4, label="along the shared direction")
    ax_move.scatter(run.counts[rows], across / initial_norm, s=3, alpha=0.4, label="across it")
    ax_move.set(xscale="log", yscale="log", xlabel="word count in the treebank",
                ylabel="movement / |initial vector|")
    ax_move.legend(loc="center right", markerscale=4, fontsize=8)


def png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def playground_widget(playground: Playground, settings: Settings | None = None):
    """The playground's widget (playground_widget.PlaygroundWidget): sliders that retrain on release in a
    thread, with progress, cancel, reset and a kept run to compare with."""
    from .playground_widget import PlaygroundWidget

    return PlaygroundWidget(playground, settings)
