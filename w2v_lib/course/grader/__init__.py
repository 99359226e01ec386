"""The course's grader: each submission's exercise functions run in a sandbox, scored outside it.

    from w2v_lib.course.grader import grade
    report = grade("submissions")        # grades.csv, feedback/<student>/<notebook>.txt
    print(report.summary())

Instructor-only (the release leaves this package out). Modules, each one job: `submissions`
(reading untrusted folders), `spec` and `cases` (what is graded, its inputs, references and
points), `evaluate` (what runs inside the sandbox), `sandbox` (bubblewrap and the limits),
`scoring` (the comparison and the feedback), `run` (the whole run, in parallel), `gradescope`
(the same grader as a Gradescope autograder).
"""
from .run import GradingError, GradingReport, grade
from .sandbox import Limits, SandboxUnavailable

__all__ = ["GradingError", "GradingReport", "Limits", "SandboxUnavailable", "grade"]
