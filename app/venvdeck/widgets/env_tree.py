"""The environment tree: environments grouped by the tool that owns them, keyed by path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from venvdeck.formatting import human_size
from venvdeck.models import Environment, EnvironmentSize, Kind, Manager


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


def group_of(env: Environment) -> str:
    if env.manager in {Manager.TOX, Manager.NOX}:
        return "tox-nox"
    if env.manager is not None:
        return env.manager
    return "python" if env.kind is Kind.PYTHON else "project"


@dataclass(frozen=True, slots=True)
class _Entry:
    """What one leaf holds: the environment, and its size once measured."""

    env: Environment
    size: EnvironmentSize | None = None


class EnvTree(Tree[_Entry | None]):
    """A dumb view: the screen adds environments and sizes; the tree reports the one under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by name, size, last used", id="venvdeck.sort_envs"),
    ]

    sort_by: reactive[EnvSort] = reactive(EnvSort.NAME)

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

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__("Environments", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._leaves: dict[Path, TreeNode[_Entry | None]] = {}
        self._groups: dict[str, TreeNode[_Entry | None]] = {}
        self._resort_timer: Timer | None = None
        self._cursor_placed = False
        self._quiet = False
        self._names: dict[Path, tuple[tuple[int, int | str], ...]] = {}

    # ---- what the screen calls -------------------------------------------------------------------
    @property
    def environments(self) -> list[Environment]:
        return [self._entry(node).env for node in self._leaves.values()]

    def environment(self, path: Path) -> Environment | None:
        node = self._leaves.get(path)
        return None if node is None else self._entry(node).env

    def size_of(self, path: Path) -> EnvironmentSize | None:
        node = self._leaves.get(path)
        return None if node is None else self._entry(node).size

    def clear_environments(self) -> None:
        self.clear()
        self._leaves.clear()
        self._groups.clear()
        self._cursor_placed = False

    def add_environment(self, env: Environment) -> None:
        if env.path in self._leaves:  # seen again on a refresh: keep its measured size
            node = self._leaves[env.path]
            node.data = _Entry(env, self._entry(node).size)
            node.set_label(self._label(node.data))
            return
        key = group_of(env)
        group = self._group(key)
        entry = _Entry(env)
        node = group.add_leaf(self._label(entry), entry, before=self._position(group, entry))
        self._leaves[env.path] = node
        group.set_label(self._group_label(key))
        if not self._cursor_placed:
            self._cursor_placed = True
            self.call_after_refresh(self._place_first_cursor)

    def _place_first_cursor(self) -> None:
        """The first environment found is selected, unless the user has moved already."""
        if self.cursor_node is None or self.cursor_node.data is None:
            first = next((g.children[0] for g in self.root.children if g.children), None)
            if first is not None:
                self.move_cursor(first)

    def remove_missing(self, present: set[Path]) -> None:
        """After a refresh: drop what is no longer on disk; the cursor moves to a neighbour."""
        cursor = self.cursor_node.data if self.cursor_node is not None else None
        if isinstance(cursor, _Entry) and cursor.env.path not in present:
            self.call_after_refresh(self._cursor_to_nearest_leaf, self.cursor_line)
        for path in [p for p in self._leaves if p not in present]:
            node = self._leaves.pop(path)
            parent = node.parent
            node.remove()
            if parent is not None and not parent.children:
                self._groups = {k: g for k, g in self._groups.items() if g is not parent}
                parent.remove()
        for key in self._groups:
            self._groups[key].set_label(self._group_label(key))

    def _cursor_to_nearest_leaf(self, line: int) -> None:
        leaves = [n for n in (self.get_node_at_line(i) for i in range(self.last_line + 1)) if n and n.data]
        if not leaves:
            self.post_message(self.EnvironmentHighlighted(self, None))
            return
        node = min(leaves, key=lambda n: (abs(n.line - line), n.line))
        self.move_cursor(node)
        self.post_message(self.EnvironmentHighlighted(self, self._entry(node).env))

    def set_size(self, size: EnvironmentSize) -> None:
        node = self._leaves.get(size.path)
        if node is None:
            return
        node.data = _Entry(self._entry(node).env, size)
        node.set_label(self._label(node.data))
        if self.sort_by is not EnvSort.NAME:
            self._schedule_resort()

    def select_path(self, path: Path) -> bool:
        node = self._leaves.get(path)
        if node is None:
            return False
        if node.parent is not None and not node.parent.is_expanded:
            node.parent.expand()
        _ = self.last_line  # lays the lines out again, so the node's line is current
        self.move_cursor(node)
        return True

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
            used = _last_used(entry.size)
            return (-used, name)
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
        cursor = self.cursor_node.data if self.cursor_node is not None else None
        self._quiet = True  # rebuilding moves the cursor; the selection (a path) does not change
        for group in self._groups.values():
            entries = sorted((self._entry(c) for c in group.children), key=self._sort_key)
            if [e.env.path for e in entries] == [self._entry(c).env.path for c in group.children]:
                continue
            group.remove_children()
            for entry in entries:
                self._leaves[entry.env.path] = group.add_leaf(self._label(entry), entry)
        self.call_after_refresh(self._end_resort, cursor.env.path if isinstance(cursor, _Entry) else None)

    def _end_resort(self, path: Path | None) -> None:
        self._quiet = False
        if path is not None:
            self.select_path(path)

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

    @staticmethod
    def _label(entry: _Entry) -> Text:
        env = entry.env
        label = Text(no_wrap=True, overflow="ellipsis")
        if env.is_broken:
            label.append("✗ ", style="bold red")
        elif env.is_active:
            label.append("● ", style="bold green")
        label.append(env.name, style="strike" if env.is_broken else "")
        if env.python_version and env.python_version != env.name:
            label.append(f"  {env.python_version}", style="dim")
        if entry.size is not None:
            label.append(f"  {human_size(entry.size.freed_bytes)}", style="dim italic")
        return label

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[_Entry | None]) -> None:
        event.stop()
        if self._quiet or event.node is not self.cursor_node:
            return  # the cursor moved because the tree was rebuilt, or moved on since
        data = event.node.data
        self.post_message(self.EnvironmentHighlighted(self, data.env if data is not None else None))


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """'3.9' sorts before '3.10', 'py3' before 'py10'."""
    parts = re.split(r"(\d+)", text.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def _last_used(size: EnvironmentSize | None) -> float:
    if size is None:
        return -1.0
    return size.last_used or 0.0
