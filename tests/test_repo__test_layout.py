"""The suite's layout rule (tests/README.md), checked so it cannot drift.

- Each test module is named `test_<target>.py` or `test_<target>__<aspect>.py`, where <target> is a
  module or package of w2v_lib written with `_` for `/` (`vectors_keyed` is w2v_lib/vectors/keyed.py,
  `main` is w2v_lib/__main__.py), or one of the few parts of the repository that are not library code.
- No test module imports another test module or conftest.py: shared fixtures live in conftest.py,
  plain helpers in tests/support/.
- Apart from conftest.py, the only Python files under tests/ are test modules and tests/support/.
"""
import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
LIBRARY = TESTS.parent / "w2v_lib"
# What the suite tests beyond the library: the notebooks, the benches, CI, the repository as a whole.
NOT_LIBRARY = {"notebooks", "bench", "ci", "repo"}


def library_targets(library: Path = LIBRARY) -> dict:
    """{target name: path} for every module and package of the library."""
    targets = {}
    for path in library.rglob("*.py"):
        parts = path.relative_to(library).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            name = "_".join("main" if p == "__main__" else p.lstrip("_") for p in parts)
            assert name not in targets or targets[name] == path, f"{name} names both {targets[name]} and {path}"
            targets.setdefault(name, path)
    return targets


def layout_errors(tests: Path, targets: dict) -> list:
    """Every test module of `tests` whose name or imports break the rule, with what to do."""
    errors = []
    local = {p.stem for p in tests.glob("*.py")}
    for path in sorted(tests.glob("*.py")):
        if path.name == "conftest.py":
            continue
        if not path.name.startswith("test_"):
            errors.append(f"{path.name}: a helper belongs in tests/support/, a fixture in conftest.py")
            continue
        target = path.stem.removeprefix("test_").split("__")[0]
        if target not in targets and target not in NOT_LIBRARY:
            errors.append(f"{path.name}: '{target}' names no module of w2v_lib (nor {sorted(NOT_LIBRARY)})")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.split(".")[0] in local:
                    errors.append(f"{path.name} imports {name}: move what it shares into conftest.py or tests/support/")
    return errors


def test_every_test_module_is_named_after_what_it_tests_and_imports_no_other():
    assert layout_errors(TESTS, library_targets()) == []


def test_every_target_name_is_one_library_module():
    targets = library_targets()
    assert targets["vectors_keyed"] == LIBRARY / "vectors" / "keyed.py"
    assert targets["course_grader"] == LIBRARY / "course" / "grader" / "__init__.py"
    assert targets["main"] == LIBRARY / "__main__.py"
    assert targets["assignment_run_folder"] == LIBRARY / "assignment" / "run_folder.py"


@pytest.mark.parametrize("name, text, complaint", [
    ("test_explorer_model.py", "", "'explorer_model' names no module"),
    ("test_vectors__io.py", "from test_vectors import toy_vectors\n", "imports test_vectors"),
    ("test_losses.py", "from conftest import strict\n", "imports conftest"),
    ("test_models.py", "def test_x():\n    import test_losses\n", "imports test_losses"),
    ("toy_fixture.py", "", "belongs in tests/support/"),
])
def test_a_misnamed_module_or_a_cross_import_is_named(tmp_path, name, text, complaint):
    for fine in ("conftest.py", "test_vectors.py", "test_losses.py", "test_notebooks__outputs.py"):
        (tmp_path / fine).write_text("")
    assert layout_errors(tmp_path, library_targets()) == []
    (tmp_path / name).write_text(text)
    (error,) = layout_errors(tmp_path, library_targets())
    assert error.startswith(name) and complaint in error, error


def named_test_files(text: str) -> set:
    """Every `tests/test_….py` path a text names."""
    return set(re.findall(r"tests/test_[A-Za-z0-9_]+\.py", text))


def stale_test_names(repo: Path) -> list:
    """(file, named path) for every test file that the notebooks, README, docs or library name but that is gone."""
    places = [*repo.glob("README.md"), *repo.glob("docs/*.md"), *repo.glob("notebooks/*.ipynb"),
              *repo.glob("w2v_lib/**/*.py")]
    return sorted((str(place.relative_to(repo)), named) for place in places
                  for named in named_test_files(place.read_text(encoding="utf-8")) if not (repo / named).exists())


def test_every_test_file_the_docs_and_notebooks_name_exists(tmp_path):
    assert stale_test_names(TESTS.parent) == []
    # attacked: a notebook that names a test file by an old name is reported
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_vectors.py").write_text("")
    notebook = tmp_path / "notebooks" / "01.ipynb"
    notebook.write_text('{"source": "see tests/test_vectors.py and tests/test_compiled.py"}')
    assert stale_test_names(tmp_path) == [("notebooks/01.ipynb", "tests/test_compiled.py")]
