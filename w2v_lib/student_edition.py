"""Make the student edition of workbook notebooks: solution regions out, outputs cleared.

Code between `### BEGIN SOLUTION` and `### END SOLUTION` (nbgrader's markers, each on a line of
its own) becomes one `raise NotImplementedError(...)` at the marker's indentation.

    python -m w2v_lib.student_edition notebooks/0*.ipynb --out-dir student
"""
from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = 'raise NotImplementedError("write your solution here")'


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace every solution region of one cell's source by a NotImplementedError line."""
    out, inside = [], False
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker not in (BEGIN, END) and (BEGIN in line or END in line):
            raise ValueError(f"{where}, line {number}: a solution marker must be alone on its line; "
                             f"got {line.strip()!r}")
        if marker == BEGIN:
            if inside:
                raise ValueError(f"{where}, line {number}: {BEGIN!r} inside an open solution region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{PLACEHOLDER}\n")
        elif marker == END:
            if not inside:
                raise ValueError(f"{where}, line {number}: {END!r} without a matching {BEGIN!r}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN!r} is never closed by {END!r}")
    return "".join(out).rstrip("\n")


def student_edition(notebook: dict, name: str = "notebook") -> dict:
    """Return a copy of a notebook (nbformat 4 JSON as a dict) with solutions and outputs removed."""
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"{name}: expected notebook JSON with a 'cells' list; got {type(notebook).__name__}")
    nb = copy.deepcopy(notebook)
    nb.get("metadata", {}).pop("widgets", None)
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        cell["source"] = strip_solutions(src, where=f"{name}, code cell {index}")
        cell["outputs"] = []
        cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    return nb


def write_student_editions(paths, out_dir) -> list[Path]:
    """Write the student edition of each notebook into out_dir under the same file name."""
    out_dir = Path(out_dir)
    written = []
    for path in map(Path, paths):
        if not path.is_file():
            raise FileNotFoundError(f"notebook not found: {path}")
        target = out_dir / path.name
        if target.resolve() == path.resolve():
            raise ValueError(f"--out-dir must differ from the notebook's folder; {path} would be overwritten")
        notebook = json.loads(path.read_text(encoding="utf-8"))
        out_dir.mkdir(parents=True, exist_ok=True)
        text = json.dumps(student_edition(notebook, name=path.name), indent=1, ensure_ascii=False)
        target.write_text(text + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", help="teacher notebooks (.ipynb)")
    parser.add_argument("--out-dir", required=True, help="folder for the student editions")
    args = parser.parse_args(argv)
    for target in write_student_editions(args.notebooks, args.out_dir):
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
