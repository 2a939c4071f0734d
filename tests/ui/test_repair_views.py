"""Interpreters and repair from the dashboard (#13): rebuild from the keyboard (R), the interpreters view
(P) with the lost ones first, repair all broken, and the Jupyter kernels in the details and in delete.

Rebuilds, cancels, the interpreters view and deleting with kernels run on real environments made from
a Python that is then removed (tests/support/bases.py); the fake serves what a real machine cannot
hold still (an interpreter of another minor version, a rebuild that fails, a conda environment).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.fakes import FROZEN_NOW, HOME, PY, FakeEnvironmentService, _pkg, _size, _venv, demo_service
from tests.support.bases import removable_base, tree_snapshot
from tests.support.pythons import install, make_venv
from tests.ui.conftest import real_app
from tests.ui.helpers import (
    details_text,
    main_screen,
    rendered,
    select,
    settle,
    table,
    tree,
    tree_lines,
    until,
)
from venvdeck.app import VenvDeckApp
from venvdeck.dialogs.confirm import ConfirmScreen
from venvdeck.dialogs.kernels import DeleteWithKernelsScreen
from venvdeck.dialogs.recreate import ChooseInterpreterScreen, RecreateConfirmScreen
from venvdeck.keys import live_keys
from venvdeck.models import DirectUrl, Environment, Kind
from venvdeck.screens.help import HelpScreen
from venvdeck.screens.interpreters import InterpretersScreen
from venvdeck.screens.main import MainScreen
from venvdeck.widgets.operation_log import OperationLog
from venvdeck.widgets.repair_details import RepairDetails

SIZE = (120, 40)
VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
LEGACY = HOME / "code/legacy-api/venv"
SHOP = HOME / "code/shop/.venv"


# ---- helpers ---------------------------------------------------------------------------------------


def _log(app: VenvDeckApp) -> str:
    """The log's text with all white space removed: it wraps long lines anywhere."""
    return "".join(main_screen(app).query_one(OperationLog).text.split())


def _squashed(text: str) -> str:
    return "".join(text.split())


def _repair_section(app: VenvDeckApp) -> str:
    return rendered(main_screen(app).query_one(RepairDetails).renderable_shown)


def _dialog_text(app: VenvDeckApp) -> str:
    screen = app.screen
    assert isinstance(screen, ConfirmScreen), screen
    return rendered(screen.body, width=300)


def _env(app: VenvDeckApp, path: Path) -> Environment:
    env = tree(app).environment(path)
    assert env is not None, f"{path} is not in the tree"
    return env


def _fake_app(service: FakeEnvironmentService) -> VenvDeckApp:
    return VenvDeckApp(service, now=lambda: FROZEN_NOW)


def _lost_env(root: Path, tmp_path: Path, wheelhouse: Path) -> Path:
    """A venv holding demo-app (asked for) and demo-dep, whose Python was then removed."""
    python = removable_base(tmp_path / "gone-python")
    env = make_venv(python, root / "proj" / ".venv")
    install(env, wheelhouse, "demo-app")
    shutil.rmtree(tmp_path / "gone-python")
    return env


def _site(env: Path) -> set[str]:
    return {p.name.split("-")[0] for p in env.glob("lib/python*/site-packages/*.dist-info")}


def _kernel(data_dir: Path, name: str, python: Path) -> Path:
    spec = data_dir / "kernels" / name
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": f"Python ({name})", "language": "python"})
    )
    (spec / "logo-64x64.png").write_bytes(b"\x89PNG")
    return spec


@pytest.fixture
def jupyter_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Jupyter data dir of the test's own (and no JUPYTER_PATH): the kernels the dashboard sees."""
    data = tmp_path / "jupyter"
    data.mkdir()
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(data))
    monkeypatch.setenv("JUPYTER_PATH", "")
    return data


