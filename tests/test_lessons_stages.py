"""Notebook 07's stages: each computes the update of the one before, and nothing else imports them."""
import ast
import json
from pathlib import Path

import numpy as np
import pytest
from support.messages import says

from w2v_lib.lessons import stages
from w2v_lib.losses import neg_sampling_loss_and_gradient

ROOT = Path(__file__).resolve().parents[1]


def work(seed=0, n_words=40, dim=8, n_pairs=60, k=5):
    """Fresh float64 tables and pairs with their own negatives (repeats included)."""
    rng = np.random.default_rng(seed)
    center_vectors = rng.standard_normal((n_words, dim)) * 0.3  # (|Vocab|, d)
    outside_vectors = rng.standard_normal((n_words, dim)) * 0.3  # (|Vocab|, d)
    centers = rng.integers(0, n_words, n_pairs)
    outsides = rng.integers(0, n_words, n_pairs)
    negatives = rng.integers(0, 6, (n_pairs, k))  # (P, K) few distinct words, so repeats are common
    return center_vectors, outside_vectors, centers, outsides, negatives


def test_per_pair_rows_equals_the_dense_loss_function():
    center_a, outside_a, centers, outsides, negatives = work()
    center_b, outside_b = center_a.copy(), outside_a.copy()
    stages.per_pair_dense(neg_sampling_loss_and_gradient, center_a, outside_a, centers, outsides, negatives, 0.1)
    stages.per_pair_rows(center_b, outside_b, centers, outsides, negatives, 0.1)
    assert any(len(set(row)) < len(row) for row in negatives)  # a repeated negative is exercised
    np.testing.assert_allclose(center_a, center_b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(outside_a, outside_b, rtol=1e-10, atol=1e-12)


def test_per_pair_dense_uses_the_function_it_is_given():
    center_vectors, outside_vectors, centers, outsides, negatives = work()
    before = center_vectors.copy()

    def zero_gradient(center_vec, outside_idx, outside_vecs, neg_indices):
        return 0.0, np.zeros_like(center_vec), np.zeros_like(outside_vecs)

    stages.per_pair_dense(zero_gradient, center_vectors, outside_vectors, centers, outsides, negatives, 0.1)
    assert np.array_equal(center_vectors, before)


def test_a_minibatch_of_one_pair_is_a_per_pair_step():
    center_a, outside_a, centers, outsides, negatives = work()
    for scatter in ("add.at", "sparse"):
        center_b, outside_b = center_a.copy(), outside_a.copy()
        center_c, outside_c = center_a.copy(), outside_a.copy()
        for i in range(5):
            one = slice(i, i + 1)
            stages.minibatch_own_negatives(center_b, outside_b, centers[one], outsides[one], negatives[one], 0.1,
                                           scatter)
        stages.per_pair_rows(center_c, outside_c, centers[:5], outsides[:5], negatives[:5], 0.1)
        np.testing.assert_allclose(center_b, center_c, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(outside_b, outside_c, rtol=1e-10, atol=1e-12)


def test_both_scatters_give_the_same_tables_and_a_bad_name_is_refused():
    center_a, outside_a, centers, outsides, negatives = work(seed=3)
    center_b, outside_b = center_a.copy(), outside_a.copy()
    stages.minibatch_own_negatives(center_a, outside_a, centers, outsides, negatives, 0.1, "add.at")
    stages.minibatch_own_negatives(center_b, outside_b, centers, outsides, negatives, 0.1, "sparse")
    np.testing.assert_allclose(center_a, center_b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(outside_a, outside_b, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match=says('scatter', "'dense'", "'add.at'", "'sparse'")):
        stages.minibatch_own_negatives(center_a, outside_a, centers, outsides, negatives, 0.1, "dense")


def imports_stages(tree) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.endswith("stages") or any(a.name == "stages" for a in node.names):
                return True
        elif isinstance(node, ast.Import) and any(a.name.endswith(".stages") for a in node.names):
            return True
    return False


def test_only_notebook_07_and_tests_import_the_stages():
    """The stages spell out a per-pair gradient: no library module may pull them into a release."""
    library = [p for p in sorted((ROOT / "w2v_lib").rglob("*.py")) if imports_stages(ast.parse(p.read_text("utf-8")))]
    assert library == []
    notebooks = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text("utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        if "stages" in code and imports_stages(ast.parse("\n".join(
                line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))))):
            notebooks.append(path.name)
    assert notebooks == ["07_making_it_fast.ipynb"]
    # the attack: an import of the module is found
    assert imports_stages(ast.parse("from w2v_lib.lessons import stages"))
    assert imports_stages(ast.parse("from .stages import per_pair_rows"))
