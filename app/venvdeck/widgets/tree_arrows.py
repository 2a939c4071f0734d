"""Right and left in a tree, as in a file manager: Textual's Tree leaves them to scrolling, so right
on a package scrolled every row sideways instead of opening it."""

from __future__ import annotations

from typing import Any

from textual.widgets import Tree


def open_or_enter(tree: Tree[Any]) -> None:
    """Open the node under the cursor; on an open one, go to its first child."""
    node = tree.cursor_node
    if node is None:
        return
    if node.allow_expand and not node.is_expanded:
        node.expand()
    elif node.is_expanded and node.children:
        tree.move_cursor(node.children[0])


def close_or_leave(tree: Tree[Any]) -> None:
    """Close the node under the cursor; on a closed one (or a leaf), go to its parent."""
    node = tree.cursor_node
    if node is None:
        return
    if node.is_expanded and node.allow_expand:
        node.collapse()
    elif node.parent is not None and (node.parent is not tree.root or tree.show_root):
        tree.move_cursor(node.parent)
