"""Reading never hangs, never exhausts memory and never changes what it reads.

Real FIFOs, devices, huge files, interpreters that print without end or fork a child that holds
their output, and access times set 30 days back.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.test_cli import venvdeck
from tests.support.pythons import install, make_venv
from venvdeck.errors import InterpreterError, InvalidRequirementError, UnreadableFile
from venvdeck.models import CheckReport, Environment, PackageListing
from venvdeck.services import fsio, process
from venvdeck.services.change.requirements import read_requirements_file
from venvdeck.services.find.discovery import DiscoveryOptions, discover
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.read.freeze import freeze
from venvdeck.services.read.packages import list_packages
from venvdeck.services.read.sizes import measure

PYTHON = Path(sys.executable)
DAY = 86400


def _within(seconds: float, work: Callable[[], object]) -> object:
    """work() must return (or raise) within seconds: a hang fails the test instead of hanging it."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "it hung"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _fifo(path: Path) -> Path:
    if path.exists():
        path.unlink()
    os.mkfifo(path)
    return path


@pytest.fixture
def installed_env(tmp_path: Path, wheelhouse: Path) -> Path:
    env = make_venv(PYTHON, tmp_path / "proj" / ".venv")
    install(env, wheelhouse, "demo-app")
    return env


def _dist_info(env: Path, name: str) -> Path:
    return next(env.glob(f"lib/python*/site-packages/{name}-*.dist-info"))


def test_fsio_refuses_fifos_devices_and_oversized_files(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path / "fifo")
    for path in (fifo, Path("/dev/zero"), Path("/dev/null")):
        with pytest.raises(UnreadableFile, match=r"is a (FIFO|device)"):
            _within(5, lambda p=path: fsio.read_bytes(p, 1024))  # type: ignore[misc]
    big = tmp_path / "big"
    big.write_bytes(b"x" * 10_000)
    with pytest.raises(UnreadableFile, match="larger than"):
        fsio.read_bytes(big, 1024)
    assert fsio.read_bytes(big, 1024, truncate=True) == b"x" * 1024


@pytest.mark.parametrize(
    "victim", ["pyvenv.cfg", "METADATA", "INSTALLER", "RECORD", "direct_url.json", "REQUESTED"]
)
def test_a_fifo_in_an_environment_never_hangs_listing_reading_or_measuring(
    installed_env: Path, victim: str
) -> None:
    target = (
        installed_env / "pyvenv.cfg"
        if victim == "pyvenv.cfg"
        else _dist_info(installed_env, "demo_dep") / victim
    )
    _fifo(target)

    def everything() -> object:
        found: list[Environment] = []
        discover(
            DiscoveryOptions(roots=[installed_env.parent], include_path_interpreters=False), found.append
        )
        for env in found:
            measure(env)
            if not env.is_broken and victim != "pyvenv.cfg":
                names = {p.name for p in list_packages(env).packages}
                assert "demo-app" in names  # the others are still read
                freeze(env)
        return found

    _within(30, everything)


def test_dev_zero_as_metadata_is_skipped_and_the_rest_listed(installed_env: Path) -> None:
    metadata = _dist_info(installed_env, "demo_dep") / "METADATA"
    metadata.unlink()
    metadata.symlink_to("/dev/zero")
    listing = _within(30, lambda: list_packages(resolve_environment(installed_env)))
    assert isinstance(listing, PackageListing)
    assert "demo-app" in {p.name for p in listing.packages}


@pytest.mark.parametrize("trap", ["FIFO", "device"])
def test_a_pth_file_that_would_hang_python_is_named_at_once(bare_env: Path, trap: str) -> None:
    """site opens every .pth file as Python starts: a FIFO blocks it, /dev/zero feeds it without
    end, so the environment's own Python hangs. venvdeck names the file at once, for the listing
    (the interpreter probe) and for check (the marker probe), instead of waiting out a timeout."""
    pth = next((bare_env / "lib").glob("python*/site-packages")) / "easy-install.pth"
    if trap == "FIFO":
        os.mkfifo(pth)
    else:
        pth.symlink_to("/dev/zero")
    hang = rf"would hang as it starts: .*easy-install\.pth is a {trap}, not a file"
    env = resolve_environment(bare_env)
    with pytest.raises(InterpreterError, match=hang):
        _within(10, lambda: list_packages(env))
    started = time.monotonic()
    result = venvdeck("check", str(bare_env))
    assert time.monotonic() - started < 10
    assert result.returncode == 1
    assert re.fullmatch(rf"venvdeck: error: .*{hang}\n", result.stderr), result.stderr
    pth.unlink()  # the trap gone, the same environment is read again (nothing was remembered)
    assert _within(30, lambda: list_packages(env)).packages == ()  # type: ignore[attr-defined]


