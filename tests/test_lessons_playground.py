"""The playground's settings checks, its runs, and its widget: messages, progress, cancel (button and
SIGINT), reset, comparison (no browser: see test_browser_playground)."""
import io
import os
import signal
import time

import numpy as np
import pytest

pytest.importorskip("numba")

from support.messages import says

from w2v_lib.lessons.playground import (
    Playground,
    RunCancelled,
    Settings,
    check,
    draw,
    movement,
    playground_widget,
    settings_text,
)
from w2v_lib.lessons.playground_widget import duration
from w2v_lib.optimizer import TrainingDiverged

TEXT = ("the film is good and the acting is great . the plot is boring but the cast is charming . "
        "a good film with a bad plot and a great cast . the acting was bad and the film was boring .").split(" . ")
QUICK = Settings(iterations=1000, copies=2)
LONG = Settings(iterations=100_000, copies=2)  # long enough to be stopped on the way


@pytest.fixture(scope="module")
def playground():
    return Playground([s.split() for s in TEXT] * 40)


@pytest.fixture
def sigint():
    """Put SIGINT's handler back after the test."""
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)


def until(condition, limit=60.0):
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_settings_out_of_range_are_refused_in_words():
    assert check(Settings()) == []
    problems = check(Settings(dim=1, window=2.5, step=-1.0, copies=True))
    assert problems == ["dim must be between 2 and 50; got 1", "window must be a whole number; got 2.5",
                        "step must be between 0.01 and 3.0; got -1.0", "copies must be a whole number; got True"]
    with pytest.raises(ValueError, match=says('dim', '2', '50', '1')):
        Playground([]).train(Settings(dim=1))


def test_a_run_is_reproducible_and_remembered(playground):
    run = playground.train(QUICK)
    assert playground.train(QUICK) is run  # moving a slider back shows the run again at once
    again = Playground(playground.sentences).train(QUICK)
    np.testing.assert_array_equal(again.center_vectors, run.center_vectors)
    assert run.center_vectors.shape == run.initial.shape == (len(run.words), 10)
    rows, along, across, direction = movement(run)
    assert np.isclose(np.linalg.norm(direction), 1) and along.shape == across.shape == rows.shape
    assert (across >= 0).all()
    assert len(draw(run).axes) == 3


def test_progress_and_cancel_between_chunks(playground):
    seen = []
    fresh = Settings(iterations=3000, copies=2, window=4)
    playground.train(fresh, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 3000) and seen[-1] == (3000, 3000) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) >= 3000 // 250  # one report per chunk
    asked = []
    with pytest.raises(RunCancelled, match=says('cancelled', '500', '100,000')):
        playground.train(LONG, cancel=lambda: asked.append(1) or len(asked) >= 2)
    assert LONG not in playground._runs  # a cancelled run is not remembered


def test_figure_text_is_tidy(playground):
    assert settings_text(Settings(step=0.354813, iterations=40_000)) == (
        "dim=10, window=5, negatives=10, step=0.355, 40,000 iterations, 30 copies")
    assert [duration(s) for s in (0.42, 12.3, 125)] == ["0.4 s", "12 s", "2 min 5 s"]
    run = playground.train(QUICK)
    fig = draw(run)
    texts = [t.get_text() for sub in fig.subfigs for t in sub.texts]
    assert texts == [settings_text(QUICK)]
    for ax in fig.axes:  # a note of words with no room sits below the axes, never over the points
        for note in ax.texts:
            if note.get_text().startswith("no room"):
                assert note.get_position()[1] < 0
    both = draw(run, other=playground.train(Settings(iterations=2000, copies=2)))
    assert len(both.axes) == 6
    assert both.axes[0].get_ylim() == both.axes[3].get_ylim()  # the losses on one scale
    assert [t.get_text().split(":")[0] for sub in both.subfigs for t in sub.texts] == ["this run", "the run kept"]


def test_the_widget_trains_in_a_thread_and_shows_messages(playground, monkeypatch):
    box = playground_widget(playground, QUICK)
    box.wait()
    assert box.status.value.startswith("trained: dim=10,") and len(box.picture.value) > 1000
    assert box.progress.value == 1.0

    def diverge(settings, **_):
        raise TrainingDiverged("training diverged at iteration 7 (the loss became infinite or NaN): lower the step",
                               iteration=7)

    monkeypatch.setattr(playground, "train", diverge)
    box.sliders["step"].value = 2.0
    box.wait()
    assert box.status.value == ("<b>not trained:</b> training diverged at iteration 7 (the loss became infinite or "
                                "NaN): lower the step")
    monkeypatch.undo()
    assert box.last_error.startswith("training diverged at iteration 7")


def test_cancel_reset_and_compare(playground, sigint):
    box = playground_widget(playground, QUICK)
    box.wait()
    quick_png = box.picture.value
    box.sliders["iterations"].value = LONG.iterations
    until(lambda: "about" in box.progress_text.value)  # progress with an estimate
    assert box.status.value.startswith("<b>training…</b> dim=10,")
    box.cancel_button.click()
    box.wait()
    assert box.status.value.startswith("<b>cancelled at iteration ") and box.picture.value == quick_png
    box.reset_button.click()  # the starting settings: a run seen before shows at once
    box.wait()
    assert box.settings() == QUICK and box.status.value.startswith("trained: dim=10,")
    box.keep_button.click()
    assert box.kept is box.shown and box.keep_button.description == "Stop comparing"
    box.sliders["window"].value = 3
    box.wait()
    from PIL import Image

    height = Image.open(io.BytesIO(box.picture.value)).size[1]
    single = Image.open(io.BytesIO(quick_png)).size[1]
    assert height > 1.8 * single  # two rows: this run above the kept one
    box.reset_button.click()
    box.wait()
    assert box.kept is None and Image.open(io.BytesIO(box.picture.value)).size[1] == single


def test_sigint_cancels_the_run_and_otherwise_does_what_it_did(playground, sigint):
    box = playground_widget(playground, QUICK)  # routes SIGINT (outside a kernel: signal.signal)
    box.wait()
    box.sliders["iterations"].value = LONG.iterations
    until(lambda: box.progress.value > 0)
    os.kill(os.getpid(), signal.SIGINT)  # what Kernel → Interrupt sends
    box.wait()
    assert box.status.value.startswith("<b>cancelled at iteration ")
    with pytest.raises(KeyboardInterrupt):  # no run going on: pytest's own handler, as before
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)
