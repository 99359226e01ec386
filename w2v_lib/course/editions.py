"""The CS224n editions this workbook follows: the map of question letters and the table of names.

One source for the tables in notebook 00, the README and the opening tables of notebooks
03–05 (tests/test_course_editions.py checks that each holds exactly what these functions render).
A letter followed by † rests on a copy of that handout we could not confirm (see FOOTNOTE).
"""
from __future__ import annotations

# Column keys, in the map's order, with the map's header and the short name the notebooks use.
EDITIONS = (
    ("2017", "2017 a1 q3", "2017"),
    ("2019", "2019 a2†", "2019"),
    ("2020", "2020 a2 (43 points)", "2020"),
    ("44pt", "44-point a2 (2021)", "44-pt"),
    ("2023", "2023 a2†", "2023"),
)
# Editions whose every letter rests on an unconfirmed copy: the short tables mark each letter.
UNCONFIRMED_EDITIONS = ("2019", "2023")

# (row id, question, {edition: letter}, answered in). A missing edition is "—" (not asked).
MAP_ROWS = (
    ("cross_entropy", "naive-softmax loss = cross-entropy with a one-hot $y$",
     {"2019": "(a)", "2020": "(a)", "44pt": "(a)", "2023": "(a)"}, "01, Question 1"),
    ("softmax_offset", "softmax unchanged by a constant offset", {"2017": "q1 (a)†"}, "01, Your code (stability)"),
    ("softmax_ce_grad", r"gradient of softmax cross-entropy with respect to its scores $\theta$",
     {"2017": "q2 (b)†"}, "01, Question 2 (step 2)"),
    ("gradcheck", "the gradient check by centered differences", {"2017": "q2 (f)"}, "00, How a live check works"),
    ("grad_center", r"$\partial J/\partial v_c$, with its orientation",
     {"2017": "(a)", "2019": "(b)", "2020": "(b)", "44pt": "(b)", "2023": "(b) i"}, "01, Question 2 and Your code"),
    ("grad_zero", r"when is $\partial J/\partial v_c$ zero?", {"2023": "(b) ii"}, "01, Question 3"),
    ("two_terms", r"the two terms of $\partial J/\partial v_c$ as a step on $v_c$", {"2023": "(b) iii"},
     "01, Question 4"),
    ("normalisation", "when does L2 normalisation lose information?",
     {"2017": "— (code: `normalizeRows` in (e)†)", "2023": "(b) iv"}, "01, Question 5"),
    ("grad_outside", r"$\partial J/\partial u_w$ for $w = o$ and $w \neq o$",
     {"2017": "(b)", "2019": "(c)", "2020": "(c)", "44pt": "(c)", "2023": "(c)"}, "02, Question 1"),
    ("grad_U", r"$\partial J/\partial U$ as a matrix", {"44pt": "(d)", "2023": "(d)"},
     "02, Question 2 and Your code"),
    ("leaky_relu", "derivative of the Leaky ReLU", {"2023": "(e)"}, "03, Question 4"),
    ("sigmoid_grad", "derivative of the sigmoid",
     {"2017": "q2 (a)†", "2019": "(d)", "2020": "(d)", "44pt": "(e)", "2023": "(f)"}, "03, Question 1"),
    ("sigmoid_vector", r"the sigmoid's derivative for a vector $x$: a diagonal Jacobian", {"2019": "(d)†"},
     "03, Question 3"),
    ("neg_gradients", "negative-sampling gradients",
     {"2017": "(c)", "2019": "(e)", "2020": "(e)", "44pt": "(f)", "2023": "(g) i"},
     "03, Question 5, and 04, Question 1"),
    ("neg_vectorised", "negative sampling vectorised: what to compute once", {"2023": "(g) ii"}, "04, Question 2"),
    ("neg_cost", "why negative sampling is cheaper",
     {"2017": "(c)", "2019": "(e)", "2020": "(e)", "44pt": "(f)", "2023": "(g) iii"}, "04, Question 3"),
    ("neg_repeats", "negative samples that repeat", {"44pt": "(g)", "2023": "(h)"}, "04, Question 4"),
    ("skipgram_grads", "skip-gram gradients of a whole window",
     {"2017": "(d)", "2019": "(f)", "2020": "(f)", "44pt": "(h)", "2023": "(i)"}, "05, Question 1"),
    ("cbow_grads", "CBOW gradients", {"2017": "(d)"}, "05, Question 2"),
    ("code_sigmoid", "code: `sigmoid`",
     {"2017": "q2 (e)", "2019": "code (a)", "2020": "code (a)", "44pt": "code (a)", "2023": "code (a)"},
     "03, Question 2"),
    ("code_softmax", "code: naive-softmax loss and gradients",
     {"2017": "(e)†", "2019": "code (a)", "2020": "code (a)", "44pt": "code (a)", "2023": "code (a)"},
     "01 and 02, Your code"),
    ("code_neg", "code: negative-sampling loss and gradients",
     {"2017": "(e)†", "2019": "code (a)", "2020": "code (a)", "44pt": "code (a)", "2023": "code (a)"},
     "04, Question 5"),
    ("code_skipgram", "code: skip-gram",
     {"2017": "(e)†", "2019": "code (a)", "2020": "code (a)", "44pt": "code (a)", "2023": "code (a)"},
     "05, Question 3"),
    ("code_cbow", "code: CBOW", {"2017": "(h)†, extra credit"}, "05, Question 4"),
    ("code_sgd", "code: stochastic gradient descent",
     {"2017": "(f)", "2019": "code (b), `sgd.py`", "2020": "code (b), `sgd.py`", "44pt": "code (b), `sgd.py`",
      "2023": "code (b), `sgd.py`"}, "05, Question 5"),
    ("code_train", "train on the Stanford Sentiment Treebank and plot",
     {"2017": "(g)†", "2019": "code (c), `run.py`", "2020": "code (c), `run.py`", "44pt": "code (c), `run.py`",
      "2023": "code (c), `run.py`"}, "06 (a first run with your own functions: 05, last section)"),
)

