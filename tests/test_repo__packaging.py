"""The project's two package lists (pip's pyproject.toml, conda's environment.yml) agree."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _split(spec: str):
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def pyproject_requirements() -> dict:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [s for group in project["optional-dependencies"].values() for s in group]
    return dict(_split(s) for s in specs)


def conda_requirements() -> dict:
    """The conda-forge packages of environment.yml, without python, pip and the pip section."""
    specs, in_deps = [], False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^  - (\S.*)$", line)  # exactly two spaces: nested pip entries are deeper
        if in_deps and m and not m.group(1).startswith("pip"):
            specs.append(m.group(1))
    found = dict(_split(s) for s in specs)
    found.pop("python", None)
    return found


def test_environment_yml_lists_the_same_packages_and_bounds_as_pyproject():
    pip_side, conda_side = pyproject_requirements(), conda_requirements()
    assert pip_side, "no requirements parsed from pyproject.toml"
    assert sorted(set(pip_side) - set(conda_side)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda_side) - set(pip_side)) == [], "in environment.yml but not pyproject.toml"
    assert {k: conda_side[k] for k in pip_side} == pip_side


def test_environment_yml_installs_the_project_itself():
    assert re.search(r"^\s+- -e \.\s*$", (ROOT / "environment.yml").read_text(), re.M)


def test_every_dependency_is_explained_in_the_readme():
    readme = (ROOT / "README.md").read_text().lower()
    missing = [name for name in pyproject_requirements() if f"`{name}`" not in readme]
    assert missing == [], f"README's dependency table lacks: {missing}"
