"""The course's 2-D plot: every word readable, labels never on top of each other."""
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from w2v_lib.assignment.word_plot import COURSE_WORDS, pca_2d, plot_words_2d  # noqa: E402


def test_labels_do_not_overlap_and_crowded_words_are_named():
    rng = np.random.default_rng(0)
    coords = rng.standard_normal((len(COURSE_WORDS), 2))  # (24, 2)
    coords[:8] *= 0.05  # a tight clump: not every label fits there
    fig, ax = plt.subplots(figsize=(7, 6))
    plot_words_2d(coords, COURSE_WORDS, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_text() in COURSE_WORDS]
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two labels overlap"
    notes = [t.get_text() for t in ax.texts if t.get_text().startswith("no room to label")]
    named = {t.get_text() for t in labels} | {w for note in notes for w in note.split(": ")[1].split(", ")}
    assert named == set(COURSE_WORDS), "every word is labelled or named in the note"
    assert len(labels) > len(COURSE_WORDS) // 2
    plt.close(fig)


def test_pca_2d_uses_the_explorers_axes():
    from w2v_lib.vectors.projections import pca_basis

    x = np.random.default_rng(1).standard_normal((30, 5))
    coords, share = pca_2d(x)
    basis = pca_basis(x, 2)
    np.testing.assert_allclose(coords, (x - x.mean(axis=0)) @ basis.components.T)
    np.testing.assert_allclose(share, basis.explained)