FOOTNOTE = (
    "† rests on a copy we could not confirm. The 2017 letters of q3 (a)–(d) and (f) and of q2 (e)–(f) "
    "come from students' write-ups of that edition, q1 (a) and q2 (a)–(b) from copies of assignment 1 "
    "labelled CS 224d, and (e), (g), (h) of q3 only from a write-up that says they are the code parts; "
    "2020 from a write-up of August 2020 (its (d) asks for a scalar $x$); the 44-point column from a copy "
    "of Winter 2021; 2023 from an unlettered copy whose questions come in this order. We found no copy "
    "of the 2019 handout: its letters are those of the 2020 copies, and its (d) \"for a vector\" is "
    "unconfirmed (a January 2020 copy with the same letters says $x$ is a scalar). \"code (a)\" to "
    "\"code (c)\" are the coding part of the later handouts (`word2vec.py`, `sgd.py`, `run.py`)."
)

# The openings of notebooks 03–05: (question title, map row id, "part of"?), one line per question.
NOTEBOOK_QUESTIONS = {
    "03": ((r"1. $\sigma'(x)$", "sigmoid_grad", False), ("2. write `sigmoid`", "code_sigmoid", False),
           (r"3. $\sigma'$ of a vector: the Jacobian", "sigmoid_vector", False),
           ("4. Leaky ReLU", "leaky_relu", False),
           ("5. the two terms of negative sampling", "neg_gradients", True)),
    "04": (("1. the gradients (distinct negatives)", "neg_gradients", False),
           ("2. the vectorised form, and what to compute once", "neg_vectorised", False),
           ("3. why it is cheaper than the softmax, measured", "neg_cost", False),
           ("4. a word drawn more than once", "neg_repeats", False),
           ("5. write `neg_sampling_loss_and_gradient`", "code_neg", False)),
    "05": (("1. the skip-gram gradients", "skipgram_grads", False), ("2. the CBOW gradients", "cbow_grads", False),
           ("3. write `skipgram`", "code_skipgram", False), ("4. write `cbow`", "code_cbow", False),
           ("5. write `sgd_step`", "code_sgd", False)),
}


def _row(row_id: str):
    for row in MAP_ROWS:
        if row[0] == row_id:
            return row
    raise KeyError(f"no map row {row_id!r}")


def map_markdown() -> str:
    """The whole map: one row per question, one column per edition, and where it is answered."""
    header = "| question | " + " | ".join(title for _, title, _ in EDITIONS) + " | answered in |"
    lines = [header, "|" + "---|" * (len(EDITIONS) + 2)]
    for _, question, letters, answered in MAP_ROWS:
        cells = [letters.get(key, "—") for key, _, _ in EDITIONS]
        lines.append(f"| {question} | " + " | ".join(cells) + f" | {answered} |")
    return "\n".join(lines)


def editions_of(row_id: str) -> str:
    """'2023 (f), 44-pt (e), …': a row's letters, newest edition first, for a notebook's opening table."""
    _, _, letters, _ = _row(row_id)
    parts = []
    for key, _, short in reversed(EDITIONS):
        letter = letters.get(key)
        if letter is None or letter.startswith("—"):
            continue
        letter = letter.split(", `")[0]  # "code (b), `sgd.py`" -> "code (b)"
        if key == "2017" and not letter.startswith("q"):
            letter = "q3 " + letter
        mark = "†" if key in UNCONFIRMED_EDITIONS and not letter.endswith("†") else ""
        parts.append(f"{short} {letter}{mark}")
    return ", ".join(parts)


