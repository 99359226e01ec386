"""`w2v_lib/vectors/` is a lower layer than the assignment's training: none of its modules imports
`w2v_lib.assignment`, not even lazily when a run folder is opened (issue 22: `formats.py` and
`assignment/run_folder.py` imported each other, the circle closed by a lazy `load_run` import)."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

import w2v_lib.vectors

VECTORS = Path(w2v_lib.vectors.__file__).parent
ROOT = VECTORS.parent.parent


def vectors_modules() -> list:
    return sorted(f"w2v_lib.vectors.{p.stem}" for p in VECTORS.glob("*.py") if p.stem != "__init__")


def test_every_vectors_module_is_found():
    """The test below must not pass by importing nothing."""
    assert {"w2v_lib.vectors.formats", "w2v_lib.vectors.vector_folder", "w2v_lib.vectors.projections"} <= set(
        vectors_modules())


def test_vectors_never_import_the_assignment(tmp_path):
    from w2v_lib.assignment import RunFolder, load_run  # the parent may: it writes a run to read back

    words, counts = ["the", "movie", "good"], [5, 3, 2]
    params = np.random.default_rng(0).standard_normal((6, 4))  # (2|Vocab|, d)
    RunFolder(tmp_path / "run").save(words, counts, params)
    program = f"""
import importlib, json, sys
for name in {vectors_modules()!r}:
    importlib.import_module(name)
from w2v_lib.vectors import load_word_vectors
model = load_word_vectors({str(tmp_path / "run")!r}, centred=False)  # a run folder, opened from below
print(json.dumps({{"words": model.words, "counts": model.counts.tolist(), "vectors": model.raw_vectors.tolist(),
                  "assignment": sorted(m for m in sys.modules if m.startswith("w2v_lib.assignment"))}}))
"""
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["assignment"] == []
    run = load_run(tmp_path / "run")  # what the assignment reads is what the lower layer read
    assert seen["words"] == run.words and seen["counts"] == run.counts.tolist()
    assert np.array_equal(np.array(seen["vectors"], dtype=np.float32), run.vectors)
