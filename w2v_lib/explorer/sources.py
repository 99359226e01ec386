"""The vector sets the explorer's menu offers, each a loader `(progress=None) -> (WordVectors,
checkpoints)`; `progress` is an optional callback(fraction, text).

- the course's SST run (notebook 06), with its training checkpoints;
- vectors the fast trainer learns from gensim's Wikipedia sample in about ten seconds, kept in
  data/vectors/wiki_sample/ after the first run;
- the small pretrained GloVe sets of gensim's catalogue (downloaded on first use);
- any word2vec or projector file, through the explorer's file box (not a menu entry).
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from ..vectors.formats import load_word_vectors, save_projector_tsv
from ..vectors.keyed import WordVectors
from ..vectors.pretrained import SMALL_SETS, load_pretrained

SST_RUN = "SST run (notebook 06)"
WIKI_SAMPLE = "Wikipedia sample (fast trainer, 100-d)"
WIKI_OPTIONS = dict(model="skipgram", vector_size=100, epochs=5, min_count=5, seed=0)


def run_vectors(run_dir, max_checkpoints: int = 21, *, centred: bool = True):
    """A training run folder's final vectors and up to `max_checkpoints` evenly spaced checkpoints."""
    from ..assignment.run_folder import load_run

    run = load_run(run_dir)
    paths = run.checkpoints
    if len(paths) > max_checkpoints:  # evenly spaced, always keeping the last
        keep = np.unique(np.linspace(0, len(paths) - 1, max_checkpoints).round().astype(int))
        paths = [paths[i] for i in keep]
    checkpoints = [run.checkpoint_vectors(p) for p in paths]
    return WordVectors(run.words, run.vectors, run.counts, centred=centred), checkpoints


def sst_run(progress=None, run_dir=None):
    """The SST run of notebook 06, trained first if it is not on disk."""
    from ..assignment import ensure_sst_run

    if progress:
        progress(0.1, "opening the SST run (training it first if it is missing: up to a minute)")
    return run_vectors(ensure_sst_run(run_dir))


def wiki_sample_dir(data_dir=None) -> Path:
    from ..corpora.sst import default_data_dir

    return Path(data_dir or default_data_dir()) / "vectors" / "wiki_sample"


def wiki_sample(progress=None, data_dir=None):
    """Skip-gram vectors of gensim's Wikipedia sample (≈ 453K tokens, 9,000 words), trained by
    the fast trainer the first time and read from data/vectors/wiki_sample/ afterwards."""
    folder = wiki_sample_dir(data_dir)
    vectors_tsv = folder / "vectors.tsv"
    if not vectors_tsv.is_file():
        from ..corpora import wiki_sample_sentences
        from ..fast import train_word2vec

        if progress:
            progress(0.05, "reading gensim's Wikipedia sample (step 1 of 3)")
        sentences = wiki_sample_sentences()
        if progress:
            progress(0.35, "training skip-gram, 100-d, 5 epochs with the fast trainer (step 2 of 3, ~10 s)")
        result = train_word2vec(sentences, log=None, **WIKI_OPTIONS)
        if progress:
            progress(0.9, f"saving to {folder} (step 3 of 3)")
        folder.mkdir(parents=True, exist_ok=True)
        save_projector_tsv(vectors_tsv, folder / "metadata.tsv", result.words, result.center_vectors,
                           {"count": [str(c) for c in result.vocab.counts]})
    return load_word_vectors(vectors_tsv), ()


def pretrained(name, progress=None, data_dir=None):
    return load_pretrained(name, data_dir, progress=progress), ()


def default_sources(data_dir=None) -> dict:
    """{menu name: loader} for the vectors menu."""
    sources = {SST_RUN: sst_run, WIKI_SAMPLE: functools.partial(wiki_sample, data_dir=data_dir)}
    for name, label in SMALL_SETS.items():
        sources[f"{label} — download"] = functools.partial(pretrained, name, data_dir=data_dir)
    return sources


OPERATOR_FILES_ENV = "W2V_EXPLORER_FILES"


def operator_sources(env=None) -> dict:
    """{menu name: loader} of the vector files the app's operator allows, named in the
    environment variable W2V_EXPLORER_FILES (paths separated by os.pathsep). A visitor picks
    them from the menu; no visitor ever types a server path."""
    env = os.environ if env is None else env
    sources = {}
    for entry in filter(None, (env.get(OPERATOR_FILES_ENV) or "").split(os.pathsep)):
        path = Path(entry)
        sources[f"file: {path.name}"] = functools.partial(_operator_file, path)
    return sources


def _operator_file(path, progress=None):
    if progress:
        progress(0.2, f"reading {path.name}")
    try:
        return load_word_vectors(path), ()
    except FileNotFoundError:  # the operator's list names a file that is gone: say so without its path
        raise FileNotFoundError(f"{path.name} is listed by the app's operator but is not there") from None
