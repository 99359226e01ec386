"""The grader's own comparison: a sandbox's report (untrusted data) against the spec's references.

    grade = score_function(spec.functions["sigmoid"], run)   # FunctionGrade: points and feedback

Each function is scored on its own: full points when every output matches the reference on
every scored input (visible and hidden), else 0, and the feedback says which input and output
differ and, when it recognises it, why (an average where a sum belongs, float32, a step that
climbs, NaN, the gradient-check catalogue of w2v_lib.verdict). Warnings and prints never cost
points; unscored inputs (the sigmoid at ±1000) only give advice. A report is parsed as plain
numbers (json, then checked shapes and sizes): nothing in it can run or change the comparison.
"""
from __future__ import annotations

import math
import signal
from dataclasses import dataclass, field

import numpy as np

from ...verdict import diagnose, diagnose_shape
from ...verdict.labels import as_labels
from .evaluate import from_wire
from .sandbox import FunctionRun
from .spec import GradedFunction

RTOL, ATOL = 1e-9, 1e-12  # float64 agreement; float32 results are ~1e-7 off and fail
GRADIENT_TOLERANCE = 1e-6  # the catalogue's test, as gradcheck's
MAX_ELEMENTS = 100_000
NUMERIC_DTYPES = {"float", "int", "bool", "float64", "float32", "float16", "longdouble", "float128",
                  "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}


class Malformed(ValueError):
    """A reported value that is not the plain data evaluate.py writes."""


@dataclass
class FunctionGrade:
    name: str
    notebook: str
    points: float
    score: float = 0.0
    lines: list = field(default_factory=list)  # why points were lost
    advice: list = field(default_factory=list)  # what costs nothing


def parse(value):
    """("array", ndarray, dtype) | ("tuple", [parsed]) | ("none",) | ("object", name), from untrusted JSON."""
    if value is None:
        return ("none",)
    if not isinstance(value, dict) or len(value) != 1:
        raise Malformed("not a reported value")
    (kind, body), = value.items()
    if kind in ("tuple", "list"):
        if not isinstance(body, list) or len(body) > 16:
            raise Malformed("a tuple of more than 16 values")
        return ("tuple", [parse(v) for v in body], kind)
    if kind == "object":
        return ("object", str(body)[:80])
    if kind != "array" or not isinstance(body, dict):
        raise Malformed(f"an unknown kind {kind!r}")
    dtype, shape, data = body.get("dtype"), body.get("shape"), body.get("data")
    if dtype not in NUMERIC_DTYPES or not isinstance(shape, list) or len(shape) > 8 or not isinstance(data, list):
        raise Malformed("an array without a numeric dtype, a shape and its data")
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_ELEMENTS for n in shape):
        raise Malformed("a shape that is not a list of small non-negative integers")
    if math.prod(shape) != len(data) or len(data) > MAX_ELEMENTS:
        raise Malformed("an array whose data does not fill its shape")
    if not all(isinstance(x, (int, float)) for x in data):
        raise Malformed("an array holding something other than numbers")
    return ("array", np.array(data, dtype=np.float64).reshape(shape), dtype)


def _describe(parsed) -> str:
    if parsed[0] == "array":
        return "a number" if parsed[1].ndim == 0 else f"an array of shape {parsed[1].shape}"
    if parsed[0] == "tuple":
        return f"a {parsed[2]} of {len(parsed[1])} values"
    return "None (is a `return` missing?)" if parsed[0] == "none" else f"a {parsed[1]}"


def _label(part: str, shape: tuple):
    symbol = "v_c" if part == "grad_center_vec" else "v" if "center" in part else "u" if "outside" in part else None
    return as_labels(symbol if symbol and (len(shape) == 2 or symbol == "v_c") else None, shape)


