"""The fast trainer's options, checked once, with gensim's names pointed to ours."""
from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, fields, replace

# (batch_size, negative_group, shared_negatives) per model. A word repeated in a batch gets the sum
# of its updates, all computed from the same stale vectors; past a few hundred summed updates per
# row the step overshoots and training diverges (skip-gram at 1024 windows did, on the Wikipedia
# sample). A skip-gram window has ~6 pairs, a CBOW window one prediction, hence larger CBOW batches;
# smaller negative groups measured better WordSim353 scores for CBOW (0.129 vs 0.116 with 32).
# Skip-gram's ~100 pairs per group share M = 20 negatives of weight K/M = 0.5: over 5 seeds its
# analogy accuracy rose from 0.0190 (M = 10) to 0.0216 at 1 thread, and from 0.0183 to 0.0222 at
# 2 threads, for 10-20 % of its speed; CBOW measured no gain beyond noise, so it keeps M = K.
MODEL_DEFAULTS = {"skipgram": (512, 16, 20), "cbow": (1024, 16, 10)}
# The compiled kernels update after every window (no batch, no groups); M negatives per window.
COMPILED_SHARED = {"skipgram": 10, "cbow": 10}
COMPILED_SHARING = "summed"
SHARINGS = {"compiled": ("none", "window", "summed"), "numpy": ("group",)}
PAIR_MODES = {"summed": 0, "none": 1, "window": 2}  # the compiled kernel's per_pair argument
SIGMOIDS = {"compiled": ("table", "exact"), "numpy": ("exact",)}
SHUFFLES = {"compiled": {"none": 0, "windows": 1, "sentences": 2}, "numpy": {"windows": 1}}
# In the corpus's order, the summed rule's skip-gram scored WordSim353 0.208 over 5 seeds (gensim
# 0.236 ± 0.003); with the windows of a chunk shuffled, 0.258 (analogy 0.0199, SimLex 0.141: gensim
# 0.0202, 0.119), for 0-25 % more CPU time (consecutive windows no longer share rows in the cache).
# Shuffling whole sentences instead did not keep the quality (seeds 1-5: WS353 0.230, analogy 0.0156).
# CBOW in the corpus's order fell below gensim's floor on the analogies over seeds 1-3 (0.0078 with exp
# per score, 0.0093 with the σ table; floor 0.0081) and near it on WS353 (0.121, floor 0.119); shuffled,
# the same seeds gave analogy 0.0094, WS353 0.162, SimLex 0.024: CBOW shuffles its windows too.
COMPILED_SHUFFLE = {"skipgram": "windows", "cbow": "windows"}
METHODS = ("auto", "compiled", "numpy")

GENSIM_NAMES = {"workers": "threads", "sg": "model ('skipgram' or 'cbow')", "size": "vector_size",
                "iter": "epochs", "alpha_min": "min_alpha"}


@dataclass(frozen=True)
class FastConfig:
    model: str = "skipgram"  # "skipgram" or "cbow"
    vector_size: int = 100  # d
    window: int = 5  # the largest window; each center draws b ∈ [1, window]
    negative: int = 10  # K, the negatives per pair of word2vec's loss
    shared_negatives: int | None = None  # M, the draws shared by a group, each weighted K/M (None: by model)
    # compiled: "none" is word2vec's own update (every skip-gram pair draws its K negatives, the outside
    # word as input, applied at once; CBOW's one prediction per window draws K); "window" as "none" but
    # a skip-gram window's pairs use the same K negatives; "summed" shares M negatives between a
    # skip-gram window's pairs, the centre as input, its update summed (HogBatch). numpy: "group".
    sharing: str | None = None
    # compiled: a chunk's windows in the corpus's order ("none"), in a random order ("windows"), or its
    # sentences in a random order ("sentences"); None: by sharing
    shuffle: str | None = None
    # compiled: σ from the assignment's interpolated table ("table", within sst_kernel.SIGMOID_ERROR) or
    # from exp per score ("exact"); the NumPy path computes it exactly. None: by method
    sigmoid: str | None = None
    prefetch: bool = True  # compiled: ask for the next window's rows while a window trains
    negative_group: int | None = None  # windows sharing one set of M negatives (None: by model)
    sample: float = 1e-3  # subsampling threshold (0 turns it off)
    epochs: int = 5
    min_count: int = 5
    alpha: float = 0.025  # learning rate at the start, decayed linearly ...
    min_alpha: float = 0.0001  # ... to this at the end
    batch_size: int | None = None  # windows (center words) per update (None: by model)
    chunk_words: int = 50_000  # tokens prepared and shuffled together
    cbow_mean: bool = True  # v̂ as the mean (word2vec's default) or the sum (the handout's)
    threads: int = 1  # 1: deterministic for a seed; 2+: lock-free parallel updates
    seed: int = 0
    # "compiled" (numba kernels, several times faster than the NumPy path and than gensim, at gensim's
    # quality or above on all three benchmarks with shuffled windows; see docs/benchmark.md), "numpy"
    # (minibatched array code), "auto" (the default: compiled if numba is installed, else numpy)
    method: str = "auto"

    def as_dict(self) -> dict:
        return asdict(self)


