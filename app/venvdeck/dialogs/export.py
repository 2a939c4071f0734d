"""Asking where to write the requirements (or to copy them to the clipboard instead)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static

from venvdeck.dialogs.base import Dialog


@dataclass(frozen=True, slots=True)
class ExportRequest:
    path: Path | None  # None: copy to the clipboard
    top_level: bool


class ExportScreen(Dialog[ExportRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="venvdeck.export_cancel")
    ]

    def __init__(
        self, environment_name: str, suggestion: Path | None, top_level: bool, base: Path | None = None
    ) -> None:
        """base: where a relative name goes (the suggested file's folder, else home): the folder
        venvdeck was started in is nowhere on screen."""
        super().__init__()
        self.environment_name = environment_name
        self.suggestion = suggestion
        self.top_level = top_level
        self.base = base or (suggestion.parent if suggestion is not None else Path.home())

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Text(f"Export the requirements of {self.environment_name}", style="bold"), id="dialog-title"
            )
            yield Input(
                str(self.suggestion or ""),
                placeholder="path/to/requirements.txt",
                id="export-path",
                compact=True,
            )
            yield Checkbox("top-level only (what the user asked for)", self.top_level, id="export-top-level")
            yield Static(
                Text(
                    f"a relative name goes in {self.base}; written atomically; "
                    "an existing file is replaced only if you confirm",
                    style="dim",
                ),
                id="export-hint",
            )
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Copy to clipboard", id="copy")
                yield Button("Write file", id="write", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus(scroll_visible=False)

    def _top_level(self) -> bool:
        return self.query_one("#export-top-level", Checkbox).value

    @on(Button.Pressed, "#write")
    @on(Input.Submitted, "#export-path")
    def _write(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.notify("Say which file to write (or copy to the clipboard).", severity="error", markup=False)
            return
        chosen = Path(path).expanduser()
        self.dismiss(ExportRequest(chosen if chosen.is_absolute() else self.base / chosen, self._top_level()))

    @on(Button.Pressed, "#copy")
    def _copy(self) -> None:
        self.dismiss(ExportRequest(None, self._top_level()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
