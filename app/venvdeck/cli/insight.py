"""Subcommands that read what installed requirements say: check, deps, show, find, usage.

Each prints one environment's (or every environment's) evaluated requirements without running
pip or pipdeptree. Everything heavier than argparse is imported inside the command that needs it,
so `venvdeck deps` starts as fast as the listing allows. Names and paths from disk go through
`shown` before they reach the terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from venvdeck.models import FoundDistribution, MetadataProblem

ENV_HELP = "environment folder, interpreter, project folder or name"


def _depth(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def add_parsers(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    check = sub.add_parser(
        "check",
        parents=[common],
        help="broken requirements, as pip check reports them",
        description="What `pip check` would print for ENV, without running pip: exit 1 when a "
        "requirement is missing or conflicts, 0 when none does.",
    )
    check.add_argument("env", help=ENV_HELP)
    check.add_argument("--json", action="store_true", help="one object per problem")

    deps = sub.add_parser(
        "deps",
        parents=[common],
        help="the dependency tree, as pipdeptree shows it",
        description="The packages nothing else requires, each with what it requires, recursively; "
        "missing and conflicting requirements are marked, a cycle is shown once (*).",
    )
    deps.add_argument("env", help=ENV_HELP)
    deps.add_argument(
        "packages",
        nargs="*",
        metavar="PKG",
        help="start from these packages (a pattern such as 'jaraco*' too)",
    )
    deps.add_argument("-r", "--reverse", action="store_true", help="who requires each package")
    deps.add_argument("-d", "--depth", type=_depth, metavar="N", help="show N levels below each package")
    deps.add_argument(
        "--json", action="store_true", help="what `pipdeptree --json` prints (every package, flat)"
    )

    show = sub.add_parser(
        "show", parents=[common], help="everything about one installed package, its requirements evaluated"
    )
    show.add_argument("env", help=ENV_HELP)
    show.add_argument("package", metavar="PKG")
    show.add_argument("--json", action="store_true", help="print a JSON object")

    find = sub.add_parser(
        "find",
        parents=[common],
        help="every environment holding a package that matches a requirement",
        description="SPEC is a requirement ('requests', 'numpy<2', 'urllib3>=2,<2.3'); matches are "
        "printed as each environment is read. Exit 1 when no environment holds one.",
    )
    find.add_argument("spec", metavar="SPEC")
    find.add_argument("roots", nargs="*", type=Path, metavar="ROOT", help="look only below these folders")
    find.add_argument("--json", action="store_true", help="a JSON array of matches, at the end")

    usage = sub.add_parser(
        "usage",
        parents=[common],
        help="disk use by package across every environment",
        description="Bytes each distribution takes over all environments (a file hard-linked into "
        "several, as uv and conda do, counts once), its copies and where they are.",
    )
    usage.add_argument("roots", nargs="*", type=Path, metavar="ROOT", help="look only below these folders")
    usage.add_argument("--json", action="store_true", help="print a JSON array")
    usage.add_argument("--top", type=_depth, metavar="N", help="only the N largest")


def _memo_key(args: argparse.Namespace, *params: object) -> str | None:
    """What a remembered answer is filed under: ENV as an absolute path and the options (None: ENV
    is a name, whose meaning depends on discovery, so nothing is remembered)."""
    import os

    from venvdeck import __version__

    if not os.path.exists(args.env):
        return None
    return json.dumps(
        [os.path.abspath(args.env), os.environ.get("PYTHONNOUSERSITE", ""), __version__, params]
    )


def _recall(kind: str, key: str | None) -> int | None:
    """Print a remembered answer and return its exit status; None when there is none (or stale)."""
    if key is None:
        return None
    from venvdeck.services.insight import memo

    answer = memo.load(kind, key)
    if answer is None:
        return None
    sys.stdout.write(str(answer["stdout"]))
    sys.stderr.write(str(answer["stderr"]))
    return int(answer["code"])


def _answer(kind: str, key: str | None, listing: Any, env_arg: str, out: str, err: str, code: int) -> int:
    from venvdeck.services.insight import memo

    sys.stdout.write(out)
    sys.stderr.write(err)
    if key is not None:
        memo.save(
            kind, key, memo.dependencies_of(listing, env_arg), {"stdout": out, "stderr": err, "code": code}
        )
    return code


def _warnings(problems: tuple[MetadataProblem, ...]) -> str:
    from venvdeck.formatting import shown

    return "".join(f"WARNING: {shown(p.path)}: {shown(p.message)}\n" for p in problems)


def check(args: argparse.Namespace) -> int:
    key = _memo_key(args, "check", args.json)
    remembered = _recall("check", key)
    if remembered is not None:
        return remembered
    from venvdeck.cli.read import environment_from
    from venvdeck.formatting import shown
    from venvdeck.services.insight.check import check_listing
    from venvdeck.services.read.packages import list_packages

    listing = list_packages(environment_from(args, args.env))
    report = check_listing(listing)
    if args.json:
        rows = [
            {
                "package": p.package,
                "version": p.version,
                "requirement": p.requirement or None,
                "problem": p.kind.value,
                "installed_version": p.installed_version,
            }
            for p in report.problems
        ]
        out = json.dumps(rows) + "\n"
    elif report.problems:
        out = "".join(f"{shown(p.message)}\n" for p in report.problems)
    else:
        out = "No broken requirements found.\n" if report.ok else ""
    code = 0 if report.ok else 1
    return _answer("check", key, listing, args.env, out, _warnings(report.metadata_problems), code)


def _reachable(entries: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """The entries of names and of everything they require, transitively."""
    by_key: dict[str, dict[str, Any]] = {e["package"]["key"]: e for e in entries}
    keep: set[str] = set()
    stack = [n for n in names if n in by_key]
    while stack:
        key = stack.pop()
        if key in keep:
            continue
        keep.add(key)
        stack.extend(d["key"] for d in by_key[key]["dependencies"] if d["key"] in by_key)
    return [e for e in entries if e["package"]["key"] in keep]


def _named(names: list[str], known: set[str]) -> tuple[list[str], list[str]]:
    """The canonical names asked for (a pattern, as pipdeptree's -p takes `jaraco*`, is every
    installed name it matches), and those that match nothing. A name that is not a project name
    is a one-line error, not "not installed"."""
    from fnmatch import fnmatchcase

    from packaging.utils import InvalidName, canonicalize_name

    from venvdeck.errors import InvalidRequirementError
    from venvdeck.formatting import shown

    wanted: list[str] = []
    unknown: list[str] = []
    for name in names:
        if any(c in name for c in "*?["):
            pattern = canonicalize_name(name)
            matched = sorted(k for k in known if fnmatchcase(k, pattern))
            wanted += [k for k in matched if k not in wanted]
            if not matched:
                unknown.append(name)
            continue
        try:
            key = canonicalize_name(name, validate=True)
        except InvalidName:
            raise InvalidRequirementError(f"not a package name: {shown(name)}") from None
        if key not in known:
            unknown.append(name)
        elif key not in wanted:
            wanted.append(key)
    return wanted, unknown


def deps(args: argparse.Namespace) -> int:
    key = _memo_key(args, "deps", args.json, args.reverse, args.depth, args.packages)
    remembered = _recall("deps", key)
    if remembered is not None:
        return remembered

    from venvdeck.cli.read import environment_from
    from venvdeck.errors import PackageNotFound
    from venvdeck.formatting import shown
    from venvdeck.services.insight import deps as trees

    env = environment_from(args, args.env)
    graph = trees.graph_for(env)
    known = set(graph.nodes) | (set(graph.dependents()) if args.reverse else set())
    wanted, unknown = _named(args.packages, known)
    if unknown:
        raise PackageNotFound(f"not installed in {shown(env.path)}: {shown(', '.join(unknown))}")
    if args.json:
        entries = trees.pipdeptree_json(graph)
        if wanted:
            entries = _reachable(entries, wanted)
        return _answer("deps", key, graph.listing, args.env, json.dumps(entries, indent=4) + "\n", "", 0)
    tree = trees.build_tree(graph, reverse=args.reverse, only=wanted, depth=args.depth)
    out = "".join(f"{shown(line)}\n" for line in trees.text_lines(tree))
    return _answer("deps", key, graph.listing, args.env, out, _warnings(tree.metadata_problems), 0)


def show(args: argparse.Namespace) -> int:
    from venvdeck.cli.read import environment_from
    from venvdeck.formatting import human_size, shown
    from venvdeck.services.insight.details import package_details

    details = package_details(environment_from(args, args.env), args.package)
    if args.json:
        data = {
            "name": details.name,
            "version": details.version,
            "summary": details.summary,
            "license": details.license,
            "home_page": details.home_page,
            "project_urls": dict(details.project_urls),
            "requires_python": details.requires_python,
            "installer": details.installer,
            "source": details.source,
            "source_url": details.source_url,
            "commit": details.commit,
            "location": str(details.location) if details.location else None,
            "files": details.files,
            "size_bytes": details.size_bytes,
            "requested": details.requested,
            "extras": list(details.extras),
            "requirements": [
                {
                    "requirement": r.requirement,
                    "name": r.name,
                    "applies": r.applies,
                    "extra": r.extra,
                    "installed_version": r.installed_version,
                    "satisfied": r.satisfied,
                }
                for r in details.requirements
            ],
            "required_by": [
                {"name": r.name, "version": r.version, "requirement": r.requirement, "satisfied": r.satisfied}
                for r in details.required_by
            ],
            "metadata_problems": list(details.metadata_problems),
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    source = details.source + (f" {details.source_url}" if details.source_url else "")
    if details.commit:
        source += f" @ {details.commit}"
    rows = [
        ("Name", details.name),
        ("Version", details.version),
        ("Summary", details.summary),
        ("License", details.license or ""),
        ("Home-page", details.home_page or ""),
        *((f"URL {label}".rstrip(), url) for label, url in details.project_urls),
        ("Requires-Python", details.requires_python or ""),
        ("Installer", details.installer or ""),
        ("Source", source),
        ("Requested", "yes" if details.requested else "no (a dependency)"),
        ("Location", str(details.location or "")),
        ("Files", "" if details.files is None else f"{details.files} ({human_size(details.size_bytes)})"),
    ]
    out = [f"{label}: {shown(value)}\n" for label, value in rows]
    out.append("Requires:\n")
    for r in details.requirements:
        if not r.applies:
            state = "does not apply here"
        elif r.installed_version is None:
            state = "MISSING"
        else:
            state = f"{r.installed_version}" + ("" if r.satisfied else " CONFLICT")
        extra = f" [extra: {r.extra}]" if r.extra else ""
        out.append(f"  {shown(r.requirement)}{extra}: {shown(state)}\n")
    out.append("Required-by:\n")
    for b in details.required_by:
        out.append(
            f"  {shown(b.name)} {shown(b.version)}: {shown(b.requirement)}{'' if b.satisfied else ' CONFLICT'}\n"
        )
    for problem in details.metadata_problems:
        out.append(f"Problem: {shown(problem)}\n")
    sys.stdout.write("".join(out))
    return 0


def find(args: argparse.Namespace) -> int:
    from venvdeck.cli.read import discovery_options
    from venvdeck.formatting import field, shown
    from venvdeck.services.insight.search import find_everywhere, requirement_from

    requirement = requirement_from(args.spec)
    options = discovery_options(args, args.roots)
    found: list[FoundDistribution] = []

    def emit(match: FoundDistribution) -> None:
        found.append(match)
        if not args.json:
            print(f"{field(match.environment.path)}\t{field(match.name)} {field(match.version)}", flush=True)

    report = find_everywhere(requirement, options, emit)
    if args.json:
        rows = [{"environment": str(m.environment.path), "name": m.name, "version": m.version} for m in found]
        sys.stdout.write(json.dumps(rows) + "\n")
    _skipped(len(report.discovery.unreadable), len(report.unreadable))
    if report.broken:
        from venvdeck.formatting import counted

        print(f"venvdeck: {counted(report.broken, 'broken environment')} not searched", file=sys.stderr)
    if not found and not args.json:  # stdout stays empty for scripts; a person is told
        print(f"venvdeck: no environment has a distribution matching {shown(args.spec)}", file=sys.stderr)
    return 0 if found else 1


def usage(args: argparse.Namespace) -> int:
    from venvdeck.cli.read import discovery_options
    from venvdeck.formatting import counted, human_size, shown
    from venvdeck.models import DiscoveryReport
    from venvdeck.services.insight.usage import usage as measure_usage

    report = DiscoveryReport()
    rows, unreadable = measure_usage(discovery_options(args, args.roots), report=report)
    if args.top is not None:
        rows = rows[: args.top]
    if args.json:
        data = [
            {
                "name": u.name,
                "total_bytes": u.total_bytes,
                "copies": u.copies,
                "shared_bytes": u.shared_bytes,
                "versions": list(u.versions),
                "environments": [str(p) for p in u.environments],
            }
            for u in rows
        ]
        sys.stdout.write(json.dumps(data) + "\n")
    else:
        for u in rows:
            versions = ", ".join(u.versions)
            copies = counted(u.copies, "copy", "copies")
            print(f"{human_size(u.total_bytes):>9}  {copies:>10}  {shown(u.name)} ({shown(versions)})")
    _skipped(len(report.unreadable), len(unreadable))
    return 0


def _skipped(folders: int, environments: int) -> None:
    """What a search over many places could not read: said, never silently left out."""
    from venvdeck.formatting import counted

    if folders:
        print(f"venvdeck: {counted(folders, 'folder')} could not be read (skipped)", file=sys.stderr)
    if environments:
        print(f"venvdeck: {counted(environments, 'environment')} could not be read", file=sys.stderr)
