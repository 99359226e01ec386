"""A real training process killed with SIGKILL at every kind of write and mid-training, then resumed:
the run folder ends bit-identical to an uninterrupted run's, with the user's permissions, no leftovers.

The kills come from the process itself (tests/support/fault_runner.py, through the library's seams
_files.WRITE_HOOKS and train.ITERATION_HOOKS): during a write it first puts half of the file's
bytes on the disk, as a kill in the middle of a write would.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.training import TINY

ROOT = Path(__file__).resolve().parent.parent
UMASK = 0o027  # not the usual 022, so that the modes show it was applied
ITERATIONS, EVERY = 60, 20


def train(run_dir, sst, *extra, fault=None):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    runner = [str(ROOT / "tests" / "support" / "fault_runner.py"), fault] if fault else ["-m", "w2v_lib"]
    args = [sys.executable, *runner, "train", "--sst-dir", str(sst), "--run-dir", str(run_dir),
            "--iterations", str(ITERATIONS), "--checkpoint-every", str(EVERY), *TINY, *extra]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: os.umask(UMASK))


def files(run_dir):
    """Every file of the run but the plot (an image, compared for existence only) and the lock (it holds
    the pid of its last owner): name → bytes."""
    return {str(p.relative_to(run_dir)): p.read_bytes() for p in sorted(run_dir.rglob("*"))
            if p.is_file() and p.name not in ("word_vectors.png", ".w2v-run.lock")}


def leftovers(run_dir):
    return sorted(p.name for p in run_dir.rglob("*.tmp*"))


# (fault, what the folder shows after the kill), in the order the chain meets them
CHAIN = [
    ("sgd_00000020.npz", "the first checkpoint, half written"),
    (".w2v-run", "the marker rewritten on resume (from iteration 0: no checkpoint yet)"),
    ("config.json", "config.json rewritten on resume"),
    ("iteration#30", None),  # mid-training, between checkpoints 20 and 40
    ("losses.npz", "losses.npz, before checkpoint 40"),
    ("sgd_00000040.npz", "checkpoint 40 (losses.npz already reaches it)"),
    ("losses.npz#2", "losses.npz before checkpoint 60 (the write before 40 completed)"),
    ("vectors.txt", "vectors.txt after the last iteration"),
    ("vocab.tsv", "vocab.tsv, on a resume at the final checkpoint"),
]


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="SIGKILL and umask are POSIX")
def test_kills_at_every_write_and_mid_training_then_resume_bit_identical(tiny_sst, tmp_path):
    reference = train(tmp_path / "reference", tiny_sst)
    assert reference.returncode == 0, reference.stderr
    expected = files(tmp_path / "reference")

    run_dir = tmp_path / "killed"
    for n, (fault, what) in enumerate(CHAIN):
        proc = train(run_dir, tiny_sst, *(["--resume"] if n else []), fault=fault)
        assert proc.returncode == -9, f"{fault}: {proc.returncode} {proc.stderr[-2000:]}"
        if what:  # the kill came mid-write: a half temporary file is there, the target is untouched
            assert leftovers(run_dir), f"{fault}: no temporary file left ({what})"
        for p in run_dir.rglob("*"):  # every file that has its real name is whole
            if p.suffix == ".npz":
                with np.load(p) as saved:
                    assert all(saved[key].size >= 0 for key in saved.files)
            elif p.name == "config.json":
                assert json.loads(p.read_text())["n_words"] > 0
        if fault == "iteration#30":
            # the user forgets --resume: nothing is deleted, the message says what is there and what to do
            forgot = train(run_dir, tiny_sst)
            assert forgot.returncode == 2
            line = forgot.stderr.strip()
            assert line.count("\n") == 0 and "already holds a run" in line and "sgd_00000020.npz" in line
            assert "--resume" in line and "--overwrite" in line
            assert (run_dir / "checkpoints" / "sgd_00000020.npz").is_file()

    final = train(run_dir, tiny_sst, "--resume")
    assert final.returncode == 0, final.stderr
    assert leftovers(run_dir) == []
    got = files(run_dir)
    assert sorted(got) == sorted(expected)
    different = [name for name in expected if got[name] != expected[name]]
    assert different == [], f"differ from the uninterrupted run: {different}"
    assert (run_dir / "word_vectors.png").read_bytes()[:4] == b"\x89PNG"
    with np.load(run_dir / "losses.npz") as saved:
        assert saved["loss"].shape == (ITERATIONS,) and np.isfinite(saved["loss"]).all()
    modes = {p.name: p.stat().st_mode & 0o777 for p in run_dir.rglob("*") if p.is_file()}
    assert set(modes.values()) == {0o666 & ~UMASK}, modes


def test_divergence_stops_and_keeps_the_last_good_checkpoint(tiny_sst, tmp_path):
    run_dir = tmp_path / "run"
    proc = train(run_dir, tiny_sst, "--step", "1e6")
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert line.startswith(("error: the loss became", "error: the loss reached")) and "diverged" in line
    assert line.count("\n") == 0 and "--step 0.3" in line
    assert not (run_dir / "vectors.txt").exists()
    for ck in (run_dir / "checkpoints").glob("*.npz"):
        with np.load(ck) as saved:
            assert np.isfinite(saved["x"]).all()
