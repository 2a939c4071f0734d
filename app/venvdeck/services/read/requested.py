"""Who asked for a package.

pip writes a REQUESTED marker for what the user named, but uv writes it for every package it
installs. So for a package uv installed, the user's own declarations decide: a uv tool's
receipt, pipx's metadata, or the project's pyproject.toml (its dependencies, optional
dependencies, dependency groups and the project itself); where nothing says, it is unknown (None).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from venvdeck.services import fsio

if TYPE_CHECKING:
    from venvdeck.models import Environment, Package


def _toml(path: os.PathLike[str] | str) -> dict[str, Any] | None:
    return fsio.read_toml(path, fsio.JSON_FILE)


def _names(requirements: Iterable[object]) -> set[str]:
    names: set[str] = set()
    for item in requirements:
        text = item.get("name") if isinstance(item, dict) else item
        if not isinstance(text, str):
            continue
        try:
            names.add(canonicalize_name(Requirement(text).name))
        except InvalidRequirement:
            continue
    return names


def _lists(value: object) -> Iterable[object]:
    """Every requirement string in a list, or in a table of lists (optional deps, groups)."""
    if isinstance(value, list):
        yield from value
    elif isinstance(value, dict):
        for inner in value.values():
            if isinstance(inner, list):
                yield from inner


def declared_names(env: Environment) -> set[str] | None:
    """The canonical names the user declared for this environment, or None when nothing declares."""
    receipt = _toml(env.path / "uv-receipt.toml")
    if receipt is not None:
        tool = receipt.get("tool")
        return _names(tool.get("requirements", [])) if isinstance(tool, dict) else set()
    if fsio.is_regular_file(env.path / "pipx_metadata.json"):
        try:
            data = json.loads(fsio.read_bytes(env.path / "pipx_metadata.json", fsio.JSON_FILE))
        except (OSError, ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            main = data.get("main_package")
            injected = data.get("injected_packages")
            names = [main.get("package")] if isinstance(main, dict) else []
            names += [v.get("package") for v in injected.values()] if isinstance(injected, dict) else []
            return _names(n for n in names if isinstance(n, str))
    if env.project is None:
        return None
    project = _toml(env.project / "pyproject.toml")
    if project is None:
        return None
    table = project.get("project") if isinstance(project.get("project"), dict) else {}
    assert isinstance(table, dict)
    declared = _names(_lists(table.get("dependencies")))
    declared |= _names(_lists(table.get("optional-dependencies")))
    declared |= _names(_lists(project.get("dependency-groups")))
    if isinstance(table.get("name"), str):
        declared |= _names([table["name"]])
    return declared


def with_requested(env: Environment, packages: tuple[Package, ...]) -> tuple[Package, ...]:
    """The packages with `requested` as the user meant it (see the module's note)."""
    if not any(p.installer == "uv" for p in packages):
        return packages
    declared = declared_names(env)
    return tuple(
        replace(p, requested=(canonicalize_name(p.name) in declared) if declared is not None else None)
        if p.installer == "uv"
        else p
        for p in packages
    )
