"""Turning what a user typed into an Environment: an environment folder, an interpreter path, a
project folder (meaning its environment), or the name of an environment discovery finds."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.errors import EnvironmentNotFound
from venvdeck.services.find import layout
from venvdeck.services.find.classify import base_install_for_interpreter, classify_path
from venvdeck.services.find.locations import known_locations

if TYPE_CHECKING:
    from venvdeck.models import Environment
    from venvdeck.services.find.locations import KnownLocations

# Where a project keeps its environment, most common first.
PROJECT_ENV_NAMES = (".venv", "venv", "env", ".env", "virtualenv", ".virtualenv")


def resolve_environment(
    target: str | Path,
    loc: KnownLocations | None = None,
    *,
    named: Callable[[], Iterable[Environment]] | None = None,
) -> Environment:
    """The environment target names, or EnvironmentNotFound with a one-line reason.

    `named` lists the environments a bare name may refer to (a discovery); without it, only
    paths are understood.
    """
    loc = loc or known_locations()
    text = str(target)
    if not text.strip():
        raise EnvironmentNotFound("no environment given")
    path = Path(os.path.expanduser(text)).absolute()
    if not os.path.lexists(path):
        if named is not None and os.sep not in text and not text.startswith("."):
            return _by_name(text, named())
        raise EnvironmentNotFound(f"no such file or folder: {text}")
    if layout.is_being_deleted(path):
        raise EnvironmentNotFound(f"{text} is an environment being deleted, not one to use")
    if layout.is_being_recreated(path):
        raise EnvironmentNotFound(f"{text} is an environment kept aside while it is rebuilt, not one to use")
    if os.path.isdir(path):
        env = classify_path(path, loc)
        if env is not None:
            return env
        inside = _project_environment(path, loc)
        if inside is not None:
            return inside
        raise EnvironmentNotFound(f"not a Python environment (nor a project folder with one): {text}")
    return _from_interpreter(path, text, loc)


def _project_environment(folder: Path, loc: KnownLocations) -> Environment | None:
    """A project folder stands for its environment when it holds exactly one."""
    found = [
        env
        for name in PROJECT_ENV_NAMES
        if os.path.isdir(folder / name) and (env := classify_path(folder / name, loc)) is not None
    ]
    if len(found) > 1:
        names = ", ".join(e.path.name for e in found)
        raise EnvironmentNotFound(f"{folder} holds several environments ({names}); name one")
    return found[0] if found else None


def _by_name(text: str, environments: Iterable[Environment]) -> Environment:
    matches = [e for e in environments if e.name == text or e.path.name == text]
    if not matches:
        lowered = text.casefold()
        matches = [e for e in environments if e.name.casefold() == lowered]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise EnvironmentNotFound(f"no environment or folder named {text!r}")
    shown = ", ".join(str(e.path) for e in matches[:4]) + (" …" if len(matches) > 4 else "")
    raise EnvironmentNotFound(f"{len(matches)} environments are named {text!r} ({shown}); give a path")


def _from_interpreter(path: Path, text: str, loc: KnownLocations) -> Environment:
    if not os.path.exists(path):
        raise EnvironmentNotFound(f"interpreter points to a file that no longer exists: {text}")
    if not os.access(path, os.X_OK):
        raise EnvironmentNotFound(f"not an environment folder or an executable interpreter: {text}")
    # A venv's bin/python is a link to the base: look at the folder it sits in first.
    for prefix in (path.parent.parent, path.parent):
        if os.path.isfile(prefix / "pyvenv.cfg") or os.path.isdir(prefix / "conda-meta"):
            env = classify_path(prefix, loc)
            if env is not None:
                return env
    env = base_install_for_interpreter(Path(os.path.realpath(path)), loc)
    if env is None:
        raise EnvironmentNotFound(f"not a Python environment or interpreter: {text}")
    return env
