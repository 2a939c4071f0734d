"""Errors the services raise; each carries a message fit to show a person as is."""

from __future__ import annotations


class VenvDeckError(Exception):
    """Base of every error venvdeck reports to a person (one clear line, no traceback)."""


class ConfigError(VenvDeckError):
    """The config file is unreadable or malformed."""


class EnvironmentNotFound(VenvDeckError):
    """A path given by the user is not a Python environment or interpreter."""


class InterpreterError(VenvDeckError):
    """An environment's interpreter is missing, will not start, hangs or answers nonsense."""


class OperationFailed(VenvDeckError):
    """A subprocess ran and failed; `stderr_tail` keeps its last lines for the log."""

    def __init__(self, message: str, stderr_tail: str = "", returncode: int | None = None) -> None:
        super().__init__(message)
        self.stderr_tail = stderr_tail
        self.returncode = returncode  # None: it never exited by itself (timed out)


class OperationCancelled(VenvDeckError):
    """The user (or a signal) cancelled a running operation; its processes were stopped."""


class InvalidRequirementError(VenvDeckError):
    """Something typed or read as a requirement is not one (nothing ran)."""


class RefusedError(VenvDeckError):
    """A safety rule refused the operation (nothing was changed)."""


class EnvironmentBusy(VenvDeckError):
    """Another operation is changing this environment right now."""


class UnreadableFile(OSError):
    """A file venvdeck will not read: not a regular file (a FIFO, a device), or over its size bound."""


class TargetExists(RefusedError):
    """The file to write exists and overwriting was not asked for (a dashboard asks, then forces).
    added / removed: the requirement lines writing it would add and drop (None: it was not read)."""

    def __init__(
        self, message: str, added: tuple[str, ...] | None = None, removed: tuple[str, ...] | None = None
    ) -> None:
        super().__init__(message)
        self.added = added
        self.removed = removed


class ExternallyManaged(RefusedError):
    """PEP 668: the interpreter asks not to be changed by pip; only an explicit override proceeds."""


class PackageNotFound(VenvDeckError):
    """A distribution named by the user is not installed in the environment."""


class NoInterpreter(RefusedError):
    """No installed interpreter fits what was asked; `available` lists the versions there are."""

    def __init__(self, message: str, available: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.available = available
