"""A tab switch (1-4) is painted in one go: the underline moves under the new tab at once. Textual
slides it for 0.3 s, a frame at a time, and the app stayed busy that long after each switch."""

from __future__ import annotations

from typing import Any

from textual.widgets import Tabs
from textual.widgets._tabs import Underline

from tests.fakes import FROZEN_NOW, demo_service
from tests.ui.helpers import main_screen, settle
from venvdeck.app import VenvDeckApp


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
            assert animated == []
            active = tabs.active_tab
            assert active is not None
            assert str(active.id).endswith(tab)
            start, end = active.virtual_region.shrink(active.styles.gutter).column_span
            assert (underline.highlight_start, underline.highlight_end) == (start, end)
