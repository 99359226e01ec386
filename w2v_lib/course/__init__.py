"""The course edition: student release, grading, a student's answers, and the check helpers.

    from w2v_lib.course import load_answers, check_value

`release` (the student release) and `grading` (nbgrader) need the optional extra `[grade]`
and are imported only by `python -m w2v_lib.course`; what the notebooks use is light.
"""
from .answers import AnswerError, load_answers
from .checks import check_returns, check_shape, check_value, floating_point_advice, quietly, sigmoid_advice

__all__ = ["AnswerError", "load_answers", "check_returns", "check_shape", "check_value", "floating_point_advice",
           "quietly", "sigmoid_advice"]
