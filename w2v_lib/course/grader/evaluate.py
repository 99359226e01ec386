"""What runs inside a student's sandbox: call their functions on the grader's inputs, report data.

    python -I -S evaluate.py JOB.json          (stdout: JSON lines, one record per event)

Standalone on purpose (the standard library and numpy only): the sandbox holds this file, the
job, numpy and the release's library, never the instructor's. For each graded function it forks
a child that executes the first code cell's import statements and that function's exercise cell
(nothing else of the notebook), calls the function on every case and writes one record per
case; the parent kills a child that outlives the per-function timeout. Nothing written here is
trusted: the grader parses these records as plain data and compares them itself.

Records: {"event": "start"|"end", "function", "status"} around each function, and
{"event": "case", "function", "case", "value" | "error", "after", "warnings", "calls"}.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import resource
import select
import shutil
import signal
import sys
import time
import warnings

import numpy as np

MAX_ELEMENTS = 100_000  # an output larger than this is reported by its shape only


def to_wire(value, depth: int = 0):
    """A value as JSON data: numbers, {"array": ...}, {"tuple": [...]}, or {"object": type name}."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return {"array": {"dtype": "bool", "shape": [], "data": [int(value)]}}
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, np.ndarray):
        dtype = np.asarray(value).dtype.name if isinstance(value, (np.integer, np.floating)) else type(value).__name__
        return {"array": {"dtype": dtype, "shape": [], "data": [value.item() if hasattr(value, "item") else value]}}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        if value.size > MAX_ELEMENTS:
            return {"object": f"ndarray of shape {list(value.shape)} (too large to report)"}
        data = value.astype(np.float64 if value.dtype.kind == "f" else np.int64).ravel().tolist()
        return {"array": {"dtype": value.dtype.name, "shape": list(value.shape), "data": data}}
    if isinstance(value, (tuple, list)) and depth < 2 and len(value) <= 16:
        return {"tuple" if isinstance(value, tuple) else "list": [to_wire(v, depth + 1) for v in value]}
    return {"object": type(value).__name__[:60]}


def from_wire(value):
    """The inverse of to_wire for the grader's own job data (trusted: written by the grader)."""
    if isinstance(value, dict) and "array" in value:
        spec = value["array"]
        return np.array(spec["data"], dtype=np.float64 if spec["dtype"].startswith("float") else np.int64
                        ).reshape(spec["shape"])
    if isinstance(value, dict) and "tuple" in value:
        return tuple(from_wire(v) for v in value["tuple"])
    return value


class LossTableCall(ValueError):
    """skipgram/cbow called the loss function with arguments a right answer does not use."""


def loss_table(spec: dict, calls: list):
    """The loss_and_gradient argument: answers from the grader's table, records every call in `calls`."""
    entries = [(int(e["outside_idx"]), from_wire(e["center"]), tuple(from_wire(r) for r in e["result"]))
               for e in spec["entries"]]
    outside = from_wire(spec["outside"])
    ordered = spec["ordered"]

    def loss_and_gradient(center_vec, outside_idx, outside_vectors):
        note = {"outside_idx": to_wire(outside_idx), "center": to_wire(np.asarray(center_vec)), "matched": False}
        calls.append(note)
        if len(calls) > 4 * len(entries) + 4:
            raise LossTableCall("loss_and_gradient was called far more often than the window has words")
        try:
            same_table = np.shape(outside_vectors) == outside.shape and np.allclose(outside_vectors, outside,
                                                                                    rtol=1e-12, atol=0)
            candidates = [entries[len(calls) - 1]] if ordered and len(calls) <= len(entries) else \
                ([] if ordered else entries)
            for index, center, result in candidates:
                if same_table and int(outside_idx) == index and np.shape(center_vec) == center.shape \
                        and np.allclose(center_vec, center, rtol=1e-12, atol=1e-14):
                    note["matched"] = True
                    return float(result[0]), result[1].copy(), result[2].copy()
        except (TypeError, ValueError):
            pass
        raise LossTableCall("loss_and_gradient was called with arguments a right answer does not pass "
                            f"(call {len(calls)}; see the feedback)")

    return loss_and_gradient


def _arguments(case: dict, calls: list) -> list:
    return [loss_table(a["loss_table"], calls) if isinstance(a, dict) and "loss_table" in a else
            np.array(from_wire(a)) if isinstance(a, dict) else a for a in case["args"]]


def _emit(out: int, record: dict) -> None:
    data = (json.dumps(record, allow_nan=True) + "\n").encode()
    while data:
        data = data[os.write(out, data):]


LIBRARY = "w2v_lib"