def _scale_story(got: float, ref: float, averaged_over: dict) -> str | None:
    """A loss off by a factor the grader can name (1/n: an average where a sum belongs)."""
    if ref == 0 or not np.isfinite(got):
        return None
    if np.isclose(got, -ref, rtol=1e-7):
        return "has the wrong sign (a minus from −log, or ŷ − y written y − ŷ?)"
    for what, value in averaged_over.items():
        if value is not None and np.isclose(got, value, rtol=1e-7, atol=1e-12):
            return f"is the average over {what} where the loss is their sum"
    ratio = got / ref
    n = round(1 / ratio) if ratio else 0
    if 2 <= n <= 50 and np.isclose(ratio * n, 1.0, rtol=1e-7):
        return f"is 1/{n} of the right value: an average where a sum belongs?"
    return None


def _compare(part: str, got, ref: np.ndarray, point, inputs, averaged_over: dict, hidden: bool) -> str | None:
    """None when `got` (parsed) matches `ref`; else what is wrong with it."""
    if got[0] != "array":
        return f"{part} is {_describe(got)}; expected " + ("a number" if ref.ndim == 0 else f"shape {ref.shape}")
    value, dtype = got[1], got[2]
    if value.shape != ref.shape:
        if ref.ndim >= 1 and "grad" in part:
            return f"{part}: " + diagnose_shape(value.shape, ref.shape, bool(
                value.ndim == 2 and np.allclose(value.T, ref, rtol=1e-6, atol=1e-9))).text
        return f"{part} has shape {value.shape}; expected {ref.shape}"
    if not np.all(np.isfinite(value)):
        return f"{part} holds NaN or infinite values (a NaN loss: a log of 0, or an overflow in exp?)"
    if np.allclose(value, ref, rtol=RTOL, atol=ATOL):
        if dtype in ("float32", "float16"):
            return f"{part} is {dtype}, where float64 is checked: compute in float64"
        return None
    if dtype in ("float32", "float16") and np.allclose(value, ref, rtol=1e-3, atol=1e-6):
        return f"{part} is {dtype}, where float64 is checked: compute in float64 (no astype(np.float32))"
    if ref.ndim == 0:
        story = _scale_story(float(value), float(ref), averaged_over)
        shown = f"{part} differs from the reference" if hidden else \
            f"{part} = {float(value):.10g}, expected {float(ref):.10g}"
        return shown + (f": it {story}" if story else "")
    if point is not None and np.shape(point) == ref.shape and "grad" in part:
        finding = diagnose(value, ref, point, GRADIENT_TOLERANCE, _label(part, ref.shape), inputs)
        if finding is not None:
            return f"{part}: {finding.text}"
    worst = float(np.max(np.abs(value - ref) / np.maximum(np.abs(ref), 1e-12)))
    return f"{part} differs from the reference (largest relative error {worst:.2g})"


def _status_text(status: str, seconds: float | None) -> str:
    if status == "timeout":
        return "did not finish in time (an infinite loop?): this function scores 0, the others are unaffected"
    if status.startswith("signal "):
        number = int(status.split()[1])
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"crashed its process ({name}): this function scores 0, the others are unaffected"
    if status.startswith("exit ") or status == "ok":
        return f"its process ended ({status}) before it returned a result"
    return status


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -np.asarray(z, dtype=np.float64))


def _context(name: str, args: list) -> tuple[dict, dict]:
    """({output: (the point it is the gradient at, named inputs)}, {what a loss may be averaged over: value})."""
    if name == "warmup_grad":
        return {"dJ/dX": (args[0], [])}, {}
    if name.startswith(("naive_softmax", "neg_sampling")):
        v_c, o, outside = args[:3]
        averaged = {}
        if name.startswith("neg_sampling"):
            neg = np.asarray(args[3], dtype=int)
            averaged["the K negatives"] = float(-_log_sigmoid(outside[int(o)] @ v_c)
                                                - _log_sigmoid(-(outside[neg] @ v_c)).mean())
        return {"grad_center_vec": (v_c, [("u", outside)]), "grad_outside_vecs": (outside, [("v_c", v_c)])}, averaged
    if name in ("skipgram", "cbow"):
        return {"grad_center_vectors": (args[2], []), "grad_outside_vectors": (args[3], [])}, {}
    return {}, {}


