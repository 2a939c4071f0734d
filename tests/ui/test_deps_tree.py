"""The dependency tree widget against Textual's own Tree: the same lines, measured the same."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Tree

from venvdeck.widgets.deps_tree import DepsTree

LABELS = [
    ("plain-lib 1.0", True, False),
    ("wide 数据处理 2.0 [required: >=1, installed: 2.0]", True, True),
    ("leaf 0.1  ✗ missing", False, False),
    ("emoji 🐍 3.12", True, False),
]


class TwoTrees(App[None]):
    def compose(self) -> ComposeResult:
        yield DepsTree("deps", id="ours")
        yield Tree("deps", id="textuals")


def _fill(tree: Tree[Any]) -> None:
    tree.show_root = False
    tree.root.expand()
    for label, expandable, expanded in LABELS:
        node = tree.root.add(Text(label), allow_expand=expandable)
        if expanded:
            node.add_leaf(Text("child " + label))
            node.expand()


async def test_the_tree_is_as_wide_as_textuals_and_draws_the_same_lines() -> None:
    app = TwoTrees()
    async with app.run_test(size=(100, 30)) as pilot:
        ours = app.query_one("#ours", DepsTree)
        textuals: Tree[Any] = app.query_one("#textuals", Tree)
        with ours.adding():
            _fill(ours)
        _fill(textuals)
        await pilot.pause()
        assert ours.virtual_size == textuals.virtual_size
        textuals.focus()
        await pilot.pause()
        ours_blurred, textuals_focused = _drawn(ours), _drawn(textuals)
        ours.focus()  # restyled: its lines are drawn again in the focused colours
        await pilot.pause()
        assert (_drawn(ours), _drawn(textuals)) == (textuals_focused, ours_blurred)
        assert ours_blurred != textuals_focused  # the cursor's colours tell them apart
        before = _drawn(ours)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"  # every colour changes
        textuals.focus()
        await pilot.pause()
        ours.focus()
        await pilot.pause()
        assert _drawn(ours) != before
        ours_light = _drawn(ours)
        textuals.focus()
        await pilot.pause()
        assert ours_light == _drawn(textuals)
        assert ours.virtual_size == textuals.virtual_size


def _drawn(tree: Tree[Any]) -> list[list[tuple[str, object]]]:
    """Each line as drawn: its text and styles."""
    return [[(seg.text, seg.style) for seg in strip] for strip in tree.render_lines(tree.region.reset_offset)]
