"""Grade a folder of submissions with nbgrader: grades.csv and a feedback file per notebook.

    python -m w2v_lib.course grade SUBMISSIONS        (make grade SUBMISSIONS=...)

`SUBMISSIONS/<student-id>/` holds one student's notebooks (the release's file names, at any
depth). The instructor notebooks with graded cells form one nbgrader assignment in a temporary
course folder: `generate_assignment` records every graded cell, its points and its hidden
tests; `autograde` overwrites the locked check cells with the instructor's (hidden tests
included), runs each notebook and scores each check cell (full points, or 0 on any error);
`generate_feedback` renders the HTML. Written answers need a person: they score 0 here and are
reported as "manual" points. The result:

    SUBMISSIONS/grades.csv                      student, score, max_score, manual_max, per notebook
    SUBMISSIONS/feedback/<student>/<nb>.html    nbgrader's feedback (the whole notebook)
    SUBMISSIONS/feedback/<student>/<nb>.txt     the short version: each check's points and message
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .cells import grade_id, is_graded, is_written_answer, read_notebook
from .release import GRADE_EXTRA, REPO

ASSIGNMENT = "w2v"
NOT_STUDENTS = {"feedback"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class NotebookGrade:
    notebook: str
    score: float = 0.0
    max_score: float = 0.0  # autograded points only
    manual_max: float = 0.0  # written answers, left to a person
    lines: list = field(default_factory=list)  # the feedback text


def graded_notebooks(notebooks_dir: Path) -> list[Path]:
    """The instructor notebooks that hold at least one graded cell."""
    return [p for p in sorted(notebooks_dir.glob("*.ipynb")) if any(is_graded(c) for c in read_notebook(p)["cells"])]


def find_students(submissions: Path) -> dict[str, Path]:
    if not submissions.is_dir():
        raise SystemExit(f"SUBMISSIONS={submissions}: not a folder; expected <folder>/<student-id>/*.ipynb")
    students = {p.name: p for p in sorted(submissions.iterdir())
                if p.is_dir() and not p.name.startswith(".") and p.name not in NOT_STUDENTS}
    if not students:
        raise SystemExit(f"{submissions} holds no student folders; expected {submissions}/<student-id>/*.ipynb")
    bad = [s for s in students if not re.fullmatch(r"[A-Za-z0-9_.@+-]+", s)]
    if bad:
        raise SystemExit(f"student folder names may hold only letters, digits and _.@+-; rename {bad}")
    return students


def find_notebook(folder: Path, name: str) -> Path | None:
    found = [p for p in folder.rglob(name) if ".ipynb_checkpoints" not in p.parts]
    if len(found) > 1:
        raise SystemExit(f"{folder} holds {len(found)} copies of {name}: {[str(p) for p in found]}; keep one")
    return found[0] if found else None


def _nbgrader(root: Path, *args: str, check: bool = True) -> str | None:
    """Run one nbgrader command in the course folder; returns None, or the error's last lines when
    check=False (one student's failure must not stop the others)."""
    command = [sys.executable, "-m", "nbgrader", *args, "--force"]
    # nbgrader runs `alembic` (its database migrations) from PATH: this Python's scripts folder.
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
    if done.returncode == 0:
        return None
    errors = [line for line in (done.stdout + done.stderr).splitlines() if "ERROR" in line or "Error" in line]
    tail = "\n".join(errors[-5:] or (done.stdout + done.stderr).splitlines()[-10:])
    if check:
        raise SystemExit(f"nbgrader {args[0]} failed (exit {done.returncode}):\n{tail}")
    return tail


def _config(root: Path, timeout: int) -> str:
    return (f"c = get_config()\n"
            f"c.CourseDirectory.root = {str(root)!r}\n"
            f"c.CourseDirectory.course_id = 'w2v_workbook'\n"
            f"c.CourseDirectory.db_url = 'sqlite:///{root / 'gradebook.db'}'\n"
            f"c.Execute.timeout = {int(timeout)}\n"
            # The grading kernel is this Python's: its w2v_lib, its packages.
            f"c.Execute.kernel_name = 'python3'\n")


def _output_text(cell) -> tuple[str, str]:
    """(printed text, error message) of an executed cell, without colour codes."""
    printed, error = [], ""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            printed.append("".join(out.get("text", "")))
        elif out.get("output_type") == "error":
            error = f"{out.get('ename')}: {out.get('evalue')}"
    return ANSI.sub("", "".join(printed)).rstrip(), ANSI.sub("", error)


def _read_grades(root: Path, student: str, notebooks: list[Path], problems: dict) -> list[NotebookGrade]:
    """Each notebook's points and feedback lines; `problems` {notebook name: why it was not graded}."""
    from nbgrader.api import Gradebook, MissingEntry

    results = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="w2v_workbook") as gb:
        for path in notebooks:
            result = NotebookGrade(path.stem)
            cells = read_notebook(path)["cells"]
            kinds = {grade_id(c): c for c in cells if is_graded(c)}
            autograded = root / "autograded" / student / ASSIGNMENT / path.name
            executed = {grade_id(c): c for c in read_notebook(autograded)["cells"]} if autograded.exists() else {}
            try:
                grades = {g.name: g for g in gb.find_submission_notebook(path.stem, ASSIGNMENT, student).grades}
            except MissingEntry:
                grades = {}
            for name, cell in kinds.items():
                points = float(cell["metadata"]["nbgrader"].get("points", 0))
                if is_written_answer(cell):
                    result.manual_max += points
                    result.lines.append(f"{name}: written answer, {_points(points)} to be graded by hand")
                    continue
                grade = grades.get(name)
                score = float(grade.auto_score or 0.0) if grade is not None else 0.0
                result.score += score
                result.max_score += points
                result.lines.append(f"{name}: {score:g}/{points:g}")
                if score < points:
                    printed, error = _output_text(executed.get(name, {}))
                    if not executed:
                        error = problems.get(path.name, "the notebook is missing from the submission")
                    elif name not in executed:
                        error = "this check cell is missing from the submitted notebook (was it deleted?)"
                    for text in (printed, error):
                        if text:
                            result.lines.extend("    " + line for line in text.splitlines())
            results.append(result)
    return results


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def _feedback_text(student: str, grade: NotebookGrade) -> str:
    head = f"{grade.notebook} — {student}: {grade.score:g}/{grade.max_score:g} autograded points"
    if grade.manual_max:
        head += f", plus {_points(grade.manual_max)} of written answers to be graded by hand"
    return head + "\n\n" + "\n".join(grade.lines) + "\n"


