"""Turning what a user typed (an environment folder or an interpreter path) into an Environment."""

from __future__ import annotations

import os
from pathlib import Path

from venvdeck.errors import EnvironmentNotFound
from venvdeck.models import Environment
from venvdeck.services.classify import base_install_for_interpreter, classify_path
from venvdeck.services.locations import KnownLocations, known_locations


def resolve_environment(target: str | Path, loc: KnownLocations | None = None) -> Environment:
    """The environment at target, or EnvironmentNotFound with a one-line reason."""
    loc = loc or known_locations()
    text = str(target)
    if not text.strip():
        raise EnvironmentNotFound("no environment given")
    path = Path(os.path.expanduser(text)).absolute()
    if not os.path.lexists(path):
        raise EnvironmentNotFound(f"no such file or folder: {text}")
    if path.is_dir():
        env = classify_path(path, loc)
        if env is None:
            raise EnvironmentNotFound(f"not a Python environment: {text}")
        return env
    return _from_interpreter(path, text, loc)


def _from_interpreter(path: Path, text: str, loc: KnownLocations) -> Environment:
    if not path.exists():
        raise EnvironmentNotFound(f"interpreter points to a file that no longer exists: {text}")
    if not os.access(path, os.X_OK):
        raise EnvironmentNotFound(f"not an environment folder or an executable interpreter: {text}")
    # A venv's bin/python is a link to the base: look at the folder it sits in first.
    for prefix in (path.parent.parent, path.parent):
        if (prefix / "pyvenv.cfg").is_file() or (prefix / "conda-meta").is_dir():
            env = classify_path(prefix, loc)
            if env is not None:
                return env
    env = base_install_for_interpreter(Path(os.path.realpath(path)), loc)
    if env is None:
        raise EnvironmentNotFound(f"not a Python environment or interpreter: {text}")
    return env
