"""Print a pip constraints file pinning every dependency to the lowest version pyproject.toml admits.

    python .ci/min_constraints.py > constraints-min.txt
    pip install -c constraints-min.txt -e '.[test]'

The lower bounds in pyproject.toml are promises; `make test-min` and the hosted CI's "minimum"
job install exactly these versions and run the suite, so a promise that breaks is seen.
"""
import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$")


def lower_bounds(project: dict) -> dict:
    """{package name: lowest admitted version} for the runtime and every optional extra."""
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    bounds = {}
    for requirement in requirements:
        name, spec = REQUIREMENT.match(requirement.split(";")[0]).groups()
        if name.lower().replace("_", "-") == "w2v-lib":
            continue  # an extra that names the project itself
        found = re.search(r">=\s*([0-9][^,\s]*)", spec)
        if not found:
            sys.exit(f"pyproject.toml: {requirement!r} has no lower bound (>=); every dependency needs one")
        bounds[name] = found.group(1)
    return bounds


if __name__ == "__main__":
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    for name, version in sorted(lower_bounds(project).items()):
        print(f"{name}=={version}")
