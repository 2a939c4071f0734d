"""Deleting: what must be refused is refused (nothing changes), and what is deleted is only the environment."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.homes import _base_install, _venv_files
from tests.support.pythons import make_venv
from venvdeck.errors import EnvironmentBusy, RefusedError
from venvdeck.models import Environment
from venvdeck.services.delete import delete_environment, plan_delete
from venvdeck.services.discovery import DiscoveryOptions, discover_sync
from venvdeck.services.operations import EnvironmentLocks, OperationRunner

PYTHON = Path(sys.executable)


def _environ(home: Path, **extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "CONDA_PREFIX"}}
    return {**environ, "HOME": str(home), "PATH": "/usr/bin:/bin", **extra}


def _known(*roots: Path) -> list[Environment]:
    found: list[Environment] = []
    discover_sync(DiscoveryOptions(roots=list(roots), include_path_interpreters=False), found.append)
    return found


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


async def test_deleting_a_venv_removes_it_and_nothing_else(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "proj" / ".venv")
    (tmp_path / "proj" / "app.py").write_text("print('keep me')")
    plan = plan_delete(env, _known(tmp_path), environ=_environ(tmp_path))
    assert plan.size is not None
    assert plan.size.freed_bytes > 0
    result = await delete_environment(plan, _known(tmp_path), OperationRunner(), environ=_environ(tmp_path))
    assert not env.exists()
    assert (tmp_path / "proj" / "app.py").read_text() == "print('keep me')"
    assert [p.name for p in (tmp_path / "proj").iterdir()] == ["app.py"]  # no leftovers beside it
    assert result.freed_bytes == plan.size.freed_bytes


def test_a_symlink_is_refused_and_only_the_link_can_go(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "real-env")
    link = tmp_path / "link-env"
    link.symlink_to(env)
    with pytest.raises(RefusedError, match="symbolic link"):
        plan_delete(link, [], environ=_environ(tmp_path))
    plan = plan_delete(link, [], unlink_only=True, environ=_environ(tmp_path))
    assert plan.unlink_only
    assert "the environment at" in plan.summary


async def test_removing_the_link_keeps_the_environment(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "real-env")
    link = tmp_path / "link-env"
    link.symlink_to(env)
    plan = plan_delete(link, [], unlink_only=True, environ=_environ(tmp_path))
    await delete_environment(plan, [], OperationRunner(), environ=_environ(tmp_path))
    assert not os.path.lexists(link)
    assert (env / "pyvenv.cfg").is_file()


@pytest.mark.parametrize("name", ["plain-folder", "missing"])
def test_what_is_not_an_environment_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / "plain-folder").mkdir()
    (tmp_path / "plain-folder" / "data.csv").write_text("1,2\n")
    with pytest.raises(RefusedError):
        plan_delete(tmp_path / name, [], environ=_environ(tmp_path))
    assert (tmp_path / "plain-folder" / "data.csv").exists()


def test_venvdecks_own_environment_is_refused() -> None:
    with pytest.raises(RefusedError, match="venvdeck itself runs from"):
        plan_delete(sys.prefix, [], environ=_environ(Path("/nonexistent-home")))


def test_the_active_environment_is_refused(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "active")
    with pytest.raises(RefusedError, match="active environment"):
        plan_delete(env, [], environ=_environ(tmp_path, VIRTUAL_ENV=str(env)))


def test_a_base_other_environments_use_is_refused_and_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    versions = home / ".pyenv" / "versions"
    used = _base_install(versions / "3.11.9", "3.11.9")
    unused = _base_install(versions / "3.10.14", "3.10.14")
    child = _venv_files(
        home / "proj" / ".venv", f"home = {used}/bin\nversion = 3.11.9\n", used / "bin" / "python3.11"
    )
    environ = _environ(home, PYENV_ROOT=str(home / ".pyenv"))
    known = _known(home)
    assert {e.path for e in known} >= {used, unused, child}
    with pytest.raises(RefusedError, match=f"base of other environments: {child}"):
        plan_delete(used, known, environ=environ)
    assert plan_delete(unused, known, environ=environ).environment.manager == "pyenv"  # nobody uses it


def test_a_system_python_is_refused() -> None:
    with pytest.raises(RefusedError):
        plan_delete("/usr", [], environ=_environ(Path("/nonexistent-home")))


def test_a_conda_base_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "miniconda3"
    (base / "conda-meta").mkdir(parents=True)
    (base / "condabin").mkdir()
    (base / "bin").mkdir()
    (base / "bin" / "python").symlink_to(PYTHON)
    with pytest.raises(RefusedError, match="conda base"):
        plan_delete(base, [], environ=_environ(tmp_path))
    assert (base / "conda-meta").is_dir()


def test_an_environment_that_is_the_home_folder_is_refused(tmp_path: Path) -> None:
    home = make_venv(PYTHON, tmp_path / "home-is-a-venv")
    with pytest.raises(RefusedError, match="home folder"):
        plan_delete(home, [], environ=_environ(home))


async def test_a_folder_replaced_after_the_check_is_not_deleted(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "swap")
    plan = plan_delete(env, [], environ=_environ(tmp_path))
    shutil.rmtree(env)
    make_venv(PYTHON, env)  # the same path, another folder
    (env / "precious.txt").write_text("new work")
    with pytest.raises(RefusedError, match="changed since it was checked"):
        await delete_environment(plan, [], OperationRunner(), environ=_environ(tmp_path))
    assert (env / "precious.txt").exists()


async def test_markers_gone_after_the_check_means_no_delete(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "was-env")
    plan = plan_delete(env, [], environ=_environ(tmp_path))
    for item in env.iterdir():
        shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()
    (env / "thesis.tex").write_text("\\documentclass{article}")
    with pytest.raises(RefusedError, match="not a Python environment"):
        await delete_environment(plan, [], OperationRunner(), environ=_environ(tmp_path))
    assert (env / "thesis.tex").exists()


async def test_an_interrupted_delete_leaves_nothing_that_looks_like_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_venv(PYTHON, tmp_path / "proj" / ".venv")
    plan = plan_delete(env, [], environ=_environ(tmp_path))

    def interrupted(path: object, *args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(shutil, "rmtree", interrupted)
    with pytest.raises(RefusedError, match=r"moved to .* but could not be removed"):
        await delete_environment(plan, [], OperationRunner(), environ=_environ(tmp_path))
    assert not env.exists()  # nothing at the old path claims to be an environment
    (aside,) = list((tmp_path / "proj").iterdir())
    assert aside.name.startswith("..venv.venvdeck-deleting-")


async def test_a_delete_waits_for_no_one_while_an_operation_runs(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "busy")
    runner = OperationRunner(EnvironmentLocks(tmp_path / "locks"))
    plan = plan_delete(env, [], environ=_environ(tmp_path))
    with runner.locks.hold(env, "install"), pytest.raises(EnvironmentBusy):
        await delete_environment(plan, [], runner, environ=_environ(tmp_path))
    assert (env / "pyvenv.cfg").is_file()


def test_a_pipx_environment_is_removed_by_pipx_when_it_is_installed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = make_venv(PYTHON, home / ".local" / "share" / "pipx" / "venvs" / "httpie")
    (env / "pipx_metadata.json").write_text("{}")
    plan = plan_delete(env, [], environ=_environ(home))
    assert plan.owner_argv is None
    assert any("pipx is not installed" in w for w in plan.warnings)
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pipx").write_text("#!/bin/sh\nexit 0\n")
    (tools / "pipx").chmod(0o755)
    plan = plan_delete(env, [], environ=_environ(home, PATH=str(tools)))
    assert plan.owner_argv == (str(tools / "pipx"), "uninstall", "--", "httpie")


def test_a_poetry_environment_warns_that_poetry_recreates_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = make_venv(PYTHON, home / ".cache" / "pypoetry" / "virtualenvs" / "shop-Xq3b1Kd2-py3.12")
    plan = plan_delete(env, [], environ=_environ(home))
    assert plan.warnings == ("poetry recreates it the next time it runs in the project",)


def test_nothing_is_touched_by_a_refusal(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "active")
    before = _snapshot(tmp_path)
    with pytest.raises(RefusedError):
        plan_delete(env, [], environ=_environ(tmp_path, VIRTUAL_ENV=str(env)))
    assert _snapshot(tmp_path) == before


async def test_a_folder_that_cannot_be_moved_aside_is_left_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_venv(PYTHON, tmp_path / "mounted")
    plan = plan_delete(env, [], environ=_environ(tmp_path))
    before = _snapshot(env)

    def busy(src: object, dst: object) -> None:
        raise OSError(16, "Device or resource busy")

    monkeypatch.setattr(os, "rename", busy)
    with pytest.raises(RefusedError, match=r"could not move .* aside"):
        await delete_environment(plan, [], OperationRunner(), environ=_environ(tmp_path))
    assert _snapshot(env) == before
