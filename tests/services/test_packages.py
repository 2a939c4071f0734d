"""list_packages and freeze against the real `pip list` / `pip freeze` of the same environment."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.services.conftest import PIP_ENV_VERSIONS
from tests.support.pythons import find_python, make_venv
from venvdeck.errors import InterpreterError
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.read.freeze import freeze
from venvdeck.services.read.on_disk import installed_packages
from venvdeck.services.read.packages import list_packages


def _pip_list(python: Path) -> list[tuple[str, str, str | None]]:
    out = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json"], check=True, capture_output=True, text=True
    ).stdout
    return [(d["name"], d["version"], d.get("editable_project_location")) for d in json.loads(out)]


def _pip_freeze(python: Path) -> str:
    return subprocess.run(
        [str(python), "-m", "pip", "freeze"], check=True, capture_output=True, text=True
    ).stdout


def _ours(env_path: Path) -> list[tuple[str, str, str | None]]:
    return [
        (p.name, p.version, str(p.editable_project_location) if p.editable_project_location else None)
        for p in _listing(env_path)
    ]


def _listing(env_path: Path) -> tuple:  # type: ignore[type-arg]

    return list_packages(resolve_environment(env_path)).packages


@pytest.mark.parametrize("version", PIP_ENV_VERSIONS)
def test_listing_matches_pip_list(version: str, pip_envs: dict[str, Path]) -> None:
    if version not in pip_envs:
        pytest.skip(f"no Python {version} here")
    env = pip_envs[version]
    ours = _ours(env)
    assert ours == _pip_list(env / "bin" / "python")
    names = {name.lower() for name, _, _ in ours}
    assert {"demo-app", "demo-dep", "pip"} <= names


@pytest.mark.parametrize("version", PIP_ENV_VERSIONS)
def test_freeze_matches_pip_freeze(version: str, pip_envs: dict[str, Path]) -> None:
    if version not in pip_envs:
        pytest.skip(f"no Python {version} here")
    env = pip_envs[version]
    result = freeze(resolve_environment(env))
    expected = _pip_freeze(env / "bin" / "python")
    assert result.text == expected
    assert "demo-app==0.1" in result.lines
    assert any(line.startswith("Foo.Bar") and " @ file://" in line for line in result.lines)


def test_freeze_shows_editables_like_pip(pip_envs: dict[str, Path]) -> None:
    env = pip_envs.get("3.11") or pytest.skip("no Python 3.11 here")
    lines = (freeze(resolve_environment(env))).lines
    assert "# Editable install with no version control (plain-edit==0.1)" in lines
    git_line = next(line for line in lines if line.startswith("-e git+https://example.invalid/git-edit.git@"))
    assert git_line.endswith("#egg=git_edit")


def test_top_level_keeps_what_the_user_asked_for(pip_envs: dict[str, Path]) -> None:
    env = pip_envs.get("3.11") or pytest.skip("no Python 3.11 here")
    lines = (freeze(resolve_environment(env), top_level=True)).lines
    assert "demo-app==0.1" in lines
    assert not any(line.startswith("demo-dep") for line in lines)


def test_listing_sees_an_install_made_after_the_first_listing(
    pip_envs: dict[str, Path], wheelhouse: Path, tmp_path: Path
) -> None:
    python = find_python("3.11") or pytest.skip("no Python 3.11 here")
    env_path = make_venv(python, tmp_path / "fresh")
    env = resolve_environment(env_path)
    assert [p.name for p in (list_packages(env)).packages] == []
    pip_python = pip_envs["3.11"] / "bin" / "python"
    subprocess.run(
        [
            str(pip_python),
            "-m",
            "pip",
            "--python",
            str(env_path / "bin" / "python"),
            "install",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            "demo-dep==1.0",
        ],
        check=True,
        capture_output=True,
    )
    assert [(p.name, p.version) for p in (list_packages(env)).packages] == [("demo-dep", "1.0")]


@pytest.mark.parametrize("version", ["2.7", "3.6", "3.7", "3.9", "3.10", "3.11", "3.12", "3.13"])
def test_base_interpreters_match_pip(version: str) -> None:
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here")
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True
    )
    if listed.returncode != 0 and "No module named pip" in listed.stderr:
        pytest.skip(f"Python {version} has no pip")
    assert listed.returncode == 0, listed.stderr
    pips = [(d["name"], d["version"], d.get("editable_project_location")) for d in json.loads(listed.stdout)]
    assert _ours(python) == pips
    assert freeze(resolve_environment(python)).text == _pip_freeze(python)


def test_environment_without_pip_lists_from_disk(
    wheelhouse: Path, tmp_path: Path, pip_envs: dict[str, Path]
) -> None:
    python = find_python("3.12") or pytest.skip("no Python 3.12 here")
    env_path = make_venv(python, tmp_path / "nopip")
    site = next((env_path / "lib").glob("python3.*/site-packages"))
    pip_python = pip_envs.get("3.11", env_path) / "bin" / "python"
    subprocess.run(
        [
            str(pip_python),
            "-m",
            "pip",
            "install",
            "--no-index",
            "--no-deps",
            "--target",
            str(site),
            "--find-links",
            str(wheelhouse),
            "demo-app",
        ],
        check=True,
        capture_output=True,
    )
    listing = list_packages(resolve_environment(env_path))
    assert [(p.name, p.version, p.requires) for p in listing.packages] == [
        ("demo-app", "0.1", ("demo-dep>=1.0",))
    ]
    assert listing.pip_version is None
    assert (freeze(listing.environment)).lines == ("demo-app==0.1",)


def test_broken_environment_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    python = find_python("3.11") or pytest.skip("no Python 3.11 here")
    base = tmp_path / "base" / "bin"  # a base Python reached through links, then uninstalled
    base.mkdir(parents=True)
    (base / "python3").symlink_to(python)
    env_path = make_venv(base / "python3", tmp_path / "broken")
    for link in (tmp_path / "base" / "bin").iterdir():
        link.unlink()
    base.rmdir()
    env = resolve_environment(env_path)
    assert env.is_broken
    with pytest.raises(InterpreterError, match="no longer exists"):
        list_packages(env)


def test_hung_interpreter_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "env"
    (fake / "bin").mkdir(parents=True)
    (fake / "pyvenv.cfg").write_text(f"home = {tmp_path}\nversion = 3.11.7\n")
    script = fake / "bin" / "python"
    script.write_text("#!/bin/sh\nsleep 30\n")
    script.chmod(0o755)
    monkeypatch.setattr("venvdeck.services.read.interpreters.PROBE_TIMEOUT_S", 0.5)
    # A script stands in for a Python that hangs as it starts; scripts are refused unrun
    # (test_hostile_reads.py), so here it is let through.
    monkeypatch.setattr("venvdeck.services.read.startup.is_script", lambda interpreter: False)
    started = time.monotonic()
    with pytest.raises(InterpreterError, match="did not answer"):
        list_packages(resolve_environment(fake))
    assert time.monotonic() - started < 5
    assert os.path.isdir(fake)


def test_a_broken_environment_lists_its_legacy_editables_from_disk(tmp_path: Path) -> None:
    """A `setup.py develop` editable is found through easy-install.pth: read from disk (its Python
    gone), it was left out, and a rebuild planned from that list dropped it without a word."""
    python = find_python("3.10")
    if python is None:
        pytest.skip("no Python 3.10 (its pip lists through pkg_resources, which follows .pth lines)")
    env = tmp_path / "env"
    subprocess.run([str(python), "-m", "venv", str(env)], check=True, capture_output=True)
    project = tmp_path / "edpkg"
    (project / "edpkg").mkdir(parents=True)
    (project / "edpkg" / "__init__.py").write_text("")
    (project / "setup.py").write_text(
        "from setuptools import setup\nsetup(name='edpkg', version='0.3', packages=['edpkg'])\n"
    )
    pip = [str(env / "bin" / "python"), "-m", "pip"]
    subprocess.run(
        [*pip, "install", "-q", "--no-index", "--no-build-isolation", "-e", str(project)],
        check=True,
        capture_output=True,
    )
    assert list((env / "lib" / "python3.10" / "site-packages").glob("edpkg.egg-link"))  # the legacy way
    listed = json.loads(
        subprocess.run([*pip, "list", "--format", "json"], check=True, capture_output=True, text=True).stdout
    )
    for name in ("python", "python3", "python3.10"):  # its Python is gone
        (env / "bin" / name).unlink()
    (env / "bin" / "python").symlink_to(tmp_path / "gone" / "python3.10")
    broken = resolve_environment(env)
    assert broken.is_broken
    from_disk, _pip = installed_packages(broken)
    assert {(p.name, p.version) for p in from_disk} == {(p["name"], p["version"]) for p in listed}
    assert "edpkg" in {p.name for p in from_disk}
