"""A tab switch (1-4) is painted in one go: the underline moves under the new tab at once. Textual
slides it for 0.3 s, a frame at a time, and the app stayed busy that long after each switch. The
dependencies tab opens with its rows when they are read quickly, instead of empty first."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.widgets import Tab, Tabs
from textual.widgets._tabs import Underline

from tests.fakes import FROZEN_NOW, demo_service
from tests.ui.helpers import main_screen, select, settle, until
from venvdeck.app import VenvDeckApp
from venvdeck.widgets.dependency_view import DependencyView


def _shows(tabs: Tabs, tab: str) -> bool:
    return tabs.active_tab is not None and str(tabs.active_tab.id).endswith(tab)


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
            await until(pilot, partial(_shows, tabs, tab), tab)
            active = tabs.active_tab
            assert active is not None

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


def _painted(app: VenvDeckApp) -> list[tuple[str, int]]:
    """(the tab shown, rows in the dependency tree) at each frame the app draws from now on."""
    frames: list[tuple[str, int]] = []
    draw = app._display
    view = main_screen(app).panes.query_one(DependencyView)

    def display(screen: Any, renderable: Any) -> None:
        draw(screen, renderable)
        if renderable is not None:
            frames.append((main_screen(app).panes.active_tab, view.deps_tree.last_line + 1))

    app._display = display  # type: ignore[method-assign]
    return frames


async def test_the_dependencies_open_with_their_rows_not_empty_first() -> None:
    service = demo_service()
    service.deps_delay_s = 0.05  # a read that returns within the switch's short wait
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        frames = _painted(app)
        await pilot.press("4")
        view = main_screen(app).panes.query_one(DependencyView)
        await until(pilot, lambda: main_screen(app).panes.active_tab == "deps", "the dependencies tab")
        await until(pilot, lambda: view.deps_tree.last_line >= 0, "its rows")
        await settle(pilot)
        shown = [rows for tab, rows in frames if tab == "deps"]
        assert shown
        assert 0 not in shown  # never painted empty, then again with the rows


async def test_a_slow_read_opens_the_tab_at_once_and_another_key_wins() -> None:
    service = demo_service()
    service.deps_delay_s = 2.0
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panes = main_screen(app).panes
        view = panes.query_one(DependencyView)
        await pilot.press("4")  # the tab opens before the read returns: the person is not kept waiting
        await until(pilot, lambda: panes.active_tab == "deps", "the dependencies tab", timeout=1.5)
        assert view.deps_tree.last_line < 0
        await until(pilot, lambda: view.deps_tree.last_line >= 0, "its rows, later")

        await pilot.press("1")
        await settle(pilot)
        other = next(e.path for e in service.environments if e.path != panes.environment.path)  # type: ignore[union-attr]
        service.deps_delay_s = 0.3
        await select(pilot, other)  # its tree is read when the tab opens
        await pilot.press("4", "3")  # 3 before the read returns: the details stay
        await pilot.pause(0.6)
        await settle(pilot)
        assert panes.active_tab == "details"
