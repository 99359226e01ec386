"""Context windows drawn as the course draws them, one at a time or in bulk.

A window: a sentence uniformly among the (subsampled) ones, a position uniformly in it, the up to
`window` words on each side (left ones first), minus every repeat of the center word; if nothing
is left, sentence and position are drawn again with the same window size. The window size itself
is uniform in 1..C, drawn once per window (the course's SGD wrapper).
"""
from __future__ import annotations

import numpy as np

from .vocabulary import TokenizedCorpus


class ContextSampler:
    """Random context windows from a (subsampled) corpus, one at a time or in bulk."""

    def __init__(self, corpus: TokenizedCorpus):
        if corpus.n_sentences == 0 or (corpus.lengths < 2).any():
            raise ValueError("corpus must hold at least one sentence and only sentences of 2 or more tokens; "
                             "pass the output of subsample()")
        self.corpus = corpus

    def random_context(self, rng: np.random.Generator, window: int):
        """One window as the course draws it: (center index, context indices (n,) with n >= 1)."""
        _check_window(window, "window")
        c = self.corpus
        while True:
            s = int(uniform_ints(rng, c.n_sentences))
            sent = c.sentence(s)
            pos = int(uniform_ints(rng, len(sent)))
            center = int(sent[pos])
            context = np.concatenate([sent[max(0, pos - window):pos], sent[pos + 1:pos + 1 + window]])
            context = context[context != center].astype(np.int64)
            if context.size:
                return center, context

    def random_contexts(self, rng: np.random.Generator, n: int, max_window: int):
        """n windows at once, each with its own size uniform in 1..max_window.

        Returns (centers (n,) int64, contexts (n, 2·max_window) int64 with -1 where there is no
        word). Row i lists the left words then the right ones, as `random_context` does.
        """
        _check_window(max_window, "max_window")
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer; got {n!r}")
        c = self.corpus
        u = rng.random((3, n))  # one call for sizes, sentences and positions: rng.random is cheap
        sizes = scale_to_ints(u[0], max_window) + 1  # (n,)
        offsets = np.concatenate([np.arange(-max_window, 0), np.arange(1, max_window + 1)])  # (2C,)
        reach = np.abs(offsets) <= sizes[:, None]  # (n, 2C) inside each window's own size
        centers, contexts, todo = None, None, None
        while True:  # redraw only the windows left empty, keeping their size
            s = scale_to_ints(u[1], c.n_sentences)  # (m,)
            length = c.lengths.take(s)  # (m,)
            pos = scale_to_ints(u[2], length)  # (m,) uniform in each sentence
            where = pos[:, None] + offsets  # (m, 2C) positions inside the sentence
            valid = reach & (where >= 0) & (where < length[:, None])
            first = c.starts.take(s)  # (m,)
            # mode="clip": positions past the corpus ends read some token; `valid` masks them anyway
            words = c.tokens.take(first[:, None] + where, mode="clip")  # (m, 2C)
            center = c.tokens.take(first + pos)  # (m,)
            valid &= words != center[:, None]
            drawn = np.where(valid, words, -1)  # (m, 2C)
            if todo is None:
                centers, contexts = center.astype(np.int64), drawn.astype(np.int64)
                todo = np.arange(n)
            else:
                centers[todo], contexts[todo] = center, drawn
            empty = ~valid.any(axis=1)
            if not empty.any():
                return centers, contexts
            todo, reach = todo[empty], reach[empty]
            u = rng.random((3, todo.size))


def scale_to_ints(u, high) -> np.ndarray:
    """floor(u·high) for uniforms u in [0, 1): integers uniform in [0, high), elementwise for arrays.

    One call to rng.random costs a fraction of rng.integers here; with 53-bit u the deviation
    from exact uniformity is below high/2^53 (< 1e-10 for any corpus), far below sampling noise.
    The minimum guards the one rounding case u·high == high.
    """
    return np.minimum((u * high).astype(np.int64), np.asarray(high) - 1)


def uniform_ints(rng: np.random.Generator, high, size=None) -> np.ndarray:
    """Integers uniform in [0, high) (elementwise for an array `high`), through `scale_to_ints`."""
    return scale_to_ints(rng.random(size if size is not None else np.shape(high)), high)


def _check_window(window, name):
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"{name} must be a positive integer (words on each side); got {window!r}")
