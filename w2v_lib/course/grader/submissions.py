"""Reading a folder of submissions without trusting it: what each student handed in, and what was refused.

    students, refused = find_students(Path("submissions"))
    handed_in = read_submission("alice", folder, {"03_sigmoid.ipynb", ...})

Nothing here executes a submission. A notebook is read only if it is a regular file (checked with
lstat, then opened with O_NOFOLLOW|O_NONBLOCK and checked again with fstat on the open file, so
neither a symlink swapped in nor a FIFO can hang or redirect the read), no larger than
MAX_NOTEBOOK_BYTES, named as a graded notebook, and valid notebook JSON. Whatever is refused is
named per student, per notebook; nothing aborts the run.
"""
from __future__ import annotations

import ast
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..answers import AnswerError, import_statements, python_source
from ..cells import grade_id, is_exercise, source

STUDENT_ID = re.compile(r"[A-Za-z0-9_.@+-]{1,64}")
NOT_STUDENTS = {"feedback"}  # the grader's own output folder
MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_DEPTH = 4  # alice/notebooks/week1/x.ipynb is depth 3
MAX_ENTRIES = 5000  # files and folders looked at per student
MAX_CELL_CHARS = 200_000


@dataclass
class Submission:
    student: str
    notebooks: dict = field(default_factory=dict)  # {file name: notebook JSON}
    problems: dict = field(default_factory=dict)  # {file name: why it was not read (missing or refused)}
    refused: set = field(default_factory=set)  # the file names refused (not merely missing)
    notes: dict = field(default_factory=dict)  # {file name: something worth saying that costs nothing}


def find_students(submissions: Path) -> tuple[dict, dict]:
    """({student id: folder}, {entry name: why it is not graded}); raises ValueError for a bad folder."""
    if not submissions.is_dir():
        raise ValueError(f"{submissions}: not a folder; expected <folder>/<student-id>/*.ipynb")
    students, refused = {}, {}
    for entry in sorted(os.scandir(submissions), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name in NOT_STUDENTS or entry.name == "grades.csv":
            continue
        if entry.is_symlink():
            refused[entry.name] = "a symbolic link, not a folder: copy the student's folder in"
        elif not entry.is_dir(follow_symlinks=False):
            refused[entry.name] = "not a folder (each student's notebooks go in a folder named by their id)"
        elif not STUDENT_ID.fullmatch(entry.name):
            refused[entry.name] = "not a usable student id: rename the folder to letters, digits and _.@+- only"
        else:
            students[entry.name] = Path(entry.path)
    if not students and not refused:
        raise ValueError(f"{submissions} holds no student folders; expected {submissions}/<student-id>/*.ipynb")
    return students, refused


def _kind(mode: int) -> str | None:
    """Why a file of this mode is refused, or None for a regular file."""
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_regular_file(path: Path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of a regular file, or OSError/ValueError saying why it is refused."""
    before = os.lstat(path)
    why = _kind(before.st_mode)
    if why is None and before.st_nlink > 1:
        why = "a hard link to another file (hand in a copy)"
    if why is None and before.st_size > limit:
        why = f"{before.st_size} bytes, more than the {limit} allowed (clear the outputs and save again)"
    if why:
        raise ValueError(why)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise ValueError("replaced while it was being read")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise ValueError(f"more than the {limit} bytes allowed")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _candidates(folder: Path, wanted: set) -> tuple[dict, list]:
    """{file name: [paths]} of entries named like a graded notebook, at any depth up to MAX_DEPTH."""
    found, skipped, seen = {}, [], 0
    stack = [(folder, 0)]
    while stack:
        current, depth = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(f"{current.relative_to(folder)}: cannot be listed ({exc.strerror})")
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                skipped.append(f"more than {MAX_ENTRIES} files: the rest was not looked at")
                return found, skipped
            if entry.name.startswith("."):  # .ipynb_checkpoints, editor files
                continue
            if entry.name in wanted:
                found.setdefault(entry.name, []).append(Path(entry.path))
            elif entry.is_dir(follow_symlinks=False) and depth < MAX_DEPTH:
                stack.append((Path(entry.path), depth + 1))
    return found, skipped


def read_submission(student: str, folder: Path, wanted: set) -> Submission:
    """The graded notebooks a student handed in, each read safely; refusals named per notebook."""
    handed_in = Submission(student)
    found, skipped = _candidates(folder, wanted)
    if skipped:
        handed_in.notes[""] = "; ".join(skipped)
    for name in sorted(wanted):
        paths = found.get(name, [])
        if not paths:
            handed_in.problems[name] = "the notebook is missing from the submission"
            continue
        contents = {}
        for path in paths:
            where = path.relative_to(folder).as_posix()
            try:
                contents[where] = read_regular_file(path)
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                handed_in.problems[name] = f"{where} was refused: {reason}"
                handed_in.refused.add(name)
        if name in handed_in.problems:
            continue
        if len(set(contents.values())) > 1:
            handed_in.problems[name] = (f"{len(paths)} different copies ({', '.join(sorted(contents))}): "
                                        "none was graded; hand in one")
            handed_in.refused.add(name)
            continue
        if len(paths) > 1:
            handed_in.notes[name] = f"{len(paths)} identical copies ({', '.join(sorted(contents))}); graded once"
        try:
            notebook = json.loads(next(iter(contents.values())).decode("utf-8"))
            if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
                raise ValueError("no list of cells")
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            handed_in.problems[name] = f"not a Jupyter notebook ({str(exc)[:120]})"
            handed_in.refused.add(name)
            continue
        handed_in.notebooks[name] = notebook
    return handed_in


def _defines(text: str, name: str) -> bool:
    try:
        tree = ast.parse(python_source(text))
    except (SyntaxError, ValueError):
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name for node in tree.body)


def function_code(notebook: dict, notebook_name: str, name: str) -> tuple[dict | None, str]:
    """({"imports", "source", "where"} for the sandbox, or None, and a note for the feedback).

    The code is the exercise cell whose grade_id is `name` (the cell a student was given), else
    the last code cell that defines `name` (metadata lost by another editor), and the import
    statements of the notebook's first code cell: nothing else of the notebook runs.
    """
    cells = [c for c in notebook["cells"] if isinstance(c, dict)]
    code = [c for c in cells if c.get("cell_type") == "code"]
    chosen = [c for c in cells if is_exercise(c) and grade_id(c) == name]
    note = ""
    if not chosen:
        chosen = [c for c in code if _defines(source(c), name)]
        if chosen:
            note = f"the exercise cell of `{name}` had lost its metadata; graded the last cell that defines it"
    if not chosen:
        return None, f"no cell of {notebook_name} defines `{name}` (was its exercise cell deleted?)"
    text = source(chosen[-1])
    if not isinstance(text, str) or len(text) > MAX_CELL_CHARS:
        return None, f"the cell that defines `{name}` is not text or longer than {MAX_CELL_CHARS} characters"
    imports = ""
    if code:
        try:
            imports = ast.unparse(import_statements(source(code[0]), notebook_name))
        except (AnswerError, TypeError, ValueError, RecursionError):
            note = "the first code cell is not valid Python: its imports were not run"
    where = f"{notebook_name}, cell of {name}"
    return {"imports": imports, "source": python_source(text), "where": where}, note
