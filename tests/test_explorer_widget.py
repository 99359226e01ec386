"""The explorer widget driven from Python, as a student drives it in the page.

Setting `search_box.value` is what pressing Enter does (the box has continuous_update=False).
"""
import html

import numpy as np
import pytest
from plotly.callbacks import Points
from support.messages import says
from support.toy_vectors import make_run, offset_vectors, toy_vectors

from w2v_lib.explorer import Explorer
from w2v_lib.vectors import WordVectors


@pytest.fixture
def explorer(tmp_path):
    return Explorer.from_run(make_run(tmp_path), k=3)


def highlighted_words(ex):
    return [ex.model.words[i] for i in ex.highlighted]


def test_starts_with_every_word_and_a_summary(explorer):
    words, matches, labels = explorer.fig.data
    assert len(words.x) == len(explorer.model) and len(matches.x) == 0 and len(labels.x) == 0
    assert type(words).__name__ == "Scattergl"
    assert "50 words, 12 dimensions, 4 training checkpoints" in explorer.message.value
    assert explorer.search_box.continuous_update is False


def test_enter_on_a_word_lists_and_highlights_its_neighbours(explorer):
    explorer.search_box.value = "good"
    assert highlighted_words(explorer)[:2] == ["good", "great"]
    assert len(explorer.highlighted) == 1 + 3
    matches = explorer.fig.data[1]
    assert list(matches.text) == [html.escape(w) for w in highlighted_words(explorer)]
    assert matches.hovertext[0].startswith("good<br>count ")  # hover: the count, and the score of a neighbour
    assert matches.hovertext[1] == f"great<br>count {explorer.model.counts[explorer.highlighted[1]]:,}<br>" \
        f"cosine {explorer.neighbours[0][1]:.3f}"
    assert np.allclose(matches.x, explorer.coords[explorer.highlighted, 0])
    assert explorer.listed[0] == "great"
    assert list(explorer.fig.data[0].selectedpoints) == list(explorer.highlighted)
    assert explorer.last_error is None


def test_k_slider_and_metric_toggle_redo_the_query(explorer):
    explorer.search_box.value = "king"
    explorer.k_slider.value = 6
    assert len(explorer.neighbours) == 6
    explorer.metric_toggle.value = "euclidean"
    assert "euclidean" in explorer.message.value
    dists = [s for _, s in explorer.neighbours]
    assert dists == sorted(dists)


def test_part_of_a_word_highlights_every_match_and_isolates(explorer):
    explorer.search_box.value = "iller1"
    assert len(explorer.highlighted) == 11 and "11 matches" in explorer.message.value
    explorer.isolate_box.value = True
    assert len(explorer.fig.data[0].x) == 11
    explorer.isolate_box.value = False
    assert len(explorer.fig.data[0].x) == len(explorer.model)


def test_expression_and_analogy(explorer):
    explorer.search_box.value = "king - man + woman"
    assert explorer.neighbours[0][0] == "queen"
    assert highlighted_words(explorer)[:3] == ["king", "man", "woman"]
    explorer.search_box.value = ""
    explorer.show_analogy("king", "man", "woman")
    assert explorer.neighbours[0][0] == "queen"
    assert not {"king", "man", "woman"} & {w for w, _ in explorer.neighbours}


@pytest.mark.parametrize("text, message", [
    ("   ", "the search box is empty"),
    ("queeen", "did you mean"),
    ("king - (man", "expected &#x27;)&#x27;"),
    ("king * man", "cannot multiply two word vectors"),
])
def test_bad_searches_give_a_message_not_a_traceback(explorer, text, message):
    explorer.search_box.value = "good"
    explorer.submit_search(text)
    assert message in explorer.message.value and explorer.last_error
    assert "Traceback" not in explorer.message.value
    assert explorer.message.value.count("<span") == 1  # the message is text, not markup


def test_script_token_is_shown_as_text(explorer):
    explorer.search_box.value = "<script>"
    assert "&lt;script&gt;" in explorer.list_title.value and "<script>" not in explorer.list_title.value
    assert all(b.description == html.unescape(b.description) for b in explorer.controls.word_buttons)
    assert explorer.fig.data[1].hovertext[0].startswith("&lt;script&gt;<br>")
    assert explorer.fig.data[2].text[0] == "&lt;script&gt;"
    assert any(h.startswith("&lt;script&gt;<br>") for h in explorer.fig.data[0].hovertext)


