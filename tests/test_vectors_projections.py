"""PCA computes only the top 2 or 3 directions (issue 22: a `--dim 5000` run's plot decomposed a
(10,000, 10,000) covariance); its answer is the full SVD's, up to the sign rule."""
import numpy as np
import pytest

from w2v_lib.vectors.projections import pca_basis


def full_svd(vectors, k):
    """The reference: (k, D) directions and (k,) variance fractions from a full SVD of the centred data."""
    centred = vectors - vectors.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    return vt[:k], s[:k] ** 2 / (s ** 2).sum()


def assert_orthonormal(components):
    k = components.shape[0]
    assert np.allclose(components @ components.T, np.eye(k), atol=1e-10)


def assert_sign_rule(components):
    """Each direction's largest-magnitude entry is positive (the rule stored pictures rely on)."""
    rows = np.arange(components.shape[0])
    assert (components[rows, np.abs(components).argmax(axis=1)] > 0).all()


@pytest.mark.parametrize("shape", [(500, 40), (40, 500), (24, 10_000), (300, 300), (1_000, 600), (500, 1_200)])
@pytest.mark.parametrize("k", [2, 3])
def test_top_directions_are_the_full_svds(shape, k):
    """Every route (covariance when D ≤ |Vocab|, Gram matrix otherwise; LAPACK for a small one, Lanczos
    from 400 rows) on data with a clear spectrum."""
    rng = np.random.default_rng(sum(shape) + k)
    scales = np.geomspace(10.0, 0.1, shape[1])  # distinct variances: each direction is well defined
    vectors = rng.standard_normal(shape) * scales + 3.0
    basis = pca_basis(vectors, k)
    reference, explained = full_svd(vectors, k)
    assert basis.components.shape == (k, shape[1])
    for got, want in zip(basis.components, reference):
        assert min(np.abs(got - want).max(), np.abs(got + want).max()) < 1e-8  # the same, up to sign
    assert np.allclose(basis.explained, explained, rtol=1e-9, atol=1e-12)
    assert_orthonormal(basis.components)
    assert_sign_rule(basis.components)
    assert np.allclose(basis.mean, vectors.mean(axis=0))


@pytest.mark.parametrize("shape", [(60, 30), (20, 200), (600, 450)])
def test_rank_deficient_data(shape):
    """Rank 1 (points on a line) asked for 3 directions: the first is the line's, the others are
    orthonormal directions of zero variance, and the same on every call (not arbitrary)."""
    rng = np.random.default_rng(0)
    line = rng.standard_normal(shape[1])
    vectors = rng.standard_normal((shape[0], 1)) * line + 1.0  # (|Vocab|, D), rank 1 after centring
    basis = pca_basis(vectors, 3)
    reference, _ = full_svd(vectors, 1)
    assert min(np.abs(basis.components[0] - reference[0]).max(),
               np.abs(basis.components[0] + reference[0]).max()) < 1e-8
    assert basis.explained[0] == pytest.approx(1.0) and np.allclose(basis.explained[1:], 0.0, atol=1e-10)
    assert_orthonormal(basis.components)
    assert_sign_rule(basis.components)
    assert np.array_equal(pca_basis(vectors, 3).components, basis.components)
    # rank 2 in 200 dimensions: both real directions found, the third has zero variance
    plane = vectors + rng.standard_normal((shape[0], 1)) * rng.standard_normal(shape[1])
    basis = pca_basis(plane, 3)
    reference, explained = full_svd(plane, 2)
    for got, want in zip(basis.components[:2], reference):
        assert min(np.abs(got - want).max(), np.abs(got + want).max()) < 1e-8
    assert np.allclose(basis.explained[:2], explained) and basis.explained[2] < 1e-10
    assert_orthonormal(basis.components)


@pytest.mark.parametrize("shape", [(1, 6), (2, 10), (5, 5)])
def test_fewer_varying_rows_than_directions(shape):
    """One word (no variance at all), two words (one direction): still k orthonormal directions, no NaN."""
    vectors = np.random.default_rng(2).standard_normal(shape)
    basis = pca_basis(vectors, 3 if shape[1] >= 3 else 2)
    assert np.isfinite(basis.components).all() and np.isfinite(basis.explained).all()
    assert_orthonormal(basis.components)
    if shape[0] == 1:
        assert np.array_equal(basis.explained, np.zeros(3))


def test_lanczos_agrees_on_nearly_equal_top_variances():
    """Plain normal noise: the top variances differ by under 1 %, the hard case for an iterative solver."""
    vectors = np.random.default_rng(4).standard_normal((1_500, 700))
    basis = pca_basis(vectors, 3)
    reference, explained = full_svd(vectors, 3)
    for got, want in zip(basis.components, reference):
        assert min(np.abs(got - want).max(), np.abs(got + want).max()) < 1e-8
    assert np.allclose(basis.explained, explained, rtol=1e-9)


def test_a_mirrored_cloud_gets_the_same_picture():
    vectors = np.random.default_rng(3).standard_normal((30, 2_000)) * np.geomspace(5.0, 0.5, 2_000)
    assert np.allclose(pca_basis(-vectors, 3).components, pca_basis(vectors, 3).components, atol=1e-10)
