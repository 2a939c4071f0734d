"""How changes are made (the backend, where uv is): light, so the dashboard starts without
loading the planners, the requirement parser or packaging."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Backend(StrEnum):
    PIP = "pip"
    UV = "uv"


def find_uv(environ: Mapping[str, str] | None = None) -> Path | None:
    """uv on PATH, else the one installed beside venvdeck itself."""
    environ = os.environ if environ is None else environ
    found = shutil.which("uv", path=environ.get("PATH", ""))
    if found:
        return Path(found)
    beside = Path(sys.executable).parent / ("uv.exe" if sys.platform == "win32" else "uv")
    return beside if os.path.isfile(beside) and os.access(beside, os.X_OK) else None


@dataclass(frozen=True, slots=True)
class ActionSettings:
    """How changes are made: from the config file, overridden by command-line flags."""

    backend: Backend = Backend.PIP
    uv: Path | None = None
    override_externally_managed: bool = False

    @classmethod
    def detect(cls, backend: str = "pip", override_externally_managed: bool = False) -> ActionSettings:
        return cls(Backend(backend), find_uv(), override_externally_managed)
