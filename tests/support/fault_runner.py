"""Test-only: `python tests/support/fault_runner.py FAULT <w2v_lib command line…>` runs a command with a kill injected.

FAULT names the point at which the process SIGKILLs itself:
    <file name>         during the write of that file, after half of its bytes reached the disk
    <file name>#<n>     the same, at its n-th write by this process
    iteration#<n>       at the n-th training iteration (train_sst's ITERATION_HOOKS)
The library holds no fault code: this runner puts its hooks into the seams `_files.WRITE_HOOKS`
and `assignment.train.ITERATION_HOOKS`, then runs `w2v_lib.__main__.main`.
"""
import os
import signal
import sys
from collections import Counter

from w2v_lib import _files
from w2v_lib.__main__ import main
from w2v_lib.assignment import train

seen = Counter()


def due(label: str, wanted: str) -> bool:
    """Whether this occurrence of `label` is the one `wanted` names (counts the occurrences)."""
    name, _, nth = wanted.partition("#")
    if name != label:
        return False
    seen[label] += 1
    return seen[label] == int(nth or 1)


def install(wanted: str) -> None:
    def half_then_kill(path, fh):
        if due(path.name, wanted):
            fh.flush()
            fh.truncate(fh.tell() // 2)
            fh.flush()
            os.fsync(fh.fileno())
            os.kill(os.getpid(), signal.SIGKILL)

    def kill_at_iteration():
        if due("iteration", wanted):
            os.kill(os.getpid(), signal.SIGKILL)

    _files.WRITE_HOOKS.append(half_then_kill)
    if wanted.startswith("iteration"):
        train.ITERATION_HOOKS.append(kill_at_iteration)


if __name__ == "__main__":
    install(sys.argv[1])
    sys.exit(main(sys.argv[2:]))
