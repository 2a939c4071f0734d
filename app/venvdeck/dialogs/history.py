"""The operation history (`L`): every operation of this session, and any one's whole output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, RichLog, Static
from textual.widgets.option_list import Option

from venvdeck.dialogs.base import Dialog
from venvdeck.formatting import shown

if TYPE_CHECKING:
    from venvdeck.widgets.operation_log import LogEntry


def _label(entry: LogEntry) -> Text:
    if entry.outcome is None:
        mark, style = "…", "bold"
    else:
        mark, style = ("✓", "green") if entry.outcome[1] else ("✗", "red")
    took = f"  {entry.ended - entry.started:.1f} s" if entry.ended is not None else "  running"
    return Text.assemble((f"{mark} ", style), shown(entry.title), (took, "dim"))


class HistoryScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="venvdeck.history_close"),
    ]

    def __init__(self, entries: Sequence[LogEntry]) -> None:
        super().__init__()
        self.entries = list(reversed(entries))  # newest first

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-wide"):
            yield Static(Text("Operations this session", style="bold"), id="dialog-title")
            if not self.entries:
                yield Static(Text("Nothing has run yet.", style="dim"))
                return
            with Horizontal(id="history-panes"):
                yield OptionList(
                    *(Option(_label(e), id=str(i)) for i, e in enumerate(self.entries)), id="history-list"
                )
                # min_width=1: wrapped at the width shown (RichLog's default of 78 cut narrower lines).
                yield RichLog(id="history-output", wrap=True, markup=False, highlight=False, min_width=1)
            yield Static(Text("↑ ↓ choose · escape closes", style="dim"))

    def on_mount(self) -> None:
        if self.entries:
            self.call_after_refresh(self._show, 0)  # once laid out: wrapped at its real width

    @on(OptionList.OptionHighlighted, "#history-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(int(event.option.id or 0))

    def _show(self, index: int) -> None:
        output = self.query_one("#history-output", RichLog)
        output.clear()
        entry = self.entries[index]
        for line in entry.lines:
            output.write(line)
