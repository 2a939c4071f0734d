"""Rebuilding environments in place: real interpreters that really disappear, real installs from
local wheels, and the promise checked on the disk: a complete new environment, or the old one
exactly as it was (names, modes, sizes, times, contents, link targets)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support.bases import removable_base, tree_snapshot
from tests.support.homes import _venv_files
from tests.support.pythons import install, make_venv
from tests.support.wheels import build_wheel, write_project
from venvdeck.errors import NoInterpreter, OperationCancelled, RefusedError
from venvdeck.models import Environment, Kind, Manager, Status
from venvdeck.services.change.delete import plan_delete
from venvdeck.services.change.locks import EnvironmentLocks
from venvdeck.services.change.settings import ActionSettings, Backend, find_uv
from venvdeck.services.find import layout
from venvdeck.services.find.classify import classify_path
from venvdeck.services.find.discovery import DiscoveryOptions, base_interpreters, discover
from venvdeck.services.find.locations import known_locations
from venvdeck.services.repair.rebuilding import finish_all_interrupted, recreate_environment
from venvdeck.services.repair.recreate import plan_recreate

VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
UV = ActionSettings.detect("pip")


def _env(path: Path) -> Environment:
    env = classify_path(path, known_locations())
    assert env is not None
    return env


def _site(env: Path) -> dict[str, str]:
    """name → version of every dist-info, from the folder names."""
    found = {}
    for info in env.glob("lib/python*/site-packages/*.dist-info"):
        name, version = info.name[: -len(".dist-info")].split("-", 1)
        found[name.lower().replace("_", "-")] = version
    return found


def _lost_env(tmp_path: Path, wheelhouse: Path, *requirements: str, ghost: bool = False) -> Path:
    """A venv (without pip) made from a Python that was then removed, holding what was asked for
    (ghost: also a package no local wheel provides any more)."""
    python = removable_base(tmp_path / "gone-python")
    env = make_venv(python, tmp_path / "proj" / ".venv")
    install(env, wheelhouse, *requirements)
    if ghost:
        install(env, build_wheel(tmp_path / "elsewhere", "ghost-pkg", "1.0").parent, "ghost-pkg")
    shutil.rmtree(tmp_path / "gone-python")
    assert _env(env).status is Status.BROKEN
    return env


def _leftovers(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(".venvdeck-"))


@pytest.mark.usefixtures("local_index")
def test_a_venv_that_lost_its_python_comes_back_at_its_path_with_what_was_asked_for(
    tmp_path: Path, wheelhouse: Path
) -> None:
    env = _lost_env(tmp_path, wheelhouse, "demo-app", "rich==13.3.1")
    plan = plan_recreate(_env(env), base_interpreters(), UV, python=VERSION)
    assert [r.text for r in plan.requirements] == ["demo-app==0.1", "rich==13.3.1"]
    assert plan.base.python_version is not None
    assert plan.base.python_version.startswith(VERSION)
    assert plan.steps[0].argv[-2:] == ("--", str(env))
    assert "--without-pip" in plan.steps[0].argv  # it had no pip: the new one neither (uv installs)
    old_inode = env.stat().st_ino
    lines: list[str] = []
    result = recreate_environment(plan, EnvironmentLocks(), lines.append)
    assert result.ok, result.output
    rebuilt = _env(env)
    assert rebuilt.status is Status.OK
    assert env.stat().st_ino != old_inode
    assert _site(env) == {"demo-app": "0.1", "demo-dep": "1.1", "rich": "13.3.1"}
    assert _leftovers(env.parent) == []
    assert any(line.startswith("$ ") and "install" in line for line in lines)


@pytest.mark.usefixtures("local_index")
def test_a_rebuild_with_the_uv_backend_makes_the_venv_with_uv(tmp_path: Path, wheelhouse: Path) -> None:
    """uv venv takes only an empty folder: a marker written into it first made every such rebuild fail."""
    uv = find_uv()
    if uv is None:
        pytest.skip("uv is not installed")
    env = _lost_env(tmp_path, wheelhouse, "demo-app")
    plan = plan_recreate(_env(env), base_interpreters(), ActionSettings(Backend.UV, uv=uv), python=VERSION)
    assert plan.steps[0].argv[:2] == (str(uv), "venv")
    result = recreate_environment(plan, EnvironmentLocks(), lambda _line: None)
    assert result.ok, result.output
    assert _site(env) == {"demo-app": "0.1", "demo-dep": "1.1"}
    assert sorted(os.listdir(env)) == sorted(n for n in os.listdir(env) if not n.startswith(".venvdeck"))


@pytest.mark.usefixtures("local_index")
def test_a_failed_install_puts_the_old_environment_back_byte_for_byte(
    tmp_path: Path, wheelhouse: Path
) -> None:
    env = _lost_env(tmp_path, wheelhouse, "demo-app", ghost=True)
    plan = plan_recreate(_env(env), base_interpreters(), UV, python=VERSION)
    assert "ghost-pkg==1.0" in [r.text for r in plan.requirements]  # no local wheel has it now
    before, beside = tree_snapshot(env), sorted(os.listdir(env.parent))
    result = recreate_environment(plan, EnvironmentLocks())
    assert not result.ok
    assert result.restored
    assert "the old environment is back as it was" in result.message
    assert any("ghost-pkg" in line for line in result.output)  # the installer's own error
    assert tree_snapshot(env) == before
    assert sorted(os.listdir(env.parent)) == beside


@pytest.mark.usefixtures("local_index")
def test_a_cancelled_rebuild_puts_the_old_environment_back(tmp_path: Path, wheelhouse: Path) -> None:
    env = _lost_env(tmp_path, wheelhouse, "demo-app")
    plan = plan_recreate(_env(env), base_interpreters(), UV, python=VERSION)
    before = tree_snapshot(env)
    cancel = threading.Event()

    def on_line(line: str) -> None:
        if line.startswith("$ ") and " install " in line:
            cancel.set()

    with pytest.raises(OperationCancelled, match="cancelled; the old environment is back as it was"):
        recreate_environment(plan, EnvironmentLocks(), on_line, cancel)
    assert tree_snapshot(env) == before
    assert _leftovers(env.parent) == []


def test_a_rebuild_stopped_by_ctrl_c_says_the_old_environment_is_back(
    tmp_path: Path, wheelhouse: Path
) -> None:
    """Ctrl-C, SIGTERM or SIGHUP printed only 'venvdeck: stopped': read as a loss."""
    env = _lost_env(tmp_path, wheelhouse, "demo-app")
    plan = plan_recreate(_env(env), base_interpreters(), UV, python=VERSION)
    before = tree_snapshot(env)
    lines: list[str] = []

    def on_line(line: str) -> None:
        lines.append(line)
        if line.startswith("$ ") and " install " in line:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        recreate_environment(plan, EnvironmentLocks(), on_line)
    assert lines[-1] == "venvdeck: stopped; the old environment is back as it was"
    assert tree_snapshot(env) == before


def _aside(env: Path, token: str = "0123456789abcdef") -> Path:
    return env.parent / f"{layout.RECREATING_PREFIX}{token}-{env.name}"


def test_an_interrupted_rebuild_is_never_listed_and_the_next_run_puts_the_old_one_back(
    tmp_path: Path,
) -> None:
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    before = tree_snapshot(env)
    aside = _aside(env)
    env.rename(aside)
    (env / "bin").mkdir(parents=True)  # the new one, half made
    (env / "pyvenv.cfg").write_text("home = /nowhere\n")
    found: list[Environment] = []
    report = discover(DiscoveryOptions(roots=[tmp_path], include_path_interpreters=False), found.append)
    assert [e.path for e in found] == [env]  # the aside folder is no environment
    assert report.pending_deletions == [aside]
    (line,) = finish_all_interrupted(report.pending_deletions)
    assert line.startswith(f"put back {env} as it was")
    assert tree_snapshot(env) == before
    assert _leftovers(env.parent) == []
    (kept,) = env.parent.glob(".venv-interrupted-rebuild-*")  # what it had made: kept, in sight
    assert f"kept in {kept}" in line
    assert (kept / "pyvenv.cfg").read_text() == "home = /nowhere\n"


def test_an_interrupted_rebuild_whose_processes_still_run_is_left_alone(tmp_path: Path) -> None:
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    aside = _aside(env)
    env.rename(aside)
    fd = os.open(aside, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as the orphaned installer holding the lock would
        (line,) = finish_all_interrupted([aside])
        assert "is still running" in line
        assert aside.is_dir()
        assert not env.exists()
    finally:
        os.close(fd)
    finish_all_interrupted([aside])
    assert (env / "pyvenv.cfg").is_file()


def test_what_is_not_a_partial_rebuild_at_the_path_is_never_removed(tmp_path: Path) -> None:
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    aside = _aside(env)
    env.rename(aside)
    env.mkdir()
    (env / "thesis.tex").write_text("keep me")
    (line,) = finish_all_interrupted([aside])
    # Kept, in sight, and the old environment back (left hidden aside, every later run said so,
    # and recreate and delete refused for ever).
    (kept,) = env.parent.glob(".venv-interrupted-rebuild-*")
    assert f"what was at {env} is kept in {kept}" in line
    assert (kept / "thesis.tex").read_text() == "keep me"
    assert (env / "pyvenv.cfg").is_file()
    assert not aside.exists()
    env.rename(tmp_path / "elsewhere")  # a link in its place, twice in one second: kept too, apart
    env.symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").rename(aside)
    (line,) = finish_all_interrupted([aside])
    assert "is kept in" in line
    assert len(list(env.parent.glob(".venv-interrupted-rebuild-*"))) == 2
    assert (env / "pyvenv.cfg").is_file()
    assert not env.is_symlink()


def test_a_half_built_folder_used_after_the_rebuild_was_killed_is_kept(tmp_path: Path) -> None:
    """A read-only `venvdeck list` put the old environment back over a half-built one the user had
    installed into and saved work in since the rebuild was killed, and deleted it."""
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    aside = _aside(env)
    env.rename(aside)
    (env / "bin").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("home = /nowhere\n")
    (env / "bin" / "work.py").write_text("saved after the rebuild died")
    (line,) = finish_all_interrupted([aside])
    assert line.startswith(f"put back {env} as it was")
    (kept,) = env.parent.glob(".venv-interrupted-rebuild-*")
    assert (kept / "bin" / "work.py").read_text() == "saved after the rebuild died"
    assert (env / "pyvenv.cfg").read_text() != "home = /nowhere\n"  # the old one, back


def test_no_rebuild_or_delete_is_planned_while_an_earlier_rebuild_keeps_the_old_one_aside(
    tmp_path: Path,
) -> None:
    """A second rebuild planned from the first one's half-built folder carried nothing, and wiped
    the finished rebuild; a delete said it freed 16 MB while the 215 MB old one stayed aside."""
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    aside = _aside(env)
    shutil.copytree(env, aside, symlinks=True)
    with pytest.raises(RefusedError, match="still running or was interrupted"):
        plan_recreate(_env(env), base_interpreters(), UV, python=VERSION)
    with pytest.raises(RefusedError, match="still running or was interrupted"):
        plan_delete(env, lambda: [], environ={"HOME": str(tmp_path / "home")})
    assert aside.is_dir()
    assert env.is_dir()


def test_a_rebuild_never_replaces_source_checkouts_in_the_environment(tmp_path: Path) -> None:
    """pip clones `-e git+…` into ENV/src: a rebuild deleted them, uncommitted work included."""
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    (env / "src" / "edpkg").mkdir(parents=True)
    (env / "src" / "edpkg" / "wip.py").write_text("# not committed")
    with pytest.raises(RefusedError, match=r"src holds source checkouts \(edpkg\)"):
        plan_recreate(_env(env), base_interpreters(), UV, python=VERSION)
    assert (env / "src" / "edpkg" / "wip.py").is_file()


def _git(folder: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def test_the_plan_brings_back_editables_direct_urls_and_vcs_at_their_commit(
    tmp_path: Path, wheelhouse: Path
) -> None:
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    edit = write_project(tmp_path / "src" / "plain-edit", "plain-edit", "0.1")
    gone = write_project(tmp_path / "src" / "gone-edit", "gone-edit", "0.2")
    repo = write_project(tmp_path / "src" / "vcs-pkg", "vcs-pkg", "0.3")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "init")
    commit = _git(repo, "rev-parse", "HEAD")
    wheel = next(wheelhouse.glob("Foo.Bar_baz-*.whl"))
    install(env, wheelhouse, "demo-app", str(wheel), "-e", str(edit), "-e", str(gone), f"git+{repo.as_uri()}")
    shutil.rmtree(gone)
    (env / "bin" / "postactivate").write_text("export SECRET_PLACE=1\n")  # a hook put there by hand
    plan = plan_recreate(_env(env), base_interpreters(), UV, python=VERSION)
    texts = [r.text for r in plan.requirements]
    assert texts[0] == f"--editable={edit}"
    assert "demo-app==0.1" in texts
    assert f"vcs-pkg @ git+{repo.as_uri()}@{commit}" in texts
    assert any(t.startswith(f"Foo.Bar_baz @ {wheel.as_uri()}#sha256=") for t in texts)
    missing, hook = plan.not_carried
    assert missing.name == "gone-edit"
    assert "source folder" in missing.reason
    assert (hook.name, hook.reason) == (
        "bin/postactivate",
        "not from any package (a script or hook put there by hand)",
    )
    install_step = plan.steps[-1].argv
    assert install_step.index(f"--editable={edit}") < install_step.index("--")
    exact = plan_recreate(_env(env), base_interpreters(), UV, python=VERSION, exact=True)
    assert "demo-dep==1.1" in [r.text for r in exact.requirements]  # every distribution pinned


@pytest.mark.usefixtures("local_index")
def test_in_a_uv_made_environment_the_projects_declared_dependencies_say_what_was_asked(
    tmp_path: Path,
) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["demo-app>=0.1"]\n'
    )
    env = make_venv(Path(sys.executable), project / ".venv")
    uv = ActionSettings.detect("uv").uv
    assert uv is not None
    subprocess.run(
        [str(uv), "pip", "install", "--python", str(env / "bin" / "python"), "demo-app", "rich"],
        check=True,
        capture_output=True,
    )
    assert (next(env.glob("lib/*/site-packages/demo_dep-*.dist-info")) / "REQUESTED").exists()  # uv marks all
    plan = plan_recreate(_env(env), base_interpreters(), UV, python=VERSION)
    assert [r.text for r in plan.requirements] == ["demo-app==0.1"]
    assert plan.requirements[0].why == "declared by the project"
    (project / "pyproject.toml").unlink()
    plan = plan_recreate(_env(env), base_interpreters(), UV, python=VERSION)
    assert [r.text for r in plan.requirements] == ["demo-app==0.1", "rich==13.3.1"]  # none requires them


@pytest.mark.usefixtures("local_index")
def test_a_pipx_environment_without_pipx_is_rebuilt_plainly_and_keeps_its_record(
    tmp_path: Path, wheelhouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPX_HOME", str(tmp_path / "pipx"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    env = make_venv(Path(sys.executable), tmp_path / "pipx" / "venvs" / "demo-app")
    install(env, wheelhouse, "demo-app", "rich==13.3.1")
    record = (
        '{"main_package": {"package": "demo-app", "package_or_url": "demo-app", "pip_args": ["--pre"]},'
        ' "injected_packages": {}, "pipx_metadata_version": "0.5"}'
    )
    (env / "pipx_metadata.json").write_text(record)
    old = _env(env)
    assert old.manager is Manager.PIPX
    plan = plan_recreate(old, base_interpreters(), UV, python=VERSION)
    assert plan.method == "plain"
    assert [r.text for r in plan.requirements] == ["demo-app==0.1"]  # rich was not in pipx's record
    assert "pipx is not installed" in " ".join(plan.warnings)
    assert [n.name for n in plan.not_carried] == ["pip arguments"]
    assert recreate_environment(plan, EnvironmentLocks()).ok
    assert (env / "pipx_metadata.json").read_text() == record
    assert _env(env).manager is Manager.PIPX
    assert "rich" not in _site(env)


def _tool_wheel(folder: Path) -> Path:
    """A wheel with a console script (uv tool install needs one)."""
    import zipfile

    from tests.support.wheels import _record_row

    info = "demo_tool-1.0.dist-info"
    files = {
        "demo_tool/__init__.py": b"def main():\n    print('demo-tool works')\n",
        f"{info}/METADATA": b"Metadata-Version: 2.1\nName: demo-tool\nVersion: 1.0\n",
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": b"[console_scripts]\ndemo-tool = demo_tool:main\n",
    }
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / "demo_tool-1.0-py3-none-any.whl"
    rows = [_record_row(p, d) for p, d in files.items()] + [f"{info}/RECORD,,"]
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{info}/RECORD", "\n".join(rows) + "\n")
    return wheel


def test_a_uv_tool_is_rebuilt_by_uv_at_its_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uv = ActionSettings.detect("uv").uv
    if uv is None:
        pytest.skip("uv is not installed")
    house = tmp_path / "wheels"
    _tool_wheel(house)
    for name, value in {
        "UV_TOOL_DIR": tmp_path / "tools",
        "UV_TOOL_BIN_DIR": tmp_path / "bin",
        "UV_FIND_LINKS": house,
        "UV_NO_INDEX": "1",
        "UV_PYTHON_DOWNLOADS": "never",
    }.items():
        monkeypatch.setenv(name, str(value))
    python = removable_base(tmp_path / "gone-python")
    subprocess.run(
        [str(uv), "tool", "install", "--python", str(python), "demo-tool"], check=True, capture_output=True
    )
    shutil.rmtree(tmp_path / "gone-python")
    env = tmp_path / "tools" / "demo-tool"
    old = _env(env)
    assert (old.manager, old.status) == (Manager.UV, Status.BROKEN)
    plan = plan_recreate(old, base_interpreters(), UV, python=VERSION)
    assert plan.method == "uv tool"
    assert plan.steps[0].argv[1:6] == ("tool", "install", "--reinstall", "--force", "--python")
    assert plan.steps[0].argv[-2:] == ("--", "demo-tool")
    result = recreate_environment(plan, EnvironmentLocks())
    assert result.ok, result.output
    assert _env(env).status is Status.OK
    ran = subprocess.run([str(tmp_path / "bin" / "demo-tool")], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "demo-tool works"


def test_refusals_change_nothing_and_say_why(tmp_path: Path) -> None:
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    bases = base_interpreters()
    with pytest.raises(RefusedError, match=r"no base interpreter matches '2\.9' \(found: .*3\.\d+"):
        plan_recreate(_env(env), bases, UV, python="2.9")
    old = _venv_files(
        tmp_path / "old" / ".venv", "home = /gone/bin\nversion = 3.4.10\n", Path("/gone/bin/python3.4")
    )
    with pytest.raises(NoInterpreter, match=r"no Python 3\.4 is installed .*\(found: .*\)$"):
        plan_recreate(_env(old), bases, UV)
    (env / "notes.txt").write_text("mine")
    with pytest.raises(RefusedError, match=r"holds notes\.txt, which is not part of an environment"):
        plan_recreate(_env(env), bases, UV, python=VERSION)
    conda = tmp_path / "conda-env"
    (conda / "conda-meta").mkdir(parents=True)
    (conda / "conda-meta" / "history").write_text("")
    (conda / "conda-meta" / "python-3.11.5-h1_0.json").write_text("{}")
    with pytest.raises(RefusedError, match=r"conda rebuilds it \(`conda install --prefix .* python=3\.11`\)"):
        plan_recreate(_env(conda), bases, UV)
    base = next(b for b in bases if b.kind is Kind.PYTHON)
    with pytest.raises(RefusedError, match="is a base interpreter install, not an environment"):
        plan_recreate(base, bases, UV)
    assert (env / "notes.txt").read_text() == "mine"


def test_what_ensurepip_seeded_is_not_carried_with_a_pin(pip_env: Path) -> None:
    """ensurepip marks setuptools as asked for: a Debian venv rebuilt on pyenv's Python asked the
    index for setuptools==66.1.1 (Debian's), and the rebuild failed for nothing the user did."""
    plan = plan_recreate(_env(pip_env), base_interpreters(), UV, python=VERSION)
    assert "setuptools" not in {r.name for r in plan.requirements}
    assert any(w.startswith("setuptools: the new environment gets its own Python") for w in plan.warnings), (
        plan.warnings
    )