def _table_story(case: dict, name: str, calls: list) -> str | None:
    """What the calls of skipgram/cbow to the loss function got wrong, from the table's call log."""
    arg = next(a for a in case["args"] if isinstance(a, dict) and "loss_table" in a)["loss_table"]
    entries = arg["entries"]
    expected_center = from_wire(entries[0]["center"])
    unmatched = [c for c in calls if isinstance(c, dict) and not c.get("matched")]
    window = len(np.atleast_1d(from_wire(case["args"][1])))
    if unmatched:
        try:
            center = parse(unmatched[0].get("center"))
            index = parse(unmatched[0].get("outside_idx"))
        except Malformed:
            return None
        if name == "cbow" and center[0] == "array" and center[1].shape == expected_center.shape \
                and np.allclose(center[1] * window, expected_center, rtol=1e-9):
            return f"it passed the average of the {window} context vectors, where cbow's v̂ is their sum"
        if center[0] == "array" and center[1].shape == expected_center.shape \
                and not np.allclose(center[1], expected_center, rtol=1e-9):
            return ("it called loss_and_gradient with a center vector that is not " +
                    ("the sum of the context's rows" if name == "cbow" else "row center_idx of center_vectors"))
        if index[0] == "array" and index[1].ndim == 0:
            return (f"it called loss_and_gradient with outside_idx {int(index[1])} where the " +
                    ("center word belongs" if name == "cbow" else "window's words belong, one call per word, in order"))
        return "it called loss_and_gradient with arguments a right answer does not pass"
    wanted = 1 if name == "cbow" else window
    if len(calls) != wanted and (arg["ordered"] or len(calls) < wanted):
        return f"it called loss_and_gradient {len(calls)} times; this window needs {wanted} call(s)"
    return None


def _sgd_story(args: list, returned) -> str | None:
    params, grad, step = args
    if returned[0] != "array" or returned[1].shape != np.shape(params):
        return None
    if np.allclose(returned[1], params + step * grad, rtol=RTOL, atol=ATOL) and step and np.any(grad):
        return "it climbs: it returned θ + step·∇J, so the loss would rise; a step goes against the gradient"
    if np.allclose(returned[1], params, rtol=RTOL, atol=ATOL) and step and np.any(grad):
        return "it left the parameters unchanged, so the loss would stay flat"
    return None


def _case_problem(graded: GradedFunction, index: int, record: dict) -> str | None:
    """None when the case's outputs all match; else one sentence on what differs."""
    case, ref = graded.cases[index], from_wire(graded.references[index])
    args = [from_wire(a) if not (isinstance(a, dict) and "loss_table" in a) else None for a in case["args"]]
    if "error" in record:
        error = record["error"] if isinstance(record["error"], dict) else {}
        kind, message = str(error.get("type", "an error"))[:80], str(error.get("message", ""))[:300]
        if kind == "NotImplementedError" and "not implemented yet" in message:
            return "not written yet (it still raises the release's NotImplementedError)"
        story = _table_story(case, graded.name, record.get("calls") or []) if graded.name in ("skipgram", "cbow") \
            else None
        shown = "" if case["hidden"] else f": {message}"
        return f"raised {kind}{shown}" + (f"; {story}" if story else "")
    value = parse(record.get("value"))
    if graded.name == "sgd_step" and value[0] == "none" and "0" in (record.get("after") or {}):
        value = parse(record["after"]["0"])  # updated in place and returned nothing: as good
    outputs = graded.outputs
    parts = [(outputs[0], value)] if len(outputs) == 1 else None
    if parts is None:
        if value[0] != "tuple" or len(value[1]) != len(outputs):
            return f"returned {_describe(value)}; expected the {len(outputs)} values ({', '.join(outputs)})"
        parts = list(zip(outputs, value[1]))
    refs = [ref] if len(outputs) == 1 else list(ref)
    points, averaged = _context(graded.name, args)
    scaled = _averaged_everything(parts, refs)
    if scaled:
        return (f"the loss and every gradient are 1/{scaled} of the right values: an average over the {scaled} "
                "terms where the loss is their sum")
    problems = []
    for (part, got), expected in zip(parts, refs):
        point, inputs = points.get(part, (None, []))
        problem = _compare(part, got, np.asarray(expected, dtype=np.float64), point, inputs, averaged, case["hidden"])
        if problem:
            problems.append(problem)
    if problems and graded.name == "sgd_step":
        problems = [_sgd_story(args, value) or problems[0]]
    if problems and graded.name in ("skipgram", "cbow"):
        story = _table_story(case, graded.name, record.get("calls") or [])
        if story:
            problems.append(story)
    return "; ".join(problems) or None


