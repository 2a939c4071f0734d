"""A first week with the dashboard: what got in the way, and what a lazygit or k9s user expects.

Each test drives the app from the keyboard (fake service: fixed names, sizes and times) and
checks what is on screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

from textual.command import Hit
from textual.widgets import Input, Static

from tests.fakes import FROZEN_NOW, HOME, FakeEnvironmentService, _pkg, _size, _venv, demo_service
from tests.ui.helpers import (
    main_screen,
    rendered,
    select,
    settle,
    summary,
    table,
    table_message,
    tree,
    tree_lines,
    until,
)
from venvdeck.app import VenvDeckApp
from venvdeck.config import Config
from venvdeck.dialogs.confirm import ConfirmScreen
from venvdeck.dialogs.history import HistoryScreen
from venvdeck.dialogs.package import PackageDetailsScreen
from venvdeck.models import Environment, Kind, Manager
from venvdeck.screens.help import HelpScreen
from venvdeck.widgets.env_table import EnvTable
from venvdeck.widgets.operation_log import OperationLog
from venvdeck.widgets.package_table import Column

SHOP = HOME / "code/shop/.venv"
BLOG = HOME / "code/blog/.venv"
SIZE = (120, 40)


def _app(
    service: FakeEnvironmentService | None = None, keymap: tuple[tuple[str, str], ...] = ()
) -> VenvDeckApp:
    return VenvDeckApp(service or demo_service(), Config(keymap=keymap), now=lambda: FROZEN_NOW)


def _many_packages(count: int = 100) -> FakeEnvironmentService:
    service = demo_service()
    names = [f"jupyterlab-extension-{i:03d}" for i in range(count)] + ["jupyter", "jupyter-core"]
    service.packages[SHOP] = tuple(_pkg(n, "2025.9.11", requested=(i % 3 == 0)) for i, n in enumerate(names))
    return service


async def test_typing_in_the_filter_never_shrinks_the_columns() -> None:
    app = _app(_many_packages())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        widths = [c.width for c in table(app).table.columns.values()]
        await pilot.press("1", "slash", "j")
        await pilot.pause(0.2)
        await pilot.press("u")
        await pilot.pause(0.2)
        assert [c.width for c in table(app).table.columns.values()] == widths
        names = [str(table(app).table.get_row(k)[0]).strip() for k in table(app).table.rows]
        assert "jupyter" in names
        assert all(len(n) >= len("jupyter") for n in names)


async def test_narrow_tables_keep_name_version_and_the_sort_arrow_whole() -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        shown = table(app).shown_columns
        assert shown[:3] == (Column.NAME, Column.VERSION, Column.REQUESTED)
        total = sum(c.get_render_width(table(app).table) for c in table(app).table.columns.values())
        assert total <= table(app).size.width
        labels = [c.label.plain for c in table(app).table.columns.values()]
        assert "Name ▲" in labels


async def test_a_long_package_name_is_cut_so_that_its_version_shows() -> None:
    """A 60-character editable's name pushed Version out of the pane ('0.0.1.de', no …)."""
    service = demo_service()
    long_name = "an-editable-project-with-a-very-long-name-" + "y" * 18
    service.packages[SHOP] = (_pkg(long_name, "0.0.1.dev20241201"), _pkg("rich", "13.3.1"))
    app = _app(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("1")
        # Laid out again at each size (resized 120 -> 80 -> 120, it kept the 80 layout).
        for size in ((80, 24), (120, 40), (80, 24), (200, 60)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.3)
            data = table(app).table
            assert table(app).shown_columns[:2] == (Column.NAME, Column.VERSION)
            total = sum(c.get_render_width(data) for c in data.columns.values())
            assert total <= table(app).size.width, size
            screen_text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
            assert "0.0.1.dev20241201" in screen_text, size
            name_line = next(line for line in screen_text.splitlines() if "an-editable-project" in line)
            assert ("…" in name_line) == (size[0] < 200), name_line  # cut where it must be, said to be


async def test_a_long_environment_name_leaves_status_and_python_in_sight_in_the_flat_view() -> None:
    """At 120x40 a long name hid every column after Size."""
    service = demo_service()
    path = HOME / "work" / ("a-project-with-a-rather-long-descriptive-folder-name-" + "z" * 10) / ".venv"
    service.environments.append(_venv(path, "3.11.7", project=path.parent))
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause(0.3)
        header = [strip.text for strip in app.screen._compositor.render_strips()][1]
        left = header.split("│")[0]
        assert all(title in left for title in ("Name", "Size", "Status", "Python")), left


async def test_sizes_keep_their_units_in_the_tree_at_every_width() -> None:
    for size in ((80, 24), (120, 40), (200, 60)):
        app = _app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            leaves = [
                line
                for line in tree_lines(app)
                if line.startswith(("  ", "●", "✗")) or " MB" in line or " kB" in line
            ]
            sized = [line for line in tree_lines(app) if line.rstrip().endswith(("MB", "kB", "GB", " B"))]
            assert len(sized) == 9, (size, tree_lines(app))
            assert leaves


async def test_the_log_is_titled_and_keeps_every_character_of_long_and_wrapped_lines() -> None:
    service = demo_service()
    long_name = "a-package-with-a-very-long-name-" + "x" * 58  # 90 characters
    service.run_output = (
        f"Collecting {long_name}",
        "Requirement already satisfied: markdown-it-py>=2.2.0 in ./lib/python3.12/site-packages (from rich) (3.0.0)",
    )
    app = _app(service)
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("L")  # the log, before anything ran: it says what it is
        await pilot.pause(0.2)
        drawn = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "Operation log" in drawn
        assert "Nothing has run yet." in drawn
        await pilot.press("L")
        await pilot.press("i", *"rich", "enter")
        await pilot.pause(0.3)
        await pilot.press("y")
        await settle(pilot)
        log = main_screen(app).query_one(OperationLog)
        screen_text = "".join("".join(s.text for s in line) for line in log.output.lines).replace(" ", "")
        for line in service.run_output:
            assert line.replace(" ", "") in screen_text
        # Written while the log was hidden, the first lines were wrapped at width 0: a character a line.
        drawn_lines = ["".join(s.text for s in line).strip() for line in log.output.lines]
        assert len(drawn_lines) < 20, drawn_lines
        assert any(line.startswith("$ ") and "python -m pip" in line for line in drawn_lines)
        await pilot.resize_terminal(120, 30)
        await pilot.pause(0.3)
        screen_text = "".join("".join(s.text for s in line) for line in log.output.lines).replace(" ", "")
        assert long_name in screen_text


async def test_help_shows_the_users_keymap_and_the_binding_ids() -> None:
    app = _app(keymap=(("venvdeck.refresh", "f5"), ("venvdeck.delete", "ctrl+d")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        refresh = next(k for k in app.screen.keys if k.binding_id == "venvdeck.refresh")
        delete = next(k for k in app.screen.keys if k.binding_id == "venvdeck.delete")
        assert (refresh.keys, delete.keys) == ("f5", "^d")
        body = app.screen.query_one("#help-body")
        await pilot.press("j", "j", "j")  # help says "j k too": it scrolls with them
        assert body.scroll_y == 3
        await pilot.press("G")
        assert body.scroll_y == body.max_scroll_y > 3
        await pilot.press("g")
        assert body.scroll_y == 0
        await pilot.press("escape")
        await pilot.press("f5")
        await settle(pilot)
        assert ("discover", HOME) in app.service.calls[1:]  # type: ignore[attr-defined]


async def test_help_on_a_small_terminal_puts_each_id_under_its_description_and_shows_its_own_keys() -> None:
    """At 80x24 the ids took a third column and each description wrapped over three lines; the
    footer offered the dashboard's keys, which did nothing while help was up."""
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.3)
        drawn = [strip.text for strip in app.screen._compositor.render_strips()]
        refresh = next(i for i, line in enumerate(drawn) if "Refresh: Look for environments again" in line)
        below = drawn[refresh + 1].split("│")[1].strip()  # inside the help's border
        assert below == "venvdeck.refresh", drawn[refresh : refresh + 2]
        assert "esc Close" in drawn[-1]
        assert "Create" not in drawn[-1]


async def test_the_palette_puts_an_exact_name_first_and_searches_paths() -> None:
    service = demo_service()
    for name in ("nbconvert-tools", "nb-helpers", "snb", "nb"):
        path = HOME / "work" / name / ".venv"
        service.environments.append(_venv(path, "3.11.7", project=path.parent))
    twin = HOME / "other" / "3.11.7"
    service.environments.append(_venv(twin, "3.11.7"))
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from venvdeck.commands import VenvDeckCommands

        provider = VenvDeckCommands(app.screen, None)
        hits = [h async for h in provider.search("open nb") if isinstance(h, Hit)]
        opens = sorted(
            (h for h in hits if "Open environment" in str(h.match_display)), key=lambda h: -h.score
        )
        assert str(opens[0].match_display).rsplit(": ", 1)[1] == "nb"
        by_path = [h async for h in provider.search("other 3.11.7") if isinstance(h, Hit)]
        assert any(h.help == str(twin) for h in by_path)


async def test_the_palette_names_each_command_once_and_says_what_each_tab_is() -> None:
    """space marks an environment and a package: the palette listed "Mark (space)" twice; the
    tabs were described as "Environments"."""
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        from textual.command import DiscoveryHit

        from venvdeck.commands import VenvDeckCommands

        provider = VenvDeckCommands(app.screen, None)
        hits = [h async for h in provider.discover() if isinstance(h, DiscoveryHit)]
        titles = [str(h.display) for h in hits]
        assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
        assert {"Mark (space) · Environments", "Mark (space) · Packages"} <= set(titles)
        helps = {str(h.display): h.help for h in hits}
        assert helps["Details (3)"] == "The tab of its details: Python, size, kernels, problems"


async def test_when_the_package_under_the_cursor_goes_the_cursor_stays_where_it_was() -> None:
    """After uninstalling the highlighted package the listing is read again: the cursor jumped
    back to the first row; it stays on the row where the package was (its neighbour)."""
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        packages = table(app)
        listed = tuple(sorted(packages.packages, key=lambda p: p.name.casefold()))
        assert len(listed) >= 4
        for gone in (2, len(listed) - 1):  # one in the middle, then the last one
            shown = [p for i, p in enumerate(listed) if i != gone]
            packages.show_packages(SHOP, tuple(listed))
            packages.table.move_cursor(row=gone)
            await pilot.pause()
            packages.show_packages(SHOP, tuple(shown))
            await pilot.pause()
            highlighted = packages.highlighted
            assert highlighted is not None
            assert highlighted.name == shown[min(gone, len(shown) - 1)].name


async def test_q_while_an_install_runs_asks_and_stops_it_only_if_told() -> None:
    service = demo_service()
    service.run_gates[SHOP] = asyncio.Event()
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("i", *"rich", "enter")
        await pilot.pause(0.3)
        await pilot.press("y")
        await pilot.pause(0.3)
        await pilot.press("q")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Still running" in str(app.screen.body)
        await pilot.press("n")
        await pilot.pause(0.2)
        assert app.is_running
        assert ("stop_all", HOME) not in service.calls
        await pilot.press("q")
        await pilot.pause(0.3)
        await pilot.press("y")
        await pilot.pause(0.3)
    assert ("stop_all", HOME) in service.calls


async def test_two_operations_with_one_title_each_end_on_their_own() -> None:
    service = demo_service()
    service.run_gates[SHOP] = asyncio.Event()
    service.packages[BLOG] = service.packages[SHOP]
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for env in (SHOP, BLOG):
            tree(app).select_path(env)  # not select(): it waits for every worker, and shop's is held
            await pilot.pause(0.3)
            await pilot.press("i", *"rich", "enter")
            await pilot.pause(0.3)
            await pilot.press("y")
            await pilot.pause(0.3)
        log = main_screen(app).query_one(OperationLog)
        await pilot.pause(0.3)
        assert log.running_count == 1  # blog's ended; shop's still runs
        assert "[blog]" in log.text or "[shop]" in log.text  # lines are tagged while both run
        service.run_gates[SHOP].set()
        await settle(pilot)
        assert log.running_count == 0
        assert [e.outcome[1] for e in log.entries.values() if e.outcome] == [True, True]


async def test_marks_are_counted_cleared_by_escape_and_forgotten_after_the_operation() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("1", "space", "space")
        assert table(app).marked_count == 2
        assert "2 marked" in str(table(app).query_one("#package-marks", Static).content)
        await pilot.press("escape")
        assert table(app).marked_count == 0
        await pilot.press("g", "space", "U")
        await pilot.pause(0.3)
        await pilot.press("y")
        await settle(pilot)
        assert table(app).marked_count == 0


async def test_reclaimable_leaves_out_what_venvdeck_refuses_to_delete() -> None:
    service = demo_service()
    unused = HOME / ".pyenv/versions/3.9.20"  # a Python install nothing is built on: not counted either
    service.environments.append(
        Environment(
            path=unused,
            kind=Kind.PYTHON,
            manager=Manager.PYENV,
            interpreter=unused / "bin/python3.9",
            python_version="3.9.20",
        )
    )
    service.sizes[unused] = _size(unused, 200.0)
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # 2.6 GB on disk in all; the pyenv 3.12.7 (260 MB) is the base of others: not reclaimable.
        assert "reclaimable" in summary(app)
        # Nor is shop, the active environment: 787 MB less its 84.2 MB.
        freed = summary(app).split(" reclaimable")[0].rsplit(", ", 1)[1]
        assert freed == "703 MB", summary(app)


async def test_the_cursor_starts_on_the_top_row() -> None:
    for _ in range(3):
        app = _app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            env_tree = tree(app)
            assert env_tree.cursor_line == 1  # the first environment under the first group
            assert main_screen(app).selected_path == BLOG


async def test_ctrl_l_clears_the_log_from_anywhere_and_bang_shows_the_history() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("i", *"rich", "enter")
        await pilot.pause(0.3)
        await pilot.press("y")
        await settle(pilot)
        log = main_screen(app).query_one(OperationLog)
        assert "Successfully installed" in log.text
        tree(app).focus()
        await pilot.press("ctrl+l")
        assert log.text == ""
        await pilot.press("exclamation_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HistoryScreen)
        assert "Install rich" in str(app.screen.entries[0].title)
        # its output on screen whole: wrapped at the pane's width (at 78 the line ends were cut)
        output = app.screen.query_one("#history-output")
        region = output.region
        strips = app.screen._compositor.render_strips()[region.y : region.bottom]
        drawn = "".join(s.crop(region.x, region.right).text.strip() for s in strips).replace(" ", "")
        assert "-mpipinstall--no-user--rich" in drawn, drawn


async def test_enter_on_a_package_shows_its_details() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("1", "enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, PackageDetailsScreen)
        assert app.screen.details.name == "anyio"
        assert app.screen.details.version == "4.6.2"


async def test_the_flat_view_sorts_the_whole_machine_by_size_and_filters_with_a_count() -> None:
    app = _app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause(0.2)
        flat = main_screen(app).query_one(EnvTable)
        assert flat.display
        paths = [str(k.value) for k in flat.rows]
        assert paths[0] == str(HOME / "miniforge3/envs/data")  # 310 MB freed, the biggest
        labels = [c.label.plain for c in flat.columns.values()]
        assert "Size ▼" in labels  # largest first: the arrow points down (it said ▲)
        assert "sorted by size" in summary(app)  # the table's order, not the hidden tree's
        flat.action_reverse_sort()
        await pilot.pause()
        assert [c.label.plain for c in flat.columns.values()] == [
            label.replace("Size ▼", "Size ▲") for label in labels
        ]
        assert "sorted by size (reversed)" in summary(app)
        assert str(next(iter(flat.rows)).value) != paths[0]
        flat.action_reverse_sort()
        await pilot.pause()
        await pilot.press("slash", *"shop")
        await pilot.pause(0.3)
        assert {Path(str(k.value)).name for k in flat.rows} <= {".venv", "shop-Xq3b1Kd2-py3.12"}
        assert re.search(r"\b\d+ match(es)? for “shop”", summary(app)), summary(app)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert len(flat.rows) == 9
        await pilot.resize_terminal(80, 24)  # the left pane is 27 columns: size and state still show
        await pilot.pause(0.3)
        header, *lines = [strip.text for strip in app.screen._compositor.render_strips()][1:]
        assert header.split("│")[0].split()[:3] == ["Name", "Size", "▼"]
        broken = [line for line in lines if "✗" in line.split("│")[0]]
        assert len(broken) == sum(e.is_broken for e in main_screen(app).env_tree.environments) > 0


async def test_what_the_flat_view_selects_is_what_the_tree_shows_and_delete_offers() -> None:
    """v, a move in the flat table, v again: the tree's cursor follows, so the highlighted row,
    the details and the delete dialog are about one environment (the tree kept its old cursor
    while the keys acted on the table's: d offered to delete an environment not highlighted)."""
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        before = screen.selected_path
        left = screen.query_one("#left")
        tree_width = left.size.width
        await pilot.press("v")
        await pilot.pause(0.2)
        flat = screen.query_one(EnvTable)
        assert flat.highlighted_path == before  # the table opens on the tree's environment
        assert left.size.width > tree_width * 1.4  # seven columns: the table gets room of its own
        await pilot.press("j")
        await pilot.pause(0.2)
        moved = flat.highlighted_path
        assert moved is not None
        assert moved != before
        assert screen.selected_path == moved
        await pilot.press("v")
        await pilot.pause(0.2)
        assert tree(app).display
        assert left.size.width == tree_width
        assert tree(app).highlighted_path == moved == screen.selected_path
        name = next(e.name for e in tree(app).environments if e.path == moved)
        await pilot.press("d")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.title_text == f"Delete {name}?"
        await pilot.press("n")


async def test_keys_typed_fast_act_on_the_environment_under_the_cursor() -> None:
    """A move and then a key, before the move's highlight message reached the screen: `j d` asked
    to delete the environment the cursor had just left, and `j v` opened the tree on it."""
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        start = tree(app).highlighted_path
        tree(app).action_cursor_down()  # no await: its message is still queued
        moved = tree(app).highlighted_path
        assert moved != start
        env = screen.selected_environment
        assert env is not None
        assert env.path == moved
        await pilot.press("v")
        await pilot.pause(0.2)
        flat = screen.query_one(EnvTable)
        flat.action_cursor_down()  # again, and v at once
        moved = flat.highlighted_path
        screen.action_toggle_view()
        assert screen.selected_path == moved
        await pilot.pause(0.2)
        assert tree(app).highlighted_path == moved


async def test_the_tree_filter_highlights_matches_and_keeps_the_selection() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"htt")
        await pilot.pause(0.3)
        assert [e.name for e in tree(app).shown_environments] == ["httpie"]
        assert "1 match" in summary(app)
        assert isinstance(app.screen.focused, Input)


async def test_reclaim_in_bulk_marks_broken_and_unused_then_deletes_in_one_confirmed_step() -> None:
    service = demo_service()
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("B")  # the broken legacy-api
        await pilot.press("N")
        await pilot.pause(0.2)
        await pilot.press("ctrl+a", "ctrl+k", *"60", "enter")  # and scratch (90 days unused)
        await pilot.pause(0.2)
        marked = main_screen(app).marked
        assert marked == {HOME / "code/legacy-api/venv", HOME / ".virtualenvs/scratch"}
        assert "2 marked (225 MB)" in summary(app)
        await pilot.press("d")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmScreen)
        body = rendered(app.screen.body)
        assert "In all" in body
        assert "225 MB" in body
        await pilot.press("y")
        await settle(pilot)
        assert {p for name, p in service.calls if name == "delete"} == marked
        assert all(p not in {e.path for e in tree(app).environments} for p in marked)
        assert not main_screen(app).marked


async def test_bulk_marks_never_take_a_python_install() -> None:
    """pyenv's Pythons were marked as "unused" and offered for deletion among the environments."""
    service = demo_service()
    app = _app(service)
    python = next(e.path for e in service.environments if e.kind == "python")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("N")
        await pilot.pause(0.2)
        await pilot.press("ctrl+a", "ctrl+k", "0", "enter")  # every one used before now
        await pilot.pause(0.2)
        marked = main_screen(app).marked
        assert python not in marked
        assert len(marked) >= 5
        said = [n.message for n in app._notifications]
        assert any("Python installs are never marked in bulk" in m for m in said), said


async def test_deleting_the_only_match_of_a_filter_leaves_no_packages_on_screen() -> None:
    """The tree was empty ("0 match") while the right pane still listed the deleted one's packages."""
    service = demo_service()
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"blog", "enter")
        await pilot.pause(0.3)
        assert [e.name for e in tree(app).shown_environments] == ["blog"]
        await until(pilot, lambda: table(app).packages != [], "blog's packages")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("y")
        await settle(pilot)
        assert tree(app).shown_environments == []
        assert "0 matches for “blog”" in summary(app)
        assert table(app).table.row_count == 0
        assert "Select an environment" in table_message(app)


async def test_after_a_resize_a_relabelled_row_lines_up_with_the_others() -> None:
    """After 120x40 -> 80x24 (a scrollbar came), marking a row relabelled it alone, for another
    width: its size stood two columns off the others'."""
    service = demo_service()
    for i in range(12):
        path = HOME / "work" / f"proj-{i:02d}" / ".venv"
        service.environments.append(_venv(path, "3.11.7", project=path.parent))
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for size in ((80, 24), (200, 60), (100, 30)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.3)
        await select(pilot, HOME / "work" / "proj-03" / ".venv")
        await pilot.press("space")
        await pilot.pause(0.2)
        leaves = [
            str(node.label)
            for node in (tree(app).get_node_at_line(n) for n in range(tree(app).last_line + 1))
            if node is not None and node.data is not None
        ]
        assert any(line.startswith("✓ proj-03") for line in leaves)
        assert len({len(line) for line in leaves}) == 1, leaves


async def test_an_old_environment_put_back_at_start_is_read_again_and_said() -> None:
    """After an interrupted rebuild, the first discovery listed the half-built folder at the path;
    putting the old one back changed it under the tree's feet."""
    service = demo_service()
    service.left_aside = [SHOP.parent / ".venvdeck-recreating-0123456789abcdef-.venv"]
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: service.calls.count(("discover", HOME)) == 2, "a second look")
        said = [(n.title, n.message) for n in app._notifications]
        assert ("An earlier rebuild", f"put back {SHOP} as it was before an interrupted rebuild") in said


