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


class OneNarrowTree(App[None]):
    CSS = "DepsTree { width: 30; }"

    def compose(self) -> ComposeResult:
        yield DepsTree("deps")


async def test_a_line_wider_than_the_pane_ends_in_an_ellipsis_and_scrolls_into_view() -> None:
    """Cut at the pane's edge, `1.2.0` read as `1.2`: a line that goes on says so."""
    app = OneNarrowTree()
    async with app.run_test(size=(60, 10)) as pilot:
        tree = app.query_one(DepsTree)
        with tree.adding():
            _fill(tree)
            tree.root.add_leaf(Text("urllib3 [required: >=1.26,<3, installed: 1.2.0]"))
        await pilot.pause()
        lines = ["".join(segment.text for segment in strip).rstrip() for strip in _visible(tree)]
        assert lines[0] == "▶ plain-lib 1.0"  # what fits is drawn whole
        assert lines[-1].endswith("…")
        assert "1.2.0" not in lines[-1]
        assert "urllib3 [required: >=1.26,<3, installed: 1.2.0]".startswith(lines[-1][:-1].lstrip())
        tree.scroll_to(x=tree.max_scroll_x, animate=False)  # scrolled to its end: no ellipsis
        await pilot.pause()
        assert _visible(tree)[-1].text.rstrip().endswith("installed: 1.2.0]")


def _visible(tree: DepsTree) -> list[Any]:
    return [
        strip
        for strip in tree.render_lines(tree.scrollable_content_region.reset_offset)
        if strip.text.strip()
    ]
