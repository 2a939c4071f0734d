"""Asking what to install: specifiers checked as they are typed, or a requirements file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from venvdeck.dialogs.base import Dialog
from venvdeck.formatting import shown

# What the service says of the text typed so far: (the specifiers, None), or ([], what is wrong).
SpecifierCheck = Callable[[str], tuple[list[str], str | None]]


class InstallScreen(Dialog[list[str] | None]):
    """Returns the checked specifiers (enter), or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="venvdeck.install_cancel")
    ]

    def __init__(self, environment_name: str, check: SpecifierCheck) -> None:
        super().__init__()
        self.environment_name = environment_name
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Install into {self.environment_name}", style="bold"), id="dialog-title")
            yield Input(placeholder="rich  rich==13.3.1  requests[socks]>=2.31", id="install-specifiers")
            yield Static(id="install-check")
            yield Static(
                Text(
                    "enter installs · escape cancels · indexes come from pip's or uv's own config",
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        self._show(*self.check(""))

    @on(Input.Changed, "#install-specifiers")
    def _changed(self, event: Input.Changed) -> None:
        self._show(*self.check(event.value))

    @on(Input.Submitted, "#install-specifiers")
    def _submitted(self, event: Input.Submitted) -> None:
        specifiers, problem = self.check(event.value)
        if problem is None:
            self.dismiss(specifiers)
        else:
            self.notify(problem, severity="error", title="Not a requirement", markup=False)

    def _show(self, specifiers: list[str], problem: str | None) -> None:
        check = self.query_one("#install-check", Static)
        if problem is not None:
            check.update(Text(shown(problem), style="red" if self.query_one(Input).value.strip() else "dim"))
        else:
            check.update(
                Text(f"✓ {len(specifiers)} to install: {shown('  '.join(specifiers))}", style="green")
            )

    def action_cancel(self) -> None:
        self.dismiss(None)


class InstallFileScreen(Dialog[Path | None]):
    """Returns the requirements file to install from; its lines are checked before anything runs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="venvdeck.install_file_cancel")
    ]

    def __init__(self, environment_name: str, suggestion: Path | None) -> None:
        super().__init__()
        self.environment_name = environment_name
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Text(f"Install a requirements file into {self.environment_name}", style="bold"),
                id="dialog-title",
            )
            yield Input(str(self.suggestion or ""), placeholder="path/to/requirements.txt", id="install-file")
            yield Static(
                Text("every line is checked first; an error names its line · escape cancels", style="dim")
            )

    @on(Input.Submitted, "#install-file")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(Path(event.value.strip()).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)
