"""The dashboard on real environments: what a person sees after each key."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests.support.pythons import make_venv
from tests.ui.conftest import UiHome, real_app
from tests.ui.helpers import (
    details_text,
    freeze_text,
    main_screen,
    select,
    settle,
    summary,
    table,
    table_message,
    tree,
    tree_lines,
)
from venvdeck.screens.help import HelpScreen

SIZE = (120, 40)


async def test_tree_shows_every_environment_grouped_with_broken_marked(ui_home: UiHome) -> None:
    app = real_app(ui_home.root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert {e.path for e in tree(app).environments} == {
            ui_home.shop,
            ui_home.blog,
            ui_home.empty,
            ui_home.broken,
        }
        lines = tree_lines(app)
        projects, wrapper = lines.index("Projects  2"), lines.index("virtualenvwrapper  2")
        # Project .venvs are named after their project folder, with their Python version.
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        shop_line = next(line for line in lines if line.startswith("shop"))
        assert version in shop_line
        assert projects < lines.index(shop_line) < wrapper
        assert any(line.startswith("✗ gone") for line in lines[wrapper:])
        assert "4 environments  ·  1 broken" in summary(app)
        assert "on disk" in summary(app)  # sizes filled in
        assert all(tree(app).size_of(e.path) is not None for e in tree(app).environments)


async def test_selecting_an_environment_fills_the_package_table(ui_home: UiHome) -> None:
    app = real_app(ui_home.root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ui_home.shop)
        assert table(app).environment_path == ui_home.shop
        assert table(app).shown_names == ["demo-app", "demo-dep"]
        rows = {
            str(table(app).table.get_row(name)[0]).strip(): table(app).table.get_row(name)
            for name in ["demo-app", "demo-dep"]
        }
        assert str(rows["demo-app"][2]) == "user"  # asked for by the user
        assert str(rows["demo-dep"][2]) == "dependency"  # pulled in by demo-app
        assert str(rows["demo-app"][5]).endswith("B")  # size from the wheel's RECORD

        await select(pilot, ui_home.blog)
        assert table(app).shown_names == ["foo-bar-baz"]  # no stale rows from shop
        await select(pilot, ui_home.empty)
        assert "has no packages installed" in table_message(app)


async def test_slash_filters_as_you_type_and_escape_clears(ui_home: UiHome) -> None:
    app = real_app(ui_home.root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ui_home.shop)
        await pilot.press("1", "slash", "a", "p", "p")  # / filters what has the focus: here, the packages
        assert table(app).shown_names == ["demo-app"]
        await pilot.press("z", "z")
        assert "No package matches" in table_message(app)
        await pilot.press("escape")
        assert table(app).shown_names == ["demo-app", "demo-dep"]


async def test_scrolling_quickly_through_the_tree_leaves_the_right_table(ui_home: UiHome) -> None:
    app = real_app(ui_home.root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree(app).focus()
        tree(app).move_cursor_to_line(0)
        await pilot.press(*["down"] * 7, *["up"] * 3)  # no waiting between keys
        await settle(pilot)
        selected = main_screen(app).selected_environment
        assert selected is not None
        assert table(app).environment_path == selected.path
        expected = {ui_home.shop: ["demo-app", "demo-dep"], ui_home.blog: ["foo-bar-baz"]}.get(
            selected.path, []
        )
        assert table(app).shown_names == expected


async def test_broken_environment_says_why(ui_home: UiHome) -> None:
    app = real_app(ui_home.root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ui_home.broken)
        assert "gone is broken" in table_message(app)
        for width in (100, 80):  # a resize lays the columns out again: the message stays
            await pilot.resize_terminal(width, SIZE[1])
            await pilot.pause(0.2)
            assert "gone is broken" in table_message(app)
        await pilot.resize_terminal(*SIZE)
        await pilot.press("3")
        text = details_text(app)
        assert "Broken" in text
        assert "no-such-python" in text or "interpreter" in text
        assert str(ui_home.broken) in text


async def test_requirements_pane_shows_freeze_and_top_level(ui_home: UiHome) -> None:
    app = real_app(ui_home.root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ui_home.shop)
        await pilot.press("f")
        await settle(pilot)
        assert freeze_text(app).splitlines() == ["demo-app==0.1", "demo-dep==1.1"]
        await pilot.press("t")
        await settle(pilot)
        assert freeze_text(app).splitlines() == ["demo-app==0.1"]
        await select(pilot, ui_home.blog)  # the pane follows the selection, in the same mode
        assert freeze_text(app).splitlines() == ["Foo.Bar_baz==2.0"]


async def test_details_pane_shows_path_interpreter_size_and_pyvenv_cfg(ui_home: UiHome) -> None:
    app = real_app(ui_home.root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ui_home.shop)
        await pilot.press("3")
        text = details_text(app)
        for expected in (
            str(ui_home.shop),
            str(ui_home.shop / "bin" / "python"),
            str(ui_home.shop.parent),  # the project folder
            "pyvenv.cfg",
            "include-system-site-packages",
            "freed by deleting it",
            "Last used",
        ):
            assert expected in text, expected


async def test_help_opens_and_closes(ui_home: UiHome) -> None:
    app = real_app(ui_home.root)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await settle(pilot)


async def test_refresh_finds_a_new_environment_and_drops_a_deleted_one(tmp_path: Path) -> None:
    make_venv(Path(sys.executable), tmp_path / "first" / ".venv")
    app = real_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [e.name for e in tree(app).environments] == ["first"]
        make_venv(Path(sys.executable), tmp_path / "second" / ".venv")
        await pilot.press("r")
        await settle(pilot)
        assert sorted(e.name for e in tree(app).environments) == ["first", "second"]
        shutil.rmtree(tmp_path / "first" / ".venv")
        await pilot.press("r")
        await settle(pilot)
        assert [e.name for e in tree(app).environments] == ["second"]
        assert main_screen(app).selected_environment is not None
        assert main_screen(app).selected_environment.name == "second"  # type: ignore[union-attr]


async def test_nothing_found_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / "just-code").mkdir()
    app = real_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        message = table_message(app)
        assert "No Python environments found" in message
        assert str(tmp_path) in message
        assert "0 environments" in summary(app)


async def test_a_broken_environment_shows_what_its_folder_holds_read_only(tmp_path: Path) -> None:
    """Its Python is gone, but before rebuilding or deleting it a person wants to know what is in
    it: the packages are read from its folder, under a line that says it is broken; the keys that
    would change or inspect them through its Python are dimmed."""
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    site = next((env / "lib").glob("python*/site-packages"))
    for name, version in (("alpha", "1.0"), ("beta", "2.5")):
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (info / "RECORD").write_text(f"{info.name}/METADATA,,\n")
    for python in env.glob("bin/python*"):
        python.unlink()
    (env / "bin" / "python").symlink_to(tmp_path / "gone" / "python3")
    app = real_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await select(pilot, env)
        await settle(pilot)
        packages = table(app)
        assert packages.shown_names == ["alpha", "beta"]
        note = str(packages.query_one("#package-note").render())
        assert "is broken" in note
        assert "R rebuilds it" in note
        assert packages.check_action("uninstall", ()) is None
        assert packages.check_action("details", ()) is None
        await pilot.press("u")
        await pilot.pause(0.2)
        assert main_screen(app) is app.screen  # nothing was asked: the key does nothing here
        await pilot.press("2")  # its requirements, from its folder: what to save before deleting it
        await settle(pilot)
        assert freeze_text(app).splitlines() == ["alpha==1.0", "beta==2.5"]
        assert main_screen(app).check_action("export", ()) is True
