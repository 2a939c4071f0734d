"""The actions from the keyboard, on real environments: dialogs, confirmations, the log, and the disk after."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static

from tests.fakes import FROZEN_NOW, HOME, FakeEnvironmentService, demo_service
from tests.ui.conftest import real_app
from tests.ui.helpers import freeze_text, main_screen, rendered, select, settle, table, tree, until
from venvdeck.app import VenvDeckApp
from venvdeck.dialogs.activate import ActivateScreen
from venvdeck.dialogs.confirm import ConfirmScreen
from venvdeck.dialogs.create import CreateScreen
from venvdeck.dialogs.export import ExportScreen
from venvdeck.dialogs.install import InstallScreen
from venvdeck.widgets.operation_log import OperationLog

SIZE = (120, 40)


async def _type(pilot: Pilot[None], selector: str, text: str) -> None:
    """Replace an input's text as a person enters a path: clear it from the keyboard, then paste
    (a hundred key presses of a temporary path took five seconds each time)."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    await pilot.press("ctrl+a", "ctrl+k")
    field.post_message(events.Paste(text))
    await pilot.pause()
    assert field.value == text


def _log(app: VenvDeckApp) -> str:
    """The log's text with all white space removed: it wraps long command lines anywhere."""
    text = "".join(line.text for line in main_screen(app).query_one(OperationLog).output.lines)
    return "".join(text.split())


def _squashed(text: str) -> str:
    return "".join(text.split())


def _site(env: Path) -> set[str]:
    return {p.name.split("-")[0] for p in env.glob("lib/python*/site-packages/*.dist-info")}


async def _create(
    pilot: Pilot[None], path: Path, requirements: Path | None = None, *, with_pip: bool = True
) -> None:
    await pilot.press("c")
    await until(pilot, lambda: isinstance(pilot.app.screen, CreateScreen), "the create dialog")
    await _type(pilot, "#create-path", str(path))
    if not with_pip:
        pilot.app.screen.query_one("#create-pip", Checkbox).value = False
    if requirements is not None:
        await _type(pilot, "#create-requirements", str(requirements))
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), "the confirmation")
    await pilot.press("y")
    await until(pilot, lambda: main_screen(pilot.app).selected_path == path, "the new environment selected")  # type: ignore[arg-type]
    await settle(pilot)


@pytest.mark.slow
@pytest.mark.usefixtures("local_index")
async def test_the_whole_round_from_the_keyboard(tmp_path: Path) -> None:
    """Create, install rich, see it, export, recreate from the file, uninstall, delete both."""
    home = tmp_path / "home"
    (home / "shop").mkdir(parents=True)
    (home / "shop" / "notes.md").write_text("keep")
    app = real_app(home, home=home)
    first, second = home / "shop" / ".venv", home / "copy" / ".venv"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")  # a file where the environment would go: refused, and asked again
        await until(pilot, lambda: isinstance(pilot.app.screen, CreateScreen), "the create dialog")
        await _type(pilot, "#create-path", str(home / "shop" / "notes.md"))
        await pilot.press("enter")
        await until(pilot, lambda: any(n.title == "Not created" for n in app._notifications), "the refusal")
        await until(pilot, lambda: isinstance(pilot.app.screen, CreateScreen), "the dialog again")
        assert pilot.app.screen.query_one("#create-path", Input).value == str(home / "shop" / "notes.md")
        await pilot.press("escape")
        assert (home / "shop" / "notes.md").read_text() == "keep"
        await _create(pilot, first)
        assert (first / "pyvenv.cfg").is_file()

        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InstallScreen), "the install dialog")
        await pilot.press(*"rich", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("y")
        await until(pilot, lambda: "rich" in table(app).shown_names, "rich in the table")
        assert _squashed(f"$ {first}/bin/python -m pip install --no-user -- rich") in _log(app)
        await pilot.press("f")
        await settle(pilot)
        assert "rich==13.3.1" in freeze_text(app).splitlines()

        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        await pilot.press("enter")  # the default: the project's requirements.txt
        await until(pilot, lambda: (home / "shop" / "requirements.txt").exists(), "requirements.txt")
        requirements = home / "shop" / "requirements.txt"
        assert "rich==13.3.1" in requirements.read_text().splitlines()
        written = requirements.read_text()
        requirements.write_text(written + "handwritten>=2\n")  # edited by hand since
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the overwrite question")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Replacing it:" in rendered(app.screen.body)
        assert "- handwritten>=2" in rendered(app.screen.body)  # what would be lost, shown first
        await pilot.press("y")
        await until(pilot, lambda: requirements.read_text() == written, "the file replaced")
        assert "Replaced" in _log(app)
        assert "Replaced" in main_screen(app).query_one(OperationLog).last_status  # not the last install

        await _create(pilot, second, requirements, with_pip=False)  # then uv installs the file
        await until(pilot, lambda: "rich" in _site(second), "rich installed from the file")
        assert "pip" not in _site(second)
        await settle(pilot)
        assert "rich" in table(app).shown_names

        await select(pilot, first)
        await pilot.press("1")
        table(app).table.move_cursor(row=table(app).shown_names.index("rich"))
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the uninstall confirmation")
        await pilot.press("y")
        await until(pilot, lambda: "rich" not in _site(first), "rich uninstalled")
        await settle(pilot)
        assert "rich" not in table(app).shown_names

        for env in (first, second):
            await select(pilot, env)
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the delete confirmation")
            await pilot.press("enter")  # the focus starts on Cancel: enter keeps it
            await settle(pilot)
            assert env.exists()
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the delete confirmation")
            await pilot.press("y")
            await until(pilot, lambda: not env.exists(), f"{env} deleted")  # noqa: B023 (awaited here)
            await settle(pilot)
            assert env not in {e.path for e in tree(app).environments}
    assert sorted(p.name for p in (home / "shop").iterdir()) == ["notes.md", "requirements.txt"]
    assert (home / "shop" / "notes.md").read_text() == "keep"
    assert sorted(p.name for p in (home / "copy").iterdir()) == []


async def test_the_install_dialog_refuses_what_is_not_a_requirement(bare_env: Path) -> None:
    app = real_app(bare_env.parent.parent)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, bare_env)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InstallScreen), "the install dialog")
        await pilot.press(*"--index-url=https://evil.example", "enter")
        assert isinstance(app.screen, InstallScreen)  # still asking: nothing was planned
        check = str(app.screen.query_one("#install-check", Static).content)
        assert "is an option, not a requirement" in check
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, InstallScreen)
    assert _site(bare_env) == set()


