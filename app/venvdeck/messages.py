"""Messages that travel up to the main screen when something changed on disk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from venvdeck.models import CheckReport, Environment


class EnvironmentChanged(Message):
    """An operation changed an environment (or may have): its packages and size are read again.
    environment: what it is now, when the change made it another (a rebuild: no longer broken)."""

    def __init__(self, path: Path, environment: Environment | None = None) -> None:
        super().__init__()
        self.path = path
        self.environment = environment


class EnvironmentCreated(Message):
    def __init__(self, environment: Environment) -> None:
        super().__init__()
        self.environment = environment


class EnvironmentDeleted(Message):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class OperationsChanged(Message):
    """An operation started or ended: which keys apply, and the log's status, change."""


class EnvironmentChecked(Message):
    """What `pip check` would say about an environment now (a background check, or after a change)."""

    def __init__(self, report: CheckReport) -> None:
        super().__init__()
        self.report = report
