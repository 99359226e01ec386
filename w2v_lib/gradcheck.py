"""Finite-difference gradient check with a verdict that says right or wrong, and where."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class GradcheckResult:
    """What `gradcheck` found. Truthy exactly when the check passed.

    rel_errors has x's shape: |analytic − numeric| / max(1, |analytic|, |numeric|) per
    coordinate (the course's measure: relative for large gradients, absolute for small ones).
    """

    passed: bool
    max_rel_error: float
    tolerance: float
    rel_errors: np.ndarray
    analytic: np.ndarray
    numeric: np.ndarray
    worst: list = field(default_factory=list)  # [(index tuple, analytic, numeric, rel_error)], worst first
    name: str = "gradient"

    def __bool__(self) -> bool:
        return bool(self.passed)

    @property
    def n_failed(self) -> int:
        return int((self.rel_errors > self.tolerance).sum())

    @property
    def failed_indices(self) -> list:
        """Index tuples of every coordinate over the tolerance, worst first."""
        flat = np.argsort(-self.rel_errors, axis=None, kind="stable")
        flat = flat[self.rel_errors.ravel()[flat] > self.tolerance]
        return [tuple(int(i) for i in np.unravel_index(f, self.rel_errors.shape)) for f in flat]

    def __str__(self) -> str:
        n = self.rel_errors.size
        if self.passed:
            return (f"PASSED: {self.name} matches finite differences at all {n} coordinates "
                    f"(max relative error {self.max_rel_error:.1e} < tolerance {self.tolerance:.0e})")
        lines = [f"FAILED: {self.name} is wrong at {self.n_failed} of {n} coordinates "
                 f"(max relative error {self.max_rel_error:.1e} > tolerance {self.tolerance:.0e})",
                 "  worst coordinates:   index      analytic     numeric   rel.error"]
        for idx, a, num, r in self.worst:
            lines.append(f"  {str(idx):>30} {a:>12.6f} {num:>11.6f} {r:>11.1e}")
        return "\n".join(lines)

    __repr__ = __str__

    def plot(self, ax=None, title: str | None = None):
        """Heat map of log10 relative error per coordinate (rows × columns of x); returns the axes."""
        import matplotlib.pyplot as plt

        errors = self.rel_errors
        err = errors.reshape(errors.shape[0], -1) if errors.ndim else errors.reshape(1, 1)
        if err.ndim == 1:
            err = err[:, None]
        if ax is None:
            _, ax = plt.subplots(figsize=(min(8, 1.5 + 0.5 * err.shape[1]), min(6, 1 + 0.35 * err.shape[0])))
        img = ax.imshow(np.log10(err + 1e-16), cmap="magma", vmin=-16, vmax=1, aspect="auto")
        bad = np.argwhere(err > self.tolerance)
        ax.scatter(bad[:, 1], bad[:, 0], marker="x", color="cyan", s=30, label="over tolerance")
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        ax.set_title(title or f"{self.name}: log10 relative error")
        ax.figure.colorbar(img, ax=ax, shrink=0.8)
        return ax


def _generators(rng):
    if rng is None:
        return []
    if isinstance(rng, np.random.Generator):
        return [rng]
    if hasattr(rng, "rng") and isinstance(rng.rng, np.random.Generator):
        return [rng.rng]  # e.g. a NegativeSampler
    if not isinstance(rng, (list, tuple)):
        raise ValueError("rng must be the numpy Generator f draws from, an object with a Generator `.rng` "
                         f"(such as a NegativeSampler), or a list of these; got {type(rng).__name__}")
    return [g for r in rng for g in _generators(r)]


def gradcheck(f, x, h: float = 1e-4, tolerance: float = 1e-6, rng=None, name: str = "gradient",
              n_worst: int = 5) -> GradcheckResult:
    """Compare f's analytic gradient with centered differences (f(x+h) − f(x−h)) / 2h.

    Args:
        f: f(x) -> (loss, grad), grad of x's shape. x is float64 during the check.
        x: the point to check at; not modified.
        h: the finite-difference step.
        tolerance: the largest relative error that passes (the course uses 1e-5; float64
            centered differences reach ~1e-9 here, so 1e-6 also catches small wrong terms).
        rng: Generator(s) f draws from (or an object with a `.rng`, such as a NegativeSampler).
            Their state is restored before every evaluation, so a sampled loss is the same
            function at x, x+h and x−h.
        name: what the verdict calls the gradient.
    """
    if not 0 < h < np.inf:
        raise ValueError(f"h must be a small positive step such as 1e-4; got {h!r}")
    if not 0 < tolerance < np.inf:
        raise ValueError(f"tolerance must be positive, e.g. 1e-6; got {tolerance!r}")
    x = np.array(x, dtype=np.float64)  # a private copy: the caller's x is never perturbed
    gens = _generators(rng)
    states = [g.bit_generator.state for g in gens]

    def evaluate(point):
        for g, s in zip(gens, states):
            g.bit_generator.state = s
        loss, grad = f(point)
        if not np.isscalar(loss) and np.ndim(loss) != 0:
            raise ValueError(f"f must return (loss, grad) with a scalar loss; got loss of shape {np.shape(loss)}")
        return float(loss), grad

    _, analytic = evaluate(x)
    analytic = np.array(analytic, dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"f returned a gradient of shape {analytic.shape}; it must match x's shape {x.shape}")

    numeric = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus, _ = evaluate(x)
        x[i] = old - h
        minus, _ = evaluate(x)
        x[i] = old
        numeric[i] = (plus - minus) / (2 * h)
    evaluate(x)  # leave the generators where one call of f would

    rel = np.abs(analytic - numeric) / np.maximum(1.0, np.maximum(np.abs(analytic), np.abs(numeric)))
    rel = np.where(np.isnan(rel), np.inf, rel)  # a nan gradient is maximally wrong, and sorts first
    order = np.argsort(-rel, axis=None, kind="stable")[:n_worst]
    worst = []
    for flat in order:
        idx = tuple(int(j) for j in np.unravel_index(flat, rel.shape))
        worst.append((idx, float(analytic[idx]), float(numeric[idx]), float(rel[idx])))
    max_rel = float(rel.max()) if rel.size else 0.0
    return GradcheckResult(passed=max_rel <= tolerance, max_rel_error=max_rel, tolerance=tolerance,
                           rel_errors=rel, analytic=analytic, numeric=numeric, worst=worst, name=name)