def make_config(config: FastConfig | None = None, **options) -> FastConfig:
    """A validated FastConfig: `config`'s values (or the defaults) overridden by `options`."""
    names = {f.name for f in fields(FastConfig)}
    for key in options:
        if key not in names:
            hint = GENSIM_NAMES.get(key) or ", ".join(difflib.get_close_matches(key, sorted(names), n=2))
            raise ValueError(f"unknown option {key!r}" + (f" (did you mean {hint}?)" if hint else "")
                             + f"; the options are: {', '.join(sorted(names))}")
    base = (config or FastConfig()).as_dict()
    base.update(options)
    cfg = FastConfig(**base)
    if cfg.method == "auto":
        from ..compiled import HAVE_NUMBA
        cfg = replace(cfg, method="compiled" if HAVE_NUMBA else "numpy")
    if cfg.method == "compiled" and cfg.model in COMPILED_SHARED:
        sharing = COMPILED_SHARING if cfg.sharing is None else cfg.sharing
        if sharing != "summed":  # word2vec's K negatives per prediction
            cfg = replace(cfg, sharing=sharing, shared_negatives=cfg.negative)
        else:
            cfg = replace(cfg, sharing=sharing, shared_negatives=COMPILED_SHARED[cfg.model] if cfg.shared_negatives
                          is None else cfg.shared_negatives)
        cfg = replace(cfg, shuffle=COMPILED_SHUFFLE[cfg.model] if cfg.shuffle is None else cfg.shuffle)
    elif cfg.method == "numpy":
        cfg = replace(cfg, sharing="group" if cfg.sharing is None else cfg.sharing,
                      shuffle="windows" if cfg.shuffle is None else cfg.shuffle)
    if cfg.sigmoid is None and cfg.method in SIGMOIDS:
        cfg = replace(cfg, sigmoid=SIGMOIDS[cfg.method][0])
    if cfg.model in MODEL_DEFAULTS:
        batch, group, shared = MODEL_DEFAULTS[cfg.model]
        # Threads update the shared tables at the same time, so each one's batch is staleness for
        # the others: split the batch between them (2 × 512 skip-gram windows ruined 1 run in 5).
        threads = cfg.threads if isinstance(cfg.threads, int) and cfg.threads > 0 else 1
        cfg = replace(cfg, batch_size=max(batch // threads, 64) if cfg.batch_size is None else cfg.batch_size,
                      negative_group=group if cfg.negative_group is None else cfg.negative_group,
                      shared_negatives=shared if cfg.shared_negatives is None else cfg.shared_negatives)
    _validate(cfg)
    return cfg


def _validate(cfg: FastConfig) -> None:
    if cfg.method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}; got {cfg.method!r}")
    if cfg.method == "compiled":
        from ..compiled import require_numba
        require_numba("method='compiled'")
    if cfg.model in ("skipgram", "cbow") and cfg.sharing not in SHARINGS[cfg.method]:
        raise ValueError(f"sharing={cfg.sharing!r} is not available with method={cfg.method!r}; it takes "
                         + " or ".join(map(repr, SHARINGS[cfg.method])))
    if cfg.model in ("skipgram", "cbow") and cfg.shuffle not in SHUFFLES[cfg.method]:
        raise ValueError(f"shuffle={cfg.shuffle!r} is not available with method={cfg.method!r}; it takes "
                         + " or ".join(map(repr, SHUFFLES[cfg.method])))
    if cfg.sigmoid not in SIGMOIDS[cfg.method]:
        raise ValueError(f"sigmoid={cfg.sigmoid!r} is not available with method={cfg.method!r}; it takes "
                         + " or ".join(map(repr, SIGMOIDS[cfg.method])))
    if cfg.model not in ("skipgram", "cbow"):
        raise ValueError(f"model must be 'skipgram' or 'cbow'; got {cfg.model!r}")
    for name in ("vector_size", "window", "negative", "shared_negatives", "negative_group", "epochs", "min_count",
                 "batch_size", "chunk_words", "threads"):
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    if cfg.window > 100:  # window sizes are drawn as int8; word2vec's useful windows are 2-15
        raise ValueError(f"window must be at most 100; got {cfg.window!r}")
    if not 0 <= cfg.sample < 1:
        raise ValueError(f"sample must be in [0, 1) (0 disables subsampling); got {cfg.sample!r}")
    if not (cfg.alpha > 0 and 0 <= cfg.min_alpha <= cfg.alpha):
        raise ValueError(f"need alpha > 0 and 0 <= min_alpha <= alpha; got alpha={cfg.alpha!r}, "
                         f"min_alpha={cfg.min_alpha!r}")
    if not isinstance(cfg.seed, int):
        raise ValueError(f"seed must be an integer; got {cfg.seed!r}")
