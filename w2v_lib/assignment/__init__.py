"""The course's SST run: skip-gram with negative sampling trained by the core `sgd`.

    run_folder.py   RunFolder: every path of a run (config, losses, vocabulary, vectors,
                    checkpoints, plot, marker, lock) and its writes; save_run / load_run; made of
    run_owner.py    its one owner (the lock) and the marker; folders that are not a run's
    run_settings.py config.json; a run started fresh, resumed or refused
    finished_run.py Run, a finished run read back; what "word vectors" means
    run_errors.py   the run folder's errors, one line each
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
