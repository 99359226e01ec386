"""The vectors menu's sources: the pretrained download (against a local HTTP server on
127.0.0.1 only), the Wikipedia-sample vectors and their cache, and the comparison of two sets."""
import functools
import gzip
import hashlib
import http.server
import json
import threading

import numpy as np
import pytest
from support.messages import says
from support.toy_vectors import toy_vectors

from w2v_lib.explorer.compare import Comparison, compare_vectors
from w2v_lib.vectors import WordVectors, save_word2vec
from w2v_lib.vectors.pretrained import PretrainedUnavailable, download_pretrained, load_pretrained, pretrained_path

NAME = "glove-wiki-gigaword-50"


@pytest.fixture
def server(tmp_path):
    """A catalogue and one gzipped vector file served from 127.0.0.1; yields (base url, files dir)."""
    root = tmp_path / "www"
    (root / "download" / NAME).mkdir(parents=True)
    words, vectors, _ = toy_vectors()
    text = save_word2vec(tmp_path / "v.txt", words, vectors).read_bytes()
    packed = root / "download" / NAME / f"{NAME}.gz"
    packed.write_bytes(gzip.compress(text, mtime=0))
    md5 = hashlib.md5(packed.read_bytes()).hexdigest()
    (root / "list.json").write_text(json.dumps({"models": {NAME: {"checksum": md5, "parts": 1,
                                                                  "file_size": packed.stat().st_size}}}))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def urls(base):
    return dict(catalogue_url=f"{base}/list.json", download_url=f"{base}/download", timeout=5)


def test_download_with_progress_and_checksum(server, tmp_path):
    base, _ = server
    steps = []
    path = download_pretrained(NAME, tmp_path / "data", progress=lambda f, t: steps.append(f), **urls(base))
    assert path == pretrained_path(NAME, tmp_path / "data") and path.is_file()
    assert steps and steps[-1] == 1.0 and steps == sorted(steps)
    assert list((tmp_path / "data" / "pretrained").iterdir()) == [path]  # no partial file left
    model = load_pretrained(NAME, tmp_path / "data", limit=12, **urls(base))
    assert len(model) == 12 and model.words[0] == "king"


def test_a_damaged_download_is_refused_and_removed(server, tmp_path):
    base, root = server
    catalogue = json.loads((root / "list.json").read_text())
    catalogue["models"][NAME]["checksum"] = "0" * 32
    (root / "list.json").write_text(json.dumps(catalogue))
    with pytest.raises(ValueError, match=says('glove-wiki-gigaword-50.gz', 'md5', '00000000000000000000000000000000')):
        download_pretrained(NAME, tmp_path / "data", **urls(base))
    assert not any((tmp_path / "data" / "pretrained").iterdir())


def test_offline_says_what_to_get_and_where(tmp_path, server):
    base, root = server
    dead = "http://127.0.0.1:9"  # the discard port: nothing listens there
    target = pretrained_path(NAME, tmp_path / "data")
    with pytest.raises(PretrainedUnavailable) as info:
        download_pretrained(NAME, tmp_path / "data", **urls(dead))
    assert f"{dead}/download/{NAME}/{NAME}.gz" in str(info.value) and str(target) in str(info.value)
    target.parent.mkdir(parents=True)  # a file put there by hand is used as it is
    target.write_bytes((root / "download" / NAME / f"{NAME}.gz").read_bytes())
    assert len(load_pretrained(NAME, tmp_path / "data", **urls(dead))) == 50
    with pytest.raises(ValueError, match=says("'word2vec-google-news-300'", 'glove-wiki-gigaword-50')):
        download_pretrained("word2vec-google-news-300", tmp_path / "data")


def test_compare_two_checkpoint_like_sets_after_alignment():
    words, vectors, counts = toy_vectors()
    rotation, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((12, 12)))
    a = WordVectors(words, vectors, counts)
    b = WordVectors(words[::-1], (vectors @ rotation)[::-1], counts[::-1])  # the same set, turned and reordered
    cmp = compare_vectors(a, b, ("A", "B"), k=5)
    assert cmp.words == words and np.allclose(cmp.coords[0], cmp.coords[1], atol=1e-3)
    assert cmp.overlap.mean() > 0.99
    near_a, near_b = cmp.neighbours("KING")
    assert [w for w, _ in near_a] == [w for w, _ in near_b]
    noise = WordVectors(words, np.random.default_rng(2).standard_normal((len(words), 7)))
    other = compare_vectors(a, noise, ("A", "noise"), k=5)  # different dimensions: aligned in 2-D
    assert other.overlap.mean() < 0.5 and other.coords[1].shape == (len(words), 2)
    view = Comparison(other)
    view.search_box.value = "queen"
    assert "in A" in view.lists.value and "in noise" in view.lists.value and "neighbours shared" in view.message.value
    assert [fig.data[3].text for fig in view.figs] == [("queen",), ("queen",)]  # the word in both pictures
    assert [fig.layout.title.text for fig in view.figs] == ["A", "noise"]
    view.plot_width.value = 360  # what the page reports on a phone: both pictures take that width
    assert [fig.layout.width for fig in view.figs] == [360, 360]
    assert {"w2v-explorer", "w2v-compare"} <= set(view.ui._dom_classes)  # the explorer's adaptive layout
    view.search_box.value = "nosuchword"
    assert "not in the vocabulary" in view.message.value and view.lists.value == ""
    with pytest.raises(ValueError, match="share only"):
        compare_vectors(a, WordVectors(["x", "y"], np.eye(2)))


def test_wikipedia_sample_vectors_are_trained_once_then_read(tmp_path):
    from w2v_lib.explorer.sources import wiki_sample, wiki_sample_dir

    steps = []
    model, _ = wiki_sample(progress=lambda f, t: steps.append(t), data_dir=tmp_path)
    assert len(steps) == 3 and (wiki_sample_dir(tmp_path) / "vectors.tsv").is_file()
    again, _ = wiki_sample(progress=lambda f, t: steps.append(t), data_dir=tmp_path)
    assert len(steps) == 3 and again.words == model.words  # read from the cache, not trained again
    assert np.allclose(again.raw_vectors, model.raw_vectors, atol=1e-4) and model.dim == 100
