"""The dependencies tab: the selected environment's requirements from each top-level package down,
or the reverse tree of one package ("why is it here?": every path up to what nothing requires).

A dumb view. Nodes are added only when their parent is expanded, from subtrees the panes fetch
two levels at a time (a node's children, and theirs, so every arrow tells the truth), so a
3,000-package environment shows its top level at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, Tree
from textual.widgets.tree import NodeID, TreeNode, UnknownNodeID

from venvdeck.formatting import shown
from venvdeck.widgets.deps_tree import DepsTree, Row, children_of, forward_label, reverse_label

if TYPE_CHECKING:
    from venvdeck.models import DependencyNode, DependencyTree

COMPLETE = 1 << 30  # a subtree fetched to its end (the reverse tree): no level below is missing
AUTO_EXPANDED = 400  # a reverse tree opens by itself up to this many rows; the rest on demand


@dataclass(frozen=True, slots=True)
class _Folds:
    expanded: frozenset[tuple[str, ...]]  # each open node, by the keys from its top-level package
    cursor: tuple[str, ...] | None


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
        # The forward tree's folds and cursor, kept while "why" shows a reverse tree (by the keys
        # from a top-level package down), and put back as back (⌫) rebuilds it.
        self._kept: tuple[Path, _Folds] | None = None
        self._restoring = _Folds(frozenset(), None)

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
        self._kept = None
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
        same = environment_path == self.environment_path
        if tree.reverse and not self.reverse and same and self.deps_tree.root.children:
            self._kept = (environment_path, self._folds())
        restore = (
            self._kept[1] if self._kept and not tree.reverse and self._kept[0] == environment_path else None
        )
        if not tree.reverse:
            self._kept = None
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
        self._restoring = restore or _Folds(frozenset(), None)
        self._restore_below(widget.root)
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
        self._restore_below(node)

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
        if row is None:
            return
        if not row.filled and row.known < 2:
            self.post_message(self.ChildrenWanted(self, self.generation, int(event.node.id), row.node.key))
            return
        if not row.filled:
            with self.deps_tree.adding():
                self._fill(event.node)
        self._restore_below(event.node)

    # ---- folds kept across "why" -----------------------------------------------------------------
    @staticmethod
    def _key_path(node: TreeNode[Row] | None) -> tuple[str, ...]:
        keys: list[str] = []
        while node is not None and node.data is not None:
            keys.append(node.data.node.key)
            node = node.parent
        return tuple(reversed(keys))

    def _folds(self) -> _Folds:
        expanded: set[tuple[str, ...]] = set()
        stack = list(self.deps_tree.root.children)
        while stack:
            node = stack.pop()
            if node.is_expanded:
                expanded.add(self._key_path(node))
                stack.extend(node.children)
        cursor = self.deps_tree.cursor_node
        return _Folds(frozenset(expanded), self._key_path(cursor) if cursor is not None else None)

    def _restore_below(self, node: TreeNode[Row]) -> None:
        """Open node's children that were open, and put the cursor back where it was, level by
        level as the levels arrive (a deeper one is read when its parent opens)."""
        wanted = self._restoring
        if not wanted.expanded and wanted.cursor is None:
            return
        expanded, cursor = set(wanted.expanded), wanted.cursor
        for child in node.children:
            path = self._key_path(child)
            if path in expanded:  # each once: what the user closes afterwards stays closed
                expanded.discard(path)
                if child.allow_expand and not child.is_expanded:
                    child.expand()
            if path == cursor:
                # Once the lines are laid out again (a node has no line number until then).
                self.call_after_refresh(self.deps_tree.move_cursor, child)
                cursor = None
        if not wanted.expanded:
            cursor = None  # nothing more to open: a cursor not found by now is on a row gone
        self._restoring = _Folds(frozenset(expanded), cursor)

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
        # Wrapped, not cut: the keys it names are at its end (a cut header lost them at 120 columns).
        header = Text()
        if tree.reverse:
            root = tree.roots[0] if tree.roots else None
            name = f"{shown(root.name)} {shown(root.version or '')}".strip() if root else "it"
            header.append(f"Why is {name} here?", style="bold")
            header.append("\nEvery path up to what nothing requires · ★ asked for · ⌫ back", style="dim")
        else:
            count = len(tree.roots)
            header.append(f"{count} top-level package{'s' if count != 1 else ''}", style="bold")
            header.append(" (nothing requires them)", style="dim")
            header.append(
                "\nenter opens · w: why is it here?", style="dim"
            )  # its own line: never cut mid-key
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
