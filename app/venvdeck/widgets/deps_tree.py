"""The dependency tree widget and its rows' labels (the tab around it: dependency_view.py).

A package already on the path from the top is a cycle: shown once, not expanded again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from packaging.utils import canonicalize_name
from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from venvdeck.formatting import shown
from venvdeck.widgets.tree_arrows import close_or_leave, open_or_enter

if TYPE_CHECKING:
    from rich.style import Style

    from venvdeck.models import DependencyNode


@dataclass(slots=True)
class Row:
    """What one tree node holds."""

    node: DependencyNode
    known: int  # levels below `node` that its model holds (2: its children and theirs)
    root: bool = False  # a top-level package (forward) or the package asked about (reverse)
    cycle: bool = False  # already on the path above: not expanded again
    filled: bool = False  # its children are in the tree


def asked_extras(node: DependencyNode) -> frozenset[str] | None:
    """The extras the requirement that reached node asks of it (None: a root, every extra asked)."""
    if node.via is None:
        return None
    from packaging.requirements import InvalidRequirement, Requirement  # not needed to start the app

    try:
        return frozenset(canonicalize_name(e) for e in Requirement(node.via.requirement).extras)
    except InvalidRequirement:
        return frozenset()


def children_of(row: Row, reverse: bool) -> tuple[DependencyNode, ...]:
    """row's children as the tree shows them. Forward, below a root: only the requirements its
    own extras and those the requirement that reached it asks for (a subtree fetched from this
    package alone holds every extra some installed package asks for)."""
    children = row.node.children
    extras = None if reverse or row.root else asked_extras(row.node)
    if extras is None:
        return children
    return tuple(c for c in children if c.via is None or c.via.extra is None or c.via.extra in extras)


def forward_label(row: Row, requested: frozenset[str]) -> Text:
    node = row.node
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(shown(node.name), style="bold" if node.key in requested else "")
    via = node.via
    if via is None:
        label.append(f" {shown(node.version)}" if node.version is not None else "", style="dim")
        if node.version is None:
            label.append("  ✗ not installed", style="bold red")
        return label
    installed = shown(node.version) if node.version is not None else "?"
    extra = f", extra: {shown(via.extra)}" if via.extra else ""
    label.append(f" [required: {shown(via.specifier) or 'any'}, installed: {installed}{extra}]", style="dim")
    if node.version is None:
        label.append("  ✗ missing", style="bold red")
    elif via.satisfied is False:
        label.append("  ✗ conflict", style="bold red")
    if row.cycle:
        label.append("  ↻ cycle", style="italic dim")
    return label


def reverse_label(row: Row, requested: frozenset[str]) -> Text:
    node = row.node
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(shown(node.name), style="bold")
    label.append(f" {shown(node.version)}" if node.version is not None else "  not installed", style="dim")
    if node.via is not None:
        label.append(f" [requires: {shown(node.via.requirement)}]", style="dim")
    if node.key in requested:
        label.append("  ★ asked for", style="bold green")
    elif not node.children and not row.cycle and row.known > 0:
        label.append("  (nothing requires it)", style="dim")
    if row.cycle:
        label.append("  ↻ cycle", style="italic dim")
    return label


class DepsTree(Tree[Row]):
    KEYS_SECTION = "Dependencies"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="venvdeck.deps_down"),
        Binding("k", "cursor_up", "Up", show=False, id="venvdeck.deps_up"),
        Binding("g", "first", "Top", show=False, id="venvdeck.deps_top"),
        Binding("G", "last", "Bottom", show=False, id="venvdeck.deps_bottom"),
        Binding("right", "open_or_enter", "Open", show=False, id="venvdeck.deps_open"),
        Binding("left", "close_or_leave", "Close", show=False, id="venvdeck.deps_close"),
    ]

    def __init__(self, label: str, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(label, id=id)
        self._adding = 0  # inside adding(): the lines are invalidated once, at its end
        self._stale = False

    def action_first(self) -> None:
        self.move_cursor_to_line(0)

    def action_last(self) -> None:
        self.move_cursor_to_line(self.last_line)

    @contextmanager
    def adding(self) -> Iterator[None]:
        """Many nodes added as one change. Tree forgets its lines and refreshes itself for every
        node added: 300 top-level packages cost 300 refreshes before the first line was drawn."""
        self._adding += 1
        try:
            yield
        finally:
            self._adding -= 1
            if not self._adding and self._stale:
                self._stale = False
                super()._invalidate()

    def _invalidate(self) -> None:
        if self._adding:
            self._stale = True
        else:
            super()._invalidate()

    def notify_style_update(self) -> None:
        """Redraw the lines in their new colours. Tree also lays every line out again and measures
        it: showing the tab (the tree focused, so restyled) did that twice for each package."""
        Widget.notify_style_update(self)  # Tree's own would invalidate the lines
        self._line_cache.clear()
        self._updates += 1  # a key of each drawn line
        self.refresh()

    def get_label_width(self, node: TreeNode[Row]) -> int:
        """As Tree measures it (the label after its expand arrow), without rendering each label:
        the tree measures every line each time it lays them out."""
        arrow = cell_len(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
        label = node.label
        return (arrow if node.allow_expand else 0) + (
            label.cell_len if isinstance(label, Text) else cell_len(label)
        )

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """A line that goes on past the pane's right edge ends in "…" there: cut mid-word, a
        version read wrong (1.2 for 1.2.0) and nothing said that more was there."""
        strip = super()._render_line(y, x1, x2, base_style)
        lines = self._tree_lines
        width = x2 - x1
        if y >= len(lines) or width < 2:
            return strip
        line = lines[y]
        full = line._get_guide_width(self.guide_depth, self.show_root) + self.get_label_width(line.node)
        if full <= x2:
            return strip
        last = strip.crop(width - 1, width)
        style = next((segment.style for segment in last), None)
        return Strip.join([strip.crop(0, width - 1), Strip([Segment("…", style)], 1)])

    def action_open_or_enter(self) -> None:
        open_or_enter(self)

    def action_close_or_leave(self) -> None:
        close_or_leave(self)

    def _on_resize(self, event: events.Resize) -> None:
        """Only make room in the line cache. Tree also forgets every drawn line and lays the whole
        screen out again; but each cached line is keyed by the width it was drawn at, and the rows
        do not depend on the size. Showing the tab (the tree sized from nothing) painted every
        line twice and laid the screen out once more."""
        self._line_cache.grow(event.size.height)
        event.prevent_default()  # Tree._on_resize
