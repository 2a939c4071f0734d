"""Everything about one installed distribution, from its metadata (never by importing it)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from venvdeck.errors import PackageNotFound
from venvdeck.models import PackageDetails, RequiredBy
from venvdeck.services import fsio
from venvdeck.services.insight.graph import EnvironmentGraph, requirement_statuses, version_matches
from venvdeck.services.read import metadata as metadata_reader, packages as listing_reader, sizes

if TYPE_CHECKING:
    from venvdeck.models import DirectUrl, Environment, Package

_WANTED = frozenset(
    {
        "summary",
        "license",
        "license-expression",
        "classifier",
        "home-page",
        "project-url",
        "requires-python",
        "provides-extra",
    }
)
_MAX_LICENSE = 200  # a License field holding a whole license text is cut to its first line


def _metadata_file(info: Path) -> Path:
    if info.suffix == ".dist-info":
        return info / "METADATA"
    if info.suffix == ".egg-info" and fsio.is_regular_file(info):
        return info
    return info / "PKG-INFO"


def license_of(headers: dict[str, list[str]]) -> str | None:
    """PEP 639 License-Expression, else License (its first line), else the License classifiers."""
    expression = (headers.get("license-expression") or [""])[0].strip()
    if expression:
        return expression
    text = (headers.get("license") or [""])[0].strip()
    if text and text.upper() != "UNKNOWN":
        first = text.splitlines()[0].strip()
        return first if len(first) <= _MAX_LICENSE else first[:_MAX_LICENSE] + "…"
    classifiers = [
        c.rsplit("::", 1)[-1].strip()
        for c in headers.get("classifier", ())
        if c.startswith("License ::") and c.rsplit("::", 1)[-1].strip()
    ]
    return ", ".join(classifiers) or None


def source_of(package: Package) -> tuple[str, str | None, str | None]:
    """(how it came, from where, which commit)."""
    url: DirectUrl | None = package.direct_url
    if package.editable:
        return "editable", url.url if url else str(package.editable_project_location), None
    if url is None:
        return "index", None, None
    if url.vcs:
        return "vcs", f"{url.vcs}+{url.url}", url.commit_id or None
    if url.is_dir:
        return "local folder", url.url, None
    if url.url.startswith("file:"):
        return "local file", url.url, None
    return "url", url.url, None


def _record_rows(info: Path) -> int | None:
    try:
        text = fsio.read_text(info / "RECORD", fsio.RECORD_FILE)
    except (OSError, ValueError):
        return None
    return sum(1 for row in csv.reader(text.splitlines()) if row)


def _project_urls(headers: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    urls = []
    for value in headers.get("project-url", ()):
        label, sep, link = value.partition(",")
        if sep:
            urls.append((label.strip(), link.strip()))
        elif value.strip():
            urls.append(("", value.strip()))
    return tuple(urls)


def _first(headers: dict[str, list[str]], key: str) -> str | None:
    values = headers.get(key)
    return values[0] if values else None


def details_from_graph(graph: EnvironmentGraph, name: str) -> PackageDetails:
    key = canonicalize_name(name)
    node = graph.nodes.get(key)
    if node is None:
        raise PackageNotFound(f"{name} is not installed in {graph.listing.environment.path}")
    package = node.package
    headers: dict[str, list[str]] = {}
    problems = [f"invalid requirement {line!r}: {why}" for line, why in node.invalid]
    files = size = None
    if package.metadata_path is not None:
        read = metadata_reader.read_headers(_metadata_file(package.metadata_path), _WANTED)
        if read is None:
            problems.append("METADATA cannot be read")
        headers = read or {}
        files = _record_rows(package.metadata_path)
        size = sizes.package_sizes([package]).get(package.name)
    source, source_url, commit = source_of(package)
    required_by = []
    for parent, edge in graph.dependents().get(key, ()):
        parent_package = graph.nodes[parent].package
        required_by.append(
            RequiredBy(
                parent_package.name,
                parent_package.version,
                edge.raw,
                edge.extra,
                version_matches(edge.requirement.specifier, package.version),
            )
        )
    home_page = _first(headers, "home-page")
    return PackageDetails(
        environment=graph.listing.environment,
        name=package.name,
        version=package.version,
        summary=package.summary,
        license=license_of(headers),
        home_page=home_page or None,
        project_urls=_project_urls(headers),
        requires_python=_first(headers, "requires-python"),
        installer=package.installer,
        source=source,
        source_url=source_url,
        commit=commit,
        location=package.location,
        metadata_path=package.metadata_path,
        files=files,
        size_bytes=size,
        requested=package.requested,
        extras=tuple(canonicalize_name(x) for x in headers.get("provides-extra", ())),
        requirements=tuple(requirement_statuses(graph, key)),
        required_by=tuple(required_by),
        metadata_problems=tuple(problems),
    )


def package_details(env: Environment, name: str) -> PackageDetails:
    """PackageNotFound when name is not installed there."""
    return details_from_graph(EnvironmentGraph.for_listing(listing_reader.list_packages(env)), name)
