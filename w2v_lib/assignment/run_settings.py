"""A run's settings on disk (config.json) and the decision every run starts with: fresh, resumed, or
refused. `RunSettings` is the part of `RunFolder` (run_folder.py) that does this; it uses the
folder's paths and its ownership (run_owner.py).
"""
from __future__ import annotations

import json
from pathlib import Path

from .._files import atomic_file
from ..optimizer import CHECKPOINT_PATTERN
from .loss_history import finished_at
from .run_errors import RunExistsError, RunSettingsError


def _refuse_constant(path, word):
    raise RunSettingsError(f"{path} holds {word}, which is not a setting: restore it, or start the run again "
                           "with --overwrite")


def setting_changes(saved: dict, config: dict) -> list:
    """The settings `config` changes of `saved` ("name before → now"), for resume's message."""
    return [f"{key} {saved.get(key)} → {config.get(key)}" for key in sorted(set(saved) | set(config))
            if saved.get(key) != config.get(key)]


class RunSettings:
    """config.json, and starting or resuming a run (a RunFolder's part)."""

    def read_config(self) -> dict | None:
        """config.json as a dict (None if there is no file); anything but a JSON object is refused."""
        if not self.config_path.is_file():
            return None
        try:
            saved = json.loads(self.config_path.read_text(encoding="utf-8"),
                               parse_constant=lambda word: _refuse_constant(self.config_path, word))
        except RunSettingsError:
            raise
        except (ValueError, UnicodeDecodeError) as err:
            raise RunSettingsError(f"{self.config_path} is not readable JSON ({err}); "
                                   "restore it, or start the run again with --overwrite") from err
        if not isinstance(saved, dict):
            raise RunSettingsError(f"{self.config_path} must hold a JSON object of the run's settings; got "
                                   f"{json.dumps(saved)[:40]}: restore it, or start the run again with --overwrite")
        return saved

    def write_config(self, config: dict) -> None:
        with self.writing():
            self.path.mkdir(parents=True, exist_ok=True)
            with atomic_file(self.config_path) as fh:
                fh.write((json.dumps(config, indent=1) + "\n").encode("utf-8"))

    def _reruns_itself(self, config: dict, iterations: int | None, changes=setting_changes) -> bool:
        """Whether a fresh run of `config` for `iterations` rewrites every file here as it is (nothing lost):
        the same settings, a finished run no longer than the new one, no checkpoint past its end."""
        done = finished_at(self.losses_path)
        if iterations is None or done is None or done > iterations or not self.vectors_path.is_file():
            return False
        latest = self.latest_checkpoint()
        if latest is not None and int(CHECKPOINT_PATTERN.match(latest.name).group(1)) > done:
            return False
        try:
            saved = self.read_config()
        except RunSettingsError:
            return False
        return saved is not None and not changes(saved, config)

    def begin(self, config: dict, resume=False, overwrite: bool = False, log=print,
              iterations: int | None = None, check_saved=None, changes=setting_changes) -> Path | None:
        """Start or resume a run with `config`; returns the checkpoint to resume from (None: fresh).

        Holds the folder's lock while it works (callers that train hold it for the whole run:
        `owned`). `resume` is False (a fresh run), True (the latest checkpoint; none yet, in a
        folder whose config.json matches: iteration 0) or a checkpoint path.
        A folder that is not a run's (no marker, files a run did not write) is refused
        (NotARunFolderError); with `overwrite` a run is added beside those files, but a config.json
        that is not a run's is never replaced. A fresh run in a folder that holds an earlier run's
        checkpoints, losses or vectors is refused (RunExistsError, saying what is there) unless
        `overwrite`, which deletes them (and only them), or unless it is the same run again: the
        folder's run finished, with the same config, in no more than `iterations`, so that every
        file is rewritten as it was (a notebook run twice).
        Resuming: config.json is checked by `check_saved(saved)` (field by field), and a run whose
        results `config` would change is refused (RunSettingsError), naming what `changes(saved,
        config)` lists (by default every setting that differs). Leftover temporary files of killed writes are removed.
        """
        if resume and overwrite:
            raise RunSettingsError("resume and overwrite exclude each other: continue the run or start it over")
        self.check_location()
        with self.owned():
            self.remove_leftovers()
            self.check_not_foreign(overwrite)
            resume_from = None
            if resume:
                resume_from = self._resume_point(config, resume, log, check_saved, changes)
            elif what := self.found():
                if not overwrite and self._reruns_itself(config, iterations, changes):
                    overwrite = True
                    if log:
                        log(f"{self.path} holds this same run, finished: it is trained again and its files rewritten")
                if not overwrite:
                    latest = self.latest_checkpoint()
                    hint = (f"continue it from {latest.name} with --resume (resume=True), " if latest else "")
                    raise RunExistsError(f"{self.path} already holds a run ({what}): {hint}start over with "
                                         "--overwrite (overwrite=True), which deletes it, or choose another "
                                         "--run-dir (run_dir=)")
                self.start_fresh()
            self.mark()
            self.write_config(config)
        return resume_from

    def _resume_point(self, config: dict, resume, log, check_saved, changes) -> Path | None:
        """The checkpoint a resume continues from (None: iteration 0), after checking the saved settings."""
        saved = self.read_config()
        if saved is not None and check_saved is not None:
            check_saved(saved)
        if saved is not None and (changed := changes(saved, config)):
            raise RunSettingsError(f"cannot resume {self.path}: it would change the run's results; "
                                   f"{'; '.join(changed)}. Resume with the run's own settings, or start "
                                   "over with --overwrite (overwrite=True), or in another --run-dir")
        resume_from = Path(resume) if not isinstance(resume, bool) else self.latest_checkpoint()
        if resume_from is None and saved is None:
            raise RunSettingsError(f"resume was asked for but {self.path} holds no run (no config.json, "
                                   "no checkpoint): check --run-dir, or train without --resume")
        if resume_from is None and log:  # stopped before its first checkpoint: iteration 0 is where it resumes
            log(f"{self.path} holds no checkpoint yet: the run starts again from iteration 0")
        return resume_from
