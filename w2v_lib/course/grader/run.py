"""Grade a folder of submissions: each student in a sandbox of their own, in parallel.

    report = grade(Path("submissions"))      # writes grades.csv and feedback/, returns a GradingReport
    print(report.summary())

The instructor side (this process) builds the spec (points, inputs, references: spec.py) and
the release's library (stubs) once; then, one worker per core, each student's notebooks are
read safely (submissions.py), their exercise cells evaluated in a sandbox (sandbox.py,
evaluate.py) and the reports scored here (scoring.py).
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..._files import atomic_file
from .sandbox import Limits, Sandbox, matplotlib_cache
from .scoring import FunctionGrade, score_function
from .spec import Spec, build_spec
from .submissions import find_students, function_code, read_submission


class GradingError(RuntimeError):
    """The run cannot start: a bad folder, or no sandbox and no --trusted."""


@dataclass
class StudentResult:
    student: str
    grades: list  # [FunctionGrade], in spec order
    problems: dict = field(default_factory=dict)  # {notebook: why it was not graded}
    refused: set = field(default_factory=set)  # notebooks refused (a symlink, a FIFO, duplicates, ...)
    notes: dict = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(g.score for g in self.grades)

    def stopped(self) -> list:
        """The functions whose process was killed or crashed: worth naming in the summary."""
        return [g.name for g in self.grades if any("did not finish" in line or "crashed" in line
                                                   or "sandbox ended" in line for line in g.lines)]


@dataclass
class GradingReport:
    spec: Spec
    students: dict  # {student: StudentResult}
    refused: dict  # {folder entry: why it was not graded at all}
    grades_csv: Path
    sandbox_cpu: float = 0.0  # CPU seconds the sandboxes reported (a measurement, never a grade)

    def refusals(self) -> list[str]:
        lines = [f"{name}: not graded: {why}" for name, why in self.refused.items()]
        for result in self.students.values():
            lines += [f"{result.student}/{nb}: {result.problems[nb]}" for nb in sorted(result.refused)]
        return lines

    def summary(self) -> str:
        total = sum(f.points for f in self.spec.functions.values())
        out = [f"graded {len(self.students)} student(s), {total:g} autograded points each, "
               f"plus {sum(self.spec.manual_points.values()):g} points of written answers to grade by hand"]
        stopped = [f"{r.student}: {', '.join(r.stopped())}" for r in self.students.values() if r.stopped()]
        if stopped:
            out.append("functions stopped (a timeout or a crash; each scored 0, nothing else affected): "
                       + "; ".join(stopped))
        refusals = self.refusals()
        out.append(f"refused ({len(refusals)}):" if refusals else "nothing was refused")
        out += [f"  {line}" for line in refusals]
        return "\n".join(out)


def release_library(notebooks_dir: Path, package: Path, target: Path) -> Path:
    """The release's w2v_lib (every exercise a stub) in target/w2v_lib, without the instructor's grader."""
    from ..cells import exercise_notebooks
    from ..release import INSTRUCTOR_ONLY_FILES
    from ..release import release_library as write_library

    write_library(package, target / "w2v_lib", exercise_notebooks(sorted(Path(notebooks_dir).glob("*.ipynb"))),
                  skip=INSTRUCTOR_ONLY_FILES, later=False)
    for private in ("course/grader", "course/grading.py", "course/release.py", "course/__main__.py"):
        path = target / "w2v_lib" / private
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    matplotlib_cache(target)
    return target


def grade_student(spec: Spec, sandbox: Sandbox, student: str, folder: Path) -> StudentResult:
    handed_in = read_submission(student, folder, set(spec.notebooks))
    result = StudentResult(student, [], dict(handed_in.problems), set(handed_in.refused), dict(handed_in.notes))
    jobs, early = [], {}
    for name, graded in spec.functions.items():
        if graded.notebook in handed_in.problems:
            early[name] = FunctionGrade(name, graded.notebook, graded.points,
                                        lines=[f"not graded: {handed_in.problems[graded.notebook]}"])
            continue
        code, note = function_code(handed_in.notebooks[graded.notebook], graded.notebook, name)
        if note:
            result.notes.setdefault(graded.notebook, note)
        if code is None:
            early[name] = FunctionGrade(name, graded.notebook, graded.points, lines=[note])
        else:
            jobs.append({"name": name, **code, "cases": graded.cases})
    runs = sandbox.evaluate(jobs) if jobs else {}
    result.grades = [early[name] if name in early else
                     score_function(graded, runs[name], sandbox.limits.function_seconds)
                     for name, graded in spec.functions.items()]
    return result


def grade(submissions, notebooks=None, package=None, jobs: int | None = None, trusted: bool = False,
          limits: Limits | None = None, progress: bool = True, inputs=None, spec: Spec | None = None,
          library: Path | None = None) -> GradingReport:
    """Grade every student folder of `submissions`; writes grades.csv and feedback/ there.

    notebooks/package: the instructor's notebooks and library (default: the repository's);
    inputs: the cases of spec.build_spec; spec/library: ready-made ones (the Gradescope
    autograder ships both instead of the solutions).
    """
    from ..release import PACKAGE, REPO

    submissions = Path(submissions)
    try:
        students, refused = find_students(submissions)
    except ValueError as exc:
        raise GradingError(str(exc)) from None
    notebooks = Path(notebooks) if notebooks else REPO / "notebooks"
    spec = spec or build_spec(notebooks, inputs)
    with tempfile.TemporaryDirectory(prefix="w2v-release-lib-") as tmp:
        os.chmod(tmp, 0o755)  # readable by the sandbox's `nobody`
        library = library or release_library(notebooks, Path(package) if package else PACKAGE, Path(tmp))
        from .sandbox import SandboxUnavailable

        try:
            sandbox = Sandbox(library, limits, trusted=trusted)
        except SandboxUnavailable as exc:
            raise GradingError(f"{exc}. Untrusted code is graded only in a sandbox: install bubblewrap, or pass "
                               "--trusted to run each submission in a plain process (code you trust)") from None
        results = _grade_all(spec, sandbox, students, jobs or os.cpu_count() or 1, progress)
    path = write_results(submissions, spec, results)
    return GradingReport(spec, results, refused, path, sandbox.reported_cpu)


def _grade_all(spec: Spec, sandbox: Sandbox, students: dict, jobs: int, progress: bool) -> dict:
    from tqdm.auto import tqdm

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool, \
            tqdm(total=len(students), unit="student", desc="grading", disable=not progress or None) as bar:
        futures = {s: pool.submit(grade_student, spec, sandbox, s, folder) for s, folder in students.items()}
        results = {}
        for student, future in futures.items():
            results[student] = future.result()
            bar.update()
    return results


def feedback_text(spec: Spec, result: StudentResult, notebook: str) -> str:
    grades = [g for g in result.grades if g.notebook == notebook]
    score, points = sum(g.score for g in grades), sum(g.points for g in grades)
    stem = Path(notebook).stem
    lines = [f"{stem} — {result.student}: {score:g}/{points:g} autograded points"
             + (f", plus {spec.manual_points[notebook]:g} points of written answers to be graded by hand"
                if spec.manual_points.get(notebook) else "")]
    if notebook in result.problems:
        lines.append(f"this notebook was not graded: {result.problems[notebook]}")
    if result.notes.get(notebook):
        lines.append(f"note: {result.notes[notebook]}")
    lines.append("")
    for g in grades:
        lines.append(f"{g.name}: {g.score:g}/{g.points:g}")
        lines += [f"    {line}" for line in g.lines]
        lines += [f"    advice: {line}" for line in g.advice]
    return "\n".join(lines) + "\n"


def write_results(submissions: Path, spec: Spec, results: dict) -> Path:
    """grades.csv (one row per student) and feedback/<student>/<notebook>.txt."""
    feedback = submissions / "feedback"
    if feedback.is_symlink() or (feedback.exists() and not feedback.is_dir()):
        raise GradingError(f"{feedback} is not a folder the grader made: move it away and grade again")
    stems = [Path(nb).stem for nb in spec.notebooks]
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["student", "score", "max_score", "manual_max"] + stems)
    total = sum(f.points for f in spec.functions.values())
    for student, result in results.items():
        per_notebook = [f"{sum(g.score for g in result.grades if g.notebook == nb):g}" for nb in spec.notebooks]
        writer.writerow([student, f"{result.score:g}", f"{total:g}", f"{sum(spec.manual_points.values()):g}"]
                        + per_notebook)
        folder = feedback / student
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for nb in spec.notebooks:
            (folder / f"{Path(nb).stem}.txt").write_text(feedback_text(spec, result, nb), encoding="utf-8")
    path = submissions / "grades.csv"
    with atomic_file(path) as handle:  # rename() replaces a symlink there, never writes through it
        handle.write(table.getvalue().encode("utf-8"))
    return path