async def test_a_slow_plan_says_it_is_being_worked_out_and_a_fast_one_does_not() -> None:
    """Between Enter in the install dialog and the confirmation, planning may take seconds: the
    screen looked as if Enter had been ignored."""
    service = demo_service()
    shop = HOME / "code/shop/.venv"
    gate = service.plan_gates[shop] = asyncio.Event()
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, shop)
        await pilot.press("i", *"rich", "enter")
        await pilot.pause(0.6)
        assert not isinstance(app.screen, ConfirmScreen)
        said = [n.message for n in app._notifications]
        assert "Working out what this will do in shop…" in said
        await pilot.press("i", *"rich", "enter")  # again, impatient: not a second plan, nor dialog
        await pilot.pause(0.3)
        assert "Still working out the last change to shop…" in [n.message for n in app._notifications]
        gate.set()
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("n")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen)
        app.clear_notifications()
        del service.plan_gates[shop]
        await pilot.press("i", *"rich", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.pause(0.6)
        assert [n.message for n in app._notifications] == []
        await pilot.press("n")


async def test_a_failure_points_to_the_log_by_its_key_only_while_the_log_is_hidden() -> None:
    """It said "the log keeps its output: l" (the key is L), also while the log was showing; and a
    success toasted over the log the line the log ends with."""
    service = demo_service()
    shop = HOME / "code/shop/.venv"
    service.run_fails.add(shop)
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, shop)
        log = main_screen(app).query_one(OperationLog)
        for hide_while_running in (False, True):
            gate = service.run_gates[shop] = asyncio.Event()
            await pilot.press("i", *"rich", "enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
            await pilot.press("y")
            await until(pilot, lambda: shop in service.busy, "the operation running")
            assert log.has_class("-shown")  # a change opens the log
            if hide_while_running:
                await pilot.press("L")
            gate.set()
            await settle(pilot)
            (said,) = [n.message for n in app._notifications if "failed" in n.message]
            assert said.endswith(" (the log keeps its output: L)") == hide_while_running, said
            app.clear_notifications()
        service.run_fails.clear()
        for hide_while_running in (False, True):  # a success: its toast only where the log is hidden
            gate = service.run_gates[shop] = asyncio.Event()
            await pilot.press("i", *"rich", "enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
            await pilot.press("y")
            await until(pilot, lambda: shop in service.busy, "the operation running")
            if hide_while_running:
                await pilot.press("L")
            gate.set()
            await settle(pilot)
            done = [n.message for n in app._notifications if "done" in n.message]
            assert len(done) == hide_while_running, done
            assert "done in" in log.last_status
            assert log.has_class("-shown") != hide_while_running
            app.clear_notifications()


async def _install_held(
    pilot: Pilot[None], app: VenvDeckApp, service: FakeEnvironmentService, env: Path
) -> None:
    """`i rich`, confirmed: running until its run gate is set."""
    await pilot.press("i", *"rich", "enter")
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
    await pilot.press("y")
    await until(pilot, lambda: env in service.busy, "the operation running")


async def test_escape_cancels_a_running_operation_and_the_table_is_read_again(bare_env: Path) -> None:
    service = demo_service()
    shop = HOME / "code/shop/.venv"
    service.run_gates[shop] = asyncio.Event()  # the install hangs until cancelled
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, shop)
        await _install_held(pilot, app, service, shop)
        assert main_screen(app).check_action("install", ()) is None  # one operation per environment
        listings = service.calls.count(("list_packages", shop))
        await pilot.press("escape")
        await settle(pilot)
        assert shop not in service.busy
        assert service.ran == []  # it never finished
        assert _squashed("Cancelled: Install rich into shop") in _log(app)
        assert service.calls.count(("list_packages", shop)) > listings  # re-listed after the cancel
        assert main_screen(app).check_action("install", ()) is True


async def test_escape_cancels_the_only_running_operation_from_another_environment_too() -> None:
    """The log's line offers escape for the running install; with the cursor moved to another
    environment, escape did nothing."""
    service = demo_service()
    shop, blog = HOME / "code/shop/.venv", HOME / "code/blog/.venv"
    service.run_gates[shop] = asyncio.Event()
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, shop)
        await _install_held(pilot, app, service, shop)
        tree(app).select_path(blog)
        await until(pilot, lambda: main_screen(app).selected_path == blog, "blog selected")
        await pilot.press("space")  # marked: escape clears that first, and stops nothing
        await pilot.pause(0.2)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert not main_screen(app).marked
        assert shop in service.busy
        await pilot.press("escape")
        await until(pilot, lambda: shop not in service.busy, "the install cancelled")
        assert service.ran == []
        assert _squashed("Cancelled: Install rich into shop") in _log(app)


