"""A training run on disk: save_run/load_run round trip, checkpoints, and the word-vector layout."""
import errno
import os

import numpy as np
import pytest
from support.messages import says
from support.training import tiny_train

from w2v_lib import Run, RunFolder, load_checkpoint, load_run, save_checkpoint, save_run, sgd, word_vectors

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
    with pytest.raises(ValueError, match=says('params', '(2·5, d)', str(bad.shape))):
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
    with pytest.raises(FileNotFoundError, match=says('empty', 'vocab.tsv', 'train')):
        load_run(tmp_path / "empty")


def test_inconsistent_run_is_refused(tmp_path):
    save_run(tmp_path, WORDS, COUNTS, params())
    vocab = tmp_path / "vocab.tsv"
    vocab.write_text(vocab.read_text().replace("movie", "film"))
    with pytest.raises(ValueError, match=says('vectors.txt', 'vocab.tsv', 'different words')):
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


# --- a run never loses data (issue 9, part 2): the failure modes, in-process -------------------------


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("bad, match", [
    ({"step": -1.0}, "step must be a positive finite"), ({"step": float("nan")}, "step must be"),
    ({"step": float("inf")}, "step must be"), ({"checkpoint_every": -5}, "checkpoint_every must be"),
    ({"iterations": -1}, "iterations must be"), ({"dim": 0}, "dim must be a positive integer"),
    ({"window": 2.5}, "window must be"), ({"subsample_threshold": 0}, "subsample_threshold must be"),
    ({"copies": True}, "copies must be"), ({"seed": "1"}, "seed must be"), ({"method": "fast"}, "method must be"),
    ({"resume": True, "overwrite": True}, "exclude each other"), ({"overwrite": "yes"}, "overwrite must be"),
])
def test_every_argument_is_checked_before_the_folder_is_touched(tmp_path, bad, match):
    run_dir = tmp_path / "run"
    tiny_train(run_dir)
    before = _snapshot(run_dir)
    with pytest.raises(ValueError, match=match):
        tiny_train(run_dir, **bad)
    assert _snapshot(run_dir) == before


def test_a_new_run_keeps_the_earlier_one_unless_told_and_says_how_to_continue(tmp_path):
    from w2v_lib.assignment import RunExistsError

    run_dir = tmp_path / "run"
    tiny_train(run_dir, iterations=40)
    before = _snapshot(run_dir)
    for other in ({"iterations": 20}, {"iterations": 60, "seed": 4}):  # shorter, or another run: data would go
        with pytest.raises(RunExistsError) as err:
            tiny_train(run_dir, **other)
        message = str(err.value)
        assert "2 checkpoints" in message and "sgd_00000040.npz" in message and "vectors.txt" in message
        assert "--resume" in message and "--overwrite" in message and "--run-dir" in message
        assert _snapshot(run_dir) == before
    # the same run again (a notebook executed twice) rewrites every file as it was
    messages = []
    tiny_train(run_dir, iterations=40, log=messages.append)
    assert _snapshot(run_dir) == before and any("this same run, finished" in m for m in messages)
    assert len(tiny_train(run_dir, iterations=60, resume=True).checkpoints) == 3
    assert [p.name for p in tiny_train(run_dir, iterations=20, overwrite=True).checkpoints] == ["sgd_00000020.npz"]


def test_files_get_the_users_permissions_and_leftovers_are_removed(tmp_path):
    run = RunFolder(tmp_path / "run")
    old = os.umask(0o027)
    try:
        r = tiny_train(run.path)
        modes = {p.name: p.stat().st_mode & 0o777 for p in run.path.rglob("*") if p.is_file()}
        run.save_plot(r.words, word_vectors(r.params, len(r.words)), title="t")
        assert run.plot_path.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)
    assert set(modes.values()) == {0o640}, modes  # not mkstemp's 0600
    ours = [run.path / "vectors.txt.k3j2x9.tmp", run.path / "losses.npz.a1b2c3d4e5f6.tmp",
            run.path / "vectors.txt.a1b2c3.tmp.x_9y8z.tmp", run.path / "word_vectors.png.a1b2c3.tmp.png",
            run.checkpoint_dir / "sgd_00000020.npz.0123456789ab.tmp"]
    others = [run.path / "notes.txt.abc.tmp", run.path / "mine.tmp", run.checkpoint_dir / "x.npz.abc.tmp"]
    for p in ours + others:
        p.write_bytes(b"half")
    assert sorted(run.remove_leftovers()) == sorted(ours)
    assert all(p.exists() for p in others)


