"""The package table: one environment's packages, sortable by any column, filtered as you type.

Column widths come from every package of the environment, not from the rows a filter leaves, so
typing in the filter never shrinks a column. Where the table is narrow, the least useful columns
step aside (Installer first, then Source, Size, Requested); then a long name is cut (with …), so
the version always shows whole.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from venvdeck.formatting import human_size, shown

if TYPE_CHECKING:
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
# Which columns give way first when the table is narrow.
_GIVE_WAY = (Column.INSTALLER, Column.SOURCE, Column.SIZE, Column.REQUESTED)
_SIZE_WIDTH = len("1000.0 MB")
_CELL_PADDING = 2  # DataTable pads each cell by one on either side
_MIN_NAME_WIDTH = 12  # a name is cut (with …) to no less than this, for the version to show


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


def requested_text(package: Package) -> Text:
    if package.requested is None:
        return Text("unknown", style="dim italic")
    return Text("user", style="green") if package.requested else Text("dependency", style="dim")


def _version_key(version: str) -> tuple[int, Version | str]:
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)


# Sorted largest (or latest) first: the arrow points down, as a person reads the column.
_LARGEST_FIRST = frozenset({Column.SIZE})


# What acts on the package under the cursor (or the marked ones): nothing to do without a row.
_ON_A_PACKAGE = frozenset({"toggle_mark", "uninstall", "upgrade", "details", "why", "first", "last"})


class PackageTable(Vertical):
    """A dumb view: the screen hands it packages and sizes; it sorts and filters them itself."""

    KEYS_SECTION = "Packages"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column", id="venvdeck.sort_packages"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="venvdeck.reverse_packages"),
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            tooltip="Mark for uninstall or upgrade",
            id="venvdeck.mark_package",
        ),
        Binding("u,delete", "uninstall", "Uninstall", id="venvdeck.uninstall"),
        Binding("U", "upgrade", "Upgrade", id="venvdeck.upgrade"),
        Binding(
            "enter",
            "details",
            "Details",
            show=False,
            tooltip="The package's details",
            id="venvdeck.package_details",
        ),
        Binding(
            "w",
            "why",
            "Why is it here?",
            show=False,
            tooltip="Every path from what was asked for down to this package",
            id="venvdeck.why",
        ),
        Binding("g", "first", "Top", show=False, id="venvdeck.packages_top"),
        Binding("G", "last", "Bottom", show=False, id="venvdeck.packages_bottom"),
        Binding("j", "down", "Down", show=False, id="venvdeck.packages_down"),
        Binding("k", "up", "Up", show=False, id="venvdeck.packages_up"),
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

    class _PackageMessage(Message):
        def __init__(self, table: PackageTable, package: Package) -> None:
            super().__init__()
            self.table = table
            self.package = package

        @property
        def control(self) -> PackageTable:
            return self.table

    class DetailsRequested(_PackageMessage):
        """The user asked for a package's details (enter)."""

    class WhyRequested(_PackageMessage):
        """The user asked why a package is installed (its reverse dependency tree)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self._packages: list[Package] = []
        self._sizes: dict[str, int] = {}
        self._sort = Column.NAME
        self._reverse = False
        self._query = ""
        self._marked: set[str] = set()  # canonical names
        self._columns: tuple[Column, ...] = tuple(Column)
        self._name_width = 0  # the Name column's width as laid out (a long name may be cut)
        self._width_cache: dict[Column, int] | None = None
        self.environment_path: Path | None = None
        self._message: str | None = None  # shown in place of the rows (an empty state, an error)
        self._read_only: str | None = None  # why the rows shown cannot be changed (said above them)
        self._other_environment = False  # the rows being shown are another environment's
        self._wanted: tuple[Path, str] | None = None  # put the cursor there once that is listed
        self._had_rows = False  # the last rebuild listed a package (the keys below apply)

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter packages (fuzzy)…", id="package-filter")
        yield Static("", id="package-note")
        yield DataTable(id="package-rows", cursor_type="row", zebra_stripes=True)
        yield Static("", id="package-marks")
        yield Static("", id="package-message")

    def on_mount(self) -> None:
        self._rebuild()

    def on_resize(self, event: events.Resize) -> None:
        if self._layout() != (self._columns, self._name_width):
            self._rebuild()

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#package-rows", DataTable)

    @property
    def shown_names(self) -> list[str]:
        """The package names on screen, in order."""
        return [str(key.value) for key in self.table.rows]

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def packages(self) -> list[Package]:
        return list(self._packages)

    @property
    def marked_count(self) -> int:
        return len(self._marked)

    @property
    def highlighted(self) -> Package | None:
        table = self.table
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((p for p in self._packages if canonicalize_name(p.name) == key), None)

    # ---- what the screen calls -------------------------------------------------------------------
    def show_packages(
        self, environment_path: Path, packages: tuple[Package, ...], *, read_only: str | None = None
    ) -> None:
        """read_only: why nothing can be done to them (a broken environment, read from its
        folder), said above the rows; the keys that act on a package are dimmed."""
        self._other_environment = environment_path != self.environment_path
        if self._other_environment:
            self._marked.clear()
        self._message = None
        if read_only is not None:
            self._marked.clear()
        self._read_only = read_only
        self.query_one("#package-note", Static).update(Text(read_only or ""))
        self.set_class(read_only is not None, "-noted")
        self.environment_path = environment_path
        self._packages = list(packages)
        present = {canonicalize_name(p.name) for p in packages}
        self._marked &= present  # a mark on what is gone goes with it
        self._sizes = {}
        self._width_cache = None
        self._rebuild()
        self._other_environment = False
        if self._wanted is not None and self._wanted[0] == environment_path:
            self._cursor_to(self._wanted[1])
            self._wanted = None

    def highlight_when_shown(self, environment_path: Path, name: str) -> None:
        """The cursor on package name of that environment, now if it is listed, else when it is."""
        self._wanted = None
        if environment_path == self.environment_path and self._cursor_to(name):
            return
        self._wanted = (environment_path, name)

    def _cursor_to(self, name: str) -> bool:
        key = canonicalize_name(name)
        if key not in self.table.rows:
            return False
        self.table.move_cursor(row=self.table.get_row_index(key))
        return True

    def show_message(self, environment_path: Path | None, message: str) -> None:
        """An empty state or an error in place of the rows."""
        self._marked.clear()
        self.environment_path = environment_path
        self._packages = []
        self._sizes = {}
        self._width_cache = None
        self._message = message
        self._read_only = None
        self.set_class(False, "-noted")
        self._rebuild()

    def set_sizes(self, environment_path: Path, sizes: dict[str, int]) -> None:
        if environment_path != self.environment_path:
            return  # a late answer for an environment no longer shown
        self._sizes = {canonicalize_name(n): s for n, s in sizes.items()}
        if self._sort is Column.SIZE or Column.SIZE not in self._columns:
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

    def clear_marks(self) -> bool:
        """Forget the marks (after an operation acted on them, or on escape). False if there were none."""
        if not self._marked:
            return False
        self._marked.clear()
        self._rebuild()
        return True

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
        self._show_marks()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Shown dimmed while no package is listed (a broken or empty environment, a filter that
        matches nothing): pressed, they did nothing and said nothing."""
        if action in _ON_A_PACKAGE and not self._had_rows:
            return None
        if self._read_only is not None and action in _ON_A_PACKAGE - {"first", "last"}:
            return None  # a broken environment's packages, read from its folder: look, not touch
        return True

    def action_uninstall(self) -> None:
        if self.chosen:
            self.post_message(self.PackagesRequested(self, "uninstall", self.chosen))

    def action_upgrade(self) -> None:
        if self.chosen:
            self.post_message(self.PackagesRequested(self, "upgrade", self.chosen))

    def action_details(self) -> None:
        package = self.highlighted
        if package is not None:
            self.post_message(self.DetailsRequested(self, package))

    def action_why(self) -> None:
        package = self.highlighted
        if package is not None:
            self.post_message(self.WhyRequested(self, package))

    @on(DataTable.RowSelected, "#package-rows")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_details()

    def action_first(self) -> None:
        self.table.move_cursor(row=0)

    def action_last(self) -> None:
        self.table.move_cursor(row=max(0, self.table.row_count - 1))

    def action_down(self) -> None:
        self.table.action_cursor_down()

    def action_up(self) -> None:
        self.table.action_cursor_up()

    def _name_cell(self, package: Package) -> Text:
        marked = canonicalize_name(package.name) in self._marked
        text = Text(no_wrap=True, overflow="ellipsis")  # cut with … where the pane is narrow
        text.append("✓ " if marked else "  ", style="bold magenta")
        text.append(shown(package.name), style="bold" if package.requested else "")
        return text

    def _show_marks(self) -> None:
        marks = self.query_one("#package-marks", Static)
        count = len(self._marked)
        marks.display = bool(count)
        if count:
            marks.update(
                Text.assemble(
                    (f"{count} marked", "bold magenta"), ("   u uninstall · U upgrade · escape clears", "dim")
                )
            )

    # ---- sorting and filtering -------------------------------------------------------------------
    def action_cycle_sort(self) -> None:
        members = list(self._columns)
        current = members.index(self._sort) if self._sort in members else -1
        self.sort_by(members[(current + 1) % len(members)])

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
                return ({True: 0, None: 1, False: 2}[package.requested], name)
            case Column.INSTALLER:
                return (package.installer or "~", name)
            case Column.SOURCE:
                return (source_of(package) or "~", name)
            case Column.SIZE:
                return (-self._sizes.get(name, -1), name)
            case _:
                return (name,)

    def _cells(self, package: Package) -> dict[Column, Text]:
        size = self._sizes.get(canonicalize_name(package.name))
        return {
            Column.NAME: self._name_cell(package),
            Column.VERSION: Text(shown(package.version), no_wrap=True),  # Text: a str would be markup
            Column.REQUESTED: requested_text(package),
            Column.INSTALLER: Text(shown(package.installer or ""), no_wrap=True),
            Column.SOURCE: Text(source_of(package)),
            Column.SIZE: Text(human_size(size), justify="right") if size is not None else Text(""),
        }

    def _widths(self) -> dict[Column, int]:
        """Each column as wide as its widest cell in the whole environment (and its title, arrow included)."""
        if self._width_cache is not None:
            return self._width_cache
        widths = {column: len(_TITLES[column]) + 2 for column in Column}
        widths[Column.SIZE] = max(widths[Column.SIZE], _SIZE_WIDTH)
        widths[Column.REQUESTED] = max(widths[Column.REQUESTED], len("dependency"))
        for package in self._packages:
            for column, cell in self._cells(package).items():
                if column is not Column.SIZE:
                    widths[column] = max(widths[column], cell.cell_len)
        self._width_cache = widths
        return widths

    def _fitting_columns(self) -> tuple[Column, ...]:
        available = self.size.width - 2  # the vertical scrollbar
        if available <= 0:
            return tuple(Column)
        widths = self._widths()
        columns = list(Column)
        for column in _GIVE_WAY:
            if sum(widths[c] + _CELL_PADDING for c in columns) <= available:
                break
            columns.remove(column)
        return tuple(columns)

    def _layout(self) -> tuple[tuple[Column, ...], int]:
        """The columns that fit, and the Name column's width: where the optional columns have
        stepped aside and it still does not fit, a long name gives way (cut with …) to the version."""
        columns = self._fitting_columns()
        widths = self._widths()
        name = widths[Column.NAME]
        available = self.size.width - 2  # the vertical scrollbar
        others = sum(widths[c] + _CELL_PADDING for c in columns if c is not Column.NAME)
        if available > 0 and others + name + _CELL_PADDING > available:
            name = max(_MIN_NAME_WIDTH, available - others - _CELL_PADDING)
        return columns, name

    def _rebuild(self) -> None:
        """The rows again (sorted, filtered, at the columns that fit), or the message shown in
        their place: kept across a resize or a sort, until packages are shown."""
        message = self._message
        table = self.table
        # The row under the cursor, by its key: the package may be gone from the new listing.
        highlighted = (
            table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        )
        line = table.cursor_row
        table.clear(columns=True)
        widths = dict(self._widths())
        self._columns, self._name_width = self._layout()
        widths[Column.NAME] = self._name_width
        for column in self._columns:
            arrow = (
                (" ▼" if self._reverse != (column in _LARGEST_FIRST) else " ▲")
                if column is self._sort
                else ""
            )
            table.add_column(_TITLES[column] + arrow, key=column, width=widths[column])
        rows = sorted(self._visible(), key=self._key, reverse=self._reverse)
        for package in rows:
            cells = self._cells(package)
            table.add_row(*(cells[c] for c in self._columns), key=canonicalize_name(package.name))
        if highlighted is not None and highlighted in table.rows:
            table.move_cursor(row=table.get_row_index(highlighted))
        elif highlighted is not None and rows and not self._other_environment:
            # It went (uninstalled): its neighbour, where it was, not back to the top.
            table.move_cursor(row=min(line, len(rows) - 1))
        if message is None and not rows:
            message = f"No package matches “{self._query}”." if self._query else ""
        note = self.query_one("#package-message", Static)
        note.update(Text(message or ""))
        self.set_class(bool(message), "-empty")
        self._show_marks()
        if bool(rows) != self._had_rows:
            self._had_rows = bool(rows)
            self.refresh_bindings()  # the keys that act on a package apply again, or no more
