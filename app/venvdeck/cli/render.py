"""Turning models into JSON-ready data and Rich tables for the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from venvdeck.models import Environment, Package


def _str(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def environment_data(env: Environment) -> dict[str, Any]:
    return {
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
    }


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


def print_environments(envs: list[Environment]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(envs)} Python environments", title_justify="left")
    for column in ("name", "manager", "kind", "python", "status", "path"):
        table.add_column(column, overflow="fold")
    for env in envs:
        status = f"[red]broken[/]: {env.broken_reason}" if env.is_broken else "ok"
        if env.is_active:
            status += " [green](active)[/]"
        table.add_row(
            env.name,
            env.manager.value if env.manager else "-",
            env.kind.value,
            env.python_version or "?",
            status,
            str(env.path),
        )
    Console().print(table)


def print_packages(packages: tuple[Package, ...], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in ("name", "version", "requested", "installer", "source"):
        table.add_column(column, overflow="fold")
    for package in packages:
        source = ""
        if package.editable_project_location is not None:
            source = f"editable {package.editable_project_location}"
        elif package.direct_url is not None:
            source = package.direct_url.url
        table.add_row(
            package.name,
            package.version,
            "yes" if package.requested else "",
            package.installer or "",
            source,
        )
    Console().print(table)