def test_reading_an_environment_runs_none_of_its_code(bare_env: Path, tmp_path: Path) -> None:
    """A cloned repository's .venv is read, never run: the import lines of its .pth files and its
    sitecustomize are code, and no read-only command runs them. The .pth path lines still count,
    as at a normal start: a distribution in such a folder is listed (pip lists it too)."""
    ran = tmp_path / "ran"
    extra = tmp_path / "extra"
    info = extra / "far_away-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: far-away\nVersion: 1.0\n")
    site = next((bare_env / "lib").glob("python*/site-packages"))
    (site / "evil.pth").write_text(f"import os; open({str(ran / 'pth')!r}, 'w')\n{extra}\n")
    (site / "sitecustomize.py").write_text(f"open({str(ran / 'sitecustomize')!r}, 'w')\n")
    ran.mkdir()
    root = str(bare_env.parent)
    for command in (
        ["packages", str(bare_env), "--json"],
        ["freeze", str(bare_env)],
        ["check", str(bare_env)],
        ["deps", str(bare_env), "--json"],
        ["find", "far-away", root],
        ["usage", root],
    ):
        result = venvdeck(*command)
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr
        assert list(ran.iterdir()) == [], f"venvdeck {command[0]} ran the environment's code"
    assert "far-away" in {p.name for p in list_packages(resolve_environment(bare_env)).packages}
    assert "far-away==1.0" in venvdeck("freeze", str(bare_env)).stdout
    assert list(ran.iterdir()) == []


def test_a_script_in_the_interpreters_place_is_never_run(bare_env: Path, tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    python = bare_env / "bin" / "python"
    target = python.resolve()
    for link in bare_env.glob("bin/python*"):
        link.unlink()
    script = bare_env / "bin" / "python3"
    script.write_text(f'#!/bin/sh\ntouch {ran}\nexec {target} "$@"\n')
    script.chmod(0o755)
    python.symlink_to("python3")
    result = venvdeck("packages", str(bare_env))
    assert result.returncode == 1
    assert re.fullmatch(
        r"venvdeck: error: .*/bin/python is a script, not a Python; venvdeck does not run it\n", result.stderr
    ), result.stderr
    assert not ran.exists()


def test_a_hundred_thousand_requirements_are_cut_and_checked_in_bounded_time(bare_env: Path) -> None:
    """Under the size cap, 100,000 Requires-Dist lines or requires.txt sections took seconds to
    parse on every check: each distribution's are read up to MAX_REQUIREMENTS."""
    from venvdeck.services.insight.check import check
    from venvdeck.services.read.metadata import MAX_REQUIREMENTS

    site = next((bare_env / "lib").glob("python*/site-packages"))
    info = site / "crafted-1.0.dist-info"
    info.mkdir()
    lines = "".join(f"Requires-Dist: p{i}>=1\n" for i in range(100_000))
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: crafted\nVersion: 1.0\n{lines}")
    egg = site / "sectioned-1.0.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: sectioned\nVersion: 1.0\n")
    (egg / "requires.txt").write_text(
        "".join(f"[e{i}:python_version>'{i % 9}']\nq{i}>=1\n" for i in range(100_000))
    )
    report = _within(60, lambda: check(resolve_environment(bare_env)))
    assert isinstance(report, CheckReport)
    assert "crafted 1.0 requires p0, which is not installed." in [p.message for p in report.problems]
    listing = list_packages(resolve_environment(bare_env))
    assert {p.name: len(p.requires) for p in listing.packages} == {
        "crafted": MAX_REQUIREMENTS,
        "sectioned": MAX_REQUIREMENTS,
    }


def test_a_nul_where_a_program_runs_is_one_error_not_a_crash(bare_env: Path) -> None:
    """An editable's direct_url.json may name a folder with %00 in it: git is started there to
    read its commit. Every process start turns the NUL into one clear error."""
    with pytest.raises(InterpreterError, match="cannot run git: embedded null byte"):
        process.run(["git", "status"], cwd=Path("/tmp/a\0b"), timeout=5)
    site = next((bare_env / "lib").glob("python*/site-packages"))
    info = site / "ed-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ed\nVersion: 1.0\n")
    (info / "direct_url.json").write_text('{"url": "file:///tmp/src%00x", "dir_info": {"editable": true}}')
    lines = freeze(resolve_environment(bare_env)).lines
    assert lines[0] == "# Editable install with no version control (ed==1.0)"