def test_the_loss_history_is_indexed_by_iteration_after_any_resume(tmp_path):
    full = tiny_train(tmp_path / "full", iterations=60)
    run = RunFolder(tmp_path / "cut")
    tiny_train(run.path, iterations=60)
    # resume from an older checkpoint than the history reaches: cut there, not appended at the end
    again = tiny_train(run.path, iterations=60, resume=run.checkpoints()[0])
    np.testing.assert_array_equal(again.losses, full.losses)
    np.testing.assert_array_equal(run.read_losses()[0], full.losses)
    # a lost history: the iterations before the resume point are NaN, the rest stays in place
    run.losses_path.unlink()
    messages = []
    lost = tiny_train(run.path, iterations=60, resume=run.checkpoints()[1], log=messages.append)
    assert lost.losses.shape == (60,) and np.isnan(lost.losses[:40]).all()
    np.testing.assert_array_equal(lost.losses[40:], full.losses[40:])
    assert any("recorded as NaN" in m for m in messages)
    # resumed at the last checkpoint, nothing left to do: the EMA is the checkpoint's, never NaN
    run.losses_path.write_bytes(b"")  # damaged, as a non-atomic writer used to leave it
    done = tiny_train(run.path, iterations=60, resume=True)
    assert done.final_loss_ema == full.final_loss_ema and np.isfinite(done.final_loss_ema)


def test_divergence_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    from w2v_lib.assignment import step
    from w2v_lib.optimizer import TrainingDiverged

    real = step.make_objective  # train_sst imports it from step when a NumPy path needs it

    def blows_up_after_25(*args, **kw):
        f, calls = real(*args, **kw), [0]

        def g(x):
            calls[0] += 1
            loss, grad = f(x)
            return (float("nan") if calls[0] > 25 else loss), grad
        return g

    monkeypatch.setattr(step, "make_objective", blows_up_after_25)
    run = RunFolder(tmp_path / "run")
    with pytest.raises(TrainingDiverged, match=r"loss became nan at iteration 26.*sgd_00000020.npz.*is kept") as err:
        tiny_train(run.path, iterations=60, checkpoint_every=10)
    assert err.value.iteration == 26 and "\n" not in str(err.value)
    assert [p.name for p in run.checkpoints()] == ["sgd_00000010.npz", "sgd_00000020.npz"]
    assert np.isfinite(load_checkpoint(run.latest_checkpoint())["x"]).all()
    assert not run.vectors_path.exists() and len(run.read_losses()[0]) == 20
    with pytest.raises(TrainingDiverged, match=says('NaN', 'iteration 1', 'smaller step')):
        save_checkpoint(tmp_path / "sgd_1.npz", np.array([1.0, np.inf]), 1, 0.1, None)
    assert not (tmp_path / "sgd_1.npz").exists()


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "the disk is full"),
                                         (errno.EROFS, "the file system is read-only"),
                                         (errno.EACCES, "permission denied")])
def test_a_full_or_read_only_disk_is_one_clear_line(tmp_path, monkeypatch, code, words):
    import w2v_lib._files as files
    from w2v_lib.assignment import RunWriteError

    real_fsync, calls = os.fsync, []

    def failing_fsync(fd):  # file and folder of .w2v-run, config.json, losses.npz, then checkpoint 20
        calls.append(fd)
        if len(calls) == 7:
            raise OSError(code, os.strerror(code))
        return real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", failing_fsync)
    with pytest.raises(RunWriteError, match=f"cannot write the run folder .*: {words} .*sgd_00000020.npz\\)$"):
        tiny_train(tmp_path / "lib")
    assert not list((tmp_path / "lib" / "checkpoints").glob("*.tmp"))  # the failed write cleaned up after itself


def test_the_cli_prints_one_line_for_a_full_disk_and_a_file_as_run_dir(tmp_path, monkeypatch, capsys):
    from support.training import TINY, synthetic_sentences

    import w2v_lib._files as files
    from w2v_lib.__main__ import main
    from w2v_lib.corpora.sst import SENTENCES_FILE

    sst = tmp_path / "sst"
    sst.mkdir()
    lines = [f"{i}\t{' '.join(s)}" for i, s in enumerate(synthetic_sentences(), start=1)]
    (sst / SENTENCES_FILE).write_text("sentence_index\tsentence\n" + "\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "a_file").write_text("not a folder")
    assert main(["train", "--sst-dir", str(sst), "--run-dir", str(tmp_path / "a_file"), "--iterations", "5",
                 *TINY]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    assert main(["train", "--sst-dir", str(sst), "--run-dir", str(tmp_path / "run"), "--iterations", "5",
                 *TINY]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: cannot write the run folder") and "disk is full" in err
