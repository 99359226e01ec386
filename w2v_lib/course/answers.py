"""A student's exercise functions, taken from their saved notebooks.

    answers = load_answers("notebooks")      # {function name: function}
    answers["sigmoid"](0.0)

Each exercise cell (nbgrader solution cell of code, COURSE_CONVENTIONS.md) defines one
function named by its grade_id. It is executed in a clean namespace that holds only the
imports of its notebook's first code cell, never the rest of the notebook (no data set-up,
no other cell's variables), so what comes back is exactly what the student wrote.
"""
from __future__ import annotations

import ast
from pathlib import Path

from .cells import grade_id, is_exercise, read_notebook, source


class AnswerError(RuntimeError):
    """An exercise cell could not be executed or did not define its function."""


def python_source(text: str) -> str:
    """IPython magics and shell escapes (`%matplotlib`, `!pip`) are not Python: blank them."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines())


def import_statements(cell_source: str, where: str) -> ast.Module:
    """The import statements of a cell (a notebook's first code cell), nothing else of it."""
    try:
        tree = ast.parse(python_source(cell_source))
    except SyntaxError as exc:
        raise AnswerError(f"{where}: the first code cell is not valid Python (line {exc.lineno}: {exc.msg})") from exc
    return ast.Module(body=[node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))],
                      type_ignores=[])


def answers_in(path) -> dict:
    """{function name: function} for the exercise cells of one notebook, in cell order."""
    path = Path(path)
    cells = read_notebook(path)["cells"]
    code = [c for c in cells if c.get("cell_type") == "code"]
    exercises = [(i, c) for i, c in enumerate(cells) if is_exercise(c) and grade_id(c)]
    if not exercises:
        return {}
    imports = import_statements(source(code[0]), f"{path.name}, cell 0")
    found = {}
    for index, cell in exercises:
        name = grade_id(cell)
        where = f"{path.name}, exercise cell '{name}' (cell {index})"
        namespace = {"__name__": f"answers_{path.stem}"}
        try:
            exec(compile(imports, f"{path.name}[imports]", "exec"), namespace)
        except Exception as exc:
            raise AnswerError(f"{path.name}: the imports of the first code cell failed: "
                              f"{type(exc).__name__}: {exc}") from exc
        imported = set(namespace)
        try:
            exec(compile(python_source(source(cell)), f"<{where}>", "exec"), namespace)
        except SyntaxError as exc:
            raise AnswerError(f"{where}: not valid Python (line {exc.lineno}: {exc.msg})") from exc
        except Exception as exc:
            raise AnswerError(f"{where}: running the cell raised {type(exc).__name__}: {exc}") from exc
        function = namespace.get(name)
        if not callable(function):
            raise AnswerError(f"{where}: the cell must define a function named `{name}`; "
                              f"it defines {sorted(set(namespace) - imported) or 'nothing'}")
        found[name] = function
    return found


def load_answers(notebook_dir) -> dict:
    """{function name: function} from every notebook in `notebook_dir`, in file-name order.

    When two notebooks define the same function (01 starts it, 02 completes it), the later
    notebook's version wins. Raises AnswerError naming the notebook and cell that failed.
    """
    folder = Path(notebook_dir)
    if not folder.is_dir():
        raise AnswerError(f"load_answers: {folder} is not a folder; pass the folder that holds your notebooks")
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not notebooks:
        raise AnswerError(f"load_answers: no notebooks (.ipynb) in {folder}")
    found = {}
    for path in notebooks:
        found.update(answers_in(path))
    return found
