"""Random word tables, stacked parameters and window objectives for the finite-difference tests."""
import contextlib
import warnings

import numpy as np
from hypothesis import strategies as st

from w2v_lib import window_batch_loss_and_gradient

# Small tables keep every finite-difference check quick; a scale of 0.5 keeps u_wᵀv_c in the
# range where the third derivative (the centered difference's error term) stays small.
SCALE = 0.5


seeds = st.integers(0, 2**32 - 1)


vocab_sizes = st.integers(2, 8)


dims = st.integers(1, 6)


def random_tables(seed, n_words, dim, scale=SCALE):
    """(center_vectors, outside_vectors), each (|Vocab|, d) float64, from a seed."""
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((n_words, dim)), scale * rng.standard_normal((n_words, dim))


def stack(center_vectors, outside_vectors):
    """The training parameters (2|Vocab|, d) = [center_vectors; outside_vectors]."""
    return np.concatenate([center_vectors, outside_vectors], axis=0)


def window_objective(model, center_idx, idxs, loss_and_gradient):
    """f(params) -> (loss, grad (2|Vocab|, d)) for one window of skipgram or cbow on stacked params."""
    return lambda params: window_batch_loss_and_gradient(model, params, [(center_idx, idxs)], loss_and_gradient)


@st.composite
def windows(draw, n_words, min_size=1, max_size=5):
    """A window of word indices with a forced repeat when it has room for one."""
    idxs = draw(st.lists(st.integers(0, n_words - 1), min_size=min_size, max_size=max_size))
    if len(idxs) >= 2:
        idxs[-1] = idxs[0]  # the same word twice: its terms must add up
    return np.array(idxs, dtype=np.int64)


@contextlib.contextmanager
def strict():
    """Any floating-point event (overflow, underflow, invalid, divide) or warning becomes an error."""
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
