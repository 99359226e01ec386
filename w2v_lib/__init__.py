"""w2v_lib: the word2vec workbook's library.

Vectors are rows throughout: `center_vectors` and `outside_vectors` are (|V|, d); the handout's
U (words as columns) is `outside_vectors.T`.
"""
from .activations import sigmoid, softmax
from .gradcheck import GradcheckResult, gradcheck
from .losses import naive_softmax_loss_and_gradient, neg_sampling_loss_and_gradient
from .models import cbow, skipgram
from .sampling import NegativeSampler, negative_sampling
from .optimizer import SGDResult, list_checkpoints, load_checkpoint, save_checkpoint, sgd

__all__ = [
    "softmax", "sigmoid", "gradcheck", "GradcheckResult",
    "naive_softmax_loss_and_gradient", "neg_sampling_loss_and_gradient",
    "skipgram", "cbow", "NegativeSampler", "negative_sampling",
    "sgd", "SGDResult", "save_checkpoint", "load_checkpoint", "list_checkpoints",
]
# --- later modules add their exports below this line (one import line each) ---
from .runs import Run, load_run, save_run, word_vectors
from .vectors.formats import load_projector_tsv, load_word2vec, save_projector_tsv, save_word2vec
from .sst import SSTNotFoundError, download_sst, find_sst
from .sst_train import ensure_sst_run, train_sst
from .fast import FastConfig, FastResult, train_word2vec
from .vectors.evaluation import analogy_accuracy, evaluate_all, nearest_neighbours, word_pair_similarity
from .corpora import read_text_sentences, wiki_sample_sentences
