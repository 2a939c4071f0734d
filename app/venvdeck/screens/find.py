"""Find a package everywhere (F): one distribution across every environment, with its version and
whether that version matches what was typed.

The first time a name is typed (once typing pauses), every environment is read for it through the
service, and the rows stream in as each environment is read. The versions are kept, so refining
the version part (`numpy`, `numpy<2`, `numpy>=1.26,<2`) filters in memory at each keystroke with
`packaging`, without reading anything again. A requirement with a marker is asked of the service as
typed: the marker is evaluated for each environment's own Python there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import counted, natural_key, shown
from venvdeck.widgets.keys_footer import KeysFooter
from venvdeck.widgets.rows_table import RowsTable

if TYPE_CHECKING:
    from venvdeck.models import FoundDistribution
    from venvdeck.services.protocol import EnvironmentService

DEBOUNCE_S = 0.25  # a name not read yet is looked for once typing pauses this long
_COLUMNS = ("Environment", "Name", "Version", "Matches", "Path")


@dataclass(frozen=True, slots=True)
class Query:
    key: str  # what a read is kept under: the canonical name (the whole requirement with a marker)
    ask: str  # what the service is asked for
    specifier: SpecifierSet  # filtered in memory ('' with a marker: the service applied it)
    name: str


def parse_query(text: str) -> Query | str:
    """What the box holds, or the one line that says why it is not a requirement."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid"
        return f"Not a requirement yet: {reason}"
    name = canonicalize_name(requirement.name)
    if requirement.marker is not None:
        whole = str(requirement)
        return Query(whole, whole, SpecifierSet(), name)
    return Query(name, name, requirement.specifier, name)


def matches(specifier: SpecifierSet, version: str) -> bool:
    """pip's test (as services/insight/graph.version_matches): pre-releases allowed; a version that
    is not PEP 440 matches only `===`."""
    try:
        return specifier.contains(Version(version), prereleases=True)
    except InvalidVersion:
        return specifier.contains(version, prereleases=True)


@dataclass(slots=True)
class _Read:
    found: list[FoundDistribution] = field(default_factory=list)
    done: bool = False


