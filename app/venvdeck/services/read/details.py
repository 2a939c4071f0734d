"""Everything about one installed package: its metadata, how it came, its files, what it needs
(markers evaluated for that environment) and what needs it."""

from __future__ import annotations

import csv
import os
import platform
import sys
from pathlib import Path

from packaging.markers import InvalidMarker, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion

from venvdeck.errors import EnvironmentNotFound
from venvdeck.models import (
    DirectUrl,
    InterpreterInfo,
    Package,
    PackageDetails,
    PackageListing,
    RequirementStatus,
)
from venvdeck.services import fsio
from venvdeck.services.read.metadata import read_headers

_DETAIL_HEADERS = frozenset({"license", "license-expression", "classifier", "home-page", "project-url"})


def marker_environment(info: InterpreterInfo) -> dict[str, str]:
    """The values markers are evaluated against, for an interpreter on this machine."""
    major, minor, micro = info.version_info
    return {
        "python_version": f"{major}.{minor}",
        "python_full_version": info.version,
        "implementation_name": "cpython",
        "implementation_version": f"{major}.{minor}.{micro}",
        "platform_python_implementation": "CPython",
        "os_name": "posix" if sys.platform != "win32" else "nt",
        "sys_platform": sys.platform,
        "platform_system": platform.system(),
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_version": platform.version(),
        "extra": "",
    }


def _source(package: Package) -> str:
    direct: DirectUrl | None = package.direct_url
    if package.editable_project_location is not None:
        return f"editable, from {package.editable_project_location}"
    if direct is None:
        return "an index (pip's or uv's configured one)"
    if direct.vcs:
        return f"{direct.vcs} {direct.url} at {direct.commit_id or '?'}"
    if direct.url.startswith("file:"):
        return f"a local {'folder' if direct.is_dir else 'file'}: {direct.url}"
    return f"a URL: {direct.url}"


def _files(package: Package) -> tuple[int | None, int | None]:
    if package.metadata_path is None or package.location is None:
        return None, None
    try:
        text = fsio.read_text(package.metadata_path / "RECORD", fsio.RECORD_FILE)
    except (OSError, ValueError):
        return None, None
    files = total = 0
    for row in csv.reader(text.splitlines()):
        if not row:
            continue
        files += 1
        if len(row) >= 3 and row[2].isdigit():
            total += int(row[2])
    return files, total


def _requirements(package: Package, listing: PackageListing) -> tuple[RequirementStatus, ...]:
    installed = {canonicalize_name(p.name): p.version for p in listing.packages}
    environment = marker_environment(listing.interpreter)
    out = []
    for text in package.requires:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            out.append(RequirementStatus(text, text, True, None, False))
            continue
        name = canonicalize_name(requirement.name)
        try:
            applies = requirement.marker is None or requirement.marker.evaluate(environment)
        except (InvalidMarker, UndefinedEnvironmentName):
            applies = True
        version = installed.get(name)
        try:
            satisfied = version is not None and requirement.specifier.contains(version, prereleases=True)
        except InvalidVersion:
            satisfied = version is not None
        out.append(RequirementStatus(text, name, applies, version, satisfied))
    return tuple(out)


def package_details(listing: PackageListing, name: str) -> PackageDetails:
    wanted = canonicalize_name(name)
    package = next((p for p in listing.packages if canonicalize_name(p.name) == wanted), None)
    if package is None:
        raise EnvironmentNotFound(f"{name} is not installed in {listing.environment.name}")
    headers: dict[str, list[str]] = {}
    if package.metadata_path is not None:
        metadata = package.metadata_path / "METADATA"
        if not fsio.is_regular_file(metadata):
            metadata = (
                package.metadata_path / "PKG-INFO"
                if os.path.isdir(package.metadata_path)
                else package.metadata_path
            )
        headers = read_headers(Path(metadata), _DETAIL_HEADERS) or {}
    expression, free_text = headers.get("license-expression") or [], headers.get("license") or []
    license_text = next(iter(expression or free_text), None)  # PEP 639's expression first
    if not license_text:
        classifiers = [
            c.split("::")[-1].strip() for c in headers.get("classifier", []) if c.startswith("License ::")
        ]
        license_text = ", ".join(classifiers) or None
    urls = [("Home page", u) for u in headers.get("home-page", [])]
    for entry in headers.get("project-url", []):
        label, _, url = entry.partition(",")
        urls.append((label.strip(), url.strip()))
    files, size = _files(package)
    required_by = tuple(
        sorted(
            p.name
            for p in listing.packages
            if any(r.name == wanted and r.applies for r in _requirements(p, listing))
        )
    )
    return PackageDetails(
        package,
        license_text,
        tuple(urls),
        _source(package),
        files,
        size,
        _requirements(package, listing),
        required_by,
    )
