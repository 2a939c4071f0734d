"""The insight half of the dashboard, on real tiny environments: problems marked in the tree and
listed in the details, the dependencies tab both ways, find everywhere, and disk by package.

The environments are real venvs whose distributions are written by hand (METADATA, RECORD,
INSTALLER, REQUESTED: what pip leaves), so each case is exactly what the test says:

- web: web-app (asked for) requires web-lib>=2 and ghost>=1.0 (missing); web-lib 2.1 requires
  web-core, which requires web-lib back (a cycle); pinned (asked for) requires web-core<1 (a
  conflict: 1.0 is installed). pip check: two problems.
- shop: shop-app (asked for) requires web-lib>=1; web-lib 1.5; big-data 3.0. user-a asks for
  opt-lib[fast], user-b for plain opt-lib; opt-lib requires base-lib, and fast-dep with its extra
  "fast". No problems (pip check follows no extras, and everything is there anyway).
- old: web-lib 1.0; big-data 3.0 (a second copy, the biggest distribution on disk).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.command import Hit
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey

from tests.fakes import FROZEN_NOW, HOME, FakeEnvironmentService, _pkg, demo_service
from tests.support.pythons import make_venv
from tests.support.shared import built_once
from tests.ui.helpers import main_screen, rendered, select, settle, table, tree_lines, until
from venvdeck.app import VenvDeckApp
from venvdeck.config import Config
from venvdeck.keys import live_keys
from venvdeck.models import FoundDistribution, Operation, OperationResult
from venvdeck.screens.find import FindScreen
from venvdeck.screens.usage import UsageScreen
from venvdeck.services.change.settings import ActionSettings, Backend
from venvdeck.services.find.discovery import DiscoveryOptions
from venvdeck.services.local import LocalEnvironmentService
from venvdeck.widgets.dependency_view import DependencyView
from venvdeck.widgets.details_pane import DetailsPane
from venvdeck.widgets.env_table import EnvTable
from venvdeck.widgets.operation_log import OperationLog

SIZE = (120, 40)
BIG_FILE = 300_000


def write_dist(
    env: Path,
    name: str,
    version: str,
    requires: tuple[str, ...] = (),
    requested: bool = False,
    size: int = 40,
) -> None:
    """One installed distribution as pip leaves it: metadata, a module, its RECORD."""
    site = next((env / "lib").glob("python*/site-packages"))
    module = name.replace("-", "_")
    info = site / f"{module}-{version}.dist-info"
    info.mkdir()
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    (info / "METADATA").write_text(metadata)
    (info / "INSTALLER").write_text("pip\n")
    if requested:
        (info / "REQUESTED").write_text("")
    (site / f"{module}.py").write_text("#" * size + "\n")
    (info / "RECORD").write_text(
        f"{module}.py,,{size + 1}\n{info.name}/METADATA,,\n{info.name}/INSTALLER,,\n{info.name}/RECORD,,\n"
    )


@dataclass
class InsightHome:
    root: Path
    web: Path
    shop: Path
    old: Path


@pytest.fixture(scope="session")
def insight_home(tmp_path_factory: pytest.TempPathFactory) -> InsightHome:
    python = Path(sys.executable)

    def build(root: Path) -> None:
        web = make_venv(python, root / "code" / "web" / ".venv")
        write_dist(web, "web-app", "1.0", ("web-lib>=2", "ghost>=1.0"), requested=True)
        write_dist(web, "web-lib", "2.1", ("web-core",))
        write_dist(web, "web-core", "1.0", ("web-lib",))
        write_dist(web, "pinned", "1.0", ("web-core<1",), requested=True)
        shop = make_venv(python, root / "code" / "shop" / ".venv")
        write_dist(shop, "shop-app", "0.1", ("web-lib>=1",), requested=True)
        write_dist(shop, "web-lib", "1.5")
        write_dist(shop, "big-data", "3.0", size=BIG_FILE)
        write_dist(shop, "user-a", "1.0", ("opt-lib[fast]",), requested=True)
        write_dist(shop, "user-b", "1.0", ("opt-lib",), requested=True)
        write_dist(shop, "opt-lib", "1.0", ("base-lib", 'fast-dep; extra == "fast"'))
        write_dist(shop, "base-lib", "1.0")
        write_dist(shop, "fast-dep", "1.0")
        old = make_venv(python, root / "code" / "old" / ".venv")
        write_dist(old, "web-lib", "1.0", requested=True)
        write_dist(old, "big-data", "3.0", size=BIG_FILE, requested=True)

    root = built_once(tmp_path_factory, "insight-ui-home", build)
    return InsightHome(root, *(root / "code" / name / ".venv" for name in ("web", "shop", "old")))


class CountingService(LocalEnvironmentService):
    """The real service, counting how often every environment is read for a package."""

    def __init__(self, root: Path) -> None:
        super().__init__(
            DiscoveryOptions(roots=[root], include_path_interpreters=False), ActionSettings(Backend.PIP, None)
        )
        self.finds: list[str] = []

    async def find_everywhere(self, spec: str) -> AsyncIterator[FoundDistribution]:  # type: ignore[override]
        self.finds.append(spec)
        async for found in super().find_everywhere(spec):
            yield found


def _deps_lines(app: VenvDeckApp) -> list[str]:
    """The dependencies tab as it reads: two spaces per level, then the label."""
    widget = main_screen(app).query_one(DependencyView).deps_tree
    lines = []
    for number in range(widget.last_line + 1):
        node = widget.get_node_at_line(number)
        if node is not None:
            lines.append("  " * _depth(node) + str(node.label))
    return lines


def _depth(node: object) -> int:
    depth = -1  # the hidden root
    current = getattr(node, "parent", None)
    while current is not None:
        depth += 1
        current = current.parent
    return max(depth, 0)


def _footer_actions(app: VenvDeckApp) -> set[str]:
    return {key.action for key in app.screen.query(FooterKey) if key.display}


async def _expand(pilot: Pilot[None], app: VenvDeckApp, starts: str) -> None:
    """Put the cursor on the first row starting with `starts` (after its indent) and open it."""
    widget = main_screen(app).query_one(DependencyView).deps_tree
    for number in range(widget.last_line + 1):
        node = widget.get_node_at_line(number)
        if node is not None and str(node.label).startswith(starts):
            widget.move_cursor(node)
            widget.focus()
            await pilot.press("space")
            await settle(pilot)
            return
    raise AssertionError(f"no row starts with {starts!r}: {_deps_lines(app)}")


def _real(home: InsightHome) -> VenvDeckApp:
    return VenvDeckApp(CountingService(home.root))


# ---- problems ------------------------------------------------------------------------------------------


async def test_problems_are_marked_in_the_tree_and_listed_in_the_details(insight_home: InsightHome) -> None:
    app = _real(insight_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # every environment checked in the background after discovery
        lines = tree_lines(app)
        assert any(line.startswith("⚠ web ") for line in lines), lines
        assert any(line.startswith("shop ") for line in lines), lines  # no problem: no mark
        assert any(line.startswith("old ") for line in lines), lines

        await select(pilot, insight_home.web)
        await pilot.press("3")
        problems = rendered(main_screen(app).query_one(DetailsPane).shown_problems)
        assert "⚠ 2 problems, as pip check reports them" in problems
        assert "web-app 1.0 requires ghost, which is not installed." in problems
        assert "pinned 1.0 has requirement web-core<1, but you have web-core 1.0." in problems
        await select(pilot, insight_home.shop)
        clean = rendered(main_screen(app).query_one(DetailsPane).shown_problems)
        assert "No broken requirements found." in clean

        await pilot.press("v")  # the flat table says it in the Status column
        await settle(pilot)
        flat = main_screen(app).query_one(EnvTable)
        assert "⚠ 2" in str(flat.get_cell(str(insight_home.web), "status"))
        assert "⚠" not in str(flat.get_cell(str(insight_home.shop), "status"))
        assert "⚠" in str(flat.get_cell(str(insight_home.web), "name"))  # seen however narrow
        assert "⚠" not in str(flat.get_cell(str(insight_home.shop), "name"))


class _UninstallingService(FakeEnvironmentService):
    """The fake, whose uninstall really takes the package out of the listing."""

    async def run(self, operation: Operation, on_line: Callable[[str], None]) -> OperationResult:
        result = await super().run(operation, on_line)
        if operation.kind == "uninstall":
            gone = set(operation.argv[operation.argv.index("--") + 1 :])
            self.packages[operation.environment] = tuple(
                p for p in self.packages[operation.environment] if p.name not in gone
            )
        return result


async def test_a_change_says_whether_it_introduced_problems() -> None:
    demo = demo_service()
    service = _UninstallingService(**{f: getattr(demo, f) for f in ("environments", "sizes", "looked_in")})
    shop = HOME / "code/shop/.venv"
    service.packages = {
        shop: (
            _pkg("app", "1.0", requested=True, requires=("lib>=1",)),
            _pkg("lib", "1.2"),
            _pkg("extra", "0.1"),
        )
    }
    app = VenvDeckApp(service, Config(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await select(pilot, shop)
        log = main_screen(app).query_one(OperationLog)

        table(app).table.move_cursor(row=table(app).table.get_row_index("extra"))
        table(app).table.focus()
        await pilot.press("u", "y")
        await settle(pilot)
        assert "it introduced no problems" in log.entries[max(log.entries)].outcome[0]  # type: ignore[index]
        assert not any(line.startswith("● ⚠") for line in tree_lines(app))

        table(app).table.move_cursor(row=table(app).table.get_row_index("lib"))
        await pilot.press("u", "y")
        await settle(pilot)
        message, ok = log.entries[max(log.entries)].outcome  # type: ignore[misc]
        assert ok
        assert "⚠ it introduced 1 problem: app 1.0 requires lib, which is not installed." in message
        assert any(
            n.severity == "warning" and "introduced 1 problem" in n.message for n in app._notifications
        )
        assert any(line.startswith("● ⚠ shop") for line in tree_lines(app))  # marked at once
        await pilot.press("3")
        problems = rendered(main_screen(app).query_one(DetailsPane).shown_problems)
        assert "app 1.0 requires lib, which is not installed." in problems


async def test_the_views_share_one_parse_and_background_checks_keep_none(
    insight_home: InsightHome, tmp_path: Path
) -> None:
    service = CountingService(insight_home.root)
    web = await service.resolve(shutil.copytree(insight_home.web, tmp_path / "web" / ".venv", symlinks=True))
    await service.check(web, remember=False)
    assert not service._graphs  # a background check keeps nothing
    await service.check(web)
    ((_listing, graph),) = service._graphs.values()
    await service.dependency_tree(web, depth=2)
    await service.package_details(web, "web-app")
    assert service._graphs[web.path][1] is graph  # parsed once for all three
    write_dist(web.path, "late", "1.0", ("ghost-two",))  # installed meanwhile
    report = await service.check(web)
    assert "late 1.0 requires ghost-two, which is not installed." in [p.message for p in report.problems]
    assert service._graphs[web.path][1] is not graph


# ---- the dependencies tab ------------------------------------------------------------------------------


async def test_the_dependencies_tab_opens_lazily_and_marks_missing_conflicts_and_cycles(
    insight_home: InsightHome,
) -> None:
    app = _real(insight_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, insight_home.web)
        await pilot.press("4")
        await settle(pilot)
        view = main_screen(app).query_one(DependencyView)
        assert "2 top-level packages" in str(view.query_one("#deps-header").render())
        # its keys are at its end: on screen, whole (a cut header lost "w: why is it here?")
        region = view.query_one("#deps-header").region
        strips = app.screen._compositor.render_strips()[region.y : region.bottom]
        drawn = " ".join(s.crop(region.x, region.right).text.strip() for s in strips)
        assert drawn.endswith("w: why is it here?"), drawn
        assert _deps_lines(app) == ["pinned 1.0", "web-app 1.0"]  # nothing else is top-level; closed
        tree = view.deps_tree
        await pilot.press("G")  # the keys of every list (they did nothing here)
        assert tree.cursor_line == tree.last_line
        await pilot.press("g")
        assert tree.cursor_line == 0

        await _expand(pilot, app, "web-app")
        lines = _deps_lines(app)
        assert "  ghost [required: >=1.0, installed: ?]  ✗ missing" in lines
        assert "  web-lib [required: >=2, installed: 2.1]" in lines
        await _expand(pilot, app, "web-lib")
        assert "    web-core [required: any, installed: 1.0]" in _deps_lines(app)
        await _expand(pilot, app, "web-core")  # two levels down: fetched as it opens
        assert "      web-lib [required: any, installed: 2.1]  ↻ cycle" in _deps_lines(app)
        cycle = view.deps_tree.get_node_at_line(
            _deps_lines(app).index("      web-lib [required: any, installed: 2.1]  ↻ cycle")
        )
        assert cycle is not None
        assert not cycle.allow_expand  # shown once, never again

        await _expand(pilot, app, "pinned")
        assert "  web-core [required: <1, installed: 1.0]  ✗ conflict" in _deps_lines(app)


async def test_right_opens_a_package_and_left_goes_back_up(insight_home: InsightHome) -> None:
    """As in a file manager (Textual's Tree left them to scrolling: right moved every row sideways)."""
    app = _real(insight_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await select(pilot, insight_home.web)
        await pilot.press("4")
        await settle(pilot)
        widget = main_screen(app).query_one(DependencyView).deps_tree
        widget.focus()
        widget.move_cursor(widget.get_node_at_line(_deps_lines(app).index("web-app 1.0")))
        await pilot.press("right")
        await settle(pilot)
        assert "  web-lib [required: >=2, installed: 2.1]" in _deps_lines(app)  # opened
        assert widget.scroll_x == 0
        await pilot.press("right")  # into it: its first requirement
        assert widget.cursor_node is not None
        assert widget.cursor_node.parent is not None
        assert str(widget.cursor_node.parent.label) == "web-app 1.0"
        await pilot.press("left")  # back up to the package
        assert widget.cursor_node is not None
        assert str(widget.cursor_node.label) == "web-app 1.0"
        await pilot.press("left")  # and closed
        await pilot.pause()
        assert _deps_lines(app) == ["pinned 1.0", "web-app 1.0"]
        assert widget.scroll_x == 0


async def test_below_a_requirement_only_the_extras_it_asks_for_show(insight_home: InsightHome) -> None:
    app = _real(insight_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, insight_home.shop)
        await pilot.press("4")
        await settle(pilot)
        assert _deps_lines(app) == ["big-data 3.0", "shop-app 0.1", "user-a 1.0", "user-b 1.0"]
        await _expand(pilot, app, "user-b")
        await _expand(pilot, app, "opt-lib")  # fetched from opt-lib alone: every extra asked of it
        assert _deps_lines(app)[-2:] == [
            "  opt-lib [required: any, installed: 1.0]",
            "    base-lib [required: any, installed: 1.0]",  # user-b asks for no extra
        ]
        await _expand(pilot, app, "user-a")
        await _expand(pilot, app, "opt-lib")  # user-a's, the first one
        lines = _deps_lines(app)
        below_a = lines[lines.index("user-a 1.0") + 1 : lines.index("user-b 1.0")]
        assert below_a == [
            "  opt-lib [required: any, installed: 1.0]",
            "    base-lib [required: any, installed: 1.0]",
            "    fast-dep [required: any, installed: 1.0, extra: fast]",
        ]


async def test_w_shows_every_path_up_to_what_was_asked_for(insight_home: InsightHome) -> None:
    app = _real(insight_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, insight_home.web)
        rows = table(app).table
        rows.move_cursor(row=rows.get_row_index("web-core"))
        rows.focus()
        await pilot.press("w")
        await settle(pilot)
        view = main_screen(app).query_one(DependencyView)
        assert main_screen(app).panes.active_tab == "deps"
        assert "Why is web-core 1.0 here?" in str(view.query_one("#deps-header").render())
        assert _deps_lines(app) == [
            "web-core 1.0",
            "  pinned 1.0 [requires: web-core<1]  ★ asked for",
            "  web-lib 2.1 [requires: web-core]",
            "    web-app 1.0 [requires: web-lib>=2]  ★ asked for",
            "    web-core 1.0 [requires: web-lib]  ↻ cycle",
        ]
        assert "back" in _footer_actions(app)  # offered while a reverse tree shows
        await pilot.press("backspace")  # back to every top-level package
        await settle(pilot)
        assert _deps_lines(app) == ["pinned 1.0", "web-app 1.0"]
        assert "back" not in _footer_actions(app)

        await _expand(pilot, app, "web-app")
        await _expand(pilot, app, "web-lib")  # a level read as it opens
        opened = _deps_lines(app)
        assert any(line.startswith("    web-core") for line in opened)
        view.deps_tree.move_cursor(
            view.deps_tree.get_node_at_line(
                opened.index("  ghost [required: >=1.0, installed: ?]  ✗ missing")
            )
        )
        await pilot.press("w")  # in the tab: why a missing requirement is wanted
        await settle(pilot)
        assert _deps_lines(app)[:2] == [
            "ghost  not installed",
            "  web-app 1.0 [requires: ghost>=1.0]  ★ asked for",
        ]
        await pilot.press("backspace")  # back: opened as it was, the cursor where it was
        await settle(pilot)
        assert _deps_lines(app) == opened
        cursor = view.deps_tree.cursor_node
        assert cursor is not None
        assert str(cursor.label).startswith("ghost")
        await _expand(pilot, app, "web-lib")  # closed by the user, then its parent closed and opened:
        await _expand(pilot, app, "web-app")  # what was put back is not put back again
        await _expand(pilot, app, "web-app")
        assert not any(line.startswith("    web-core") for line in _deps_lines(app))


# ---- find everywhere -------------------------------------------------------------------------------------


async def test_find_streams_then_filters_in_memory_and_enter_jumps(insight_home: InsightHome) -> None:
    app = _real(insight_home)
    service = app.service
    assert isinstance(service, CountingService)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = main_screen(app)
        await pilot.press("2")  # on the requirements tab: the jump shows the packages anyway
        await pilot.press("F")
        screen = app.screen
        assert isinstance(screen, FindScreen)
        await pilot.press(*"Web_Lib")  # any spelling of the name
        await until(pilot, lambda: "every working environment read" in screen.status_text, "the read")
        by_env = {Path(env).parent.name: (version, ok) for env, _n, version, ok in screen.shown_rows}
        assert by_env == {"web": ("2.1", True), "shop": ("1.5", True), "old": ("1.0", True)}
        assert service.finds[-1] == "web-lib"  # (a slow machine may have paused on a part of the name)
        reads = len(service.finds)

        await pilot.press(*">=1.5")
        matching = {Path(env).parent.name: ok for env, _n, _v, ok in screen.shown_rows}
        assert matching == {"web": True, "shop": True, "old": False}
        # what matches first, then by environment name
        assert [Path(env).parent.name for env, *_ in screen.shown_rows] == ["shop", "web", "old"]
        assert "2 match >=1.5" in screen.status_text
        await pilot.press("backspace", "backspace", "backspace", "2")  # Web_Lib>=2
        assert sum(ok for *_rest, ok in screen.shown_rows) == 1
        assert len(service.finds) == reads  # the versions were filtered in memory: no new read

        await pilot.press("backspace", "backspace")  # Web_Lib> is not a requirement
        assert screen.status_text.startswith("Not a requirement yet")
        assert len(screen.shown_rows) == 3  # the last good answer stays

        await pilot.press("enter")  # to the rows
        rows = screen.query_one("#find-rows", DataTable)
        assert main.selected_path == insight_home.old  # the first in the tree
        await pilot.press("G")  # the keys of every list: j k g G
        assert rows.cursor_row == len(screen.shown_rows) - 1
        await pilot.press("g")
        assert rows.cursor_row == 0
        web = [Path(e).parent.name for e, *_ in screen.shown_rows].index("web")
        await pilot.press(*"j" * web)
        assert rows.cursor_row == web
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).selected_path == insight_home.web  # jumped, the screen closed
        assert main_screen(app).panes.active_tab == "packages"
        await until(pilot, lambda: table(app).environment_path == insight_home.web, "the listing")
        highlighted = table(app).highlighted
        assert highlighted is not None
        assert highlighted.name == "web-lib"  # the package found, under the cursor


async def test_find_says_when_nothing_has_it_and_escape_closes(insight_home: InsightHome) -> None:
    app = _real(insight_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        screen = app.screen
        assert isinstance(screen, FindScreen)
        await pilot.press(*"ghost")
        await until(pilot, lambda: "every working environment read" in screen.status_text, "the read")
        assert screen.status_text.startswith("No environment has ghost")
        assert screen.shown_rows == []
        assert screen.query_one(Input).value == "ghost"
        await pilot.press("escape")
        assert not isinstance(app.screen, FindScreen)


# ---- disk by package --------------------------------------------------------------------------------------


async def test_usage_lists_distributions_by_size_and_enter_goes_to_a_holder(
    insight_home: InsightHome,
) -> None:
    app = _real(insight_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = main_screen(app)
        await pilot.press("D")
        screen = app.screen
        assert isinstance(screen, UsageScreen)
        await settle(pilot)
        rows = screen.rows_table
        first = [str(cell) for cell in rows.get_row_at(0)]
        assert first[:2] == ["big-data", "2"]  # the biggest, in two environments
        assert first[2].endswith("kB")  # two copies of 300 kB
        assert set(first[5].split(", ")) == {"shop", "old"}
        names = [str(rows.get_row_at(i)[0]) for i in range(rows.row_count)]
        assert {"web-lib", "web-core", "pinned"} <= set(names)
        sizes = [u.total_bytes for u in screen.usage]
        assert sizes == sorted(sizes, reverse=True)
        await pilot.press("j", "j")  # the keys of every list (they did nothing here)
        assert rows.cursor_row == 2
        await pilot.press("G")
        assert rows.cursor_row == rows.row_count - 1
        await pilot.press("g")
        assert rows.cursor_row == 0

        await pilot.press("enter")  # the environments holding it
        assert set(screen.holders) == {insight_home.shop, insight_home.old}
        holders = screen.holders_table
        held = {
            str(holders.get_row_at(i)[0]): str(holders.get_row_at(i)[1]) for i in range(holders.row_count)
        }
        assert held == {"shop": "3.0", "old": "3.0"}  # which version each one holds
        assert main.selected_path == insight_home.old  # the first in the tree
        holders.move_cursor(row=screen.holders.index(insight_home.shop))
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).selected_path == insight_home.shop
        await until(pilot, lambda: table(app).environment_path == insight_home.shop, "the listing")
        highlighted = table(app).highlighted
        assert highlighted is not None
        assert highlighted.name == "big-data"  # the distribution, under the cursor

        await pilot.press("D")  # again, for one that is not the first row of shop's packages
        screen = app.screen
        assert isinstance(screen, UsageScreen)
        await settle(pilot)
        web_lib = [str(screen.rows_table.get_row_at(i)[0]) for i in range(screen.rows_table.row_count)].index(
            "web-lib"
        )
        await pilot.press(*"j" * web_lib, "enter")
        holders = screen.holders_table
        held = {
            str(holders.get_row_at(i)[0]): str(holders.get_row_at(i)[1]) for i in range(holders.row_count)
        }
        assert held == {"web": "2.1", "shop": "1.5", "old": "1.0"}  # three versions: which is where
        assert list(held) == ["old", "shop", "web"]  # by name, as a person reads it (3.6 before 3.10)
        screen.holders_table.move_cursor(row=screen.holders.index(insight_home.shop))
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: table(app).highlighted is not None, "the listing")
        assert table(app).highlighted.name == "web-lib"  # type: ignore[union-attr]


# ---- keys ---------------------------------------------------------------------------------------------------


async def test_the_new_keys_are_in_help_and_the_palette() -> None:
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, HOME / "code/shop/.venv")
        keys = {k.binding_id: k.keys for k in live_keys(app, main_screen(app))}
        assert keys["venvdeck.find"] == "F"
        assert keys["venvdeck.usage"] == "D"
        assert keys["venvdeck.tab_deps"] == "4"
        assert keys["venvdeck.why"] == "w"
        assert keys["venvdeck.deps_why"] == "w"
        from venvdeck.commands import VenvDeckCommands

        provider = VenvDeckCommands(app.screen, None)
        titles = [
            str(h.match_display) async for h in provider.search("disk by package") if isinstance(h, Hit)
        ]
        assert "Disk by package (D)" in titles
        await pilot.press("ctrl+p", *"find everywhere")
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, FindScreen), "the find screen")


async def test_find_shows_a_broken_environments_match_marked_and_says_how_it_was_read() -> None:
    service = demo_service()
    legacy = HOME / "code/legacy-api/venv"
    service.packages[legacy] = (_pkg("rich", "10.0.0"),)  # read from its folder: its Python is gone
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        screen = app.screen
        assert isinstance(screen, FindScreen)
        await pilot.press(*"rich")
        await until(pilot, lambda: "every working environment read" in screen.status_text, "the read")
        assert str(legacy) in [env for env, *_ in screen.shown_rows]
        assert "(1 broken one read from its folder: ✗)" in screen.status_text
