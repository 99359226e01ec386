"""From D dimensions to the screen: PCA (2-D/3-D), t-SNE, axes defined by words, and the
alignment that lets training checkpoints share one picture.

Every projection returns (|V|, n) float32 coordinates, n = 2 or 3.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import orthogonal_procrustes

from .._checks import as_matrix

TSNE_LIBRARY = "scikit-learn (sklearn.manifold.TSNE)"


@dataclass
class PCABasis:
    mean: np.ndarray  # (D,) the mean the directions are measured from
    components: np.ndarray  # (n, D) unit principal directions, largest variance first
    explained: np.ndarray  # (n,) fraction of the total variance along each direction

    def project(self, vectors) -> np.ndarray:
        vectors = as_matrix(vectors, "vectors", cols=self.mean.shape[0])
        return ((vectors - self.mean) @ self.components.T).astype(np.float32)  # (|V|, n)


def _check_n(n_components):
    if n_components not in (2, 3):
        raise ValueError(f"n_components must be 2 or 3; got {n_components!r}")


def pca_basis(vectors, n_components: int = 2) -> PCABasis:
    """Principal directions of the (|V|, D) vectors, by SVD of their (D, D) covariance.

    Each direction's sign is fixed (its largest-magnitude entry positive) so the picture does
    not flip between runs or library versions.
    """
    _check_n(n_components)
    x = as_matrix(vectors, "vectors").astype(np.float64)
    if x.shape[1] < n_components:
        raise ValueError(f"vectors have {x.shape[1]} dimensions; cannot take {n_components} components")
    mean = x.mean(axis=0)  # (D,)
    centred = x - mean  # (|V|, D)
    cov = centred.T @ centred / x.shape[0]  # (D, D)
    u, var, _ = np.linalg.svd(cov)  # cov is symmetric: its singular vectors are its eigenvectors
    comps = u[:, :n_components].T  # (n, D)
    signs = np.sign(comps[np.arange(n_components), np.abs(comps).argmax(axis=1)])  # (n,)
    comps = comps * np.where(signs == 0, 1.0, signs)[:, None]
    explained = var[:n_components] / var.sum() if var.sum() > 0 else np.zeros(n_components)
    return PCABasis(mean, comps, explained)


def pca(vectors, n_components: int = 2) -> np.ndarray:
    """PCA coordinates, (|V|, n_components)."""
    return pca_basis(vectors, n_components).project(vectors)


def tsne(vectors, n_components: int = 2, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """t-SNE coordinates from scikit-learn's sklearn.manifold.TSNE (cosine distances, PCA start)."""
    from sklearn.manifold import TSNE

    _check_n(n_components)
    x = as_matrix(vectors, "vectors").astype(np.float32)
    if x.shape[0] < 5:
        raise ValueError(f"t-SNE needs at least 5 words; got {x.shape[0]}")
    perplexity = min(float(perplexity), (x.shape[0] - 1) / 3.0)  # scikit-learn requires perplexity < n
    model = TSNE(n_components=n_components, perplexity=perplexity, metric="cosine", init="pca",
                 random_state=seed)
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
    as in the Embedding Projector's custom projection: (|V|, len(expressions)).
    """
    if isinstance(expressions, str) or len(expressions) not in (2, 3):
        raise ValueError(f"expressions must be 2 or 3 axis expressions; got {expressions!r}")
    dirs = np.stack([axis_direction(model, e) for e in expressions])  # (n, D)
    return (model.unit_vectors @ dirs.T).astype(np.float32)  # (|V|, n)


def align_to(reference, vectors) -> np.ndarray:
    """Rotate (|V|, D) `vectors` onto `reference` by orthogonal Procrustes, after centring both.

    Word vectors are only defined up to rotation, so two checkpoints can be compared only once
    one is turned to match the other; the scale is kept, so early checkpoints look small.
    """
    ref = as_matrix(reference, "reference").astype(np.float64)
    x = as_matrix(vectors, "vectors", cols=ref.shape[1], rows=ref.shape[0]).astype(np.float64)
    ref_mean, x_mean = ref.mean(axis=0), x.mean(axis=0)  # (D,) each
    rotation, _ = orthogonal_procrustes(x - x_mean, ref - ref_mean)  # (D, D)
    return ((x - x_mean) @ rotation + ref_mean).astype(np.float32)


def align_checkpoints(checkpoint_vectors, final_vectors) -> list:
    """Each checkpoint's (|V|, D) vectors rotated onto the final vectors (see `align_to`)."""
    return [align_to(final_vectors, v) for v in checkpoint_vectors]
