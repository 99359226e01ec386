"""What the release must not hold: the instructor's answers, line by line.

A "secret line" is a non-trivial line of code inside a solution or hidden-test region (of a
notebook or of the library), or a line of a written answer. Lines are compared after
stripping indentation and inline comments; a line is trivial when it is too short to give
anything away (`return loss`, `else:`). A region's line is not secret when it is shown anyway
outside every region: in the visible part of the same cell, for a hidden test also in the
visible part of the notebook's check cells (set-up repeated), or in the library's given code
(an input check shared with softmax); nor when it only restates a definition the handout's
question gives (GIVEN_BY_THE_HANDOUT).
"""
import json
import re
import unicodedata
from pathlib import Path

from w2v_lib.course.cells import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    is_check,
    is_instructor_only,
    is_written_answer,
    read_notebook,
    regions,
    source,
)

MIN_LENGTH = 12
# θ = Uᵀv_c is stated by the question itself (the scores of the naive softmax), in the code's rows.
GIVEN_BY_THE_HANDOUT = {"scores = outside_vectors @ v_c"}
# `return x` of one name gives nothing away, nor do block keywords and closing brackets.
TRIVIAL = re.compile(r"(return( \w+)?|pass|else:|try:|finally:|[)\]}]+,?|\"\"\"|''')")


def normalise(line: str) -> str:
    """A line of code without indentation, inline comment (two spaces then #) or repeated spaces."""
    code = line.strip()
    if code.startswith("#"):
        return ""
    code = re.split(r"\s{2,}#", code)[0]
    return re.sub(r"\s+", " ", code).strip()


def nontrivial(line: str) -> str | None:
    code = normalise(line)
    return code if len(code) >= MIN_LENGTH and not TRIVIAL.fullmatch(code) and code not in GIVEN_BY_THE_HANDOUT \
        else None


def outside_regions(text: str) -> set:
    """The normalised lines of a text that lie outside every solution and hidden-test region."""
    shown, depth = set(), 0
    for line in text.splitlines():
        if BEGIN_SOLUTION in line or BEGIN_HIDDEN in line:
            depth += 1
        elif END_SOLUTION in line or END_HIDDEN in line:
            depth -= 1
        elif depth == 0:
            shown.add(normalise(line))
    return shown


def secret_lines(notebooks, package: Path) -> dict:
    """{normalised line: where it comes from} over the instructor notebooks and library."""
    found = {}
    for path in notebooks:
        cells = read_notebook(path)["cells"]
        # Test scaffolding the notebook's visible checks show anyway is no secret of its hidden tests.
        scaffolding = set().union(set(), *(outside_regions(source(c)) for c in cells if is_check(c)))
        for index, cell in enumerate(cells):
            text = source(cell)
            if is_written_answer(cell):
                chunks = [(text.splitlines(), set())]
            elif cell["cell_type"] == "code":
                shown = outside_regions(text)
                chunks = [(chunk, shown) for chunk in regions(text)] + \
                    [(chunk, shown | scaffolding) for chunk in regions(text, BEGIN_HIDDEN, END_HIDDEN)]
            else:
                chunks = []
            for chunk, shown in chunks:
                for line in chunk:
                    if nontrivial(line) and nontrivial(line) not in shown:
                        found.setdefault(nontrivial(line), f"{path.name}, cell {index}")
    library = {path: path.read_text(encoding="utf-8") for path in sorted(package.rglob("*.py"))}
    given = set().union(*(outside_regions(text) for text in library.values()))
    for path, text in library.items():
        for chunk in regions(text):
            for line in chunk:
                if nontrivial(line) and nontrivial(line) not in given:
                    found.setdefault(nontrivial(line), f"{path.relative_to(package.parent)}")
    return found


def instructor_only_sources(notebooks) -> list:
    return [(f"{p.name}, cell {i}", source(c)) for p in notebooks
            for i, c in enumerate(read_notebook(p)["cells"]) if is_instructor_only(c) and source(c).strip()]