async def test_export_puts_a_relative_name_beside_the_suggestion_and_asks_again_after_a_refusal(
    tmp_path: Path,
) -> None:
    """A relative name went to the folder venvdeck was started in; a refused path closed the
    dialog, and what was typed was lost."""
    service = demo_service()
    shop = HOME / "code/shop/.venv"
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, shop)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        await pilot.press("ctrl+a", "ctrl+k", *"reqs-out.txt", "enter")
        await until(pilot, lambda: ("export", HOME / "code/shop/reqs-out.txt") in service.calls, "the export")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        app.screen.query_one("#export-path", Input).value = str(tmp_path)  # typed, but faster
        await pilot.press("enter")
        await until(pilot, lambda: ("export", tmp_path) in service.calls, "the refused export")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the dialog again")
        assert app.screen.query_one("#export-path", Input).value == str(tmp_path)
        assert any("is a folder" in n.message for n in app._notifications)


async def test_a_second_operation_on_a_busy_environment_is_refused_but_another_runs() -> None:
    service = demo_service()
    shop, blog = HOME / "code/shop/.venv", HOME / "code/blog/.venv"
    service.run_gates[shop] = asyncio.Event()
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, shop)
        await _install_held(pilot, app, service, shop)
        await pilot.press("i")  # disabled while shop is busy
        await pilot.pause()
        assert not isinstance(app.screen, InstallScreen)
        tree(app).select_path(blog)  # (settle() would wait for shop's operation: it runs on)
        await until(pilot, lambda: table(app).environment_path == blog, "blog's table")
        await pilot.press("i", *"markdown", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        await pilot.press("y")
        await until(pilot, lambda: any(op.environment == blog for op in service.ran), "blog's install")
        service.run_gates[shop].set()
        await settle(pilot)
        assert {op.environment for op in service.ran} == {shop, blog}


async def test_uninstall_names_the_packages_and_warns_about_dependents() -> None:
    service = demo_service()
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, HOME / "code/shop/.venv")
        await pilot.press("1")
        names = table(app).shown_names
        table(app).table.move_cursor(row=names.index("pydantic"))
        await pilot.press("space")  # mark pydantic; the cursor moves on
        table(app).table.move_cursor(row=names.index("starlette"))
        await pilot.press("space", "u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        screen = app.screen
        assert isinstance(screen, ConfirmScreen)
        assert screen.title_text == "Uninstall pydantic, starlette from shop"
        body = rendered(screen.body)
        assert "pydantic is required by fastapi" in body
        assert "-m pip uninstall --yes -- pydantic starlette" in body
        await pilot.press("n")
        await settle(pilot)
        assert service.ran == []


async def test_a_shell_opens_through_the_service_and_the_table_is_read_again() -> None:
    service = demo_service()
    shop = HOME / "code/shop/.venv"
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        app.suspend = contextlib.nullcontext  # type: ignore[method-assign,assignment]  # as on a real terminal
        await settle(pilot)
        await select(pilot, shop)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ActivateScreen), "the activate dialog")
        assert isinstance(app.screen, ActivateScreen)
        assert app.screen.commands[0].command == f"source {shop}/bin/activate"
        listings = service.calls.count(("list_packages", shop))
        await pilot.press("o")
        await settle(pilot)
        assert ("shell", shop) in service.calls
        assert service.calls.count(("list_packages", shop)) > listings  # what the shell changed shows


