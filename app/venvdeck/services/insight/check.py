"""What `pip check` would report for an environment, in its words and order, without running pip.

pip (operations/check.py) reads every installed distribution in the order its metadata backend
finds them, takes the requirements that apply without any extra (a package's extras are never
followed), and reports, per package in that order, first every missing requirement and then
every conflict, each group sorted by its text. It knows each distribution by the name its info
folder's name gives (a hand edit can make that differ from the Name header). A distribution whose
requirements do not parse is left out of the set (so whatever requires it is "not installed") and
makes pip exit 1, as is one whose version does not parse from pip 24.1 on, and one without METADATA
on the pkg_resources backend. pip >= 24.1 also reports installed wheels whose WHEEL tags this
interpreter does not support.

The order follows the environment's own pip (services/read/pip_order.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from venvdeck.models import (
    CheckReport,
    MetadataProblem,
    ProblemKind,
    RequirementProblem,
)
from venvdeck.services import fsio
from venvdeck.services.insight import markers
from venvdeck.services.insight.graph import EnvironmentGraph, version_matches
from venvdeck.services.read import packages as listing_reader
from venvdeck.services.read.packages import PipRules, info_folder_parts
from venvdeck.services.read.pip_order import folder_ranks

if TYPE_CHECKING:
    from venvdeck.models import (
        Environment,
        Package,
        PackageListing,
    )


def _pip_tuple(version: str | None) -> tuple[int, ...] | None:
    if not version:
        return None
    try:
        return Version(version).release
    except InvalidVersion:
        return None


def _rules(listing: PackageListing) -> PipRules:
    """The environment's pip's rules, as the listing read them (services/read/packages.py)."""
    return PipRules.for_environment(listing.interpreter.version_info, listing.pip_version)


# ---- pip's order -------------------------------------------------------------------------------


def pip_order(listing: PackageListing) -> list[Package]:
    """The listing's packages in the order the environment's pip iterates them."""
    importlib_order = _rules(listing).importlib_backend
    paths = listing_reader.search_path(listing.interpreter, listing.environment.include_system_site_packages)
    position = {str(p): i for i, p in enumerate(paths)}
    ranks: dict[Path, dict[str, int]] = {}

    def key(package: Package) -> tuple[int, int, int]:
        info = package.metadata_path
        if info is None:
            return (len(paths), 1, 0)
        folder = info.parent
        if folder not in ranks:
            ranks[folder] = folder_ranks(folder, importlib_order)
        where = position.get(str(package.location), position.get(str(folder), len(paths)))
        linked = 0 if str(folder) in position else 1  # egg-link targets come after their entry
        return (where, linked, ranks[folder].get(info.name, len(ranks[folder])))

    return sorted(listing.packages, key=key)


# ---- distributions pip cannot read -----------------------------------------------------------


def unreadable_distributions(listing: PackageListing) -> list[MetadataProblem]:
    """`*.dist-info` folders on the path without a METADATA that names the distribution."""
    listed = {p.metadata_path for p in listing.packages if p.metadata_path is not None}
    problems = []
    for location in listing_reader.search_path(
        listing.interpreter, listing.environment.include_system_site_packages
    ):
        try:
            names = os.listdir(location)
        except OSError:
            continue
        for name in names:
            if not name.lower().endswith(".dist-info"):
                continue
            path = location / name
            if path in listed:
                continue
            metadata = path / "METADATA"
            if not os.path.lexists(metadata):
                message = "no METADATA file"
            elif not fsio.is_regular_file(metadata):
                message = "METADATA is not a regular file"
            else:
                try:
                    head = fsio.read_head(metadata, fsio.METADATA_HEADERS)
                except (OSError, ValueError) as exc:
                    message = f"METADATA cannot be read: {exc}"
                else:
                    if re.search(r"(?mi)^name:\s*\S", head) is None:
                        message = "METADATA has no Name"
                    else:
                        continue  # a second copy of a listed name (shadowed): pip skips it silently
            problems.append(
                MetadataProblem(
                    path, name[: -len(".dist-info")].partition("-")[0], message, fails_check=False
                )
            )
    return problems


# ---- wheel tags (pip >= 24.1) ------------------------------------------------------------------


def _supported_tags(interpreter: Path) -> frozenset[object] | None:
    """The tags pip's get_supported() gives that interpreter; None when venvdeck cannot tell
    (another platform or architecture than its own)."""
    import sysconfig

    from packaging import tags

    data = markers.probe(interpreter)
    if data.get("_platform") != sysconfig.get_platform():
        return None
    major, minor = (int(x) for x in str(data["python_version"]).split(".")[:2])
    platforms = list(tags.platform_tags())
    soabi = str(data.get("_soabi") or "")
    supported: list[tags.Tag] = []
    if data["implementation_name"] == "cpython":
        abi = "cp" + soabi.split("-")[1] if soabi.startswith("cpython-") else f"cp{major}{minor}"
        supported += tags.cpython_tags((major, minor), [abi], platforms)
        interp = f"cp{major}{minor}"
    else:
        name = tags.INTERPRETER_SHORT_NAMES.get(str(data["implementation_name"]), "")
        if not name:
            return None
        interp = f"{name}{major}{minor}"
        abi = soabi.replace(".", "_").replace("-", "_") if soabi else "none"
        supported += tags.generic_tags(interp, [abi], platforms)
    supported += tags.compatible_tags((major, minor), interp, platforms)
    return frozenset(supported)


def unsupported_wheels(listing: PackageListing, ordered: list[Package]) -> list[RequirementProblem]:
    from email.parser import Parser

    from packaging.tags import parse_tag

    supported = _supported_tags(listing.interpreter.executable)
    if supported is None:
        return []
    problems = []
    for package in ordered:
        if package.metadata_path is None:
            continue
        try:
            text = fsio.read_text(package.metadata_path / "WHEEL", fsio.SMALL_FILE)
        except FileNotFoundError:
            continue
        except (OSError, ValueError):
            continue
        wheel_tags: set[object] = set()
        try:
            for value in Parser().parsestr(text).get_all("Tag", []):
                wheel_tags.update(parse_tag(value))
        except ValueError:
            continue
        if wheel_tags.isdisjoint(supported):
            problems.append(RequirementProblem(ProblemKind.UNSUPPORTED, package.name, package.version, ""))
    return problems


# ---- the check -----------------------------------------------------------------------------------


def check_listing(
    listing: PackageListing, graph: EnvironmentGraph | None = None, *, wheel_tags: bool = True
) -> CheckReport:
    """wheel_tags=False: leave out pip >= 24.1's platform check (it asks the interpreter)."""
    graph = graph or EnvironmentGraph.for_listing(listing)
    ordered = pip_order(listing)
    pip = _pip_tuple(listing.pip_version)
    unusable = _left_out(listing, ordered, pip)
    broken = {key for key, node in graph.nodes.items() if node.invalid}
    # pip check keys each distribution by its canonical_name, which pip takes from the info
    # folder's name: a requirement is met by the folder's name, not by the Name header.
    installed = {pip_key(package): package for package in ordered}
    present = {
        key
        for key, package in installed.items()
        if id(package) not in unusable and canonicalize_name(package.name) not in broken
    }
    missing: list[RequirementProblem] = []
    conflicting: list[RequirementProblem] = []
    for package in ordered:
        key = pip_key(package)
        node = graph.nodes.get(canonicalize_name(package.name))
        if node is None or node.package is not package or key not in present:
            continue
        lost: dict[str, RequirementProblem] = {}
        clashes: dict[str, RequirementProblem] = {}
        for edge in node.mandatory:
            text = str(edge.requirement)
            if edge.key not in present:
                # pip sorts by str((name, Requirement)): the reprs of both
                order = f"({edge.key!r}, <Requirement('{text}')>)"
                lost[order] = RequirementProblem(ProblemKind.MISSING, key, package.version, text, edge.key)
                continue
            installed_version = installed[edge.key].version
            if not version_matches(edge.requirement.specifier, installed_version):
                order = (
                    f"({edge.key!r}, <{_version_class(installed_version)}('{installed_version}')>, "
                    f"<Requirement('{text}')>)"
                )
                clashes[order] = RequirementProblem(
                    ProblemKind.CONFLICT, key, package.version, text, edge.key, installed_version
                )
        missing += [lost[k] for k in sorted(lost)]
        conflicting += [clashes[k] for k in sorted(clashes)]
    problems = missing + conflicting
    if wheel_tags and (pip is None or pip >= (24, 1)):
        problems += unsupported_wheels(listing, ordered)
    return CheckReport(
        environment=listing.environment,
        problems=tuple(problems),
        metadata_problems=tuple(
            graph.metadata_problems() + list(unusable.values()) + unreadable_distributions(listing)
        ),
        pip_version=listing.pip_version,
    )