def test_click_selects_the_point(explorer):
    queen = explorer.model.word_index("queen")
    points = Points(point_inds=[queen], xs=[0.0], ys=[0.0], trace_name="words", trace_index=0)
    explorer.fig.data[0]._dispatch_on_click(points, None)
    assert explorer.selected == queen and highlighted_words(explorer)[0] == "queen"


def test_labels_are_capped(explorer):
    explorer.label_limit = 5
    explorer.search_box.value = "filler"
    assert len(explorer.highlighted) == 40 and len(explorer.fig.data[2].text) == 5


def test_checkpoint_slider_moves_the_points_in_one_frame(explorer):
    final_x = np.array(explorer.fig.data[0].x)
    explorer.checkpoint_slider.value = 0
    first_x = np.array(explorer.fig.data[0].x)
    assert "iteration 10" in explorer.fig.layout.title.text
    assert np.abs(first_x).max() < np.abs(final_x).max()  # early vectors: still near the centre
    assert list(explorer.fig.layout.xaxis.range) == list(explorer._ranges[0])  # the frame stays put
    explorer.search_box.value = "king"  # neighbours now come from the checkpoint's vectors
    assert len(explorer.neighbours) == 3
    explorer.checkpoint_slider.value = -1
    assert np.allclose(explorer.fig.data[0].x, final_x)


def test_projections_colourings_and_custom_axes(explorer):
    explorer.projection_menu.value = "PCA 3-D"
    assert type(explorer.fig.data[0]).__name__ == "Scatter3d" and explorer.coords.shape[1] == 3
    explorer.projection_menu.value = "custom axes"
    assert explorer.fig.layout.xaxis.title.text == "woman - man"
    assert explorer.coords[explorer.model.word_index("woman"), 0] > 0
    explorer.x_axis_box.value = "nosuch - man"
    assert "not in the vocabulary" in explorer.message.value
    explorer.projection_menu.value = "t-SNE 2-D"
    explorer.wait()
    assert "openTSNE" in explorer.message.value and explorer.checkpoint_slider.disabled
    assert explorer.fig.layout.xaxis.title.text == "t-SNE 1" and explorer.job.steps > 3  # shown as it went
    explorer.set_checkpoint(0)
    assert "t-SNE is computed for the final vectors only" in explorer.message.value
    explorer.colour_menu.value = "k-means cluster"
    assert "cluster 8" in explorer.legend.value
    assert len(set(np.asarray(explorer.fig.data[0].marker.color).tolist())) == 8


def test_load_path_reports_bad_files_and_loads_good_ones(explorer, tmp_path):
    explorer.load_path(str(tmp_path / "missing.bin"))
    assert "no such file or folder" in explorer.message.value
    bad = tmp_path / "bad.txt"
    bad.write_text("3 4\nonly one line\n")
    explorer.path_box.value = str(bad)
    explorer.load_button.click()
    assert "the header promises 3 words" in explorer.message.value
    from w2v_lib import save_word2vec

    words, vectors, _ = toy_vectors(n_filler=5)
    explorer.load_path(str(save_word2vec(tmp_path / "good.txt", words, vectors)))
    assert len(explorer.model) == 15 and "15 words" in explorer.message.value
    assert explorer.colour_menu.value == "k-means cluster"  # no counts in a word2vec file


def test_rejects_a_non_model():
    with pytest.raises(ValueError, match="WordVectors"):
        Explorer(np.zeros((3, 2)))
    words, vectors, counts = toy_vectors(n_filler=2)
    with pytest.raises(ValueError, match=says('iteration 5', '(11, 12)', '(12, 12)')):
        Explorer(WordVectors(words, vectors, counts), [(5, vectors[:-1])])


