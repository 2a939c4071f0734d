"""VenvDeckApp: wires the injected service into the main screen; keys that work everywhere live here."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from venvdeck.commands import VenvDeckCommands
from venvdeck.config import Config
from venvdeck.errors import ConfigError
from venvdeck.screens.help import HelpScreen
from venvdeck.screens.main import MainScreen
from venvdeck.services.protocol import EnvironmentService


class VenvDeckApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "venvdeck"
    COMMANDS = App.COMMANDS | {VenvDeckCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="venvdeck.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="venvdeck.help"),
    ]

    def __init__(
        self,
        service: EnvironmentService,
        config: Config | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.service = service
        self.config = config or Config()
        self.now = now
        if self.config.theme not in self.available_themes:
            known = ", ".join(sorted(self.available_themes))
            raise ConfigError(f"unknown theme '{self.config.theme}' (known: {known})")
        self.theme = self.config.theme
        if self.config.keymap:
            self.set_keymap(dict(self.config.keymap))

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.service, self.now)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def run_dashboard(config: Config, roots: tuple[Path, ...]) -> int:
    """Open the dashboard on the real machine (roots: only these folders)."""
    from venvdeck.services.actions import ActionSettings
    from venvdeck.services.discovery import DiscoveryOptions
    from venvdeck.services.local import LocalEnvironmentService
    from venvdeck.services.operations import OperationRunner

    options = DiscoveryOptions(
        roots=roots, extra_roots=config.roots, excluded=config.exclude, max_depth=config.scan_depth
    )
    service = LocalEnvironmentService(
        options, ActionSettings.detect(config.backend), OperationRunner(timeout_s=config.pip_timeout_s)
    )
    VenvDeckApp(service, config).run()
    return 0
