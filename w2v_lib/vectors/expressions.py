"""Word arithmetic: a tokenizer and recursive-descent parser, never eval.

Grammar (usual precedence, left-associative):

    expr   := term (("+" | "-") term)*
    term   := factor (("*" | "/") factor)*
    factor := ("+" | "-") factor | NUMBER | WORD | "(" expr ")"

A WORD is any run of characters other than white space, + - * / ( ) and double quotes, so
`'s`, `n't` and `<script>` are words as typed. Words that hold those symbols, or that look
like numbers, go in double quotes: "-lrb-", "1/2", "42"; inside quotes \\" and \\\\ escape.
Values are vectors (words) or scalars (numbers): vector ± vector, scalar · vector, vector / scalar.
The minus sign U+2212 (−), which the explorer's own labels display, is read as "-". Two signs in
a row (`king - - man`) are read as written, minus a negation, and `sign_notes` says so, so the
explorer can show that `king - - man` means king + man. An expression may hold at most
MAX_TOKENS tokens and nest at most MAX_DEPTH parentheses or signs deep; beyond that the
parser stops with a message, not a RecursionError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

OPERATORS = "+-*/()"
MINUS_SIGN = "\u2212"  # −, read as "-"
SYMBOLS = frozenset(OPERATORS + MINUS_SIGN + '"')  # what ends a bare word; text holding one is an expression
MAX_TOKENS = 400  # a sum of 200 words; evaluation recurses once per operator
MAX_DEPTH = 40  # nested parentheses and signs
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class ExpressionError(ValueError):
    """A malformed expression; the message quotes it and points at the place with a caret."""

    def __init__(self, text: str, pos: int, problem: str):
        self.text, self.pos, self.problem = text, pos, problem
        start = max(0, pos - 40) if len(text) > 80 else 0  # a long expression is quoted around the place
        shown = ("…" if start else "") + text[start:start + 80] + ("…" if start + 80 < len(text) else "")
        caret = pos - start + (1 if start else 0)
        super().__init__(f"{problem} at position {pos + 1}:\n  {shown}\n  {' ' * caret}^")


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "number", "op" or "end"
    value: str
    pos: int


@dataclass(frozen=True)
class Word:
    word: str


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Negate:
    operand: object


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object


def tokenize(text: str) -> list:
    """Split an expression into tokens, ending with an "end" token."""
    if not isinstance(text, str):
        raise ValueError(f"an expression must be a string; got {text!r}")
    tokens, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in OPERATORS or ch == MINUS_SIGN:
            tokens.append(Token("op", "-" if ch == MINUS_SIGN else ch, i))
            i += 1
        elif ch == '"':
            start, i, chars = i, i + 1, []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\':
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= n:
                raise ExpressionError(text, start, "unclosed quote")
            if not chars:
                raise ExpressionError(text, start, "empty quoted word")
            tokens.append(Token("word", "".join(chars), start))
            i += 1
        else:
            start = i
            number = _NUMBER.match(text, i)  # first, so that 1e-3 keeps its '-'
            if number and (number.end() == n or _ends_token(text[number.end()])):
                i = number.end()
                tokens.append(Token("number", text[start:i], start))
                continue
            while i < n and not _ends_token(text[i]):
                i += 1
            tokens.append(Token("word", text[start:i], start))
        if len(tokens) > MAX_TOKENS:
            raise ExpressionError(text, tokens[-1].pos, f"the expression is too long: at most {MAX_TOKENS} "
                                  "words, numbers and operators")
    tokens.append(Token("end", "", n))
    return tokens


def _ends_token(ch: str) -> bool:
    return ch.isspace() or ch in SYMBOLS


def is_expression(text: str) -> bool:
    """Whether `text` reads as word arithmetic rather than one word: it holds an operator, a minus
    sign or a double quote (a bare word can hold none of them)."""
    return not SYMBOLS.isdisjoint(text)


class _Parser:
    def __init__(self, text: str, tokens: list):
        self.text, self.tokens, self.i, self.depth = text, tokens, 0, 0

    def deeper(self, tok: Token):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(self.text, tok.pos, f"the expression nests too deeply: at most {MAX_DEPTH} "
                                  "parentheses or signs inside one another")

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expr(self):
        node = self.term()
        while self.peek().value in ("+", "-") and self.peek().kind == "op":
            op = self.take().value
            node = BinOp(op, node, self.term())
        return node

    def term(self):
        node = self.factor()
        while self.peek().value in ("*", "/") and self.peek().kind == "op":
            op = self.take().value
            node = BinOp(op, node, self.factor())
        return node

    def factor(self):
        tok = self.take()
        if tok.kind == "word":
            return Word(tok.value)
        if tok.kind == "number":
            value = float(tok.value)
            if not np.isfinite(value):
                raise ExpressionError(self.text, tok.pos, f"the number {tok.value} is too large for a float")
            return Number(value)
        if tok.kind == "op" and tok.value in "+-(":
            self.deeper(tok)
            if tok.value == "(":
                node = self.expr()
                close = self.take()
                if close.value != ")" or close.kind != "op":
                    raise ExpressionError(self.text, close.pos, "expected ')'")
            else:
                operand = self.factor()
                node = operand if tok.value == "+" else Negate(operand)
            self.depth -= 1
            return node
        found = "the end" if tok.kind == "end" else repr(tok.value)
        raise ExpressionError(self.text, tok.pos, f"expected a word, a number or '(' but found {found}")


@dataclass(frozen=True)
class Expression:
    """An expression read once: its text, its tree, the words it names and the notes on its signs."""
    text: str
    tree: object
    words: list  # in order of first appearance
    notes: list  # see sign_notes


def read_expression(text: str) -> Expression:
    """Tokenise and parse `text` once; raises ExpressionError (with a caret) when it is malformed."""
    tokens = _checked_tokens(text)
    tree = _parse_tokens(text, tokens)
    return Expression(text, tree, words_in(tree), _sign_notes(tokens))


def parse(text: str):
    """Parse an expression into a tree of Word, Number, Negate and BinOp nodes."""
    return _parse_tokens(text, _checked_tokens(text))


def _checked_tokens(text) -> list:
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(text if isinstance(text, str) else "", 0,
                              "empty expression: type a word or e.g. king - man + woman")
    return tokenize(text)


def _parse_tokens(text: str, tokens: list):
    parser = _Parser(text, tokens)
    tree = parser.expr()
    extra = parser.peek()
    if extra.kind != "end":
        raise ExpressionError(text, extra.pos, f"unexpected {extra.value!r} (an operator missing?)")
    return tree


def sign_notes(text: str) -> list:
    """Notes on signs that follow another sign, e.g. `king - - man`, which reads as king + man."""
    return _sign_notes(tokenize(text))


def _sign_notes(tokens: list) -> list:
    notes = []
    for prev, tok in zip(tokens, tokens[1:]):
        if prev.kind == tok.kind == "op" and prev.value in "+-" and tok.value in "+-":
            reading = "+" if (prev.value == "-") == (tok.value == "-") else "-"
            notes.append(f"'{prev.value} {tok.value}' at position {prev.pos + 1} reads as '{reading}' "
                         "(the second sign applies to what follows it)")
    return notes


def words_in(tree) -> list:
    """The words an expression names, in order of first appearance."""
    if isinstance(tree, Word):
        return [tree.word]
    if isinstance(tree, Negate):
        return words_in(tree.operand)
    if isinstance(tree, BinOp):
        return list(dict.fromkeys(words_in(tree.left) + words_in(tree.right)))
    return []


def evaluate(tree, lookup):
    """Evaluate a parsed expression with `lookup(word) -> (D,) vector`: returns (vector, words used).

    Raises ValueError when the result is a number only or an operation mixes kinds wrongly.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, in words
        value = _eval(tree, lookup)
        if np.ndim(value) == 0:
            raise ValueError("the expression is a plain number; it needs at least one word")
        value = np.asarray(value, dtype=np.float32)
    if not np.isfinite(value).all():
        raise ValueError("the result is too large to hold in float32 (infinite or NaN): use smaller numbers")
    return value, words_in(tree)