def test_centre_toggle_updates_neighbours_and_message():
    words, vectors = offset_vectors()
    ex = Explorer(WordVectors(words, vectors), k=2, n_clusters=2)
    assert ex.centre_box.value is True and ex.centre_box.description == "centre vectors (subtract the mean)"
    ex.search_box.value = "a"
    assert [w for w, _ in ex.neighbours] == ["a_short", "b"] and "cosine, centred" in ex.list_title.value
    assert "on centred vectors" in ex.message.value
    pca_x = np.array(ex.fig.data[0].x)
    ex.centre_box.value = False  # what unticking the box does
    assert not ex.model.centred and np.array_equal(ex.model.raw_vectors, vectors)
    assert [w for w, _ in ex.neighbours] == ["b", "a_short"] and "cosine, raw" in ex.list_title.value
    assert "on raw vectors" in ex.message.value and "raw vectors, not centred" in ex.message.value
    assert highlighted_words(ex) == ["a", "b", "a_short"] and ex.last_error is None
    assert np.allclose(ex.fig.data[0].x, pca_x, atol=1e-4)  # PCA does not care about the mean
    ex.set_centring(True)
    assert ex.centre_box.value is True and [w for w, _ in ex.neighbours] == ["a_short", "b"]
    assert "the mean vector is subtracted first" in ex.message.value
    ex.set_centring("no")
    assert "centred must be True or False" in ex.message.value
    ex.submit_search("zzz")  # an old error does not hide the note of the next switch
    ex.centre_box.value = False
    assert ex.last_error is None and "raw vectors, not centred" in ex.message.value


def test_the_training_slider_draws_each_checkpoint_as_saved(explorer):
    """One run's checkpoints share the final vectors' axes: drawn as saved, never rotated onto the end."""
    from w2v_lib.vectors.projections import align_to

    final = explorer.model.raw_vectors
    for position, (_, saved) in enumerate(explorer.checkpoints):
        explorer.checkpoint_slider.value = position
        assert np.array_equal(explorer.current_model.raw_vectors, saved)
        drawn = np.column_stack([explorer.fig.data[0].x, explorer.fig.data[0].y])
        assert np.allclose(drawn, explorer.state.basis.project(saved), atol=1e-5)  # the final vectors' PCA basis
        if position == 0:  # the first checkpoint is far from the end: a Procrustes rotation would move it
            assert not np.allclose(drawn, explorer.state.basis.project(align_to(final, saved)), atol=1e-3)
        (x0, x1), (y0, y1) = explorer._ranges  # and the frame still holds every point
        assert x0 < drawn[:, 0].min() and drawn[:, 0].max() < x1 and y0 < drawn[:, 1].min() and drawn[:, 1].max() < y1


def test_centring_follows_checkpoints_colours_and_loaded_files(explorer, tmp_path):
    explorer.colour_menu.value = "k-means cluster"
    explorer.checkpoint_slider.value = 1
    before = explorer.coords.copy()
    explorer.centre_box.value = False
    assert explorer.last_error is None and not explorer.current_model.centred
    assert np.allclose(explorer.coords, before, atol=1e-4)  # the PCA picture of a checkpoint stays put
    assert explorer.current_model is not explorer.model and "iteration 20" in explorer.fig.layout.title.text
    assert "k-means cluster" in explorer._colour_cache and explorer.colour_menu.value == "k-means cluster"
    explorer.projection_menu.value = "custom axes"
    assert explorer.last_error is None
    from w2v_lib import save_word2vec

    words, vectors, _ = toy_vectors(n_filler=5)
    explorer.load_path(str(save_word2vec(tmp_path / "good.txt", words, vectors)))
    assert not explorer.model.centred and explorer.centre_box.value is False
    raw_explorer = Explorer.from_run(make_run(tmp_path / "run"), centred=False)
    assert raw_explorer.centre_box.value is False and not raw_explorer.model.centred


# --- feedback and layout (issue 15) -----------------------------------------------------------
def test_search_ignores_case_like_the_export(explorer):
    explorer.search_box.value = "KING"
    assert highlighted_words(explorer)[0] == "king" and "nearest to &#x27;king&#x27;" in explorer.list_title.value


def test_every_action_clears_stale_messages_and_lists(explorer):
    explorer.search_box.value = "good"
    assert "great" in explorer.listed
    explorer.search_box.value = "zzzz"  # a failed search leaves no old list or highlight behind
    assert explorer.last_error and explorer.listed == [] and explorer.highlighted.size == 0
    explorer.search_box.value = "king"  # and a later valid answer leaves no old error above it
    assert explorer.last_error is None and "#b00020" not in explorer.message.value


