"""What is graded: each function's notebook, points, inputs and reference outputs, as plain data.

    spec = build_spec(Path("notebooks"))     # the instructor's notebooks
    spec.functions["sigmoid"].points         # 3, from the check cell's nbgrader metadata

Points come from the check cells' metadata (`check_<function>`, `points`); the written answers'
points are kept per notebook as "manual" points. The references are the instructor's own
exercise cells (read with `answers_in`, in this process, never in a sandbox) called on the
inputs of cases.py. The spec is JSON-able (`to_json` / `from_json`), so a Gradescope
autograder ships the references without the solutions that made them.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..answers import answers_in
from ..cells import grade_id, is_check, is_exercise, is_graded, is_written_answer, read_notebook
from . import cases as case_inputs
from .evaluate import from_wire, to_wire


class SpecError(ValueError):
    """The instructor notebooks do not say what to grade (no check cell, no inputs for a function)."""


@dataclass
class GradedFunction:
    name: str
    notebook: str  # the file name of the notebook whose check cell grades it
    points: float
    outputs: tuple  # names of what it returns
    cases: list = field(default_factory=list)  # [{"args": [...wire], "hidden", "scored", "note", "report_args"}]
    references: list = field(default_factory=list)  # per case: the reference value (wire)


@dataclass
class Spec:
    functions: dict  # {name: GradedFunction}, in notebook order
    notebooks: list  # file names of every notebook with graded cells
    manual_points: dict  # {notebook file name: points of its written answers}

    def to_json(self) -> str:
        return json.dumps({"functions": [asdict(f) for f in self.functions.values()], "notebooks": self.notebooks,
                           "manual_points": self.manual_points})

    @classmethod
    def from_json(cls, text: str) -> Spec:
        data = json.loads(text)
        functions = {f["name"]: GradedFunction(**{**f, "outputs": tuple(f["outputs"])}) for f in data["functions"]}
        return cls(functions, data["notebooks"], data["manual_points"])

    def function_points(self, notebook: str) -> float:
        return sum(f.points for f in self.functions.values() if f.notebook == notebook)


def _skipgram_table(kind_spec: case_inputs.LossTable, args: tuple, losses: dict) -> dict:
    """The loss table of one skipgram case: the reference F at the calls a right answer makes."""
    center_idx, words, center_vectors, outside_vectors = args[:4]
    center = center_vectors[center_idx]  # (d,)
    if kind_spec.kind == "softmax":  # any order; a repeated word may be looked up again
        calls = [(o, None) for o in sorted(set(map(int, words)))]
    else:  # one call per outside word, in order, each with its own negatives
        calls = [(int(o), np.array(neg)) for o, neg in zip(words, kind_spec.negatives)]
    return _loss_table(losses, calls, center, outside_vectors, ordered=kind_spec.kind != "softmax")


def _cbow_table(kind_spec: case_inputs.LossTable, args: tuple, losses: dict) -> dict:
    """cbow's one call: F(v_hat, center_idx, outside_vectors) with v_hat the sum of the context's rows."""
    center_idx, context, center_vectors, outside_vectors = args[:4]
    v_hat = center_vectors[np.asarray(context)].sum(axis=0)  # (d,)
    neg = np.array(kind_spec.negatives[0]) if kind_spec.kind != "softmax" else None
    return _loss_table(losses, [(int(center_idx), neg)], v_hat, outside_vectors, ordered=neg is not None)


def _loss_table(losses: dict, calls: list, center, outside_vectors, ordered: bool) -> dict:
    entries = []
    for index, neg in calls:
        if neg is None:
            result = losses["naive_softmax_loss_and_gradient"](center.copy(), index, outside_vectors.copy())
        else:
            result = losses["neg_sampling_loss_and_gradient"](center.copy(), index, outside_vectors.copy(), neg)
        entries.append({"outside_idx": index, "center": to_wire(center), "result": to_wire(tuple(result))["tuple"]})
    return {"loss_table": {"entries": entries, "outside": to_wire(outside_vectors), "ordered": ordered}}


def _reference_call(answers: dict, name: str, args: tuple, losses: dict):
    """The instructor's function on `args`, with real loss functions where the student gets a table."""
    real = []
    for a in args:
        if isinstance(a, case_inputs.LossTable):
            if a.kind == "softmax":
                real.append(losses["naive_softmax_loss_and_gradient"])
            else:
                rows = iter(a.negatives)
                real.append(lambda v, o, u, rows=rows: losses["neg_sampling_loss_and_gradient"](v, o, u,
                                                                                                 np.array(next(rows))))
        else:
            real.append(np.array(a, copy=True) if isinstance(a, np.ndarray) else a)
    return answers[name](*real)


def graded_notebooks(notebooks_dir: Path) -> list[Path]:
    """The instructor notebooks that hold at least one graded cell."""
    return [p for p in sorted(Path(notebooks_dir).glob("*.ipynb"))
            if any(is_graded(c) for c in read_notebook(p)["cells"])]


def build_spec(notebooks_dir: Path, inputs=None) -> Spec:
    """The spec of the instructor notebooks in `notebooks_dir`; `inputs`: {name: (make cases, output names)}
    (default: cases.py's CASES and OUTPUTS)."""
    inputs = inputs or {name: (make, case_inputs.OUTPUTS[name]) for name, make in case_inputs.CASES.items()}
    paths = graded_notebooks(notebooks_dir)
    if not paths:
        raise SpecError(f"no notebook in {notebooks_dir} has a graded cell (nbgrader metadata grade=true)")
    answers, points, where, manual = {}, {}, {}, {}
    for path in paths:
        cells = read_notebook(path)["cells"]
        manual[path.name] = sum(float(c["metadata"]["nbgrader"].get("points", 0))
                                for c in cells if is_written_answer(c))
        exercises = {grade_id(c) for c in cells if is_exercise(c)}
        for cell in cells:
            name = (grade_id(cell) or "").removeprefix("check_")
            if is_check(cell) and name in exercises:
                points[name] = float(cell["metadata"]["nbgrader"].get("points", 0))
                where[name] = path.name
        if exercises & set(where):
            answers.update(answers_in(path))
    missing = sorted(set(where) - set(inputs))
    if missing:
        raise SpecError(f"no grading inputs for {missing}: add them to w2v_lib/course/grader/cases.py")
    functions = {}
    for name in where:
        make_cases, outputs = inputs[name]
        graded = GradedFunction(name, where[name], points[name], tuple(outputs))
        for case in make_cases():
            table = _skipgram_table if name == "skipgram" else _cbow_table
            args = [table(a, case.args, answers) if isinstance(a, case_inputs.LossTable) else to_wire(a)
                    for a in case.args]
            graded.cases.append({"args": args, "hidden": case.hidden, "scored": case.scored, "note": case.note,
                                 "report_args": list(case.report_args)})
            graded.references.append(to_wire(_reference_call(answers, name, case.args, answers)))
        functions[name] = graded
    return Spec(functions, [p.name for p in paths], manual)


def reference(spec_function: GradedFunction, index: int):
    return from_wire(spec_function.references[index])
