"""The layers: import-linter's contract (pyproject.toml) holds, catches an import that climbs, and
docs/architecture.md lists the contract's layers, so neither can drift from the other."""
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"


def lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if tool is None:
        pytest.fail("import-linter is not installed: `pip install -e '.[test]'` installs it")
    env = None
    if pythonpath is not None:  # the copy under test, ahead of the installed package
        env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([tool, "--no-cache"], cwd=cwd, capture_output=True, text=True, env=env)


def contract_layers(pyproject: str) -> list[str]:
    """The layers of the contract named 'layers', highest first, as written ('a | b')."""
    contracts = tomllib.loads(pyproject)["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["id"] == "layers"]
    return [" | ".join(part.strip() for part in layer.split("|")) for layer in layers]


def page_layers(page: str) -> list[str]:
    """The numbered list of the page's '## Layers' section: its first `code` span per item."""
    section = page.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    items = re.findall(r"^\d+\. `([^`]+)`", section, flags=re.M)
    return [" | ".join(part.strip() for part in item.split("|")) for item in items]


def test_the_layers_contract_holds():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Contracts: 1 kept, 0 broken." in done.stdout


def test_the_contract_catches_an_import_that_climbs(tmp_path):
    """The attack: a copy of the package where corpora imports the fast trainer breaks the contract,
    and the report names the import; a new module no layer names breaks it too (exhaustive)."""
    shutil.copytree(ROOT / "w2v_lib", tmp_path / "w2v_lib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    windows = tmp_path / "w2v_lib" / "corpora" / "windows.py"
    windows.write_text(windows.read_text() + "\nfrom ..fast import trainer  # noqa: E402\n")
    (tmp_path / "w2v_lib" / "stray.py").write_text('"""a module with no layer"""\n')
    done = lint_imports(tmp_path, pythonpath=tmp_path)
    assert done.returncode != 0
    assert "w2v_lib.corpora.windows -> w2v_lib.fast.trainer" in done.stdout, done.stdout[-4000:]
    assert "w2v_lib.stray" in done.stdout, done.stdout[-4000:]


def test_the_architecture_page_lists_the_contracts_layers():
    layers = contract_layers((ROOT / "pyproject.toml").read_text())
    assert len(layers) >= 5
    assert page_layers(PAGE.read_text()) == layers


def test_a_page_that_drifts_is_caught():
    page = PAGE.read_text()
    assert page_layers(page.replace("`explorer | course | lessons`", "`explorer | course`")) != page_layers(page)
    assert page_layers(page.replace("3. `fast`", "3. `vectors`")) != page_layers(page)