def test_parse_error_caret_keeps_its_column(explorer):
    explorer.submit_search("king - (man")
    caret_line = explorer.message.value.split("<br>")[-1]
    assert 'white-space:pre' in caret_line  # HTML would otherwise collapse the spaces before the caret
    assert caret_line.index("^") - caret_line.index(">") - 1 == 2 + len("king - (man")


def test_two_signs_in_a_row_are_noted_in_the_widget(explorer):
    explorer.submit_search("king - - man")
    assert explorer.last_error is None and "reads as &#x27;+&#x27;" in explorer.message.value
    explorer.submit_search("king \u2212 man + woman")
    assert explorer.neighbours[0][0] == "queen"


def test_labels_do_not_collide(explorer):
    from w2v_lib.explorer.figures import FONT_PX, PLOT_SIZE, to_pixels

    explorer.search_box.value = "filler"  # 40 words, many close together
    labels = explorer.fig.data[2]
    assert 1 <= len(labels.text) <= explorer.label_limit
    px = to_pixels(np.column_stack([labels.x, labels.y]), explorer._ranges, PLOT_SIZE)
    boxes = []
    for (x, y), text, spot in zip(px, labels.text, labels.textposition):
        w, h = FONT_PX[0] * len(text), FONT_PX[1]
        cx = x + (w / 2 + 6) * (("right" in spot) - ("left" in spot))
        cy = y + (h / 2 + 6) * (("top" in spot) - ("bottom" in spot))
        boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] - 1e-6 and b[0] < a[2] - 1e-6 and a[1] < b[3] - 1e-6 and b[1] < a[3] - 1e-6)


def test_a_small_vocabulary_is_labelled_from_the_start():
    words, vectors, counts = toy_vectors(n_filler=10)  # 20 words
    ex = Explorer(WordVectors(words, vectors, counts))
    assert len(ex.fig.data[2].text) >= 10 and "king" in ex.fig.data[2].text


def test_only_the_controls_that_apply_are_shown(explorer):
    assert explorer.controls.axes_row.layout.display == "none" and explorer.checkpoint_slider.layout.display is None
    explorer.projection_menu.value = "custom axes"
    assert explorer.controls.axes_row.layout.display is None
    assert explorer.controls.file_row.layout.display == "none"
    explorer.source_menu.value = "a word2vec or projector file…"
    assert explorer.controls.file_row.layout.display is None
    words, vectors, counts = toy_vectors(n_filler=5)
    plain = Explorer(WordVectors(words, vectors, counts))
    assert plain.checkpoint_slider.layout.display == "none"  # no checkpoints, no training slider


def test_tsne_is_cached_per_vector_set_and_centring(explorer, monkeypatch):
    from w2v_lib.explorer import state as state_module

    calls = []
    real, library = state_module.LEARNED["t-SNE 2-D"]
    monkeypatch.setitem(state_module.LEARNED, "t-SNE 2-D",
                        (lambda *a, **kw: calls.append(1) or real(*a, **kw), library))
    state_module._PROJECTION_CACHE.clear()
    explorer.projection_menu.value = "t-SNE 2-D"
    explorer.wait()
    explorer.centre_box.value = False
    explorer.wait()
    explorer.centre_box.value = True
    explorer.projection_menu.value = "PCA 2-D"
    explorer.projection_menu.value = "t-SNE 2-D"
    explorer.wait()
    assert len(calls) == 2 and explorer.last_error is None  # one per centring mode, then from the cache


def test_the_vectors_menu_loads_a_source_and_the_export_button_writes(explorer, tmp_path):
    words, vectors, counts = toy_vectors(n_filler=5)
    seen = []

    def source(progress=None):
        progress(0.5, "half way")
        seen.append((ex.progress.value, ex.progress.layout.visibility, ex.last_message))
        return WordVectors(words, vectors, counts), ()

    ex = Explorer(explorer.model, sources={"toy set": source}, export_dir=tmp_path)
    ex.source_menu.value = "toy set"
    assert seen == [(0.5, "visible", "half way")] and ex.progress.layout.visibility == "hidden"
    assert len(ex.model) == 15 and "toy set: 15 words" in ex.message.value
    ex.export_button.click()
    page, vec, meta = ex.exported
    assert page.is_file() and vec.is_file() and meta.is_file() and str(page) in html.unescape(ex.message.value)

    def broken(progress=None):
        raise FileNotFoundError("no such vectors here; put them in data/")

    ex.sources["broken"] = broken
    ex.load_source("broken")
    assert "put them in data/" in ex.last_error and len(ex.model) == 15


