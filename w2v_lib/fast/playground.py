"""The SST playground: change a setting, retrain the assignment's model in seconds, see what changed.

    pg = Playground(read_sentences(find_sst()))
    run = pg.train(Settings(dim=10, window=5))      # the compiled SGD run (sst_sgd.py)
    figure = draw(run)                              # loss curve, 2-D word plot, movement from the start
    playground_widget(pg)                           # sliders that retrain on release

Each run starts as `train_sst` starts (same seed, same initial vectors, the same subsampled
copies of the treebank for a given number of copies), so moving a slider and moving it back
gives the same picture. The yardstick is how far the center vectors moved from their
initialisation, split into the part along the one direction they all moved along (the
frequency direction of notebook 06) and the part across it.
"""
from __future__ import annotations

import io
import time
from dataclasses import asdict, dataclass, fields

import numpy as np

from ..assignment.train import DEFAULT_SEED, DEFAULTS, init_params
from ..assignment.word_plot import COURSE_WORDS, pca_2d, plot_words_2d, select_words
from ..corpora import prepare_corpus
from ..learning_dynamics import shared_direction, split_movement
from .sst_sgd import sgd_compiled

# (lowest, highest) of each slider; the defaults are the assignment's
RANGES = {"dim": (2, 50), "window": (1, 10), "negatives": (1, 30), "step": (0.01, 3.0),
          "iterations": (1000, 100_000), "copies": (1, 60)}
KEEP_RUNS = 8  # runs remembered (each holds two (|V|, d) tables: a few MB)
FREQUENT = 20  # words seen at least this often: the ones training updates often enough to judge


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


@dataclass
class Run:
    settings: Settings
    words: list
    counts: np.ndarray  # (|V|,)
    initial: np.ndarray  # (|V|, d) the center vectors at the start
    center_vectors: np.ndarray  # (|V|, d) after training
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
        self._runs = {}  # Settings -> Run, the last few: moving a slider back shows its run at once

    def corpus(self, copies: int):
        if copies not in self._corpora:  # as train_sst: the second of three streams spawned from the seed
            corpus_rng = np.random.default_rng(np.random.SeedSequence(self.seed).spawn(3)[1])
            self._corpora[copies] = prepare_corpus(self.sentences, corpus_rng, copies, DEFAULTS["subsample_threshold"])
        return self._corpora[copies]

    def train(self, settings: Settings) -> Run:
        problems = check(settings)
        if problems:
            raise ValueError("; ".join(problems))
        if settings in self._runs:
            return self._runs[settings]
        data = self.corpus(settings.copies)
        init_rng, _, rng = (np.random.default_rng(s) for s in np.random.SeedSequence(self.seed).spawn(3))
        n = len(data.vocab)
        x0 = init_params(n, settings.dim, init_rng)  # (2|V|, d)
        start = time.perf_counter()
        res = sgd_compiled(data, x0, settings.step, settings.iterations, batch_size=DEFAULTS["batch_size"],
                           window=settings.window, k=settings.negatives, anneal_every=DEFAULTS["anneal_every"],
                           rng=rng, threads=self.threads, log=None)
        seconds = time.perf_counter() - start
        if not np.isfinite(res.ema_losses).all():
            bad = int(np.argmin(np.isfinite(res.ema_losses))) + 1
            raise FloatingPointError(f"training diverged at iteration {bad} (the loss became infinite or NaN): "
                                     f"lower the step (got {settings.step})")
        run = Run(settings, data.vocab.words, data.vocab.counts, x0[:n], res.x[:n], res.ema_losses, seconds)
        self._runs[settings] = run
        while len(self._runs) > KEEP_RUNS:
            self._runs.pop(next(iter(self._runs)))  # the oldest
        return run


def movement(run: Run):
    """(rows, along, across, direction) for the words seen at least FREQUENT times: each one's
    movement v_w − v_w⁽⁰⁾ along the shared direction and the length of the rest (notebook 06's
    yardstick, `learning_dynamics.shared_direction` and `split_movement`, on those words)."""
    rows = np.flatnonzero(run.counts >= FREQUENT)  # (n,)
    trained, initial = run.center_vectors[rows], run.initial[rows]  # (n, d) each
    direction = shared_direction(trained, initial)  # (d,)
    along, across = split_movement(trained, initial, direction)  # (n,), (n,)
    return rows, along, across, direction


