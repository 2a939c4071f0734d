"""Dependency trees of one environment: the model the dashboard shows, pipdeptree's JSON, a text tree.

Which requirements count, and how, follows pipdeptree (`--extras explicit`, its default): a
requirement applies when its marker holds in the environment without extras, or through an extra
some installed package asks for. Top-level packages are those nothing else requires (all of them
when every package is required by another: a ring). A package already shown in its own branch is
marked as a cycle and not expanded again.

`pipdeptree_json` prints exactly what `pipdeptree --python ENV/bin/python --json` prints (4.x):
every distribution by canonical key; its requirements by key, each with the installed version
("?" when missing), the specifier normalised and ordered by version ("Any" when none) and the
extra that brought it in. Gaps: pipdeptree imports a missing dependency's module to read its
`__version__` (venvdeck never runs code from an environment, so it says "?"), and it reads the
current folder as a `sys.path` entry of `python -c`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from venvdeck.models import DependencyNode, DependencyTree
from venvdeck.services.insight.graph import EnvironmentGraph, normalised_specifier
from venvdeck.services.read import packages as listing_reader

if TYPE_CHECKING:
    from venvdeck.models import Environment, Package, RequirementStatus
    from venvdeck.services.insight.graph import Edge

MAX_NODES = 200_000  # a tree larger than this is cut (each branch stops where the budget ends)
# A chain of requirements deeper than this is cut there (real ones are a few dozen deep): the tree,
# its text and its walks stay far from Python's recursion limit on crafted metadata.
MAX_DEPTH = 200


def graph_for(env: Environment) -> EnvironmentGraph:
    return EnvironmentGraph.for_listing(listing_reader.list_packages(env))


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def roots(graph: EnvironmentGraph, reverse: bool = False) -> list[str]:
    keys = sorted(graph.nodes)
    if reverse:
        parents = {parent for edges in graph.dependents().values() for parent, _ in edges}
        top = [k for k in keys if k not in parents]
    else:
        required = {e.key for k in keys for e in graph.children(k) if e.key in graph.nodes}
        top = [k for k in keys if k not in required]
    return top or keys


def _spec_or_raw(edge: Edge) -> str:
    try:
        return normalised_specifier(edge.requirement) or ""
    except ValueError:
        return str(edge.requirement.specifier)


def _forward(
    graph: EnvironmentGraph,
    key: str,
    extras: Iterable[str] | None,
    path: set[str],
    depth: int | None,
    budget: _Budget,
) -> tuple[DependencyNode, ...]:
    if (depth is not None and depth <= 0) or len(path) > MAX_DEPTH:
        return ()
    nodes = []
    for edge in graph.children(key, extras):
        if not budget.take():
            break
        status = graph.status(edge)
        target = graph.nodes.get(edge.key)
        if target is None:
            nodes.append(DependencyNode(edge.key, edge.key, None, status))
            continue
        if edge.key in path:
            nodes.append(
                DependencyNode(edge.key, target.package.name, target.package.version, status, (), True)
            )
            continue
        path.add(edge.key)
        below = _forward(graph, edge.key, edge.extras, path, None if depth is None else depth - 1, budget)
        path.discard(edge.key)
        nodes.append(DependencyNode(edge.key, target.package.name, target.package.version, status, below))
    return tuple(nodes)


def _reverse(
    graph: EnvironmentGraph,
    key: str,
    dependents: dict[str, list[tuple[str, Edge]]],
    path: set[str],
    depth: int | None,
    budget: _Budget,
) -> tuple[DependencyNode, ...]:
    if (depth is not None and depth <= 0) or len(path) > MAX_DEPTH:
        return ()
    nodes = []
    for parent, edge in dependents.get(key, ()):
        if not budget.take():
            break
        package = graph.nodes[parent].package
        status = graph.status(edge)
        if parent in path:
            nodes.append(DependencyNode(parent, package.name, package.version, status, (), True))
            continue
        path.add(parent)
        below = _reverse(graph, parent, dependents, path, None if depth is None else depth - 1, budget)
        path.discard(parent)
        nodes.append(DependencyNode(parent, package.name, package.version, status, below))
    return tuple(nodes)


def build_tree(
    graph: EnvironmentGraph,
    *,
    reverse: bool = False,
    only: Iterable[str] = (),
    depth: int | None = None,
    max_nodes: int = MAX_NODES,
) -> DependencyTree:
    """The tree of graph's environment. only: start from these names (canonicalised) instead of the
    top-level packages; a name not installed (forward) or not required by anything is still shown."""
    budget = _Budget(max_nodes)
    wanted = [canonicalize_name(n) for n in only]
    top: list[DependencyNode] = []
    if reverse:
        dependents = graph.dependents()
        starts = wanted or _reverse_roots(graph, dependents)
        for key in starts:
            node = graph.nodes.get(key)
            name, version = (node.package.name, node.package.version) if node else (key, None)
            children = _reverse(graph, key, dependents, {key}, depth, budget)
            top.append(DependencyNode(key, name, version, None, children))
    else:
        for key in wanted or roots(graph):
            node = graph.nodes.get(key)
            if node is None:
                top.append(DependencyNode(key, key, None))
                continue
            children = _forward(graph, key, None, {key}, depth, budget)
            top.append(DependencyNode(key, node.package.name, node.package.version, None, children))
    return DependencyTree(graph.listing.environment, tuple(top), reverse, tuple(graph.metadata_problems()))


def _reverse_roots(graph: EnvironmentGraph, dependents: dict[str, list[tuple[str, Edge]]]) -> list[str]:
    """pipdeptree's reverse roots: packages requiring nothing and missing requirements, by key; a
    package listed under a missing one is not a root of its own."""
    missing = sorted(k for k in dependents if k not in graph.nodes)
    under_missing = {parent for k in missing for parent, _ in dependents[k]}
    installed = [k for k in roots(graph, reverse=True) if k not in under_missing]
    return sorted([*installed, *missing])


def dependency_tree(
    env: Environment, *, reverse: bool = False, only: Iterable[str] = (), depth: int | None = None
) -> DependencyTree:
    return build_tree(graph_for(env), reverse=reverse, only=only, depth=depth)


# ---- pipdeptree --json -------------------------------------------------------------------------


def _raw_version(graph: EnvironmentGraph, key: str) -> str:
    """The Version header as written (pipdeptree does not normalise it); pip's spelling otherwise."""
    package = graph.nodes[key].package
    return package.metadata_version or package.version


