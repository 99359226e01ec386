"""Exports: the offline HTML page (what it carries, how it is written) and the Embedding Projector's
TSV pair. The page's behaviour in a browser is tested in test_explorer_export__browser.py."""
import base64
import json
import os
import re
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pytest
from support.messages import says
from support.toy_vectors import offset_vectors, toy_vectors

import w2v_lib._files as files
from w2v_lib.explorer.export import PLOT_DIV_ID, export_html, export_projector_tsv
from w2v_lib.explorer.page_data import page_vectors, python_text_classes
from w2v_lib.vectors import WordVectors, load_word_vectors

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def model():
    words, vectors, counts = toy_vectors()
    return WordVectors(words, vectors, counts)


def page_data(text):
    blob = re.search(r'<script id="w2v-data" type="application/json">(.*?)</script>', text, re.S).group(1)
    return json.loads(blob)


def decoded(data, name, dtype):
    return np.frombuffer(base64.b64decode(data[name]), dtype=np.dtype(dtype).newbyteorder("<"))


def test_neighbour_table_matches_the_model(model):
    idx, sims = model.neighbour_table(k=4, chunk=7)  # a small chunk crosses chunk borders
    for word in ("king", "good", "<script>", "filler3"):
        i = model.word_index(word)
        assert [model.words[j] for j in idx[i]] == [w for w, _ in model.neighbours(word, k=4)]
    assert (np.diff(sims, axis=1) <= 1e-6).all()
    with pytest.raises(ValueError, match=says('k', '50', '[1, 49]')):
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
    assert "@" + "DATA@" not in text and "var W2VExpressions = function" in text


def test_the_page_carries_coordinates_counts_and_the_vectors_questions_use(tmp_path, model):
    coords = np.random.default_rng(1).standard_normal((len(model), 2)).astype(np.float32)
    text = export_html(tmp_path / "p.html", model, coords, projection="t-SNE").read_text(encoding="utf-8")
    data = page_data(text)
    assert data["words"] == model.words
    np.testing.assert_array_equal(decoded(data, "x", np.float32), coords[:, 0])
    np.testing.assert_array_equal(decoded(data, "y", np.float32), coords[:, 1])
    np.testing.assert_array_equal(decoded(data, "counts", np.uint32), model.counts)
    vectors = decoded(data, "vectors", np.float16).reshape(len(model), data["dim"]).astype(np.float32) * data["scale"]
    assert data["dim"] == model.dim and data["kept"] == 1.0
    np.testing.assert_allclose(vectors, model.vectors, rtol=2e-3, atol=2e-3 * np.abs(model.vectors).max())
    assert data["config"]["axis_titles"] == ["t-SNE 1", "t-SNE 2"] and "drawn by t-SNE" in text
    pca_page = page_data(export_html(tmp_path / "q.html", model).read_text(encoding="utf-8"))
    assert re.fullmatch(r"PCA 1 \(\d+ % of the variance\)", pca_page["config"]["axis_titles"][0])


def test_page_vectors_fit_the_budget_by_a_linear_projection():
    rng = np.random.default_rng(0)
    spectrum = 1.0 / np.sqrt(np.arange(1, 61))  # decaying, as real embeddings' is
    vectors = (rng.standard_normal((3000, 60)) * spectrum).astype(np.float32)  # (|Vocab|, D)
    full, scale, kept = page_vectors(vectors, budget=10**9)
    assert full.shape == (3000, 60) and kept == 1.0
    np.testing.assert_allclose(full.astype(np.float32) * scale, vectors, atol=1e-3 * np.abs(vectors).max())
    small, scale, kept = page_vectors(vectors, budget=3000 * 20 * 2)
    assert small.shape == (3000, 20) and 0.5 < kept < 1.0
    assert small.dtype == np.float16 and np.abs(small).max() <= 1024
    # a linear projection commutes with word arithmetic: P(a - b + c) = Pa - Pb + Pc
    a, b, c = small[:3].astype(np.float64) * scale
    basis, *_ = np.linalg.lstsq(vectors.astype(np.float64), small.astype(np.float64) * scale, rcond=None)  # (D, d)
    np.testing.assert_allclose((vectors[0] - vectors[1] + vectors[2]) @ basis, a - b + c, atol=0.02)
    assert page_vectors(vectors, budget=1)[0].shape[1] == 16  # never fewer than MIN_DIM
    tiny, scale, _ = page_vectors(vectors * 1e-6, budget=10**9)  # no float16 underflow
    np.testing.assert_allclose(tiny.astype(np.float32) * scale, vectors * 1e-6, atol=1e-9)


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
    assert "<" not in data_blob and ">" not in data_blob and "&" not in data_blob
    data = page_data(text)
    assert "<script>" in data["words"] and hostile in data["words"]  # the JSON still carries the words


def test_page_rejects_bad_input(tmp_path, model):
    with pytest.raises(ValueError, match=says('coords', '(50, 2)', '(3, 2)')):
        export_html(tmp_path / "x.html", model, coords=np.zeros((3, 2)))
    with pytest.raises(ValueError, match=says('coords', 'finite', 'row 2')):
        export_html(tmp_path / "x.html", model, coords=np.where(np.arange(len(model))[:, None] == 2, np.nan, 0.0)
                    * np.ones((1, 2)))
    with pytest.raises(ValueError, match=says('colours', '(50,)', '(3,)')):
        export_html(tmp_path / "x.html", model, colours=np.zeros(3))
    assert not list(tmp_path.iterdir())


