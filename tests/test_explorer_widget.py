"""The explorer widget driven from Python, as a student drives it in the page.

Setting `search_box.value` is what pressing Enter does (the box has continuous_update=False).
"""
import html

import numpy as np
import pytest
from plotly.callbacks import Points
from test_explorer_model import make_run, offset_vectors, toy_vectors

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
    assert list(matches.hovertext) == [html.escape(w) for w in highlighted_words(explorer)]
    assert np.allclose(matches.x, explorer.coords[explorer.highlighted, 0])
    assert "<li>great" in explorer.neighbour_list.value
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
    assert "&lt;script&gt;" in explorer.neighbour_list.value and "<script>" not in explorer.neighbour_list.value
    assert explorer.fig.data[1].hovertext[0] == "&lt;script&gt;"
    assert explorer.fig.data[2].text[0] == "&lt;script&gt;"
    assert "&lt;script&gt;" in explorer.fig.data[0].hovertext


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
    assert "scikit-learn" in explorer.message.value and explorer.checkpoint_slider.disabled
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
    with pytest.raises(ValueError, match="checkpoint at iteration 5"):
        Explorer(WordVectors(words, vectors, counts), [(5, vectors[:-1])])


def test_centre_toggle_updates_neighbours_and_message():
    words, vectors = offset_vectors()
    ex = Explorer(WordVectors(words, vectors), k=2, n_clusters=2)
    assert ex.centre_box.value is True and ex.centre_box.description == "centre vectors (subtract the mean)"
    ex.search_box.value = "a"
    assert [w for w, _ in ex.neighbours] == ["a_short", "b"] and "cosine, centred" in ex.neighbour_list.value
    assert "on centred vectors" in ex.message.value
    pca_x = np.array(ex.fig.data[0].x)
    ex.centre_box.value = False  # what unticking the box does
    assert not ex.model.centred and np.array_equal(ex.model.raw_vectors, vectors)
    assert [w for w, _ in ex.neighbours] == ["b", "a_short"] and "cosine, raw" in ex.neighbour_list.value
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