# Starts a program and reports its own peak memory. A child of the test process would not do:
# Linux carries the parent's peak (a test worker's 250 MB) into the peak of what it execs.
_PEAK = (
    "import os, sys; pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ);"
    "_, status, usage = os.wait4(pid, 0);"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, file=sys.stderr)"
)


def test_a_huge_pyvenv_cfg_is_listed_in_bounded_time_and_memory(installed_env: Path) -> None:
    cfg = installed_env / "pyvenv.cfg"
    cfg.write_bytes(cfg.read_bytes() + b"junk = " + b"y" * 100_000_000 + b"\n")
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _PEAK,
            sys.executable,
            "-m",
            "venvdeck",
            "list",
            "--json",
            str(installed_env.parent),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, peak_kb = (int(word) for word in result.stderr.split()[-2:])
    assert status == 0, result.stderr
    assert time.monotonic() - started < 30
    assert peak_kb < 100_000, peak_kb  # below the file alone (100 MB)
    (entry,) = __import__("json").loads(result.stdout)
    assert entry["path"] == str(installed_env)


def test_a_fifo_as_config_or_requirements_file_is_one_line(tmp_path: Path, bare_env: Path) -> None:
    fifo = _fifo(tmp_path / "fifo.txt")
    with pytest.raises(InvalidRequirementError, match=r"^.*fifo\.txt is a FIFO, not a requirements file$"):
        _within(5, lambda: read_requirements_file(fifo))
    result = venvdeck("--config", str(fifo), "list", str(tmp_path))
    assert result.returncode == 1
    assert "is a FIFO" in result.stderr
    assert result.stderr.count("\n") == 1
    result = venvdeck("install", str(bare_env), "-r", "/dev/zero")
    assert result.returncode == 1
    assert result.stderr == "venvdeck: error: /dev/zero is a device, not a requirements file\n"


def test_an_interpreter_that_prints_without_end_is_stopped(tmp_path: Path) -> None:
    script = tmp_path / "chatty"
    script.write_text(f"#!{PYTHON}\nimport sys\nwhile True: sys.stdout.write('x' * 65536)\n")
    script.chmod(0o755)
    started = time.monotonic()
    with pytest.raises(InterpreterError, match="printed more than"):
        process.run([str(script)], timeout=30, max_output=1024 * 1024)
    assert time.monotonic() - started < 20


def test_a_child_that_forks_and_holds_stdout_is_reaped(tmp_path: Path) -> None:
    marker = tmp_path / "grandchild.pid"
    script = tmp_path / "forker"
    script.write_text(
        f"#!{PYTHON}\n"
        "import os, sys, time\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        f"    open({str(marker)!r} + '.new', 'w').write(str(os.getpid()))\n"
        f"    os.rename({str(marker)!r} + '.new', {str(marker)!r})\n"
        "    time.sleep(60)\n"
        "    sys.exit(0)\n"
        # the parent ends once its child is known (a loaded machine ran the child late: no pid)
        f"while not os.path.exists({str(marker)!r}):\n"
        "    time.sleep(0.01)\n"
        "print('parent done', flush=True)\n"
    )
    script.chmod(0o755)
    started = time.monotonic()
    result = process.run([str(script)], timeout=30)
    assert result.stdout.strip() == "parent done"
    assert time.monotonic() - started < 5
    grandchild = int(marker.read_text())
    for _ in range(100):
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the forked child holding stdout outlived the call")


def test_sigterm_and_sighup_stop_the_operations_processes(bare_env: Path, tmp_path: Path) -> None:
    import signal

    for signum in (signal.SIGTERM, signal.SIGHUP):
        marker = tmp_path / f"child-{signum}.pid"
        code = (
            "import sys\n"
            f"sys.path.insert(0, {str(Path(__file__).resolve().parents[2] / 'app')!r})\n"
            "from venvdeck.cli.main import main\n"
            "from venvdeck.models import Operation, OperationKind\n"
            "from venvdeck.services.change.operations import OperationRunner\n"
            "import signal\n"
            "from venvdeck.cli import main as m\n"
            "signal.signal(signal.SIGTERM, m._stop_on_signal); signal.signal(signal.SIGHUP, m._stop_on_signal)\n"
            f"child = \"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(60)\"\n"
            f"OperationRunner().run(Operation(OperationKind.INSTALL, {str(bare_env)!r}, ({str(bare_env / 'bin' / 'python')!r}, '-c', child), 'long'))\n"
        )
        venvdeck_process = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
        for _ in range(200):
            if marker.exists() and marker.read_text():
                break
            time.sleep(0.05)
        child = int(marker.read_text())
        venvdeck_process.send_signal(signum)
        venvdeck_process.wait(timeout=10)
        for _ in range(100):
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"signal {signum} left the operation's process running")