def release_lines(release: Path) -> dict:
    """{normalised line: file} for every line of every file of the release (cell sources for notebooks)."""
    found = {}
    for path in sorted(release.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            text = "\n".join(source(c) for c in json.loads(text)["cells"])
        for line in text.splitlines():
            found.setdefault(normalise(line), str(path.relative_to(release)))
    return found


def leaks(notebooks, package: Path, release: Path) -> list:
    """Every secret line found in the release, as 'line (from X) found in Y'."""
    shipped = release_lines(release)
    found = [f"{line!r} (from {origin}) found in {shipped[line]}"
             for line, origin in secret_lines(notebooks, package).items() if line in shipped]
    joined = "\n".join(source(c) for p in sorted(release.rglob("*.ipynb")) for c in read_notebook(p)["cells"])
    found += [f"instructor-only {where} found in the release" for where, text in instructor_only_sources(notebooks)
              if text.strip() in joined]
    return found


# ---- the written answers' key formulas -----------------------------------------------------------
#
# A release may not state what a written answer derives, in any spelling: the Markdown's LaTeX, a
# docstring's unicode, or code. `canonical` brings all three to one form (no spaces, braces or `*`;
# ŷ, ᵀ, σ, Σ, ∂, v̂, Ũ, δ, α, | as single symbols; the negatives' index always k), and each entry lists
# that form's spellings of one answer's key steps. Formulas the question itself states (notebook 01's
# J = −log ŷ_o, the definition ŷ = softmax(Uᵀv_c)) are not answers and are not listed; answers
# without a formula to look for (01's normalisation, 05's "the sum over positions") are reviewed
# by reading.

KEY_FORMULAS = [
    # (notebook, written answer's grade_id, the answer in words, canonical spellings)
    ("00_how_to_use", "answer_warmup", "∂J/∂X_ij = w_j X_ij²",
     ("w_jX_ij^2", "X_ij^2w_j", "X^2w", "wX^2")),
    ("01_softmax_gradient", "answer_grad_center", "∂J/∂v_c = U(ŷ − y)",
     ("U(ŷ-y)", "U@(ŷ-y)", "(ŷ-y)@outside_vectors", "outside_vectorsᵀ@(ŷ-y)", "Σ(ŷ_w-y_w)u_w",
      "(ŷ-y)ᵀUᵀ", "ŷ[o]-=1", "ŷ[outside_idx]-=1")),
    ("01_softmax_gradient", "answer_grad_center", "∂J/∂θ = ŷ − y (the scores' gradient)",
     ("∂J/∂θ=ŷ-y", "∂J/∂θ_w=ŷ_w-y_w")),
    ("01_softmax_gradient", "answer_gradient_zero", "zero when ŷ − y is in U's null space (u_o = Σ ŷ_w u_w)",
     ("nullspaceofU", "u_o=Σŷ_wu_w", "Σŷ_wu_w=u_o")),
    ("01_softmax_gradient", "answer_two_terms", "v_c + α u_o − α Σ ŷ_w u_w",
     ("v_c+αu_o", "+αu_o-αΣ", "Σŷ_wu_w-u_o")),
    ("02_outside_vectors", "answer_grad_outside", "∂J/∂u_w = (ŷ_w − y_w) v_c; (ŷ_o − 1) v_c; ŷ_w v_c",
     ("(ŷ_w-y_w)v_c", "(ŷ_o-1)v_c", "∂J/∂u_w=ŷ_wv_c")),
    ("02_outside_vectors", "answer_grad_U", "∂J/∂U = v_c(ŷ − y)ᵀ",
     ("v_c(ŷ-y)ᵀ", "(ŷ-y)v_cᵀ", "np.outer(ŷ-y", "np.outer(delta,v_c)", "np.outer(delta,center_vec)")),
    ("03_sigmoid", "answer_sigmoid_derivative", "σ′(x) = σ(x)(1 − σ(x))",
     ("σ(x)(1-σ(x))", "(1-σ(x))σ(x)", "σ(1-σ)", "s(1-s)", "σ(z)(1-σ(z))", "e^-x/(1+e^-x)^2")),
    ("03_sigmoid", "answer_sigmoid_jacobian", "the Jacobian is diag(σ(x) ⊙ (1 − σ(x)))",
     ("diag(σ", "σ(x)⊙(1-σ(x))")),
    ("03_sigmoid", "answer_leaky_relu", "f′(x) = 1 for x > 0, α for x < 0",
     ("np.where(x>0,1", "np.where(x<0,α", "f'(x)=αifx<0", "f'(x)=α")),
    ("03_sigmoid", "answer_log_sigmoid_terms", "d/dx[−log σ(x)] = σ(x) − 1, d/dx[−log σ(−x)] = σ(x)",
     ("-logσ(x)]=σ(x)-1", "-logσ(-x)]=σ(x)", "=-(1-σ(x))=σ(x)-1")),
    ("04_negative_sampling", "answer_neg_sampling_gradients", "∂J/∂v_c = (σ(u_oᵀv_c) − 1)u_o + Σ_k σ(u_kᵀv_c)u_k",
     ("(σ(u_oᵀv_c)-1)u_o", "-(1-σ(u_oᵀv_c))u_o", "Σσ(u_kᵀv_c)u_k", "σ(z_o)-1", "σ(z_k)@u_k", "σ(z_k)u_k")),
    ("04_negative_sampling", "answer_neg_sampling_gradients", "∂J/∂u_o = (σ(u_oᵀv_c) − 1)v_c, ∂J/∂u_k = σ(u_kᵀv_c)v_c",
     ("(σ(u_oᵀv_c)-1)v_c", "σ(u_kᵀv_c)v_c", "(σ(z_o)-1)v_c", "np.outer(σ(z_k),v_c)")),
    ("04_negative_sampling", "answer_neg_sampling_vectorised", "δ = σ(Ũᵀv_c) − 1; ∂J/∂v_c = Ũδ; v_c δᵀ",
     ("σ(Ũᵀv_c)-1", "=Ũδ", "v_cδᵀ")),
    ("04_negative_sampling", "answer_neg_sampling_cost", "the arithmetic shrinks by |Vocab|/(K+1)",
     ("|V|/(K+1)", "|Vocab|/(K+1)", "W/(K+1)", "/(k+1)")),
    ("04_negative_sampling", "answer_repeated_negatives", "a negative drawn m times: m σ(u_kᵀv_c) v_c (np.add.at)",
     ("m_sσ(", "np.add.at", "addedoncepercopy", "oncepereachoccurrence", "isaddedonceperoccurrence")),
    ("05_skipgram_cbow", "answer_skipgram_gradients", "∂J/∂v_w = 0 for every w ≠ c",
     ("∂J_skip-gram/∂v_w=0", "onlyrowcofthecentergradient", "nootherv_wenters")),
    ("05_skipgram_cbow", "answer_cbow_gradients", "∂J_CBOW/∂v_w = n_w ∂F/∂v̂ (twice for a word there twice)",
     ("n_w∂F/∂v̂", "n_w∂F(w_c,v̂)/∂v̂", "receives∂F/∂v̂twice", "(numberoftimeswisinthecontext)∂F/∂v̂", "twocopies")),
    ("05_skipgram_cbow", "sgd_step (code exercise)", "the in-place update θ −= α∇J in numpy",
     ("-=stepgrad", "-=αgrad", "=params-stepgrad", "=x-stepgrad")),
]

# Where a key formula may appear in the release, and why:
# - the live check's diagnosis names the fix of a mistake, and only after the student's code made it
#   (the verdict's purpose);
# - notebook 04 measures the cost ratio its 1-point Question 3 asks to predict, with cost_model's
#   predicted_cost_ratio (K + 1 rows touched, stated by the loss's own definition); the notebook's
#   plot draws the same model, so only dropping the prediction from 04 would hide it.
ALLOWED = {("w2v_lib/verdict/diagnosis.py", "np.add.at"), ("w2v_lib/cost_model.py", "/(k+1)")}

_LATEX = [
    (r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big|displaystyle|limits)(?![a-zA-Z])", ""),
    (r"\\[,;:! ]|\\quad|\\qquad|~", ""),
    (r"\\(?:text|mathrm|operatorname|mathbf)\{([^{}]*)\}", r"\1"),
    (r"\\d?frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2"),
    (r"\\hat\s*\{?y\}?|\by_hat\b|\byhat\b", "ŷ"),
    (r"\\hat\s*\{?v\}?|\bv_hat\b", "v̂"),
    (r"\\tilde\s*\{?U\}?", "Ũ"),
    (r"\^\{?\\top\}?|\^\{?T\}?(?![a-zA-Z])|\.T\b", "ᵀ"),
    (r"\\sigma|\bsigmoid(?=\()|\bexpit(?=\()", "σ"),
    (r"\\sum|\bsum_", "Σ"),
    (r"\\partial", "∂"), (r"\\odot", "⊙"), (r"\\cdot|·", ""), (r"\\delta", "δ"), (r"\\alpha|\balpha\b", "α"),
    (r"\\theta", "θ"), (r"\\lvert|\\rvert|\\mid", "|"), (r"\\(?:text|mathrm|operatorname|mathbf)\{([^{}]*)\}", r"\1"),
    (r"\\(log|exp|diag)", r"\1"), (r"\\ne(?:q)?\b", "≠"), (r"\\to\b|\\leftarrow|\\gets", "←"),
]


def canonical(text: str) -> str:
    """One spelling for LaTeX, unicode and code: see KEY_FORMULAS."""
    text = unicodedata.normalize("NFC", text).replace("$", "").replace("−", "-").replace("²", "^2")
    text = text.replace("y\u0302", "ŷ").replace("\u1d40", "ᵀ").replace("**", "^")
    for pattern, replacement in _LATEX:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"Σ_(\{[^}]*\}|\w+)(\^(\{[^}]*\}|\w+))?", "Σ", text)  # a sum's limits say nothing
    text = re.sub(r"[\s{}*]", "", text)
    return re.sub(r"(?<=[uz])_(?:w_?[ksj]|[ksj]|neg)(?![a-zA-Z])", "_k", text)  # the negatives' index


