"""The fixed sets of values the models use: what an environment is, what a change does, what a
problem is. Enums are cheap to make and compared everywhere, so they are kept apart from the
dataclasses, whose groups load on first use."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """How an environment is laid out / what created it."""

    VENV = "venv"
    VIRTUALENV = "virtualenv"
    UV = "uv"
    CONDA = "conda"
    PYTHON = "python"  # a base interpreter install, not a virtual environment


class Manager(StrEnum):
    """The tool that owns an environment (None on Environment: someone made it in a folder)."""

    POETRY = "poetry"
    PIPENV = "pipenv"
    PIPX = "pipx"
    HATCH = "hatch"
    PDM = "pdm"
    TOX = "tox"
    NOX = "nox"
    VIRTUALENVWRAPPER = "virtualenvwrapper"
    PYENV = "pyenv"
    CONDA = "conda"
    PIXI = "pixi"
    UV = "uv"


class Status(StrEnum):
    OK = "ok"
    BROKEN = "broken"


class OperationKind(StrEnum):
    CREATE = "create"
    INSTALL = "install"
    UPGRADE = "upgrade"
    UNINSTALL = "uninstall"
    ENSUREPIP = "ensurepip"
    DELETE = "delete"
    RECREATE = "recreate"  # a tool's own rebuild (pipx reinstall, uv tool install --reinstall, ...)


class ProblemKind(StrEnum):
    MISSING = "missing"  # a requirement whose distribution is not installed
    CONFLICT = "conflict"  # installed, but its version is outside the specifier
    UNSUPPORTED = "unsupported"  # a wheel built for another platform (pip check >= 23.3)


class DependentKind(StrEnum):
    ENVIRONMENT = "environment"
    KERNEL = "kernel"


class KernelState(StrEnum):
    OK = "ok"
    DEAD = "dead"  # the interpreter in argv[0] is gone
    BROKEN = "broken"  # its environment is broken (rebuilding it revives the kernel)
    # Gone for now, maybe not for good: its environment is being rebuilt, or it is on a volume that
    # is not mounted. Never removed as dead.
    UNREACHABLE = "unreachable"
