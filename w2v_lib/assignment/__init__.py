"""The course's SST run: skip-gram with negative sampling trained by the core `sgd`.

    run_folder.py   RunFolder: every path of a run (config, losses, vocabulary, vectors,
                    checkpoints, plot, marker, lock); its one owner; save_run / load_run; what
                    "word vectors" means
    step.py         one SGD step: the vectorized batch loss/gradient and the straightforward reference
    row_sparse.py   RowSparseGradient: the vectorized step's gradient, applied without densifying
    train.py        train_sst, ensure_sst_run, the assignment's settings
    word_plot.py    the course's word list and its 2-D PCA plot
"""
from .run_folder import (
    NotARunFolderError,
    Run,
    RunBusyError,
    RunExistsError,
    RunFolder,
    RunFolderError,
    RunSettingsError,
    RunWriteError,
    load_run,
    save_run,
    word_vectors,
)
from .train import DEFAULT_SEED, DEFAULTS, SSTTrainResult, ensure_sst_run, train_sst
from .word_plot import COURSE_WORDS, save_word_plot

__all__ = [
    "Run", "RunFolder", "load_run", "save_run", "word_vectors",
    "RunFolderError", "RunExistsError", "RunSettingsError", "RunWriteError", "RunBusyError", "NotARunFolderError",
    "DEFAULTS", "DEFAULT_SEED", "SSTTrainResult", "train_sst", "ensure_sst_run",
    "COURSE_WORDS", "save_word_plot",
]
