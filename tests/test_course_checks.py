"""w2v_lib.course.checks: every failure names what was expected; a zero loss never passes."""
import numpy as np
import pytest
from support.messages import says

from w2v_lib.course import check_returns, check_shape, check_value, floating_point_advice, quietly, sigmoid_advice


def test_matching_value_passes_and_says_so(capsys):
    # None, not True: nbgrader would read a True as the last value of a check cell as partial credit.
    assert check_value("J", 2.0794415416798357 * (1 + 1e-13), 2.0794415416798357) is None
    assert "J: matches the stored reference value" in capsys.readouterr().out


@pytest.mark.parametrize("got, expected, message", [
    (0.0, 2.0794415416798357, r"J = 0, expected 2\.079441542 \(a relative error of 1"),
    (None, 1.0, "does your function end with a `return`"),
    ((1.0, 2.0), 1.0, "one number; got a tuple of 2 items"),
    (np.zeros((4, 3)), np.zeros((3, 4)).tolist(), r"shape \(4, 3\); expected shape \(3, 4\)"),
    (float("nan"), 1.0, "NaN or infinite"),
    ("two", 2.0, "a number or an array of numbers; got str"),
    ([1.0, 2.5], [1.0, 2.0], r"J = \[1\.  2\.5\], expected \[1\. 2\.\]"),
])
def test_each_failure_has_its_own_message(got, expected, message):
    with pytest.raises(AssertionError, match=message):
        check_value("J", got, expected)


def test_zero_loss_and_zero_gradient_cannot_pass():
    with pytest.raises(AssertionError):
        check_value("J", 0.0, 2.0794415416798357)
    with pytest.raises(AssertionError):
        check_value("grad", np.zeros(3), [0.1, -0.2, 0.3])


def test_rtol_is_honoured():
    check_value("J", 1.0 + 1e-7, 1.0, rtol=1e-6)
    with pytest.raises(AssertionError, match="allowed 1e-08"):
        check_value("J", 1.0 + 1e-7, 1.0, rtol=1e-8)


def test_check_returns_names_the_expected_tuple():
    assert check_returns((1, 2, 3), ("a", "b", "c"), "f") == (1, 2, 3)
    with pytest.raises(AssertionError, match=says('f', '(loss, grad)', 'float', '1.0')):
        check_returns(1.0, ("loss", "grad"), "f")
    with pytest.raises(AssertionError, match=says('f', '2 values', '3')):
        check_returns((1, 2, 3), ("loss", "grad"), "f")


def test_check_shape_spots_the_transpose():
    assert check_shape("g", np.zeros((7, 4)), (7, 4)) is None
    with pytest.raises(AssertionError, match=says('g', '(4, 7)', '(7, 4)', 'transpose')):
        check_shape("g", np.zeros((4, 7)), (7, 4))


def textbook_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_quietly_silences_a_students_warnings_and_keeps_the_value(recwarn):
    with quietly():
        value = textbook_sigmoid(np.array([-1000.0, 1000.0]))
    assert not recwarn.list, "no RuntimeWarning escapes"
    np.testing.assert_array_equal(value, [0.0, 1.0])
    assert np.geterr()["over"] == "warn", "numpy's settings are restored afterwards"


def test_floating_point_advice_names_the_overflow_and_never_raises(recwarn):
    advice = floating_point_advice("sigmoid", textbook_sigmoid, -1000.0)
    assert advice.startswith("advice (not graded)") and "overflow" in advice
    assert floating_point_advice("sigmoid", textbook_sigmoid, 1000.0) is None, "e^-1000 underflows, silently"

    def crashes(x):
        raise KeyError("oops")

    assert "KeyError" in floating_point_advice("sigmoid", crashes, 0.0)
    assert not recwarn.list


def test_sigmoid_advice_for_the_textbook_formula_and_for_a_stable_one():
    textbook = sigmoid_advice(textbook_sigmoid)
    assert "overflow" in textbook[0] and textbook[1].startswith("advice (not graded): sigmoid(-720) returns 0.0")

    def stable(x):
        x = np.asarray(x, dtype=float)
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    assert not any(line.startswith("advice") for line in sigmoid_advice(stable))
    assert "raised ValueError" in sigmoid_advice(lambda x: (_ for _ in ()).throw(ValueError("no")))[-1]


def test_absolute_tolerance_is_named():
    check_value("s", [1e-300, 1.0], [0.0, 1.0], rtol=0, atol=1e-12)
    with pytest.raises(AssertionError, match="plus an absolute 1e-12"):
        check_value("s", [float("1e-3"), 1.0], [0.0, 1.0], rtol=0, atol=1e-12)
