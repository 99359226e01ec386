"""What every compiled kernel shares: numba (or its absence), a fast random stream, alias draws.

numba compiles a Python function of loops over NumPy arrays to machine code the first time it is
called, and with `cache=True` stores that code next to the module (in __pycache__), so later
processes load it instead of compiling again (or in $NUMBA_CACHE_DIR, where that is set). A cache
file that a kill or a full disk left damaged (numba would raise a raw UnpicklingError on every
later run) is detected when it is loaded, cleared, and the kernel compiled again, with one line
on stderr saying so (`_RecoveringCache`). We chose it over Cython (gensim's choice) because the
kernels stay plain, readable Python that a student can open, and there is no build step: without
numba installed (`HAVE_NUMBA` False) the callers fall back to the NumPy paths.

The random stream inside the kernels is SplitMix64 (a 64-bit counter passed through a mixing
function), seeded from the caller's numpy Generator: one multiply-xorshift chain per draw, no
table, no call out of the kernel. Negative words are drawn by Walker's alias method from the
(keep, alias) table of `NegativeSampler(counts, method="alias")`: two arrays of |Vocab| numbers
(about 160 KB for the SST), which stay in cache, where the C word2vec's 10⁸-entry unigram table
makes every draw a cache miss (`packed_alias_table` holds both in one array, so that a draw reads
one entry).
"""
from __future__ import annotations

import sys

import numpy as np

try:
    import numba
    HAVE_NUMBA = True
except ImportError:  # the NumPy paths take over; see the callers' `method` arguments
    numba = None
    HAVE_NUMBA = False

GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment: 2⁶⁴ / golden ratio
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
S27, S30, S31, S32, S11 = (np.uint64(s) for s in (27, 30, 31, 32, 11))
LOW32 = np.uint64(0xFFFFFFFF)
TWO_TO_MINUS_32 = 1.0 / 4294967296.0
TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0
# fastmath without "nnan"/"ninf": exp(−s) of a large score must be allowed to become inf (σ = 0), and
# a diverged run's NaN must reach the loss, where the callers look for it.
FAST = {"nsz", "arcp", "contract", "reassoc"}


if HAVE_NUMBA:
    from numba.core.caching import FunctionCache

    class _RecoveringCache(FunctionCache):
        """numba's cache of one function, which clears itself once when its files cannot be read."""

        def load_overload(self, sig, target_context):
            try:
                return super().load_overload(sig, target_context)
            except Exception as err:  # noqa: BLE001 — pickle, EOF, struct and OS errors alike mean "damaged"
                print(f"numba's cache of {self._name} was damaged ({type(err).__name__}: {err}); "
                      f"it was cleared and the kernel is compiled again (cache: {self._cache_path})",
                      file=sys.stderr)
                try:
                    self.flush()  # an empty index: the next save rewrites the data files
                except OSError:
                    pass
                return None  # numba compiles, then saves a fresh cache entry


def _recovering(dispatcher):
    if getattr(dispatcher, "_cache", None) is not None and type(dispatcher._cache) is FunctionCache:
        dispatcher._cache = _RecoveringCache(dispatcher.py_func)
    return dispatcher


def njit(*args, **options):
    """numba.njit with cache=True (compile once per machine, a damaged cache rebuilt), or the plain
    function without numba."""
    if not HAVE_NUMBA:
        return args[0] if args and callable(args[0]) else (lambda f: f)
    options.setdefault("cache", True)
    made = numba.njit(*args, **options)
    if args and callable(args[0]):
        return _recovering(made)
    return lambda func: _recovering(made(func))


def require_numba(what: str) -> None:
    if not HAVE_NUMBA:
        raise ImportError(f"{what} needs numba (pip install numba); the NumPy path works without it")


@njit(inline="always")
def mix(z):
    """SplitMix64's output function: 64 well-mixed bits from a counter value."""
    z = (z ^ (z >> S30)) * MIX1
    z = (z ^ (z >> S27)) * MIX2
    return z ^ (z >> S31)


@njit(inline="always")
def next_random(state):
    """(new state, 64 random bits): one SplitMix64 step. `state` is a uint64 counter."""
    state = state + GOLDEN
    return state, mix(state)