def _eval(node, lookup):
    if isinstance(node, Word):
        return np.asarray(lookup(node.word), dtype=np.float64)
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Negate):
        return -_eval(node.operand, lookup)
    left, right = _eval(node.left, lookup), _eval(node.right, lookup)
    lvec, rvec = np.ndim(left) > 0, np.ndim(right) > 0
    if node.op in "+-":
        if lvec != rvec:
            raise ValueError(f"cannot {'add' if node.op == '+' else 'subtract'} a number and a word vector; "
                             "scale a word instead, e.g. 0.5*good")
        return left + right if node.op == "+" else left - right
    if node.op == "*":
        if lvec and rvec:
            raise ValueError("cannot multiply two word vectors; multiply a word by a number, e.g. 2*good")
        return left * right
    if rvec:
        raise ValueError("cannot divide by a word vector; divide by a number, e.g. (good + great)/2")
    if right == 0:
        raise ValueError("division by zero in the expression")
    return left / right


def to_text(tree) -> str:
    """A fully parenthesised rendering of a parsed expression (shows the precedence)."""
    if isinstance(tree, Word):
        return tree.word if _bare_ok(tree.word) else '"' + tree.word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(tree, Number):
        return f"{tree.value:g}"
    if isinstance(tree, Negate):
        return f"-{to_text(tree.operand)}"
    return f"({to_text(tree.left)} {tree.op} {to_text(tree.right)})"


def _bare_ok(word: str) -> bool:
    return not _NUMBER.fullmatch(word) and not any(_ends_token(c) for c in word)