def _age_everything(root: Path, days: float) -> float:
    when = time.time() - days * DAY
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            os.utime(path, (when, when), follow_symlinks=False)
    os.utime(root, (when, when))
    return when


def test_listing_reading_freezing_and_measuring_never_make_an_environment_look_used(
    installed_env: Path, tmp_path: Path
) -> None:
    when = _age_everything(installed_env, 30)
    for _ in range(2):  # the second time with every cache warm
        result = venvdeck("list", "--json", str(installed_env.parent.parent))
        assert result.returncode == 0, result.stderr
        assert venvdeck("packages", "--json", str(installed_env)).returncode == 0
        assert venvdeck("freeze", str(installed_env)).returncode == 0
    import json

    (entry,) = json.loads(venvdeck("list", "--json", str(installed_env.parent.parent)).stdout)
    last_used = entry["last_used"]
    from datetime import datetime

    assert abs(datetime.fromisoformat(last_used).timestamp() - when) < 2 * DAY, last_used


def test_running_code_from_an_environment_does_count_as_use(installed_env: Path) -> None:
    _age_everything(installed_env, 30)
    subprocess.run([str(installed_env / "bin" / "python"), "-c", "import demo_app"], check=True)
    size = measure(resolve_environment(installed_env))
    assert size.last_used is not None
    assert time.time() - size.last_used < DAY


def test_requirements_files_that_include_each_other_are_one_line_not_pips_endless_read(
    tmp_path: Path,
) -> None:
    """pip follows -r without end (a RecursionError in its output); a loop was reported as "lists
    no requirements". Included twice without a loop is fine."""
    a, b, c = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    a.write_text("-r b.txt\nrich\n")
    b.write_text("-r a.txt\n")
    loop = r"include each other in a loop, which pip reads without end: "
    with pytest.raises(InvalidRequirementError, match=loop + r"\S*/a\.txt → \S*/b\.txt → \S*/a\.txt$"):
        read_requirements_file(a)
    c.write_text("-r c.txt\nrich\n")
    with pytest.raises(InvalidRequirementError, match=loop + r"\S*/c\.txt → \S*/c\.txt$"):
        read_requirements_file(c)
    a.write_text("-r b.txt\n-r c.txt\n")  # a loop between b and c, each first reached from a
    b.write_text("-r c.txt\nidna\n")
    c.write_text("-r b.txt\n")
    with pytest.raises(InvalidRequirementError, match=loop + r"\S*/b\.txt → \S*/c\.txt → \S*/b\.txt$"):
        read_requirements_file(a)
    a.write_text("-r b.txt\n-r c.txt\nrich\n")  # a diamond: b and c both include d
    b.write_text("-r d.txt\n")
    c.write_text("-r d.txt\n")
    (tmp_path / "d.txt").write_text("attrs\n")
    assert [str(line.requirement) for line in read_requirements_file(a).lines if line.requirement] == [
        "rich",
        "attrs",
    ]


def test_a_home_inside_the_environment_is_refused_unrun(bare_env: Path, tmp_path: Path) -> None:
    """pyvenv.cfg's home says where the standard library comes from, before any code can choose:
    one inside the environment would run its own encodings as Python starts."""
    ran = tmp_path / "ran"
    lib = next((bare_env / "lib").glob("python*"))
    (lib / "encodings").mkdir()
    (lib / "encodings" / "__init__.py").write_text(f"open({str(ran)!r}, 'w').close()\n")
    (lib / "os.py").write_text("")
    config = bare_env / "pyvenv.cfg"
    config.write_text(
        "\n".join(
            f"home = {bare_env / 'bin'}" if line.startswith("home") else line
            for line in config.read_text().splitlines()
        )
        + "\n"
    )
    with pytest.raises(InterpreterError, match="would run the environment's own standard library"):
        list_packages(resolve_environment(bare_env))
    assert not ran.exists()
