"""One environment's installed requirements, parsed with `packaging` and evaluated for it.

Every Requires-Dist line of every installed distribution is parsed once (`packaging`'s
Requirement, never by hand) and its marker is evaluated against the marker environment of that
environment's own interpreter (services/insight/markers.py), not venvdeck's.

Extras: a requirement guarded by `extra == "x"` applies only when an installed package asks for
`pkg[x]` through a requirement that itself applies; requests propagate (`a[x]` requires `b[y]`)
until nothing changes. This is what pipdeptree's default (`--extras explicit`) shows. `pip check`
does not follow extras at all (pip/_internal/metadata `iter_dependencies()` with no extras): the
check (services/insight/check.py) reads `mandatory` only.

A Requires-Dist line that is not PEP 508 is reported for its distribution and skipped; the rest
of that distribution and of the environment is still evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from venvdeck.models import MetadataProblem, RequirementStatus
from venvdeck.services.insight import markers as marker_probe

if TYPE_CHECKING:
    from venvdeck.models import Package, PackageListing

# An extra no package can name: evaluating `extra == ""` with it is False, as pipdeptree does.
NO_EXTRA = "\x00"


@dataclass(slots=True)
class Edge:
    """A requirement of one package that applies in this environment."""

    requirement: Requirement
    raw: str
    key: str  # canonical name of what it requires
    extra: str | None  # the (normalised) extra of the requiring package that brings it in
    extras: frozenset[str]  # extras it asks of its target, normalised


@dataclass(slots=True)
class Node:
    package: Package
    key: str
    requirements: list[tuple[str, Requirement]] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (line, why)
    mandatory: list[Edge] = field(default_factory=list)  # applies without any extra (pip's view)
    pipdeptree_mandatory: list[Edge] = field(default_factory=list)  # `extra == ""` is False here
    conditional: list[tuple[str, Requirement]] = field(default_factory=list)  # marker false without extras
    optional: dict[str, list[Edge]] = field(default_factory=dict)  # by extra, filled when asked


def version_matches(specifier: SpecifierSet, version: str) -> bool:
    """pip's test: prereleases allowed; a version that is not PEP 440 matches only `===`."""
    try:
        return specifier.contains(Version(version), prereleases=True)
    except InvalidVersion:
        return specifier.contains(version, prereleases=True)


def normalised_specifier(requirement: Requirement) -> str | None:
    """The specifier as pipdeptree prints it: each version normalised, ordered by version (stable),
    joined by ','. None: no version specifier. Raises ValueError where pipdeptree's PEP 440 parser
    refuses the requirement (`===` with a version that is not PEP 440)."""
    specs = list(requirement.specifier)
    if not specs:
        return None
    keyed: list[tuple[Version, str]] = []
    for spec in specs:
        text = spec.version
        wildcard = text.endswith(".*")
        try:
            version = Version(text[:-2] if wildcard else text)
        except InvalidVersion as exc:
            raise ValueError(f"not a PEP 440 version: {text}") from exc
        shown = str(version) + (".*" if wildcard else "")
        keyed.append((version, f"{spec.operator}{shown}"))
    keyed.sort(key=lambda pair: pair[0])
    return ",".join(text for _, text in keyed)


def _applies(marker: Marker | None, environment: dict[str, str], extra: str) -> bool:
    if marker is None:
        return True
    environment["extra"] = extra
    try:
        return bool(marker.evaluate(environment))
    except Exception:  # an undefined comparison (packaging's UndefinedComparison...): it does not apply
        return False


