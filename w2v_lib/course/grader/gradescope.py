"""The grader as a Gradescope autograder: `python -m w2v_lib autograder --gradescope OUT.zip`.

The zip holds setup.sh (installs bubblewrap and the release's dependencies), run_autograder,
spec.json (the points, inputs and reference outputs: the hidden inputs included, the solutions
that made them not) and the release's library (stubs) with this grader package. On Gradescope
the zip is unpacked into /autograder/source, the student's files are in /autograder/submission,
and run_autograder writes /autograder/results/results.json in Gradescope's schema: one test per
graded function ("03_sigmoid: sigmoid"), its score, max_score and feedback. Where bubblewrap
cannot run (Gradescope's container may forbid user namespaces) each submission still runs in a
process of its own, as `nobody` when the autograder runs as root, and spec.json is readable by
root only. AUTOGRADER_ROOT and AUTOGRADER_PYTHON override /autograder and its Python (tests).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from .sandbox import MATPLOTLIB_CACHE

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq bubblewrap python3 python3-venv python3-pip >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet -r /autograder/source/requirements.txt
chmod 600 /autograder/source/spec.json
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission; it writes $ROOT/results/results.json.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
PYTHONPATH="$ROOT/source" exec "$PYTHON" -m w2v_lib.course.grader.gradescope "$ROOT"
"""


def build_autograder(out: Path, notebooks=None, package=None) -> Path:
    """Write the autograder zip to `out`; returns it."""
    from ..release import PACKAGE, REPO, release_pyproject
    from .run import release_library
    from .spec import build_spec

    notebooks = Path(notebooks) if notebooks else REPO / "notebooks"
    spec = build_spec(notebooks)
    with tempfile.TemporaryDirectory(prefix="w2v-gradescope-") as tmp:
        source = Path(tmp)
        release_library(notebooks, Path(package) if package else PACKAGE, source)
        shutil.copytree(Path(__file__).resolve().parent, source / "w2v_lib" / "course" / "grader",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (source / "spec.json").write_text(spec.to_json(), encoding="utf-8")
        dependencies = _dependencies(release_pyproject(REPO / "pyproject.toml"))
        (source / "requirements.txt").write_text("\n".join(dependencies) + "\n", encoding="utf-8")
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o755 << 16
                archive.writestr(info, text)
            for path in sorted(source.rglob("*")):
                if path.is_file() and MATPLOTLIB_CACHE not in path.parts:  # made again where it runs
                    archive.write(path, path.relative_to(source).as_posix())
    return out


def _dependencies(pyproject: str) -> list[str]:
    import tomllib

    return list(tomllib.loads(pyproject)["project"]["dependencies"])


def results_json(result, spec, sandboxed: bool) -> dict:
    """Gradescope's results.json for one StudentResult."""
    from .run import feedback_text

    tests = []
    for number, g in enumerate(result.grades, start=1):
        text = "\n".join(g.lines + [f"advice: {a}" for a in g.advice]) or "matches the reference on every input"
        tests.append({"name": f"{Path(g.notebook).stem}: {g.name}", "number": str(number), "score": g.score,
                      "max_score": g.points, "output": text, "visibility": "visible"})
    notes = [f"{nb}: {why}" for nb, why in sorted(result.problems.items())]
    if not sandboxed:
        notes.append("graded without a sandbox (bubblewrap cannot run in this container)")
    overview = "\n".join([feedback_text(spec, result, nb).splitlines()[0] for nb in spec.notebooks] + notes)
    return {"score": result.score, "output": overview, "visibility": "visible", "stdout_visibility": "hidden",
            "tests": tests}


def run_gradescope(root: Path) -> dict:
    """Grade root/submission with root/source's spec; write root/results/results.json."""
    from .run import grade_student
    from .sandbox import Limits, Sandbox, SandboxUnavailable, matplotlib_cache
    from .spec import Spec

    source = root / "source"
    spec = Spec.from_json((source / "spec.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="w2v-lib-") as tmp:
        library = Path(tmp)
        shutil.copytree(source / "w2v_lib", library / "w2v_lib", ignore=shutil.ignore_patterns("grader"))
        os.chmod(tmp, 0o755)
        matplotlib_cache(library)
        try:
            sandbox, sandboxed = Sandbox(library, Limits()), True
        except SandboxUnavailable:
            sandbox, sandboxed = Sandbox(library, Limits(), trusted=True), False
        result = grade_student(spec, sandbox, "submission", root / "submission")
    results = results_json(result, spec, sandboxed)
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


def add_arguments(parser) -> None:
    parser.add_argument("--gradescope", type=Path, required=True, metavar="OUT.zip",
                        help="where to write the Gradescope autograder zip")
    parser.add_argument("--notebooks", type=Path, default=None, help="the instructor notebooks (default: notebooks/)")


def run(args) -> int:
    out = build_autograder(args.gradescope, notebooks=args.notebooks)
    print(f"wrote {out}: upload it as the assignment's autograder (Gradescope: Configure Autograder, zip file)")
    return 0


if __name__ == "__main__":  # inside Gradescope's container: run_autograder calls this with its root folder
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit("usage: python -m w2v_lib.course.grader.gradescope AUTOGRADER_ROOT (inside Gradescope); "
                 "to write an autograder: python -m w2v_lib autograder --gradescope OUT.zip")
    outcome = run_gradescope(Path(sys.argv[1]))
    print(f"score {outcome['score']:g}")
    sys.exit(0)
