"""A one-line question: a number of days, a name."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from venvdeck.dialogs.base import Dialog


class AskScreen(Dialog[str | None]):
    """Returns what was typed (enter), or None (escape). number: only a positive number is taken."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="venvdeck.ask_cancel")]

    def __init__(self, question: str, suggestion: str = "", *, number: bool = False) -> None:
        super().__init__()
        self.question = question
        self.suggestion = suggestion
        self.number = number

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question, style="bold"), id="dialog-title")
            yield Input(self.suggestion, id="ask-answer", type="number" if self.number else "text")
            yield Static(Text("enter answers · escape cancels", style="dim"))

    @on(Input.Submitted, "#ask-answer")
    def _submitted(self, event: Input.Submitted) -> None:
        answer = event.value.strip()
        if self.number:
            try:
                if float(answer) < 0:
                    raise ValueError
            except ValueError:
                self.notify("Type a number of 0 or more.", severity="error", markup=False)
                return
        if answer:
            self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
