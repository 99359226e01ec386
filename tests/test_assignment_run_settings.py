"""Issue 22, part 4: a hand-edited config.json, checkpoints that training never wrote, settings the
machine cannot hold, and resumes that would change a run's results: each refused with one message
naming the file and field (or the figures)."""
import json

import numpy as np
import pytest
from support.messages import says
from support.training import tiny_train

from w2v_lib import _limits
from w2v_lib.assignment import RunFolder, RunSettingsError
from w2v_lib.optimizer import load_checkpoint


@pytest.fixture
def run(tmp_path):
    folder = RunFolder(tmp_path / "run")
    tiny_train(folder.path, iterations=40)
    return folder


@pytest.mark.parametrize("text, match", [
    ("[]", r"config.json must hold a JSON object of the run's settings; got \[\]"),
    ("42", "must hold a JSON object .* got 42"),
    ("null", "must hold a JSON object .* got null"),
    ("NaN", "config.json holds NaN, which is not a setting"),
    ('{"seed": 3, "method": "vectorized", "n_words": 1, "corpus": "x", "step": NaN}', "holds NaN"),
    ('{"seed": "3", "method": "vectorized", "n_words": 1, "corpus": "x"}', "field 'seed' must be an integer"),
    ('{"seed": 3, "method": "fast", "n_words": 1, "corpus": "x"}', "field 'method' must be one of"),
    ('{"seed": 3, "method": "vectorized", "n_words": -4, "corpus": "x"}', "field 'n_words' must be a positive"),
    ('{"seed": 3, "method": "vectorized", "n_words": 1, "corpus": "x", "step": -1}', "field 'step' must be a pos"),
])
def test_a_hand_edited_config_is_named_field_by_field(run, text, match):
    """Before: [] and 42 gave a raw AttributeError, null counted as no config."""
    run.config_path.write_text(text)
    with pytest.raises(RunSettingsError, match=match) as err:
        tiny_train(run.path, iterations=60, resume=True)
    assert str(run.config_path) in str(err.value) and "\n" not in str(err.value)
    assert run.config_path.read_text() == text  # not rewritten


def test_a_resume_that_changes_the_results_is_refused_and_config_kept(run):
    before = run.config_path.read_text()
    for other, words in (({"seed": 4}, "seed 3 → 4"), ({"method": "compiled"}, "method vectorized → compiled"),
                         ({"step": 0.1}, "step 0.3 → 0.1")):
        with pytest.raises(RunSettingsError, match=f"would change the run's results; {words}"):
            tiny_train(run.path, iterations=60, resume=True, **other)
    # the vectorized draws are grouped by the checkpoint interval: said in the user's terms
    with pytest.raises(RunSettingsError, match=r"the checkpoint interval: .*--checkpoint-every 20") as err:
        tiny_train(run.path, iterations=60, resume=True, checkpoint_every=30)
    assert "draw_ahead" not in str(err.value)
    assert run.config_path.read_text() == before


def _edit_checkpoint(path, **fields):
    with np.load(path) as saved:
        data = {k: saved[k] for k in saved.files}
    data.update(fields)
    with open(path, "wb") as fh:
        np.savez(fh, **data)


@pytest.mark.parametrize("fields, match", [
    ({"iteration": np.int64(10**12)}, "field 'iteration' is 1000000000000, but the file name says 20"),
    ({"iteration": np.int64(-5)}, "field 'iteration' is -5"),
    ({"rng_state": np.str_('{"bit_generator": "PCG64", "state": "garbage"}')}, "field 'rng_state' is not a valid"),
    ({"rng_state": np.str_("[1, 2]")}, "field 'rng_state' is not a numpy random state"),
    ({"rng_state": np.str_("{oops")}, "field 'rng_state' is not JSON"),
    ({"step": np.float64(-0.3)}, "field 'step' must be a positive finite number; got -0.3"),
    ({"step": np.float64(0.0)}, "field 'step' must be a positive finite"),
    ({"step": np.float64(np.nan)}, "field 'step' must be a positive finite"),
    ({"x": np.ones((4, 2), dtype=np.complex64)}, "field 'x' must hold real numbers; got dtype complex64"),
    ({"x": np.full((4, 2), np.nan, dtype=np.float32)}, "field 'x' holds NaN or infinite values"),
    ({"iteration": np.array([20, 20])}, "field 'iteration' must be a single integer"),
])
def test_a_checkpoint_training_never_wrote_is_named_field_by_field(run, fields, match):
    """Before: 1e12 → a 7.28 TiB MemoryError, −5 → "negative dimensions", garbage state → a raw
    TypeError; negative, zero or NaN steps and complex parameters were accepted."""
    target = run.checkpoint_dir / "sgd_00000020.npz"
    _edit_checkpoint(target, **fields)
    with pytest.raises(ValueError, match=match) as err:
        tiny_train(run.path, iterations=60, resume=target)
    assert str(target) in str(err.value)
    if "is not a valid" not in match:  # the state's contents: numpy's Generator is the judge, on restore
        with pytest.raises(ValueError, match=match):
            load_checkpoint(target)


