"""Disk by package (D): every distribution across every environment, largest first: how many
copies, how much disk they take together (files hard-linked from a uv or conda cache count once),
and which environments hold them. Enter lists those environments; enter on one goes to it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import human_size, natural_key, shown
from venvdeck.widgets.keys_footer import KeysFooter
from venvdeck.widgets.rows_table import RowsTable

if TYPE_CHECKING:
    from venvdeck.models import DistributionUsage, Environment
    from venvdeck.services.protocol import EnvironmentService

_NAMES_WIDTH = 48


class UsageScreen(Screen[tuple[Path, str] | None]):
    """Dismissed with the environment to jump to and the distribution (None: closed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="venvdeck.usage_back"),
    ]

    def __init__(self, service: EnvironmentService, environments: Iterable[Environment] = ()) -> None:
        super().__init__()
        self.service = service
        self.env_names = {e.path: e.name for e in environments}  # as the tree names them
        self.usage: list[DistributionUsage] = []
        self._holders: tuple[Path, ...] = ()
        self._holding = ""  # the distribution whose holders are listed

    def compose(self) -> ComposeResult:
        yield Static(Text("Disk by package", style="bold"), id="usage-title")
        yield Static(Text("Reading every environment…", style="dim"), id="usage-summary")
        yield RowsTable(id="usage-rows", cursor_type="row", zebra_stripes=True)
        yield Static("", id="usage-holders-title")
        yield RowsTable(id="usage-holders", cursor_type="row")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        rows = self.rows_table
        for title, key in (
            ("Distribution", "name"),
            ("Copies", "copies"),
            ("Size", "size"),
            ("Shared", "shared"),
            ("Versions", "versions"),
        ):
            rows.add_column(title, key=key)
        rows.add_column("Environments", key="environments", width=_NAMES_WIDTH)
        holders = self.holders_table
        holders.add_column("Environment", key="name")
        holders.add_column("Version", key="version")
        holders.add_column("Path", key="path")
        rows.focus()
        self.load()

    @property
    def rows_table(self) -> DataTable[Text]:
        return self.query_one("#usage-rows", DataTable)

    @property
    def holders_table(self) -> DataTable[Text]:
        return self.query_one("#usage-holders", DataTable)

    @property
    def holders(self) -> tuple[Path, ...]:
        """The environments the holders list shows, in order."""
        return self._holders

    def _env_name(self, path: Path) -> str:
        return self.env_names.get(path) or path.name

    @work(exclusive=True, group="usage", exit_on_error=False)
    async def load(self) -> None:
        table = self.rows_table
        table.loading = True
        try:
            self.usage = await self.service.usage()
        except VenvDeckError as exc:
            self.query_one("#usage-summary", Static).update(Text(shown(exc), style="bold red"))
            return
        finally:
            table.loading = False
        for index, row in enumerate(self.usage):
            names = ", ".join(shown(self._env_name(p)) for p in row.environments)
            table.add_row(
                Text(shown(row.name), no_wrap=True),
                Text(str(row.copies), justify="right"),
                Text(human_size(row.total_bytes), justify="right"),
                Text(human_size(row.shared_bytes) if row.shared_bytes else "", justify="right", style="dim"),
                Text(shown(", ".join(row.versions)), no_wrap=True),
                Text(names, no_wrap=True, overflow="ellipsis"),
                key=str(index),
            )
        environments = {p for row in self.usage for p in row.environments}
        total = sum(row.total_bytes for row in self.usage)
        summary = Text()
        summary.append(
            f"{len(self.usage)} distributions, {human_size(total)} in {len(environments)} environments"
        )
        summary.append(" · largest first · hard links counted once · enter: where it is", style="dim")
        self.query_one("#usage-summary", Static).update(summary)
        if self.usage:
            self._show_holders(0)

    def _show_holders(self, index: int) -> None:
        row = self.usage[index]
        # By name as a person reads it: pyenv's 3.6.15 before 3.10.13 (the text put it after).
        order = sorted(
            range(len(row.environments)), key=lambda i: natural_key(self._env_name(row.environments[i]))
        )
        self._holders = tuple(row.environments[i] for i in order)
        self._holding = row.name
        title = self.query_one("#usage-holders-title", Static)
        copies = f"{row.copies} cop{'ies' if row.copies != 1 else 'y'}"
        title.update(
            Text.assemble(
                (shown(row.name), "bold"),
                (f": {copies}, {human_size(row.total_bytes)} · enter on one goes to it", "dim"),
            )
        )
        holders = self.holders_table
        holders.clear()
        for number, held in enumerate(order):  # the row's key: its place in self._holders
            path = row.environments[held]
            version = row.held_versions[held] if held < len(row.held_versions) else ""
            holders.add_row(
                Text(shown(self._env_name(path)), no_wrap=True),
                Text(shown(version), no_wrap=True),
                Text(shown(path), style="dim", no_wrap=True),
                key=str(number),
            )

    @on(DataTable.RowHighlighted, "#usage-rows")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None and self.usage:
            self._show_holders(int(event.row_key.value))

    @on(DataTable.RowSelected, "#usage-rows")
    def _open_row(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is None:
            return
        self._show_holders(int(event.row_key.value))
        if len(self._holders) == 1:
            self.dismiss((self._holders[0], self._holding))
            return
        self.holders_table.focus()
        self.holders_table.move_cursor(row=0)

    @on(DataTable.RowSelected, "#usage-holders")
    def _open_holder(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.dismiss((self._holders[int(event.row_key.value)], self._holding))

    def action_back(self) -> None:
        if self.focused is self.holders_table:
            self.rows_table.focus()
        else:
            self.dismiss(None)
