"""The details pane: everything known about one environment, and why it is broken if it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from venvdeck.formatting import age, human_size, local_time, shown
from venvdeck.widgets.repair_details import RepairDetails

if TYPE_CHECKING:
    from venvdeck.models import CheckReport, Environment, EnvironmentSize

_ABSENT = Text("—", style="dim")


def _path(value: object | None) -> Text:
    return Text(str(value)) if value is not None else _ABSENT


def _size_text(size: EnvironmentSize | None, measurable: bool) -> Text:
    if not measurable:
        return Text("not measured: a system prefix shared with other software", style="dim")
    if size is None:
        return Text("measuring…", style="dim italic")
    text = Text(f"{human_size(size.disk_bytes)} on disk, {size.files:,} files")
    if size.shared_files:
        text.append(
            f"\n{human_size(size.freed_bytes)} freed by deleting it: "
            f"{size.shared_files:,} files are hard links shared with a package cache",
            style="yellow",
        )
    else:
        text.append(f"\n{human_size(size.freed_bytes)} freed by deleting it")
    return text


def _when(timestamp: float | None, now: float, what: str) -> Text:
    if timestamp is None:
        return _ABSENT
    return Text.assemble(f"{local_time(timestamp)}  ({age(timestamp, now)})", (f"\n{what}", "dim"))


def details_renderable(
    env: Environment, size: EnvironmentSize | None, measurable: bool, now: float
) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    if env.is_broken:
        grid.add_row(
            Text("Broken", style="bold red"), Text(env.broken_reason or "unknown reason", style="red")
        )
    kind = str(env.kind) + (f", managed by {env.manager}" if env.manager else "")
    if env.is_active:
        kind += " (the active environment)"
    grid.add_row("Path", _path(env.path))
    grid.add_row("Kind", kind)
    grid.add_row("Python", env.python_version or _ABSENT)
    grid.add_row("Interpreter", _path(env.interpreter))
    grid.add_row("Base interpreter", _path(env.base_interpreter))
    grid.add_row("Project", _path(env.project))
    grid.add_row("System site-packages", "visible" if env.include_system_site_packages else "not visible")
    grid.add_row("Size", _size_text(size, measurable))
    if size is not None:
        grid.add_row(
            "Last modified", _when(size.last_modified, now, "newest file change (installs, upgrades)")
        )
        grid.add_row(
            "Last used",
            _when(
                size.last_used,
                now,
                "newest access of its code and scripts (not of what venvdeck reads); most systems update it at most daily",
            ),
        )
    if not env.pyvenv_cfg:
        return grid
    cfg = Text()
    for key, value in env.pyvenv_cfg:
        cfg.append(key, style="cyan")
        cfg.append(f" = {value}\n")
    return Group(grid, Text("\npyvenv.cfg", style="bold"), cfg)


class DetailsPane(VerticalScroll):
    """A dumb view of one environment."""

    def compose(self) -> ComposeResult:
        yield Static(id="details-problems")
        yield Static(id="details-text")
        yield RepairDetails(id="details-repair")  # kernels, dependents: loaded apart

    shown: RenderableType = ""

    def show(self, env: Environment, size: EnvironmentSize | None, measurable: bool, now: float) -> None:
        self.shown = details_renderable(env, size, measurable, now)
        self.query_one("#details-text", Static).update(self.shown)

    def show_message(self, message: str) -> None:
        self.shown = Text(message, style="dim")
        self.query_one("#details-text", Static).update(self.shown)

    # ---- what pip check would say ----------------------------------------------------------------
    shown_problems: RenderableType = ""

    def show_problems(self, report: CheckReport | None) -> None:
        """The environment's problems in pip check's words (None: not known: nothing shown)."""
        self.shown_problems = problems_renderable(report) if report is not None else ""
        section = self.query_one("#details-problems", Static)
        section.update(self.shown_problems)
        section.display = report is not None


def problems_renderable(report: CheckReport) -> RenderableType:
    """pip check's lines, each wrapped under itself; then what it could not read."""
    clean = Text("✓ pip check: No broken requirements found.", style="green")
    if report.ok and not report.metadata_problems:
        return clean
    count = len(report.problems) + sum(p.fails_check for p in report.metadata_problems)
    title = Text(
        f"⚠ {count} problem{'s' if count != 1 else ''}, as pip check reports them", style="bold yellow"
    )
    lines = Table.grid(padding=(0, 1))
    lines.add_column(no_wrap=True)
    lines.add_column(overflow="fold")
    for problem in report.problems:
        lines.add_row(" ", Text(shown(problem.message)))
    for metadata in report.metadata_problems:
        what = f"{shown(metadata.name or metadata.path)}: {shown(metadata.message)}"
        if metadata.fails_check:
            lines.add_row(" ", Text(what))
        else:
            lines.add_row(" ", Text(f"{what} (pip skips it)", style="dim"))
    return Group(title if count else clean, lines)
