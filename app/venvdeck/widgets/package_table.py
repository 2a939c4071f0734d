"""The package table: one environment's packages, sortable by any column, filtered as you type."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from venvdeck.formatting import human_size
from venvdeck.models import Package


class Column(StrEnum):
    NAME = "name"
    VERSION = "version"
    REQUESTED = "requested"
    INSTALLER = "installer"
    SOURCE = "source"
    SIZE = "size"


_TITLES = {
    Column.NAME: "Name",
    Column.VERSION: "Version",
    Column.REQUESTED: "Requested",
    Column.INSTALLER: "Installer",
    Column.SOURCE: "Source",
    Column.SIZE: "Size",
}


_SIZE_WIDTH = len("1000.0 MB")


def source_of(package: Package) -> str:
    """How it got here: from an index (blank), or editable / VCS / local folder / URL."""
    if package.editable:
        return "editable"
    url = package.direct_url
    if url is None:
        return ""
    if url.vcs:
        return url.vcs
    if url.url.startswith("file:"):
        return "local dir" if url.is_dir else "local file"
    return "url"


def _version_key(version: str) -> tuple[int, Version | str]:
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)


class PackageTable(Vertical):
    """A dumb view: the screen hands it packages and sizes; it sorts and filters them itself."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column", id="venvdeck.sort_packages"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="venvdeck.reverse_packages"),
        Binding("space", "toggle_mark", "Mark", id="venvdeck.mark_package"),
        Binding("u,delete", "uninstall", "Uninstall", id="venvdeck.uninstall"),
        Binding("U", "upgrade", "Upgrade", id="venvdeck.upgrade"),
    ]

    class PackagesRequested(Message):
        """The user asked to uninstall or upgrade these packages (marked ones, else the highlighted one)."""

        def __init__(self, table: PackageTable, action: str, names: list[str]) -> None:
            super().__init__()
            self.table = table
            self.action = action
            self.names = names

        @property
        def control(self) -> PackageTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self._packages: list[Package] = []
        self._sizes: dict[str, int] = {}
        self._sort = Column.NAME
        self._reverse = False
        self._query = ""
        self._marked: set[str] = set()  # canonical names
        self.environment_path: Path | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter packages (fuzzy)…", id="package-filter")
        yield DataTable(id="package-rows", cursor_type="row", zebra_stripes=True)
        yield Static("", id="package-message")

    def on_mount(self) -> None:
        self._rebuild()

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#package-rows", DataTable)

    @property
    def shown_names(self) -> list[str]:
        """The package names on screen, in order."""
        return [str(key.value) for key in self.table.rows]

    @property
    def packages(self) -> list[Package]:
        return list(self._packages)

    @property
    def highlighted(self) -> Package | None:
        table = self.table
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((p for p in self._packages if canonicalize_name(p.name) == key), None)

    # ---- what the screen calls -------------------------------------------------------------------
    def show_packages(self, environment_path: Path, packages: tuple[Package, ...]) -> None:
        if environment_path != self.environment_path:
            self._marked.clear()
        self.environment_path = environment_path
        self._packages = list(packages)
        self._sizes = {}
        self._rebuild()

    def show_message(self, environment_path: Path | None, message: str) -> None:
        """An empty state or an error in place of the rows."""
        self._marked.clear()
        self.environment_path = environment_path
        self._packages = []
        self._sizes = {}
        self._rebuild(message)

    def set_sizes(self, environment_path: Path, sizes: dict[str, int]) -> None:
        if environment_path != self.environment_path:
            return  # a late answer for an environment no longer shown
        self._sizes = {canonicalize_name(n): s for n, s in sizes.items()}
        if self._sort is Column.SIZE:
            self._rebuild()
            return
        table = self.table
        for key in table.rows:  # the Size column has a fixed width: no re-measuring per cell
            size = self._sizes.get(str(key.value))
            if size is not None:
                table.update_cell(key, Column.SIZE, Text(human_size(size), justify="right"))

    def open_filter(self) -> None:
        filter_input = self.query_one("#package-filter", Input)
        filter_input.display = True
        filter_input.focus()

    # ---- marking and asking -----------------------------------------------------------------------
    @property
    def chosen(self) -> list[str]:
        """The packages an action applies to: the marked ones, else the highlighted one."""
        if self._marked:
            return [p.name for p in self._packages if canonicalize_name(p.name) in self._marked]
        highlighted = self.highlighted
        return [highlighted.name] if highlighted is not None else []

    def action_toggle_mark(self) -> None:
        package = self.highlighted
        if package is None:
            return
        key = canonicalize_name(package.name)
        self._marked.symmetric_difference_update({key})
        row = self.table.cursor_row
        self.table.update_cell(key, Column.NAME, self._name_cell(package))
        if row + 1 < self.table.row_count:
            self.table.move_cursor(row=row + 1)

    def action_uninstall(self) -> None:
        if self.chosen:
            self.post_message(self.PackagesRequested(self, "uninstall", self.chosen))

    def action_upgrade(self) -> None:
        if self.chosen:
            self.post_message(self.PackagesRequested(self, "upgrade", self.chosen))

    def _name_cell(self, package: Package) -> Text:
        marked = canonicalize_name(package.name) in self._marked
        text = Text()
        if marked:
            text.append("✓ ", style="bold magenta")
        text.append(package.name, style="bold" if package.requested else "")
        return text

    # ---- sorting and filtering -------------------------------------------------------------------
    def action_cycle_sort(self) -> None:
        members = list(Column)
        self.sort_by(members[(members.index(self._sort) + 1) % len(members)])

    def action_reverse_sort(self) -> None:
        self._reverse = not self._reverse
        self._rebuild()

    def sort_by(self, column: Column, *, reverse: bool = False) -> None:
        self._sort = column
        self._reverse = reverse
        self._rebuild()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        column = Column(str(event.column_key.value))
        self.sort_by(column, reverse=not self._reverse if column is self._sort else False)

    @on(Input.Changed, "#package-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._query = event.value.strip()
        self._rebuild()

    @on(Input.Submitted, "#package-filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def close_filter(self) -> bool:
        """Escape in the filter: clear it and hide it. False when it was not open."""
        filter_input = self.query_one("#package-filter", Input)
        if not filter_input.display:
            return False
        filter_input.value = ""
        filter_input.display = False
        self.table.focus()
        return True

    def _visible(self) -> list[Package]:
        if not self._query:
            return self._packages
        matcher = Matcher(self._query)
        scored = [(matcher.match(p.name), p) for p in self._packages]
        return [p for score, p in scored if score > 0]

    def _key(self, package: Package) -> tuple[object, ...]:
        name = canonicalize_name(package.name)
        match self._sort:
            case Column.VERSION:
                return (_version_key(package.version), name)
            case Column.REQUESTED:
                return (not package.requested, name)
            case Column.INSTALLER:
                return (package.installer or "~", name)
            case Column.SOURCE:
                return (source_of(package) or "~", name)
            case Column.SIZE:
                return (-self._sizes.get(name, -1), name)
            case _:
                return (name,)

    def _rebuild(self, message: str | None = None) -> None:
        table = self.table
        highlighted = self.highlighted
        table.clear(columns=True)
        for column in Column:
            arrow = (" ▼" if self._reverse else " ▲") if column is self._sort else ""
            width = _SIZE_WIDTH if column is Column.SIZE else None  # sizes arrive later: room kept for them
            table.add_column(_TITLES[column] + arrow, key=column, width=width)
        rows = sorted(self._visible(), key=self._key, reverse=self._reverse)
        for package in rows:
            name = canonicalize_name(package.name)
            size = self._sizes.get(name)
            table.add_row(
                self._name_cell(package),
                Text(package.version),  # Text, not str: a DataTable reads a str as markup
                Text("user", style="green") if package.requested else Text("dependency", style="dim"),
                Text(package.installer or ""),
                Text(source_of(package)),
                Text(human_size(size), justify="right") if size is not None else Text(""),
                key=name,
            )
        if highlighted is not None and canonicalize_name(highlighted.name) in table.rows:
            table.move_cursor(row=table.get_row_index(canonicalize_name(highlighted.name)))
        if message is None and not rows:
            message = f"No package matches “{self._query}”." if self._query else ""
        note = self.query_one("#package-message", Static)
        note.update(Text(message or ""))
        self.set_class(bool(message), "-empty")