@contextlib.contextmanager
def _index_that_never_answers() -> Iterator[tuple[str, threading.Event]]:
    """A package index on localhost that accepts connections and never replies: an install hangs
    there (no network involved) until it is cancelled."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    asked, stop = threading.Event(), threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)
            asked.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/simple", asked
    finally:
        stop.set()
        thread.join()
        server.close()
        for connection in held:
            connection.close()


# ---- R: rebuild in place -----------------------------------------------------------------------------


@pytest.mark.usefixtures("local_index")
async def test_r_rebuilds_a_broken_environment_at_its_path_from_the_keyboard(
    tmp_path: Path, wheelhouse: Path
) -> None:
    root, home = tmp_path / "root", tmp_path / "home"
    home.mkdir()
    env = _lost_env(root, tmp_path, wheelhouse)
    app = real_app(root, home=home)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await select(pilot, env)
        assert _env(app, env).is_broken
        assert any(line.startswith("✗") for line in tree_lines(app))
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, RecreateConfirmScreen), "the plan")
        plan = _dialog_text(app)
        assert str(env) in plan
        assert re.search(rf"Python\s+{re.escape(VERSION)}\.\d+", plan)
        assert "demo-app==0.1" in plan  # asked for; its dependency comes with it
        assert "demo-dep" not in plan
        assert "It will run:" in plan
        await pilot.press("y")
        await until(pilot, lambda: not _env(app, env).is_broken, "the environment rebuilt")
        await settle(pilot)
        assert not any(line.startswith("✗") for line in tree_lines(app))
        assert f"Rebuilt{env}withPython{VERSION}" in _log(app)
        assert "demo-app" in table(app).shown_names
    assert _site(env) == {"demo_app", "demo_dep"}
    ran = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import sys, demo_app; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.strip() == str(env)
    assert sorted(p.name for p in env.parent.iterdir()) == [".venv"]  # nothing left aside


async def test_escape_cancels_a_rebuild_and_the_old_environment_is_back(
    tmp_path: Path, wheelhouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, home = tmp_path / "root", tmp_path / "home"
    home.mkdir()
    env = _lost_env(root, tmp_path, wheelhouse)
    before = tree_snapshot(env)
    with _index_that_never_answers() as (url, asked):
        for name in ("UV_OFFLINE", "PIP_NO_INDEX"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("UV_DEFAULT_INDEX", url)
        monkeypatch.setenv("PIP_INDEX_URL", url)
        app = real_app(root, home=home)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await select(pilot, env)
            await pilot.press("R")
            await until(pilot, lambda: isinstance(app.screen, RecreateConfirmScreen), "the plan")
            await pilot.press("y")
            await until(pilot, asked.is_set, "the install asking the index")
            assert main_screen(app).changes.running_for(env) is not None
            assert main_screen(app).check_action("recreate", ()) is None  # one change at a time
            await pilot.press("escape")
            await until(pilot, lambda: not main_screen(app).changes.running, "the rebuild stopped")
            await settle(pilot)
            log = _log(app)
            assert f"Cancelled:Rebuild{_env(app, env).name}" in log
            assert _squashed(f"rebuilding {env} was cancelled; the old environment is back as it was") in log
            assert _env(app, env).is_broken  # what it was
            assert main_screen(app).check_action("recreate", ()) is True
    assert tree_snapshot(env) == before
    assert sorted(p.name for p in env.parent.iterdir()) == [".venv"]


async def test_without_its_minor_version_r_asks_for_an_interpreter_and_shows_the_whole_plan() -> None:
    service = demo_service()
    service.packages[LEGACY] = (
        _pkg("flask", "2.0.1", requested=True),
        _pkg("werkzeug", "2.0.3"),
        _pkg(
            "legacy-api",
            "0.9",
            requested=True,
            editable_project_location=HOME / "code/legacy-api",
            direct_url=DirectUrl(url="file:///home/ada/code/legacy-api", editable=True, is_dir=True),
        ),
    )
    app = _fake_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, LEGACY)
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ChooseInterpreterScreen), "the question")
        assert "no Python 3.8 is installed" in app.screen.reason  # type: ignore[attr-defined]
        assert [b.python_version for b in app.screen.bases] == ["3.12.7"]  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecreateConfirmScreen), "the plan")
        plan = _dialog_text(app)
        assert "3.12.7" in plan
        assert "(it was 3.8.20)" in plan
        assert "flask==2.0.1" in plan
        assert "werkzeug" not in plan  # a dependency: it comes back with flask
        assert "Cannot carry over (1):" in plan
        assert "legacy-api: an editable install whose source folder" in plan
        assert f"-m venv -- {LEGACY}" in plan
        await pilot.press("y")
        await settle(pilot)
        rebuilt = _env(app, LEGACY)
        assert not rebuilt.is_broken
        assert rebuilt.python_version == "3.12.7"
        assert "Broken" not in details_text(app)
    assert ("recreate", LEGACY) in service.calls


async def test_escape_at_the_question_or_the_plan_changes_nothing() -> None:
    service = demo_service()
    app = _fake_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, LEGACY)
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ChooseInterpreterScreen), "the question")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "back")
        await select(pilot, SHOP)
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, RecreateConfirmScreen), "the plan")
        assert app.screen.danger  # type: ignore[attr-defined]  # it works now: the focus is on Cancel
        await pilot.press("escape")
        await settle(pilot)
    assert not any(call[0] == "recreate" for call in service.calls)


async def test_a_conda_environment_is_refused_with_the_conda_command_in_one_line() -> None:
    service = demo_service()
    data = HOME / "miniforge3/envs/data"
    app = _fake_app(service)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await select(pilot, data)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # no plan to confirm
        (message,) = [n.message for n in app._notifications if "conda" in n.message]
        assert f"conda install --prefix {data} --force-reinstall --yes python=3.11" in message
        assert "\n" not in message
    assert not any(call[0] == "recreate" for call in service.calls)


async def test_a_base_interpreter_cannot_be_rebuilt() -> None:
    app = _fake_app(demo_service())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, PY / "3.12.7")
        assert main_screen(app).check_action("recreate", ()) is None
        await select(pilot, SHOP)
        assert main_screen(app).check_action("recreate", ()) is True


# ---- P: the interpreters view ------------------------------------------------------------------------


async def test_the_interpreters_view_lists_the_lost_first_and_enter_jumps_to_the_environment(
    tmp_path: Path, wheelhouse: Path
) -> None:
    root, home = tmp_path / "root", tmp_path / "home"
    home.mkdir()
    well = make_venv(Path(sys.executable), root / "well" / ".venv")
    lost = _lost_env(root, tmp_path, wheelhouse)
    app = real_app(root, home=home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, well)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, InterpretersScreen), "the view")
        view = app.screen
        assert isinstance(view, InterpretersScreen)
        await until(pilot, lambda: view.interpreters is not None, "the interpreters")
        groups = view.interpreter_tree.root.children
        first = str(groups[0].label)
        assert first.startswith(f"✗ 1 environment lost Python {VERSION}")
        assert str(tmp_path / "gone-python") in first
        assert [str(n.label).split()[1] for n in groups[0].children] == ["proj"]
        found = [g for g in groups[1:] if any(str(well) in str(n.label) for n in g.children)]
        assert found
        assert not str(found[0].label).startswith("✗")
        assert "1 lost (1 broken environment)" in str(view.query_one("#interpreters-summary", Static).content)
        await pilot.press("down", "enter")  # the lost environment, under its lost interpreter
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "back to the tree")
        await pilot.pause()
        assert main_screen(app).selected_path == lost
        cursor = tree(app).cursor_node
        assert cursor is not None
        assert "proj" in str(cursor.label)


async def test_repair_all_broken_plans_each_asks_once_runs_one_at_a_time_and_sums_up() -> None:
    service = demo_service()
    fixable = _venv(
        HOME / "code/api/.venv", "3.12.7", project=HOME / "code/api", broken="interpreter missing"
    )
    failing = _venv(
        HOME / "code/web/.venv", "3.12.7", project=HOME / "code/web", broken="interpreter missing"
    )
    service.environments += [fixable, failing]
    service.sizes |= {e.path: _size(e.path, 10.0) for e in (fixable, failing)}
    service.packages[fixable.path] = (_pkg("httpx", "0.27.2", requested=True),)
    service.recreate_fails[failing.path] = "no matching distribution for ghost-pkg==1.0"
    app = _fake_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, InterpretersScreen), "the view")
        view = app.screen
        assert isinstance(view, InterpretersScreen)
        await until(pilot, lambda: view.interpreters is not None, "the interpreters")
        labels = [str(n.label) for n in view.interpreter_tree.root.children]
        assert sorted(labels[:2]) == [
            f"✗ 1 environment and 1 kernel lost Python 3.8.20 ({PY / '3.8.20'})",
            f"✗ 2 environments lost Python 3.12.7 ({PY / '3.12.7'})",
        ]
        assert not any(label.startswith("✗") for label in labels[2:])
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, RecreateConfirmScreen), "one question for all")
        question = _dialog_text(app)
        assert app.screen.title_text == "Rebuild 2 of the 3 broken environments?"  # type: ignore[attr-defined]
        assert str(fixable.path) in question
        assert str(failing.path) in question
        assert "Not rebuilt (1):" in question
        assert f"{LEGACY}: no Python 3.8 is installed" in question
        await pilot.press("y")
        await settle(pilot)
        log = _log(app)
        assert _squashed(f"[1/2] rebuilding {fixable.path}") in log
        assert _squashed(f"[2/2] rebuilding {failing.path}") in log
        assert "Rebuilt1,failed1,skipped1" in log
        assert _squashed(f"failed {failing.path}: Rebuilding {failing.path} failed: no matching") in log
        assert _squashed(f"skipped {LEGACY}: no Python 3.8") in log
        assert not _env(app, fixable.path).is_broken
        assert _env(app, failing.path).is_broken
        assert _env(app, LEGACY).is_broken
    recreated = [path for kind, path in service.calls if kind == "recreate"]
    assert recreated == [fixable.path, failing.path]


async def test_escape_closes_the_interpreters_view_and_its_keys_are_in_help_and_the_palette() -> None:
    app = _fake_app(demo_service())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = {k.binding_id for k in live_keys(app, main_screen(app))}
        assert {"venvdeck.recreate", "venvdeck.interpreters"} <= ids
        from venvdeck.commands import VenvDeckCommands

        provider = VenvDeckCommands(main_screen(app))
        titles = [str(hit.text) async for hit in provider.search("interpreters")]
        assert any(t.startswith("Interpreters (P)") for t in titles)
        titles = [str(hit.text) async for hit in provider.search("rebuild")]
        assert any(t.startswith("Rebuild (R)") for t in titles)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, InterpretersScreen), "the view")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        shown_ids = {k.binding_id for k in app.screen.keys}  # type: ignore[attr-defined]
        assert "venvdeck.repair_broken" in shown_ids
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, InterpretersScreen), "the view again")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "closed")


# ---- kernels: in the details, and deleted with their environment ---------------------------------------


async def test_the_details_list_an_environments_kernels_and_a_base_interpreters_dependents() -> None:
    service = demo_service()
    app = _fake_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        assert "Jupyter kernels" not in _repair_section(app)  # read only while the details show
        await pilot.press("3")
        await settle(pilot)
        section = _repair_section(app)
        assert "Jupyter kernels (1)" in section
        assert re.search(r"shop\s+Python 3\.12\.7 \(shop\)\s+ok\s", section)
        await select(pilot, LEGACY)
        section = _repair_section(app)
        assert "R rebuilds it at the same path" in section
        assert re.search(r"legacy-api\s+Python 3\.8\.20 \(legacy-api\)\s+broken\s", section)
        await select(pilot, PY / "3.12.7")
        section = _repair_section(app)
        assert "Depends on it (4 environments)" in section
        assert str(SHOP) in section
        assert "No kernelspec runs it." in section


async def test_delete_lists_the_kernels_that_run_it_and_removes_them_with_it(
    tmp_path: Path, jupyter_dir: Path
) -> None:
    root, home = tmp_path / "root", tmp_path / "home"
    home.mkdir()
    env = make_venv(Path(sys.executable), root / "proj" / ".venv")
    mine = _kernel(jupyter_dir, "proj", env / "bin" / "python")
    other = _kernel(jupyter_dir, "elsewhere", Path(sys.executable))
    app = real_app(root, home=home)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await select(pilot, env)
        await pilot.press("3")
        await settle(pilot)
        assert "Jupyter kernels (1)" in _repair_section(app)
        assert "Python (proj)" in _repair_section(app)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DeleteWithKernelsScreen), "the question")
        question = _dialog_text(app)
        assert "Jupyter kernels that run it (1)" in question
        assert str(mine) in question
        assert str(other) not in question
        await pilot.press("y")
        await until(pilot, lambda: not env.exists(), "the environment deleted")
        await settle(pilot)
        assert _squashed(f"removed the kernel proj ({mine})") in _log(app)
        log = main_screen(app).query_one(OperationLog)  # shown: it says so (no toast repeats it)
        assert "Deleted proj and its Jupyter kernels (1)" in log.last_status
    assert not mine.exists()
    assert (other / "kernel.json").is_file()


async def test_k_deletes_the_environment_and_keeps_its_kernels() -> None:
    service = demo_service()
    app = _fake_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DeleteWithKernelsScreen), "the question")
        await pilot.press("k")
        await settle(pilot)
    assert ("delete", SHOP) in service.calls
    assert not any(call[0] == "remove_kernel" for call in service.calls)
    assert any(k.name == "shop" for k in service.kernelspecs)


async def test_bulk_delete_removes_each_environments_kernels_after_it() -> None:
    service = demo_service()
    app = _fake_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for path in (SHOP, LEGACY):
            await select(pilot, path)
            await pilot.press("space")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DeleteWithKernelsScreen), "the question")
        question = _dialog_text(app)
        assert "Jupyter kernels that run them (2)" in question
        await pilot.press("y")
        await settle(pilot)
    calls = [c for c in service.calls if c[0] in {"delete", "remove_kernel"}]
    kernels = HOME / ".local/share/jupyter/kernels"
    assert calls == [
        ("delete", SHOP),
        ("remove_kernel", kernels / "shop"),
        ("delete", LEGACY),
        ("remove_kernel", kernels / "legacy-api"),
    ]
    assert [k.name for k in service.kernelspecs] == ["py39-scratch"]
    assert not any(e.kind is Kind.VENV and e.path in {SHOP, LEGACY} for e in service.environments)
    assert [c[0] for c in service.calls].count("kernels_for_each") == 1  # the kernels read once


async def test_a_rebuilds_long_log_lines_wrap_at_the_width_the_log_shows() -> None:
    """RichLog renders at 78 columns at least unless told otherwise: narrower logs cut line ends."""
    service = demo_service()
    app = _fake_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await select(pilot, SHOP)
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, RecreateConfirmScreen), "the plan")
        await pilot.press("y")
        await settle(pilot)
        output = main_screen(app).query_one(OperationLog).output
        width = output.scrollable_content_region.width
        assert 20 < width < 78
        assert max(strip.cell_length for strip in output.lines) <= width
        shown_text = "".join("".join(s.text for s in strip) for strip in output.lines).replace(" ", "")
        assert _squashed(f"venvdeck: moved {SHOP} aside while the new one is built") in shown_text


async def test_a_kernelspec_with_a_nul_in_its_argv_never_stops_a_delete(
    tmp_path: Path, jupyter_dir: Path
) -> None:
    root, home = tmp_path / "root", tmp_path / "home"
    home.mkdir()
    env = make_venv(Path(sys.executable), root / "proj" / ".venv")
    crafted = jupyter_dir / "kernels" / "nul"
    crafted.mkdir(parents=True)
    (crafted / "kernel.json").write_text(json.dumps({"argv": ["/tmp/a\u0000b/bin/python"]}))
    app = real_app(root, home=home)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await select(pilot, env)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the delete confirmation")
        await pilot.press("y")
        await until(pilot, lambda: not env.exists(), "the environment deleted")
        await settle(pilot)
    assert (crafted / "kernel.json").exists()  # not this environment's: left alone


async def test_a_delete_that_fails_unexpectedly_is_logged_as_failed_and_keeps_the_kernels(
    tmp_path: Path, jupyter_dir: Path
) -> None:
    root, home = tmp_path / "root", tmp_path / "home"
    home.mkdir()
    env = make_venv(Path(sys.executable), root / "proj" / ".venv")
    kernel = _kernel(jupyter_dir, "proj", env / "bin" / "python")
    app = real_app(root, home=home)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await select(pilot, env)
        service = main_screen(app).service

        async def refused_by_the_disk(plan: object, sink: object) -> None:
            raise PermissionError(13, "Permission denied", str(env))

        service.delete = refused_by_the_disk  # type: ignore[method-assign,assignment]
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DeleteWithKernelsScreen), "the question")
        await pilot.press("y")
        await until(pilot, lambda: "failed:PermissionError" in _log(app), "the failure in the log")
        await settle(pilot)
        notes = [str(n.message) for n in app._notifications]
        assert any("Permission denied" in n for n in notes), notes
        assert "ended" not in _log(app)
    assert env.exists()
    assert (kernel / "kernel.json").exists()
