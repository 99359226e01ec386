"""What the release must not hold: the instructor's answers, line by line.

A "secret line" is a non-trivial line of code inside a solution or hidden-test region (of a
notebook or of the library), or a line of a written answer. Lines are compared after
stripping indentation and inline comments; a line is trivial when it is too short to give
anything away (`return loss`, `else:`). A region's line is not secret when it is shown anyway
outside every region: in the visible part of the same cell, for a hidden test also in the
visible part of the notebook's check cells (set-up repeated), or in the library's given code
(an input check shared with softmax); nor when it only restates a definition the handout's
question gives (GIVEN_BY_THE_HANDOUT).
"""
import json
import re
from pathlib import Path

from w2v_lib.course.cells import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    is_check,
    is_instructor_only,
    is_written_answer,
    read_notebook,
    regions,
    source,
)

MIN_LENGTH = 12
# θ = Uᵀv_c is stated by the question itself (the scores of the naive softmax), in the code's rows.
GIVEN_BY_THE_HANDOUT = {"scores = outside_vectors @ v_c"}
# `return x` of one name gives nothing away, nor do block keywords and closing brackets.
TRIVIAL = re.compile(r"(return( \w+)?|pass|else:|try:|finally:|[)\]}]+,?|\"\"\"|''')")


def normalise(line: str) -> str:
    """A line of code without indentation, inline comment (two spaces then #) or repeated spaces."""
    code = line.strip()
    if code.startswith("#"):
        return ""
    code = re.split(r"\s{2,}#", code)[0]
    return re.sub(r"\s+", " ", code).strip()


def nontrivial(line: str) -> str | None:
    code = normalise(line)
    return code if len(code) >= MIN_LENGTH and not TRIVIAL.fullmatch(code) and code not in GIVEN_BY_THE_HANDOUT \
        else None


def outside_regions(text: str) -> set:
    """The normalised lines of a text that lie outside every solution and hidden-test region."""
    shown, depth = set(), 0
    for line in text.splitlines():
        if BEGIN_SOLUTION in line or BEGIN_HIDDEN in line:
            depth += 1
        elif END_SOLUTION in line or END_HIDDEN in line:
            depth -= 1
        elif depth == 0:
            shown.add(normalise(line))
    return shown


def secret_lines(notebooks, package: Path) -> dict:
    """{normalised line: where it comes from} over the instructor notebooks and library."""
    found = {}
    for path in notebooks:
        cells = read_notebook(path)["cells"]
        # Test scaffolding the notebook's visible checks show anyway is no secret of its hidden tests.
        scaffolding = set().union(set(), *(outside_regions(source(c)) for c in cells if is_check(c)))
        for index, cell in enumerate(cells):
            text = source(cell)
            if is_written_answer(cell):
                chunks = [(text.splitlines(), set())]
            elif cell["cell_type"] == "code":
                shown = outside_regions(text)
                chunks = [(chunk, shown) for chunk in regions(text)] + \
                    [(chunk, shown | scaffolding) for chunk in regions(text, BEGIN_HIDDEN, END_HIDDEN)]
            else:
                chunks = []
            for chunk, shown in chunks:
                for line in chunk:
                    if nontrivial(line) and nontrivial(line) not in shown:
                        found.setdefault(nontrivial(line), f"{path.name}, cell {index}")
    library = {path: path.read_text(encoding="utf-8") for path in sorted(package.rglob("*.py"))}
    given = set().union(*(outside_regions(text) for text in library.values()))
    for path, text in library.items():
        for chunk in regions(text):
            for line in chunk:
                if nontrivial(line) and nontrivial(line) not in given:
                    found.setdefault(nontrivial(line), f"{path.relative_to(package.parent)}")
    return found


def instructor_only_sources(notebooks) -> list:
    return [(f"{p.name}, cell {i}", source(c)) for p in notebooks
            for i, c in enumerate(read_notebook(p)["cells"]) if is_instructor_only(c) and source(c).strip()]


def release_lines(release: Path) -> dict:
    """{normalised line: file} for every line of every file of the release (cell sources for notebooks)."""
    found = {}
    for path in sorted(release.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            text = "\n".join(source(c) for c in json.loads(text)["cells"])
        for line in text.splitlines():
            found.setdefault(normalise(line), str(path.relative_to(release)))
    return found


def leaks(notebooks, package: Path, release: Path) -> list:
    """Every secret line found in the release, as 'line (from X) found in Y'."""
    shipped = release_lines(release)
    found = [f"{line!r} (from {origin}) found in {shipped[line]}"
             for line, origin in secret_lines(notebooks, package).items() if line in shipped]
    joined = "\n".join(source(c) for p in sorted(release.rglob("*.ipynb")) for c in read_notebook(p)["cells"])
    found += [f"instructor-only {where} found in the release" for where, text in instructor_only_sources(notebooks)
              if text.strip() in joined]
    return found
