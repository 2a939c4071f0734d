"""Install, upgrade, uninstall, ensurepip and create: planned, checked, then run for real (offline)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.wheels import build_wheel
from venvdeck.errors import EnvironmentBusy, InvalidRequirementError, RefusedError
from venvdeck.models import Operation, OperationKind
from venvdeck.services.change.operations import OperationRunner
from venvdeck.services.change.plans import (
    pick_base,
    plan_create,
    plan_ensurepip,
    plan_install,
    plan_install_file,
    plan_uninstall,
    plan_upgrade,
)
from venvdeck.services.change.settings import ActionSettings, Backend, find_uv
from venvdeck.services.find.discovery import DiscoveryOptions, base_interpreters
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.local import LocalEnvironmentService
from venvdeck.services.read.packages import list_packages

PIP = ActionSettings(Backend.PIP, uv=None)


def _gone(pid: int, within_s: float = 5.0) -> bool:
    """True once no process has this pid (a killed process group's member disappears)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _uv_settings() -> ActionSettings:
    uv = find_uv()
    if uv is None:
        pytest.skip("uv is not installed")
    return ActionSettings(Backend.UV, uv=uv)


def _installed(env: Path) -> dict[str, str]:
    listing = list_packages(resolve_environment(env))
    return {p.name: p.version for p in listing.packages}


def _run(operation: Operation) -> None:
    result = OperationRunner().run(operation)
    assert result.ok, "\n".join(result.output)


@pytest.mark.usefixtures("local_index")
def test_install_runs_the_environments_own_pip_after_a_double_dash(pip_env: Path) -> None:
    operation = plan_install(resolve_environment(pip_env), ["demo-app"], PIP)
    assert operation.argv[:4] == (str(pip_env / "bin" / "python"), "-m", "pip", "install")
    assert "--no-user" in operation.argv
    assert operation.argv[-2:] == ("--", "demo-app")
    assert operation.command_line.startswith(str(pip_env / "bin" / "python"))
    _run(operation)
    installed = _installed(pip_env)
    assert installed["demo-app"] == "0.1"
    assert installed["demo-dep"] == "1.1"


@pytest.mark.usefixtures("local_index")
def test_upgrade_and_uninstall_with_a_warning_about_dependents(pip_env: Path) -> None:
    env = resolve_environment(pip_env)
    _run(plan_install(env, ["demo-dep==1.0", "demo-app"], PIP))
    assert (_installed(pip_env))["demo-dep"] == "1.0"
    upgrade = plan_upgrade(env, ["demo-dep"], PIP)
    assert upgrade.changes == ("demo-dep 1.0 → 1.1",)  # asked of pip (a dry run) before it runs
    assert (_installed(pip_env))["demo-dep"] == "1.0"  # and the dry run changed nothing
    _run(upgrade)
    assert (_installed(pip_env))["demo-dep"] == "1.1"
    again = plan_upgrade(env, ["demo-dep"], PIP)
    assert again.changes[0].startswith("demo-dep 1.1: no newer wheel found")

    operation = plan_uninstall(env, ["demo-dep"], PIP)
    assert operation.warnings == ("demo-dep is required by demo-app",)
    assert operation.argv[-2:] == ("--", "demo-dep")
    _run(operation)
    assert "demo-dep" not in _installed(pip_env)


@pytest.mark.usefixtures("local_index")
def test_the_uv_backend_installs_into_an_environment_without_pip(bare_env: Path) -> None:
    settings = _uv_settings()
    operation = plan_install(resolve_environment(bare_env), ["Foo.Bar_baz"], settings)
    assert operation.argv[1:5] == ("pip", "install", "--python", str(bare_env / "bin" / "python"))
    _run(operation)
    assert (_installed(bare_env)) == {"Foo.Bar_baz": "2.0"}
    _run(plan_install(resolve_environment(bare_env), ["demo-dep==1.0"], settings))
    upgrade = plan_upgrade(resolve_environment(bare_env), ["demo-dep"], settings)
    assert upgrade.changes == ("demo-dep 1.0 → 1.1",), upgrade.warnings  # uv's dry run, read
    assert (_installed(bare_env))["demo-dep"] == "1.0"
    _run(plan_uninstall(resolve_environment(bare_env), ["demo-dep"], settings))
    _run(plan_uninstall(resolve_environment(bare_env), ["foo-bar-baz"], settings))
    assert (_installed(bare_env)) == {}


def test_no_pip_and_no_uv_offers_ensurepip(bare_env: Path) -> None:
    with pytest.raises(RefusedError, match="has no pip: bootstrap it with ensurepip"):
        plan_install(resolve_environment(bare_env), ["demo-dep"], PIP)


def test_ensurepip_bootstraps_pip(bare_env: Path) -> None:
    _run(plan_ensurepip(resolve_environment(bare_env)))
    assert "pip" in _installed(bare_env)


HOSTILE = [
    "--index-url=https://evil.example/simple",
    "-e .",
    "--editable=/tmp",
    "-r /etc/passwd",
    "./dist/demo_dep-1.1-py3-none-any.whl",
    "demo_dep-1.1-py3-none-any.whl",
    "/etc/passwd",
    "demo-dep; rm -rf ~",
    "demo-dep && curl evil",
    "demo-dep | sh",
    "$(touch /tmp/pwned)",
    "`id`",
    "demo-dep\n--index-url https://evil.example",
    "demo-dep\x00",
    "x" * 5000,
    "",
    "pkg @ javascript:alert(1)",
    "demo-dep==1.0 --force-reinstall",
]


def test_a_wheel_path_is_refused_with_the_requirement_to_type_instead(tmp_path: Path) -> None:
    """Its name is in its file name: the refusal gives the whole direct reference to use."""
    from venvdeck.services.change.requirements import parse_requirement

    wheel = tmp_path / "dist" / "demo_dep-1.1-py3-none-any.whl"
    with pytest.raises(InvalidRequirementError) as refused:
        parse_requirement(str(wheel))
    suggestion = str(refused.value).split("install a local file as ", 1)[1].strip("'")
    assert suggestion == f"demo-dep @ {wheel.as_uri()}"
    assert str(parse_requirement(suggestion)) == suggestion  # and it is accepted as it is


@pytest.mark.parametrize("spec", HOSTILE)
@pytest.mark.usefixtures("local_index")
def test_hostile_input_is_refused_and_changes_nothing(pip_env: Path, spec: str) -> None:
    before = _installed(pip_env)
    with pytest.raises(
        InvalidRequirementError,
        match=r"is an option|looks like a file|is not a requirement|control characters|only https|too long|an empty|an editable install goes|a bare URL",
    ):
        plan_install(resolve_environment(pip_env), [spec], PIP)
    assert _installed(pip_env) == before
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize("name", ["demo-dep==1.0", "--yes", "demo-dep[x]", "not-installed", "pip; x"])
def test_uninstall_takes_installed_package_names_only(pip_env: Path, name: str) -> None:
    with pytest.raises(RefusedError, match=r"not installed|not a package name|is an option"):
        plan_uninstall(resolve_environment(pip_env), [name], PIP)


@pytest.mark.usefixtures("local_index")
def test_a_requirements_file_is_read_as_pip_reads_it_and_checked_before_anything_runs(
    pip_env: Path, tmp_path: Path, wheelhouse: Path
) -> None:
    env = resolve_environment(pip_env)
    bad = tmp_path / "bad.txt"
    bad.write_text("demo-dep==1.0\ndemo-app>>1\n")
    with pytest.raises(InvalidRequirementError, match=r"bad\.txt, line 2"):
        plan_install_file(env, bad, PIP)
    bad.write_text("--no-such-option\n")
    with pytest.raises(InvalidRequirementError, match="pip does not accept --no-such-option"):
        plan_install_file(env, bad, PIP)
    bad.write_text("demo-dep==1.0\nnotapkg @@@\n")  # packaging takes it; pip does not
    with pytest.raises(InvalidRequirementError, match=r"line 2: 'notapkg @@@' names no URL after @"):
        plan_install_file(env, bad, PIP)
    pip_says = subprocess.run(
        [str(pip_env / "bin" / "python"), "-m", "pip", "install", "--dry-run", "-r", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pip_says.returncode != 0
    assert "notapkg @@@" in pip_says.stderr
    (tmp_path / "loop-a.txt").write_text("-r loop-b.txt\n")
    (tmp_path / "loop-b.txt").write_text("-r loop-a.txt\ndemo-dep==1.0\n")
    with pytest.raises(InvalidRequirementError, match="include each other in a loop"):  # pip: RecursionError
        plan_install_file(env, tmp_path / "loop-a.txt", PIP)
    assert "demo-dep" not in _installed(pip_env)

    good = tmp_path / "requirements.txt"
    (tmp_path / "constraints.txt").write_text("demo-dep==1.0\n")
    good.write_bytes(  # a byte-order mark, a constraints file, options, a continued line
        b"\xef\xbb\xbf-c constraints.txt  # pins\n--no-index\n--find-links "
        + str(wheelhouse).encode()
        + b"\ndemo-app \\\n  >=0.1\n"
    )
    operation = plan_install_file(env, good, PIP)
    assert operation.argv[-2:] == ("-r", str(good))
    assert operation.cwd == tmp_path  # where pip resolves -e . and relative paths
    assert any(f"--find-links {wheelhouse}" in w for w in operation.warnings)
    assert any("-c constraints.txt" in w for w in operation.warnings)
    _run(operation)
    assert _installed(pip_env)["demo-dep"] == "1.0"


def _externally_managed_python() -> Path:
    for candidate in sorted(Path("/usr/bin").glob("python3.*")):
        version = candidate.name.removeprefix("python")
        if (Path("/usr/lib") / f"python{version}" / "EXTERNALLY-MANAGED").is_file():
            return candidate
    pytest.skip("no externally managed (PEP 668) Python on this machine")


def test_an_externally_managed_python_is_refused_unless_overridden() -> None:
    env = resolve_environment(_externally_managed_python())
    with pytest.raises(RefusedError, match="externally managed"):
        plan_install(env, ["demo-dep"], PIP)
    overridden = ActionSettings(Backend.PIP, None, override_externally_managed=True)
    operation = plan_install(env, ["demo-dep"], overridden)  # planned, never run here
    assert "--break-system-packages" in operation.argv


def _base() -> object:
    bases = base_interpreters()
    return pick_base(bases, f"{sys.version_info[0]}.{sys.version_info[1]}", resolve_environment)


def test_create_makes_an_environment_with_the_chosen_base(tmp_path: Path) -> None:
    base = _base()
    operation = plan_create(tmp_path / "new" / ".venv", base, PIP, with_pip=False, prompt="demo")  # type: ignore[arg-type]
    assert operation.kind is OperationKind.CREATE
    assert operation.argv[-2:] == ("--", str(tmp_path / "new" / ".venv"))
    _run(operation)
    env = resolve_environment(tmp_path / "new" / ".venv")
    assert env.prompt == "demo"
    assert env.python_version is not None
    assert env.python_version.startswith(f"{sys.version_info[0]}.{sys.version_info[1]}")


def test_create_refuses_a_folder_in_use_and_a_python_2_base(tmp_path: Path) -> None:
    base = _base()
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(RefusedError, match="not empty"):
        plan_create(tmp_path / "taken", base, PIP)  # type: ignore[arg-type]
    (tmp_path / "file").write_text("")
    with pytest.raises(RefusedError, match="is a file"):
        plan_create(tmp_path / "file" / "env", base, PIP)  # type: ignore[arg-type]
    python2 = [b for b in base_interpreters() if (b.python_version or "").startswith("2.")]
    if python2:
        with pytest.raises(RefusedError, match="no venv module"):
            plan_create(tmp_path / "py2", python2[0], PIP)
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"


def _holding_lock(env: Path) -> subprocess.Popen[str]:
    """Another process (another venvdeck, as another user or with another cache) holding env's lock."""
    script = (
        "import sys, time\n"
        "from venvdeck.services.change.locks import EnvironmentLocks\n"
        "with EnvironmentLocks().hold(sys.argv[1]):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(env)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": "/nonexistent", "HOME": "/nonexistent"},
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_one_operation_per_environment_at_a_time(bare_env: Path, tmp_path: Path) -> None:
    runner = OperationRunner()
    python = str(bare_env / "bin" / "python")
    slow = Operation(
        OperationKind.INSTALL,
        bare_env,
        (python, "-c", "import time; print('go', flush=True); time.sleep(2)"),
        "slow",
    )
    quick = Operation(OperationKind.INSTALL, bare_env, (python, "-c", "print('hi')"), "quick")
    other = Operation(OperationKind.INSTALL, tmp_path, (python, "-c", "print('other')"), "other env")
    started = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        first = pool.submit(runner.run, slow, lambda line: started.set())
        assert started.wait(30)
        with pytest.raises(EnvironmentBusy, match="busy"):
            runner.run(quick)
        with pytest.raises(EnvironmentBusy, match="another venvdeck"):
            OperationRunner().run(quick)  # another runner: the folder's own lock refuses it too
        assert runner.run(other).ok  # a different environment runs meanwhile
        assert first.result().ok
    assert runner.run(quick).ok  # and the lock is free again


def test_busy_is_answered_by_either_name_without_touching_the_disk(
    bare_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard asks for every key on every key press: a slow mount must not stall it."""
    from venvdeck.services.change.locks import EnvironmentLocks

    link = tmp_path / "link-to-env"
    link.symlink_to(bare_env)
    real_path = Path(os.path.realpath(bare_env))
    locks = EnvironmentLocks()
    with locks.hold(link):
        calls: list[str] = []

        def counted(name: str) -> Callable[..., object]:
            real = getattr(os, name)

            def call(*args: object, **kwargs: object) -> object:
                calls.append(name)
                return real(*args, **kwargs)

            return call

        for name in ("lstat", "stat", "readlink"):
            monkeypatch.setattr(os, name, counted(name))
        assert locks.is_held(link)  # as the change named it
        assert locks.is_held(real_path)  # and by where it really is
        assert not locks.is_held(tmp_path)
        assert calls == []
        monkeypatch.undo()
    assert not locks.is_held(link)
    assert not locks.is_held(bare_env)


def test_the_lock_belongs_to_the_environment_not_to_the_callers_cache(bare_env: Path) -> None:
    holder = _holding_lock(bare_env)
    try:
        python = str(bare_env / "bin" / "python")
        quick = Operation(OperationKind.INSTALL, bare_env, (python, "-c", "print('hi')"), "quick")
        with pytest.raises(EnvironmentBusy, match="another venvdeck"):
            OperationRunner().run(quick)
    finally:
        holder.kill()
        holder.wait()
    assert OperationRunner().run(quick).ok


def test_the_lock_outlives_a_killed_venvdeck_while_its_process_runs(bare_env: Path, tmp_path: Path) -> None:
    """kill -9 of venvdeck mid-install: pip holds the environment's lock until it ends."""
    marker = tmp_path / "pip-pid"
    script = (
        "import sys, time\n"
        "from venvdeck.models import Operation, OperationKind\n"
        "from venvdeck.services.change.operations import OperationRunner\n"
        "env, python, marker = sys.argv[1:]\n"
        "child = \"import os, time; open(%r, 'w').write(str(os.getpid())); time.sleep(60)\" % marker\n"
        "OperationRunner().run(Operation(OperationKind.INSTALL, env, (python, '-c', child), 'long'))\n"
    )
    venvdeck = subprocess.Popen(
        [sys.executable, "-c", script, str(bare_env), str(bare_env / "bin" / "python"), str(marker)]
    )
    for _ in range(200):
        if marker.exists() and marker.read_text():
            break
        time.sleep(0.05)
    child = int(marker.read_text())
    venvdeck.kill()  # kill -9
    venvdeck.wait()
    python = str(bare_env / "bin" / "python")
    quick = Operation(OperationKind.INSTALL, bare_env, (python, "-c", "print('hi')"), "quick")
    try:
        with pytest.raises(EnvironmentBusy, match="busy"):
            OperationRunner().run(quick)
    finally:
        os.killpg(child, signal.SIGKILL)
    assert _gone(child)
    assert OperationRunner().run(quick).ok


async def test_cancelling_kills_the_process_group_and_frees_the_environment(bare_env: Path) -> None:
    service = LocalEnvironmentService(DiscoveryOptions(roots=[bare_env.parent]), PIP)
    python = str(bare_env / "bin" / "python")
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    lines: list[str] = []
    got_pid = asyncio.Event()

    def on_line(line: str) -> None:
        lines.append(line)
        got_pid.set()

    long = Operation(OperationKind.INSTALL, bare_env, (python, "-c", script), "long")
    task = asyncio.create_task(service.run(long, on_line))
    await asyncio.wait_for(got_pid.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _gone(int(lines[0])), "pip's children outlived the cancelled operation"
    assert not service.is_busy(bare_env)


def test_a_failed_operation_keeps_its_whole_output(bare_env: Path) -> None:
    python = str(bare_env / "bin" / "python")
    script = "import sys\nfor i in range(60): print('line', i)\nsys.exit(3)"
    result = OperationRunner().run(
        Operation(OperationKind.INSTALL, bare_env, (python, "-c", script), "noisy")
    )
    assert not result.ok
    assert result.returncode == 3
    assert len(result.output) == 60
    assert "exited with status 3" in result.message


def test_what_venvdeck_itself_needs_is_never_uninstalled_from_its_own_environment() -> None:
    own = resolve_environment(sys.prefix)
    for name in ("textual", "rich", "packaging", "markdown-it-py"):  # markdown-it-py: rich needs it
        with pytest.raises(RefusedError, match="venvdeck runs from"):
            plan_uninstall(own, [name], PIP)
    with pytest.raises(RefusedError, match="venvdeck runs from"):
        plan_upgrade(own, ["textual"], PIP)


def test_the_runner_keeps_output_and_exit_status_and_enforces_its_timeout(bare_env: Path) -> None:
    python = str(bare_env / "bin" / "python")
    noisy = Operation(
        OperationKind.INSTALL,
        bare_env,
        (python, "-c", "import sys\nfor i in range(30): print(i)\nsys.exit(4)"),
        "noisy",
    )
    result = OperationRunner().run(noisy)
    assert (result.ok, result.returncode, len(result.output)) == (False, 4, 30)
    script = "import subprocess, sys, time\nprint(subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']).pid, flush=True)\ntime.sleep(60)"
    hang = Operation(OperationKind.INSTALL, bare_env, (python, "-c", script), "hang")
    started = time.monotonic()
    result = OperationRunner(timeout_s=1.0).run(hang)
    assert time.monotonic() - started < 10
    assert not result.ok
    assert "did not finish within 1 s" in result.message
    assert _gone(int(result.output[0])), "the timed-out operation's children outlived it"


@pytest.mark.parametrize("ending", ["fails", "cancelled"])
def test_a_create_that_does_not_finish_leaves_no_half_made_environment(tmp_path: Path, ending: str) -> None:
    """A create that fails or is cancelled mid-way (after venv made bin/ and pyvenv.cfg) removed
    nothing: the half-made environment was listed as working, and creating it again was refused."""
    from venvdeck.errors import OperationCancelled

    target = tmp_path / "new" / ".venv"
    made = (
        "import os, sys, time\n"
        f"root = {str(target)!r}\n"
        "os.makedirs(os.path.join(root, 'bin')); os.makedirs(os.path.join(root, 'lib', 'x'))\n"
        "open(os.path.join(root, 'pyvenv.cfg'), 'w').write('home = /usr/bin\\n')\n"
        "print('made', flush=True)\n" + ("sys.exit(1)\n" if ending == "fails" else "time.sleep(60)\n")
    )
    operation = Operation(OperationKind.CREATE, target, (sys.executable, "-c", made), "Create .venv")
    cancel = threading.Event()
    lines: list[str] = []

    def on_line(line: str) -> None:
        lines.append(line)
        if ending == "cancelled":
            cancel.set()

    if ending == "fails":
        result = OperationRunner().run(operation, on_line, cancel)
        assert not result.ok
    else:
        with pytest.raises(OperationCancelled):
            OperationRunner().run(operation, on_line, cancel)
    assert lines == ["made"]
    assert not target.exists()  # the folder the create made, gone with what was made in it
    assert (tmp_path / "new").is_dir()  # its parent, which existed before, stays


def test_a_create_into_an_empty_folder_that_fails_leaves_the_folder_empty(tmp_path: Path) -> None:
    target = tmp_path / "given"
    target.mkdir()
    script = f"import os, sys; open(os.path.join({str(target)!r}, 'pyvenv.cfg'), 'w'); sys.exit(1)"
    result = OperationRunner().run(
        Operation(OperationKind.CREATE, target, (sys.executable, "-c", script), "c")
    )
    assert not result.ok
    assert target.is_dir()
    assert list(target.iterdir()) == []


def test_a_failed_create_never_removes_through_a_bind_mount_made_inside_it(tmp_path: Path) -> None:
    """A bind mount of the same filesystem has the same device number, which is all the removal
    walk compared: the clean-up of a failed create emptied the mounted folder."""
    import shutil

    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root and mount")
    precious = tmp_path / "data"
    precious.mkdir()
    (precious / "precious").write_text("kept")
    target = tmp_path / "new" / ".venv"
    inside = target / "lib" / "x"
    script = (
        "import os, subprocess, sys\n"
        f"os.makedirs({str(inside)!r})\n"
        f"done = subprocess.run(['mount', '--bind', {str(precious)!r}, {str(inside)!r}])\n"
        "print('mounted' if done.returncode == 0 else 'not mounted', flush=True)\n"
        "sys.exit(1)\n"
    )
    lines: list[str] = []
    try:
        result = OperationRunner().run(
            Operation(OperationKind.CREATE, target, (sys.executable, "-c", script), "c"), lines.append
        )
        if lines != ["mounted"]:
            pytest.skip("cannot bind-mount here")
        assert not result.ok
        assert (precious / "precious").read_text() == "kept"
    finally:
        subprocess.run(["umount", str(inside)], capture_output=True)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (
            "https://files.example/rich-13.3.1-py3-none-any.whl",
            "is a bare URL; name what it installs: 'rich @ https://files.example/rich-13.3.1-py3-none-any.whl'",
        ),
        ("git+https://example.com/x.git", "is a bare URL; name what it installs: 'name @ git+https://"),
        ("-e .", "an editable install goes in a requirements file"),
    ],
)
def test_a_url_or_an_editable_in_the_install_box_says_what_to_type_instead(typed: str, said: str) -> None:
    """A URL was said to 'look like a file or folder'; '-e .' to be an index option."""
    from venvdeck.services.change.requirements import parse_requirement

    with pytest.raises(InvalidRequirementError, match=re.escape(said)):
        parse_requirement(typed)


def test_the_upgrade_preview_says_it_does_not_know_where_the_index_cannot_be_reached(
    pip_env: Path, monkeypatch: pytest.MonkeyPatch, wheelhouse: Path
) -> None:
    """pip's dry run ends well, with an empty report, when no index answers: that read as 'already
    the newest'."""
    monkeypatch.delenv("PIP_NO_INDEX", raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # nothing listens there
    upgrade = plan_upgrade(resolve_environment(pip_env), ["pip"], PIP)
    assert upgrade.changes == ()
    assert any(w.startswith("what would change is not known: WARNING") for w in upgrade.warnings), (
        upgrade.warnings
    )
    # One found elsewhere (find-links) does not make the rest 'no newer wheel': it says it may miss some.
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheelhouse))
    _run(plan_install(resolve_environment(pip_env), ["demo-dep==1.0"], PIP))
    upgrade = plan_upgrade(resolve_environment(pip_env), ["demo-dep", "pip"], PIP)
    assert "demo-dep 1.0 → 1.1" in upgrade.changes
    assert any(w.startswith("what would change may be incomplete: WARNING") for w in upgrade.warnings)


def test_the_upgrade_preview_runs_no_build_backend_from_the_index(
    pip_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dry run that tells which versions an upgrade brings runs before the user says yes: a
    source release's build backend (code from the index) must not run then."""
    import tarfile

    house = tmp_path / "house"
    build_wheel(house, "srconly", "1.0")
    project = tmp_path / "srconly-2.0"
    project.mkdir()
    ran = tmp_path / "BACKEND-RAN"
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "evil_backend"\nbackend-path = ["."]\n'
        '[project]\nname = "srconly"\nversion = "2.0"\n'
    )
    (project / "evil_backend.py").write_text(f"open({str(ran)!r}, 'w').close()\n")
    with tarfile.open(house / "srconly-2.0.tar.gz", "w:gz") as sdist:
        sdist.add(project, arcname="srconly-2.0")
    monkeypatch.setenv("PIP_FIND_LINKS", str(house))
    _run(plan_install(resolve_environment(pip_env), ["srconly==1.0"], PIP))
    upgrade = plan_upgrade(resolve_environment(pip_env), ["srconly"], PIP)
    assert not ran.exists()  # pip would have run it for 2.0's metadata
    assert upgrade.changes == (
        "srconly 1.0: no newer wheel found (a newer source release is built only once you confirm)",
    )
    assert _installed(pip_env)["srconly"] == "1.0"


def test_uv_installing_in_pips_place_says_whose_settings_apply(bare_env: Path) -> None:
    """An environment without pip installs through uv, which reads none of pip's settings: with
    PIP_NO_INDEX and PIP_FIND_LINKS set, uv went to PyPI and installed a stranger of that name."""
    uv = find_uv()
    if uv is None:
        pytest.skip("uv is not installed")
    operation = plan_install(resolve_environment(bare_env), ["demo-dep"], ActionSettings(Backend.PIP, uv=uv))
    assert operation.argv[:2] == (str(uv), "pip")
    assert operation.warnings == (
        "it has no pip, so uv installs: uv's settings apply (uv.toml, UV_*), not pip's (pip.conf, "
        "PIP_*); b bootstraps pip into it first",
    )
    chosen = plan_install(resolve_environment(bare_env), ["demo-dep"], ActionSettings(Backend.UV, uv=uv))
    assert chosen.warnings == ()  # uv was asked for
