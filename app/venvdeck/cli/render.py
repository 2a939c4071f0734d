"""Turning models into output: JSON-ready data, tab-separated lines for scripts, Rich tables for people.

Every name and path from disk goes through `shown` before it reaches a terminal (control
characters and undecodable bytes made visible); tables are built from Text, never markup.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from venvdeck.formatting import field, human_size, shown

if TYPE_CHECKING:
    from venvdeck.models import Environment, EnvironmentSize, Package

FORMATS = ("table", "tsv", "json")


def choose_format(requested: str | None) -> str:
    """What the user asked for; by default a table on a terminal, tab-separated lines in a pipe."""
    if requested:
        return requested
    return "table" if sys.stdout.isatty() else "tsv"


def _str(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def iso_time(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds")


def environment_data(env: Environment, size: EnvironmentSize | None = None) -> dict[str, Any]:
    data = {
        "path": str(env.path),
        "name": env.name,
        "kind": env.kind.value,
        "manager": env.manager.value if env.manager else None,
        "interpreter": _str(env.interpreter),
        "python_version": env.python_version,
        "status": env.status.value,
        "broken_reason": env.broken_reason,
        "project": _str(env.project),
        "is_active": env.is_active,
        "include_system_site_packages": env.include_system_site_packages,
        "base_interpreter": _str(env.base_interpreter),
        "size_bytes": size.disk_bytes if size else None,
        "reclaimable_bytes": size.freed_bytes if size else None,
        "last_used": iso_time(size.last_used) if size else None,
        "last_modified": iso_time(size.last_modified) if size else None,
    }
    return data


ENVIRONMENT_COLUMNS = (
    "path",
    "name",
    "kind",
    "manager",
    "python",
    "status",
    "size_bytes",
    "reclaimable_bytes",
    "last_used",
)


def environment_line(env: Environment, size: EnvironmentSize | None) -> str:
    """One tab-separated line, in ENVIRONMENT_COLUMNS order; empty fields where nothing is known."""
    fields = [
        str(env.path),
        env.name,
        env.kind.value,
        env.manager.value if env.manager else "",
        env.python_version or "",
        env.status.value,
        str(size.disk_bytes) if size else "",
        str(size.freed_bytes) if size else "",
        iso_time(size.last_used) or "" if size else "",
    ]
    return "\t".join(field(f) for f in fields)


def package_data(package: Package) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": package.name,
        "version": package.version,
        "summary": package.summary,
        "requires": list(package.requires),
        "location": _str(package.location),
        "installer": package.installer,
        "requested": package.requested,
    }
    if package.direct_url is not None:
        data["direct_url"] = package.direct_url.url
    if package.editable_project_location is not None:
        data["editable_project_location"] = str(package.editable_project_location)
    return data


def _age(timestamp: float | None, now: float) -> str:
    from venvdeck.formatting import age

    return age(timestamp, now)


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(shown(title)), title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(shown(cell)) for cell in row))
    Console().print(table)


def print_environments(envs: list[tuple[Environment, EnvironmentSize | None]], now: float) -> None:
    rows = []
    for env, size in envs:
        status = f"broken: {env.broken_reason}" if env.is_broken else "ok"
        if env.is_active:
            status += " (active)"
        rows.append(
            (
                env.name,
                env.manager.value if env.manager else "-",
                env.python_version or "?",
                human_size(size.freed_bytes) if size else "",
                _age(size.last_used, now) if size else "",
                status,
                str(env.path),
            )
        )
    count = f"{len(envs)} Python environment{'s' if len(envs) != 1 else ''}"
    print_table(count, ("name", "manager", "python", "size", "last used", "status", "path"), rows)


def print_packages(packages: tuple[Package, ...], title: str) -> None:
    rows = []
    for package in packages:
        source = ""
        if package.editable_project_location is not None:
            source = f"editable {package.editable_project_location}"
        elif package.direct_url is not None:
            source = package.direct_url.url
        rows.append(
            (
                package.name,
                package.version,
                "yes" if package.requested else "",
                package.installer or "",
                source,
            )
        )
    print_table(title, ("name", "version", "requested", "installer", "source"), rows)
