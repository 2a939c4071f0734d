"""interpreters, recreate and kernels as a user types them: real processes, a Python that really
disappears, offline wheels, kill -9; the disk checked after every failure."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_cli import venvdeck
from tests.support.bases import removable_base, retarget, tree_snapshot
from tests.support.homes import _venv_files
from tests.support.pythons import install, make_venv
from tests.support.wheels import build_wheel, write_project

VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
APP = Path(__file__).resolve().parents[2] / "app"


def _isolated(tmp_path: Path) -> dict[str, str]:
    """A home of its own: discovery looks there (and in the real pyenv, for interpreters)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "JUPYTER_DATA_DIR": str(home / "jupyter"),
        "JUPYTER_PATH": "",
    }


def _site(env: Path) -> dict[str, str]:
    found = {}
    for info in env.glob("lib/python*/site-packages/*.dist-info"):
        name, version = info.name[: -len(".dist-info")].split("-", 1)
        found[name.lower().replace("_", "-")] = version
    return found


@pytest.mark.usefixtures("local_index")
def test_recreate_brings_back_a_venv_whose_python_was_removed(
    tmp_path: Path, pip_template: Path, wheelhouse: Path
) -> None:
    python = removable_base(tmp_path / "gone-python")
    env = tmp_path / "proj" / ".venv"
    shutil.copytree(pip_template, env, symlinks=True)
    retarget(env, python)
    subprocess.run(
        [
            str(env / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            "demo-app",
            "rich==13.3.1",
        ],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(tmp_path / "gone-python")
    assert "\tbroken\t" in venvdeck("list", str(tmp_path / "proj")).stdout

    result = venvdeck("recreate", str(env), "--python", VERSION, "--yes")
    assert result.returncode == 0, result.stderr
    plan = result.stderr
    assert f"venvdeck: rebuild {env} with Python {VERSION}." in plan
    assert "    demo-app==0.1    (asked for (REQUESTED))" in plan
    assert "    rich==13.3.1    (asked for (REQUESTED))" in plan
    assert f"-m venv -- {env}" in plan
    assert f"$ {env}/bin/python -m pip install --no-user -- demo-app==0.1 rich==13.3.1" in plan
    assert "venvdeck: Rebuilt" in plan
    site = _site(env)
    assert (site["demo-app"], site["rich"]) == ("0.1", "13.3.1")
    assert "pip" in site
    check = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    listed = venvdeck("list", str(tmp_path / "proj"))
    assert listed.stdout.split("\t")[5] == "ok"
    assert sorted(os.listdir(env.parent)) == [".venv"]


def _lost_env(tmp_path: Path, wheelhouse: Path, *requirements: str) -> Path:
    python = removable_base(tmp_path / "gone-python")
    env = make_venv(python, tmp_path / "proj" / ".venv")
    install(env, wheelhouse, *requirements)
    return env


@pytest.mark.usefixtures("local_index")
def test_a_failed_rebuild_says_why_in_one_line_and_leaves_the_old_environment_as_it_was(
    tmp_path: Path, wheelhouse: Path
) -> None:
    env = _lost_env(tmp_path, wheelhouse, "demo-app")
    install(env, build_wheel(tmp_path / "elsewhere", "ghost-pkg", "1.0").parent, "ghost-pkg")
    shutil.rmtree(tmp_path / "gone-python")
    before = tree_snapshot(env)
    result = venvdeck("recreate", str(env), "--python", VERSION, "--yes")
    assert result.returncode == 1
    assert "ghost-pkg" in result.stdout  # the installer's own error, as it printed it
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"venvdeck: Rebuilding {env} failed: ")
    assert last.endswith("; the old environment is back as it was")
    assert "Traceback" not in result.stderr
    assert tree_snapshot(env) == before
    assert sorted(os.listdir(env.parent)) == [".venv"]


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat_text = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat_text.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.mark.usefixtures("local_index")
def test_a_rebuild_killed_mid_way_is_put_back_by_the_next_run(tmp_path: Path, wheelhouse: Path) -> None:
    project = write_project(tmp_path / "src" / "slow-edit", "slow-edit", "0.1")
    backend = project / "tiny_backend.py"
    backend.write_text(
        backend.read_text().replace(
            "def build_editable(wheel_directory, config_settings=None, metadata_directory=None):\n",
            "def build_editable(wheel_directory, config_settings=None, metadata_directory=None):\n"
            "    import time\n"
            "    here = os.path.dirname(os.path.abspath(__file__))\n"
            "    if os.path.exists(os.path.join(here, 'SLOW')):\n"
            "        open(os.path.join(here, 'BUILDING'), 'w').close()\n"
            "        time.sleep(120)\n",
        )
    )
    env = _lost_env(tmp_path, wheelhouse, "demo-app", "-e", str(project))
    shutil.rmtree(tmp_path / "gone-python")
    (project / "SLOW").write_text("")
    before = tree_snapshot(env)
    victim = subprocess.Popen(
        [sys.executable, "-m", "venvdeck", "recreate", str(env), "--python", VERSION, "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(APP)},
        start_new_session=True,
    )
    assert victim.stdout is not None
    deadline = time.monotonic() + 60
    seen = b""
    while b"--editable=" not in seen and time.monotonic() < deadline:  # the install has started
        ready, _, _ = select.select([victim.stdout], [], [], 1)
        if ready:
            chunk = os.read(victim.stdout.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
    assert b"--editable=" in seen, seen
    while not (project / "BUILDING").exists() and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until the installer is inside the build (the backend then sleeps)
    assert (project / "BUILDING").exists(), seen + (
        victim.stdout.read() if victim.poll() is not None else b""
    )
    assert any(n.startswith(".venvdeck-recreating-") for n in os.listdir(env.parent))
    # The machine dies: everything at once, venvdeck first (killed after pip, it could see pip
    # fail and put the old one back itself before its own turn came).
    for pid in [victim.pid, *_descendants(victim.pid)]:
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(pid, signal.SIGKILL)
    victim.wait(timeout=30)
    victim.stdout.close()

    listed = venvdeck("list", str(env.parent))
    assert f"venvdeck: put back {env} as it was before an interrupted rebuild" in listed.stderr
    assert tree_snapshot(env) == before
    names = sorted(os.listdir(env.parent))  # what the killed rebuild had made: kept, in sight
    assert names[0] == ".venv"
    assert len(names) == 2
    assert names[1].startswith(".venv-interrupted-rebuild-")
    assert names[1] in listed.stdout  # listed as it is now, after the put back


def test_all_broken_plans_each_skips_what_it_cannot_and_sums_up(tmp_path: Path, wheelhouse: Path) -> None:
    isolated = _isolated(tmp_path)
    home = Path(isolated["HOME"])
    result = venvdeck("recreate", "--all-broken", "--yes", env=isolated)
    assert result.returncode == 1
    assert result.stderr.strip() == "venvdeck: error: no broken environments found: nothing to rebuild"

    python = removable_base(tmp_path / "gone-python")
    lost = make_venv(python, home / "code" / "app" / ".venv")
    shutil.rmtree(tmp_path / "gone-python")
    conda = home / "miniforge3" / "envs" / "data"
    (conda / "conda-meta").mkdir(parents=True)
    (conda / "conda-meta" / "history").write_text("")
    (conda / "conda-meta" / "python-3.11.5-h1_0.json").write_text("{}")
    (conda / "bin").mkdir()
    (conda / "bin" / "python").symlink_to(tmp_path / "gone-python" / "bin" / "python3")
    old = tree_snapshot(lost)

    dry = venvdeck("recreate", "--all-broken", "--python", VERSION, "--dry-run", env=isolated)
    assert dry.returncode == 0, dry.stderr
    assert f"venvdeck: rebuild {lost} with Python {VERSION}." in dry.stderr
    assert f"venvdeck: skipping {conda}: {conda} is a conda environment: conda rebuilds it" in dry.stderr
    assert "summary: 0 rebuilt, 0 failed, 1 skipped (1 planned, dry run)" in dry.stderr
    assert tree_snapshot(lost) == old

    done = venvdeck("recreate", "--all-broken", "--python", VERSION, "--yes", env=isolated)
    assert done.returncode == 0, done.stderr
    assert f"[1/1] rebuilding {lost}" in done.stderr
    assert "summary: 1 rebuilt, 0 failed, 1 skipped" in done.stderr
    assert f"  rebuilt  {lost}" in done.stderr


def test_bad_input_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    old = make_venv(Path(sys.executable), tmp_path / "old" / ".venv")  # made by a Python long gone
    (old / "pyvenv.cfg").write_text(
        re.sub(r"(?m)^version.*$", "version = 3.4.10", (old / "pyvenv.cfg").read_text())
    )
    for link in (old / "bin").glob("python*"):
        link.unlink()
    (old / "bin" / "python").symlink_to(tmp_path / "no-python3.4")
    before = tree_snapshot(env), tree_snapshot(old)
    for args, message in [
        (("recreate", str(env), "--python", "2.9", "--yes"), r"no base interpreter matches '2\.9' \(found: "),
        (
            ("recreate", str(old), "--yes"),
            r"no Python 3\.4 is installed .*\(found: .*\); choose one with --python$",
        ),
        (("recreate",), "give an environment"),
        (("kernels", "--register", str(env)), r"ipykernel is not installed in "),
    ]:
        result = venvdeck(*args, env=_isolated(tmp_path))
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert re.search(message, lines[0]), lines[0]
    assert (tree_snapshot(env), tree_snapshot(old)) == before


def _kernel(folder: Path, name: str, argv0: Path, *extra: str) -> Path:
    spec = folder / "kernels" / name
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps({"argv": [str(argv0), "-m", "ipykernel_launcher"], "display_name": name})
    )
    for extra_name in extra:
        (spec / extra_name).write_text("mine")
    return spec


def test_kernels_lists_states_and_removes_only_plain_dead_ones(tmp_path: Path) -> None:
    isolated = _isolated(tmp_path)
    data = Path(isolated["JUPYTER_DATA_DIR"])
    _kernel(data, "alive", Path(sys.executable))
    _kernel(data, "gone", tmp_path / "nowhere" / "python")
    cluttered = _kernel(data, "cluttered", tmp_path / "nowhere" / "python", "notes.txt")
    listed = venvdeck("kernels", "--json", env=isolated)
    assert listed.returncode == 0, listed.stderr
    states = {k["name"]: k["state"] for k in json.loads(listed.stdout) if k["path"].startswith(str(data))}
    assert states == {"alive": "ok", "cluttered": "dead", "gone": "dead"}
    removed = venvdeck("kernels", "--remove-dead", "--yes", env=isolated)
    assert removed.returncode == 1
    assert (
        f"venvdeck: error: {cluttered} holds notes.txt, which is not part of a kernelspec; nothing removed"
        in (removed.stderr)
    )
    assert sorted(os.listdir(data / "kernels")) == ["alive", "cluttered"]


def test_interpreters_groups_environments_under_the_python_they_lost(tmp_path: Path) -> None:
    isolated = _isolated(tmp_path)
    home = Path(isolated["HOME"])
    gone = Path("/opt/homebrew/Cellar/python@3.11/3.11.6/Frameworks/Python.framework/Versions/3.11/bin")
    for name in ("a", "b"):
        cfg = f"home = {gone}\ninclude-system-site-packages = false\nversion = 3.11.6\n"
        _venv_files(home / name / ".venv", cfg, gone / "python3.11")
    text = venvdeck("interpreters", env=isolated)
    assert text.returncode == 0, text.stderr
    assert "2 environments lost Python 3.11.6 (/opt/homebrew/Cellar/python@3.11/3.11.6)" in text.stdout
    data = json.loads(venvdeck("interpreters", "--json", env=isolated).stdout)
    (lost,) = (g for g in data if g.get("missing"))
    assert lost["prefix"] == "/opt/homebrew/Cellar/python@3.11/3.11.6"
    assert lost["dependents"] == [str(home / "a" / ".venv"), str(home / "b" / ".venv")]
    assert all("missing" not in g and g["version"] for g in data if g is not lost)
