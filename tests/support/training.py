"""Tiny corpora and tiny training runs: enough for a trainer to learn something in a second."""
import numpy as np

from w2v_lib.assignment.train import init_params

# 1e-5·N is far below every count in a corpus this small: a larger threshold keeps enough tokens.
SMALL = dict(dim=6, window=3, negatives=4, batch_size=8, step=0.3, anneal_every=1000, copies=3,
             subsample_threshold=1e-2)


def synthetic_sentences(n=300, seed=0):
    """Sentences from two topics that never mix, so the vectors have something to learn."""
    rng = np.random.default_rng(seed)
    topics = [["good", "great", "fine", "nice", "film", "fun"], ["bad", "awful", "dull", "poor", "plot", "mess"]]
    glue = ["the", "a", "is", "and", "."]
    out = []
    for i in range(n):
        words = topics[i % 2] + glue
        out.append([str(w) for w in rng.choice(words, size=int(rng.integers(4, 12)))])
    return out


def tiny_train(run_dir, iterations=40, **kw):
    """train_sst on synthetic_sentences with SMALL settings (keywords override them): a run in a second."""
    from w2v_lib import train_sst

    return train_sst(run_dir=run_dir, sentences=synthetic_sentences(), iterations=iterations,
                     checkpoint_every=kw.pop("checkpoint_every", 20), seed=kw.pop("seed", 3), log=kw.pop("log", None),
                     **{**SMALL, **kw})


# The same kind of run through the command line (`python -m w2v_lib train ... *TINY`).
TINY = ["--dim", "4", "--window", "2", "--negatives", "3", "--batch-size", "5", "--copies", "2",
        "--subsample-threshold", "1e-2", "--no-progress"]


# Three sentences of film review, for the compiled SST step's tests.
TEXT = ("the film is good and the acting is great . the plot is boring but the cast is charming . "
        "a good film with a bad plot and a great cast . the acting was bad and the film was boring .").split(" . ")


def random_params(n, d, seed):
    """Stacked (2n, d) parameters: the run's initial centre vectors, random outside vectors."""
    rng = np.random.default_rng(seed)
    x = init_params(n, d, rng)
    x[n:] = rng.standard_normal((n, d)) * 0.5  # outside vectors away from 0, so every term matters
    return x
