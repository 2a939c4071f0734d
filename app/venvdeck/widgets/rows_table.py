"""A DataTable that moves with the same keys as every list in venvdeck: j k g G, beside the arrows."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable


class RowsTable(DataTable[object]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="venvdeck.rows_down"),
        Binding("k", "cursor_up", "Up", show=False, id="venvdeck.rows_up"),
        Binding("g", "scroll_top", "Top", show=False, id="venvdeck.rows_top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="venvdeck.rows_bottom"),
    ]


class TextScroll(VerticalScroll):
    """Scrolling text (the help) with the same keys, at once (no glide to watch)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "line(1)", "Down", show=False, id="venvdeck.text_down"),
        Binding("k", "line(-1)", "Up", show=False, id="venvdeck.text_up"),
        Binding("g", "top", "Top", show=False, id="venvdeck.text_top"),
        Binding("G", "bottom", "Bottom", show=False, id="venvdeck.text_bottom"),
    ]

    def action_line(self, step: int) -> None:
        self.scroll_relative(y=step, animate=False)

    def action_top(self) -> None:
        self.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.scroll_end(animate=False)
