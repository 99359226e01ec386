"""The student release's copy of the library (release.py writes the rest).

Three things change on the way out:
- every `### BEGIN SOLUTION` region of an exercise function becomes the stub that names its
  notebook (nbgrader's own rule, applied to the region alone);
- every instructor note is cut: the lines from a BEGIN_NOTE marker to an END_NOTE marker (below;
  each alone on its line, as a comment or inside a docstring), where the instructor's edition
  explains what the written answers derive;
- a release of the graded notebooks alone leaves out LATER_MODULES and every module that
  imports them: `assignment/` and `fast/` compute the negative-sampling loss and gradient
  vectorized, for speed (the SST step and its compiled twin, the fast trainer; `compiled.py` is
  what the compiled kernels share), which notebook 04 grades, and `sgd_loop.py` makes the update
  of the sgd_step exercise. Each left-out package or module is replaced by a placeholder whose
  import raises an ImportError saying so. They ship with the later notebooks, which train with them, after the deadline.
"""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

from .cells import BEGIN_SOLUTION, END_SOLUTION, stub_line

# Spelled in two pieces, like cells.py's markers: this file is the one that must not be cut.
BEGIN_NOTE, END_NOTE = "# BEGIN " + "INSTRUCTOR NOTE", "# END " + "INSTRUCTOR NOTE"
# Packages (every file) and top-level modules; see the module docstring.
LATER_MODULES = ("assignment", "fast", "compiled.py", "sgd_loop.py")
LEFT_OUT = ("{module} is not in this release: it computes what the graded notebooks ask you to derive "
            "and write. It comes with notebooks 06 onwards, after the deadline.")


def _nbgrader():
    from .release import _nbgrader as load

    return load()


def _enclosing_function(tree: ast.AST, line: int) -> str | None:
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno <= line <= node.end_lineno:
            if best is None or node.lineno > best.lineno:
                best = node
    return best.name if best else None


def strip_instructor_notes(text: str, filename: str) -> str:
    """The text without its instructor notes (marker lines included); unbalanced markers are refused."""
    if BEGIN_NOTE not in text and END_NOTE not in text:
        return text
    kept, inside = [], None
    for number, line in enumerate(text.split("\n"), start=1):
        marker = line.strip()
        if BEGIN_NOTE in line or END_NOTE in line:
            if marker not in (BEGIN_NOTE, END_NOTE) or (marker == BEGIN_NOTE) == (inside is not None):
                raise ValueError(f"{filename}, line {number}: {marker!r}: instructor-note markers must alternate "
                                 f"{BEGIN_NOTE!r} / {END_NOTE!r}, each alone on its line")
            inside = number if marker == BEGIN_NOTE else None
        elif inside is None:
            kept.append(line)
    if inside is not None:
        raise ValueError(f"{filename}, line {inside}: {BEGIN_NOTE!r} is never closed by {END_NOTE!r}")
    out = "\n".join(kept)
    try:
        ast.parse(out, filename=filename)
    except SyntaxError as exc:  # e.g. a note that cut a docstring's closing quotes
        raise ValueError(f"{filename}: without its instructor notes the file is no longer Python ({exc.msg}, "
                         f"line {exc.lineno}); keep each note inside one comment block or one docstring") from None
    return out


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
        region = nbformat.v4.new_code_cell("\n".join(lines[number - 1:end + 1]))
        pp.ClearSolutions(code_stub={"python": stub_line(where[function])})._replace_solution_region(region, "python")
        out.extend(lines[start:number - 1])
        out.append(region.source)
        start = end + 1
    out.extend(lines[start:])
    return "\n".join(out)


def _module_name(relative: str) -> str:
    """'fast/trainer.py' -> 'fast.trainer'; 'fast/__init__.py' -> 'fast'."""
    parts = Path(relative).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path, module: str, is_package: bool) -> set:
    """The w2v_lib modules (dotted, relative to w2v_lib) a file imports when it is imported."""
    here = module.split(".") if is_package else module.split(".")[:-1]
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[:len(here) - (node.level - 1)] if node.level > 1 else here
            target = ".".join([*base, *([node.module] if node.module else [])])
            found.add(target)
            found |= {f"{target}.{alias.name}" if target else alias.name for alias in node.names}
    return found


def left_out_modules(package: Path) -> set:
    """{relative path}: LATER_MODULES' files and, transitively, every module importing one of them
    at import time (the package's own __init__ excepted: it imports them lazily)."""
    files = {p.relative_to(package).as_posix(): p for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    left = {r for r in files if r.split("/")[0] in LATER_MODULES}
    gone = {_module_name(r) for r in left}
    while True:
        more = {r for r, p in files.items() if r not in left and r != "__init__.py"
                and _top_level_imports(p, _module_name(r), r.endswith("__init__.py")) & gone}
        if not more:
            return left
        left |= more
        gone |= {_module_name(r) for r in more}


def placeholder(relative: str) -> str:
    """The source that stands for a left-out module: importing it says why it is missing."""
    message = LEFT_OUT.format(module="w2v_lib." + _module_name(relative))
    return f'"""{message}"""\nraise ImportError({message!r})\n'


def release_library(package: Path, target: Path, where: dict, skip: set, later: bool) -> list[Path]:
    """Copy `package` to `target` for the release; `skip` holds relative paths that stay home.

    With `later` false (a release of graded notebooks only) left_out_modules() become placeholders:
    one per left-out top-level module, one `__init__.py` per left-out package.
    """
    left = set() if later else left_out_modules(package)
    written = []
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package).as_posix()
        if "__pycache__" in path.parts or path.suffix == ".pyc" or path.is_dir() \
                or any(relative == f or relative.startswith(f + "/") for f in skip):
            continue
        destination = target / relative
        in_later_package = not later and "/" in relative and relative.split("/")[0] in LATER_MODULES
        if in_later_package and relative != f"{relative.split('/')[0]}/__init__.py":
            continue  # the package's placeholder __init__ refuses every import from it
        if relative in left:
            text = placeholder(relative)
        elif path.suffix == ".py":
            text = strip_instructor_notes(path.read_text(encoding="utf-8"), f"w2v_lib/{relative}")
            text = stub_library_source(text, f"w2v_lib/{relative}", where)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            written.append(destination)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    return written
