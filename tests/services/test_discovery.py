"""Discovery over a home holding every kind of environment, decoys, links and a broken env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.homes import FakeHome, build_fake_home
from tests.support.pythons import require_python
from venvdeck.errors import EnvironmentNotFound
from venvdeck.models import Environment
from venvdeck.services.find.discovery import DiscoveryOptions, discover


def discover_all(options: DiscoveryOptions) -> list[Environment]:
    found: list[Environment] = []
    discover(options, found.append)
    return found


@pytest.fixture(scope="module")
def fake_home(tmp_path_factory: pytest.TempPathFactory) -> FakeHome:
    return build_fake_home(tmp_path_factory.mktemp("homes"), require_python("3.11"))


def _home_environ(fake: FakeHome, **extra: str) -> dict[str, str]:
    return {"HOME": str(fake.home), "PATH": "", **extra}


def _by_path(envs: list[Environment]) -> dict[Path, Environment]:
    return {env.path: env for env in envs}


def _check(found: dict[Path, Environment], fake: FakeHome) -> None:
    for path, expected in fake.expected.items():
        env = found.get(path)
        assert env is not None, f"not found: {path}"
        assert (env.kind.value, env.manager.value if env.manager else None) == (
            expected.kind,
            expected.manager,
        ), path
        assert env.python_version == expected.version, path
        assert env.status.value == expected.status, (path, env.broken_reason)
        assert env.project == expected.project, path


def test_root_walk_finds_every_kind_once_and_nothing_else(fake_home: FakeHome) -> None:
    envs = discover_all(DiscoveryOptions(roots=[fake_home.home], environ=_home_environ(fake_home)))
    paths = [env.path for env in envs]
    assert len(paths) == len(set(paths)), "an environment was reported twice"
    assert set(paths) == set(fake_home.expected)
    _check(_by_path(envs), fake_home)


def test_home_discovery_reads_registries_outside_home(fake_home: FakeHome) -> None:
    envs = discover_all(DiscoveryOptions(environ=_home_environ(fake_home)))
    found = _by_path(envs)
    assert fake_home.outside in found, "environments.txt entries outside home are found"
    assert found[fake_home.outside].manager is not None
    assert set(found) == {*fake_home.expected, fake_home.outside}
    _check(found, fake_home)


def test_broken_environment_says_why(fake_home: FakeHome, tmp_path: Path) -> None:
    envs = discover_all(
        DiscoveryOptions(roots=[fake_home.home / "code" / "delta"], environ=_home_environ(fake_home))
    )
    (env,) = envs
    assert env.is_broken
    assert env.broken_reason
    assert "no longer exists" in env.broken_reason

    # Through a chain of links (python -> python3 -> the base), the Python that is gone is named,
    # not the next link ("python3").
    chained = tmp_path / "chained" / ".venv"
    (chained / "bin").mkdir(parents=True)
    (chained / "pyvenv.cfg").write_text("home = /opt/gone/bin\nversion = 3.11.7\n")
    (chained / "bin" / "python3").symlink_to("/opt/gone/bin/python3.11")
    (chained / "bin" / "python").symlink_to("python3")
    (found,) = discover_all(DiscoveryOptions(roots=[chained.parent], environ=_home_environ(fake_home)))
    assert found.broken_reason is not None
    assert found.broken_reason.endswith("no longer exists (/opt/gone/bin/python3.11)")


def test_a_venv_whose_base_was_upgraded_in_place_is_broken_and_says_so(
    fake_home: FakeHome, tmp_path: Path
) -> None:
    """`brew upgrade python` (or a pyenv/uv link moved to a newer minor version): the venv's python
    starts, as 3.12, and finds none of the packages in lib/python3.11. It was listed as ok."""
    old, new = require_python("3.11"), require_python("3.12")
    base = tmp_path / "python3-current"  # the folder the venv was made from: a link to a version
    base.symlink_to(old.parent.parent)
    env = tmp_path / "proj" / ".venv"
    subprocess.run([str(base / "bin" / "python3"), "-m", "venv", "--without-pip", str(env)], check=True)
    options = DiscoveryOptions(roots=[env.parent], environ=_home_environ(fake_home))
    (found,) = discover_all(options)
    assert not found.is_broken, found.broken_reason
    base.unlink()
    base.symlink_to(new.parent.parent)
    (found,) = discover_all(options)
    assert found.is_broken
    assert found.broken_reason is not None
    assert "its Python is now 3.12" in found.broken_reason
    assert "made with 3.11" in found.broken_reason
    # No version in pyvenv.cfg, and a stray lib/python3.11 beside 3.12's: nothing says it changed.
    cfg = env / "pyvenv.cfg"
    cfg.write_text(
        "".join(line + "\n" for line in cfg.read_text().splitlines() if not line.startswith("version"))
    )
    (found,) = discover_all(options)
    assert not found.is_broken, found.broken_reason


def test_variables_move_managed_homes(tmp_path: Path) -> None:
    """WORKON_HOME, PIPX_HOME and POETRY_VIRTUALENVS_PATH outside home are honoured."""
    cfg = f"home = {Path(sys.executable).parent}\nversion = {sys.version_info[0]}.{sys.version_info[1]}.0\n"
    places = {"WORKON_HOME": "virtualenvwrapper", "PIPX_HOME": "pipx", "POETRY_VIRTUALENVS_PATH": "poetry"}
    environ = {"HOME": str(tmp_path / "home"), "PATH": ""}
    (tmp_path / "home").mkdir()
    expected = {}
    for var, manager in places.items():
        folder = tmp_path / var.lower()
        env = folder / "venvs" / "one" if var == "PIPX_HOME" else folder / "one"
        env.mkdir(parents=True)
        (env / "pyvenv.cfg").write_text(cfg)
        environ[var] = str(folder)
        expected[env] = manager
    envs = discover_all(DiscoveryOptions(environ=environ))
    assert {env.path: env.manager.value if env.manager else None for env in envs} == expected


def test_missing_root_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentNotFound, match="does not exist"):
        discover_all(DiscoveryOptions(roots=[tmp_path / "nope"]))


async def test_first_environment_arrives_before_the_walk_ends(fake_home: FakeHome) -> None:
    from venvdeck.models import DiscoveryReport
    from venvdeck.services.local import LocalEnvironmentService

    service = LocalEnvironmentService(
        DiscoveryOptions(roots=[fake_home.home], environ=_home_environ(fake_home))
    )
    generator = service.discover(DiscoveryReport())
    first = await anext(generator)
    assert first.path in fake_home.expected
    await generator.aclose()  # stopping early cancels the walk cleanly


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read every folder")
def test_unreadable_folder_is_skipped(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        assert discover_all(DiscoveryOptions(roots=[tmp_path], environ={"HOME": str(tmp_path)})) == []
    finally:
        locked.chmod(0o755)


def test_path_interpreters_skip_pyenv_shims(fake_home: FakeHome, tmp_path: Path) -> None:
    real_python = Path(os.path.realpath(sys.executable))
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python3").symlink_to(real_python)
    (bindir / real_python.name).symlink_to(real_python)
    environ = _home_environ(fake_home, PATH=f"{fake_home.home / '.pyenv' / 'shims'}{os.pathsep}{bindir}")
    envs = discover_all(DiscoveryOptions(environ=environ))
    assert not any("shims" in str(env.interpreter) for env in envs)
    bases = [env for env in envs if env.kind.value == "python" and env.path == real_python.parent.parent]
    assert len(bases) == 1
    # A pyenv version is named by its folder; another base install by its interpreter.
    expected_name = bases[0].path.name if bases[0].manager else real_python.name
    assert bases[0].name == expected_name
    assert bases[0].python_version
    assert bases[0].python_version.startswith(f"{sys.version_info[0]}.{sys.version_info[1]}")


def test_a_bind_mounted_environment_is_reported_once(tmp_path: Path) -> None:
    """A bind mount shows one folder at two paths that no path comparison finds alike: list, find
    and usage counted the environment twice (two copies, its disk twice)."""
    import shutil
    import subprocess

    from tests.support.pythons import make_venv

    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    mounted = tmp_path / "mnt"
    mounted.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root and mount")
    done = subprocess.run(["mount", "--bind", str(env.parent), str(mounted)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.decode().strip()}")
    try:
        found = discover_all(DiscoveryOptions(roots=[tmp_path], include_path_interpreters=False))
        assert len(found) == 1
        assert found[0].path in {env, mounted / ".venv"}
    finally:
        subprocess.run(["umount", str(mounted)], check=True)
