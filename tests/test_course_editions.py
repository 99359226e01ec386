"""The edition map and the table of the course's names: one source, the same text everywhere."""
import json
import re
from pathlib import Path

import pytest

from w2v_lib.course import editions

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def markdown_of(name: str) -> str:
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_notebook_00_and_the_readme_hold_the_same_map_and_names():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    nb00 = markdown_of("00_how_to_use.ipynb")
    for text in (editions.map_markdown(), editions.FOOTNOTE, editions.names_markdown(), editions.NAMES_NOTE):
        assert text in nb00, f"notebook 00 is out of date: {text[:60]!r}"
        assert text in readme, f"README.md is out of date: {text[:60]!r}"


@pytest.mark.parametrize("notebook, prefix", [("03", "03_sigmoid"), ("04", "04_negative_sampling"),
                                              ("05", "05_skipgram_cbow")])
def test_the_opening_tables_and_question_titles_come_from_the_map(notebook, prefix):
    text = markdown_of(f"{prefix}.ipynb")
    assert editions.notebook_table_markdown(notebook) in text
    for number, (_, row_id, _part) in enumerate(editions.NOTEBOOK_QUESTIONS[notebook], start=1):
        title = re.search(rf"^## Question {number} \((.*)\):", text, flags=re.MULTILINE)
        assert title, f"notebook {notebook}: no heading for Question {number}"
        assert editions.editions_of(row_id) in title.group(1), f"notebook {notebook}, Question {number}"


def test_every_map_row_points_at_an_existing_notebook_and_names_every_edition_once():
    ids = [row[0] for row in editions.MAP_ROWS]
    assert len(ids) == len(set(ids))
    keys = {key for key, _, _ in editions.EDITIONS}
    for row_id, _, letters, answered in editions.MAP_ROWS:
        assert set(letters) <= keys, row_id
        number = answered[:2]
        assert list(NOTEBOOKS.glob(f"{number}_*.ipynb")), f"{row_id}: notebook {number} does not exist"


def test_the_corrections_of_issue_20_hold():
    rows = {row[0]: row[2] for row in editions.MAP_ROWS}
    assert rows["grad_U"] == {"44pt": "(d)", "2023": "(d)"}, "dJ/dU as a matrix first appears in the 44-point edition"
    assert rows["sigmoid_vector"]["2019"].endswith("†"), "the 2019 (d) 'for a vector' is unconfirmed"
    assert "2020" not in rows["sigmoid_vector"], "the 2020 copies ask for a scalar"
    assert "2020" in {key for key, _, _ in editions.EDITIONS}
    assert "†" in editions.map_markdown() and "†" in editions.FOOTNOTE


def test_markdown_cells_of_a_table_never_hold_a_bare_bar():
    for table in (editions.map_markdown(), editions.names_markdown()):
        widths = {line.count("|") for line in table.splitlines()}
        assert len(widths) == 1, "a '|' inside a cell (e.g. |Vocab|) would split it"
