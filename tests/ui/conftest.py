"""A temporary home of real environments for the dashboard, and helpers to drive it."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.pythons import install, make_venv
from tests.support.shared import built_once
from venvdeck.app import VenvDeckApp
from venvdeck.services.change.settings import ActionSettings, Backend, find_uv
from venvdeck.services.find.discovery import DiscoveryOptions
from venvdeck.services.local import LocalEnvironmentService


@dataclass
class UiHome:
    root: Path
    shop: Path  # demo-app (requested) + demo-dep (its dependency)
    blog: Path  # Foo.Bar_baz only
    empty: Path  # nothing installed
    broken: Path  # its interpreter is gone


@pytest.fixture(scope="session")
def ui_home(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> UiHome:
    python = Path(sys.executable)

    def build(root: Path) -> None:
        install(make_venv(python, root / "code" / "shop" / ".venv"), wheelhouse, "demo-app")
        install(make_venv(python, root / "code" / "blog" / ".venv"), wheelhouse, "Foo.Bar_baz")
        make_venv(python, root / ".virtualenvs" / "empty")
        broken = make_venv(python, root / ".virtualenvs" / "gone")
        for link in (broken / "bin").glob("python*"):
            link.unlink()
        (broken / "bin" / "python").symlink_to(root / "no-such-python")

    root = built_once(tmp_path_factory, "ui-home", build)
    return UiHome(
        root,
        root / "code" / "shop" / ".venv",
        root / "code" / "blog" / ".venv",
        root / ".virtualenvs" / "empty",
        root / ".virtualenvs" / "gone",
    )


def real_app(*roots: Path, home: Path | None = None) -> VenvDeckApp:
    """The real service over roots. With home: that is HOME, and the only base interpreter offered
    for new environments is the one running the tests (on an otherwise empty PATH)."""
    environ = None
    if home is not None:
        python_dir = Path(sys.base_prefix) / "bin"
        environ = {
            **os.environ,
            "HOME": str(home),
            "PATH": str(python_dir),
            "PYENV_ROOT": str(home / ".pyenv"),
        }
        environ.pop("VIRTUAL_ENV", None)
    options = DiscoveryOptions(roots=list(roots), include_path_interpreters=False, environ=environ)
    return VenvDeckApp(LocalEnvironmentService(options, ActionSettings(Backend.PIP, find_uv())))
