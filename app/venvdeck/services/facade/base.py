"""What every part of the facade shares: the discovery options, the action settings, the runner
(and its locks), the last complete discovery and the parsed requirements kept in memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from venvdeck.services.change.operations import OperationRunner
from venvdeck.services.change.settings import ActionSettings
from venvdeck.services.find import discovery

if TYPE_CHECKING:
    from pathlib import Path

    from venvdeck.models import Environment, PackageListing
    from venvdeck.services.find.discovery import DiscoveryOptions
    from venvdeck.services.insight.graph import EnvironmentGraph


class FacadeBase:
    def __init__(
        self,
        options: DiscoveryOptions,
        settings: ActionSettings | None = None,
        runner: OperationRunner | None = None,
    ) -> None:
        self.options = options
        self.settings = settings or ActionSettings.detect()
        self.runner = runner or OperationRunner()
        self._known: list[Environment] | None = None  # what the last complete discovery found
        self._graphs: OrderedDict[Path, tuple[PackageListing, EnvironmentGraph]] = OrderedDict()
        self._graph_lock = threading.Lock()

    def _known_environments(self) -> list[Environment]:
        """Every environment discovery finds: the last complete discovery, or a new one."""
        if self._known is not None:
            return self._known
        found: list[Environment] = []
        discovery.discover(self.options, found.append)
        self._known = found
        return found
