"""The terminal driver: Textual's own, except that quitting does not wait for its key thread.

Textual's Linux driver stops its key thread by joining it, and the thread sits in select() for up
to 0.1 s, then once more for its last read: 0.1-0.2 s between `q` and a usable shell. When the app
is quitting, the process ends right after the terminal is restored (see cli/main.py), so the
thread is told to stop and left to die with it. Suspending (the shell key) still joins it: there
the thread must be gone before the shell reads the terminal.
"""

from __future__ import annotations

import signal

from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver


class QuickExitDriver(LinuxDriver):
    def disable_input(self) -> None:
        if not getattr(self._app, "quitting", False) or self.exit_event.is_set():
            super().disable_input()
            return
        signal.signal(signal.SIGWINCH, signal.SIG_DFL)
        self._disable_mouse_support()
        self.exit_event.set()


def driver_for(default: type[Driver]) -> type[Driver]:
    """Textual's choice (TEXTUAL_DRIVER, the platform's), with the quick exit where it is Linux's."""
    return QuickExitDriver if default is LinuxDriver else default
