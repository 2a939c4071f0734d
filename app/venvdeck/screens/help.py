"""The help screen (`?`): what every key does, and what the numbers mean."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓  j k", "move through the environments; the packages follow"),
    ("space  enter", "fold or unfold a group"),
    ("tab", "move between the tree and the right-hand side"),
    ("s", "sort: the tree by name, size or last use; the package table by its next column"),
    ("S", "reverse the package sort (clicking a column header sorts too)"),
    ("1  2  3", "packages, requirements, details"),
    ("f", "the requirements pane, as `pip freeze` prints it"),
    ("t", "in the requirements pane: everything or top-level only"),
    ("/", "filter the packages as you type; escape clears the filter"),
    ("r", "look for environments again"),
    ("c", "create an environment (folder, base interpreter, pip, prompt, requirements file)"),
    ("i  I", "install requirements (typed, checked as you type) / from a requirements file"),
    ("space", "in the package table: mark a package (u and U act on the marked ones)"),
    ("u  delete", "uninstall the highlighted or marked packages (after a confirmation)"),
    ("U", "upgrade the highlighted or marked packages"),
    ("e", "export the requirements to a file (atomic; asks before overwriting) or the clipboard"),
    ("a", "open a shell inside the environment, or copy its activation command"),
    ("d", "delete the environment (what it frees, and what owns it, are shown first)"),
    ("b", "bootstrap pip (ensurepip) into an environment without it"),
    ("escape", "cancel the running operation; its processes are stopped and the table re-read"),
    ("l  ctrl+l", "show or hide the operation log / clear it"),
    ("ctrl+p", "every action, searchable; also opens an environment by name"),
    ("?", "this help"),
    ("q", "quit"),
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
        "is the newest access time of any file in the environment. Most systems update access times at "
        "most once a day, and some never (noatime): read it as 'used on or after'.",
    ),
    (
        "Requested",
        "says whether the user asked for the package (pip's REQUESTED marker) or it came in as a "
        "dependency. 'Top-level only' in the requirements pane pins just the requested ones.",
    ),
)


def help_renderable() -> RenderableType:
    keys = Table.grid(padding=(0, 2))
    keys.add_column(no_wrap=True)
    keys.add_column()
    for key, what in KEYS:
        keys.add_row(Text(key, style="bold"), what)
    notes = Text()
    for title, body in NOTES:
        notes.append(f"\n{title} ", style="bold")
        notes.append(body + "\n")
    return Group(
        Text("Keys\n", style="bold underline"),
        keys,
        Text("\nWhat the numbers mean", style="bold underline"),
        notes,
    )


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="venvdeck.close_help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "venvdeck help"
            body.border_subtitle = "escape to close"
            yield Static(help_renderable())