def test_a_lone_surrogate_is_carried_escaped_not_a_broken_page(tmp_path, model):
    odd = "bad\ud800word"
    model = WordVectors(model.words + [odd], np.vstack([model.vectors, np.ones((1, model.dim))]))
    page = export_html(tmp_path / "p.html", model, title="title \udc00")
    raw = page.read_bytes()
    assert len(raw) > 3_000_000 and b"\\ud800" in raw
    text = raw.decode("utf-8")  # strict: the page is valid UTF-8
    assert page_data(text)["words"][-1] == odd  # JSON.parse gives the same word back
    assert "<title>title \ufffd</title>" in text


FULL_DISK = """
import resource, signal, sys
import numpy as np
from w2v_lib.explorer.export import export_html
from w2v_lib.vectors import WordVectors
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))  # a nearly full disk: 1 MB left
rng = np.random.default_rng(0)
try:
    export_html(sys.argv[1], WordVectors([f"w{i}" for i in range(50)], rng.standard_normal((50, 4))))
except OSError as err:
    print("ERROR", err)
"""


def test_a_failed_write_keeps_the_good_page(tmp_path, model):
    good = export_html(tmp_path / "page.html", model)
    before = good.read_bytes()
    out = subprocess.run([sys.executable, "-c", FULL_DISK, str(good)], capture_output=True, text=True, timeout=120,
                         cwd=REPO)
    assert out.stdout.startswith("ERROR"), out.stdout + out.stderr
    assert "could not write the page" in out.stdout and "earlier page there is unchanged" in out.stdout
    assert str(good) in out.stdout
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]  # no temporary file left


def test_projector_pair_round_trip(tmp_path, model):
    clusters = model.kmeans_clusters(3)
    vec_path, meta_path = export_projector_tsv(tmp_path / "proj", model, {"cluster": clusters})
    header = meta_path.read_text(encoding="utf-8").splitlines()[0]
    assert header == "word\tcount\tcluster"
    back = load_word_vectors(vec_path)
    assert back.words == model.words and np.array_equal(back.counts, model.counts)
    assert np.allclose(back.raw_vectors, model.raw_vectors, atol=1e-5)  # the vectors as trained
    with pytest.raises(ValueError, match=says("'cluster'", '49', '50')):
        export_projector_tsv(tmp_path / "proj", model, {"cluster": clusters[:-1]})


def pair_bytes(folder):
    return [(folder / name).read_bytes() for name in ("vectors.tsv", "metadata.tsv")]


def test_the_projector_pair_is_replaced_as_a_pair(tmp_path, model, monkeypatch):
    folder = tmp_path / "proj"
    export_projector_tsv(folder, model)
    old = pair_bytes(folder)
    other = WordVectors(model.words, model.raw_vectors * 2, model.counts)
    real_replace = os.replace
    calls = []

    def second_rename_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(src))
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", second_rename_fails)
    with pytest.raises(OSError) as caught:
        export_projector_tsv(folder, other)
    assert caught.value.filename == str(folder / "metadata.tsv")  # the file being written, not a temp name
    monkeypatch.setattr(files.os, "replace", real_replace)
    assert pair_bytes(folder) == old  # vectors.tsv was put back: the pair still matches
    assert sorted(p.name for p in folder.iterdir()) == ["metadata.tsv", "vectors.tsv"]
    export_projector_tsv(folder, other)
    assert pair_bytes(folder) != old


def test_a_word_utf8_cannot_store_leaves_the_pair_alone(tmp_path, model):
    folder = tmp_path / "proj"
    export_projector_tsv(folder, model)
    old = pair_bytes(folder)
    odd = WordVectors(model.words[:-1] + ["x\udfffy"], model.raw_vectors, model.counts)
    message = rf"word {len(model) - 1} \('x\\udfffy'\) holds a lone surrogate.*nothing was written"
    with pytest.raises(ValueError, match=message):
        export_projector_tsv(folder, odd)
    assert pair_bytes(folder) == old and len(list(folder.iterdir())) == 2


def test_a_failing_pair_writer_changes_nothing(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    files.write_together([a, b], lambda temps: [Path(t).write_text("old") for t in temps])

    def half(temps):
        Path(temps[0]).write_text("new")
        raise RuntimeError("the writer broke")

    with pytest.raises(RuntimeError, match="the writer broke"):
        files.write_together([a, b], half)
    assert a.read_text() == b.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_page_records_and_states_the_centring(tmp_path):
    words, vectors = offset_vectors()
    for centred in (True, False):
        model = WordVectors(words, vectors, centred=centred)
        text = export_html(tmp_path / f"{centred}.html", model, k=2).read_text(encoding="utf-8")
        data = page_data(text)
        assert data["centred"] is centred
        carried = decoded(data, "vectors", np.float16).reshape(len(words), -1).astype(np.float32) * data["scale"]
        np.testing.assert_allclose(carried, model.vectors, atol=2e-3 * np.abs(model.vectors).max())
        assert ("the mean vector is subtracted first" in text) is centred
        assert ("raw vectors, not centred" in text) is not centred


def test_the_tokenizer_classes_are_pythons():
    classes = python_text_classes()
    assert set(classes["spaces"]) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert "\u2028" in classes["spaces"] and "\ufeff" not in classes["spaces"]
    assert {0x30, 0x660, 0x1D7CE, 0x1D7D8} <= set(classes["digit_zeros"])


def test_the_page_files_ship_with_the_package():
    data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    page = REPO / "w2v_lib" / "explorer" / "page"
    shipped = [p.name for p in page.iterdir() if any(fnmatch(f"page/{p.name}", g) for g in data["w2v_lib.explorer"])]
    assert sorted(shipped) == sorted(p.name for p in page.iterdir() if p.is_file()) and "explorer.js" in shipped
