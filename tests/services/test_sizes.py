"""Sizes count each file once and never count as freed what a package cache still holds."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.support.pythons import install, make_venv
from venvdeck.models import Environment, Kind, Manager
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.read.packages import list_packages
from venvdeck.services.read.sizes import is_measurable, measure


def _blocks(path: Path) -> int:
    return path.stat().st_blocks * 512


def _venv(tmp_path: Path) -> Environment:
    return resolve_environment(make_venv(Path(sys.executable), tmp_path / "env"))


def test_a_file_hard_linked_from_a_cache_is_on_disk_but_not_freed(tmp_path: Path) -> None:
    env = _venv(tmp_path)
    before = measure(env)
    cache = tmp_path / "uv-cache"
    cache.mkdir()
    (cache / "big.so").write_bytes(os.urandom(1_000_000))
    os.link(cache / "big.so", env.path / "big.so")  # as uv installs: a hard link into its cache

    after = measure(env)
    blocks = _blocks(cache / "big.so")
    assert after.disk_bytes - before.disk_bytes == blocks
    assert after.freed_bytes - before.freed_bytes == 0
    assert after.shared_files == before.shared_files + 1


def test_hard_links_inside_the_environment_count_once_and_are_freed(tmp_path: Path) -> None:
    env = _venv(tmp_path)
    before = measure(env)
    (env.path / "a.bin").write_bytes(os.urandom(500_000))
    os.link(env.path / "a.bin", env.path / "b.bin")
    after = measure(env)
    blocks = _blocks(env.path / "a.bin")
    assert after.disk_bytes - before.disk_bytes == blocks
    assert after.freed_bytes - before.freed_bytes == blocks
    assert after.files == before.files + 2


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    env = _venv(tmp_path)
    before = measure(env)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "huge.bin").write_bytes(os.urandom(2_000_000))
    (env.path / "link-dir").symlink_to(outside)
    after = measure(env)
    assert after.disk_bytes - before.disk_bytes < 100_000


def test_a_conda_base_does_not_count_its_nested_environments(tmp_path: Path) -> None:
    base = tmp_path / "miniconda3"
    (base / "conda-meta").mkdir(parents=True)
    (base / "python.bin").write_bytes(os.urandom(300_000))
    (base / "envs" / "data" / "conda-meta").mkdir(parents=True)
    (base / "envs" / "data" / "big.bin").write_bytes(os.urandom(3_000_000))
    env = Environment(base, Kind.CONDA, Manager.CONDA, None, None)
    assert measure(env).disk_bytes < 1_000_000


def test_a_system_prefix_is_not_measured() -> None:
    usr = Environment(Path("/usr"), Kind.PYTHON, None, Path("/usr/bin/python3"), "3.11.2")
    pyenv = Environment(Path("/root/.pyenv/versions/3.12.1"), Kind.PYTHON, Manager.PYENV, None, "3.12.1")
    assert not is_measurable(usr)
    assert is_measurable(pyenv)


def test_package_sizes_add_up_the_files_each_wheel_installed(tmp_path: Path, wheelhouse: Path) -> None:
    from venvdeck.services.read.sizes import package_sizes

    env = _venv(tmp_path)
    install(env.path, wheelhouse, "demo-app")
    listing = list_packages(env)
    sizes = package_sizes(listing.packages)
    assert set(sizes) == {"demo-app", "demo-dep"}
    app = next(p for p in listing.packages if p.name == "demo-app")
    assert app.metadata_path is not None
    assert app.location is not None
    on_disk = sum(
        f.stat().st_size
        for f in [*app.metadata_path.iterdir(), *(app.location / "demo_app").rglob("*")]
        if f.is_file()
    )
    assert sizes["demo-app"] == on_disk
