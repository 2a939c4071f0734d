"""The environment tree: environments grouped by the tool that owns them, keyed by path.

Labels are laid out for the tree's width: the name gives way (with an ellipsis) so the Python
version and the size always show whole, units included. A filter keeps only the matching leaves;
marks (for reclaiming in bulk) show as a tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.fuzzy import FuzzySearch, Matcher
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from venvdeck.formatting import human_size, natural_key, shown
from venvdeck.models import Kind, Manager
from venvdeck.widgets.tree_arrows import close_or_leave, open_or_enter

if TYPE_CHECKING:
    from venvdeck.models import Environment, EnvironmentSize


class EnvSort(StrEnum):
    NAME = "name"
    SIZE = "size"
    LAST_USED = "last used"

    def next(self) -> EnvSort:
        members = list(EnvSort)
        return members[(members.index(self) + 1) % len(members)]


# (group key, title) in the order the tree shows them.
GROUPS: tuple[tuple[str, str], ...] = (
    ("project", "Projects"),
    (Manager.VIRTUALENVWRAPPER, "virtualenvwrapper"),
    (Manager.POETRY, "poetry"),
    (Manager.PIPENV, "pipenv"),
    (Manager.PDM, "pdm"),
    (Manager.HATCH, "hatch"),
    (Manager.PIPX, "pipx"),
    (Manager.UV, "uv"),
    ("tox-nox", "tox / nox"),
    (Manager.CONDA, "conda"),
    (Manager.PIXI, "pixi"),
    (Manager.PYENV, "pyenv"),
    ("python", "Base interpreters"),
)
_GROUP_TITLES = dict(GROUPS)
_GROUP_ORDER = [key for key, _ in GROUPS]
_SIZE_COLUMN = len("1000.0 MB")
_MOVING_KEYS = frozenset(
    {"up", "down", "j", "k", "g", "G", "home", "end", "pageup", "pagedown", "enter", "space"}
)
_VERSION_COLUMN = len("3.13.0rc1")


def group_of(env: Environment) -> str:
    if env.manager in {Manager.TOX, Manager.NOX}:
        return "tox-nox"
    if env.manager is not None:
        return env.manager
    return "python" if env.kind is Kind.PYTHON else "project"


def matches(query: str, env: Environment) -> bool:
    """A filter's test: the query fuzzily in the name, or word for word in the path."""
    query = query.strip()
    if not query:
        return True
    if Matcher(query).match(env.name) > 0:
        return True
    path = str(env.path).casefold()
    return all(word in path for word in query.casefold().split())


def last_used(size: EnvironmentSize | None) -> float:
    if size is None:
        return -1.0
    return size.last_used or 0.0


@dataclass(frozen=True, slots=True)
class _Entry:
    """What one leaf holds: the environment, and its size once measured."""

    env: Environment
    size: EnvironmentSize | None = None


def _set_label(node: TreeNode[_Entry | None], label: Text) -> None:
    """Only a label that changed: setting one repaints the node's lines and all below it."""
    if node.label != label:
        node.set_label(label)


