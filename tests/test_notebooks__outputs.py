"""No stored notebook output that nbval compares may depend on round-off.

nbval compares each stored output with a fresh run, on the instructor's machine as on ours. A digit
that depends on the last bits of floating point (a finite-difference error, a float32 loss printed
to seven places, a full-precision coordinate in a figure's JSON) matches on one CPU and fails on the
next. The repository's sanitizers (nbval_sanitize.cfg) mask the one kind that a student benefits
from seeing (tiny numbers in scientific notation); every other number in a compared output must be
printed with few enough digits to be stable. This test reads the stored outputs, applies the same
sanitizers nbval applies, and rejects what would still depend on round-off.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from nbval.plugin import comment_markers, get_sanitize_patterns, metadata_tags

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SANITIZERS = get_sanitize_patterns((ROOT / "nbval_sanitize.cfg").read_text(encoding="utf-8"))

# What nbval leaves out of its comparison (its defaults without --nbdime).
UNCOMPARED_KEYS = {"image/png", "image/jpeg", "application/vnd.jupyter.widget-view+json"}
SKIPPING = {"NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP", "PYTEST_VALIDATE_IGNORE_OUTPUT"}

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
MAX_SIGNIFICANT = 9   # float64 round-off shows from about the 12th digit, float32's from the 7th
MIN_EXPONENT = -6     # below 1e-6, a value is round-off-sized for this workbook's checks


def round_off_numbers(text: str) -> list[str]:
    """The numbers in `text` (already sanitized) whose printed digits depend on round-off."""
    found = []
    for match in NUMBER.finditer(text):
        token = match.group().lstrip("+-")
        mantissa, _, exponent = token.lower().partition("e")
        digits = mantissa.replace(".", "").lstrip("0")
        if exponent:
            value = float(token)
            if value != 0 and abs(value) < 10.0 ** MIN_EXPONENT:
                found.append(match.group())
                continue
        if "." not in mantissa and not exponent:
            continue  # an integer: counts, sizes, indices
        leading_zeros = len(mantissa.split(".")[1]) - len(mantissa.split(".")[1].lstrip("0")) \
            if mantissa.startswith(("0.", ".")) else 0
        if len(digits.rstrip("0")) > MAX_SIGNIFICANT or (digits and leading_zeros >= -MIN_EXPONENT):
            found.append(match.group())
    return found


def sanitize(text: str) -> str:
    for regex, replacement in SANITIZERS:
        text = re.sub(regex, replacement, text)
    return text


def is_compared(cell: dict) -> bool:
    """Whether nbval compares this code cell's outputs (no skip/ignore marker or tag)."""
    source = "".join(cell.get("source", ""))
    for line in source.splitlines():
        if line.strip().startswith("#") and line.strip().lstrip("#").strip() in SKIPPING:
            return False
    tags = cell.get("metadata", {}).get("tags", [])
    ignoring = {tag for tag, kind in metadata_tags.items() if kind in (("check", False), "skip")}
    return not (set(tags) & ignoring)


def compared_texts(cell: dict):
    """Every text nbval compares for one code cell: streams and the data of results and displays."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            yield "stdout", "".join(output.get("text", ""))
        for key, value in output.get("data", {}).items():
            if key in UNCOMPARED_KEYS:
                continue
            yield key, value if isinstance(value, str) else "".join(value) if isinstance(value, list) \
                else json.dumps(value)


def test_the_markers_are_nbvals_own():
    assert SKIPPING - {"PYTEST_VALIDATE_IGNORE_OUTPUT"} <= set(comment_markers)


@pytest.mark.parametrize("text, flagged", [
    ("max relative error 3.2e-10 (tolerance 1e-06)", ["3.2e-10"]),
    ("largest gap 9.2e-17", ["9.2e-17"]),
    ("loss 0.30000000000000004", ["0.30000000000000004"]),
    ('{"x": [0.12345678901, 2.5]}', ["0.12345678901"]),
    ("gap 0.0000001", ["0.0000001"]),
    ("loss 9.65, 19,536 words, 40000 steps, rate 2.8e+05, tolerance 1e-06", []),
    ("ratio 1.5x, error 1.0e+00, cosine -0.12", []),
])
def test_round_off_numbers_are_found(text, flagged):
    assert round_off_numbers(text) == flagged


def test_the_sanitizers_mask_tiny_numbers_and_signed_zeros():
    assert sanitize("max relative error 3.2e-10, next -8.3E-17") == "max relative error <1e-6, next <1e-6"
    assert sanitize("[-0.    0.5  -0.  ]") == "[ 0.    0.5   0.  ]"
    assert sanitize("tolerance 1e-06, error 2.0e-01") == "tolerance 1e-06, error 2.0e-01"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_compared_output_depends_on_round_off(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or not is_compared(cell):
            continue
        for key, text in compared_texts(cell):
            numbers = round_off_numbers(sanitize(text))
            if numbers:
                problems.append(f"cell {index} ({key}): {', '.join(numbers[:5])}")
    assert not problems, (
        f"{path.name}: outputs that nbval compares print digits that depend on round-off, so they "
        "will differ on another CPU. Print a bound and assert the value in code, or mark the cell "
        "`# NBVAL_IGNORE_OUTPUT` if its output is not the point:\n  " + "\n  ".join(problems))