def test_a_nan_checkpoint_with_nothing_left_to_train_is_refused(run):
    """Before: resuming it wrote NaN vectors and exited 0."""
    latest = run.latest_checkpoint()
    with np.load(latest) as saved:
        x = saved["x"].copy()
    x[3] = np.nan
    _edit_checkpoint(latest, x=x)
    run.vectors_path.unlink()
    with pytest.raises(ValueError, match=says('sgd_00000040.npz', "'x'", 'NaN')):
        tiny_train(run.path, iterations=40, resume=True)
    assert not run.vectors_path.exists()


def test_a_checkpoint_of_another_run_is_refused_through_resume_path(run, tmp_path):
    """Before: a checkpoint from another seed was accepted through train_sst(resume=<path>)."""
    other = RunFolder(tmp_path / "other")
    tiny_train(other.path, iterations=40, seed=9)
    with pytest.raises(RunSettingsError, match="written by a run with another seed"):
        tiny_train(run.path, iterations=60, resume=other.checkpoints()[0])
    tiny_train(other.path, iterations=40, step=0.15, overwrite=True)  # the same seed, another step
    with pytest.raises(RunSettingsError, match=r"holds step 0.15 at iteration 20.*another --step"):
        tiny_train(run.path, iterations=60, resume=other.checkpoints()[0])
    with pytest.raises(RunSettingsError, match=says('sgd_00000040.npz', '40', '30', '--iterations')):
        tiny_train(run.path, iterations=30, resume=run.checkpoints()[-1])


@pytest.mark.parametrize("setting", [{"negatives": 100000}, {"batch_size": 1000000}, {"copies": 100000},
                                     {"iterations": 10**12}, {"dim": 5000}])
@pytest.mark.parametrize("method", ["vectorized", "compiled"])
def test_settings_the_machine_cannot_hold_are_refused_before_allocating(tmp_path, monkeypatch, setting, method):
    """Before: raw MemoryErrors of 46–169 GiB (7 TiB for the iterations)."""
    monkeypatch.setattr(_limits, "available_memory", lambda: 2 << 30)  # a 2 GiB machine, on any machine
    real = _limits.free_disk
    monkeypatch.setattr(_limits, "free_disk", lambda path: min(real(path) or 0, 1 << 30))  # 1 GiB free
    from support.training import synthetic_sentences

    from w2v_lib import train_sst

    sentences = synthetic_sentences()
    if "dim" in setting:  # the SST's vocabulary size: 20,000 words of 5,000-d vectors are 800 MB a checkpoint
        sentences = sentences + [[f"w{i}" for i in range(j, j + 10)] for j in range(0, 20000, 10)]
    setting = dict(setting)  # parametrize shares the dict between the methods
    kw = dict(iterations=setting.pop("iterations", 40), checkpoint_every=20, log=None, method=method)
    with pytest.raises(_limits.ResourceLimitError, match=r"would (need|write) about [\d.,]+ [KMGTP]i?B.* has "
                                                         r"[\d.,]+ [KMGTP]i?B (available|free): ") as err:
        train_sst(run_dir=tmp_path / "run", sentences=sentences, **kw, **setting)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "run").exists()  # refused before anything was written


def test_the_compiled_results_do_not_depend_on_the_checkpoint_interval(tmp_path):
    """Before: --checkpoint-every 300 and 400 gave other vectors than 500."""
    pytest.importorskip("numba")
    runs = [tiny_train(tmp_path / f"every{every}", iterations=600, checkpoint_every=every, method="compiled",
                        anneal_every=250) for every in (0, 100, 300, 400, 600)]
    for other in runs[1:]:
        np.testing.assert_array_equal(other.params, runs[0].params)
        np.testing.assert_array_equal(other.losses, runs[0].losses)
    # and a resume with another interval is accepted: it changes nothing
    cut = RunFolder(tmp_path / "cut")
    tiny_train(cut.path, iterations=300, checkpoint_every=300, method="compiled", anneal_every=250)
    resumed = tiny_train(cut.path, iterations=600, checkpoint_every=100, method="compiled", anneal_every=250,
                          resume=True)
    np.testing.assert_array_equal(resumed.params, runs[0].params)
    assert json.loads(cut.config_path.read_text())["checkpoint_every"] == 100


def test_the_fast_trainer_refuses_tables_the_machine_cannot_hold(monkeypatch):
    from support.training import synthetic_sentences

    from w2v_lib.fast.trainer import train_word2vec

    monkeypatch.setattr(_limits, "available_memory", lambda: 1 << 30)  # a 1 GiB machine, on any machine
    with pytest.raises(_limits.ResourceLimitError, match=r"vector_size=100000.* would need about [\d.]+ GiB of memory; "
                                                         r"this machine has 1.0 GiB available"):
        train_word2vec(synthetic_sentences(), vector_size=100_000, min_count=1, epochs=1)
    assert len(train_word2vec(synthetic_sentences(), vector_size=8, min_count=1, epochs=1).words) > 5
