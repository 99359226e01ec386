"""A training run on disk: save_run/load_run round trip, checkpoints, and the word-vector layout."""
import numpy as np
import pytest

from w2v_lib import Run, load_run, save_run, sgd, word_vectors

WORDS = ["the", "movie", "was", "great", "-LRB-"]
COUNTS = [50, 7, 20, 3, 1]


def params(n=None, d=3, seed=0):
    n = len(WORDS) if n is None else n
    return np.random.default_rng(seed).standard_normal((2 * n, d))


def test_word_vectors_put_center_and_outside_side_by_side():
    p = params()
    vecs = word_vectors(p, 5)
    assert vecs.shape == (5, 6)
    np.testing.assert_array_equal(vecs[:, :3], p[:5])  # v_w
    np.testing.assert_array_equal(vecs[:, 3:], p[5:])  # u_w


@pytest.mark.parametrize("bad", [np.zeros((9, 3)), np.zeros((5, 3)), np.zeros(10), np.zeros((10, 3, 1))])
def test_word_vectors_checks_the_stacked_shape(bad):
    with pytest.raises(ValueError, match=r"params must have shape \(2·5, d\)"):
        word_vectors(bad, 5)


def test_save_run_load_run_round_trip(tmp_path):
    p = params()
    run_dir = save_run(tmp_path / "run", WORDS, COUNTS, p)
    # the run's own checkpoints, as the training writes them
    sgd(lambda x: (0.5 * float((x**2).sum()), x), p, step=0.1, iterations=4, checkpoint_every=2,
        checkpoint_dir=run_dir / "checkpoints")
    run = load_run(run_dir)
    assert isinstance(run, Run) and run.run_dir == run_dir
    assert run.words == WORDS
    np.testing.assert_array_equal(run.counts, COUNTS)
    assert run.counts.dtype == np.int64
    np.testing.assert_allclose(run.vectors, word_vectors(p, 5), rtol=1e-5)
    assert [c.name for c in run.checkpoints] == ["sgd_00000002.npz", "sgd_00000004.npz"]
    iteration, vecs = run.checkpoint_vectors(run.checkpoints[0])
    assert iteration == 2 and vecs.shape == (5, 6) and vecs.dtype == np.float32
    np.testing.assert_allclose(vecs, word_vectors(p * 0.9**2, 5), rtol=1e-6)


def test_a_run_without_checkpoints_loads_with_none(tmp_path):
    assert load_run(save_run(tmp_path, WORDS, COUNTS, params())).checkpoints == []


def test_missing_run_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="holds no finished run.*train one first"):
        load_run(tmp_path / "empty")


def test_inconsistent_run_is_refused(tmp_path):
    save_run(tmp_path, WORDS, COUNTS, params())
    vocab = tmp_path / "vocab.tsv"
    vocab.write_text(vocab.read_text().replace("movie", "film"))
    with pytest.raises(ValueError, match="list different words"):
        load_run(tmp_path)
    vocab.write_text("the\t50\nmovie\tmany\n")
    with pytest.raises(ValueError, match=r"vocab.tsv, line 2: expected word<TAB>count"):
        load_run(tmp_path)


@pytest.mark.parametrize("words, counts, p, match", [
    (WORDS, COUNTS[:4], params(), "counts must hold one count per word; got 4 counts for 5 words"),
    (WORDS, COUNTS, params(n=4), r"params must have shape \(2·5, d\)"),
    (["new york", *WORDS[1:]], COUNTS, params(), "white space"),
])
def test_save_run_checks_before_writing_anything(tmp_path, words, counts, p, match):
    with pytest.raises(ValueError, match=match):
        save_run(tmp_path / "run", words, counts, p)
    assert not (tmp_path / "run" / "vocab.tsv").exists()


def test_run_folder_owns_every_path_and_reads_back_what_training_wrote(tmp_path):
    from w2v_lib import RunFolder

    run = RunFolder(tmp_path / "r")
    paths = [run.config_path, run.losses_path, run.vocab_path, run.vectors_path, run.plot_path, run.checkpoint_dir]
    assert all(p.parent == run.path for p in paths) and len({p.name for p in paths}) == len(paths)
    run.save(WORDS, np.arange(1, len(WORDS) + 1), params())
    run.write_config({"seed": 1})
    run.write_losses(np.array([3.0, 2.0]), np.array([3.0, 2.95]))
    back = run.load()
    assert back.config == {"seed": 1} and back.losses.tolist() == [3.0, 2.0]
    run.start_fresh()
    assert run.read_losses() == (None, None) and run.latest_checkpoint() is None