async def test_zoom_resize_and_hide_the_tree_from_the_keyboard() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        left = main_screen(app).query_one("#left")
        before = left.size.width
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause(0.1)
        assert left.size.width > before
        share = left.size.width / app.size.width
        await pilot.resize_terminal(app.size.width * 2, app.size.height)  # the panes keep their shares
        await pilot.pause(0.2)
        assert abs(left.size.width / app.size.width - share) < 0.02
        await pilot.press("backslash")
        await pilot.pause(0.1)
        assert not left.display
        await pilot.press("h")
        await pilot.pause(0.1)
        assert left.display
        await pilot.press("l", "z")
        await pilot.pause(0.1)
        assert main_screen(app).maximized is not None
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert main_screen(app).maximized is None


async def test_y_copies_the_path_and_o_opens_the_project_in_the_editor() -> None:
    service = demo_service()
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        app.suspend = contextlib.nullcontext  # type: ignore[method-assign,assignment]  # as on a real terminal
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("y")
        await pilot.pause(0.1)
        assert app.clipboard == str(SHOP)
        await pilot.press("o")
        await settle(pilot)
        assert ("shell", SHOP) in service.calls  # the editor ran through the service, dashboard suspended


async def test_a_busy_unused_size_table_uses_fixed_sizes() -> None:
    service = demo_service()
    service.sizes[SHOP] = _size(SHOP, 84.2, used_days=0.2)
    app = _app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert tree(app).size_of(SHOP) is not None


