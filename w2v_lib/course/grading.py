"""`python -m w2v_lib grade SUBMISSIONS`: the command line of the course's grader (course/grader/).

    python -m w2v_lib grade SUBMISSIONS [--jobs N] [--timeout S] [--trusted]   (make grade SUBMISSIONS=...)

`SUBMISSIONS/<student-id>/` holds one student's notebooks (the release's file names, at any
depth). Writes SUBMISSIONS/grades.csv and SUBMISSIONS/feedback/<student>/<notebook>.txt, then
prints the table and a summary naming what was refused. Exit status: 0, or 1 when grades were
written but something was refused (the summary says what), or 2 when nothing could be graded.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .grader import GradingError, Limits, grade
from .grader.spec import SpecError, graded_notebooks

__all__ = ["add_arguments", "graded_notebooks", "run"]


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number; got {text}")
    return value


def add_arguments(parser) -> None:
    parser.add_argument("submissions", type=Path, help="folder of <student-id>/ folders of notebooks")
    parser.add_argument("--notebooks", type=Path, default=None, help="the instructor notebooks (default: notebooks/)")
    parser.add_argument("--jobs", type=int, default=None, help="students graded at once (default: one per core)")
    parser.add_argument("--timeout", type=_positive, default=Limits.function_seconds,
                        help=f"seconds each function may run on all its inputs (default {Limits.function_seconds:g})")
    parser.add_argument("--student-timeout", type=_positive, default=Limits.student_seconds,
                        help=f"seconds of wall time per student (default {Limits.student_seconds:g})")
    parser.add_argument("--memory-mb", type=_positive, default=Limits.memory_bytes / 2**20,
                        help=f"address space per student, MiB (default {Limits.memory_bytes // 2**20})")
    parser.add_argument("--trusted", action="store_true",
                        help="grade without a sandbox where bubblewrap is unavailable (only for code you trust)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args) -> int:
    limits = Limits(function_seconds=args.timeout, student_seconds=args.student_timeout,
                    memory_bytes=int(args.memory_mb * 2**20))
    try:
        report = grade(args.submissions, notebooks=args.notebooks, jobs=args.jobs, trusted=args.trusted,
                       limits=limits, progress=not args.no_progress)
    except (GradingError, SpecError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.grades_csv.read_text(encoding="utf-8"), end="")
    print(f"wrote {report.grades_csv} and feedback in {report.grades_csv.parent / 'feedback'}")
    print(report.summary())
    return 1 if report.refusals() else 0
