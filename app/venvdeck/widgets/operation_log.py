"""The operation log: each change's command, its output as it streams, and how it ended.

Lines are kept as text and wrapped for the width they are shown at: a resize wraps them again,
and the scrollbar's place is always kept, so no line loses characters at a wrap. Each operation
is kept as an entry (the last 50), for the history (`L`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import RichLog, Static

from venvdeck.formatting import shown

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
KEPT_ENTRIES = 50
KEPT_LINES = 5000


@dataclass(slots=True)
class LogEntry:
    """One operation as the log saw it."""

    id: int
    title: str
    command: str | None
    started: float
    lines: list[Text] = field(default_factory=list)
    outcome: tuple[str, bool] | None = None  # (message, ok) once it ended
    ended: float | None = None


class OperationLog(Vertical):
    """A dumb view: the screen tells it what started, each line, and how it ended."""

    KEYS_SECTION = "Operation log"

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self.entries: dict[int, LogEntry] = {}
        self._stream: list[Text] = []  # what the log shows, in order (bounded)
        self._timer: Timer | None = None
        self._frame = 0
        self._width = 0
        self._stale = False  # lines were kept while the log could not show them
        self.last_status = ""

    def compose(self) -> ComposeResult:
        self.border_title = "Operation log"
        yield Static(Text("Nothing has run yet.", style="dim"), id="op-status")
        # min_width=1: wrap at the width shown (RichLog's default of 78 clips narrower logs' line ends).
        yield RichLog(
            id="op-output", wrap=True, markup=False, highlight=False, max_lines=KEPT_LINES, min_width=1
        )

    @property
    def output(self) -> RichLog:
        return self.query_one("#op-output", RichLog)

    @property
    def running(self) -> list[LogEntry]:
        return [e for e in self.entries.values() if e.outcome is None]

    @property
    def running_count(self) -> int:
        return len(self.running)

    @property
    def text(self) -> str:
        """Everything the log holds, as plain lines."""
        return "\n".join(line.plain for line in self._stream)

    def _write(self, line: Text, entry: LogEntry | None = None) -> None:
        self._stream.append(line)
        del self._stream[:-KEPT_LINES]
        if entry is not None:
            entry.lines.append(line)
            del entry.lines[:-KEPT_LINES]
        if self._stale or self.output.scrollable_content_region.width <= 1:
            # Hidden (or not laid out yet): wrapped now, each character would be a line of its
            # own. Kept, and written at the width the log is shown at.
            self._stale = True
            self.call_after_refresh(self._rewrap)
            return
        self.output.write(line)

    def _rewrap(self) -> None:
        width = self.output.scrollable_content_region.width
        if width <= 1 or (width == self._width and not self._stale):
            return
        self._width = width
        self._stale = False
        self.output.clear()
        for line in self._stream:
            self.output.write(line)

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()

    def on_show(self, event: events.Show) -> None:
        self.call_after_refresh(self._rewrap)

    def begin(self, key: int, title: str, command: str | None) -> None:
        """An operation started; command None: it is not a command (a delete venvdeck does itself)."""
        self.add_class("-shown")
        entry = LogEntry(key, title, command, time.monotonic())
        self.entries[key] = entry
        for old in list(self.entries)[:-KEPT_ENTRIES]:
            if self.entries[old].outcome is not None:
                del self.entries[old]
        shown_line = f"$ {command}" if command is not None else f"# {title}"
        self._write(Text(""), entry)
        self._write(Text(shown(shown_line), style="bold cyan"), entry)
        if self._timer is None:
            self._timer = self.set_interval(0.1, self._tick)
        self._tick()

    def note(self, text: str, style: str = "dim") -> None:
        self.add_class("-shown")
        self._write(Text(shown(text), style=style))

    def done(self, text: str) -> None:
        """Something venvdeck did itself, at once (an export): a line, and the status says it."""
        line = Text(f"✓ {shown(text)}", style="bold green")
        self.add_class("-shown")
        self._write(line)
        self._set_status(line)

    def write_line(self, line: str, tag: str | None = None, key: int | None = None) -> None:
        """One line of output; tag names its environment while several operations run at once."""
        text = Text(shown(line)) if tag is None else Text.assemble((f"[{shown(tag)}] ", "dim"), shown(line))
        self._write(text, self.entries.get(key) if key is not None else None)

    def finish(self, key: int, message: str, ok: bool) -> None:
        mark, style = ("✓", "bold green") if ok else ("✗", "bold red")
        entry = self.entries.get(key)
        if entry is not None:
            entry.outcome = (message, ok)
            entry.ended = time.monotonic()
        self._write(Text(f"{mark} {shown(message)}", style=style), entry)
        self._set_status(Text(f"{mark} {shown(message)}", style=style))
        if not self.running and self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        running = self.running
        if not running:
            return
        self._frame = (self._frame + 1) % len(_SPINNER)
        first = running[0]
        more = f" (+{len(running) - 1} more)" if len(running) > 1 else ""
        elapsed = time.monotonic() - first.started
        self._set_status(
            Text.assemble(
                (f"{_SPINNER[self._frame]} {shown(first.title)}{more}", "bold"),
                (f"  {elapsed:.1f} s", ""),
                ("   escape cancels", "dim"),
            )
        )

    def _set_status(self, text: Text) -> None:
        self.last_status = text.plain
        # Cut with … where it is longer than the line (the whole message is in the log below).
        text.no_wrap, text.overflow = True, "ellipsis"
        # One line of fixed height, updated ten times a second while a change runs: a repaint, no relayout.
        self.query_one("#op-status", Static).update(text, layout=False)

    def clear(self) -> None:
        self._stream.clear()
        self.output.clear()
