"""What can go wrong with a run folder: one exception class per case, each message one line saying
what was found and what to do (the command line prints it as it is)."""
from __future__ import annotations


class RunFolderError(Exception):
    """A run folder cannot be used as asked; the message (one line) says what was found and what to do."""


class RunExistsError(RunFolderError, FileExistsError):
    """A fresh run was asked for in a folder that holds an earlier run's data."""


class RunSettingsError(RunFolderError, ValueError):
    """Resuming a run with settings other than its own, or with nothing to resume from."""


class RunWriteError(RunFolderError, OSError):
    """The folder cannot be written: read-only or full disk, no permission, a file in the way."""


class RunBusyError(RunFolderError, BlockingIOError):
    """Another process owns the run folder (holds its lock) right now."""


class NotARunFolderError(RunFolderError, FileExistsError):
    """The folder holds files that are not a run's; nothing is written there without overwrite."""
