// Word arithmetic for the offline page: a port of w2v_lib/vectors/expressions.py (the same
// grammar, the same messages, positions counted in code points as Python counts them).
//
//   expr   := term (("+" | "-") term)*
//   term   := factor (("*" | "/") factor)*
//   factor := ("+" | "-") factor | NUMBER | WORD | "(" expr ")"
//
// `spaces` (what Python's str.isspace accepts) and `digitZeros` (the first code point of each
// run of Unicode decimal digits, what Python's \d and float() accept) come from Python with the
// page's data, so the two tokenizers agree character for character.
/* exported W2VExpressions */
var W2VExpressions = function (spaces, digitZeros) {
  "use strict";
  var OPERATORS = "+-*/()", MINUS_SIGN = "\u2212", MAX_TOKENS = 400, MAX_DEPTH = 40;
  var SPACE = new Set(Array.from(spaces));
  var DIGIT = /^\p{Nd}$/u;
  var NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

  function isDigit(ch) { return DIGIT.test(ch); }
  function isSymbol(ch) { return OPERATORS.indexOf(ch) >= 0 || ch === '"' || ch === MINUS_SIGN; }
  function endsToken(ch) { return SPACE.has(ch) || isSymbol(ch); }
  // word arithmetic rather than one word: a bare word can hold no operator, minus sign or quote
  function isExpression(text) { return Array.from(text).some(isSymbol); }
  function digitValue(ch) {  // the largest run start at or below the code point
    var cp = ch.codePointAt(0), lo = 0, hi = digitZeros.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (digitZeros[mid] <= cp) lo = mid; else hi = mid - 1; }
    return cp - digitZeros[lo];
  }

  // Python's repr() of a string: the quote it picks, its escapes for what is not printable
  function pyRepr(s) {
    var quote = (s.indexOf("'") >= 0 && s.indexOf('"') < 0) ? '"' : "'", out = quote;
    for (var ch of s) {
      var cp = ch.codePointAt(0);
      if (ch === quote || ch === "\\") out += "\\" + ch;
      else if (ch === "\t") out += "\\t";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
        var hex = cp.toString(16);
        out += cp < 0x100 ? "\\x" + hex.padStart(2, "0") : cp < 0x10000 ? "\\u" + hex.padStart(4, "0")
                                                                         : "\\U" + hex.padStart(8, "0");
      } else out += ch;
    }
    return out + quote;
  }

  // Python's format(value, "g")
  function pyG(v) {
    if (!isFinite(v)) return isNaN(v) ? "nan" : (v < 0 ? "-inf" : "inf");
    if (v === 0) return Object.is(v, -0) ? "-0" : "0";
    var exp = parseInt(v.toExponential(5).split("e")[1], 10), text;
    if (exp >= -4 && exp < 6) {
      text = v.toFixed(5 - exp);
      if (text.indexOf(".") >= 0) text = text.replace(/0+$/, "").replace(/\.$/, "");
      return text;
    }
    var parts = v.toExponential(5).split("e"), mant = parts[0];
    if (mant.indexOf(".") >= 0) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    var e = parseInt(parts[1], 10);
    return mant + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }

  function ExpressionError(chars, pos, problem) {
    var n = chars.length, start = n > 80 ? Math.max(0, pos - 40) : 0;
    var shown = (start ? "\u2026" : "") + chars.slice(start, start + 80).join("") + (start + 80 < n ? "\u2026" : "");
    var caret = pos - start + (start ? 1 : 0);
    var err = new Error(problem + " at position " + (pos + 1) + ":\n  " + shown + "\n  " + " ".repeat(caret) + "^");
    err.expression = true;
    err.pos = pos;
    return err;
  }

  function matchNumber(cs, i) {  // (\d+\.?\d*|\.\d+)([eE][+-]?\d+)? at i: its end, or -1
    var n = cs.length, j = i;
    if (j < n && isDigit(cs[j])) {
      while (j < n && isDigit(cs[j])) j++;
      if (j < n && cs[j] === ".") { j++; while (j < n && isDigit(cs[j])) j++; }
    } else if (j + 1 < n && cs[j] === "." && isDigit(cs[j + 1])) {
      j++;
      while (j < n && isDigit(cs[j])) j++;
    } else return -1;
    if (j < n && (cs[j] === "e" || cs[j] === "E")) {
      var m = j + 1;
      if (m < n && (cs[m] === "+" || cs[m] === "-")) m++;
      if (m < n && isDigit(cs[m])) { while (m < n && isDigit(cs[m])) m++; j = m; }
    }
    return j;
  }

  function tokenize(text) {
    var cs = Array.from(text), tokens = [], i = 0, n = cs.length;
    while (i < n) {
      var ch = cs[i], start = i;
      if (SPACE.has(ch)) i++;
      else if (OPERATORS.indexOf(ch) >= 0 || ch === MINUS_SIGN) {
        tokens.push({kind: "op", value: ch === MINUS_SIGN ? "-" : ch, pos: i});
        i++;
      } else if (ch === '"') {
        var chars = [];
        i++;
        while (i < n && cs[i] !== '"') {
          if (cs[i] === "\\" && i + 1 < n && (cs[i + 1] === '"' || cs[i + 1] === "\\")) i++;
          chars.push(cs[i]);
          i++;
        }
        if (i >= n) throw ExpressionError(cs, start, "unclosed quote");
        if (!chars.length) throw ExpressionError(cs, start, "empty quoted word");
        tokens.push({kind: "word", value: chars.join(""), pos: start});
        i++;
      } else {
        var end = matchNumber(cs, i);
        if (end >= 0 && (end === n || endsToken(cs[end]))) {
          i = end;
          tokens.push({kind: "number", value: cs.slice(start, i).join(""), pos: start});
        } else {
          while (i < n && !endsToken(cs[i])) i++;
          tokens.push({kind: "word", value: cs.slice(start, i).join(""), pos: start});
        }
      }
      if (tokens.length > MAX_TOKENS) {
        throw ExpressionError(cs, tokens[tokens.length - 1].pos, "the expression is too long: at most " +
                              MAX_TOKENS + " words, numbers and operators");
      }
    }
    tokens.push({kind: "end", value: "", pos: n});
    return {tokens: tokens, chars: cs};
  }

  function numberValue(text) {
    var ascii = "";
    for (var ch of text) ascii += isDigit(ch) ? String(digitValue(ch)) : ch;
    return parseFloat(ascii);
  }

  function checkedTokens(text) {
    if (typeof text !== "string" || Array.from(text).every(function (c) { return SPACE.has(c); })) {
      throw ExpressionError(Array.from(typeof text === "string" ? text : ""), 0,
                            "empty expression: type a word or e.g. king - man + woman");
    }
    return tokenize(text);
  }

  function parse(text) { return parseTokens(checkedTokens(text)); }

  // an expression read once: its tree, its words and the notes on its signs from one tokenisation
  function read(text) {
    var t = checkedTokens(text), tree = parseTokens(t);
    return {text: text, tree: tree, words: wordsIn(tree), notes: notesOn(t.tokens)};
  }

  function parseTokens(t) {
    var tokens = t.tokens, cs = t.chars, i = 0, depth = 0;
    function peek() { return tokens[i]; }
    function take() { return tokens[i++]; }
    function deeper(tok) {
      depth += 1;
      if (depth > MAX_DEPTH) {
        throw ExpressionError(cs, tok.pos, "the expression nests too deeply: at most " + MAX_DEPTH +
                              " parentheses or signs inside one another");
      }
    }
    function expr() {
      var node = term();
      while (peek().kind === "op" && (peek().value === "+" || peek().value === "-")) {
        var op = take().value;
        node = {type: "bin", op: op, left: node, right: term()};
      }
      return node;
    }
    function term() {
      var node = factor();
      while (peek().kind === "op" && (peek().value === "*" || peek().value === "/")) {
        var op = take().value;
        node = {type: "bin", op: op, left: node, right: factor()};
      }
      return node;
    }
    function factor() {
      var tok = take();
      if (tok.kind === "word") return {type: "word", word: tok.value};
      if (tok.kind === "number") {
        var value = numberValue(tok.value);
        if (!isFinite(value)) throw ExpressionError(cs, tok.pos, "the number " + tok.value + " is too large for a float");
        return {type: "number", value: value};
      }
      if (tok.kind === "op" && "+-(".indexOf(tok.value) >= 0) {
        deeper(tok);
        var node;
        if (tok.value === "(") {
          node = expr();
          var close = take();
          if (close.value !== ")" || close.kind !== "op") throw ExpressionError(cs, close.pos, "expected ')'");
        } else {
          var operand = factor();
          node = tok.value === "+" ? operand : {type: "neg", operand: operand};
        }
        depth -= 1;
        return node;
      }
      var found = tok.kind === "end" ? "the end" : pyRepr(tok.value);
      throw ExpressionError(cs, tok.pos, "expected a word, a number or '(' but found " + found);
    }
    var tree = expr(), extra = peek();
    if (extra.kind !== "end") throw ExpressionError(cs, extra.pos, "unexpected " + pyRepr(extra.value) + " (an operator missing?)");
    return tree;
  }

  function signNotes(text) { return notesOn(tokenize(text).tokens); }

  function notesOn(tokens) {
    var notes = [];
    for (var j = 1; j < tokens.length; j++) {
      var prev = tokens[j - 1], tok = tokens[j];
      if (prev.kind === "op" && tok.kind === "op" && "+-".indexOf(prev.value) >= 0 && "+-".indexOf(tok.value) >= 0) {
        var reading = (prev.value === "-") === (tok.value === "-") ? "+" : "-";
        notes.push("'" + prev.value + " " + tok.value + "' at position " + (prev.pos + 1) + " reads as '" + reading +
                   "' (the second sign applies to what follows it)");
      }
    }
    return notes;
  }

  function wordsIn(tree) {
    var seen = [];
    (function walk(node) {
      if (node.type === "word") { if (seen.indexOf(node.word) < 0) seen.push(node.word); }
      else if (node.type === "neg") walk(node.operand);
      else if (node.type === "bin") { walk(node.left); walk(node.right); }
    })(tree);
    return seen;
  }

  function bareOk(word) {
    var cs = Array.from(word);
    if (matchNumber(cs, 0) === cs.length) return false;
    return !cs.some(endsToken);
  }

  function toText(tree) {
    if (tree.type === "word") {
      return bareOk(tree.word) ? tree.word : '"' + tree.word.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
    }
    if (tree.type === "number") return pyG(tree.value);
    if (tree.type === "neg") return "-" + toText(tree.operand);
    return "(" + toText(tree.left) + " " + tree.op + " " + toText(tree.right) + ")";
  }

  // evaluate(tree, lookup): lookup(word) -> Float64Array; returns the vector (scalars are numbers)
  function evaluate(tree, lookup) {
    function ev(node) {
      if (node.type === "word") return lookup(node.word);
      if (node.type === "number") return node.value;
      if (node.type === "neg") { var v = ev(node.operand); return typeof v === "number" ? -v : v.map(function (a) { return -a; }); }
      var left = ev(node.left), right = ev(node.right);
      var lvec = typeof left !== "number", rvec = typeof right !== "number";
      if (node.op === "+" || node.op === "-") {
        if (lvec !== rvec) {
          throw new Error("cannot " + (node.op === "+" ? "add" : "subtract") + " a number and a word vector; " +
                          "scale a word instead, e.g. 0.5*good");
        }
        var sign = node.op === "+" ? 1 : -1;
        if (!lvec) return left + sign * right;
        return left.map(function (a, j) { return a + sign * right[j]; });
      }
      if (node.op === "*") {
        if (lvec && rvec) throw new Error("cannot multiply two word vectors; multiply a word by a number, e.g. 2*good");
        if (!lvec && !rvec) return left * right;
        var vec = lvec ? left : right, num = lvec ? right : left;
        return vec.map(function (a) { return a * num; });
      }
      if (rvec) throw new Error("cannot divide by a word vector; divide by a number, e.g. (good + great)/2");
      if (right === 0) throw new Error("division by zero in the expression");
      return lvec ? left.map(function (a) { return a / right; }) : left / right;
    }
    var value = ev(tree);
    if (typeof value === "number") throw new Error("the expression is a plain number; it needs at least one word");
    return value;
  }

  return {parse: parse, read: read, tokenize: tokenize, signNotes: signNotes, wordsIn: wordsIn, toText: toText,
          evaluate: evaluate, pyRepr: pyRepr, isExpression: isExpression};
};
if (typeof module !== "undefined") module.exports = W2VExpressions;
