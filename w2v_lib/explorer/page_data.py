"""What the offline page carries, packed so that 400,000 words × 300 dimensions still make a page.

The page answers every question itself (a word's neighbours, `king - man + woman`, part of a
word), so it carries, for |Vocab| words:

- the words (JSON), their counts (uint32) and colour groups (uint8), if any;
- the 2-D coordinates drawn (float32, 8 bytes a word);
- the vectors the questions use (centred when the model is), as float16 (2 bytes a number).
  Float16 keeps cosine scores to about 1e-3: on the Wikipedia sample (9,002 × 100) 98 % of the
  words get exactly the same ten neighbours in the same order as the float32 vectors, and 99.97 %
  of the neighbours are the same. When |Vocab| × D × 2 bytes exceeds `vector_budget`, the vectors are
  first projected on their top principal directions (of the uncentred second moment, so that the
  projection is linear and commutes with word arithmetic) to the dimension the budget allows,
  never fewer than MIN_DIM; the page says so and how much of the vectors' energy it keeps.
  The directions are fitted on at most FIT_ROWS evenly spaced rows (`fit_rows`): at 400,000
  words the sample's directions are as good, and the fit costs an eighth.

Binary arrays travel as base64 inside the JSON (little-endian, row-major). All vectors are divided
by one common scale (a power of two) so float16 neither overflows nor loses small values; cosine
and word arithmetic are unchanged by a common scale, and `scale` lets the page undo it.
"""
from __future__ import annotations

import base64
import functools
import re
import unicodedata

import numpy as np

VECTOR_BUDGET = 32_000_000  # bytes of float16 vectors in a page (base64 adds a third)
MIN_DIM = 16
FIT_ROWS = 50_000  # rows a projection is fitted on, at most
_SURROGATE = re.compile("[\ud800-\udfff]")


def b64(array, dtype) -> str:
    """The array's bytes as `dtype` (little-endian), base64-encoded."""
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()).decode()


def fit_rows(n: int) -> np.ndarray:
    """At most FIT_ROWS evenly spaced row indices of n (all of them when n is small); a vocabulary
    sorted by frequency gives a sample of every frequency."""
    return np.arange(n) if n <= FIT_ROWS else np.linspace(0, n - 1, FIT_ROWS).round().astype(np.int64)


def page_vectors(vectors, budget: int = VECTOR_BUDGET):
    """(|Vocab|, d) float16 vectors for the page, d ≤ D, and a note of what they are.

    Returns (float16 array, scale, kept) where the page's vectors times `scale` are the model's
    vectors (projected when d < D), and `kept` is the share of Σ‖v‖² the projection keeps (1.0
    when nothing is dropped).
    """
    vectors = np.asarray(vectors, dtype=np.float32)  # (|Vocab|, D)
    n, dim = vectors.shape
    kept = 1.0
    target = max(MIN_DIM, budget // (2 * max(n, 1)))
    if target < dim:
        sample = vectors[fit_rows(n)]  # (m, D)
        second = (sample.T @ sample).astype(np.float64)  # (D, D) uncentred: a linear map keeps a - b + c
        energy, basis = np.linalg.eigh(second)  # ascending
        top = basis[:, ::-1][:, :target]  # (D, d)
        top *= np.where(top[np.abs(top).argmax(axis=0), np.arange(target)] < 0, -1.0, 1.0)  # fixed signs
        total = float(energy.sum())
        kept = float(energy[::-1][:target].sum() / total) if total > 0 else 1.0
        vectors = vectors @ top.astype(np.float32)  # (|Vocab|, d)
    peak = float(np.abs(vectors).max()) if vectors.size else 0.0
    scale = 2.0 ** (np.ceil(np.log2(peak)) - 10) if peak > 0 else 1.0  # |v / scale| ≤ 1024
    return (vectors / scale).astype(np.float16), float(scale), kept


def script_json(data) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' characters, and lone
    surrogates (which UTF-8 cannot store) as \\uXXXX escapes, which JSON.parse turns back into them."""
    text = json_dumps(data)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_dumps(data) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def plain_text(text: str) -> str:
    """`text` with lone surrogates replaced by U+FFFD, for places that are not JSON (title, legend)."""
    return _SURROGATE.sub("\ufffd", text)


@functools.cache
def python_text_classes() -> dict:
    """The characters Python's str.isspace() accepts and the zeros of the Unicode digit runs (what
    `\\d` and float() accept), so that the page's expression tokenizer reads text exactly as
    w2v_lib.vectors.expressions does."""
    spaces = "".join(chr(c) for c in range(0x3000 + 1) if chr(c).isspace())
    zeros = [c for c in range(0x110000) if unicodedata.decimal(chr(c), -1) == 0]
    return {"spaces": spaces, "digit_zeros": zeros}
