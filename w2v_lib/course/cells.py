"""The cell kinds of COURSE_CONVENTIONS.md, read from a notebook's cell metadata.

A cell's kind is decided by nbgrader's metadata (`cell.metadata.nbgrader`, schema 3) and two
tags; every other part of `w2v_lib.course` asks these functions, so the rules live here once.

| kind              | how it is marked                                   |
|-------------------|----------------------------------------------------|
| exercise          | code cell, nbgrader solution=true, grade=false      |
| autograded check  | code cell, nbgrader grade=true, solution=false      |
| written answer    | markdown cell, nbgrader solution=true, grade=true   |
| hint              | tag "hint"                                          |
| instructor only   | tag "instructor-only"                               |
| expected to fail  | tag "raises-exception"                              |
"""
from __future__ import annotations

import json
from pathlib import Path

# Spelled in two pieces: this file ships in the release, whose every file must be free of the
# markers (nbgrader matches them anywhere on a line).
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN " + "SOLUTION", "### END " + "SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN " + "HIDDEN TESTS", "### END " + "HIDDEN TESTS"
HINT, INSTRUCTOR_ONLY, RAISES = "hint", "instructor-only", "raises-exception"
# Every stub of the release raises with this prefix, so a test (or a student) can tell
# "not written yet" apart from every other error.
NOT_IMPLEMENTED = "not implemented yet"


def stub_line(notebook_name: str) -> str:
    """The one line that replaces an exercise's body, in the notebook and in the library."""
    return f'raise NotImplementedError("{NOT_IMPLEMENTED}: see notebook {notebook_name}")'


def source(cell) -> str:
    """A cell's source as one string (nbformat allows a list of lines on disk)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", []) or []


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_exercise(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_check(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_written_answer(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


def is_solution(cell) -> bool:
    """An exercise or a written answer: what the release replaces by a stub."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_graded(cell) -> bool:
    """Worth points: an autograded check or a written answer."""
    return bool(nbgrader_meta(cell).get("grade"))


def is_hint(cell) -> bool:
    return HINT in tags(cell)


def is_instructor_only(cell) -> bool:
    return INSTRUCTOR_ONLY in tags(cell)


def read_notebook(path) -> dict:
    """A notebook as nbformat-4 JSON; a clear error when the file is not one."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name}: cannot be read as a notebook ({exc})") from exc
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError(f"{path.name}: not a Jupyter notebook (no list of cells)")
    return nb


def regions(text: str, begin: str = BEGIN_SOLUTION, end: str = END_SOLUTION) -> list[list[str]]:
    """The lines strictly inside each begin/end region of a text (markers on lines of their own)."""
    found, current = [], None
    for line in text.splitlines():
        if begin in line:
            current = []
        elif end in line and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return found


def exercise_notebooks(notebook_paths) -> dict[str, str]:
    """{exercise function name: the file name of the LAST notebook whose exercise cell defines it}.

    A function may be built in two steps (01 starts the naive-softmax function, 02 completes
    it); the later notebook holds the complete version, so it is the one a stub points to.
    """
    where = {}
    for path in sorted(map(Path, notebook_paths)):
        for cell in read_notebook(path)["cells"]:
            if is_exercise(cell) and grade_id(cell):
                where[grade_id(cell)] = path.name
    return where