def _light_library() -> dict:
    """Register the release's w2v_lib without running its __init__; returns {name: its submodule}.

    w2v_lib/__init__.py imports the whole library (numba, the explorer: seconds per student) for
    names no exercise uses. Each `from .module import name` of __init__ becomes a lookup made on
    first use, so `from w2v_lib import softmax` imports w2v_lib.activations only.
    """
    spec = importlib.util.find_spec(LIBRARY)
    if spec is None or not spec.origin:
        return {}
    with open(spec.origin, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    where = {alias.asname or alias.name: node.module for node in tree.body
             if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module for alias in node.names}
    module = importlib.util.module_from_spec(spec)

    def lookup(name):
        if name not in where:
            raise AttributeError(f"module {LIBRARY!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{LIBRARY}.{where[name]}"), name)
        setattr(module, name, value)
        return value

    module.__getattr__ = lookup
    sys.modules[LIBRARY] = module
    return where


def _run_imports(text: str, namespace: dict, library: dict) -> None:
    """Each import statement on its own: one that fails (a module not installed) costs nothing here."""
    for statement in ast.parse(text).body:
        try:
            if isinstance(statement, ast.ImportFrom) and statement.module == LIBRARY and not statement.level \
                    and all(alias.name in library for alias in statement.names):
                for alias in statement.names:  # the exported name, never a submodule of that name
                    namespace[alias.asname or alias.name] = getattr(
                        importlib.import_module(f"{LIBRARY}.{library[alias.name]}"), alias.name)
                continue
            exec(compile(ast.Module(body=[statement], type_ignores=[]), "<imports>", "exec"), namespace)
        except Exception:  # noqa: BLE001  (the function's own cell then says what is missing)
            pass


def _describe(exc: BaseException) -> dict:
    return {"type": type(exc).__name__[:80], "message": str(exc)[:400]}


def run_function(out: int, function: dict, library: dict) -> None:
    """In the child: define the function from its cell, call it on each case, write the records."""
    name = function["name"]
    namespace = {"__name__": "submission"}
    try:
        _run_imports(function["imports"], namespace, library)
        exec(compile(function["source"], function["where"], "exec"), namespace)  # magics blanked by the grader
        target = namespace.get(name)
        if not callable(target):
            raise NameError(f"the cell does not define a function named `{name}`")
    except BaseException as exc:  # noqa: BLE001  (a SystemExit in a cell is the cell's failure too)
        _emit(out, {"event": "define", "function": name, "error": _describe(exc)})
        return
    for index, case in enumerate(function["cases"]):
        calls = []
        record = {"event": "case", "function": name, "case": index}
        try:
            args = _arguments(case, calls)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
                    value = target(*args)
            record["value"] = to_wire(value)
            record["after"] = {str(i): to_wire(args[i]) for i in case.get("report_args", [])}
            record["warnings"] = [f"{w.category.__name__}: {w.message}"[:200] for w in caught[:5]]
        except BaseException as exc:  # noqa: BLE001
            record["error"] = _describe(exc)
        record["calls"] = calls[:32]
        _emit(out, record)


def _wait(pid: int, timeout: float) -> str:
    """"ok", "exit N", "signal N" or "timeout" (the child's process group is then killed)."""
    deadline = time.monotonic() + timeout
    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):
        handle = None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                try:
                    target()
                except OSError:
                    pass
            os.waitpid(pid, 0)
            return "timeout"
        if handle is not None:
            select.select([handle], [], [], left)
        else:
            time.sleep(min(left, 0.01))
    if handle is not None:
        os.close(handle)
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    code = os.WEXITSTATUS(status)
    return "ok" if code == 0 else f"exit {code}"


def main(job_path: str) -> int:
    with open(job_path, encoding="utf-8") as handle:
        job = json.load(handle)
    limits = job["limits"]
    out = os.dup(1)  # the records go here; the student's prints go nowhere
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    for which, value in ((resource.RLIMIT_AS, limits["memory_bytes"]), (resource.RLIMIT_FSIZE, limits["file_bytes"]),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(which, (value, value))
    cache, mine = job.get("matplotlib_cache"), os.environ.get("MPLCONFIGDIR")
    if cache and mine and os.path.isdir(cache) and not os.path.exists(mine):
        shutil.copytree(cache, mine)  # the grader's font list: no font scan per student
    library = _light_library()
    # Import once what the cells import, so each function's child starts in milliseconds.
    _run_imports("\n".join(f["imports"] for f in job["functions"]), {}, library)
    for function in job["functions"]:
        _emit(out, {"event": "start", "function": function["name"]})
        pid = os.fork()
        if pid == 0:
            os.setpgid(0, 0)
            try:
                run_function(out, function, library)
            finally:
                os._exit(0)
        _emit(out, {"event": "end", "function": function["name"], "status": _wait(pid, limits["function_seconds"])})
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    _emit(out, {"event": "finished", "cpu": sum(u.ru_utime + u.ru_stime for u in used)})  # for the bench
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
