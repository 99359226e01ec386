"""What the compiled SST run does beside its steps: checkpoints written by a thread, work run alongside."""
import sys
import threading
import time

import numpy as np
import pytest

pytest.importorskip("numba")

from support.training import TEXT

from w2v_lib.assignment.sst_sgd import sgd_compiled  # noqa: E402
from w2v_lib.assignment.train import init_params, train_sst  # noqa: E402
from w2v_lib.corpora import prepare_corpus  # noqa: E402
from w2v_lib.optimizer import list_checkpoints, load_checkpoint  # noqa: E402

SENTENCES = [s.split() for s in TEXT] * 20
KW = dict(batch_size=10, window=3, k=5, log=None)


@pytest.fixture(scope="module")
def data():
    return prepare_corpus(SENTENCES, np.random.default_rng(0), copies=3, threshold=1e-2)


def test_every_checkpoint_is_on_the_disk_when_a_later_iteration_is_reported(data, tmp_path):
    n = len(data.vocab)
    seen = []

    def hook():
        seen.append(len(list_checkpoints(tmp_path)))

    run = sgd_compiled(data, init_params(n, 5, np.random.default_rng(1)), 0.3, 700, rng=np.random.default_rng(0),
                       checkpoint_every=100, checkpoint_dir=tmp_path, each_iteration=hook, **KW)
    # iteration t is reported after the checkpoints of iterations before it: (t - 1) // 100 of them
    assert seen == [(t - 1) // 100 for t in range(1, 701)]
    assert [p.name for p in run.checkpoints] == [p.name for p in list_checkpoints(tmp_path)]
    last = load_checkpoint(run.checkpoints[-1])
    np.testing.assert_array_equal(last["x"], run.x)  # the parameters of that iteration, not a later copy


def test_a_checkpoint_that_cannot_be_written_stops_the_run(data, tmp_path):
    blocker = tmp_path / "not a folder"
    blocker.write_text("a file where the checkpoints should go")
    n = len(data.vocab)
    with pytest.raises(OSError):
        sgd_compiled(data, init_params(n, 5, np.random.default_rng(1)), 0.3, 600, rng=np.random.default_rng(0),
                     checkpoint_every=100, checkpoint_dir=blocker / "checkpoints", **KW)


def test_work_alongside_runs_while_training_and_its_error_changes_nothing(tmp_path):
    ran = []
    finished = threading.Event()

    def alongside():
        ran.append(threading.current_thread().name)
        finished.set()
        raise RuntimeError("a preparation that failed")

    kw = dict(sentences=SENTENCES, iterations=300, checkpoint_every=100, log=None, copies=2,
              subsample_threshold=1e-2, method="compiled")
    interval = sys.getswitchinterval()
    with_it = train_sst(run_dir=tmp_path / "a", alongside=alongside, **kw)
    assert sys.getswitchinterval() == interval  # the GIL's hand-over interval is back to what it was
    without = train_sst(run_dir=tmp_path / "b", **kw)
    assert finished.wait(30) and ran == ["alongside the SGD"]
    np.testing.assert_array_equal(with_it.params, without.params)


def test_overlapping_runs_restore_the_switch_interval_in_any_order(tmp_path):
    """Two train_sst calls with work alongside, overlapping in one process: the interval stays low
    until the last one ends, and is then what it was before the first began."""
    from w2v_lib.assignment import train

    original = sys.getswitchinterval()
    assert train._start_alongside(lambda: None) and train._start_alongside(lambda: None)  # run A, then run B
    assert sys.getswitchinterval() == train.ALONGSIDE_SWITCH_S
    train._release_switch_interval()  # A ends first
    assert sys.getswitchinterval() == train.ALONGSIDE_SWITCH_S  # B still trains
    train._release_switch_interval()
    assert sys.getswitchinterval() == original
    # the same through train_sst, two runs in two threads
    kw = dict(sentences=SENTENCES, iterations=300, checkpoint_every=100, log=None, copies=2,
              subsample_threshold=1e-2, method="compiled", alongside=lambda: time.sleep(0.05))
    runs = [threading.Thread(target=train_sst, kwargs=dict(run_dir=tmp_path / name, **kw)) for name in "ab"]
    for run in runs:
        run.start()
    for run in runs:
        run.join(120)
    assert sys.getswitchinterval() == original and not train._switch_state["holders"]


def test_the_interpreter_waits_for_work_alongside_before_it_exits(tmp_path):
    """A run that stops at once (diverged, a bad argument) must not end the process under the work
    alongside: killed inside C++ code (matplotlib's), a daemon thread aborts it after the error was
    printed. The task here finishes 0.5 s after the main thread has returned."""
    import subprocess
    done = tmp_path / "done"
    script = (f"import time\nfrom w2v_lib.assignment.train import _start_alongside\n"
              f"_start_alongside(lambda: (time.sleep(0.5), open({str(done)!r}, 'w').write('x')))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert done.read_text() == "x"  # with daemon=True the interpreter exited first and the file was never written
