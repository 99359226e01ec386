"""The student release: a folder a student can take away, install and run on its own.

    python -m w2v_lib.course release --out student [--notebooks 00-05] [--no-hints] [--force]

It writes `notebooks/` (solutions, hidden tests and instructor-only cells removed, written
answers replaced by "YOUR ANSWER HERE", outputs and widget state cleared), `w2v_lib/` (see
library_release.py: exercise stubs that raise "not implemented yet: see notebook NN_name.ipynb",
instructor notes cut, and, in a release of graded notebooks only, the modules that compute the
negative-sampling gradient left out), a README with the set-up, a pyproject.toml for
`pip install -e .` and a Makefile whose `make lab` opens the notebooks. Nothing else: no tests,
no solutions, no history. The notebook rules are nbgrader's own preprocessors, so the release
and `grade` (grading.py) read the cells the same way.

`--notebooks` stages the release: the graded notebooks (00-05) first, the later ones after the
deadline (docs/instructors.md).
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

from .cells import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    exercise_notebooks,
    is_check,
    is_graded,
    is_hint,
    is_instructor_only,
    is_solution,
    read_notebook,
    source,
    stub_line,
)
from .library_release import BEGIN_NOTE, release_library

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "w2v_lib"
TEMPLATE = Path(__file__).resolve().parent / "template"
# The instructor's machinery stays home; the release keeps checks, answers and cells (used by
# the notebooks) so `w2v_lib.course` still imports there.
INSTRUCTOR_ONLY_FILES = {"course/release.py", "course/library_release.py", "course/grading.py", "course/__main__.py",
                         "course/template", "course/grader"}  # the grader: its cases and references stay home
GRADE_EXTRA = "pip install -e '.[grade]'"


class ReleaseError(ValueError):
    """The release cannot be written as asked (the message says what to change); nothing is half-written."""


def _nbgrader():
    try:
        import nbformat
        from nbgrader import preprocessors
    except ImportError as exc:
        raise ReleaseError(f"the course release and grading need nbgrader, an optional extra: run `{GRADE_EXTRA}` "
                         f"(`make student` and `make grade` do it for you); missing: {exc.name}") from None
    return nbformat, preprocessors


def release_notebook(notebook: dict, name: str, hints: bool = True):
    """The student version of one instructor notebook (nbformat JSON in, a NotebookNode out)."""
    nbformat, pp = _nbgrader()
    check_markers(notebook, name)
    nb = nbformat.reads(json.dumps(notebook), as_version=4)  # joins list-of-lines sources
    nb.cells = [c for c in nb.cells if not is_instructor_only(c) and (hints or not is_hint(c))]
    nb.metadata.pop("widgets", None)
    resources = {}
    steps = [
        pp.LockCells(),
        pp.ClearSolutions(code_stub={"python": stub_line(name)}),
        pp.ClearOutput(remove_metadata_fields={"collapsed", "scrolled", "execution"}),
        pp.ClearHiddenTests(),
        pp.ClearMarkScheme(),
        pp.ComputeChecksums(),
        pp.CheckCellMetadata(),
    ]
    for step in steps:
        try:
            nb, resources = step.preprocess(nb, resources)
        except Exception as exc:  # nbgrader logs the cell; say which notebook it was
            raise ValueError(f"{name}: {type(step).__name__} failed: {exc}") from exc
    return nb


def check_markers(notebook: dict, name: str) -> None:
    """Markers only where nbgrader expects them; say which cell otherwise (nbgrader would only say
    "no end solution statement found", or cut prose that merely mentions a marker)."""
    for index, cell in enumerate(notebook["cells"]):
        text = source(cell)
        if BEGIN_SOLUTION in text and not is_solution(cell):
            raise ValueError(f"{name}, cell {index} ({cell['cell_type']}): holds {BEGIN_SOLUTION!r} but is not an "
                             "nbgrader solution cell; mark it as an exercise, or name the marker in other words "
                             "in prose")
        if BEGIN_HIDDEN in text and not is_check(cell):
            raise ValueError(f"{name}, cell {index} ({cell['cell_type']}): holds {BEGIN_HIDDEN!r} but is not an "
                             "autograded check cell")
        for begin, end in ((BEGIN_SOLUTION, END_SOLUTION), (BEGIN_HIDDEN, END_HIDDEN)):
            opened = False
            for number, line in enumerate(text.splitlines(), start=1):
                if begin in line or end in line:
                    if line.strip() not in (begin, end) or (line.strip() == begin) == opened:
                        raise ValueError(f"{name}, cell {index}, line {number}: {line.strip()!r}: markers must "
                                         f"alternate {begin!r} / {end!r}, each alone on its line")
                    opened = not opened
            if opened:
                raise ValueError(f"{name}, cell {index}: {begin!r} is never closed by {end!r}")


def release_pyproject(repo_pyproject: Path) -> str:
    """The release's pyproject.toml: the core dependencies only (no test or grading extras), and the
    same package data (e.g. the offline page's template and script)."""
    whole = tomllib.loads(repo_pyproject.read_text(encoding="utf-8"))
    project = whole["project"]
    deps = "".join(f'    "{d}",\n' for d in project["dependencies"])
    data = whole.get("tool", {}).get("setuptools", {}).get("package-data", {})
    package_data = "".join(f'"{package}" = {json.dumps(list(globs))}\n' for package, globs in data.items())
    return ("[build-system]\n"
            'requires = ["setuptools>=68", "wheel"]\n'
            'build-backend = "setuptools.build_meta"\n\n'
            "[project]\n"
            f'name = "{project["name"]}"\n'
            f'version = "{project["version"]}"\n'
            'description = "The word2vec workbook, student edition."\n'
            'readme = "README.md"\n'
            f'requires-python = "{project["requires-python"]}"\n'
            f"dependencies = [\n{deps}]\n\n"
            "[tool.setuptools.packages.find]\n"
            'include = ["w2v_lib*"]\n'
            + ("\n[tool.setuptools.package-data]\n" + package_data if package_data else ""))


def _check_out_dir(out: Path, force: bool) -> None:
    out = out.resolve()
    if out == REPO or out in REPO.parents or out == PACKAGE or PACKAGE in out.parents \
            or out == REPO / "notebooks" or (REPO / "notebooks") in out.parents:
        raise ReleaseError(f"--out {out}: pick a folder outside the workbook's sources (e.g. student/)")
    if out.exists() and any(out.iterdir()) and not force:
        raise ReleaseError(f"--out {out} exists and is not empty; pass --force to replace it")


def select_notebooks(sources: list, spec) -> list:
    """The notebooks of `sources` that `spec` names: None or "all" for all of them, else a comma-separated
    list of numbers ("04"), ranges of numbers ("00-05") and file names, with or without ".ipynb"."""
    if spec is None or str(spec).strip() == "all":
        return list(sources)
    if not isinstance(spec, str):  # e.g. a folder passed where release.py now says `source`
        raise ReleaseError(f"notebooks={spec!r}: expected a selection such as '00-05'; the instructor notebooks' "
                           "folder is `source` (--source)")
    number = {p: int(p.name[:2]) if p.name[:2].isdigit() else None for p in sources}
    chosen = set()
    for item in (part.strip() for part in spec.split(",")):
        span = re.fullmatch(r"(\d+)\s*-\s*(\d+)", item)
        if span:
            low, high = int(span.group(1)), int(span.group(2))
            found = {p for p, n in number.items() if n is not None and low <= n <= high}
        elif item.isdigit():
            found = {p for p, n in number.items() if n == int(item)}
        else:
            found = {p for p in sources if item in (p.name, p.stem)}
        if not found:
            raise ReleaseError(f"--notebooks {spec!r}: {item!r} names no notebook; there are "
                               f"{', '.join(p.name for p in sources)}")
        chosen |= found
    return sorted(chosen)


def is_graded_notebook(path: Path) -> bool:
    return any(is_graded(cell) for cell in read_notebook(path)["cells"])


def write_release(out, source=None, notebooks=None, hints: bool = True, force: bool = False, package=None) -> Path:
    """Write the whole release into `out`; returns it. See the module docstring.

    `source` and `package` default to the repository's notebooks/ and w2v_lib/ (tests pass small
    fixtures); `notebooks` selects which of them ship (select_notebooks; default all). With graded
    notebooks only, the library leaves the later modules out (library_release.py).
    """
    source_dir = Path(source) if source else REPO / "notebooks"
    package = Path(package) if package else PACKAGE
    out = Path(out)
    sources = sorted(source_dir.glob("*.ipynb"))
    if not sources:
        raise ReleaseError(f"no notebooks (.ipynb) in {source_dir}")
    chosen = select_notebooks(sources, notebooks)
    later = not all(is_graded_notebook(p) for p in chosen)
    nbformat, _ = _nbgrader()
    released = [(p.name, release_notebook(read_notebook(p), p.name, hints=hints)) for p in chosen]
    _check_out_dir(out, force)
    # Written beside `out` and moved into place at the end: an error leaves no half-written release
    # and keeps the previous one.
    staging = out.parent / f".{out.name}.writing"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        (staging / "notebooks").mkdir(parents=True)
        for name, nb in released:
            nbformat.write(nb, staging / "notebooks" / name)
        # Stubs name the notebook of their exercise even when it shipped in an earlier release.
        release_library(package, staging / "w2v_lib", exercise_notebooks(sources), skip=INSTRUCTOR_ONLY_FILES,
                        later=later)
        (staging / "pyproject.toml").write_text(release_pyproject(REPO / "pyproject.toml"), encoding="utf-8")
        for name in ("README.md", "Makefile"):
            shutil.copyfile(TEMPLATE / name, staging / name)
        _refuse_leftover_markers(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return out


def _refuse_leftover_markers(out: Path) -> None:
    """A marker left anywhere means a region was not removed (e.g. a marker in a non-solution cell)."""
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in (BEGIN_SOLUTION, BEGIN_HIDDEN, BEGIN_NOTE):
                if marker in text:
                    raise ReleaseError(f"{path.relative_to(out)} still holds {marker!r}: the release would leak it")


def add_arguments(parser) -> None:
    parser.add_argument("--out", type=Path, default=Path("student"), help="the release's folder (default: student)")
    parser.add_argument("--notebooks", default=None, metavar="SELECTION",
                        help="which notebooks to release, e.g. 00-05 (the graded part, first) or 06-10 (after "
                             "the deadline); numbers, ranges and names, comma-separated (default: all)")
    parser.add_argument("--no-hints", action="store_true", help="strip the hint cells (for graded use)")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument("--source", type=Path, default=None,
                        help="the instructor notebooks' folder (default: notebooks/)")


def run(args) -> int:
    """The command: one line on stdout saying what was written, or one `error:` line on stderr (returns 2)."""
    try:
        out = write_release(args.out, source=args.source, notebooks=args.notebooks, hints=not args.no_hints,
                            force=args.force)
    except (ReleaseError, ValueError) as err:
        print(f"error: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    names = sorted(p.name for p in (out / "notebooks").glob("*.ipynb"))
    graded = [n for n in names if is_graded_notebook(out / "notebooks" / n)]
    print(f"wrote the student release to {out}: {len(names)} notebooks ({names[0]} to {names[-1]}), the library "
          "with exercise stubs, README.md, pyproject.toml, Makefile")
    if graded and len(graded) < len(names):
        print("note: this release holds graded notebooks and later ones, so its library includes the fast "
              "trainer, which computes the negative-sampling gradient notebook 04 grades; for a graded "
              "assignment release the graded part first (--notebooks 00-05) and the rest after the deadline")
    return 0