def key_formula_hits(text: str) -> list:
    """[(notebook, question, answer, spelling)] of every key formula the text states. A spelling
    followed by ᵀ is another formula (U(ŷ − y)ᵀ is the common wrong answer, not the answer)."""
    flat = canonical(text)
    return [(nb, question, answer, spelling) for nb, question, answer, spellings in KEY_FORMULAS
            for spelling in spellings if re.search(re.escape(spelling) + "(?!ᵀ)", flat)]


def release_texts(release: Path):
    """(file, where, text) for every text a student sees: each notebook cell; for every other file
    each line read with the next (a formula may break across two lines), minus what the next holds alone."""
    for path in sorted(release.rglob("*")):
        if not path.is_file() or path.suffix in (".png", ".jpg", ".pyc"):
            continue
        relative = path.relative_to(release).as_posix()
        if path.suffix == ".ipynb":
            for index, cell in enumerate(read_notebook(path)["cells"]):
                yield relative, f"cell {index} ({cell['cell_type']})", source(cell), ""
        else:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines() + [""]
            for number, (line, following) in enumerate(zip(lines, lines[1:]), start=1):
                yield relative, f"line {number}", line + " " + following, following


def answer_leak_records(release: Path) -> list:
    """[(file, where, notebook, question, answer, spelling)] of every key formula the release states."""
    found = []
    for relative, where, text, next_line in release_texts(release):
        later = {hit[3] for hit in key_formula_hits(next_line)} if next_line else set()
        for nb, question, answer, spelling in key_formula_hits(text):
            if (relative, spelling) not in ALLOWED and spelling not in later:
                found.append((relative, where, nb, question, answer, spelling))
    return found


def answer_leaks(release: Path) -> list:
    """'file, where: states <answer> (<notebook>, <question>) as <spelling>', one per record."""
    return [f"{relative}, {where}: states {answer} ({nb}, {question}) as {spelling!r}"
            for relative, where, nb, question, answer, spelling in answer_leak_records(release)]