def grade(submissions, notebooks=None, timeout: int = 600) -> Path:
    """Grade every student folder in `submissions`; returns the path of grades.csv."""
    try:
        import nbgrader  # noqa: F401  (only to fail early with the install command)
    except ImportError:
        raise SystemExit(f"grading needs nbgrader, an optional extra: run `{GRADE_EXTRA}` "
                         "(`make grade` does it for you)") from None
    submissions = Path(submissions)
    students = find_students(submissions)
    notebooks = graded_notebooks(Path(notebooks) if notebooks else REPO / "notebooks")
    if not notebooks:
        raise SystemExit("no instructor notebook has a graded cell (nbgrader metadata grade=true)")
    table = {}
    with tempfile.TemporaryDirectory(prefix="w2v-grade-") as tmp:
        root = Path(tmp)
        (root / "nbgrader_config.py").write_text(_config(root, timeout), encoding="utf-8")
        (root / "source" / ASSIGNMENT).mkdir(parents=True)
        for path in notebooks:
            shutil.copyfile(path, root / "source" / ASSIGNMENT / path.name)
        _nbgrader(root, "generate_assignment", ASSIGNMENT)
        problems = {student: {} for student in students}
        for student, folder in students.items():
            target = root / "submitted" / student / ASSIGNMENT
            for path in notebooks:
                handed_in = find_notebook(folder, path.name)
                if handed_in is None:
                    problems[student][path.name] = "the notebook is missing from the submission"
                    continue
                try:
                    read_notebook(handed_in)
                except ValueError as exc:
                    problems[student][path.name] = f"the submitted file could not be graded: {exc}"
                    continue
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(handed_in, target / path.name)
        # All students in one run; nbgrader goes on past a student it cannot process, whose
        # notebooks then have no autograded version: they score 0 with nbgrader's error.
        failed = _nbgrader(root, "autograde", ASSIGNMENT, check=False)
        for student in students:
            for path in notebooks:
                if (root / "submitted" / student / ASSIGNMENT / path.name).exists() and \
                        not (root / "autograded" / student / ASSIGNMENT / path.name).exists():
                    problems[student][path.name] = f"nbgrader could not autograde it:\n{failed}"
                    print(f"warning: {student}/{path.name} could not be autograded (see its feedback)", file=sys.stderr)
        _nbgrader(root, "generate_feedback", ASSIGNMENT, check=False)
        for student in students:
            table[student] = _read_grades(root, student, notebooks, problems[student])
            out = submissions / "feedback" / student
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            for html in (root / "feedback" / student / ASSIGNMENT).glob("*.html"):
                shutil.copyfile(html, out / html.name)
            for result in table[student]:
                (out / f"{result.notebook}.txt").write_text(_feedback_text(student, result), encoding="utf-8")
    return _write_csv(submissions / "grades.csv", table, notebooks)


def _write_csv(path: Path, table: dict, notebooks: list[Path]) -> Path:
    names = [p.stem for p in notebooks]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "score", "max_score", "manual_max"] + names)
        for student, results in table.items():
            writer.writerow([student, f"{sum(r.score for r in results):g}", f"{sum(r.max_score for r in results):g}",
                             f"{sum(r.manual_max for r in results):g}"] + [f"{r.score:g}" for r in results])
    return path


def add_arguments(parser) -> None:
    parser.add_argument("submissions", type=Path, help="folder of <student-id>/ folders of notebooks")
    parser.add_argument("--notebooks", type=Path, default=None, help="the instructor notebooks (default: notebooks/)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")


def run(args) -> int:
    path = grade(args.submissions, notebooks=args.notebooks, timeout=args.timeout)
    print(path.read_text(encoding="utf-8"), end="")
    print(f"wrote {path} and feedback in {path.parent / 'feedback'}")
    return 0


def main(argv=None) -> int:
    """`python -m w2v_lib grade ...` calls this (as `student` calls release.main)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m w2v_lib.course grade", description="grade a folder of submissions")
    add_arguments(parser)
    return run(parser.parse_args(argv))