def draw(run: Run, figure=None):
    """The three panels of one run on a matplotlib Figure (a new one unless given)."""
    from matplotlib.figure import Figure

    fig = figure or Figure(figsize=(13, 4.2))
    fig.clear()
    ax_loss, ax_words, ax_move = fig.subplots(1, 3)
    s = run.settings
    ax_loss.plot(np.arange(1, len(run.ema_losses) + 1), run.ema_losses, lw=1)
    ax_loss.set(xlabel="iteration", ylabel="loss (running average)", title=f"loss: {run.final_loss:.2f} at the end")
    words, vectors = select_words(run.words, run.center_vectors, COURSE_WORDS, missing="skip")
    coords, share = pca_2d(vectors)
    plot_words_2d(coords, words, ax=ax_words, title="the course's words, 2-D (PCA)", share=share)
    rows, along, across, _ = movement(run)
    initial_norm = np.linalg.norm(run.initial[rows], axis=1)  # (n,)
    ax_move.scatter(run.counts[rows], np.abs(along) / initial_norm, s=3, alpha=0.4, label="along the shared direction")
    ax_move.scatter(run.counts[rows], across / initial_norm, s=3, alpha=0.4, label="across it")
    ax_move.set(xscale="log", yscale="log", xlabel="word count in the treebank",
                ylabel="movement / |initial vector|", title="how far each vector moved from its start")
    ax_move.legend(loc="center right", markerscale=4, fontsize=8)
    fig.suptitle(f"d={s.dim}, window={s.window}, K={s.negatives}, step={s.step:g}, {s.iterations:,} iterations, "
                 f"{s.copies} copies", fontsize=10)
    fig.tight_layout()
    return fig


def png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def playground_widget(playground: Playground, settings: Settings | None = None):
    """Sliders for every setting (the assignment's by default) and the picture of the last run; a change
    retrains on release."""
    import ipywidgets as widgets

    settings = Settings() if settings is None else settings

    def slider(name, value):
        lo, hi = RANGES[name]
        common = dict(value=value, description=name, continuous_update=False, style={"description_width": "80px"},
                      layout=widgets.Layout(width="330px"))
        if name == "step":
            return widgets.FloatLogSlider(base=10, min=np.log10(lo), max=np.log10(hi), step=0.05, readout_format=".3g",
                                          **common)
        return widgets.IntSlider(min=lo, max=hi, step=1000 if name == "iterations" else 1, **common)

    sliders = {name: slider(name, value) for name, value in asdict(settings).items()}
    for name, widget in sliders.items():
        widget.add_class(f"w2v-slider-{name}")
    status = widgets.HTML()
    status.add_class("w2v-status")
    picture = widgets.Image(format="png")
    picture.add_class("w2v-picture")

    def retrain(_=None):
        chosen = Settings(**{name: w.value for name, w in sliders.items()})
        problems = check(chosen)
        if problems:
            status.value = "<b>not trained:</b> " + "; ".join(problems)
            return
        status.value = "<b>training…</b>"
        try:
            run = playground.train(chosen)
        except (ValueError, FloatingPointError) as err:
            status.value = f"<b>not trained:</b> {err}"
            return
        picture.value = png(draw(run))
        status.value = (f"trained: dim={chosen.dim}, window={chosen.window}, negatives={chosen.negatives}, "
                        f"step={chosen.step:.3g}, {chosen.iterations:,} iterations, {chosen.copies} copies, "
                        f"in {run.seconds:.1f} s; final loss {run.final_loss:.2f}")

    for widget in sliders.values():
        widget.observe(retrain, names="value")
    retrain()
    controls = widgets.GridBox(list(sliders.values()), layout=widgets.Layout(grid_template_columns="repeat(3, 340px)"))
    return widgets.VBox([controls, status, picture])
