"""What the dashboard looks like, on the deterministic demo home (fixed names, sizes, versions, clock).

Review changes in snapshot_report.html before `pytest --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.fakes import FROZEN_NOW, HOME, FakeEnvironmentService, demo_service
from tests.ui.helpers import settle, tree
from venvdeck.app import VenvDeckApp

SIZE = (120, 36)
SnapCompare = Callable[..., bool]


def _app(service: FakeEnvironmentService | None = None) -> VenvDeckApp:
    return VenvDeckApp(service or demo_service(), now=lambda: FROZEN_NOW)


def _then(*keys: str, select: str | None = None) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if select is not None:
            tree(pilot.app).select_path(HOME / select)  # type: ignore[arg-type]
            await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def test_main_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_then(select="code/shop/.venv"))


def test_main_screen_at_80_by_24(snap_compare: SnapCompare) -> None:
    """The smallest usual terminal: keys that do not fit end cleanly under the palette key."""
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_then(select="code/shop/.venv"))


def test_details_pane(snap_compare: SnapCompare) -> None:
    assert snap_compare(
        _app(), terminal_size=SIZE, run_before=_then("3", select=".local/share/uv/tools/ruff")
    )


def test_broken_environment_details(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_then("3", select="code/legacy-api/venv"))


def test_requirements_pane_top_level(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_then("f", "t", select="code/shop/.venv"))


def test_filtered_and_sorted_by_size(snap_compare: SnapCompare) -> None:
    assert snap_compare(
        _app(),
        terminal_size=SIZE,
        run_before=_then("1", "slash", "t", "enter", *["s"] * 5, select="code/shop/.venv"),
    )


def test_tree_sorted_by_size(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_then("s"))


def test_help_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_then("question_mark"))


def test_nothing_found(snap_compare: SnapCompare) -> None:
    empty = FakeEnvironmentService(looked_in=[HOME, HOME / ".virtualenvs", HOME / ".local/share/pipx"])
    assert snap_compare(_app(empty), terminal_size=SIZE, run_before=_then())


def test_listing_failed(snap_compare: SnapCompare) -> None:
    service = demo_service()
    service.failing[HOME / "code/blog/.venv"] = (
        "cannot run /home/ada/code/blog/.venv/bin/python: Exec format error"
    )
    assert snap_compare(_app(service), terminal_size=SIZE, run_before=_then(select="code/blog/.venv"))


def _dialog(*keys: str, select: str = "code/shop/.venv") -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Keys that open a dialog: its worker waits for the answer, so wait for the screen, not for workers."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        tree(pilot.app).select_path(HOME / select)  # type: ignore[arg-type]
        await settle(pilot)
        await pilot.press(*keys)
        for _ in range(10):
            await pilot.pause(0.05)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor is caught on or off at random
        await pilot.pause()

    return run_before


def test_install_dialog_checks_as_you_type(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_dialog("i", *"rich==13.9.4 httpx"))


def test_install_dialog_refuses_an_option(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_dialog("i", *"--index-url=https://x"))


def test_uninstall_confirmation_names_packages_and_dependents(snap_compare: SnapCompare) -> None:
    keys = ("1", "down", "down", "down", "down", "down", "down", "down", "down", "space", "u")  # pydantic
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_dialog(*keys))


def test_delete_confirmation(snap_compare: SnapCompare) -> None:
    run_before = _dialog("d", select=".cache/pypoetry/virtualenvs/shop-Xq3b1Kd2-py3.12")
    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


def test_create_dialog(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_dialog("c"))


def test_export_dialog(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_dialog("e"))


def test_activate_dialog(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_dialog("a"))


def test_operation_log_after_an_install(snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _dialog("i", *"rich", "enter")(pilot)
        await pilot.press("y")
        await settle(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)
