"""Asking for a new environment: where, from which base interpreter, and how."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from venvdeck.dialogs.base import Dialog

if TYPE_CHECKING:
    from venvdeck.models import Environment


@dataclass(frozen=True, slots=True)
class CreateRequest:
    path: Path
    base: Environment
    with_pip: bool = True
    system_site_packages: bool = False
    prompt: str | None = None
    requirements: Path | None = None


class CreateScreen(Dialog[CreateRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="venvdeck.create_cancel")
    ]

    def __init__(
        self, bases: list[Environment], suggestion: Path, previous: CreateRequest | None = None
    ) -> None:
        super().__init__()
        self.bases = bases
        self.suggestion = suggestion
        self.previous = previous

    def compose(self) -> ComposeResult:
        previous = self.previous
        options = [
            (Text(f"Python {b.python_version or '?'}   {b.interpreter}"), i) for i, b in enumerate(self.bases)
        ]
        chosen = self.bases.index(previous.base) if previous and previous.base in self.bases else 0
        with Vertical(id="dialog"):
            yield Static(Text("Create an environment", style="bold"), id="dialog-title")
            yield Label("Folder")
            yield Input(str(previous.path if previous else self.suggestion), id="create-path", compact=True)
            yield Label("Base interpreter (newest first)")
            yield Select(options, value=chosen, allow_blank=False, id="create-base", compact=True)
            with Horizontal(id="create-options"):
                yield Checkbox("with pip", previous.with_pip if previous else True, id="create-pip")
                yield Checkbox(
                    "see the base's site-packages",
                    previous.system_site_packages if previous else False,
                    id="create-system",
                )
            yield Label("Prompt name (optional)")
            yield Input(
                previous.prompt or "" if previous else "",
                placeholder="shown in the shell prompt",
                id="create-prompt",
                compact=True,
            )
            yield Label("Requirements file to install after (optional)")
            yield Input(
                str(previous.requirements or "") if previous else "",
                placeholder="requirements.txt",
                id="create-requirements",
                compact=True,
            )
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Create", id="create", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#create-path", Input).focus(scroll_visible=False)
        # Taller than a small terminal (80x24), it opened scrolled past its title.
        self.call_after_refresh(self.query_one("#dialog").scroll_home, animate=False)

    @on(Button.Pressed, "#create")
    @on(Input.Submitted)
    def _create(self) -> None:
        path = self.query_one("#create-path", Input).value.strip()
        if not path:
            self.notify("Say where the new environment goes.", severity="error", markup=False)
            return
        if not self.bases:
            self.notify("No base interpreter was found to make it from.", severity="error", markup=False)
            return
        index = self.query_one("#create-base", Select).value
        prompt = self.query_one("#create-prompt", Input).value.strip() or None
        requirements = self.query_one("#create-requirements", Input).value.strip()
        self.dismiss(
            CreateRequest(
                path=Path(path).expanduser(),
                base=self.bases[index if isinstance(index, int) else 0],
                with_pip=self.query_one("#create-pip", Checkbox).value,
                system_site_packages=self.query_one("#create-system", Checkbox).value,
                prompt=prompt,
                requirements=Path(requirements).expanduser() if requirements else None,
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
