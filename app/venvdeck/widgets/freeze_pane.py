"""The requirements pane: an environment's freeze output, everything or top-level only."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static


def highlight_requirements(text: str) -> Text:
    """Names bold, pins in the accent colour, comments and options dim."""
    out = Text()
    from packaging.requirements import InvalidRequirement, Requirement  # parsed only when shown

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            out.append(line + "\n", style="dim italic")
            continue
        if stripped.startswith("-"):
            option, _, rest = stripped.partition(" ")
            out.append(option, style="magenta")
            out.append(f" {rest}\n" if rest else "\n", style="cyan")
            continue
        try:
            name = Requirement(stripped).name
        except InvalidRequirement:
            out.append(line + "\n", style="red")
            continue
        out.append(stripped[: len(name)], style="bold")
        rest = stripped[len(name) :]
        operator = rest[:3] if rest.startswith("===") else rest[:2]
        if operator in {"==", "===", ">=", "<=", "~=", "!="}:
            out.append(operator, style="dim")
            out.append(rest[len(operator) :] + "\n", style="green")
        else:
            out.append(rest + "\n", style="cyan")
    return out


class FreezePane(Vertical):
    """A dumb view; `t` asks the screen (by message) for the other mode."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "toggle_top_level", "Top-level/all", id="venvdeck.toggle_top_level"),
    ]

    KEYS_SECTION = "Requirements"
    top_level: reactive[bool] = reactive(False)

    class ModeChanged(Message):
        def __init__(self, pane: FreezePane, top_level: bool) -> None:
            super().__init__()
            self.pane = pane
            self.top_level = top_level

        @property
        def control(self) -> FreezePane:
            return self.pane

    def compose(self) -> ComposeResult:
        yield Static(id="freeze-mode")
        with VerticalScroll(id="freeze-scroll"):
            yield Static(id="freeze-text")

    def on_mount(self) -> None:
        self._show_mode()

    def show_text(self, text: str) -> None:
        self.query_one("#freeze-text", Static).update(
            highlight_requirements(text) if text else Text("No requirements: nothing is installed.", "dim")
        )

    def show_message(self, message: str) -> None:
        self.query_one("#freeze-text", Static).update(Text(message, style="dim"))

    @property
    def shown_text(self) -> str:
        return str(self.query_one("#freeze-text", Static).content)

    def action_toggle_top_level(self) -> None:
        self.top_level = not self.top_level
        self.post_message(self.ModeChanged(self, self.top_level))

    def watch_top_level(self) -> None:
        if self.is_mounted:
            self._show_mode()

    def _show_mode(self) -> None:
        mode = (
            "Top-level only: what the user asked for (REQUESTED), pinned"
            if self.top_level
            else "Everything, as `pip freeze` prints it"
        )
        self.query_one("#freeze-mode", Static).update(Text.assemble((mode, "bold"), ("   t: toggle", "dim")))