def test_hiding_one_row_hides_no_other(explorer):
    layouts = [child.layout for child in explorer.controls.panel.children]
    assert len({id(layout) for layout in layouts}) == len(layouts)
    hidden = [child for child in explorer.controls.panel.children if child.layout.display == "none"
              and child is not explorer.controls.plot_width]  # the page's width signal is never shown
    assert hidden == [explorer.controls.file_row]


# --- served safely, a list people can use, labels, live t-SNE (issue 21) ------------------------
SECRET = b"root:x:0:0:root:/root:/bin/bash\nSECRET_TOKEN=abc123\n"


def test_served_explorer_takes_no_server_path_and_echoes_no_file(tmp_path):
    words, vectors, counts = toy_vectors(n_filler=5)
    ex = Explorer(WordVectors(words, vectors, counts), serve=True, sources={})
    assert ex.controls.path_box not in ex.controls.file_row.children  # nothing to type a path into
    assert ex.controls.upload in ex.controls.file_row.children
    secret = tmp_path / "passwd"
    secret.write_bytes(SECRET)
    ex.load_path(str(secret))
    assert "reads no file of its server" in ex.last_error and len(ex.model) == 15
    for name in ("passwd", "environ", "shadow.txt", "vectors.bin"):  # a visitor uploads a non-vector file
        ex.load_upload({name: SECRET})
        assert ex.last_error and "root" not in ex.last_error and "SECRET" not in ex.last_error
        assert name in ex.last_error and len(ex.model) == 15
    ex.load_upload({"big.txt": b"0" * ((50 << 20) + 1)})
    assert "up to 50 MB" in ex.last_error


def test_uploads_are_read_in_memory(tmp_path):
    import gzip

    from w2v_lib.vectors.formats import save_projector_tsv, save_word2vec

    words, vectors, counts = toy_vectors(n_filler=5)
    ex = Explorer(WordVectors(words, vectors, counts), serve=True)
    text = save_word2vec(tmp_path / "v.txt", words, vectors).read_bytes()
    ex.load_upload({"mine.txt.gz": gzip.compress(text)})
    assert ex.last_error is None and len(ex.model) == 15 and ex.source_menu.value == "mine.txt.gz"
    save_projector_tsv(tmp_path / "vectors.tsv", tmp_path / "metadata.tsv", words, vectors,
                       {"count": [str(c) for c in counts]})
    ex.load_upload({"vectors.tsv": (tmp_path / "vectors.tsv").read_bytes(),
                    "metadata.tsv": (tmp_path / "metadata.tsv").read_bytes()})
    assert ex.last_error is None and list(ex.model.counts) == list(counts)
    ex.load_upload({"vectors.tsv": (tmp_path / "vectors.tsv").read_bytes()})
    assert "metadata.tsv" in ex.last_error


def test_served_export_is_a_download_not_a_server_file(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path / "data"))
    words, vectors, counts = toy_vectors(n_filler=5)
    ex = Explorer(WordVectors(words, vectors, counts), serve=True)
    ex.export()
    assert ex.last_error is None and "/" not in html.unescape(ex.message.value).replace("</span>", "")
    assert 'download="word_vectors.html"' in ex.download.value and "data:text/html;base64," in ex.download.value
    assert not (tmp_path / "data").exists()


def test_a_failed_download_keeps_the_menu_on_what_is_shown(explorer):
    from w2v_lib.vectors.pretrained import PretrainedUnavailable

    def offline(progress=None):
        raise PretrainedUnavailable("cannot download https://example/glove.gz (<urlopen error [Errno -3]>); "
                                    "get it by hand and put it at /srv/data/pretrained/glove.gz")

    for serve in (False, True):
        ex = Explorer(explorer.model, name="mine", sources={"GloVe — download": offline}, serve=serve)
        ex.source_menu.value = "GloVe — download"
        assert ex.source_menu.value == "mine" and ex.state.name == "mine"
        assert "\n" not in ex.last_error and "still showing mine" in ex.last_error
        if serve:
            assert "/srv" not in ex.last_error and "urlopen" not in ex.last_error


