"""Run one student's code in a bubblewrap sandbox and collect what it reports, within limits.

    sandbox = Sandbox(release_library, limits)       # raises SandboxUnavailable without bwrap
    runs = sandbox.evaluate(functions)               # {function name: FunctionRun}

The sandbox (bubblewrap, Debian's `bubblewrap`) has no network and new user, pid, ipc and uts
namespaces; it runs as `nobody` with no capabilities, in a new session, and dies with the
grader. Its file system is a fresh tmpfs holding, read-only: /usr (and the /lib, /bin links),
the Python installation, the grader's site-packages (any `w2v_lib` found there covered by the
release's), the release's library (stubs, never the instructor's), evaluate.py and the job (the
student's exercise cells and the grader's inputs, not even their notebooks); /tmp is a
writable tmpfs. Python runs with -I -S and an explicit sys.path, so no .pth file (the editable
install's finder) is read. Limits: address space and file size (setrlimit in evaluate.py),
per-function time (evaluate.py kills the function's process), per-student wall time and output
size (here: the whole sandbox is killed). When the sandbox dies while a function runs, that
function is recorded as the culprit and a new sandbox evaluates the functions left.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

EVALUATOR = Path(__file__).resolve().parent / "evaluate.py"
INSIDE = "/grader"  # where the job, the evaluator and the release's library appear in the sandbox
NOBODY = 65534
MATPLOTLIB_CACHE = ".matplotlib"  # in the library's folder: matplotlib's font list, made once per run


def matplotlib_cache(library: Path) -> None:
    """Make matplotlib's font list once, so that no sandbox scans the fonts again (seconds each)."""
    env = {**os.environ, "MPLCONFIGDIR": str(library / MATPLOTLIB_CACHE), "MPLBACKEND": "Agg"}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, capture_output=True,
                   timeout=300)


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot make a sandbox here (e.g. user namespaces are disabled)."""


@dataclass
class Limits:
    function_seconds: float = 10.0
    student_seconds: float = 120.0
    memory_bytes: int = 3 * 2**30
    output_bytes: int = 16 * 2**20
    file_bytes: int = 64 * 2**20


@dataclass
class FunctionRun:
    """What the sandbox reported about one function (all of it untrusted data)."""
    status: str = "not evaluated"  # "ok", "timeout", "signal N", "exit N", or why it was not evaluated
    define_error: dict | None = None  # {"type", "message"} when its cell did not define it
    cases: dict = field(default_factory=dict)  # {case index: record}


def _site_dirs() -> list[str]:
    paths = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")} | set(site.getsitepackages())
    return sorted(p for p in paths if os.path.isdir(p))


def _python() -> str:
    return os.path.realpath(sys.executable)


class Sandbox:
    def __init__(self, library: Path, limits: Limits | None = None, trusted: bool = False):
        """`library`: a folder holding the release's `w2v_lib` (stubs). trusted=True runs without bwrap."""
        self.library = Path(library)
        self.limits = limits or Limits()
        self.trusted = trusted
        self.reported_cpu = 0.0  # CPU seconds the sandboxes say they used (bench/bench_grading.py; not trusted)
        self._lock = threading.Lock()
        if not trusted:
            self._probe()

    def _bwrap(self, job_dir: Path) -> list[str]:
        command = ["bwrap", "--unshare-all", "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY),
                   "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--clearenv",
                   "--tmpfs", "/", "--ro-bind", "/usr", "/usr", "--dev", "/dev", "--proc", "/proc",
                   "--tmpfs", "/tmp", "--chdir", "/tmp"]
        for link in ("bin", "lib", "lib64", "sbin"):
            if os.path.islink(f"/{link}"):
                command += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
            elif os.path.isdir(f"/{link}"):
                command += ["--ro-bind", f"/{link}", f"/{link}"]
        for path in sorted({sys.base_prefix, os.path.dirname(os.path.dirname(_python()))}):
            if not path.startswith("/usr"):
                command += ["--ro-bind", path, path]
        for path in _site_dirs():
            command += ["--ro-bind", path, path]
            if os.path.isdir(os.path.join(path, "w2v_lib")):  # an installed copy of the instructor's library
                command += ["--ro-bind", str(self.library / "w2v_lib"), os.path.join(path, "w2v_lib")]
        command += ["--ro-bind", str(job_dir), f"{INSIDE}/job", "--ro-bind", str(self.library), f"{INSIDE}/lib"]
        for name, value in self._environment().items():
            command += ["--setenv", name, value]
        return command

    def _environment(self) -> dict:
        return {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
                "MPLCONFIGDIR": "/tmp/matplotlib", "NUMBA_CACHE_DIR": "/tmp/numba", "OMP_NUM_THREADS": "1",
                "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

    def _python_command(self, inside: str, library: str) -> list[str]:
        path = [library, *_site_dirs()]
        boot = (f"import sys; sys.path[:0] = {path!r}; import runpy; "
                f"runpy.run_path({inside + '/evaluate.py'!r}, run_name='__main__')")
        return [_python(), "-I", "-S", "-c", boot, f"{inside}/job.json"]

    def _command(self, job_dir: Path) -> list[str]:
        if self.trusted:
            return self._python_command(str(job_dir), str(self.library))
        return self._bwrap(job_dir) + self._python_command(f"{INSIDE}/job", f"{INSIDE}/lib")

    def _probe(self) -> None:
        if shutil.which("bwrap") is None:
            raise SandboxUnavailable("bubblewrap (`bwrap`) is not installed (Debian/Ubuntu: apt-get install "
                                     "bubblewrap)")
        with tempfile.TemporaryDirectory(prefix="w2v-probe-") as tmp:
            command = self._bwrap(Path(tmp)) + [_python(), "-I", "-S", "-c", "import os; print(os.getuid())"]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SandboxUnavailable(f"bubblewrap could not start a sandbox: {exc}") from None
        if done.returncode != 0 or done.stdout.strip() != str(NOBODY):
            why = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            raise SandboxUnavailable(f"bubblewrap cannot make a sandbox on this machine ({why}); user namespaces "
                                     "may be disabled (sysctl kernel.unprivileged_userns_clone)")

    def _run_once(self, functions: list[dict], seconds: float) -> tuple[list[dict], str]:
        """(records, how it ended) for one sandbox over `functions`."""
        with tempfile.TemporaryDirectory(prefix="w2v-job-") as tmp:
            job_dir = Path(tmp)
            os.chmod(job_dir, 0o755)  # readable by `nobody` inside
            shutil.copyfile(EVALUATOR, job_dir / "evaluate.py")
            limits = {"memory_bytes": self.limits.memory_bytes, "file_bytes": self.limits.file_bytes,
                      "function_seconds": self.limits.function_seconds}
            inside = str(self.library) if self.trusted else f"{INSIDE}/lib"
            job = {"functions": functions, "limits": limits, "matplotlib_cache": f"{inside}/{MATPLOTLIB_CACHE}"}
            (job_dir / "job.json").write_text(json.dumps(job), encoding="utf-8")
            plain = {}
            if self.trusted:  # no sandbox: at least not root, and not the grader's environment
                plain = {"env": {**self._environment(), "TMPDIR": tmp, "MPLCONFIGDIR": f"{tmp}/matplotlib",
                                 "NUMBA_CACHE_DIR": f"{tmp}/numba", "HOME": tmp}, "cwd": tmp}
                if os.geteuid() == 0:
                    plain.update(user=NOBODY, group=NOBODY, extra_groups=[])
            process = subprocess.Popen(self._command(job_dir), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, start_new_session=True, **plain)
            try:
                return _read_records(process, time.monotonic() + seconds, self.limits.output_bytes)
            finally:
                _kill(process)

    def evaluate(self, functions: list[dict]) -> dict:
        """{name: FunctionRun} for each job function (dicts with "name", "imports", "source", "where", "cases")."""
        runs = {f["name"]: FunctionRun() for f in functions}
        pending = list(functions)
        deadline = time.monotonic() + self.limits.student_seconds
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            records, ending = self._run_once(pending, left)
            names = {f["name"] for f in pending}
            current, ended = None, set()
            for record in records:
                if record.get("event") == "finished" and isinstance(record.get("cpu"), (int, float)):
                    with self._lock:
                        self.reported_cpu += min(max(float(record["cpu"]), 0.0), 1e4)
                name = record.get("function")
                if name not in names or name in ended:
                    continue  # a record about another function, or one after its end: ignored
                event, run = record.get("event"), runs[name]
                if event == "start":
                    current = name
                elif event == "end":
                    run.status = str(record.get("status"))[:40]
                    ended.add(name)
                elif event == "define" and run.define_error is None:
                    run.define_error = record.get("error")
                elif event == "case" and isinstance(record.get("case"), int):
                    run.cases.setdefault(record["case"], record)
            if current is not None and current not in ended:
                runs[current].status = f"the sandbox ended while it ran ({ending})"
                ended.add(current)
            if not ended:  # not even one function started: the same would happen again
                for f in pending:
                    runs[f["name"]].status = f"not evaluated: the sandbox ended before it ({ending})"
                break
            pending = [f for f in pending if f["name"] not in ended]
        for f in pending:
            if runs[f["name"]].status == "not evaluated":
                runs[f["name"]].status = (f"not evaluated: the student's time budget "
                                          f"({self.limits.student_seconds:g} s) ran out")
        return runs


def _read_records(process, deadline: float, limit: int) -> tuple[list[dict], str]:
    """Parse the evaluator's JSON lines until it ends, the deadline passes or `limit` bytes arrive."""
    records, buffer, total = [], b"", 0
    stream = process.stdout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return records, "the student's time budget ran out"
        ready, _, _ = select.select([stream], [], [], left)
        if not ready:
            continue
        chunk = os.read(stream.fileno(), 1 << 16)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            return records, f"more than {limit} bytes of output"
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                continue  # not a record: the student's own writes to the channel
            if isinstance(record, dict):
                records.append(record)
    try:
        code = process.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return records, "the student's time budget ran out"
    finished = any(r.get("event") == "finished" for r in records)
    return records, "finished" if finished and code == 0 else f"exit status {code}"


def _kill(process) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            process.kill()
    process.wait()
    if process.stdout:
        process.stdout.close()