def pip_key(package: Package) -> str:
    return package.pip_key or canonicalize_name(package.name)


def _left_out(
    listing: PackageListing, ordered: list[Package], pip: tuple[int, ...] | None
) -> dict[int, MetadataProblem]:
    """Listed distributions pip check leaves out of its set ("Error parsing dependencies of X"),
    so that what requires them is "not installed", and for which it exits 1: on its pkg_resources
    backend one without METADATA; from pip 24.1 (no more LegacyVersion) one whose version does
    not parse, the info folder's version first from 24.2, as pip reads it."""
    rules = _rules(listing)
    strict_versions = pip is None or pip >= (24, 1)
    left: dict[int, MetadataProblem] = {}  # by id(package)
    for package in ordered:
        path = package.metadata_path or Path()
        if not package.has_metadata and not rules.importlib_backend:
            left[id(package)] = MetadataProblem(path, package.name, "no METADATA file", fails_check=True)
            continue
        if not strict_versions:
            continue
        version = package.version
        if rules.folder_first and package.metadata_path is not None:
            version = info_folder_parts(package.metadata_path.name)[1] or version
        if _version_class(version) != "Version":
            left[id(package)] = MetadataProblem(
                path, package.name, f"Invalid version: {version!r}", fails_check=True
            )
    return left


def _version_class(version: str) -> str:
    try:
        Version(version)
    except InvalidVersion:
        return "LegacyVersion"
    return "Version"


def check(env: Environment) -> CheckReport:
    """What `pip check` run in env would report (without running it)."""
    return check_listing(listing_reader.list_packages(env))
