"""initialisation: a run's three seeded streams and every trainer's start."""
import numpy as np
import pytest
from support.messages import says

from w2v_lib.initialisation import fast_start, init_params, initial_center_vectors, run_streams


def test_run_streams_are_the_seed_sequences_three_children():
    streams = run_streams(11)
    children = np.random.SeedSequence(11).spawn(3)
    for stream, child in zip(streams, children, strict=True):
        assert stream.random() == np.random.default_rng(child).random()
    # independent: drawing a lot from one leaves the others where they were
    again = run_streams(11)
    again.init.random(10_000)
    assert again.corpus.random() == run_streams(11).corpus.random()
    assert run_streams(12).init.random() != run_streams(11).init.random()


@pytest.mark.parametrize("start, dtype, half_width", [("course", np.float64, 0.5), ("word2vec", np.float32, 0.5),
                                                      ("gensim", np.float32, 1.0)])
def test_each_start_has_its_range_and_type(start, dtype, half_width):
    dim = 10
    vectors = initial_center_vectors(5000, dim, np.random.default_rng(0), start)
    assert vectors.shape == (5000, dim) and vectors.dtype == dtype
    assert np.abs(vectors).max() <= half_width / dim
    assert np.abs(vectors).max() > 0.99 * half_width / dim  # the whole range is used
    assert abs(vectors.mean()) < 0.01 * half_width / dim


def test_gensims_start_is_word2vecs_doubled():
    word2vec = initial_center_vectors(50, 4, np.random.default_rng(3), "word2vec")
    np.testing.assert_array_equal(initial_center_vectors(50, 4, np.random.default_rng(3), "gensim"), 2 * word2vec)
    assert fast_start("compiled") == "gensim" and fast_start("numpy") == "word2vec"


def test_init_params_stacks_the_course_start_over_zeros():
    params = init_params(30, 4, np.random.default_rng(2))
    assert params.shape == (60, 4) and params.dtype == np.float32
    course = initial_center_vectors(30, 4, np.random.default_rng(2))  # (|Vocab|, d) float64
    np.testing.assert_array_equal(params[:30], course.astype(np.float32))
    assert not params[30:].any()


def test_an_unknown_start_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=says('start', "'glove'", "'course'", "'word2vec'", "'gensim'")):
        initial_center_vectors(3, 2, np.random.default_rng(0), "glove")


def test_seed_streams_are_spawned_in_one_place():
    """Library code, benches and notebooks take a run's streams from run_streams; none spawns its own."""
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spawning = re.compile(r"SeedSequence\(.*\)\s*\.spawn\(")
    texts = {p: p.read_text(encoding="utf-8") for folder in ("w2v_lib", "bench") for p in (root / folder).rglob("*.py")}
    for path in (root / "notebooks").glob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts[path] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    found = sorted(str(p.relative_to(root)) for p, text in texts.items() if spawning.search(text))
    assert found == ["w2v_lib/initialisation.py"], f"seed streams spawned outside run_streams: {found}"
