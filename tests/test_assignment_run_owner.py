"""Issue 22, part 1 and 2: one owner per run folder (a real second process is refused, naming the
holder), the marker, folders that are not a run's, and finite-or-nothing on disk."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from support.training import TINY, tiny_train

from w2v_lib.assignment import RunFolder
from w2v_lib.assignment.run_folder import NotARunFolderError, RunBusyError

ROOT = Path(__file__).resolve().parent.parent


def cli(sst, run_dir, *extra, wait=True):
    args = [sys.executable, "-m", "w2v_lib", "train", "--sst-dir", str(sst), "--run-dir", str(run_dir), *TINY, *extra]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    if wait:
        return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_a_second_process_is_refused_while_a_run_owns_the_folder(tiny_sst, tmp_path):
    """Before: a fresh run and a resume (or --overwrite --seed 7) on one folder deleted each other's
    temporary files or mixed two seeds in one folder."""
    run_dir = tmp_path / "run"
    first = cli(tiny_sst, run_dir, "--iterations", "3000000", "--checkpoint-every", "1000", "--method", "vectorized",
                wait=False)
    try:
        lock = run_dir / ".w2v-run.lock"

        def checkpoints():
            return sorted(p.name for p in (run_dir / "checkpoints").glob("sgd_*.npz"))

        for _ in range(1200):  # until the first process holds the folder and has written a checkpoint
            if lock.is_file() and lock.read_text().strip() and (run_dir / "checkpoints").is_dir() and checkpoints():
                break
            time.sleep(0.1)
        assert lock.read_text().strip() == str(first.pid)
        before = checkpoints()
        for extra in (["--overwrite", "--seed", "7"], ["--resume"], []):
            second = cli(tiny_sst, run_dir, "--iterations", "40", *extra)
            line = second.stderr.strip()
            assert second.returncode == 2 and line.count("\n") == 0, line
            assert f"in use by another training process (pid {first.pid})" in line and "--run-dir" in line
        assert first.poll() is None  # the owner runs on, its files untouched
        assert before[0] in checkpoints()
        assert json.loads((run_dir / "config.json").read_text())["seed"] != 7
    finally:
        first.kill()
        first.wait()
    # killed: the OS released the lock, and the folder is usable at once
    again = cli(tiny_sst, run_dir, "--iterations", "40", "--checkpoint-every", "20", "--overwrite")
    assert again.returncode == 0, again.stderr


def test_the_lock_is_reentrant_in_one_process_and_names_the_holder(tmp_path):
    run = RunFolder(tmp_path / "run")
    with run.owned(), run.owned():  # the command line holds it around train_sst, which takes it again
        assert (run.path / ".w2v-run.lock").read_text().strip() == str(os.getpid())
        probe = subprocess.run([sys.executable, "-c", "import sys; from w2v_lib.assignment import RunFolder\n"
                                f"with RunFolder({str(run.path)!r}).owned(): pass"],
                               cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert probe.returncode != 0 and "RunBusyError" in probe.stderr and f"pid {os.getpid()}" in probe.stderr
    with run.owned():  # released, and taken again
        pass
    assert issubclass(RunBusyError, BlockingIOError)


def test_without_posix_locks_train_says_which_platforms_work(tiny_sst, tmp_path, monkeypatch, capsys):  # noqa: F811
    """A system without fcntl (Windows): one line naming the system and what to use, not a traceback."""
    import platform

    from w2v_lib.__main__ import main

    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` now fails, as on Windows
    monkeypatch.setattr(platform, "system", lambda: "Windows")
    run_dir = tmp_path / "run"
    assert main(["train", "--sst-dir", str(tiny_sst), "--run-dir", str(run_dir), "--iterations", "5", *TINY]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert all(fact in err for fact in ("fcntl", "Windows", "Linux and macOS", "WSL")), err
    assert not (run_dir / "checkpoints").exists()  # stopped before anything was trained or written


def test_a_folder_that_is_not_a_runs_is_never_written_into(tmp_path):
    """Before: `train` silently replaced a config.json that was not a run's."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "config.json").write_text('{"mine": 1}')
    for overwrite in (False, True):
        with pytest.raises(NotARunFolderError, match=r"not a run folder: its config.json is not a run's .*mine"):
            tiny_train(mine, overwrite=overwrite)
    assert sorted(p.name for p in mine.iterdir()) == ["config.json"] and '"mine"' in (mine / "config.json").read_text()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.tex").write_text("draft")
    with pytest.raises(NotARunFolderError, match=r"holds thesis.tex; nothing was written.*--overwrite"):
        tiny_train(notes)
    assert [p.name for p in notes.iterdir()] == ["thesis.tex"]
    tiny_train(notes, overwrite=True)  # a run beside them: they are kept
    tiny_train(notes, iterations=20, overwrite=True)  # and --overwrite deletes only what the run wrote
    assert (notes / "thesis.tex").read_text() == "draft"
    assert json.loads((notes / ".w2v-run").read_text()) == {"format": 1}


def test_a_run_from_before_the_marker_is_still_a_run(tmp_path):
    run = RunFolder(tmp_path / "old")
    tiny_train(run.path)
    (run.path / ".w2v-run").unlink()  # as runs written before the marker existed
    assert run.is_run()
    assert len(tiny_train(run.path, iterations=60, resume=True).checkpoints) == 3


def test_nan_never_reaches_the_disk(tmp_path):
    """Before: the final update was never checked when no checkpoint fell on it: 1,370 NaN rows in
    vectors.txt, the run marked finished, then "SVD did not converge"."""
    from w2v_lib.optimizer import TrainingDiverged

    run = RunFolder(tmp_path / "run")
    with pytest.raises(TrainingDiverged, match=r"NaN or infinite values after iteration 1 .*no checkpoint was "
                                               r"written before it.*--step 0.3"):
        tiny_train(run.path, iterations=1, step=1e300, checkpoint_every=0)
    assert not run.vectors_path.exists() and not run.vocab_path.exists()
    with pytest.raises(ValueError, match=r"word vectors for .*vectors.txt hold NaN or infinite values in 1 rows"):
        run.save(["a", "b"], [1, 1], np.array([[0.0], [np.nan], [1.0], [2.0]]))
    with pytest.raises(ValueError, match=r"plot .* hold NaN"):
        run.save_plot(["a"], np.array([[np.inf, 0.0]]))
    assert not run.vectors_path.exists() and not run.plot_path.exists()


def test_a_loss_past_any_learning_run_is_divergence(tmp_path):
    """Before: --step 50 ended with "loss EMA 9.7e35", vectors around 5e19, exit 0."""
    from w2v_lib.optimizer import TrainingDiverged

    for method in ("vectorized", "compiled"):
        run = RunFolder(tmp_path / method)
        with pytest.raises(TrainingDiverged, match=r"the loss (reached .* above .*|became \S+) at iteration \d+ "
                                                   r"\(step 50\): training diverged.*--step 0.3") as err:
            tiny_train(run.path, iterations=400, step=50.0, method=method)
        assert err.value.iteration <= 400 and not run.vectors_path.exists()
        for ck in run.checkpoints():
            with np.load(ck) as saved:
                assert np.isfinite(saved["x"]).all() and np.abs(saved["x"]).max() < 1e6


def test_every_sgd_loop_raises_one_divergence_class():
    from w2v_lib.optimizer import TrainingDiverged

    assert issubclass(TrainingDiverged, FloatingPointError)  # what the fast trainer and the playground raised
    src = (ROOT / "w2v_lib" / "fast" / "trainer.py").read_text()
    assert "raise FloatingPointError" not in src and "raise TrainingDiverged" in src