def notebook_table_markdown(notebook: str) -> str:
    """The '| question | editions |' table that opens notebook 03, 04 or 05."""
    lines = ["| question | editions |", "|---|---|"]
    for title, row_id, part in NOTEBOOK_QUESTIONS[notebook]:
        lines.append(f"| {title} | {'part of ' if part else ''}{editions_of(row_id)} |")
    return "\n".join(lines)


# The function names: (what it is, 2017 a1 q3, 2019 and later a2, this workbook, note).
NAME_ROWS = (
    ("sigmoid", "`sigmoid(x)`", "`sigmoid(x)`", "`sigmoid(x)` (03)", "same arguments"),
    ("its derivative", "`sigmoid_grad(s)`, s = σ(x)", "—", "— (03, Question 1, written)",
     "no function of ours: it is a written answer"),
    ("naive-softmax loss", "`softmaxCostAndGradient(predicted, target, outputVectors, dataset)`",
     "`naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset)`",
     "`naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors)` (02)",
     "no `dataset` (unused there); returns (loss, ∂J/∂v_c $(d,)$, "
     "∂J/∂`outside_vectors` $(\\lvert\\mathrm{Vocab}\\rvert, d)$)"),
    ("negative samples", "`getNegativeSamples(target, dataset, K)`",
     "`getNegativeSamples(outsideWordIdx, dataset, K)`", "`NegativeSampler(counts).sample(outside_idx, k)`",
     "K independent draws, each redrawn while it equals o: repeats happen"),
    ("negative-sampling loss", "`negSamplingCostAndGradient(predicted, target, outputVectors, dataset, K=10)`",
     "`negSamplingLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10)`",
     "`neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, neg_indices)` (04)",
     "the negatives come in drawn (`neg_indices`, (K,)), not drawn inside from `dataset`"),
    ("skip-gram", "`skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset, "
     "word2vecCostAndGradient)`",
     "`skipgram(currentCenterWord, windowSize, outsideWords, word2Ind, centerWordVectors, outsideVectors, "
     "dataset, word2vecLossAndGradient)`",
     "`skipgram(center_idx, outside_idxs, center_vectors, outside_vectors, loss_and_gradient)` (05)",
     "indices, not words; F takes three arguments (no `dataset`)"),
    ("CBOW", "`cbow(…)`, the arguments of `skipgram`", "—",
     "`cbow(center_idx, context_idxs, center_vectors, outside_vectors, loss_and_gradient)` (05)", ""),
    ("a batch of windows", "`word2vec_sgd_wrapper(word2vecModel, tokens, wordVectors, dataset, C, "
     "word2vecCostAndGradient)`", "`word2vec_sgd_wrapper(word2vecModel, word2Ind, wordVectors, dataset, "
     "windowSize, word2vecLossAndGradient)`", "`window_batch_loss_and_gradient(model, params, windows, "
     "loss_and_gradient)`", "given code; both editions' wrappers, like ours, average over the batch"),
    ("SGD", "`sgd(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10)`",
     "the same", "`sgd_step(params, grad, step)` (05); the loop: `w2v_lib.sgd`",
     "the exercise is one step; the loop, annealing and checkpoints are given"),
)
NAMES_NOTE = (
    "Every edition's starter code keeps the word vectors as rows: `outputVectors` / `outsideVectors` is "
    "$(\\lvert\\mathrm{Vocab}\\rvert, d)$, the written part's $U^\\top$, as our `outside_vectors` is; "
    "nothing is transposed between them. `w2v_lib.course.handout_names` has the 2019+ names with their argument orders "
    "(`naiveSoftmaxLossAndGradient`, `negSamplingLossAndGradient`, `getNegativeSamples`, `skipgram`, "
    "`sgd`, and `SamplerDataset`, a `dataset` with `sampleTokenIdx()`), and turns a function written for "
    "the handout into the one our check cells call: `from_handout_naive_softmax`, "
    "`from_handout_neg_sampling`, `from_handout_skipgram`, `from_handout_sgd`."
)


def names_markdown() -> str:
    """The table of the course's function names next to this workbook's."""
    lines = ["| what | 2017 a1 q3 | 2019 and later a2 | this workbook (notebook) | note |", "|---|---|---|---|---|"]
    lines += [f"| {what} | {old} | {new} | {ours} | {note} |" for what, old, new, ours, note in NAME_ROWS]
    return "\n".join(lines)