def _averaged_everything(parts: list, refs: list) -> int:
    """n when every returned value is the reference divided by one whole n in 2..50 (an average), else 0."""
    arrays = [(got[1], np.asarray(ref, dtype=np.float64)) for (_, got), ref in zip(parts, refs)
              if got[0] == "array" and got[1].shape == np.shape(ref)]
    if len(arrays) != len(parts) or len(parts) < 2 or arrays[0][1].ndim or not arrays[0][1]:
        return 0
    n = round(float(arrays[0][1]) / float(arrays[0][0])) if arrays[0][0] else 0
    ok = 2 <= n <= 50 and all(np.allclose(value * n, ref, rtol=1e-9, atol=1e-12) for value, ref in arrays)
    return n if ok else 0


def _case_name(graded: GradedFunction, index: int) -> str:
    case = graded.cases[index]
    hidden = sum(1 for c in graded.cases[:index + 1] if c["hidden"])
    return f"hidden input {hidden}" if case["hidden"] else (case["note"] or f"input {index + 1}")


def _advice(graded: GradedFunction, index: int, record: dict) -> str | None:
    """For an unscored case (the sigmoid at ±1000): what it did, as advice."""
    case = graded.cases[index]
    if "error" in record:
        return f"at {case['note']} it raised {record['error'].get('type', 'an error')}"
    warned = [w for w in record.get("warnings") or [] if "overflow" in str(w)]
    try:
        value = parse(record.get("value"))
        right = value[0] == "array" and value[1].shape == np.shape(from_wire(graded.references[index])) and \
            np.allclose(value[1], from_wire(graded.references[index]), rtol=1e-9, atol=1e-300)
    except Malformed:
        right = False
    if not right:
        return (f"at {case['note']} the values are wrong (e.g. NaN): for each sign of x, use the form of σ whose "
                "exponent is never positive (costs no points here)")
    if warned:
        return (f"at {case['note']} the values are right, with an overflow warning ({str(warned[0])[:80]}): a "
                "stable form avoids it (costs no points)")
    return None


def score_function(graded: GradedFunction, run: FunctionRun, seconds: float | None = None) -> FunctionGrade:
    result = FunctionGrade(graded.name, graded.notebook, graded.points)
    if run.define_error:
        error = run.define_error if isinstance(run.define_error, dict) else {}
        message = f"{str(error.get('type', 'an error'))[:80]}: {str(error.get('message', ''))[:300]}"
        hint = " (an exercise cell must define what it uses; imports come from the notebook's first cell)" \
            if error.get("type") == "NameError" else ""
        result.lines.append(f"its cell could not be run: {message}{hint}")
        return result
    failures = []
    if not run.cases and run.status != "ok":  # nothing came back: one line says why
        failures.append(f"no result: {_status_text(run.status, seconds)}")
    for index, case in enumerate(graded.cases):
        record = run.cases.get(index)
        if record is None:
            if case["scored"] and run.cases:
                failures.append(f"{_case_name(graded, index)}: no result: {_status_text(run.status, seconds)}")
            continue
        try:
            if not case["scored"]:
                advice = _advice(graded, index, record)
                if advice:
                    result.advice.append(advice)
                continue
            problem = _case_problem(graded, index, record)
        except (Malformed, TypeError, ValueError, KeyError, AttributeError) as exc:
            problem = f"its report could not be read ({str(exc)[:80]})"
        if problem:
            failures.append(f"{_case_name(graded, index)}: {problem}")
    if not failures:
        result.score = graded.points
    result.lines.extend(dict.fromkeys(failures))  # in order, without repeats
    return result
