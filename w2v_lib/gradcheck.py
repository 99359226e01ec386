"""Finite-difference gradient check with a verdict that says right or wrong, where, and what went wrong.

On failure the verdict carries a diagnosis from the catalogue in `w2v_lib.verdict.diagnosis` (how a
pattern is accepted is documented there). Two findings are the check's own, made before the
catalogue runs, and both FAIL the check even when the numbers agree:
- "nondeterministic": f is evaluated twice at x; if the loss or the gradient differ by more than
  finite differences can tolerate, the numeric gradient is noise and nothing can be checked;
- "all_zero": a loss of exactly 0 with an analytic and a numeric gradient of exactly 0 everywhere
  is an unfinished stub (`return 0, np.zeros(...)`), never a right answer.
A gradient of the wrong shape gives a failed result ("transposed_shape" or "wrong_shape") that
names the shape expected and the shape given, not a numpy broadcast error.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .verdict.diagnosis import diagnose, diagnose_shape
from .verdict.finding import Finding, relative_errors
from .verdict.labels import BoundLabels, as_labels, row_labels, stacked_labels, vector_labels

__all__ = ["gradcheck", "GradcheckResult", "row_labels", "stacked_labels", "vector_labels"]


@dataclass
class GradcheckResult:
    """What `gradcheck` found. Truthy exactly when the check passed.

    rel_errors has x's shape: |analytic − numeric| / max(1, |analytic|, |numeric|) per
    coordinate (the course's measure: relative for large gradients, absolute for small ones).
    On failure, `pattern` is the catalogue key of the mistake found (one of
    `w2v_lib.verdict.diagnosis.PATTERN_KEYS`, or None) and `diagnosis` says it in one or two sentences;
    `pattern_info` holds its details (rows, multiplicity, factor, ...).
    """

    passed: bool
    max_rel_error: float
    tolerance: float
    rel_errors: np.ndarray
    analytic: np.ndarray
    numeric: np.ndarray
    worst: list = field(default_factory=list)  # [(index tuple, analytic, numeric, rel_error)], failing, worst first
    name: str = "gradient"
    diagnosis: str | None = None
    pattern: str | None = None
    pattern_info: dict = field(default_factory=dict)
    labels: BoundLabels | None = None
    headline: str | None = None  # replaces the usual FAILED line when the numbers cannot be compared

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

    def coordinate_name(self, idx) -> str:
        return self.labels.coordinate(tuple(idx)) if self.labels else str(tuple(idx))

    @property
    def verdict(self) -> str:
        """The verdict as printed: PASSED/FAILED, the diagnosis, and the wrong coordinates."""
        return str(self)

    def __str__(self) -> str:
        n = self.rel_errors.size
        if self.passed:
            return (f"PASSED: {self.name} matches finite differences at all {n} coordinates "
                    f"(max relative error {self.max_rel_error:.1e} < tolerance {self.tolerance:.0e})")
        lines = [self.headline or f"FAILED: {self.name} is wrong at {self.n_failed} of {n} coordinates "
                 f"(max relative error {self.max_rel_error:.1e} > tolerance {self.tolerance:.0e})"]
        if self.diagnosis:
            lines.append(f"Diagnosis: {self.diagnosis}")
        if self.worst and self.headline is None:
            rows = [("coordinate", "analytic", "numeric", "rel. error")]
            rows += [(self.coordinate_name(i), _value(a), _value(m), f"{r:.1e}") for i, a, m, r in self.worst]
            widths = [max(len(r[k]) for r in rows) for k in range(4)]
            lines += ["  " + f"{c:<{widths[0]}}" + "".join(f"  {v:>{w}}" for v, w in zip(rest, widths[1:]))
                      for c, *rest in rows]
            if self.n_failed > len(self.worst):
                lines.append(f"  ... and {self.n_failed - len(self.worst)} more wrong coordinates")
        return "\n".join(lines)

    __repr__ = __str__

    def plot(self, ax=None, title: str | None = None):
        """A picture of the check; returns the axes.

        A vector: analytic and numeric values side by side per coordinate, wrong ones marked.
        A table: heat map of log10 relative error per coordinate, wrong ones crossed.
        """
        from .verdict.plot import plot_result

        return plot_result(self, ax=ax, title=title)


def _value(v: float) -> str:
    """A gradient value for the table: 4 significant digits, but only 2 below 1e-3, where the
    finite-difference noise (~1e-9) would reach the 4th digit (and below 1e-6 the sanitizer masks it)."""
    return f"{v:.4g}" if v == 0 or abs(v) >= 1e-3 or not np.isfinite(v) else f"{v:.1e}"


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


def _named_inputs(inputs) -> list:
    """{"u": outside_vectors, "v_c": v_c, "u": (table, words)} -> [(name of a vector, vector)]."""
    out = []
    for key, value in (inputs or {}).items():
        words = None
        if isinstance(value, tuple):
            value, words = value
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 1:
            out.append((str(key), arr))
        elif arr.ndim == 2:
            out += [(f"{key}_{k}" + ("" if words is None else f" ('{words[k]}')"), arr[k]) for k in range(len(arr))]
        else:
            raise ValueError(f"inputs['{key}'] must be a vector (d,) or a table (n, d); got shape {arr.shape}")
    return out


def _as_gradient(grad, name: str):
    """f's gradient as a float64 array, or a failed-shape Finding when it is not an array at all."""
    if grad is None:
        return None, Finding("wrong_shape", "f returned None as the gradient: return (loss, gradient), the "
                             "gradient an array of x's shape.", {"given": None})
    try:
        return np.array(grad, dtype=np.float64), None
    except (TypeError, ValueError) as err:
        raise ValueError(f"f must return (loss, grad) with grad an array of numbers; {name} could not be read "
                         f"as one ({err})") from None


def _what_differs(loss, grad, loss_again, grad_again, h, tolerance) -> str | None:
    """"losses" or "gradients" when two calls of f at one point differ by more than the check can
    absorb, else None. A loss jitter below 0.1·2h·tolerance moves no difference quotient past it."""
    if abs(loss - loss_again) > 0.1 * 2 * h * tolerance * max(1.0, abs(loss)):
        return "losses"
    if grad_again is None or grad_again.shape != grad.shape:
        return "gradients"
    same = (grad == grad_again) | (np.isnan(grad) & np.isnan(grad_again))
    return "gradients" if np.any(~same & (relative_errors(grad, grad_again) > tolerance / 10)) else None


def gradcheck(f, x, h: float = 1e-4, tolerance: float = 1e-6, rng=None, name: str = "gradient",
              n_worst: int = 5, labels=None, inputs=None) -> GradcheckResult:
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
        n_worst: how many wrong coordinates the verdict lists.
        labels: names for x's coordinates: a list of words (rows of a (|Vocab|, d) table), a symbol
            such as "v_c" (a vector), or `row_labels` / `stacked_labels` / `vector_labels`.
        inputs: other vectors f reads, e.g. {"u": outside_vectors, "v_c": v_c}, so that an
            error equal to one of them is named ("u_2") in the diagnosis.
    """
    if not 0 < h < np.inf:
        raise ValueError(f"h must be a small positive step such as 1e-4; got {h!r}")
    if not 0 < tolerance < np.inf:
        raise ValueError(f"tolerance must be positive, e.g. 1e-6; got {tolerance!r}")
    x = np.array(x, dtype=np.float64)  # a private copy: the caller's x is never perturbed
    bound = as_labels(labels, x.shape)
    named = _named_inputs(inputs)
    gens = _generators(rng)
    states = [g.bit_generator.state for g in gens]

    def evaluate(point):
        for g, s in zip(gens, states):
            g.bit_generator.state = s
        out = f(point)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise ValueError(f"f must return the pair (loss, grad); got {type(out).__name__}")
        loss, grad = out
        if not np.isscalar(loss) and np.ndim(loss) != 0:
            raise ValueError(f"f must return (loss, grad) with a scalar loss; got loss of shape {np.shape(loss)}")
        return float(loss), grad

    loss, grad = evaluate(x)
    analytic, finding = _as_gradient(grad, name)
    loss_again, grad_again = evaluate(x)  # a second call at the same point: is f a function?
    again = _as_gradient(grad_again, name)[0]  # copied now: f may reuse one buffer for every call
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

    common = dict(tolerance=tolerance, numeric=numeric, name=name, labels=bound)
    if finding is None and analytic.shape != x.shape:
        square = analytic.ndim == 2 and analytic.shape == x.shape[::-1]
        finding = diagnose_shape(analytic.shape, x.shape, square and bool(np.all(
            relative_errors(analytic.T, numeric) <= tolerance)))
    if finding is not None:
        given = finding.info.get("given")
        headline = f"FAILED: {name} is None" if given is None else \
            f"FAILED: {name} has shape {given}, but x has shape {x.shape}"
        return GradcheckResult(False, np.inf, rel_errors=np.full(x.shape, np.inf), worst=[], diagnosis=finding.text,
                               analytic=analytic, pattern=finding.pattern, pattern_info=finding.info,
                               headline=headline, **common)

    rel = relative_errors(analytic, numeric)
    order = np.argsort(-rel, axis=None, kind="stable")
    order = order[rel.ravel()[order] > tolerance][:n_worst]
    worst = []
    for flat in order:
        idx = tuple(int(j) for j in np.unravel_index(flat, rel.shape))
        worst.append((idx, float(analytic[idx]), float(numeric[idx]), float(rel[idx])))
    max_rel = float(rel.max()) if rel.size else 0.0
    result = GradcheckResult(passed=max_rel <= tolerance, max_rel_error=max_rel, rel_errors=rel,
                             analytic=analytic, worst=worst, **common)

    what = _what_differs(loss, analytic, loss_again, again, h, tolerance)
    if what:
        finding = Finding("nondeterministic", f"f returned different {what} on two calls at the same point, so "
                          "finite differences measure noise: if f draws random numbers (e.g. negative samples), "
                          "pass the generator as gradcheck(..., rng=...) or fix the samples.")
        result.headline = f"FAILED: {name} cannot be checked: f is not a deterministic function of x"
    elif loss == 0.0 and not np.any(analytic) and not np.any(numeric):
        finding = Finding("all_zero", "The loss and the gradient are exactly 0 everywhere: that is an unfinished "
                          "function (e.g. return 0, np.zeros(...)), not a right answer. Compute both.")
        result.headline = f"FAILED: {name} and the loss are exactly 0 everywhere"
    elif not result.passed:
        finding = diagnose(analytic, numeric, x, tolerance, bound, named)
    if finding is not None:
        result.passed = False
        result.diagnosis, result.pattern, result.pattern_info = finding.text, finding.pattern, finding.info
    return result
