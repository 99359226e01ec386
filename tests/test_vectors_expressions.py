"""The word-arithmetic parser: precedence, quoting, evaluation and its error messages."""
import re

import numpy as np
import pytest

from w2v_lib.vectors.expressions import (
    MAX_DEPTH,
    MAX_TOKENS,
    BinOp,
    ExpressionError,
    Negate,
    Number,
    Word,
    evaluate,
    parse,
    sign_notes,
    to_text,
    tokenize,
    words_in,
)

VECS = {"king": np.array([1.0, 0.0]), "man": np.array([0.0, 1.0]), "woman": np.array([2.0, 3.0]),
        "good": np.array([4.0, 4.0]), "great": np.array([2.0, 0.0]), "-lrb-": np.array([7.0, 7.0]),
        "<script>": np.array([5.0, 6.0]), "'s": np.array([1.0, 1.0]), "42": np.array([9.0, 9.0])}


def value(text):
    vec, _ = evaluate(parse(text), VECS.__getitem__)
    return vec


def test_left_associative_sum():
    assert parse("king - man + woman") == BinOp("+", BinOp("-", Word("king"), Word("man")), Word("woman"))
    assert np.allclose(value("king - man + woman"), [3.0, 2.0])


def test_precedence_parentheses_and_unary_minus():
    assert to_text(parse("0.5*(good + great)")) == "(0.5 * (good + great))"
    assert np.allclose(value("0.5*(good + great)"), [3.0, 2.0])
    assert np.allclose(value("(good + great)/2"), [3.0, 2.0])
    assert np.allclose(value("-king + 2*man"), [-1.0, 2.0])
    assert parse("--king") == Negate(Negate(Word("king")))
    assert np.allclose(value("good - 2 * great / 4"), [3.0, 4.0])
    assert parse("1e-1 * king") == BinOp("*", Number(0.1), Word("king"))


def test_words_with_symbols_stay_words_or_go_in_quotes():
    assert [t.value for t in tokenize("<script> + 's")][:3] == ["<script>", "+", "'s"]
    assert np.allclose(value("<script> - 's"), [4.0, 5.0])
    assert parse('"-lrb-" - king') == BinOp("-", Word("-lrb-"), Word("king"))
    assert parse('"42"') == Word("42") and parse("42") == Number(42.0)
    assert parse(r'"say \"hi\""') == Word('say "hi"')
    assert to_text(parse('"-lrb-" + "42"')) == '("-lrb-" + "42")'


def test_words_in_lists_each_word_once():
    assert words_in(parse("king - man + woman - man")) == ["king", "man", "woman"]
    _, used = evaluate(parse("2*good"), VECS.__getitem__)
    assert used == ["good"]


@pytest.mark.parametrize("text, problem, pos", [
    ("king - ", "found the end", 7),
    ("king man", "unexpected 'man'", 5),
    ("(king + man", "expected ')'", 11),
    ("king + )", "found ')'", 7),
    ('"king', "unclosed quote", 0),
    ('"" + king', "empty quoted word", 0),
    ("   ", "empty expression", 0),
    ("king * / man", "found '/'", 7),
])
def test_syntax_errors_point_at_the_place(text, problem, pos):
    with pytest.raises(ExpressionError, match=re.escape(problem)) as info:
        parse(text)
    assert info.value.pos == pos
    caret_line = str(info.value).splitlines()[-1]
    assert caret_line.index("^") - 2 == pos  # the caret sits under the offending character


@pytest.mark.parametrize("text, problem", [
    ("king * man", "cannot multiply two word vectors"),
    ("king + 1", "cannot add a number and a word"),
    ("2 - king", "cannot subtract a number and a word"),
    ("king / man", "cannot divide by a word"),
    ("king / 0", "division by zero"),
    ("3 * 4", "plain number"),
])
def test_type_errors_say_what_to_do(text, problem):
    with pytest.raises(ValueError, match=problem):
        value(text)


def test_unknown_word_error_comes_from_the_lookup():
    with pytest.raises(KeyError):
        value("king - nosuchword")


def test_never_evaluates_python():
    with pytest.raises(ValueError):
        value("__import__('os')")  # a word lookup, not code: unknown word
    assert parse("__import__") == Word("__import__")
    with pytest.raises(ValueError):
        parse(None)


# --- limits and signs (issue 9, part 4) ---------------------------------------------------------
@pytest.mark.parametrize("text, problem", [
    ("(" * 400 + "king" + ")" * 400, "too long|nests too deeply"),
    ("(" * 100 + "king" + ")" * 100, f"nests too deeply: at most {MAX_DEPTH}"),
    ("-" * 100 + "king", f"nests too deeply: at most {MAX_DEPTH}"),
    (" + ".join(["king"] * 10_000), f"too long: at most {MAX_TOKENS}"),
])
def test_deep_or_long_expressions_get_a_message_not_a_recursion_error(text, problem):
    with pytest.raises(ExpressionError, match=problem) as info:
        parse(text)
    assert len(str(info.value)) < 300  # a long expression is quoted around the place, not whole


def test_the_limits_leave_room_for_real_expressions():
    assert np.allclose(value("(" * MAX_DEPTH + "king" + ")" * MAX_DEPTH), [1.0, 0.0])
    assert np.allclose(value(" + ".join(["king"] * (MAX_TOKENS // 2))), [MAX_TOKENS // 2, 0.0])


@pytest.mark.parametrize("text, problem", [
    ("1e309 * king", "too large for a float"),
    ("1e30 * 1e30 * king", "too large to hold in float32"),
    ("king / 1e-300 / 1e-300", "too large to hold in float32"),
])
def test_non_finite_results_are_refused(text, problem):
    with pytest.raises(ValueError, match=problem):
        value(text)


def test_the_minus_sign_is_read_as_minus():
    assert parse("king \u2212 man + woman") == parse("king - man + woman")
    assert np.allclose(value("king\u2212man"), [1.0, -1.0])
    assert parse('"a\u2212b"') == Word("a\u2212b")  # inside quotes it is part of a word


def test_two_signs_in_a_row_are_read_as_written_and_noted():
    assert np.allclose(value("king - - man"), value("king + man"))
    notes = sign_notes("king - - man")
    assert len(notes) == 1 and "reads as '+'" in notes[0] and "position 6" in notes[0]
    assert "reads as '-'" in sign_notes("king + \u2212 man")[0]
    assert sign_notes("king - man") == [] and sign_notes("2 * -man + king") == []


def test_read_expression_tokenises_once_and_agrees_with_the_parts(monkeypatch):
    from w2v_lib.vectors import expressions

    text = 'king - - man + "a b" * 2'
    expected = (parse(text), words_in(parse(text)), sign_notes(text))
    counted = []
    tokenize = expressions.tokenize
    monkeypatch.setattr(expressions, "tokenize", lambda t: counted.append(t) or tokenize(t))
    read = expressions.read_expression(text)
    assert counted == [text]
    assert (read.tree, read.words, read.notes) == expected and read.text == text


@pytest.mark.parametrize("text, expression", [("good", False), ("n't", False), ("a-b", True), ('"x"', True),
                                               ("king \u2212 man", True), ("(good)", True), ("2/3", True)])
def test_is_expression_is_what_ends_a_bare_word(text, expression):
    from w2v_lib.vectors.expressions import is_expression, tokenize

    assert is_expression(text) is expression
    tokens = tokenize(text)
    one_bare_word = len(tokens) == 2 and tokens[0].kind == "word" and tokens[0].value == text
    assert one_bare_word is not expression