class FindScreen(Screen[tuple[Path, str] | None]):
    """Dismissed with the environment to jump to and the package found there (None: closed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="venvdeck.find_close"),
        Binding("down", "rows", "Results", show=False, id="venvdeck.find_rows"),
    ]

    def __init__(self, service: EnvironmentService, broken: int = 0) -> None:
        """broken: how many environments the dashboard knows are broken (their Python is gone:
        read from their folders, marked ✗, and the status says so)."""
        super().__init__()
        self.service = service
        self.broken = broken
        self.reads: dict[str, _Read] = {}  # what was read, by Query.key
        self.query_now: Query | None = None
        self._shown: list[FoundDistribution] = []  # the rows, in order
        self._matching: list[bool] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(
                ("Find a package everywhere", "bold"),
                ("   a name or a requirement: requests, numpy<2, urllib3>=2,<2.3", "dim"),
            ),
            id="find-title",
        )
        yield Input(placeholder="requests, numpy<2, …", id="find-input")
        yield Static("", id="find-status")
        yield RowsTable(id="find-rows", cursor_type="row", zebra_stripes=True)
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        table = self.table
        for title in _COLUMNS:
            table.add_column(title, key=title.lower())
        self._status(Text("Type a package name; the version part filters as you type.", style="dim"))
        self.query_one(Input).focus()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#find-rows", DataTable)

    @property
    def shown_rows(self) -> list[tuple[str, str, str, bool]]:
        """(environment path, name, version, matches) for each row, in the order shown."""
        order = [int(str(row.key.value)) for row in self.table.ordered_rows]
        return [
            (
                str(self._shown[i].environment.path),
                self._shown[i].name,
                self._shown[i].version,
                self._matching[i],
            )
            for i in order
        ]

    @property
    def status_text(self) -> str:
        return str(self.query_one("#find-status", Static).content)

    # ---- typing --------------------------------------------------------------------------------------
    @on(Input.Changed, "#find-input")
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        text = event.value.strip()
        if not text:
            self.query_now = None
            self._rebuild()
            self._status(Text("Type a package name; the version part filters as you type.", style="dim"))
            return
        query = parse_query(text)
        if isinstance(query, str):
            self._status(Text(shown(query), style="bold red"))  # the rows of the last good query stay
            return
        previous, self.query_now = self.query_now, query
        if query.key in self.reads:
            if previous is not None and previous.key == query.key:
                self._refilter()  # the same name: only the version part changed
            else:
                self._rebuild()
            self._status()
            return
        self._rebuild()
        self._status(Text(f"Looking for {shown(query.name)} when you stop typing…", style="dim"))
        self._timer = self.set_timer(DEBOUNCE_S, lambda: self._read(query))

    @on(Input.Submitted, "#find-input")
    def _submitted(self) -> None:
        self.action_rows()

    def action_rows(self) -> None:
        if self.table.row_count:
            self.table.focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected, "#find-rows")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        found = self._shown[int(str(event.row_key.value))]
        self.dismiss((found.environment.path, found.name))

    # ---- reading (once per name) ---------------------------------------------------------------------
    @work(exclusive=True, group="find", exit_on_error=False)
    async def _read(self, query: Query) -> None:
        self._timer = None
        read = self.reads[query.key] = _Read()
        try:
            self._status()
            async for found in self.service.find_everywhere(query.ask):
                read.found.append(found)
                if self.query_now is not None and self.query_now.key == query.key:
                    self._add_row(found)
                    self._status()
            read.done = True
            if self.query_now is not None and self.query_now.key == query.key:
                self._sort_rows()
        except VenvDeckError as exc:
            self._status(Text(shown(exc), style="bold red"))
        finally:
            if not read.done:  # cancelled or failed: read again next time
                self.reads.pop(query.key, None)
        if self.query_now is not None and self.query_now.key == query.key:
            self._status()

    # ---- the table -----------------------------------------------------------------------------------
    def _cells(self, found: FoundDistribution, ok: bool) -> list[Text]:
        return [
            Text(("✗ " if found.environment.is_broken else "") + shown(found.environment.name), no_wrap=True),
            Text(shown(found.name), no_wrap=True),
            Text(shown(found.version), no_wrap=True),
            Text("✓ yes", style="green") if ok else Text("✗ no", style="dim"),
            Text(shown(found.environment.path), style="dim", no_wrap=True),
        ]

    def _add_row(self, found: FoundDistribution) -> None:
        assert self.query_now is not None
        ok = matches(self.query_now.specifier, found.version)
        self.table.add_row(*self._cells(found, ok), key=str(len(self._shown)))
        self._shown.append(found)
        self._matching.append(ok)

    def _rebuild(self) -> None:
        self.table.clear()
        self._shown, self._matching = [], []
        query = self.query_now
        read = self.reads.get(query.key) if query is not None else None
        for found in read.found if read is not None else ():
            self._add_row(found)
        if read is not None and read.done:
            self._sort_rows()

    def _sort_rows(self) -> None:
        """What matches first, then by environment name (rows arrive in the order environments are
        found; they are kept so while they stream, and sorted once all are in)."""
        self.table.sort(
            "matches",
            "environment",
            key=lambda cells: (not cells[0].plain.startswith("✓"), natural_key(cells[1].plain)),
        )

    def _refilter(self) -> None:
        """The same rows; only whether each matches may change."""
        assert self.query_now is not None
        specifier = self.query_now.specifier
        changed = False
        for index, found in enumerate(self._shown):
            ok = matches(specifier, found.version)
            if ok != self._matching[index]:
                changed = True
                self._matching[index] = ok
                self.table.update_cell(str(index), "matches", self._cells(found, ok)[3])
        read = self.reads.get(self.query_now.key)
        if changed and read is not None and read.done:
            self._sort_rows()

    def _status(self, message: Text | None = None) -> None:
        status = self.query_one("#find-status", Static)
        if message is not None:
            self._set_status(status, message)
            return
        query = self.query_now
        read = self.reads.get(query.key) if query is not None else None
        if query is None or read is None:
            return
        environments = len({f.environment.path for f in self._shown})
        matching = sum(self._matching)
        text = Text()
        if not self._shown:
            text.append(f"No environment has {shown(query.name)}" if read.done else "Reading…")
        else:
            text.append(
                f"{shown(query.name)} in {environments} environment{'s' if environments != 1 else ''}"
            )
            if str(query.specifier):
                text.append(f" · {matching} match {shown(query.specifier)}")
        if self._shown:  # before what was read: on a narrow screen the end of the line is cut
            text.append(" · enter: go to it", style="dim")
        text.append(" · every working environment read" if read.done else " · reading…", style="dim")
        if read.done and self.broken:
            where = "its folder" if self.broken == 1 else "their folders"
            text.append(f" ({counted(self.broken, 'broken one')} read from {where}: ✗)", style="dim")
        self._set_status(status, text)

    @staticmethod
    def _set_status(status: Static, text: Text) -> None:
        """One line, always: no layout pass for it (it would repaint the whole table)."""
        if text != status.content:
            status.update(text, layout=False)