@njit(inline="always")
def below(bits, n):
    """An integer uniform in [0, n) from 64 random bits (Lemire's multiply-shift on the top 32)."""
    return np.int64(((bits >> S32) * np.uint64(n)) >> S32)


@njit(inline="always")
def uniform(bits):
    """A float uniform in [0, 1) from 64 random bits (their top 53)."""
    return np.float64(bits >> S11) * TWO_TO_MINUS_53


@njit(inline="always")
def alias_draw(bits32, threshold, alias):
    """One word from Walker's alias table, for 32 random bits (a uint64 below 2³²).

    bits32 · |Vocab| / 2³² is a uniform real in [0, |Vocab|): its integer part picks the column and its
    fraction (the product's low 32 bits) keeps the column if below threshold[col], else takes
    alias[col]. `threshold` is keep · 2³² as uint32 (see `alias_tables`), so no float is formed.
    """
    scaled = bits32 * np.uint64(threshold.shape[0])
    col = np.int64(scaled >> S32)
    return col if (scaled & LOW32) < threshold[col] else np.int64(alias[col])


def alias_tables(sampler):
    """(threshold uint32, alias int32) of a NegativeSampler(method="alias"), compact for `alias_draw`."""
    threshold = np.minimum(np.floor(sampler.keep * 2.0**32), 2.0**32 - 1).astype(np.uint32)  # (|Vocab|,)
    return threshold, sampler.alias.astype(np.int32)  # (|Vocab|,) each


def packed_alias_table(sampler) -> np.ndarray:
    """(|Vocab|,) uint64: `alias_tables`' threshold in the high 32 bits of each entry, the alias in the low 32,
    for `packed_alias_draw` (one look-up per draw instead of two)."""
    threshold, alias = alias_tables(sampler)
    return (threshold.astype(np.uint64) << S32) | alias.astype(np.uint64)  # (|Vocab|,)


@njit(inline="always")
def packed_alias_draw(bits32, table):
    """`alias_draw` on a `packed_alias_table`: the same word for the same bits.

    Both halves of a column come in one 8-byte load, so a draw touches one cache line, not two: on
    the SST's 19,537 words the assignment run's draws (57 million negatives) took half the time."""
    scaled = bits32 * np.uint64(table.shape[0])
    col = np.int64(scaled >> S32)
    entry = table[col]
    return col if (scaled & LOW32) < (entry >> S32) else np.int64(entry & LOW32)


if HAVE_NUMBA:
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic

    @intrinsic
    def _prefetch(typingctx, table, row, col):
        """Ask the CPU to start loading the cache line of table[row, col] (LLVM's prefetch: read, keep
        in every cache level); it returns at once and never faults."""
        def codegen(context, builder, signature, args):
            table_type = signature.args[0]
            array = context.make_array(table_type)(context, builder, args[0])
            index = [context.cast(builder, value, kind, types.intp)
                     for value, kind in zip(args[1:], signature.args[1:])]
            where = cgutils.get_item_pointer(context, builder, table_type, array, index)
            byte_ptr = ir.IntType(8).as_pointer()
            i32 = ir.IntType(32)
            prefetch = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.VoidType(), [byte_ptr, i32, i32, i32]), "llvm.prefetch.p0")
            builder.call(prefetch, [builder.bitcast(where, byte_ptr), i32(0), i32(3), i32(1)])
            return context.get_dummy_value()
        return types.void(table, row, col), codegen
else:
    def _prefetch(table, row, col):
        pass


LINE_FLOATS = 16  # float32 per 64-byte cache line


@njit(inline="always")
def prefetch_row(table, row):
    """Start loading row `row` of a (n, d) float32 table into the cache, one line at a time: the rows a
    kernel reads are scattered over tables larger than its core's cache, so each read waits for memory
    unless it was asked for early (the C word2vec and gensim do not ask)."""
    for col in range(0, table.shape[1], LINE_FLOATS):
        _prefetch(table, row, col)


def seed_state(rng: np.random.Generator) -> np.uint64:
    """A kernel's starting state, drawn from the caller's Generator (so its saved state fixes ours)."""
    return np.uint64(rng.integers(0, 2**63, dtype=np.int64))
