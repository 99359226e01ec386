"""From D dimensions to the screen: PCA (2-D/3-D), UMAP, axes defined by words (t-SNE: tsne.py), and the
rotation that brings two independently trained vector sets into one picture (the comparison).

Every projection returns (|Vocab|, n) float32 coordinates, n = 2 or 3.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_matrix

UMAP_LIBRARY = "umap-learn"


@dataclass
class PCABasis:
    mean: np.ndarray  # (D,) the mean the directions are measured from
    components: np.ndarray  # (n, D) unit principal directions, largest variance first
    explained: np.ndarray  # (n,) fraction of the total variance along each direction

    def project(self, vectors) -> np.ndarray:
        vectors = as_matrix(vectors, "vectors", cols=self.mean.shape[0])
        return ((vectors - self.mean) @ self.components.T).astype(np.float32)  # (|Vocab|, n)


def _check_n(n_components):
    if n_components not in (2, 3):
        raise ValueError(f"n_components must be 2 or 3; got {n_components!r}")


def pca_basis(vectors, n_components: int = 2) -> PCABasis:
    """The 2 or 3 principal directions of the (|Vocab|, D) vectors a picture uses (see `principal_basis`)."""
    _check_n(n_components)
    return principal_basis(vectors, n_components)


def principal_basis(vectors, n_components: int) -> PCABasis:
    """The top `n_components` principal directions of the (|Vocab|, D) vectors, and only those.

    From the smaller of the two square matrices of the centred data: the (D, D) covariance when
    D ≤ |Vocab|, the (|Vocab|, |Vocab|) Gram matrix otherwise (a plot of 30 words in 10,000 dimensions), with
    only the top eigenpairs asked for (`_top_eigenpairs`), which skips most of the work of a full
    decomposition. Deterministic: the same on every machine up to round-off. Each direction's sign
    is fixed (its largest-magnitude entry positive) so the picture does not flip between runs or
    library versions.
    """
    x = as_matrix(vectors, "vectors").astype(np.float64)
    n_rows, dim = x.shape
    if dim < n_components:
        raise ValueError(f"vectors have {dim} dimensions; cannot take {n_components} components")
    mean = x.mean(axis=0)  # (D,)
    centred = x - mean  # (|Vocab|, D)
    total = float(np.einsum("ij,ij->", centred, centred)) / n_rows  # the trace of the covariance
    if dim <= n_rows:
        var, comps = _top_eigenpairs(centred.T @ centred / n_rows, n_components)  # (n,), (D, n)
    else:
        var, left = _top_eigenpairs(centred @ centred.T / n_rows, min(n_components, n_rows))  # (n,), (|Vocab|, n)
        comps = centred.T @ left  # (D, n): each column is the direction times sqrt(|Vocab| var)
        comps = _orthonormal_completion(comps, var > _ZERO_VARIANCE * max(total, np.finfo(float).tiny),
                                        n_components)
        var = np.concatenate([var, np.zeros(n_components - len(var))])  # fewer rows than components
    comps = comps.T  # (n, D)
    signs = np.sign(comps[np.arange(n_components), np.abs(comps).argmax(axis=1)])  # (n,)
    comps = comps * np.where(signs == 0, 1.0, signs)[:, None]
    explained = np.maximum(var, 0.0) / total if total > 0 else np.zeros(n_components)
    return PCABasis(mean, comps, explained)


_ZERO_VARIANCE = 1e-12  # relative to the total variance: a direction with less is round-off, not data


_LANCZOS_FROM = 400  # matrix side from which Lanczos beats LAPACK's O(m³) tridiagonal reduction


def _top_eigenpairs(sym, k: int):
    """The k largest eigenvalues of the symmetric (m, m) `sym`, largest first, and their (m, k) eigenvectors.

    Up to `_LANCZOS_FROM` rows, LAPACK's eigh for the top k only; above it, Lanczos (ARPACK's
    eigsh, O(m²) per step) from a fixed start vector, so reruns give the same answer; if it does
    not converge (nearly equal top eigenvalues), LAPACK after all.
    """
    # scipy here, not at the top: importing its linalg and sparse takes a tenth of a second, which the
    # command line's training run would wait for before its first step (the plot comes after it)
    from scipy.linalg import eigh
    from scipy.sparse.linalg import ArpackError, eigsh

    m = sym.shape[0]
    if m >= _LANCZOS_FROM:
        try:
            values, vectors = eigsh(sym, k=k, which="LA", v0=np.ones(m), ncv=min(m, 4 * k + 16), maxiter=20 * m)
            order = np.argsort(values)[::-1]
            return values[order], vectors[:, order]
        except ArpackError:
            pass
    values, vectors = eigh(sym, subset_by_index=[m - k, m - 1])  # ascending
    return values[::-1], vectors[:, ::-1]


def _orthonormal_completion(columns, keep, k: int) -> np.ndarray:
    """The (D, k) orthonormal basis of `columns[:, keep]` (normalised), completed by the first
    standard basis vectors e_0, e_1, … not (nearly) in its span, orthogonalised: directions of
    zero variance, which any orthonormal choice describes equally; this one is reproducible."""
    found = columns[:, keep] / np.linalg.norm(columns[:, keep], axis=0)  # (D, r)
    basis = [found[:, j] for j in range(found.shape[1])]
    for axis in range(columns.shape[0]):
        if len(basis) == k:
            break
        e = np.zeros(columns.shape[0])
        e[axis] = 1.0
        for b in basis:  # Gram-Schmidt, twice for round-off
            e -= (b @ e) * b
        for b in basis:
            e -= (b @ e) * b
        if (norm := np.linalg.norm(e)) > 0.5:
            basis.append(e / norm)
    return np.stack(basis, axis=1)  # (D, k)


def pca(vectors, n_components: int = 2) -> np.ndarray:
    """PCA coordinates, (|Vocab|, n_components)."""
    return pca_basis(vectors, n_components).project(vectors)


class ProjectionCancelled(Exception):
    """A t-SNE or UMAP stopped by its caller's `on_step` (the explorer's cancel button)."""


def umap(vectors, seed: int = 0, n_neighbors: int = 15, on_step=None) -> np.ndarray:
    """UMAP coordinates (|Vocab|, 2) from umap-learn (cosine, seeded). No live steps: `on_step` is
    called once with the PCA picture before the (numba-compiled, slow to import) library starts."""
    _check_n(2)
    x = as_matrix(vectors, "vectors").astype(np.float32)
    if x.shape[0] < 5:
        raise ValueError(f"UMAP needs at least 5 words; got {x.shape[0]}")
    if on_step and on_step(0.0, pca(x), "UMAP: loading umap-learn and finding neighbours"):
        raise ProjectionCancelled("UMAP cancelled")
    import umap as umap_learn

    model = umap_learn.UMAP(n_neighbors=min(n_neighbors, x.shape[0] - 1), metric="cosine", random_state=seed,
                            init="spectral" if x.shape[0] > n_neighbors + 1 else "random")
    return model.fit_transform(x).astype(np.float32)


def axis_direction(model, expression: str) -> np.ndarray:
    """The (D,) direction named by an expression such as "woman - man", on the model's vectors."""
    vec, _ = model.expression_vector(expression)
    norm = float(np.linalg.norm(vec))
    if norm == 0.0:
        raise ValueError(f"the axis {expression!r} is the zero vector; pick words that differ")
    return vec / norm


