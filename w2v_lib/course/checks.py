"""What the autograded check cells call: comparisons with stored reference values.

A check cell never imports a solution. Gradients are checked by finite differences
(`w2v_lib.gradcheck`); values such as a loss are compared here with a literal computed once
from the instructor's solution and pasted into the cell. Every failure raises an
AssertionError whose message says what was expected and what came back, so nbgrader's
feedback (the error output of the cell) is readable on its own. What a student's code warns
or prints never fails a check: calls run under `quietly()`, and advice (e.g. on overflow) is
printed by `floating_point_advice`, never raised.
"""
from __future__ import annotations

import contextlib
import warnings

import numpy as np


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"


def check_value(name: str, got, expected, rtol: float = 1e-10, atol: float = 0.0) -> None:
    """Assert that `got` equals the stored reference `expected` within rtol/atol; print a one-line OK.

    `expected` is a literal (a number or a nested list). A wrong type, shape, NaN or value each
    gets its own message, e.g. "J = 0.0, expected 2.0794 (a relative error of 1.0 > 1e-10)".
    """
    if got is None:
        raise AssertionError(f"{name} is None: does your function end with a `return`?")
    reference = np.asarray(expected, dtype=np.float64)
    if isinstance(got, (tuple, list)) and reference.ndim == 0:
        raise AssertionError(f"{name} should be one number; got a {type(got).__name__} of {len(got)} items")
    try:
        value = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{name} should be a number or an array of numbers; got {_describe(got)}") from None
    if value.shape != reference.shape:
        raise AssertionError(f"{name} has shape {value.shape}; expected shape {reference.shape}")
    if not np.all(np.isfinite(value)):
        raise AssertionError(f"{name} holds NaN or infinite values: {got!r}")
    if not np.allclose(value, reference, rtol=rtol, atol=atol):
        scale = np.maximum(np.abs(reference), np.finfo(np.float64).tiny)
        worst = float(np.max(np.abs(value - reference) / scale))
        shown = f"{float(value):.10g}, expected {float(reference):.10g}" if reference.ndim == 0 \
            else f"{np.array2string(value, precision=6)}, expected {np.array2string(reference, precision=6)}"
        allowed = f"{rtol:g}" + (f", plus an absolute {atol:g}" if atol else "")
        raise AssertionError(f"{name} = {shown} (a relative error of {worst:.1g}, allowed {allowed})")
    print(f"{name}: matches the stored reference value (" + (f"atol {atol:g})" if rtol == 0 else f"rtol {rtol:g})"))
    # Returns nothing on purpose: nbgrader reads a check cell's last value as partial credit.


def check_returns(result, names: tuple, function: str) -> tuple:
    """Unpack a function's result into len(names) parts, or say what it returned instead.

    E.g. `loss, grad_v, grad_U = check_returns(result, ("loss", "grad_center_vec",
    "grad_outside_vectors"), "naive_softmax_loss_and_gradient")`.
    """
    wanted = "(" + ", ".join(names) + ")"
    if not isinstance(result, tuple):
        raise AssertionError(f"{function} must return {wanted}; it returned {_describe(result)}")
    if len(result) != len(names):
        raise AssertionError(f"{function} must return the {len(names)} values {wanted}; it returned {len(result)}")
    return result


def check_shape(name: str, got, expected_shape: tuple) -> None:
    """Assert the shape of an array, naming the expected one (e.g. (|Vocab|, d) rows, not U's (d, |Vocab|))."""
    shape = np.shape(got)
    if tuple(shape) != tuple(expected_shape):
        hint = " (the transpose of the expected shape)" if tuple(shape) == tuple(expected_shape)[::-1] else ""
        raise AssertionError(f"{name} has shape {tuple(shape)}; expected {tuple(expected_shape)}{hint}")


@contextlib.contextmanager
def quietly():
    """Run a student's code with numpy's floating-point warnings off: a warning is not a failure.

    Inside, numpy neither warns nor raises on overflow, underflow, division by zero or invalid
    values, and Python's warnings are not shown; the values computed are unchanged.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def floating_point_advice(name: str, function, x) -> str | None:
    """Advice, never a failure: the floating-point trouble `function(x)` runs into, or None.

    Calls `function(x)` once with numpy's overflow, invalid-value and division-by-zero flags
    turned into errors and returns a one-line message naming the first one (e.g. "overflow
    encountered in exp"); prints nothing and raises nothing, whatever the function does.
    """
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        warnings.simplefilter("ignore")
        try:
            function(x)
        except (FloatingPointError, OverflowError) as err:
            return f"advice (not graded): {name} at x = {x!r} runs into '{err}' in floating point"
        except Exception as err:  # noqa: BLE001 (advice must never fail; the graded checks report errors)
            return f"advice (not graded): {name} at x = {x!r} raised {type(err).__name__}: {err}"
    return None


def sigmoid_advice(sigmoid) -> list:
    """Notebook 03's advice lines (never a failure) on a student's sigmoid in floating point.

    At x = −1000 the formula as written overflows in exp (numpy warns; its 0 is still the
    correctly rounded value); at x = −720 it returns 0 where σ(−720) ≈ 2.03e−313 is a
    representable subnormal number.
    """
    lines = [floating_point_advice("sigmoid", sigmoid, -1000.0) or "sigmoid(-1000): no overflow in floating point"]
    try:
        with quietly():
            tail = float(np.asarray(sigmoid(-720.0), dtype=np.float64))
    except Exception as err:  # noqa: BLE001 (advice never fails: the graded checks report errors)
        return lines + [f"advice (not graded): sigmoid(-720) raised {type(err).__name__}: {err}"]
    if tail > 0:
        lines.append("sigmoid(-720): a positive subnormal number, as sigma(-720) (about 2.03e-313) is")
    else:
        lines.append(f"advice (not graded): sigmoid(-720) returns {tail!r}, but sigma(-720), about 2.03e-313, "
                     "is a representable (subnormal) float64: exp(720) overflowed on the way")
    return lines
