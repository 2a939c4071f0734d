"""The operation log: each change's command, its output as it streams, and how it ended."""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import RichLog, Static

from venvdeck.formatting import shown

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class OperationLog(Vertical):
    """A dumb view: the screen tells it what started, each line, and how it ended."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "clear", "Clear log", id="venvdeck.clear_log"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self._started: dict[int, tuple[str, float]] = {}  # operation id → (title, started)
        self._timer: Timer | None = None
        self._frame = 0
        self.last_status = ""

    def compose(self) -> ComposeResult:
        yield Static(id="op-status")
        yield RichLog(id="op-output", wrap=True, markup=False, highlight=False, max_lines=5000)

    @property
    def output(self) -> RichLog:
        return self.query_one("#op-output", RichLog)

    @property
    def running_count(self) -> int:
        return len(self._started)

    def begin(self, key: int, title: str, command: str | None) -> None:
        """An operation started; command None: it is not a command (a delete venvdeck does itself)."""
        self.add_class("-shown")
        self._started[key] = (title, time.monotonic())
        shown_line = f"$ {command}" if command is not None else f"# {title}"
        self.output.write(Text(f"\n{shown(shown_line)}", style="bold cyan"))
        if self._timer is None:
            self._timer = self.set_interval(0.1, self._tick)
        self._tick()

    def note(self, text: str, style: str = "dim") -> None:
        self.add_class("-shown")
        self.output.write(Text(text, style=style))

    def write_line(self, line: str, tag: str | None = None) -> None:
        """One line of output; tag names its environment while several operations run at once."""
        if tag is None:
            self.output.write(Text(shown(line)))
        else:
            self.output.write(Text.assemble((f"[{shown(tag)}] ", "dim"), shown(line)))

    def finish(self, key: int, message: str, ok: bool) -> None:
        self._started.pop(key, None)
        mark, style = ("✓", "bold green") if ok else ("✗", "bold red")
        self.output.write(Text(f"{mark} {shown(message)}", style=style))
        self._set_status(Text(f"{mark} {shown(message)}", style=style))
        if not self._started and self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        if not self._started:
            return
        self._frame = (self._frame + 1) % len(_SPINNER)
        title, started = next(iter(self._started.values()))
        more = f" (+{len(self._started) - 1} more)" if len(self._started) > 1 else ""
        elapsed = time.monotonic() - started
        self._set_status(
            Text.assemble(
                (f"{_SPINNER[self._frame]} {shown(title)}{more}", "bold"),
                (f"  {elapsed:.1f} s", ""),
                ("   escape cancels", "dim"),
            )
        )

    def _set_status(self, text: Text) -> None:
        self.last_status = text.plain
        self.query_one("#op-status", Static).update(text)

    def action_clear(self) -> None:
        self.output.clear()
