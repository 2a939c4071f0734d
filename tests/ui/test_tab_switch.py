"""A tab switch (1-4) is painted in one go: the underline moves under the new tab at once. Textual
slides it for 0.3 s, a frame at a time, and the app stayed busy that long after each switch."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.widgets import Tab, Tabs
from textual.widgets._tabs import Underline

from tests.fakes import FROZEN_NOW, demo_service
from tests.ui.helpers import main_screen, settle, until
from venvdeck.app import VenvDeckApp
from venvdeck.widgets.deps_tree import DependencyView


def _under(underline: Underline, tab: Tab) -> bool:
    start, end = tab.virtual_region.shrink(tab.styles.gutter).column_span
    return (underline.highlight_start, underline.highlight_end) == (start, end)


async def test_the_underline_moves_at_once_under_the_new_tab() -> None:
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tabs = main_screen(app).panes.query_one(Tabs)
        underline = tabs.query_one(Underline)
        animated: list[str] = []
        animate = underline.animate

        def recording(attribute: str, *args: Any, **kwargs: Any) -> None:
            animated.append(attribute)
            animate(attribute, *args, **kwargs)

        underline.animate = recording  # type: ignore[method-assign]
        for key, tab in (("3", "details"), ("4", "deps"), ("1", "packages")):
            await pilot.press(key)
            active = tabs.active_tab
            assert active is not None
            assert str(active.id).endswith(tab)

            await until(pilot, partial(_under, underline, active), f"the underline under {tab}")
            assert animated == []  # and not slid there


async def test_the_dependency_tree_is_drawn_at_its_new_width_after_a_resize() -> None:
    """A resize keeps the drawn rows (each is kept by the width it was drawn at): a narrower
    terminal still shows every row cut to the new width, and a wider one whole again."""
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        tree = main_screen(app).panes.query_one(DependencyView).deps_tree
        assert tree.last_line >= 0

        def rows() -> list[str]:
            return [tree.render_line(y).text.rstrip() for y in range(tree.last_line + 1)]

        wide = rows()
        await pilot.resize_terminal(34, 40)  # the left pane keeps 28 columns: rows are cut
        await settle(pilot)
        narrow = rows()
        assert all(tree.render_line(y).cell_length == tree.size.width for y in range(len(narrow)))
        assert narrow != wide
        assert [row[:4] for row in narrow] == [row[:4] for row in wide]
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert rows() == wide