class EnvironmentGraph:
    """The installed distributions of one listing and their evaluated requirements."""

    def __init__(self, listing: PackageListing, environment: Mapping[str, str]) -> None:
        self.listing = listing
        self.environment = dict(environment)
        self.nodes: dict[str, Node] = {}
        for package in listing.packages:
            key = canonicalize_name(package.name)
            if key not in self.nodes:
                self.nodes[key] = Node(package, key)
        for node in self.nodes.values():
            self._parse(node)
        self.requested_extras: dict[str, set[str]] = {}
        self._propagate_extras()
        self._statuses: dict[tuple[str, str | None], RequirementStatus] = {}  # by (line, extra)

    @classmethod
    def for_listing(cls, listing: PackageListing) -> EnvironmentGraph:
        info = listing.interpreter
        return cls(listing, marker_probe.marker_environment(info.executable, info))

    # ---- building ---------------------------------------------------------------------------------
    def _parse(self, node: Node) -> None:
        """pip's requirements (check) and pipdeptree's (the trees): the same lines, but for an egg
        whose pip reads its requires.txt, where pipdeptree reads the Requires-Dist lines."""
        env = self.environment
        separate = node.package.requires_dist
        for line in node.package.requires:
            try:
                requirement = Requirement(line)
            except InvalidRequirement as exc:
                node.invalid.append((line, str(exc).splitlines()[0] if str(exc) else "invalid"))
                continue
            node.requirements.append((line, requirement))
            key = canonicalize_name(requirement.name)
            asked = frozenset(canonicalize_name(e) for e in requirement.extras)
            if _applies(requirement.marker, env, ""):
                node.mandatory.append(Edge(requirement, line, key, None, asked))
            if separate is None:
                self._tree_edge(node, line, requirement)
        for line in separate or ():
            try:
                self._tree_edge(node, line, Requirement(line))
            except InvalidRequirement:
                continue

    def _tree_edge(self, node: Node, line: str, requirement: Requirement) -> None:
        marker = requirement.marker
        if _applies(marker, self.environment, "") and (
            marker is None or _applies(marker, self.environment, NO_EXTRA)
        ):
            key = canonicalize_name(requirement.name)
            asked = frozenset(canonicalize_name(e) for e in requirement.extras)
            node.pipdeptree_mandatory.append(Edge(requirement, line, key, None, asked))
        elif marker is not None and "extra" in str(marker):
            node.conditional.append((line, requirement))

    def optional(self, node: Node, extra: str) -> list[Edge]:
        """The requirements extra `extra` of node adds (those whose marker holds only with it)."""
        edges = node.optional.get(extra)
        if edges is None:
            edges = []
            for line, requirement in node.conditional:
                if _applies(requirement.marker, self.environment, extra):
                    asked = frozenset(canonicalize_name(e) for e in requirement.extras)
                    key = canonicalize_name(requirement.name)
                    edges.append(Edge(requirement, line, key, extra, asked))
            node.optional[extra] = edges
        return edges

    def _propagate_extras(self) -> None:
        pending: list[tuple[str, frozenset[str]]] = []
        for node in self.nodes.values():
            for edge in node.pipdeptree_mandatory:
                if edge.extras and edge.key in self.nodes:
                    pending.append((edge.key, edge.extras))
        while pending:
            key, extras = pending.pop()
            known = self.requested_extras.setdefault(key, set())
            new = extras - known
            if not new:
                continue
            known.update(new)
            node = self.nodes[key]
            for extra in new:
                for edge in self.optional(node, extra):
                    if edge.extras and edge.key in self.nodes:
                        pending.append((edge.key, edge.extras))

    # ---- reading ----------------------------------------------------------------------------------
    def installed_version(self, key: str) -> str | None:
        node = self.nodes.get(key)
        return node.package.version if node is not None else None

    def children(self, key: str, extras: Iterable[str] | None = None) -> list[Edge]:
        """What key requires here, sorted by name: its own requirements plus those of the extras
        asked (None: every extra some installed package asks of it). Requirements of an extra
        whose target is not installed are left out, as pipdeptree does."""
        node = self.nodes[key]
        wanted = self.requested_extras.get(key, set()) if extras is None else set(extras)
        edges = sorted(node.pipdeptree_mandatory, key=lambda e: e.key)
        edges = _dedup(edges)
        if not wanted or not node.conditional:
            return edges
        for extra in sorted(wanted):
            edges += [e for e in self.optional(node, extra) if e.key in self.nodes]
        edges.sort(key=lambda e: (e.key, e.extra or ""))
        return _dedup(edges)

    def dependents(self) -> dict[str, list[tuple[str, Edge]]]:
        """key → [(requiring key, edge)], the requiring keys in name order (every requested extra)."""
        found: dict[str, list[tuple[str, Edge]]] = {}
        for key in sorted(self.nodes):
            for edge in self.children(key):
                found.setdefault(edge.key, []).append((key, edge))
        return found

    def status(self, edge: Edge) -> RequirementStatus:
        """Computed once per requirement line: a tree shows an edge wherever its package appears,
        and the status depends on nothing else (the line, the extra that brought it, the graph)."""
        key = (edge.raw, edge.extra)
        known = self._statuses.get(key)
        if known is None:
            known = self._statuses[key] = self._status(edge)
        return known

    def _status(self, edge: Edge) -> RequirementStatus:
        installed = self.installed_version(edge.key)
        try:
            specifier = normalised_specifier(edge.requirement) or ""
        except ValueError:
            specifier = str(edge.requirement.specifier)
        return RequirementStatus(
            requirement=edge.raw,
            name=edge.key,
            specifier=specifier,
            marker=str(edge.requirement.marker) if edge.requirement.marker is not None else None,
            extra=edge.extra,
            applies=True,
            installed_version=installed,
            satisfied=None if installed is None else version_matches(edge.requirement.specifier, installed),
        )

    def metadata_problems(self) -> list[MetadataProblem]:
        problems = []
        for node in self.nodes.values():
            for line, why in node.invalid:
                problems.append(
                    MetadataProblem(
                        path=node.package.metadata_path or Path(),
                        name=node.package.name,
                        message=f"invalid requirement {line!r}: {why}",
                        fails_check=True,
                    )
                )
        return problems


def _dedup(edges: list[Edge]) -> list[Edge]:
    out: list[Edge] = []
    for edge in edges:
        if (
            out
            and out[-1].key == edge.key
            and out[-1].extra == edge.extra
            and str(out[-1].requirement) == str(edge.requirement)
        ):
            continue
        out.append(edge)
    return out


def requirement_statuses(graph: EnvironmentGraph, key: str) -> list[RequirementStatus]:
    """Every requirement of one package, in METADATA order, evaluated (applying or not)."""
    node = graph.nodes[key]
    requested = graph.requested_extras.get(key, set())
    out: list[RequirementStatus] = []
    for line, requirement in node.requirements:
        edge_key = canonicalize_name(requirement.name)
        marker = requirement.marker
        extra: str | None = None
        applies = _applies(marker, graph.environment, "")
        if not applies and marker is not None:
            extra = next((x for x in sorted(requested) if _applies(marker, graph.environment, x)), None)
            applies = extra is not None
        edge = Edge(requirement, line, edge_key, extra, frozenset())
        status = graph.status(edge)
        if not applies:
            status = RequirementStatus(
                status.requirement,
                status.name,
                status.specifier,
                status.marker,
                extra,
                False,
                status.installed_version,
                None,
            )
        out.append(status)
    return out


def parse_spec(text: str) -> Requirement:
    """A user's PEP 508 requirement, or ValueError with the parser's one-line reason."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise ValueError(str(exc).splitlines()[0] if str(exc) else "not a requirement") from exc
    try:
        SpecifierSet(str(requirement.specifier))
    except InvalidSpecifier as exc:  # pragma: no cover - Requirement already checked it
        raise ValueError(str(exc)) from exc
    return requirement
