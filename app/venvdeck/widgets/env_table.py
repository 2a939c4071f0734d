"""The flat view of the environments: one sortable table across the whole machine, with size and
last used as columns (`v` switches between it and the grouped tree)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.fuzzy import FuzzySearch
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from venvdeck.formatting import age, human_size, natural_key, shown
from venvdeck.widgets.env_tree import group_of, last_used, matches

if TYPE_CHECKING:
    from venvdeck.models import Environment, EnvironmentSize


class EnvColumn(StrEnum):
    # In the order shown: what the flat view is for (how big, whether it works) before what
    # identifies it further; the left pane is 27 columns wide at 80.
    NAME = "name"
    SIZE = "size"
    STATUS = "status"
    PYTHON = "python"
    MANAGER = "manager"
    LAST_USED = "last used"
    PATH = "path"


_RIGHT = {EnvColumn.SIZE}
_NAME_MIN = 12
_NAME_COMFORT = 24  # below this, the name keeps the room and only Size is kept beside it


# Sorted largest (or latest) first: the arrow points down, as a person reads the column.
_LARGEST_FIRST = frozenset({EnvColumn.SIZE, EnvColumn.LAST_USED})


class EnvTable(DataTable[Text]):
    """A dumb view: the screen hands it every environment and size; it sorts and filters them."""

    KEYS_SECTION = "Environments"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column", id="venvdeck.sort_env_table"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="venvdeck.reverse_env_table"),
        Binding(
            "space", "toggle_mark", "Mark", tooltip="Mark for deleting in bulk (d)", id="venvdeck.mark_row"
        ),
        Binding("j", "cursor_down", "Down", show=False, id="venvdeck.env_table_down"),
        Binding("k", "cursor_up", "Up", show=False, id="venvdeck.env_table_up"),
        Binding("g", "scroll_top", "Top", show=False, id="venvdeck.env_table_top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="venvdeck.env_table_bottom"),
    ]

    class EnvironmentHighlighted(Message):
        def __init__(self, table: EnvTable, env: Environment | None) -> None:
            super().__init__()
            self.table = table
            self.env = env

        @property
        def control(self) -> EnvTable:
            return self.table

    class MarkToggled(Message):
        def __init__(self, table: EnvTable, path: Path) -> None:
            super().__init__()
            self.table = table
            self.path = path

        @property
        def control(self) -> EnvTable:
            return self.table

    class SortChanged(Message):
        def __init__(self, table: EnvTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> EnvTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._envs: dict[Path, Environment] = {}
        self._sizes: dict[Path, EnvironmentSize] = {}
        self._sort = EnvColumn.SIZE
        self._reverse = False
        self._query = ""
        self.marked: frozenset[Path] = frozenset()
        self.now = 0.0
        self.problems: dict[Path, int] = {}  # what pip check would report, once checked
        self._name_width_shown: int | None = None
        self._rows: list[list[Text]] = []

    def show(
        self,
        envs: list[Environment],
        sizes: dict[Path, EnvironmentSize],
        marked: frozenset[Path],
        now: float,
        selected: Path | None,
    ) -> None:
        self._envs = {e.path: e for e in envs}
        self._sizes = dict(sizes)
        self.marked = marked
        self.now = now
        self._rebuild(selected)

    def filter(self, query: str) -> int:
        self._query = query.strip()
        self._rebuild(self.selected)
        return self.row_count

    @property
    def selected(self) -> Path | None:
        if self.row_count == 0:
            return None
        return Path(str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value))

    @property
    def highlighted_path(self) -> Path | None:
        """The environment under the cursor (None with no rows)."""
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:  # the rows were just replaced: the cursor is put back a moment later
            return None
        return Path(key) if key else None

    def select_path(self, path: Path) -> bool:
        if str(path) not in {str(k.value) for k in self.rows}:
            return False
        self.move_cursor(row=self.get_row_index(str(path)))
        return True

    def set_problems(self, path: Path, count: int) -> None:
        """pip check's verdict on one environment, shown by its name and in the Status column."""
        if self.problems.get(path, 0) == count:
            return
        self.problems[path] = count
        env = self._envs.get(path)
        if env is not None and str(path) in self.rows:
            cells = self._cells(env)
            self._rows[self.get_row_index(str(path))] = cells  # the name's width counts its ⚠
            for column in (EnvColumn.NAME, EnvColumn.STATUS):
                cell = cells[list(EnvColumn).index(column)]
                self.update_cell(str(path), column.value, cell, update_width=True)

    @property
    def sort_by(self) -> str:
        """How the rows are sorted, as the summary says it."""
        return f"{self._sort.value}{' (reversed)' if self._reverse else ''}"

    def action_cycle_sort(self) -> None:
        members = list(EnvColumn)
        self._sort = members[(members.index(self._sort) + 1) % len(members)]
        self._resorted()

    def action_reverse_sort(self) -> None:
        self._reverse = not self._reverse
        self._resorted()

    def _resorted(self) -> None:
        self._rebuild(self.selected)
        self.post_message(self.SortChanged(self))

    def action_toggle_mark(self) -> None:
        path = self.selected
        if path is not None:
            self.post_message(self.MarkToggled(self, path))
            self.action_cursor_down()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        column = EnvColumn(str(event.column_key.value))
        self._reverse = not self._reverse if column is self._sort else False
        self._sort = column
        self._resorted()

    @on(DataTable.RowHighlighted)
    def _row(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        key = event.row_key.value
        self.post_message(self.EnvironmentHighlighted(self, self._envs.get(Path(str(key))) if key else None))

    def _key(self, env: Environment) -> tuple[object, ...]:
        size = self._sizes.get(env.path)
        name = natural_key(env.name)
        match self._sort:
            case EnvColumn.SIZE:
                return (-(size.freed_bytes if size else -1), name)
            case EnvColumn.LAST_USED:
                return (-last_used(size), name)
            case EnvColumn.MANAGER:
                return (group_of(env), name)
            case EnvColumn.PYTHON:
                return (natural_key(env.python_version or ""), name)
            case EnvColumn.STATUS:
                return (not env.is_broken, not self.problems.get(env.path), name)
            case EnvColumn.PATH:
                return (str(env.path),)
            case _:
                return (name, str(env.path))

    def _cells(self, env: Environment) -> list[Text]:
        size = self._sizes.get(env.path)
        mark = Text("✓ " if env.path in self.marked else "  ", style="bold magenta")
        # As the tree marks it: seen however narrow the pane (the Status column may be cut off).
        state = (
            Text("✗ ", style="bold red")
            if env.is_broken
            else Text("⚠ ", style="bold yellow")
            if self.problems.get(env.path)
            else Text("")
        )
        name = Text(shown(env.name), no_wrap=True, overflow="ellipsis")
        if self._query:
            _score, offsets = FuzzySearch().match(self._query, env.name)
            for offset in offsets:
                name.stylize("bold underline", offset, offset + 1)
        status = (
            Text("broken", style="red")
            if env.is_broken
            else Text("active", style="green")
            if env.is_active
            else Text("ok", style="dim")
        )
        if self.problems.get(env.path) and not env.is_broken:
            status = Text.assemble(status, (f" ⚠ {self.problems[env.path]}", "bold yellow"))
        cells = {
            EnvColumn.NAME: Text.assemble(mark, state, name),
            EnvColumn.SIZE: Text(human_size(size.freed_bytes) if size else "", justify="right"),
            EnvColumn.STATUS: status,
            EnvColumn.PYTHON: Text(env.python_version or "?"),
            EnvColumn.MANAGER: Text(
                str(env.manager or ("base" if env.kind.value == "python" else "project"))
            ),
            EnvColumn.LAST_USED: Text(age(size.last_used, self.now) if size and size.last_used else ""),
            EnvColumn.PATH: Text(shown(env.path), no_wrap=True),
        }
        cells[EnvColumn.NAME].no_wrap, cells[EnvColumn.NAME].overflow = True, "ellipsis"
        return [cells[column] for column in EnvColumn]

    def _name_width(self, rows: list[list[Text]]) -> int | None:
        """The Name column's width where the longest name would push Size out of the pane (what
        the view is for; a broken or failing one is marked by its name); None: as wide as the names."""
        pane = self.scrollable_content_region.width
        if not pane or not rows:
            return None
        padding = 2 * self.cell_padding

        def widest(column: EnvColumn) -> int:
            index = list(EnvColumn).index(column)
            return max(len(column.value) + 2, *(row[index].cell_len for row in rows)) + padding

        # Room for Size, Status and Python beside it where there is, else for Size alone: a long
        # name hid everything after Size even on a wide terminal.
        beside = widest(EnvColumn.SIZE) + widest(EnvColumn.STATUS) + widest(EnvColumn.PYTHON)
        room = pane - beside - padding
        if room < _NAME_COMFORT:
            room = max(_NAME_MIN, pane - widest(EnvColumn.SIZE) - padding)
        return room if widest(EnvColumn.NAME) - padding > room else None

    def on_resize(self) -> None:
        if self._name_width(self._rows) != self._name_width_shown:
            self._rebuild(self.selected)

    def _rebuild(self, selected: Path | None) -> None:
        self.clear(columns=True)
        envs = sorted(
            (e for e in self._envs.values() if matches(self._query, e)), key=self._key, reverse=self._reverse
        )
        self._rows = [self._cells(env) for env in envs]
        self._name_width_shown = self._name_width(self._rows)
        for column in EnvColumn:
            arrow = (
                (" ▼" if self._reverse != (column in _LARGEST_FIRST) else " ▲")
                if column is self._sort
                else ""
            )
            width = self._name_width_shown if column is EnvColumn.NAME else None
            self.add_column(column.value.capitalize() + arrow, key=column.value, width=width)
        for env, cells in zip(envs, self._rows, strict=True):
            self.add_row(*cells, key=str(env.path))
        if selected is not None:
            self.select_path(selected)
