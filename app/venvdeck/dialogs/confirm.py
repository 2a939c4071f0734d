"""A yes/no question before anything changes: the command that will run, and what to know first."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from venvdeck.dialogs.base import Dialog
from venvdeck.formatting import human_size, shown

if TYPE_CHECKING:
    from venvdeck.models import DeletePlan, Environment, Operation


SHOWN_INSTALLS = 15  # lines of a requirements file listed before the command; the rest counted


def _listed(heading: str, lines: tuple[str, ...]) -> Text:
    """A heading and the first lines under it; the rest counted."""
    listed = Text(heading, style="dim")
    for line in lines[:SHOWN_INSTALLS]:
        listed.append(f"\n  {shown(line)}", style="")
    if len(lines) > SHOWN_INSTALLS:
        listed.append(f"\n  … and {len(lines) - SHOWN_INSTALLS} more", style="dim")
    return listed


def operation_body(operation: Operation, *, also: str | None = None) -> RenderableType:
    parts: list[RenderableType] = []
    for warning in operation.warnings:
        parts.append(Text(f"⚠ {shown(warning)}", style="bold yellow"))
    if operation.warnings:
        parts.append(Text(""))
    for heading, lines in (
        ("It installs what the file asks for:", operation.installs),
        ("It changes:", operation.changes),
    ):
        if lines:
            parts += [_listed(heading, lines), Text("")]
    parts.append(Text("It will run:", style="dim"))
    parts.append(Text(shown(operation.command_line), style="bold cyan", overflow="fold"))
    if also:
        parts.append(Text(f"\nthen {also}", style="dim"))
    return Group(*parts)


class ConfirmScreen(Dialog[bool]):
    """`y` confirms, `n` / escape cancels. For destructive questions the focus starts on Cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="venvdeck.confirm_yes"),
        Binding("n,escape", "answer(False)", "No", id="venvdeck.confirm_no"),
    ]

    def __init__(self, title: str, body: RenderableType, confirm_label: str, *, danger: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_label = confirm_label
        self.danger = danger

    @classmethod
    def for_operation(cls, operation: Operation, *, also: str | None = None) -> ConfirmScreen:
        verb = operation.kind.value.capitalize()
        return cls(
            operation.title, operation_body(operation, also=also), verb, danger=operation.kind == "uninstall"
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-danger" if self.danger else ""):
            yield Static(Text(self.title_text, style="bold"), id="dialog-title")
            yield Static(self.body, id="dialog-body")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel (n)", id="cancel")
                yield Button(
                    f"{self.confirm_label} (y)", id="confirm", variant="error" if self.danger else "primary"
                )

    def on_mount(self) -> None:
        self.query_one("#cancel" if self.danger else "#confirm", Button).focus(scroll_visible=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def delete_body(plan: DeletePlan) -> RenderableType:
    env = plan.environment
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    grid.add_row("Path", Text(shown(plan.real_path)))
    grid.add_row("Kind", str(env.kind) + (f", managed by {env.manager}" if env.manager else ""))
    grid.add_row("Project", Text(shown(env.project)) if env.project else "—")
    if plan.size is not None:
        freed = human_size(plan.size.freed_bytes)
        grid.add_row("Frees", f"{freed} (of {human_size(plan.size.disk_bytes)} on disk)")
    for cleanup in plan.cleanups:
        grid.add_row("Also removes", Text(shown(cleanup)))
    parts: list[RenderableType] = [grid]
    for warning in plan.warnings:
        parts.append(Text(f"⚠ {shown(warning)}", style="bold yellow"))
    parts.append(Text("This cannot be undone. y deletes; n or escape keeps it.", style="dim"))
    return Group(*parts)


def bulk_delete_body(plans: list[DeletePlan], refused: list[tuple[Environment, str]]) -> RenderableType:
    """Every environment that will go, what each frees, the total; the refused ones and why."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(overflow="fold")
    grid.add_column(justify="right", no_wrap=True)
    total = 0
    for plan in plans:
        freed = plan.size.freed_bytes if plan.size else 0
        total += freed
        grid.add_row(Text(shown(plan.real_path)), human_size(freed))
    grid.add_row(Text("In all", style="bold"), Text(human_size(total), style="bold"))
    parts: list[RenderableType] = [grid]
    warnings = sorted({w for plan in plans for w in plan.warnings})
    for warning in warnings:
        parts.append(Text(f"⚠ {shown(warning)}", style="bold yellow"))
    if refused:
        parts.append(Text(f"\nNot deleted ({len(refused)}):", style="bold"))
        for env, why in refused:
            parts.append(Text(f"  {shown(env.path)}: {shown(why)}", style="dim"))
    parts.append(Text("\nThis cannot be undone. y deletes them all; n or escape keeps them.", style="dim"))
    return Group(*parts)


def pep668_body(reason: str) -> RenderableType:
    return Group(
        Text(reason, style="bold yellow"),
        Text(
            "\nIts packages belong to the system's package manager; changing them with pip can break "
            "programs that need them. A virtual environment (c) is the safe way.\n"
            "y overrides (pip gets --break-system-packages); n or escape keeps it as it is.",
            style="dim",
        ),
    )
