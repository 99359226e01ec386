"""The playground's settings checks, its runs, and its widget's messages (no browser: see test_browser_playground)."""
import numpy as np
import pytest

pytest.importorskip("numba")

from w2v_lib.fast.playground import Playground, Settings, check, draw, movement, playground_widget

TEXT = ("the film is good and the acting is great . the plot is boring but the cast is charming . "
        "a good film with a bad plot and a great cast . the acting was bad and the film was boring .").split(" . ")


@pytest.fixture(scope="module")
def playground():
    return Playground([s.split() for s in TEXT] * 40)


def test_settings_out_of_range_are_refused_in_words():
    assert check(Settings()) == []
    problems = check(Settings(dim=1, window=2.5, step=-1.0, copies=True))
    assert problems == ["dim must be between 2 and 50; got 1", "window must be a whole number; got 2.5",
                        "step must be between 0.01 and 3.0; got -1.0", "copies must be a whole number; got True"]
    with pytest.raises(ValueError, match="dim must be between 2 and 50"):
        Playground([]).train(Settings(dim=1))


def test_a_run_is_reproducible_and_remembered(playground):
    settings = Settings(iterations=1000, copies=2)
    run = playground.train(settings)
    assert playground.train(settings) is run  # moving a slider back shows the run again at once
    again = Playground(playground.sentences).train(settings)
    np.testing.assert_array_equal(again.center_vectors, run.center_vectors)
    assert run.center_vectors.shape == run.initial.shape == (len(run.words), 10)
    rows, along, across, direction = movement(run)
    assert np.isclose(np.linalg.norm(direction), 1) and along.shape == across.shape == rows.shape
    assert (across >= 0).all()
    assert len(draw(run).axes) == 3


def test_the_widget_shows_messages_not_tracebacks(playground, monkeypatch):
    box = playground_widget(playground, Settings(iterations=1000, copies=2))
    controls, status, picture = box.children
    assert status.value.startswith("trained: dim=10,") and len(picture.value) > 1000
    sliders = {w.description: w for w in controls.children}

    def diverge(settings):
        raise FloatingPointError("training diverged at iteration 7 (the loss became infinite or NaN): lower the step")

    monkeypatch.setattr(playground, "train", diverge)
    sliders["step"].value = 2.0
    assert status.value == ("<b>not trained:</b> training diverged at iteration 7 (the loss became infinite or NaN): "
                            "lower the step")
