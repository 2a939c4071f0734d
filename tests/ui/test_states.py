"""States a real machine cannot hold still, served by the fake: slow listings, failures, sorting by size."""

from __future__ import annotations

import asyncio

from tests.fakes import FROZEN_NOW, HOME, demo_service
from tests.ui.helpers import (
    details_text,
    main_screen,
    select,
    settle,
    summary,
    table,
    table_message,
    tree,
    tree_lines,
)
from venvdeck.app import VenvDeckApp
from venvdeck.config import Config

SIZE = (120, 40)
SHOP = HOME / "code/shop/.venv"
BLOG = HOME / "code/blog/.venv"


def _names(lines: list[str]) -> list[str]:
    return [line.lstrip("✗● ").split()[0] for line in lines]


async def test_a_slow_listing_never_overwrites_the_newer_selection() -> None:
    service = demo_service()
    service.gates[SHOP] = asyncio.Event()  # shop's listing hangs until released
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree(app).select_path(SHOP)
        await pilot.pause()
        assert ("list_packages", SHOP) in service.calls
        await select(pilot, BLOG)
        service.gates[SHOP].set()  # the superseded listing finishes late
        await settle(pilot)
        assert table(app).environment_path == BLOG
        assert table(app).shown_names == ["markdown", "pip"]


async def test_an_interpreter_that_will_not_start_is_reported_in_the_table() -> None:
    service = demo_service()
    service.failing[BLOG] = "cannot run /home/ada/code/blog/.venv/bin/python: Exec format error"
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, BLOG)
        assert "Could not list the packages of blog" in table_message(app)
        assert "Exec format error" in table_message(app)
        await pilot.press("f")
        await settle(pilot)
        assert "Exec format error" in main_screen(app).query_one("#freeze-text").render().__str__()


async def test_s_sorts_the_tree_by_what_deleting_frees_then_by_last_use() -> None:
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree(app).focus()
        assert _names(tree_lines(app)[1:4]) == ["blog", "legacy-api", "shop"]  # by name
        await pilot.press("s")
        await settle(pilot)
        assert "sorted by size" in summary(app)
        # legacy-api (212 MB) before shop (84 MB) before blog (31 MB)
        assert [line.split()[-2] for line in tree_lines(app)[1:4]] == ["212", "84.2", "31.0"]
        await pilot.press("s")
        await settle(pilot)
        assert "sorted by last used" in summary(app)
        assert _names(tree_lines(app)[1:4]) == ["shop", "blog", "legacy-api"]


async def test_quick_rebuilds_of_the_tree_never_move_the_selection_to_another_environment() -> None:
    """Two re-sorts, or a filter and a re-sort, before the screen refreshes (quick keys on a slow
    machine, sizes arriving meanwhile): the cursor's line shows another row until the refresh, and
    the second rebuild must not take that row for the selection (d would then delete it)."""
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, BLOG)
        tree(app).focus()
        tree(app).action_cycle_sort()  # size: blog moves below legacy-api and shop
        _ = tree(app).last_line  # the lines laid out again (as on idle): the cursor's line is another row
        tree(app).action_cycle_sort()  # last used, before the refresh
        await settle(pilot)
        assert main_screen(app).selected_path == BLOG
        assert tree(app).cursor_node is not None
        assert tree(app).cursor_node.data.env.path == BLOG  # type: ignore[union-attr]

        tree(app).filter("b")  # blog stays; the rows around it go
        _ = tree(app).last_line
        tree(app).action_cycle_sort()
        await settle(pilot)
        assert main_screen(app).selected_path == BLOG
        assert tree(app).cursor_node.data.env.path == BLOG  # type: ignore[union-attr]

        tree(app).filter("")
        await settle(pilot)
        tree(app).action_cycle_sort()  # and space before the refresh marks blog, not its line's row
        _ = tree(app).last_line
        tree(app).action_toggle_mark()
        await settle(pilot)
        assert main_screen(app).marked == frozenset({BLOG})


async def test_the_selection_follows_the_path_when_the_tree_is_re_sorted() -> None:
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, BLOG)
        tree(app).focus()
        await pilot.press("s", "s")
        await settle(pilot)
        assert main_screen(app).selected_path == BLOG
        assert tree(app).cursor_node is not None
        assert tree(app).cursor_node.data.env.path == BLOG  # type: ignore[union-attr]


async def test_the_command_palette_opens_an_environment_by_name() -> None:
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"open environment: httpie")
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).selected_path == HOME / ".local/share/pipx/venvs/httpie"


async def test_sizes_fill_in_and_the_details_explain_shared_files() -> None:
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "2.6 GB on disk, 703 MB reclaimable" in summary(app)  # not the active shop nor the pyenv base
        await select(pilot, HOME / ".local/share/uv/tools/ruff")
        await pilot.press("3")
        text = details_text(app)
        assert "27.3 MB on disk" in text
        assert "400 kB freed by deleting it" in text
        assert "hard links shared with a package cache" in text
        assert "1 day" in text or "yesterday" in text


async def test_every_size_arrives_even_when_measuring_is_slower_than_the_screen_refresh() -> None:
    service = demo_service()
    service.measure_delay_s = 0.12
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        missing = [e.name for e in tree(app).environments if tree(app).size_of(e.path) is None]
        assert missing == []
        assert "(sizes:" not in summary(app)  # no "n of m" left over


async def test_a_keymap_in_the_config_remaps_a_binding() -> None:
    service = demo_service()
    config = Config(keymap=(("venvdeck.refresh", "f5"),))
    app = VenvDeckApp(service, config, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert service.calls.count(("discover", HOME)) == 1  # r no longer refreshes
        await pilot.press("f5")
        await settle(pilot)
        assert service.calls.count(("discover", HOME)) == 2


async def test_the_palette_sorts_the_package_table() -> None:
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("ctrl+p", *"sort packages by size")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert table(app).shown_names[:3] == ["pip", "pydantic", "rich"]  # biggest first


async def test_brackets_in_messages_are_shown_as_written() -> None:
    service = demo_service()
    service.failing[BLOG] = "cannot run [bold]python[/bold]: [Errno 8] Exec [/oops] format error"
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await select(pilot, BLOG)
        assert "[bold]python[/bold]: [Errno 8]" in table_message(app)
        await pilot.pause()  # drawn without a markup error
        await pilot.press("i", *"requests[socks]", "enter")
        await pilot.pause(0.3)
        await pilot.press("y")
        await settle(pilot)
        # the outcome, in the log's status line (no toast repeats it over the log)
        drawn = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "✓ Install requests[socks] into blog" in drawn


async def test_discovery_shows_progress_and_never_blocks_navigation() -> None:
    service = demo_service()
    service.discover_gate = asyncio.Event()
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if tree(app).environments and "scanning" in summary(app):
                break
        assert "scanning… 10 folders" in summary(app)
        assert [e.name for e in tree(app).environments] == ["shop"]
        await pilot.press("3")  # the keys work while discovery runs
        await pilot.pause(0.2)
        assert main_screen(app).selected_path == SHOP
        assert "Path" in details_text(app)
        service.discover_gate.set()
        await settle(pilot)
        assert "scanning" not in summary(app)
        assert len(tree(app).environments) == 9
