"""Grading speed: wall time per submission for the six graded notebooks (issue 19's target ≤ 5 s).

A class of `--students` copies of the instructor's notebooks (every function evaluated, none
stopped early) is graded with one worker per core (`--jobs`), each student in a bubblewrap
sandbox of its own. The once-per-run set-up (reading the instructor notebooks, computing the
references, writing the release's library) is timed apart: it does not grow with the class.
Medians of `--repeats` runs. A second row grades one student at a time, for the ratio. The
sandbox CPU column (what each sandbox reports using, itself and its children) does not depend on
other load on the machine: on an idle machine of c cores the wall per submission approaches it
divided by c.

Usage: python bench/bench_grading.py [--students 8] [--repeats 3] [--jobs N]
Exits with status 1 when the median per submission misses the target.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from w2v_lib.course.grader.run import grade, release_library
from w2v_lib.course.grader.spec import build_spec, graded_notebooks
from w2v_lib.course.release import PACKAGE, REPO

TARGET_SECONDS = 5.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    notebooks = REPO / "notebooks"
    with tempfile.TemporaryDirectory(prefix="w2v-bench-grading-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        spec = build_spec(notebooks)
        library = release_library(notebooks, PACKAGE, tmp / "lib")
        os.chmod(library, 0o755)
        setup = time.perf_counter() - start
        subs = tmp / "submissions"
        for n in range(args.students):
            (subs / f"student{n:03d}").mkdir(parents=True)
            for path in graded_notebooks(notebooks):
                shutil.copyfile(path, subs / f"student{n:03d}" / path.name)
        rows = []
        for jobs in sorted({args.jobs, 1}, reverse=True):
            walls, cpus = [], []
            for _ in range(args.repeats):
                start = time.perf_counter()
                report = grade(subs, spec=spec, library=library, jobs=jobs, progress=False)
                walls.append(time.perf_counter() - start)
                cpus.append(report.sandbox_cpu)
                full = {s for s, r in report.students.items() if r.score == 27}
                if len(full) != args.students:
                    print(f"error: only {len(full)} of {args.students} copies scored full marks", file=sys.stderr)
                    return 2
            rows.append((jobs, statistics.median(walls), statistics.median(cpus)))
    print(f"set-up once per run (spec, references, release library): {setup:.1f} s")
    print(f"{'jobs':>4} | {'students':>8} | {'wall (median)':>13} | {'wall per submission':>19} | "
          f"{'sandbox CPU per submission':>26} | target (wall)")
    for jobs, wall, cpu in rows:
        print(f"{jobs:>4} | {args.students:>8} | {wall:>11.1f} s | {wall / args.students:>17.2f} s | "
              f"{cpu / args.students:>24.2f} s | ≤ {TARGET_SECONDS:g} s")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if len(rows) == 2:
        print(f"parallel speed-up ({rows[0][0]} jobs vs 1): {rows[1][1] / rows[0][1]:.2f}×")
    return 0 if rows[0][1] / args.students <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