def test_the_word_list_drives_the_same_selection_as_a_click(explorer):
    explorer.search_box.value = "king"
    first = explorer.listed[0]
    button = explorer.controls.word_buttons[0]
    assert f"count {explorer.model.counts[explorer.model.index[first]]:,}" in button.tooltip
    assert "cosine similarity" in button.tooltip
    button.click()
    assert explorer.selected == explorer.model.index[first] and highlighted_words(explorer)[0] == first
    assert explorer.search_box.value == first  # the box says what is shown
    points = Points(point_inds=[explorer.model.word_index("good")], xs=[0.0], ys=[0.0], trace_name="words",
                    trace_index=0)
    explorer.fig.data[0]._dispatch_on_click(points, None)
    assert explorer.search_box.value == "good" and explorer.listed[0] == "great"


def test_min_count_filter_is_on_where_rare_words_swamp_the_list():
    words, vectors, counts = toy_vectors(n_filler=40)
    rare = counts.copy()
    rare[10:] = 1  # every filler word seen once
    ex = Explorer(WordVectors(words, vectors, rare), k=10)
    assert ex.state.min_count == 5 and ex.min_count_box.value == 5
    ex.search_box.value = "king"
    assert all(rare[ex.model.index[w]] >= 5 for w in ex.listed) and "count ≥ 5" in ex.list_title.value
    ex.min_count_box.value = 0
    assert any(w.startswith("filler") for w in ex.listed)
    plain = Explorer(WordVectors(words, vectors, counts))
    assert plain.state.min_count == 0  # few rare words: no filter


def test_isolate_zooms_onto_the_matches(explorer):
    full = [list(r) for r in explorer._ranges]
    explorer.search_box.value = "king"
    explorer.isolate_box.value = True
    zoomed = explorer._ranges
    xy = explorer.coords[explorer.highlighted]
    assert zoomed[0][1] - zoomed[0][0] < full[0][1] - full[0][0]
    assert (xy[:, 0] >= zoomed[0][0]).all() and (xy[:, 0] <= zoomed[0][1]).all()
    assert list(explorer.fig.layout.xaxis.range) == list(zoomed[0])
    explorer.isolate_box.value = False
    assert [list(r) for r in explorer._ranges] == full


def test_every_checkpoint_stays_inside_the_axes(explorer):
    for position in [-1, *range(len(explorer.checkpoints))]:
        explorer.set_checkpoint(position)
        (x0, x1), (y0, y1) = explorer._ranges
        assert (explorer.coords[:, 0] > x0).all() and (explorer.coords[:, 0] < x1).all()
        assert (explorer.coords[:, 1] > y0).all() and (explorer.coords[:, 1] < y1).all()


def test_labels_sit_beside_their_markers_and_unlabelled_words_are_named(explorer):
    explorer.label_limit = 3
    explorer.search_box.value = "king"
    labels = explorer.fig.data[2]
    assert labels.mode == "markers+text" and labels.marker.opacity == 0  # plotly offsets text by the marker
    assert labels.marker.size == explorer.fig.data[1].marker.size
    unlabelled = [b for b in explorer.controls.word_buttons if b.layout.display != "none"
                  and "no room for a label" in b.tooltip]
    assert len(unlabelled) == len(explorer.highlighted) - len(labels.text)


def test_the_analogy_explanation_is_measured():
    words, vectors, counts = toy_vectors(n_filler=40)
    vectors = vectors.copy()
    vectors[1] = -vectors[0]  # queen now points away from king: the analogy fails
    ex = Explorer(WordVectors(words, vectors, counts), k=3)
    ex.show_analogy("king", "man", "woman")
    ranked = [w for w, _ in ex.model.analogy("king", "man", "woman", k=len(words) - 3)]
    rank = ranked.index("queen") + 1
    assert f"'queen' is {rank}" in html.unescape(ex.controls.explanation.value)
    assert "occurs 400 times" in html.unescape(ex.controls.explanation.value)
    ex.submit_search("king - man + woman")  # the same question typed
    assert f"'queen' is {rank}" in html.unescape(ex.controls.explanation.value)
    good = Explorer(WordVectors(*toy_vectors(n_filler=40)), k=3)
    good.show_analogy("king", "man", "woman")
    assert good.neighbours[0][0] == "queen" and good.controls.explanation.value == ""


