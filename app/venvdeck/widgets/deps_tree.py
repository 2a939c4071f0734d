"""The dependencies tab: the selected environment's requirements from each top-level package down,
or the reverse tree of one package ("why is it here?": every path up to what nothing requires).

A dumb view. Nodes are added only when their parent is expanded, from subtrees the panes fetch
two levels at a time (a node's children, and theirs, so every arrow tells the truth), so a
3,000-package environment shows its top level at once. A package already on the path from the top
is a cycle: shown once, not expanded again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from packaging.utils import canonicalize_name
from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static, Tree
from textual.widgets.tree import NodeID, TreeNode, UnknownNodeID

from venvdeck.formatting import shown
from venvdeck.widgets.tree_arrows import close_or_leave, open_or_enter

if TYPE_CHECKING:
    from rich.style import Style

    from venvdeck.models import DependencyNode, DependencyTree

COMPLETE = 1 << 30  # a subtree fetched to its end (the reverse tree): no level below is missing
AUTO_EXPANDED = 400  # a reverse tree opens by itself up to this many rows; the rest on demand


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
        Binding("right", "open_or_enter", "Open", show=False, id="venvdeck.deps_open"),
        Binding("left", "close_or_leave", "Close", show=False, id="venvdeck.deps_close"),
    ]

    def __init__(self, label: str, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(label, id=id)
        self._adding = 0  # inside adding(): the lines are invalidated once, at its end
        self._stale = False

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


class DependencyView(Vertical):
    """The panes hand it trees and subtrees; it asks for more as the user expands."""

    KEYS_SECTION = "Dependencies"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "w",
            "why",
            "Why is it here?",
            tooltip="The package's reverse tree: every path up to what was asked for",
            id="venvdeck.deps_why",
        ),
        Binding(
            "backspace",
            "back",
            "All dependencies",
            tooltip="Back from a reverse tree to every top-level package",
            id="venvdeck.deps_back",
        ),
    ]

    class ChildrenWanted(Message):
        """A node was expanded whose children (and theirs) are not known yet."""

        def __init__(self, view: DependencyView, generation: int, node_id: int, key: str) -> None:
            super().__init__()
            self.view = view
            self.generation = generation
            self.node_id = node_id
            self.key = key
            self.reverse = view.reverse

        @property
        def control(self) -> DependencyView:
            return self.view

    class WhyRequested(Message):
        def __init__(self, view: DependencyView, name: str) -> None:
            super().__init__()
            self.view = view
            self.name = name

        @property
        def control(self) -> DependencyView:
            return self.view

    class BackRequested(Message):
        def __init__(self, view: DependencyView) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> DependencyView:
            return self.view

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self.environment_path: Path | None = None
        self.reverse = False
        self.requested: frozenset[str] = frozenset()
        self.generation = 0  # a new tree each time: late subtrees for an old one are dropped

    def compose(self) -> ComposeResult:
        yield Static("", id="deps-header")
        tree = DepsTree("dependencies", id="deps-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree
        yield Static("", id="deps-message")

    @property
    def deps_tree(self) -> DepsTree:
        return self.query_one(DepsTree)

    # ---- what the panes call -----------------------------------------------------------------------
    def show_message(self, message: str, environment_path: Path | None = None) -> None:
        self.generation += 1
        self.environment_path = environment_path
        self.deps_tree.clear()
        self.query_one("#deps-header", Static).update("")
        self.query_one("#deps-message", Static).update(Text(message))
        self.set_class(True, "-empty")
        self.refresh_bindings()  # no package for w to ask about

    def show_tree(
        self, environment_path: Path, tree: DependencyTree, requested: frozenset[str], *, known: int
    ) -> None:
        """known: the levels below each root the tree holds (2 for a forward view, COMPLETE for a
        reverse one, which opens by itself)."""
        self.generation += 1
        self.environment_path = environment_path
        self.reverse = tree.reverse
        self.requested = requested
        widget = self.deps_tree
        widget.clear()
        with widget.adding():
            widget.root.expand()
            for node in tree.roots:
                self._add(widget.root, Row(node, known, root=True), set())
            if tree.reverse:
                self._open_reverse()
        self._header(tree)
        self.set_class(not tree.roots, "-empty")
        self.query_one("#deps-message", Static).update(
            Text("Nothing requires it: it was asked for, or is left over.")
            if tree.reverse
            else Text("No packages installed.")
        )
        widget.move_cursor_to_line(0)
        self.refresh_bindings()  # backspace applies to a reverse tree only

    def fill(self, environment_path: Path, generation: int, node_id: int, subtree: DependencyNode) -> None:
        """A subtree the panes fetched for a node that was expanded (two levels below it)."""
        if environment_path != self.environment_path or generation != self.generation:
            return
        try:
            node = self.deps_tree.get_node_by_id(NodeID(node_id))
        except UnknownNodeID:  # cleared meanwhile
            return
        row = node.data
        if row is None or row.filled:
            return
        row.node = dataclasses.replace(subtree, via=row.node.via)  # keep how it was reached
        row.known = 2
        with self.deps_tree.adding():
            self._fill(node)

    # ---- building ----------------------------------------------------------------------------------
    def _path_keys(self, node: TreeNode[Row]) -> set[str]:
        keys: set[str] = set()
        current: TreeNode[Row] | None = node
        while current is not None and current.data is not None:
            keys.add(current.data.node.key)
            current = current.parent
        return keys

    def _add(self, parent: TreeNode[Row], row: Row, above: set[str]) -> TreeNode[Row]:
        row.cycle = row.node.cycle or row.node.key in above
        if row.cycle or (row.node.version is None and not self.reverse):
            expandable = False  # a missing package requires nothing; what requires it can be asked
        elif row.known > 0:
            expandable = bool(children_of(row, self.reverse))
        else:
            expandable = True  # not known yet: asked for when expanded
        label = reverse_label(row, self.requested) if self.reverse else forward_label(row, self.requested)
        return parent.add(label, row, allow_expand=expandable)

    def _fill(self, node: TreeNode[Row]) -> int:
        """Add node's children (known: its row holds them). Returns how many."""
        row = node.data
        assert row is not None
        row.filled = True
        above = self._path_keys(node)
        children = children_of(row, self.reverse)
        for child in children:
            self._add(node, Row(child, row.known - 1), above)
        if not children:
            node.allow_expand = False
        return len(children)

    @on(Tree.NodeExpanded, "#deps-tree")
    def _expanded(self, event: Tree.NodeExpanded[Row]) -> None:
        event.stop()
        row = event.node.data
        if row is None or row.filled:
            return
        if row.known >= 2:
            with self.deps_tree.adding():
                self._fill(event.node)
        else:
            self.post_message(self.ChildrenWanted(self, self.generation, int(event.node.id), row.node.key))

    def _open_reverse(self) -> None:
        """Every path up, breadth first, until the rows would fill several screens."""
        queue = list(self.deps_tree.root.children)
        shown_rows = len(queue)
        while queue and shown_rows < AUTO_EXPANDED:
            node = queue.pop(0)
            row = node.data
            if row is None or not node.allow_expand:
                continue
            shown_rows += self._fill(node)
            node.expand()
            queue.extend(node.children)

    def _header(self, tree: DependencyTree) -> None:
        header = Text(no_wrap=True, overflow="ellipsis")
        if tree.reverse:
            root = tree.roots[0] if tree.roots else None
            name = f"{shown(root.name)} {shown(root.version or '')}".strip() if root else "it"
            header.append(f"Why is {name} here? ", style="bold")
            header.append("Every path up to what nothing requires · ★ asked for · ⌫ back", style="dim")
        else:
            count = len(tree.roots)
            header.append(f"{count} top-level package{'s' if count != 1 else ''}", style="bold")
            header.append(" (nothing requires them) · enter opens · w: why is it here?", style="dim")
        failed = len(tree.metadata_problems)
        if failed:
            header.append(f"\n⚠ {failed} requirement lines could not be read (see details)", style="yellow")
        self.query_one("#deps-header", Static).update(header)

    # ---- keys --------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only while the tab shows (the palette would offer them twice otherwise); back only
        from a reverse tree."""
        if action == "why":
            if not self.is_on_screen:
                return None
            return True if self.deps_tree.cursor_node is not None else None  # dimmed: no package
        if action == "back":
            return self.reverse and self.is_on_screen  # hidden while every package shows
        return True

    def action_why(self) -> None:
        node = self.deps_tree.cursor_node
        if node is not None and node.data is not None:
            self.post_message(self.WhyRequested(self, node.data.node.name))

    def action_back(self) -> None:
        if self.reverse:
            self.post_message(self.BackRequested(self))
