"""What every dialog shares: its own row of keys at the bottom, over the dashboard's (which would
offer keys that do nothing while the dialog is up)."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

from venvdeck.widgets.keys_footer import KeysFooter

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    def on_mount(self) -> None:
        # Called for this class and for each dialog's own on_mount (Textual runs every class's).
        self.mount(KeysFooter(compact=True))
