"""A package's details (enter on a package): what it is, how it came, what it needs, who needs it."""

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

from venvdeck.formatting import human_size, shown
from venvdeck.models import PackageDetails

_ABSENT = Text("—", style="dim")


def details_renderable(details: PackageDetails) -> RenderableType:
    package = details.package
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Version", Text(shown(package.version)))
    grid.add_row("Summary", Text(shown(package.summary)) if package.summary else _ABSENT)
    grid.add_row("License", Text(shown(details.license)) if details.license else _ABSENT)
    for label, url in details.urls:
        grid.add_row(Text(shown(label)), Text(shown(url)))
    requested = {True: "yes: the user asked for it", False: "no: a dependency", None: "unknown"}[
        package.requested
    ]
    grid.add_row("Requested", requested)
    grid.add_row("Installer", Text(shown(package.installer or "")) if package.installer else _ABSENT)
    grid.add_row("Came from", Text(shown(details.source)))
    grid.add_row("Location", Text(shown(package.location)) if package.location else _ABSENT)
    files = f"{details.files:,} files, {human_size(details.size)}" if details.files is not None else None
    grid.add_row("Files", Text(files) if files else _ABSENT)
    parts: list[RenderableType] = [grid]
    if details.requirements:
        needs = Table.grid(padding=(0, 2))
        needs.add_column(no_wrap=True)
        needs.add_column()
        for requirement in details.requirements:
            if not requirement.applies:
                continue
            have = requirement.installed_version
            state, style = ("✓", "green") if requirement.satisfied else ("✗", "red")
            why = have or "missing"
            needs.add_row(
                Text(f"{state} {shown(requirement.text)}", style=style),
                Text(f"installed: {shown(why)}", style="dim"),
            )
        parts += [Text("\nRequires", style="bold underline"), needs]
    by = ", ".join(shown(n) for n in details.required_by) if details.required_by else "nothing installed"
    parts += [Text("\nRequired by", style="bold underline"), Text(by)]
    return Group(*parts)


class PackageDetailsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close", id="venvdeck.package_details_close"),
    ]

    def __init__(self, details: PackageDetails) -> None:
        super().__init__()
        self.details = details

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = shown(self.details.package.name)
            body.border_subtitle = "escape to close"
            yield Static(details_renderable(self.details))