def custom_axes(model, expressions) -> np.ndarray:
    """Coordinates along axes given by expressions, e.g. ("woman - man", "queen - king").

    Each coordinate is the cosine-normalised word vector's projection on the axis direction,
    as in the Embedding Projector's custom projection: (|Vocab|, len(expressions)).
    """
    if isinstance(expressions, str) or len(expressions) not in (2, 3):
        raise ValueError(f"expressions must be 2 or 3 axis expressions; got {expressions!r}")
    dirs = np.stack([axis_direction(model, e) for e in expressions])  # (n, D)
    return (model.unit_vectors @ dirs.T).astype(np.float32)  # (|Vocab|, n)


def align_to(reference, vectors) -> np.ndarray:
    """Rotate (|Vocab|, D) `vectors` onto `reference` by orthogonal Procrustes, after centring both.

    The loss depends on the vectors only through the scores u_oᵀv_c, so it cannot tell a set of
    vectors from any invertible transform of it (V → AV with U → A⁻ᵀU), rotations included. Two
    independently trained sets therefore share no axes, and a rotation is the part of that freedom
    that keeps cosines, so it is what is removed before drawing them together. Checkpoints of one
    run already share one coordinate system and are never aligned: it would remove real movement
    too (notebook 08 measures how much). The scale is kept.
    """
    from scipy.linalg import orthogonal_procrustes

    ref = as_matrix(reference, "reference").astype(np.float64)
    x = as_matrix(vectors, "vectors", cols=ref.shape[1], rows=ref.shape[0]).astype(np.float64)
    ref_mean, x_mean = ref.mean(axis=0), x.mean(axis=0)  # (D,) each
    rotation, _ = orthogonal_procrustes(x - x_mean, ref - ref_mean)  # (D, D)
    return ((x - x_mean) @ rotation + ref_mean).astype(np.float32)

