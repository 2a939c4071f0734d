"""Rebuilding in place: on which Python (when the same minor version is gone), and the plan, shown
in full before anything changes (the interpreter, every requirement, what cannot come back and why)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from venvdeck.dialogs.base import Dialog
from venvdeck.dialogs.confirm import ConfirmScreen
from venvdeck.formatting import shown
from venvdeck.models import Environment

if TYPE_CHECKING:
    from venvdeck.models import RecreatePlan

_METHODS = {
    "plain": "a new environment, then its packages installed again",
    "pipx": "pipx reinstall, from pipx's own record",
    "uv tool": "uv tool install --reinstall, from uv's receipt",
}


def _method(plan: RecreatePlan) -> str:
    return _METHODS.get(plan.method, f"{plan.method}'s own install, in the project")


def _python(plan: RecreatePlan) -> Text:
    base = plan.base
    text = Text(f"{shown(base.python_version or '?')}  {shown(base.interpreter)}")
    was = plan.environment.python_version
    if was and was != base.python_version:
        text.append(f"   (it was {shown(was)})", style="dim")
    return text


def recreate_body(plan: RecreatePlan) -> RenderableType:
    """One rebuild: where, on what, how, every requirement, what stays behind, every command."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Path", Text(shown(plan.path)))
    grid.add_row("Python", _python(plan))
    grid.add_row("How", _method(plan))
    if plan.kept_files:
        grid.add_row("Keeps", ", ".join(shown(name) for name in plan.kept_files))
    parts: list[RenderableType] = [grid]
    for warning in plan.warnings:
        parts.append(Text(f"⚠ {shown(warning)}", style="bold yellow", overflow="fold"))
    if plan.requirements:
        parts.append(Text(f"\nInstalls again ({len(plan.requirements)}):", style="bold"))
        requirements = Table.grid(padding=(0, 2))
        requirements.add_column(overflow="fold")
        requirements.add_column(style="dim", overflow="fold")
        for requirement in plan.requirements:
            requirements.add_row(Text(f"  {shown(requirement.text)}"), Text(shown(requirement.why)))
        parts.append(requirements)
    else:
        parts.append(Text("\nInstalls nothing else: no package in it was asked for.", style="dim"))
    if plan.not_carried:
        parts.append(Text(f"\nCannot carry over ({len(plan.not_carried)}):", style="bold yellow"))
        for item in plan.not_carried:
            parts.append(Text(f"  {shown(item.name)}: {shown(item.reason)}", overflow="fold"))
    parts.append(Text("\nIt will run:", style="dim"))
    for step in plan.steps:
        where = f"   (in {shown(step.cwd)})" if step.cwd else ""
        parts.append(Text(f"$ {shown(step.command_line)}{where}", style="bold cyan", overflow="fold"))
    parts.append(
        Text(
            "\nThe old environment is moved aside first, and put back as it was if anything fails or "
            "escape cancels. y rebuilds; n or escape changes nothing.",
            style="dim",
        )
    )
    return Group(*parts)


def bulk_recreate_body(
    plans: Sequence[RecreatePlan], skipped: Sequence[tuple[Environment, str]]
) -> RenderableType:
    """Every environment to rebuild (on what, how many requirements), and the ones that cannot be, why."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(overflow="fold")
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, style="dim")
    for plan in plans:
        count = len(plan.requirements)
        what = f"{count} requirement{'s' if count != 1 else ''}"
        if plan.not_carried:
            what += f", {len(plan.not_carried)} not carried over"
        grid.add_row(Text(shown(plan.path)), f"Python {shown(plan.base.python_version or '?')}", what)
    parts: list[RenderableType] = [grid]
    for plan in plans:
        for warning in plan.warnings:
            parts.append(Text(f"⚠ {shown(plan.environment.name)}: {shown(warning)}", style="yellow"))
        for item in plan.not_carried:
            parts.append(
                Text(f"  {shown(plan.environment.name)} loses {shown(item.name)}: {shown(item.reason)}")
            )
    if skipped:
        parts.append(Text(f"\nNot rebuilt ({len(skipped)}):", style="bold"))
        for env, why in skipped:
            parts.append(Text(f"  {shown(env.path)}: {shown(why)}", style="dim", overflow="fold"))
    parts.append(
        Text(
            "\nOne at a time, each old environment kept aside until its new one is complete; the log (L) "
            "shows the progress, escape cancels the one running and stops there. "
            "y rebuilds them all; n or escape changes nothing.",
            style="dim",
        )
    )
    return Group(*parts)


class RecreateConfirmScreen(ConfirmScreen):
    """The yes/no question with a plan that may be long: the body scrolls (arrows, page keys), the
    buttons stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "scroll_plan(1)", "Scroll down", show=False, id="venvdeck.plan_down"),
        Binding("up,k", "scroll_plan(-1)", "Scroll up", show=False, id="venvdeck.plan_up"),
        Binding("pagedown", "scroll_plan(10)", "Page down", show=False, id="venvdeck.plan_page_down"),
        Binding("pageup", "scroll_plan(-10)", "Page up", show=False, id="venvdeck.plan_page_up"),
    ]

    def action_scroll_plan(self, lines: int) -> None:
        plan = self.query_one("#plan-scroll", VerticalScroll)
        plan.scroll_relative(y=lines, animate=False)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-wide -plan -danger" if self.danger else "-wide -plan"):
            yield Static(Text(self.title_text, style="bold"), id="dialog-title")
            with VerticalScroll(id="plan-scroll"):
                yield Static(self.body, id="dialog-body")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel (n)", id="cancel")
                yield Button(
                    f"{self.confirm_label} (y)", id="confirm", variant="error" if self.danger else "primary"
                )


class ChooseInterpreterScreen(Dialog[Environment | None]):
    """No Python of the same minor version is left: rebuild on which one (enter), or not (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="venvdeck.choose_interpreter_cancel")
    ]

    def __init__(self, name: str, reason: str, bases: Sequence[Environment]) -> None:
        super().__init__()
        self.env_name = name
        self.reason = reason
        self.bases = list(bases)

    def compose(self) -> ComposeResult:
        options = [
            Option(Text(f"Python {shown(b.python_version or '?'):<10} {shown(b.interpreter)}"), id=str(i))
            for i, b in enumerate(self.bases)
        ]
        with Vertical(id="dialog"):
            yield Static(
                Text(f"Rebuild {shown(self.env_name)} on which Python?", style="bold"), id="dialog-title"
            )
            yield Static(Text(shown(self.reason), style="yellow"), id="dialog-body")
            yield OptionList(*options, id="interpreter-choices")
            yield Static(Text("enter rebuilds on it (the plan is shown first) · escape cancels", style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#interpreter-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.bases[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
