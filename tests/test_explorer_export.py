"""Exports: the offline HTML page and the Embedding Projector's TSV pair."""
import json
import re

import numpy as np
import pytest
from test_explorer_model import offset_vectors, toy_vectors

from w2v_lib.explorer.export import PLOT_DIV_ID, export_html, export_projector_tsv
from w2v_lib.vectors import WordVectors, load_word_vectors


@pytest.fixture
def model():
    words, vectors, counts = toy_vectors()
    return WordVectors(words, vectors, counts)


def page_data(text):
    blob = re.search(r'<script id="w2v-data" type="application/json">(.*?)</script>', text, re.S).group(1)
    return json.loads(blob)


def test_neighbour_table_matches_the_model(model):
    idx, sims = model.neighbour_table(k=4, chunk=7)  # a small chunk crosses chunk borders
    for word in ("king", "good", "<script>", "filler3"):
        i = model.word_index(word)
        assert [model.words[j] for j in idx[i]] == [w for w, _ in model.neighbours(word, k=4)]
    assert (np.diff(sims, axis=1) <= 1e-6).all()
    with pytest.raises(ValueError, match="k must be an integer"):
        model.neighbour_table(k=len(model))


def test_page_is_standalone_and_deterministic(tmp_path, model):
    first = export_html(tmp_path / "a.html", model, title="Toy <vectors>")
    second = export_html(tmp_path / "b.html", model, title="Toy <vectors>")
    text = first.read_text(encoding="utf-8")
    assert text == second.read_text(encoding="utf-8")
    assert f'id="{PLOT_DIV_ID}"' in text
    assert not re.search(r"<script[^>]*\bsrc=", text)  # nothing fetched: plotly.js is inline
    assert len(text) > 3_000_000  # plotly.js itself is inside
    assert "<title>Toy &lt;vectors&gt;</title>" in text


def test_words_are_escaped_everywhere_in_the_page(tmp_path, model):
    hostile = "<img_src=x_onerror=alert(1)>"
    model = WordVectors(model.words + [hostile], np.vstack([model.vectors, np.ones((1, model.dim))]))
    text = export_html(tmp_path / "p.html", model).read_text(encoding="utf-8")
    plain = WordVectors([w if w != "<script>" else "scriptword" for w in model.words[:-1]],
                           model.vectors[:-1])
    plain_text = export_html(tmp_path / "plain.html", plain).read_text(encoding="utf-8")
    assert text.count("<script>") == plain_text.count("<script>")  # only the page's own scripts
    assert "<img" not in text
    data_blob = re.search(r'type="application/json">(.*?)</script>', text, re.S).group(1)
    assert "<" not in data_blob and ">" not in data_blob
    data = page_data(text)
    assert "<script>" in data["words"]  # the JSON still carries the word itself
    assert "&lt;script&gt;" in text  # the hover text of the plot is escaped
    assert len(data["neighbours"]) == len(model) and len(data["neighbours"][0]) == 10
    i = data["words"].index("good")
    assert data["words"][data["neighbours"][i][0]] == "great"


def test_page_rejects_bad_coordinates(tmp_path, model):
    with pytest.raises(ValueError, match="coords must have shape"):
        export_html(tmp_path / "x.html", model, coords=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="colours must have shape"):
        export_html(tmp_path / "x.html", model, colours=np.zeros(3))


def test_projector_pair_round_trip(tmp_path, model):
    clusters = model.kmeans_clusters(3)
    vec_path, meta_path = export_projector_tsv(tmp_path / "proj", model, {"cluster": clusters})
    header = meta_path.read_text(encoding="utf-8").splitlines()[0]
    assert header == "word\tcount\tcluster"
    back = load_word_vectors(vec_path)
    assert back.words == model.words and np.array_equal(back.counts, model.counts)
    assert np.allclose(back.raw_vectors, model.raw_vectors, atol=1e-5)  # the vectors as trained
    with pytest.raises(ValueError, match="metadata column 'cluster'"):
        export_projector_tsv(tmp_path / "proj", model, {"cluster": clusters[:-1]})


def test_page_records_and_states_the_centring(tmp_path):
    words, vectors = offset_vectors()
    pages = {}
    for centred in (True, False):
        text = export_html(tmp_path / f"{centred}.html", WordVectors(words, vectors, centred=centred),
                           k=2).read_text(encoding="utf-8")
        data = page_data(text)
        assert data["centred"] is centred
        first = data["words"][data["neighbours"][words.index("a")][0]]
        pages[centred] = (text, first)
    assert pages[True][1] == "a_short" and pages[False][1] == "b"
    assert "the mean vector is subtracted first" in pages[True][0]
    assert "raw vectors, not centred" in pages[False][0] and "mean vector is subtracted" not in pages[False][0]