def test_tsne_can_be_cancelled_and_goes_back(explorer, monkeypatch):
    from w2v_lib.explorer import state as state_module

    state_module._PROJECTION_CACHE.clear()
    real, library = state_module.LEARNED["t-SNE 2-D"]

    def slow(vectors, **kw):
        step = kw["on_step"]

        def stopping(fraction, coords, text):  # the user presses cancel after the first picture
            explorer.cancel_button.click()
            return step(fraction, coords, text)
        return real(vectors, **{**kw, "on_step": stopping})

    monkeypatch.setitem(state_module.LEARNED, "t-SNE 2-D", (slow, library))
    explorer.search_box.value = "king"
    explorer.projection_menu.value = "t-SNE 2-D"
    explorer.wait(120)
    assert explorer.projection_menu.value == "PCA 2-D" and "cancelled" in explorer.message.value
    assert explorer.cancel_button.layout.display == "none" and not explorer.job.running
    assert highlighted_words(explorer)[0] == "king" and not state_module._PROJECTION_CACHE


def test_the_app_says_what_it_loads_then_shows_the_explorer():
    from w2v_lib.explorer.app import explorer_app

    words, vectors, counts = toy_vectors(n_filler=5)

    def source(progress=None):
        progress(0.5, "training the vectors (step 2 of 3)")
        return WordVectors(words, vectors, counts), ()

    panel = explorer_app("toy", {"toy": source}, background=False)
    assert panel.explorer is not None and panel.children == (panel.explorer.ui,) and panel.explorer.serve

    def broken(progress=None):
        raise OSError("urlopen error: <secret path>")

    failed = explorer_app("toy", {"toy": broken}, background=False)
    text = failed.children[0].value
    assert "could not be loaded" in text and "secret" not in text and failed.explorer is None


def test_the_figure_and_its_labels_take_the_width_the_page_measures(explorer):
    from w2v_lib.explorer.figures import FONT_PX, to_pixels

    explorer.search_box.value = "filler"
    wide = len(explorer.fig.data[2].text)
    explorer.controls.plot_width.value = 360  # what the page's ResizeObserver reports on a phone
    assert explorer.plot_size[0] == 360 and explorer.fig.layout.width == 360
    labels = explorer.fig.data[2]
    assert 1 <= len(labels.text) <= wide
    px = to_pixels(np.column_stack([labels.x, labels.y]), explorer._ranges, explorer.plot_size)
    boxes = [(x - FONT_PX[0] * len(t), y - FONT_PX[1], x + FONT_PX[0] * len(t), y + FONT_PX[1])
             for (x, y), t in zip(px, labels.text)]
    assert all(-FONT_PX[0] * 20 < b[0] and b[2] < 360 + FONT_PX[0] * 20 for b in boxes)


def test_a_search_reads_an_expression_once_and_keeps_rows(explorer, monkeypatch):
    """Enter on an expression tokenises it once; every word is looked up once, a plain word never."""
    from w2v_lib.vectors import expressions

    model, calls = explorer.model, {"tokenize": 0, "word_index": 0}
    tokenize, word_index = expressions.tokenize, model.word_index

    def counting_tokenize(text):
        calls["tokenize"] += 1
        return tokenize(text)

    def counting_word_index(*args, **kwargs):
        calls["word_index"] += 1
        return word_index(*args, **kwargs)

    monkeypatch.setattr(expressions, "tokenize", counting_tokenize)
    monkeypatch.setattr(model, "word_index", counting_word_index)
    explorer.search_box.value = "Good"  # found up to case
    assert highlighted_words(explorer)[0] == "good" and calls == {"tokenize": 0, "word_index": 0}
    explorer.search_box.value = "king - man + woman - man"
    assert explorer.neighbours[0][0] == "queen"
    assert calls == {"tokenize": 1, "word_index": 3}  # king, man, woman: each once
    assert "'king' − 'man'" not in explorer.controls.explanation.value  # no stale analogy text


def test_the_search_box_takes_the_parsers_symbols(explorer):
    """Every symbol that ends a bare word in the parser makes the search box read an expression."""
    from w2v_lib.vectors.expressions import SYMBOLS

    explorer.search_box.value = "kin"
    assert "matches for" in explorer.message.value  # a plain part of a word: the matches
    for symbol in sorted(SYMBOLS):
        explorer.submit_search(f"kin{symbol}g")
        assert "matches for" not in explorer.message.value, symbol  # parsed (and refused), not searched
