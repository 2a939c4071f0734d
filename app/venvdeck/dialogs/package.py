"""A package's details (enter on a package): what it is, how it came, what it needs, who needs it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from venvdeck.dialogs.base import Dialog
from venvdeck.formatting import human_size, shown

if TYPE_CHECKING:
    from venvdeck.models import PackageDetails

_ABSENT = Text("—", style="dim")
_REQUESTED = {True: "yes: the user asked for it", False: "no: a dependency", None: "unknown"}


def _text(value: object | None) -> Text:
    return Text(shown(value)) if value else _ABSENT


def details_renderable(details: PackageDetails) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Version", _text(details.version))
    grid.add_row("Summary", _text(details.summary))
    grid.add_row("License", _text(details.license))
    urls = {url for _label, url in details.project_urls}
    if details.home_page not in urls and (details.home_page or not urls):  # not twice, nor "—" above it
        grid.add_row("Home page", _text(details.home_page))
    for label, url in details.project_urls:
        grid.add_row(Text(shown(label)), Text(shown(url)))
    grid.add_row("Requires Python", _text(details.requires_python))
    grid.add_row("Requested", _REQUESTED[details.requested])
    grid.add_row("Installer", _text(details.installer))
    came = details.source + (f": {details.source_url}" if details.source_url else "")
    came += f" at {details.commit}" if details.commit else ""
    grid.add_row("Came from", Text(shown(came)))
    grid.add_row("Location", _text(details.location))
    if details.files is not None:
        grid.add_row("Files", f"{details.files:,} files, {human_size(details.size_bytes)}")
    if details.extras:
        grid.add_row("Extras", Text(shown(", ".join(details.extras))))
    parts: list[RenderableType] = [grid]
    if details.requirements:
        needs = Table.grid(padding=(0, 2))
        needs.add_column(no_wrap=True)
        needs.add_column(style="dim")
        for requirement in details.requirements:
            if not requirement.applies:
                continue
            if requirement.installed_version is None:
                mark, style, have = "✗", "red", "missing"
            elif requirement.satisfied is False:
                mark, style, have = "✗", "red", f"but {requirement.installed_version} is installed"
            else:
                mark, style, have = "✓", "green", requirement.installed_version
            needs.add_row(Text(f"{mark} {shown(requirement.requirement)}", style=style), Text(shown(have)))
        parts += [
            Text("\nRequires (as this environment evaluates the markers)", style="bold underline"),
            needs,
        ]
    by = Table.grid(padding=(0, 2))
    by.add_column(no_wrap=True)
    by.add_column(style="dim")
    for parent in details.required_by:
        by.add_row(Text(f"{shown(parent.name)} {shown(parent.version)}"), Text(shown(parent.requirement)))
    parts += [
        Text("\nRequired by", style="bold underline"),
        by if details.required_by else Text("nothing installed", style="dim"),
    ]
    for problem in details.metadata_problems:
        parts.append(Text(f"⚠ {shown(problem)}", style="yellow"))
    return Group(*parts)


class PackageDetailsScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close", id="venvdeck.package_details_close"),
    ]

    def __init__(self, details: PackageDetails) -> None:
        super().__init__()
        self.details = details

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = shown(self.details.name)
            body.border_subtitle = "escape to close"
            yield Static(details_renderable(self.details))
