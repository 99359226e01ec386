"""The student release: a folder a student can take away, install and run on its own.

    python -m w2v_lib.course release --out student [--no-hints] [--force]

It writes `notebooks/` (solutions, hidden tests and instructor-only cells removed, written
answers replaced by "YOUR ANSWER HERE", outputs and widget state cleared), `w2v_lib/` (every
`### BEGIN SOLUTION` region of the library replaced by a stub that raises "not implemented
yet: see notebook NN_name.ipynb"), a README with the set-up, a pyproject.toml for
`pip install -e .` and a Makefile whose `make lab` opens the notebooks. Nothing else: no tests,
no solutions, no history. The notebook rules are nbgrader's own preprocessors, so the release
and `grade` (grading.py) read the cells the same way.
"""
from __future__ import annotations

import argparse
import ast
import json
import shutil
import tomllib
from pathlib import Path

from .cells import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    exercise_notebooks,
    is_check,
    is_hint,
    is_instructor_only,
    is_solution,
    read_notebook,
    source,
    stub_line,
)

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "w2v_lib"
TEMPLATE = Path(__file__).resolve().parent / "template"
# The instructor's machinery stays home; the release keeps checks, answers and cells (used by
# the notebooks) so `w2v_lib.course` still imports there.
INSTRUCTOR_ONLY_FILES = {"course/release.py", "course/grading.py", "course/__main__.py", "course/template"}
GRADE_EXTRA = "pip install -e '.[grade]'"


def _nbgrader():
    try:
        import nbformat
        from nbgrader import preprocessors
    except ImportError as exc:
        raise SystemExit(f"the course release and grading need nbgrader, an optional extra: run `{GRADE_EXTRA}` "
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


def _enclosing_function(tree: ast.AST, line: int) -> str | None:
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno <= line <= node.end_lineno:
            if best is None or node.lineno > best.lineno:
                best = node
    return best.name if best else None


def stub_library_source(text: str, filename: str, where: dict) -> str:
    """Replace each solution region of a library file by the stub naming its exercise's notebook.

    `where` maps an exercise function name to its notebook (cells.exercise_notebooks). A region
    outside a function, or in a function no notebook asks for, is an error: the stub could not
    tell the student where to write it.
    """
    if BEGIN_SOLUTION not in text:
        return text
    nbformat, pp = _nbgrader()
    tree = ast.parse(text, filename=filename)
    lines = text.split("\n")
    out, start = [], 0
    for number, line in enumerate(lines, start=1):
        if BEGIN_SOLUTION not in line:
            continue
        function = _enclosing_function(tree, number)
        if function is None:
            raise ValueError(f"{filename}, line {number}: a solution region outside any function")
        if function not in where:
            raise ValueError(f"{filename}, line {number}: the solution region of `{function}` has no exercise cell "
                             f"(nbgrader grade_id '{function}') in any notebook, so its stub cannot say where to "
                             "write it; add the exercise or remove the markers")
        try:
            end = next(i for i in range(number, len(lines)) if END_SOLUTION in lines[i])
        except StopIteration:
            raise ValueError(f"{filename}, line {number}: {BEGIN_SOLUTION!r} is never closed") from None
        # nbgrader's own rule for one region, applied to the region alone.
        region = nbformat.v4.new_code_cell("\n".join(lines[number - 1:end + 1]))
        pp.ClearSolutions(code_stub={"python": stub_line(where[function])})._replace_solution_region(region, "python")
        out.extend(lines[start:number - 1])
        out.append(region.source)
        start = end + 1
    out.extend(lines[start:])
    return "\n".join(out)


def release_library(package: Path, target: Path, where: dict) -> list[Path]:
    written = []
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package).as_posix()
        if "__pycache__" in path.parts or path.suffix == ".pyc" or path.is_dir() \
                or any(relative == f or relative.startswith(f + "/") for f in INSTRUCTOR_ONLY_FILES):
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".py":
            destination.write_text(stub_library_source(path.read_text(encoding="utf-8"), f"w2v_lib/{relative}", where),
                                   encoding="utf-8")
        else:
            shutil.copyfile(path, destination)
        written.append(destination)
    return written


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
        raise SystemExit(f"--out {out}: pick a folder outside the workbook's sources (e.g. student/)")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SystemExit(f"--out {out} exists and is not empty; pass --force to replace it")
        shutil.rmtree(out)


def write_release(out, notebooks=None, hints: bool = True, force: bool = False, package=None) -> Path:
    """Write the whole release into `out`; returns it. See the module docstring.

    `notebooks` and `package` default to the repository's notebooks/ and w2v_lib/ (tests pass
    small fixtures).
    """
    notebooks_dir = Path(notebooks) if notebooks else REPO / "notebooks"
    package = Path(package) if package else PACKAGE
    out = Path(out)
    _check_out_dir(out, force)
    sources = sorted(notebooks_dir.glob("*.ipynb"))
    if not sources:
        raise SystemExit(f"no notebooks (.ipynb) in {notebooks_dir}")
    nbformat, _ = _nbgrader()
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for path in sources:
        nb = release_notebook(read_notebook(path), path.name, hints=hints)
        nbformat.write(nb, out / "notebooks" / path.name)
    release_library(package, out / "w2v_lib", exercise_notebooks(sources))
    (out / "pyproject.toml").write_text(release_pyproject(REPO / "pyproject.toml"), encoding="utf-8")
    for name in ("README.md", "Makefile"):
        shutil.copyfile(TEMPLATE / name, out / name)
    _refuse_leftover_markers(out)
    return out


def _refuse_leftover_markers(out: Path) -> None:
    """A marker left anywhere means a region was not removed (e.g. a marker in a non-solution cell)."""
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in (BEGIN_SOLUTION, BEGIN_HIDDEN):
                if marker in text:
                    raise SystemExit(f"{path.relative_to(out)} still holds {marker!r}: the release would leak it")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m w2v_lib.course release",
                                     description="write the student release of the workbook")
    add_arguments(parser)
    return run(parser.parse_args(argv))


def add_arguments(parser) -> None:
    parser.add_argument("--out", type=Path, default=Path("student"), help="the release's folder (default: student)")
    parser.add_argument("--no-hints", action="store_true", help="strip the hint cells (for graded use)")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument("--notebooks", type=Path, default=None, help="the instructor notebooks (default: notebooks/)")


def run(args) -> int:
    out = write_release(args.out, notebooks=args.notebooks, hints=not args.no_hints, force=args.force)
    count = len(list((out / "notebooks").glob("*.ipynb")))
    print(f"wrote the student release to {out}: {count} notebooks, the library with exercise stubs, "
          "README.md, pyproject.toml, Makefile")
    return 0
