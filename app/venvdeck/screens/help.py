"""The help screen (`?`): what every key does, and where the numbers come from."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# venvdeck

Every Python environment on this machine, found as you watch.

## Keys
| Key | What it does |
| --- | --- |
| `↑` `↓` / `j` `k` | move through the environments; the packages follow |
| `space` / `enter` | fold or unfold a group |
| `s` | sort the tree (name, size, last used); in the package table, sort by the next column |
| `S` | reverse the package sort |
| `1` `2` `3` | packages, requirements, details |
| `f` | the requirements pane (`pip freeze`) |
| `t` | in the requirements pane: everything or top-level only |
| `/` | filter the packages as you type; `escape` clears it |
| `tab` | move between the tree and the right-hand side |
| `r` | look for environments again |
| `ctrl+p` | every action, searchable |
| `?` | this help |
| `q` | quit |

## What the numbers mean
- **Size** in the tree is what deleting the environment would free. Files hard-linked from a package cache
  (uv, conda) stay on disk when the environment goes, so they are not counted there; the details pane shows both.
- **Last used** is the newest access time of any file in the environment. Most systems update access times at
  most once a day, and some never (`noatime`), so read it as "used on or after".
- **Requested** says whether the user asked for the package (pip's `REQUESTED` marker) or it came in as a dependency.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="venvdeck.close_help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(HELP)
