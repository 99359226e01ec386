"""`python -m w2v_lib`: the train command on a tiny treebank, and its errors."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.training import TINY

from w2v_lib import load_run
from w2v_lib.__main__ import build_parser, main


def test_train_writes_vectors_checkpoints_and_plot(tiny_sst, tmp_path, capsys):
    run_dir = tmp_path / "run"
    code = main(["train", "--sst-dir", str(tiny_sst), "--run-dir", str(run_dir), "--iterations", "60",
                 "--checkpoint-every", "20", *TINY])
    assert code == 0
    out = capsys.readouterr().out
    assert "iteration 60: loss EMA" in out
    run = load_run(run_dir)
    assert run.vectors.shape == (len(run.words), 8)
    assert [p.name for p in run.checkpoints] == ["sgd_00000020.npz", "sgd_00000040.npz", "sgd_00000060.npz"]
    assert (run_dir / "word_vectors.png").read_bytes()[:4] == b"\x89PNG"
    code = main(["train", "--sst-dir", str(tiny_sst), "--run-dir", str(run_dir), "--iterations", "80",
                 "--checkpoint-every", "20", "--resume", *TINY])
    assert code == 0 and "resuming from" in capsys.readouterr().out
    assert len(load_run(run_dir).checkpoints) == 4


def test_missing_treebank_is_a_message_not_a_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("W2V_SST_DIR", raising=False)
    assert main(["train", "--run-dir", str(tmp_path / "run"), "--iterations", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "python -m w2v_lib download" in err


def test_parser_rejects_bad_options():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--iterations", "0"])
    with pytest.raises(SystemExit):
        build_parser().parse_args([])  # a command is required
    assert build_parser().parse_args(["train"]).iterations == 40000


def test_course_commands_parse_their_options_in_one_parser(monkeypatch, capsys):
    """grade, student and autograder: the course module's options, read by the command's own parser."""
    import sys as system

    from w2v_lib.course import grader, grading, release

    train_only = ("from w2v_lib.__main__ import build_parser; import sys; build_parser().parse_args(['train']); "
                  "print(sorted(m for m in sys.modules if m.startswith(('w2v_lib.course.grad', "
                  "'w2v_lib.course.rel'))))")
    loaded = subprocess.run([sys.executable, "-c", train_only], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"  # another command's parse imports no course module
    args = build_parser().parse_args(["grade", "subs", "--jobs", "2", "--trusted"])
    assert (args.submissions, args.jobs, args.trusted, args.func) == (Path("subs"), 2, True, grading.run)
    assert build_parser().parse_args(["student", "--out", "o", "--no-hints"]).func is release.run
    assert build_parser().parse_args(["autograder", "--gradescope", "a.zip"]).func is grader.gradescope.run
    with pytest.raises(SystemExit):
        build_parser().parse_args(["grade", "subs", "--jbos", "2"])  # a misspelt option is refused by that parser
    assert "--jbos" in capsys.readouterr().err
    monkeypatch.setitem(system.modules, "w2v_lib.course.grading", None)  # as in the student release
    with pytest.raises(SystemExit):
        build_parser().parse_args(["grade", "subs"])
    assert "not in the student release" in capsys.readouterr().err


def test_module_entry_point_runs(tiny_sst, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-m", "w2v_lib", "train", "--sst-dir", str(tiny_sst), "--run-dir",
                           str(tmp_path / "run"), "--iterations", "30", "--checkpoint-every", "0", *TINY],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "run" / "vectors.txt").is_file()
    assert not (tmp_path / "run" / "checkpoints").exists() or not any((tmp_path / "run" / "checkpoints").iterdir())


def test_student_command_writes_the_student_release(tmp_path, capsys):
    pytest.importorskip("nbgrader", reason="the release needs the [grade] extra")
    assert main(["student", "--out", str(tmp_path / "student")]) == 0
    written = tmp_path / "student" / "notebooks" / "03_sigmoid.ipynb"
    assert written.is_file() and "### BEGIN SOLUTION" not in written.read_text(encoding="utf-8")
    assert "wrote the student release" in capsys.readouterr().out


def test_grade_command_reaches_the_grader(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "missing")]) == 2
    assert "not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("bad", [["--step", "-1"], ["--step", "nan"], ["--step", "inf"], ["--checkpoint-every", "-5"],
                                 ["--subsample-threshold", "0"], ["--resume", "--overwrite"], ["--plot", "plot"],
                                 ["--iterations", "0"]])
def test_a_bad_flag_is_refused_before_the_run_folder_is_touched(tiny_sst, tmp_path, capsys, bad):
    run_dir = tmp_path / "run"
    args = ["train", "--sst-dir", str(tiny_sst), "--run-dir", str(run_dir), "--iterations", "20",
            "--checkpoint-every", "10", *TINY]
    assert main(args) == 0
    before = {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}
    with pytest.raises(SystemExit) as exit_:
        main([*args, *bad])
    assert exit_.value.code == 2 and "error: argument" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()} == before


def test_download_flags_are_checked(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["download", "--deadline", "0"])
    assert build_parser().parse_args(["download"]).deadline == 900.0
