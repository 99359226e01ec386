"""w2v_lib: the word2vec workbook's library, with one name for each thing.

Glossary (the handout's symbol → the name in code; vectors are rows throughout):

    |Vocab|        vocabulary size: n_words, len(vocab)
    d          vector dimension
    v_c        center_vec, (d,): the center word's vector, row c of center_vectors
    u_w        row w of outside_vectors, (d,)
    V          center_vectors, (|Vocab|, d): every word's center vector as a row
    U          outside_vectors.T: the handout's U has the u_w as columns (d, |Vocab|);
               code keeps outside_vectors, (|Vocab|, d)
    o          outside_idx: the observed outside word
    w_1..w_K   neg_indices, (K,): the negative words, drawn by NegativeSampler (repeats allowed)
    ŷ          y_hat = softmax(outside_vectors @ v_c), (|Vocab|,)
    y          the one-hot label of o (never a table or a score)
    J          the loss of one pair (F), or of a window (skipgram, cbow)
    θ          params, (2|Vocab|, d) = [center_vectors; outside_vectors], what sgd trains
    α          step, the SGD step size

"Word vectors" (what a run's vectors.txt holds and the explorer shows) are [v_w, u_w] side by
side, (|Vocab|, 2d): assignment.word_vectors.

Layout: the handout core is flat here (activations, losses, models, sampling, gradcheck,
optimizer, cost_model); corpora/ turns text into word indices; vectors/ trained vectors
(WordVectors: neighbours, analogies, expressions, projections, files, evaluation); assignment/ is
the course's SST run; fast/ the fast trainer; explorer/ the embedding explorer, course/ the
student release and grading, lessons/ what only notebooks use. Each layer imports only from the
ones below it: docs/architecture.md, checked by import-linter (pyproject.toml).
"""
import importlib

# The handout core, imported here: every edition ships it (and `gradcheck` must name the function,
# not its module, whatever was imported first).
from .activations import sigmoid, softmax
from .gradcheck import GradcheckResult, gradcheck
from .losses import naive_softmax_loss_and_gradient, neg_sampling_loss_and_gradient
from .models import cbow, skipgram, window_batch_loss_and_gradient
from .optimizer import list_checkpoints, load_checkpoint, save_checkpoint, sgd_step
from .sampling import NegativeSampler, negative_sampling, noise_distribution

# The rest on first use (PEP 562): `import w2v_lib` stays light for the handout's notebooks, and a
# student release that leaves the later modules out (course/library_release.py) still imports;
# a missing name then says why it is missing.
_HOME = {
    "assignment": ("Run", "RunFolder", "ensure_sst_run", "load_run", "save_run", "train_sst", "word_vectors"),
    "corpora": ("SSTNotFoundError", "download_sst", "find_sst", "read_text_sentences", "wiki_sample_sentences"),
    "fast": ("FastConfig", "FastResult", "train_word2vec"),
    "sgd_loop": ("SGDResult", "sgd"),
    "vectors.evaluation": ("analogy_accuracy", "evaluate_all", "nearest_neighbours", "word_pair_similarity"),
    "vectors.formats": ("load_projector_tsv", "load_word2vec", "save_projector_tsv", "save_word2vec"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'w2v_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_MODULE_OF))


__all__ = [
    # the handout core
    "softmax", "sigmoid", "gradcheck", "GradcheckResult",
    "naive_softmax_loss_and_gradient", "neg_sampling_loss_and_gradient",
    "skipgram", "cbow", "window_batch_loss_and_gradient",
    "NegativeSampler", "negative_sampling", "noise_distribution",
    "sgd", "sgd_step", "SGDResult", "save_checkpoint", "load_checkpoint", "list_checkpoints",
    # corpora
    "SSTNotFoundError", "download_sst", "find_sst", "read_text_sentences", "wiki_sample_sentences",
    # the assignment's run
    "train_sst", "ensure_sst_run", "RunFolder", "Run", "load_run", "save_run", "word_vectors",
    # the fast trainer
    "FastConfig", "FastResult", "train_word2vec",
    # vectors: files and evaluation
    "load_word2vec", "save_word2vec", "load_projector_tsv", "save_projector_tsv",
    "analogy_accuracy", "evaluate_all", "nearest_neighbours", "word_pair_similarity",
]
