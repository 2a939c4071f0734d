"""The help screen (`?`): every key as it is bound now (after the user's keymap), with the binding
id to remap it, and what the numbers mean."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from venvdeck.dialogs.base import Dialog
from venvdeck.widgets.rows_table import TextScroll

if TYPE_CHECKING:
    from venvdeck.keys import KeyInfo

# Keys that Textual's own widgets bind (not remappable by id), worth knowing all the same.
BUILT_IN: tuple[tuple[str, str], ...] = (
    ("↑ ↓", "move (j k too)"),
    ("enter", "in the tree: fold or unfold a group; on a package: its details"),
    ("tab", "move between the panes"),
)

NOTES: tuple[tuple[str, str], ...] = (
    (
        "Size",
        "in the tree is what deleting the environment would free. Files hard-linked from a package cache "
        "(uv, conda) stay on disk when the environment goes, so they are not counted there; the details "
        "pane shows both numbers.",
    ),
    (
        "Last used",
        "is the newest access time of the environment's code and scripts (never of what venvdeck reads). "
        "Most systems update access times at most once a day, and some never (noatime): read it as "
        "'used on or after'.",
    ),
    (
        "Requested",
        "says whether the user asked for the package (pip's REQUESTED marker; for uv, the project's or the "
        "tool's declared requirements) or it came in as a dependency; 'unknown' where nothing says.",
    ),
    (
        "Keymap",
        'remap any key in config.toml: [keymap] "venvdeck.refresh" = "f5" (the ids are listed above).',
    ),
)

_ORDER = ("Everywhere", "Environments", "Packages", "Requirements", "Operation log")


NARROW = 100  # below this many columns, each binding id goes under its description


def help_renderable(keys: Sequence[KeyInfo], width: int = 200) -> RenderableType:
    sections: dict[str, list[KeyInfo]] = {}
    for key in keys:
        if key.description:
            sections.setdefault(key.section, []).append(key)
    parts: list[RenderableType] = []
    for section in sorted(sections, key=lambda s: (_ORDER.index(s) if s in _ORDER else len(_ORDER), s)):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, min_width=12)
        grid.add_column(ratio=1)
        narrow = width < NARROW  # a third column squeezed each description over three lines
        if not narrow:
            grid.add_column(no_wrap=True, style="dim")
        for key in sections[section]:
            what = Text(key.description + (f": {key.help}" if key.help else ""))
            if narrow:
                if key.binding_id:
                    what.append(f"\n{key.binding_id}", style="dim")
                grid.add_row(Text(key.keys, style="bold"), what)
            else:
                grid.add_row(Text(key.keys, style="bold"), what, Text(key.binding_id or ""))
        parts += [Text(f"\n{section}", style="bold underline"), grid]
    built_in = Table.grid(padding=(0, 2))
    built_in.add_column(no_wrap=True, min_width=12)
    built_in.add_column()
    for pressed, meaning in BUILT_IN:
        built_in.add_row(Text(pressed, style="bold"), meaning)
    parts += [Text("\nMoving around", style="bold underline"), built_in]
    notes = Text()
    for title, body in NOTES:
        notes.append(f"\n{title} ", style="bold")
        notes.append(body + "\n")
    parts += [Text("\nWhat the numbers mean", style="bold underline"), notes]
    return Group(*parts)


class HelpScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="venvdeck.close_help"),
    ]

    def __init__(self, keys: Sequence[KeyInfo]) -> None:
        super().__init__()
        self.keys = list(keys)

    def compose(self) -> ComposeResult:
        with TextScroll(id="help-body") as body:
            body.border_title = "venvdeck help"
            body.border_subtitle = "escape to close"
            yield Static(help_renderable(self.keys, self.app.size.width), id="help-text")

    def on_resize(self) -> None:
        self.query_one("#help-text", Static).update(help_renderable(self.keys, self.app.size.width))