async def test_without_a_terminal_to_hand_over_the_user_is_told() -> None:
    service = demo_service()
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await select(pilot, HOME / "code/shop/.venv")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ActivateScreen), "the activate dialog")
        await pilot.press("o")
        await settle(pilot)
        assert not any(call[0] == "shell" for call in service.calls)
        assert any("cannot hand over to a shell" in n.message for n in app._notifications)


async def test_the_palette_reaches_the_actions_too() -> None:
    service = demo_service()
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, HOME / "code/shop/.venv")
        await pilot.press("ctrl+p", *"export requirements")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        await pilot.press("enter")
        await until(
            pilot, lambda: ("export", HOME / "code/shop/requirements.txt") in service.calls, "the export"
        )


async def test_an_externally_managed_python_is_changed_only_after_an_explicit_override() -> None:
    service = demo_service()
    base = HOME / ".pyenv/versions/3.12.7"
    service.externally_managed.add(base)
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, base)
        for answer in ("n", "y"):
            await pilot.press("i", *"rich", "enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the PEP 668 question")
            assert isinstance(app.screen, ConfirmScreen)
            assert app.screen.title_text == "Externally managed Python"
            await pilot.press(answer)
            if answer == "n":
                await settle(pilot)
                assert service.ran == []
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the command confirmation")
        await pilot.press("y")
        await settle(pilot)
        assert [op.environment for op in service.ran] == [base]


@pytest.mark.usefixtures("local_index")
async def test_installing_a_requirements_file_refuses_a_bad_line_and_installs_a_good_file(
    bare_env: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("demo-dep\ndemo-app>>1\n")
    good = tmp_path / "good.txt"
    good.write_text("--no-index\nFoo.Bar_baz==2.0\n")
    app = real_app(bare_env.parent.parent)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await select(pilot, bare_env)
        await pilot.press("I")
        await until(pilot, lambda: type(app.screen).__name__ == "InstallFileScreen", "the file dialog")
        await _type(pilot, "#install-file", str(bad))
        await pilot.press("enter")
        await until(
            pilot, lambda: any("bad.txt, line 2" in n.message for n in app._notifications), "the refusal"
        )
        assert _site(bare_env) == set()
        # asked again, with the path typed (it closed, and the path was to type again)
        await until(pilot, lambda: type(app.screen).__name__ == "InstallFileScreen", "the dialog again")
        assert app.screen.query_one("#install-file", Input).value == str(bad)
        await _type(pilot, "#install-file", str(good))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert isinstance(app.screen, ConfirmScreen)
        body = rendered(app.screen.body)
        assert "good.txt:1: --no-index" in body  # option lines are shown first
        assert "It installs what the file asks for:\n  Foo.Bar_baz==2.0" in body  # and what it asks for
        await pilot.press("y")
        await until(pilot, lambda: "Foo.Bar_baz" in _site(bare_env), "the install (through uv: no pip here)")


async def test_upgrade_and_bootstrap_keys_plan_the_right_commands() -> None:
    service = demo_service()
    shop = HOME / "code/shop/.venv"
    app = VenvDeckApp(service, now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, shop)
        await pilot.press("1")
        table(app).table.move_cursor(row=table(app).shown_names.index("rich"))
        await pilot.press("U")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the upgrade confirmation")
        assert isinstance(app.screen, ConfirmScreen)
        body = rendered(app.screen.body)
        assert "It changes:\n  rich 13.9.4 → 13.9.4.post1" in body  # which versions, before it runs
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the ensurepip confirmation")
        await pilot.press("y")
        await settle(pilot)
        assert [op.argv[-1] for op in service.ran] == ["rich", "pip"]
        assert [op.kind for op in service.ran] == ["upgrade", "ensurepip"]
