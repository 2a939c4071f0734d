"""VenvDeckApp: wires the injected service into the main screen; keys that work everywhere live here."""

from __future__ import annotations

import gc
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.screen import Screen

from venvdeck.commands import VenvDeckCommands
from venvdeck.config import Config
from venvdeck.errors import ConfigError
from venvdeck.formatting import shown
from venvdeck.keys import live_keys
from venvdeck.screens.help import HelpScreen
from venvdeck.screens.main import MainScreen

if TYPE_CHECKING:
    from venvdeck.services.protocol import EnvironmentService

# CPython collects its youngest generation every 700 net allocations. Painting one frame of the
# dashboard allocates tens of thousands of short-lived objects (strips, segments, styles), so one key
# ran 40-60 young collections, each promoting whatever was alive at that instant; every few keys that
# added up to a full collection, mid-keystroke: 300-400 ms over the ~300,000 objects a 3,000-package
# environment keeps (its listing, requirement graph and table rows). At 10,000 they die young: one
# full collection in a dozen tab switches instead of four, and none in a typed query.
GC_YOUNG_THRESHOLD = 10_000


class VenvDeckApp(App[None]):
    KEYS_SECTION = "Everywhere"
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

    quitting = False  # read by the terminal driver: no waiting on the way out
    _gc_thresholds: tuple[int, int, int] | None = None  # the process's own, restored on the way out

    def on_mount(self) -> None:
        young, *older = self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), *older)

    def on_unmount(self) -> None:
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)

    def get_driver_class(self) -> type[Driver]:
        default = super().get_driver_class()
        if sys.platform == "win32":
            return default
        from venvdeck.terminal import driver_for

        return driver_for(default)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.service, self.now)

    def action_help(self) -> None:
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if not isinstance(self.screen, HelpScreen) and main is not None:
            screen = main if self.screen.is_modal else self.screen  # a view of its own: its keys
            self.push_screen(HelpScreen(live_keys(self, screen)))

    def _running_titles(self) -> list[str]:
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        return [] if main is None else [r.title for r in main.changes.running.values()]

    async def action_quit(self) -> None:
        """Quit at once, unless changes are running: then ask, and stop them if the answer is yes."""
        if not self._running_titles():
            self.quit_now()
            return
        self._confirm_quit()

    @work(group="quit", exclusive=True, exit_on_error=False)
    async def _confirm_quit(self) -> None:
        from venvdeck.dialogs.confirm import ConfirmScreen

        titles = self._running_titles()
        body = Text(
            "Still running:\n"
            + "\n".join(f"  {shown(t)}" for t in titles)
            + "\n\nQuitting stops them (their processes are killed; pip may leave a half-made install)."
        )
        if await self.push_screen_wait(ConfirmScreen("Quit while changes run?", body, "Quit", danger=True)):
            self.stop_everything()
            self.quit_now()

    def quit_now(self) -> None:
        self.quitting = True
        self.workers.cancel_all()  # discovery and sizes post nothing more: teardown starts now
        self.exit()

    def stop_everything(self) -> None:
        """Kill every operation's processes now (quitting, SIGTERM, SIGHUP)."""
        self.service.stop_all()


def run_dashboard(config: Config, roots: tuple[Path, ...]) -> int:
    """Open the dashboard on the real machine (roots: only these folders)."""
    from venvdeck.services.change.operations import OperationRunner
    from venvdeck.services.change.settings import ActionSettings
    from venvdeck.services.find.discovery import DiscoveryOptions
    from venvdeck.services.local import LocalEnvironmentService

    options = DiscoveryOptions(
        roots=roots, extra_roots=config.roots, excluded=config.exclude, max_depth=config.scan_depth
    )
    service = LocalEnvironmentService(
        options, ActionSettings.detect(config.backend), OperationRunner(timeout_s=config.pip_timeout_s)
    )
    app = VenvDeckApp(service, config)

    def on_signal(_signum: int, _frame: object) -> None:
        service.stop_all()  # at once, before anything else: no pip outlives a closed terminal
        app.quit_now()

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), on_signal)
    try:
        app.run()
    finally:
        service.stop_all()
    return app.return_code or 0