class EnvTree(Tree[_Entry | None]):
    """A dumb view: the screen adds environments and sizes; the tree reports the one under the cursor."""

    KEYS_SECTION = "Environments"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="venvdeck.tree_down"),
        Binding("k", "cursor_up", "Up", show=False, id="venvdeck.tree_up"),
        Binding("right", "open_or_enter", "Open", show=False, id="venvdeck.tree_open"),
        Binding("left", "close_or_leave", "Close", show=False, id="venvdeck.tree_close"),
        Binding("g", "first", "Top", show=False, id="venvdeck.tree_top"),
        Binding("G", "last", "Bottom", show=False, id="venvdeck.tree_bottom"),
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by name, size, last used", id="venvdeck.sort_envs"),
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            tooltip="Mark for deleting in bulk (d)",
            id="venvdeck.mark_environment",
        ),
    ]

    sort_by: reactive[EnvSort] = reactive(EnvSort.NAME)

    def action_open_or_enter(self) -> None:
        open_or_enter(self)

    def action_close_or_leave(self) -> None:
        close_or_leave(self)

    class EnvironmentHighlighted(Message):
        """The cursor moved onto an environment (or off every environment: env is None)."""

        def __init__(self, tree: EnvTree, env: Environment | None) -> None:
            super().__init__()
            self.tree = tree
            self.env = env

        @property
        def control(self) -> EnvTree:
            return self.tree

    class SortChanged(Message):
        def __init__(self, tree: EnvTree) -> None:
            super().__init__()
            self.tree = tree

        @property
        def control(self) -> EnvTree:
            return self.tree

    class MarkToggled(Message):
        def __init__(self, tree: EnvTree, path: Path) -> None:
            super().__init__()
            self.tree = tree
            self.path = path

        @property
        def control(self) -> EnvTree:
            return self.tree

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__("Environments", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._entries: dict[Path, _Entry] = {}  # every environment, shown or filtered out
        self._leaves: dict[Path, TreeNode[_Entry | None]] = {}  # the ones shown
        self._stale_groups: set[str] = set()  # whose count changed since their label was set
        self._groups: dict[str, TreeNode[_Entry | None]] = {}
        self._resort_timer: Timer | None = None
        self._user_moved = False
        self._quiet = False
        # While a rebuild (filter, re-sort) waits for its refresh to put the cursor back, the
        # cursor's line shows another row: (the path it goes back to, else the nearest row?).
        self._restoring: tuple[Path | None, bool] | None = None
        self._names: dict[Path, tuple[tuple[int, int | str], ...]] = {}
        self._query = ""
        self.marked: frozenset[Path] = frozenset()
        self.problems: dict[Path, int] = {}  # what pip check would report, once checked
        self._labelled_width: int | None = None  # the width every leaf's label was made for

    # ---- what the screen calls -------------------------------------------------------------------
    @property
    def environments(self) -> list[Environment]:
        return [entry.env for entry in self._entries.values()]

    @property
    def shown_environments(self) -> list[Environment]:
        return [self._entry(node).env for node in self._leaves.values()]

    def environment(self, path: Path) -> Environment | None:
        entry = self._entries.get(path)
        return None if entry is None else entry.env

    def size_of(self, path: Path) -> EnvironmentSize | None:
        entry = self._entries.get(path)
        return None if entry is None else entry.size

    def add_environment(self, env: Environment) -> None:
        if env.path in self._entries:  # seen again on a refresh: keep its measured size
            self._entries[env.path] = _Entry(env, self._entries[env.path].size)
            self._relabel(env.path)
            return
        entry = _Entry(env)
        self._entries[env.path] = entry
        if self._matches(env):
            self._add_leaf(entry)
        self.call_after_refresh(self._place_first_cursor)

    def _add_leaf(self, entry: _Entry) -> None:
        key = group_of(entry.env)
        group = self._group(key)
        node = group.add_leaf(self._label(entry), entry, before=self._position(group, entry))
        self._leaves[entry.env.path] = node
        # A label change repaints every line below it: the counts are set once per batch of leaves.
        if not self._stale_groups:
            self.call_later(self._relabel_stale_groups)
        self._stale_groups.add(key)

    def _relabel_stale_groups(self) -> None:
        self.call_after_refresh(self._relabel_if_room_changed)  # a scrollbar may have come
        stale, self._stale_groups = self._stale_groups, set()
        for key in stale:
            if key in self._groups:
                _set_label(self._groups[key], self._group_label(key))

    def _place_first_cursor(self) -> None:
        """Until the user moves, the cursor sits on the first environment shown (the top row)."""
        if self._user_moved:
            return
        first = next((g.children[0] for g in self.root.children if g.children), None)
        if first is not None and self.cursor_node is not first:
            self.move_cursor(first)

    def on_key(self, event: events.Key) -> None:
        self._settle()  # a key acts on (or moves from) the environment under the cursor
        if event.key in _MOVING_KEYS:
            self._user_moved = True

    def on_click(self, event: events.Click) -> None:
        self._user_moved = True

    def remove_missing(self, present: set[Path]) -> None:
        """After a refresh: drop what is no longer on disk; the cursor moves to a neighbour."""
        selected = self._cursor_path()
        if selected is not None and selected not in present:
            self.call_after_refresh(self._cursor_to_nearest_leaf, self.cursor_line)
        for path in [p for p in self._entries if p not in present]:
            del self._entries[path]
            self._remove_leaf(path)
        self.marked = self.marked & present
        self._relabel_groups()

    def _remove_leaf(self, path: Path) -> None:
        node = self._leaves.pop(path, None)
        if node is None:
            return
        parent = node.parent
        node.remove()
        if parent is not None and not parent.children:
            self._groups = {k: g for k, g in self._groups.items() if g is not parent}
            parent.remove()

    def _relabel_groups(self) -> None:
        for key in self._groups:
            _set_label(self._groups[key], self._group_label(key))

    def _cursor_to_nearest_leaf(self, line: int) -> None:
        leaves = [n for n in (self.get_node_at_line(i) for i in range(self.last_line + 1)) if n and n.data]
        if not leaves:
            self.post_message(self.EnvironmentHighlighted(self, None))
            return
        node = min(leaves, key=lambda n: (abs(n.line - line), n.line))
        self.move_cursor(node)
        self.post_message(self.EnvironmentHighlighted(self, self._entry(node).env))

    def set_size(self, size: EnvironmentSize) -> None:
        entry = self._entries.get(size.path)
        if entry is None:
            return
        self._entries[size.path] = _Entry(entry.env, size)
        self._relabel(size.path)
        if self.sort_by is not EnvSort.NAME:
            self._schedule_resort()

    def set_marked(self, marked: frozenset[Path]) -> None:
        changed = self.marked ^ marked
        self.marked = marked
        for path in changed:
            self._relabel(path)

    def set_problems(self, path: Path, count: int) -> None:
        """pip check's verdict on one environment: a ⚠ before its name while it has problems."""
        if self.problems.get(path, 0) != count:
            self.problems[path] = count
            self._relabel(path)

    def select_path(self, path: Path) -> bool:
        node = self._leaves.get(path)
        if node is None:
            return False
        if node.parent is not None and not node.parent.is_expanded:
            node.parent.expand()
        _ = self.last_line  # lays the lines out again, so the node's line is current
        self.move_cursor(node)
        self._user_moved = True
        return True

    # ---- filtering ------------------------------------------------------------------------------
    @property
    def filter_query(self) -> str:
        return self._query

    def filter(self, query: str) -> int:
        """Show only the environments whose name or path matches (fuzzy); returns how many."""
        self._query = query.strip()
        selected = self._cursor_path()
        self._quiet = True
        for path in list(self._leaves):
            self._remove_leaf(path)
        for entry in sorted(self._entries.values(), key=self._sort_key):
            if self._matches(entry.env):
                self._add_leaf(entry)
        self._relabel_groups()
        keep = selected if selected in self._leaves else None
        self._restoring = (keep, keep is None)
        self.call_after_refresh(self._end_rebuild)
        return len(self._leaves)

    @property
    def highlighted_path(self) -> Path | None:
        """The environment under the cursor (None on a group, or with nothing listed)."""
        return self._cursor_path()

    def _cursor_path(self) -> Path | None:
        """The environment the cursor is on; while a rebuild waits for its refresh, the one it will
        be put back on (two quick rebuilds must not take the row that happens to be on its line)."""
        if self._restoring is not None:
            return self._restoring[0]
        cursor = self.cursor_node.data if self.cursor_node is not None else None
        return cursor.env.path if isinstance(cursor, _Entry) else None

    def _settle(self) -> None:
        """The cursor back on its environment now, if a rebuild is still waiting for its refresh."""
        if self._restoring is not None:
            self._end_rebuild()

    def _end_rebuild(self) -> None:
        """After the refresh of one or more rebuilds: the cursor back on its environment (the first
        such call does it, for all of them)."""
        restoring, self._restoring = self._restoring, None
        self._quiet = False
        if restoring is None:
            return
        path, nearest = restoring
        if path is not None and path in self._leaves:
            self.select_path(path)
        elif nearest:
            self._cursor_to_nearest_leaf(0)

    def _matches(self, env: Environment) -> bool:
        return matches(self._query, env)

    # ---- sorting ---------------------------------------------------------------------------------
    def action_cycle_sort(self) -> None:
        self.sort_by = self.sort_by.next()

    def watch_sort_by(self) -> None:
        self._resort()
        self.post_message(self.SortChanged(self))

    def _sort_key(self, entry: _Entry) -> tuple[object, ...]:
        name = self._names.get(entry.env.path)
        if name is None:
            name = self._names[entry.env.path] = natural_key(entry.env.name)
        if self.sort_by is EnvSort.SIZE:
            freed = entry.size.freed_bytes if entry.size else -1
            return (-freed, name)
        if self.sort_by is EnvSort.LAST_USED:
            return (-last_used(entry.size), name)
        return (name, str(entry.env.path))

    def _position(self, group: TreeNode[_Entry | None], entry: _Entry) -> int | None:
        """Where entry goes among group's (sorted) children: a binary search."""
        key = self._sort_key(entry)
        children = group.children
        low, high = 0, len(children)
        while low < high:
            middle = (low + high) // 2
            if key < self._sort_key(self._entry(children[middle])):
                high = middle
            else:
                low = middle + 1
        return low if low < len(children) else None

    def _schedule_resort(self) -> None:
        if self._resort_timer is None:
            self._resort_timer = self.set_timer(0.3, self._resort)

    def _resort(self) -> None:
        self._resort_timer = None
        selected = self._cursor_path()
        nearest = self._restoring is not None and self._restoring[1]  # a filter's, still to come
        self._quiet = True  # rebuilding moves the cursor; the selection (a path) does not change
        for group in self._groups.values():
            entries = sorted((self._entry(c) for c in group.children), key=self._sort_key)
            if [e.env.path for e in entries] == [self._entry(c).env.path for c in group.children]:
                continue
            group.remove_children()
            for entry in entries:
                self._leaves[entry.env.path] = group.add_leaf(self._label(entry), entry)
        self._restoring = (selected, nearest)
        self.call_after_refresh(self._end_rebuild)

    # ---- moving and marking ----------------------------------------------------------------------
    def action_first(self) -> None:
        self.move_cursor_to_line(0)

    def action_last(self) -> None:
        self.move_cursor_to_line(self.last_line)

    def action_toggle_mark(self) -> None:
        self._settle()
        node = self.cursor_node
        if node is None:
            return
        if node.data is None:  # a group: fold or unfold it, as space does in a tree
            node.toggle()
            return
        self.post_message(self.MarkToggled(self, node.data.env.path))
        self.action_cursor_down()

    # ---- nodes and labels ------------------------------------------------------------------------
    def _group(self, key: str) -> TreeNode[_Entry | None]:
        if key in self._groups:
            return self._groups[key]
        order = _GROUP_ORDER.index(key)
        later = [g for k, g in self._groups.items() if _GROUP_ORDER.index(k) > order]
        before = next((c for c in self.root.children if c in later), None)
        node = self.root.add(self._group_label(key), None, before=before)
        node.expand()
        self._groups[key] = node
        return node

    def _group_label(self, key: str) -> Text:
        count = len(self._groups[key].children) if key in self._groups else 0
        return Text.assemble((_GROUP_TITLES[key], "bold"), (f"  {count}", "dim"))

    @staticmethod
    def _entry(node: TreeNode[_Entry | None]) -> _Entry:
        assert node.data is not None, "a leaf always holds an entry"
        return node.data

    def _relabel(self, path: Path) -> None:
        if self._label_width() != self._labelled_width:
            # The room changed (a resize, a scrollbar that came or went): one row relabelled alone
            # lined up differently from the rest.
            self._relabel_all()
            return
        node = self._leaves.get(path)
        entry = self._entries.get(path)
        if node is not None and entry is not None:
            node.data = entry
            _set_label(node, self._label(entry))

    def _relabel_all(self) -> None:
        self._labelled_width = self._label_width()
        for path, node in self._leaves.items():
            entry = self._entries.get(path)
            if entry is not None:
                node.data = entry
                _set_label(node, self._label(entry))

    def on_resize(self, event: events.Resize) -> None:
        self._relabel_all()
        self.call_after_refresh(self._relabel_if_room_changed)  # the scrollbar is placed by then

    def _relabel_if_room_changed(self) -> None:
        if self._label_width() != self._labelled_width:
            self._relabel_all()

    def _label_width(self) -> int:
        """Room for a leaf's label: the tree's width less the guides, the icon and the scrollbar."""
        return max(16, (self.scrollable_content_region.width or 40) - 2 * self.guide_depth)

    def _label(self, entry: _Entry) -> Text:
        env = entry.env
        if self._labelled_width is None:
            self._labelled_width = self._label_width()
        width = self._labelled_width  # every row for one width, so that their columns line up
        mark = "✓ " if env.path in self.marked else ""
        state = "✗ " if env.is_broken else "● " if env.is_active else ""
        warning = "⚠ " if self.problems.get(env.path) and not env.is_broken else ""
        version = env.python_version if env.python_version and env.python_version != env.name else ""
        size = human_size(entry.size.freed_bytes) if entry.size is not None else ""
        tail = (
            f" {version:>{_VERSION_COLUMN}} {size:>{_SIZE_COLUMN}}"
            if width >= 34
            else f" {size:>{_SIZE_COLUMN}}"
        )
        room = max(4, width - len(mark) - len(state) - len(warning) - len(tail))
        name = shown(env.name)
        if len(name) > room:
            name = name[: room - 1] + "…"
        label = Text(no_wrap=True, overflow="ellipsis")
        if mark:
            label.append(mark, style="bold magenta")
        if state:
            label.append(state, style="bold red" if env.is_broken else "bold green")
        if warning:
            label.append(warning, style="bold yellow")
        name_text = Text(name)
        if self._query:
            _score, offsets = FuzzySearch().match(self._query, name)
            for offset in offsets:
                name_text.stylize("bold underline", offset, offset + 1)
        name_text.stylize("strike" if env.is_broken else "")
        label.append_text(name_text)
        label.append(" " * (room - len(name)))
        label.append(tail, style="dim")
        return label

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[_Entry | None]) -> None:
        event.stop()
        if self._quiet or event.node is not self.cursor_node:
            return  # the cursor moved because the tree was rebuilt, or moved on since
        data = event.node.data
        self.post_message(self.EnvironmentHighlighted(self, data.env if data is not None else None))
