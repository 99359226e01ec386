"""Word vectors whose answers are known, and run folders built from them."""
import numpy as np

from w2v_lib import save_run, sgd


def toy_vectors(n_filler=40, dim=12, seed=0):
    """(words, (|Vocab|, dim) vectors, counts) with a planted gender and royalty structure."""
    rng = np.random.default_rng(seed)
    royal, male, female, pos = (np.eye(dim)[i] * 3.0 for i in range(4))
    planted = {"king": royal + male, "queen": royal + female, "man": male, "woman": female,
               "good": pos, "great": pos + 0.3 * np.eye(dim)[5], "bad": -pos,
               "<script>": np.eye(dim)[6] * 2, "-lrb-": np.eye(dim)[7] * 2, "'s": np.eye(dim)[8] * 2}
    words = list(planted) + [f"filler{i}" for i in range(n_filler)]
    filler = 0.3 * rng.standard_normal((n_filler, dim))  # small: far from every planted direction
    vectors = np.vstack([np.stack(list(planted.values())), filler]).astype(np.float32)  # (|Vocab|, dim)
    vectors[: len(planted)] += 0.05 * rng.standard_normal((len(planted), dim)).astype(np.float32)
    counts = np.concatenate([np.array([500, 400, 2000, 1500, 3000, 800, 700, 3, 5000, 9000]),
                             rng.integers(1, 50, n_filler)])
    return words, vectors, counts


def make_run(tmp_path, n_checkpoints=4, seed=0):
    """A training run folder like the SST run's: vocab.tsv, vectors.txt and sgd checkpoints.

    The "training" pulls stacked (2|Vocab|, d) parameters towards the toy vectors on a quadratic,
    so the checkpoints move from noise to the final picture.
    """
    words, vectors, counts = toy_vectors(seed=seed)
    d = vectors.shape[1] // 2
    target = np.concatenate([vectors[:, :d], vectors[:, d:]], axis=0).astype(np.float64)  # (2|Vocab|, d)
    x0 = 0.01 * np.random.default_rng(seed).standard_normal(target.shape)
    iterations = 10 * n_checkpoints
    result = sgd(lambda x: (0.5 * float(((x - target) ** 2).sum()), x - target), x0, 0.05, iterations,
                 checkpoint_every=10, checkpoint_dir=tmp_path / "checkpoints", progress=False, log=None)
    save_run(tmp_path, words, counts, result.x)
    return tmp_path


def offset_vectors(offset=20.0):
    """(words, (6, 4) vectors): a large shared offset o = 20·e0 plus small parts that cancel out.

    The parts: a = 3e1, a_short = e1 (a's direction, 2 away), b = 3 at 20° from e1 (1.04 away),
    and their mirror images. Seen from the origin every word is nearly along o, so raw cosine
    ranks by the distance between parts (b first); after subtracting the mean (= o) cosine ranks
    by direction (a_short first).
    """
    e = np.eye(4)
    tilted = 3.0 * (np.cos(np.radians(20)) * e[1] + np.sin(np.radians(20)) * e[2])
    parts = {"a": 3.0 * e[1], "a_short": e[1], "b": tilted}
    parts.update({f"n{w}": -v for w, v in list(parts.items())})
    return list(parts), (np.stack(list(parts.values())) + offset * e[0]).astype(np.float32)
