"""The CI configuration says what it tests: the Python version, the dependency bounds, the workflow.

The hosted workflow cannot run here, so it is checked as far as a file can be: valid against
GitHub's published schema, and every make target and file it names exists.
"""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "tests.yml"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
TESTED_PYTHON = "3.11"


def workflow() -> dict:
    # PyYAML reads the key `on:` as the boolean True (YAML 1.1); that is how GitHub's own files look.
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_requires_python_is_the_version_ci_tests():
    assert PROJECT["requires-python"] == f">={TESTED_PYTHON}"
    assert f"python={TESTED_PYTHON}" in (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert workflow()["jobs"]["test"]["steps"][1]["with"]["python-version"] == TESTED_PYTHON
    assert sys.version_info[:2] >= tuple(int(part) for part in TESTED_PYTHON.split("."))


def test_the_workflow_is_valid_against_githubs_schema():
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_tests_newest_and_minimum_versions_with_the_readmes_command():
    job = workflow()["jobs"]["test"]
    assert job["strategy"]["matrix"]["dependencies"] == ["newest", "minimum"]
    commands = "\n".join(step.get("run", "") for step in job["steps"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test  " in readme or "make test\n" in readme, "the README's test command changed"
    assert re.search(r"^\s*make test$", commands, re.M), "the workflow must run the README's `make test`"
    for target in re.findall(r"make ([\w./-]+)", commands):
        assert target in make_targets(), f"the workflow runs `make {target}`, which the Makefile does not define"


def make_targets() -> set:
    """The Makefile's targets, with its variables expanded one level (`$(STAMP)` is `.venv/.installed`)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^(\w+)\s*:=\s*(\S+)\s*$", makefile, re.M))
    def expand(text):
        return re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), text)
    variables = {name: expand(expand(value)) for name, value in variables.items()}
    return {expand(name) for name in re.findall(r"^([^\s:#=]+):(?!=)", makefile, re.M)}


def test_make_targets_are_read_from_the_makefile():
    assert {"test", "test-no-avx512", "test-min", ".venv/.installed", ".venv-min/.installed"} <= make_targets()
    assert "no-such-target" not in make_targets()


def test_the_ci_script_runs_the_notebooks_with_and_without_avx512():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", script, re.M)
    assert re.search(r"^make test-no-avx512$", script, re.M)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    names = re.search(r"^NO_AVX512 := (.*)$", makefile, re.M).group(1).split()
    assert {"AVX512F", "AVX512_SKX", "AVX512_ICL"} <= set(names), "numpy 1.x names"
    assert {"X86_V4", "AVX512_ICL"} <= set(names), "numpy 2.x names"


def test_min_constraints_pin_every_dependency_to_its_lower_bound():
    result = subprocess.run([sys.executable, str(ROOT / ".ci" / "min_constraints.py")],
                            capture_output=True, text=True, timeout=60, check=True)
    pins = dict(line.split("==") for line in result.stdout.split())
    requirements = PROJECT["dependencies"] + [r for extra in PROJECT["optional-dependencies"].values() for r in extra]
    for requirement in requirements:
        name, bound = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*>=\s*([^,\s]+)", requirement).groups()
        if name.lower().replace("_", "-") != "w2v-lib":
            assert pins[name] == bound


@pytest.mark.parametrize("spec", ["numpy", "numpy<2"])
def test_min_constraints_refuse_a_dependency_without_a_lower_bound(tmp_path, spec):
    sys.path.insert(0, str(ROOT / ".ci"))
    try:
        from min_constraints import lower_bounds
    finally:
        sys.path.pop(0)
    with pytest.raises(SystemExit, match="no lower bound"):
        lower_bounds({"dependencies": [spec]})