def _pipdeptree_sees(package: Package, folders: set[str]) -> bool:
    """Found on the path itself (pipdeptree follows no .egg-link), in a folder whose name ends in
    `.dist-info` or `.egg-info` as written (pip takes any case; not `.egg` folders), with METADATA."""
    path = package.metadata_path
    return (
        package.has_metadata
        and path is not None
        and path.name.endswith((".dist-info", ".egg-info"))
        and str(path.parent) in folders
    )


def pipdeptree_json(graph: EnvironmentGraph) -> list[dict[str, object]]:
    # pipdeptree (4.x reads the metadata itself) cannot name a distribution without METADATA (pip
    # 24.2 lists it by its folder's name), and sees only folders ending in `.dist-info` or
    # `.egg-info` as written (pip takes any case; not `.egg` folders): it leaves the others out,
    # and what requires them is missing. It reads no requires.txt (graph.py).
    listing = graph.listing
    folders = {
        str(p)
        for p in listing_reader.search_path(
            listing.interpreter, listing.environment.include_system_site_packages
        )
    }
    unnamed = {key for key, node in graph.nodes.items() if not _pipdeptree_sees(node.package, folders)}
    versions = {key: _raw_version(graph, key) for key in graph.nodes}
    out: list[dict[str, object]] = []
    for key in sorted(graph.nodes.keys() - unnamed):
        node = graph.nodes[key]
        dependencies: list[dict[str, object]] = []
        for edge in graph.children(key):
            try:
                specifier = normalised_specifier(edge.requirement)
            except ValueError:
                continue  # pipdeptree's parser refuses this requirement
            target = None if edge.key in unnamed else graph.nodes.get(edge.key)
            entry: dict[str, object] = {
                "key": edge.key,
                "package_name": target.package.name if target else edge.key,
                "installed_version": versions[edge.key] if target else "?",
                "required_version": specifier or "Any",
            }
            if edge.extra is not None:
                entry["extra"] = edge.extra
            dependencies.append(entry)
        out.append(
            {
                "package": {
                    "key": key,
                    "package_name": node.package.name,
                    "installed_version": versions[key],
                },
                "dependencies": dependencies,
            }
        )
    return out


# ---- text -----------------------------------------------------------------------------------------


def _label(node: DependencyNode, reverse: bool) -> str:
    via = node.via
    if via is None:
        return f"{node.name}=={node.version if node.version is not None else '?'}"
    extra = f", extra: {via.extra}" if via.extra else ""
    if reverse:
        return f"{node.name}=={node.version} [requires: {via.name}{via.specifier}{extra}]"
    installed = node.version if node.version is not None else "?"
    text = f"{node.name} [required: {via.specifier or 'Any'}, installed: {installed}{extra}]"
    if node.version is None:
        text += " MISSING"
    elif via.satisfied is False:
        text += " CONFLICT"
    return text


def text_lines(tree: DependencyTree) -> list[str]:
    """pipdeptree's text layout; a missing requirement says MISSING, an unsatisfied one CONFLICT,
    a package repeated in its own branch (a cycle) ends in (*)."""
    lines: list[str] = []

    def walk(children: tuple[DependencyNode, ...], prefix: str) -> None:
        for index, child in enumerate(children):
            last = index == len(children) - 1
            cycle = " (*)" if child.cycle else ""
            lines.append(f"{prefix}{'└── ' if last else '├── '}{_label(child, tree.reverse)}{cycle}")
            walk(child.children, prefix + ("    " if last else "│   "))

    for root in tree.roots:
        lines.append(_label(root, tree.reverse))
        walk(root.children, "")
    return lines


def statuses_of(tree: DependencyTree) -> list[RequirementStatus]:
    """Every requirement shown in a tree, depth first (for problem summaries)."""
    found: list[RequirementStatus] = []

    def walk(nodes: tuple[DependencyNode, ...]) -> None:
        for node in nodes:
            if node.via is not None:
                found.append(node.via)
            walk(node.children)

    walk(tree.roots)
    return found
