"""Session-wide set-up: offline pip, an isolated config, and wheels built once."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pythons import make_venv
from tests.support.shared import built_once, linked_copy
from tests.support.wheels import build_wheel

# Where the shell sets PYTHONDONTWRITEBYTECODE (this machine's does), every process of the run (each
# xdist worker, each `venvdeck` and pip the tests start) would compile the same modules again from
# source: seconds per test. The run keeps bytecode as an installed package would have it.
sys.dont_write_bytecode = False


@pytest.hookimpl(optionalhook=True)  # xdist's hook: unknown where xdist is not loaded
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Half again as many workers as CPUs: a third of the run's time is spent waiting on real
    processes (pip, uv, venvdeck) and on the dashboard's timers, and a third worker fills it
    (a 2-core machine ran the suite in 200 s instead of 242)."""
    return max(2, round((os.cpu_count() or 1) * 1.5))


@pytest.fixture(scope="session", autouse=True)
def offline_tools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """pip and uv read no machine config and never reach an index; venvdeck reads no user config."""
    config_home = tmp_path_factory.mktemp("config-home")
    cache_home = tmp_path_factory.mktemp("cache-home")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("PIP_", "UV_")) or name in {"VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH"}:
                mp.delenv(name)
        mp.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        mp.setenv("PIP_CONFIG_FILE", os.devnull)
        mp.setenv("PIP_NO_INDEX", "1")
        mp.setenv("PIP_RETRIES", "0")
        mp.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        mp.setenv("UV_NO_CONFIG", "1")
        mp.setenv("UV_OFFLINE", "1")
        mp.setenv("UV_CACHE_DIR", str(tmp_path_factory.mktemp("uv-cache")))
        mp.setenv("XDG_CONFIG_HOME", str(config_home))
        mp.setenv("XDG_CACHE_HOME", str(cache_home))  # venvdeck's operation locks
        mp.setenv("TZ", "UTC")  # dates in snapshots read the same on every machine
        time.tzset()
        yield
    time.tzset()


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """demo-dep, demo-app (needs demo-dep), an oddly spelled name, and a newer demo-dep."""

    def build(house: Path) -> None:
        build_wheel(house, "demo-dep", "1.0", summary="A dependency")
        build_wheel(house, "demo-dep", "1.1", summary="A dependency, newer")
        build_wheel(house, "demo-app", "0.1", requires=["demo-dep>=1.0"], summary="An app")
        build_wheel(house, "Foo.Bar_baz", "2.0", summary="An oddly spelled name")
        build_wheel(house, "rich", "13.3.1", module="rich_stub", summary="Stand-in for rich")

    return built_once(tmp_path_factory, "wheelhouse", build)


@pytest.fixture
def local_index(monkeypatch: pytest.MonkeyPatch, wheelhouse: Path) -> Path:
    """pip and uv find the session's wheels through their own settings, as a user's config would say."""
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheelhouse))
    monkeypatch.setenv("UV_FIND_LINKS", str(wheelhouse))
    monkeypatch.setenv("UV_NO_INDEX", "1")
    return wheelhouse


@pytest.fixture(scope="session")
def pip_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One venv with pip, made once (ensurepip is the slow part); tests copy it."""

    def build(folder: Path) -> None:
        make_venv(Path(sys.executable), folder / "env", with_pip=True)

    return built_once(tmp_path_factory, "pip-template", build) / "env"


@pytest.fixture
def pip_env(tmp_path: Path, pip_template: Path) -> Path:
    """A fresh venv with pip: a copy of the template (python -m pip works from a copy)."""
    return linked_copy(pip_template, tmp_path / "proj" / ".venv")


@pytest.fixture
def bare_env(tmp_path: Path) -> Path:
    """A fresh venv without pip."""
    return make_venv(Path(sys.executable), tmp_path / "bare" / ".venv")
