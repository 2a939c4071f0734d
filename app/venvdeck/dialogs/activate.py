"""Activating an environment: a shell inside it, or the command to paste in your own."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from venvdeck.dialogs.base import Dialog
from venvdeck.formatting import shown

if TYPE_CHECKING:
    from venvdeck.models import ActivationCommand


class ActivateScreen(Dialog[bool]):
    """True: open a shell here. Choosing a command copies it to the clipboard."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="venvdeck.activate_close"),
        Binding("o", "open_shell", "Open shell", id="venvdeck.activate_open"),
    ]

    def __init__(self, environment_name: str, commands: list[ActivationCommand]) -> None:
        super().__init__()
        self.environment_name = environment_name
        self.commands = commands

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Activate {self.environment_name}", style="bold"), id="dialog-title")
            yield OptionList(
                *(
                    Option(
                        Text.assemble(
                            (f"{c.shell:<8}", "bold"),
                            (shown(c.command), "cyan") if c.command is not None else (f"— {c.reason}", "dim"),
                        ),
                        id=str(i),
                    )
                    for i, c in enumerate(self.commands)
                ),
                id="activate-commands",
            )
            yield Static(
                Text("enter copies the command · o opens a shell here; exit it to come back", style="dim")
            )
            with Horizontal(id="dialog-buttons"):
                yield Button("Close", id="close")
                yield Button("Open a shell here (o)", id="open", variant="primary")

    @on(OptionList.OptionSelected)
    def _copy(self, event: OptionList.OptionSelected) -> None:
        command = self.commands[int(event.option.id or 0)]
        if command.command is None:
            self.notify(f"Nothing to copy for {command.shell}: {command.reason}.", timeout=3, markup=False)
            return
        self.app.copy_to_clipboard(command.command)
        self.notify(f"Copied: {shown(command.command)}", timeout=3, markup=False)

    @on(Button.Pressed, "#open")
    def action_open_shell(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(False)
