"""Which environments hold a distribution matching a requirement (`requests`, `numpy<2`, ...)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from venvdeck.errors import InvalidRequirementError, VenvDeckError
from venvdeck.models import DiscoveryReport, FoundDistribution
from venvdeck.services.find import discovery
from venvdeck.services.insight import markers
from venvdeck.services.insight.graph import parse_spec, version_matches
from venvdeck.services.read import packages as listing_reader

if TYPE_CHECKING:
    from venvdeck.models import Environment
    from venvdeck.services.find.discovery import DiscoveryOptions


@dataclass(slots=True)
class SearchReport:
    environments: int = 0
    broken: int = 0  # environments whose Python is gone: not searched, and said so
    unreadable: list[tuple[Environment, str]] = field(default_factory=list)
    discovery: DiscoveryReport = field(default_factory=DiscoveryReport)  # folders it could not read


def requirement_from(text: str) -> Requirement:
    """SPEC as a user typed it, or InvalidRequirementError (one line)."""
    try:
        return parse_spec(text.strip())
    except ValueError as exc:
        raise InvalidRequirementError(f"not a requirement: {text!r} ({exc})") from None


def matches_in(env: Environment, requirement: Requirement) -> list[FoundDistribution]:
    """The installed distributions of env that requirement accepts (its marker evaluated there)."""
    if requirement.marker is not None and env.interpreter is not None:
        environment = {**markers.marker_environment(env.interpreter), "extra": ""}
        if not requirement.marker.evaluate(environment):
            return []
    key = canonicalize_name(requirement.name)
    listing = listing_reader.list_packages(env)
    return [
        FoundDistribution(env, package.name, package.version)
        for package in listing.packages
        if canonicalize_name(package.name) == key and version_matches(requirement.specifier, package.version)
    ]


def _matches_on_disk(env: Environment, requirement: Requirement) -> list[FoundDistribution]:
    """A broken environment's matches, read from its folder (its Python is gone: a marker cannot
    be evaluated there, so a requirement with one finds nothing)."""
    from venvdeck.services.read.on_disk import installed_packages

    if requirement.marker is not None:
        return []
    key = canonicalize_name(requirement.name)
    return [
        FoundDistribution(env, package.name, package.version)
        for package in installed_packages(env)[0]
        if canonicalize_name(package.name) == key and version_matches(requirement.specifier, package.version)
    ]


def find_everywhere(
    requirement: Requirement,
    options: DiscoveryOptions,
    emit: Callable[[FoundDistribution], None],
    cancelled: threading.Event | None = None,
    report: SearchReport | None = None,
    *,
    read_broken: bool = False,
) -> SearchReport:
    """Walk every environment discovery finds, emitting each match as soon as its environment is
    read. Broken environments are counted, and with read_broken read from their folders (the
    dashboard: where the disk goes); the CLI leaves them out, as no pip could list them.
    Interpreters that will not answer are counted, not fatal."""
    report = report or SearchReport()
    seen: set[str] = set()

    def visit(env: Environment) -> None:
        if cancelled is not None and cancelled.is_set():
            return
        if str(env.path) in seen:
            return
        seen.add(str(env.path))
        if env.is_broken or env.interpreter is None:
            report.broken += env.is_broken
            if read_broken and env.is_broken:
                try:
                    for match in _matches_on_disk(env, requirement):
                        emit(match)
                except (VenvDeckError, OSError) as exc:
                    report.unreadable.append((env, str(exc)))
            return
        report.environments += 1
        try:
            found = matches_in(env, requirement)
        except (VenvDeckError, OSError) as exc:
            report.unreadable.append((env, str(exc)))
            return
        for match in found:
            emit(match)

    discovery.discover(options, visit, cancelled, report.discovery)
    return report