async def test_the_footer_follows_the_selection_and_is_not_rebuilt_for_the_same_keys() -> None:
    from textual.widgets._footer import FooterKey

    legacy = HOME / "code/legacy-api/venv"  # broken: only delete and copy apply
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def install_key() -> FooterKey:
            return next(k for k in main_screen(app).query(FooterKey) if k.action == "install")

        await select(pilot, SHOP)
        await pilot.pause()
        assert not install_key().has_class("-disabled")
        before = install_key()
        await select(pilot, BLOG)  # another healthy environment: the same keys, the same widgets
        await pilot.pause()
        assert install_key() is before
        await select(pilot, legacy)
        await pilot.pause()
        assert install_key().has_class("-disabled")
        assert install_key() is before  # only whether it applies changed: updated in place
        await select(pilot, SHOP)
        await pilot.pause()
        assert not install_key().has_class("-disabled")


async def test_every_dialogs_buttons_can_be_reached_on_a_small_terminal() -> None:
    """At 80x24 the create dialog's fields are taller than the screen: its buttons stay in sight,
    and a click on them reaches them (they were cut off, so nothing could be created)."""
    for keys in (("c",), ("a",), ("e",), ("d",), ("R",)):
        app = _app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await select(pilot, SHOP)
            await pilot.press(*keys)
            await pilot.pause(0.3)
            screen = app.screen
            buttons = list(screen.query("#dialog-buttons Button"))
            assert buttons, keys
            title = screen.query_one("#dialog-title")  # it opened scrolled past its title
            assert screen.region.contains_region(title.region), keys
            assert title.region.y >= screen.query_one("#dialog").region.y
            for button in buttons:
                region = button.region
                assert region.height >= 1, (keys, button.id)
                assert screen.region.contains_region(region), (keys, button.id)
                widget, _ = screen.get_widget_at(region.x + region.width // 2, region.y + region.height // 2)
                assert widget is button, (keys, button.id, widget)
            await pilot.press("escape")


async def test_a_dialog_shows_its_own_keys_not_the_dashboards() -> None:
    """Behind a dialog the dashboard's footer offered q Quit, c Create...: keys that do nothing
    while the dialog is up. Each dialog shows its own."""
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        for keys, shown_keys in ((("d",), ("y Yes", "n No")), (("c",), ("esc Cancel",))):
            await pilot.press(*keys)
            await pilot.pause(0.3)
            bottom = app.screen._compositor.render_strips()[-1].text
            assert all(k in bottom for k in shown_keys), bottom
            assert "Quit" not in bottom
            await pilot.press("escape")
            await pilot.pause(0.2)


async def test_keys_for_a_package_are_dimmed_where_no_package_is_listed() -> None:
    """On a broken environment u, U and w did nothing and said nothing, shown as if they applied."""
    from textual.widgets._footer import FooterKey

    legacy = HOME / "code/legacy-api/venv"
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def keys() -> dict[str, bool]:
            """Action → enabled, for the keys the footer shows."""
            return {
                k.action: not k.has_class("-disabled") for k in main_screen(app).query(FooterKey) if k.display
            }

        await select(pilot, SHOP)
        table(app).table.focus()
        await pilot.pause()
        assert keys()["uninstall"]
        assert keys()["upgrade"]
        await select(pilot, legacy)
        table(app).table.focus()
        await pilot.pause()
        assert not keys()["uninstall"]
        assert not keys()["upgrade"]
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is main_screen(app)  # nothing asked
        await pilot.press("4")
        await settle(pilot)
        assert not keys()["why"]
        await select(pilot, SHOP)
        await pilot.press("1")
        table(app).table.focus()
        await pilot.pause()
        assert keys()["uninstall"]


def test_the_home_page_shows_once() -> None:
    """Metadata with no Home-page but a Project-URL "Homepage" read `Home page —` above it."""
    import dataclasses

    from tests.fakes import _venv
    from venvdeck.dialogs.package import details_renderable
    from venvdeck.models import PackageDetails

    env = _venv(HOME / "code/shop/.venv", "3.12.7")
    base = PackageDetails(
        env, "rich", "13.3.1", "Rich text", "MIT", None, (("Homepage", "https://example.org/rich"),),
        ">=3.8", "pip", "index", None, None, None, None, 3, 100, True, (), (), (),
    )  # fmt: skip

    def home_rows(details: PackageDetails) -> list[str]:
        lines = rendered(details_renderable(details)).splitlines()
        return [" ".join(line.split()) for line in lines if "ome" in line]

    assert home_rows(base) == ["Homepage https://example.org/rich"]
    same = dataclasses.replace(base, home_page="https://example.org/rich")
    assert home_rows(same) == ["Homepage https://example.org/rich"]
    other = dataclasses.replace(base, home_page="https://rich.example")
    assert [row.split()[:2] for row in home_rows(other)] == [
        ["Home", "page"],
        ["Homepage", "https://example.org/rich"],
    ]
    bare = dataclasses.replace(base, project_urls=())
    assert home_rows(bare) == ["Home page —"]


async def test_help_and_quit_stay_in_the_footer_on_a_narrow_terminal() -> None:
    """At 80 columns the keys that do not fit are cut; help and quit came last, so they went first."""
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        for focus in ("tree", "table"):
            if focus == "table":
                table(app).table.focus()
            await pilot.pause(0.3)
            line = app.screen._compositor.render_strips()[-1].text
            assert line.startswith("q Quit ? Help "), (focus, line)
            assert line.rstrip().endswith("^p palette"), (focus, line)
