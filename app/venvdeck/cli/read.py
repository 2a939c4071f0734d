"""Subcommands that only read: list, packages, freeze."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from venvdeck.errors import RefusedError

if TYPE_CHECKING:
    from venvdeck.models import Environment, EnvironmentSize, Package

_SORTS = ("name", "size", "last-used", "path")


def add_parsers(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    from venvdeck.cli.render import ENVIRONMENT_COLUMNS, FORMATS

    listing = sub.add_parser(
        "list",
        parents=[common],
        help="list environments",
        description="Every environment, as a table on a terminal; in a pipe one per line, tab-separated: "
        + ", ".join(ENVIRONMENT_COLUMNS)
        + " (in a value a backslash is written \\\\, a tab \\t, a newline \\n, another control"
        + " character \\uNNNN and a byte that is not UTF-8 \\xNN).",
    )
    listing.add_argument("roots", nargs="*", type=Path, metavar="ROOT", help="look only below these folders")
    listing.add_argument(
        "--format", choices=FORMATS, help="table, tsv or json (default: table on a terminal)"
    )
    listing.add_argument(
        "--json", action="store_const", const="json", dest="format", help="same as --format json"
    )
    listing.add_argument("--json-stream", action="store_true", help="one JSON object per line, as found")
    listing.add_argument(
        "--manager", action="append", metavar="NAME", help="only these managers (pipx, conda, none…)"
    )
    listing.add_argument("--broken", action="store_true", help="only broken environments")
    listing.add_argument("--unused-for", type=float, metavar="DAYS", help="only those not used for DAYS days")
    listing.add_argument("--sort", choices=_SORTS, default="name", help="order (default: name)")

    packages = sub.add_parser(
        "packages", parents=[common], help="an environment's packages, as pip lists them"
    )
    packages.add_argument("env", help="environment folder, interpreter, project folder or name")
    packages.add_argument("--format", choices=FORMATS)
    packages.add_argument(
        "--json", action="store_const", const="json", dest="format", help="print a JSON array"
    )

    freeze = sub.add_parser(
        "freeze", parents=[common], help="an environment's requirements, as pip freeze prints them"
    )
    freeze.add_argument("env", help="environment folder, interpreter, project folder or name")
    freeze.add_argument("--top-level", action="store_true", help="only what the user asked for")


def environment_from(args: argparse.Namespace, text: str) -> Environment:
    """ENV as a user gives it: a folder, an interpreter, a project folder, or a unique name."""
    from venvdeck.services.find.resolve import resolve_environment

    return resolve_environment(text, named=lambda: discover_all(args))


def discovery_options(args: argparse.Namespace, roots: list[Path] | None = None) -> Any:
    from venvdeck.config import load_config
    from venvdeck.services.find.discovery import DiscoveryOptions

    config = load_config(args.config)
    return DiscoveryOptions(
        roots=roots or (), extra_roots=config.roots, excluded=config.exclude, max_depth=config.scan_depth
    )


def discover_all(args: argparse.Namespace) -> list[Environment]:
    from venvdeck.services.find.discovery import discover

    found: list[Environment] = []
    discover(discovery_options(args), found.append)
    return found


def _measure_all(envs: list[Environment]) -> dict[Path, EnvironmentSize]:
    from concurrent.futures import ThreadPoolExecutor

    from venvdeck.services.read.sizes import is_measurable, measure

    measurable = [e for e in envs if is_measurable(e)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        sizes = list(pool.map(_measure_quietly, measurable, [measure] * len(measurable)))
    return {env.path: size for env, size in zip(measurable, sizes, strict=True) if size is not None}


def _measure_quietly(env: Environment, measure: Any) -> EnvironmentSize | None:
    try:
        size: EnvironmentSize = measure(env)
    except OSError:
        return None
    return size


def _wanted(args: argparse.Namespace, env: Environment, size: EnvironmentSize | None, now: float) -> bool:
    if args.broken and not env.is_broken:
        return False
    if args.manager:
        wanted = {m.lower() for m in args.manager}
        manager = env.manager.value if env.manager else ("python" if env.kind.value == "python" else "none")
        if manager not in wanted:
            return False
    if args.unused_for is not None:
        used = size.last_used if size else None
        if used is not None and now - used < args.unused_for * 86400:
            return False
    return True


def _sort_key(sort: str, sizes: dict[Path, EnvironmentSize]) -> Any:
    from venvdeck.formatting import natural_key

    def key(env: Environment) -> tuple[Any, ...]:
        size = sizes.get(env.path)
        if sort == "size":
            return (-(size.freed_bytes if size else -1), natural_key(env.name), str(env.path))
        if sort == "last-used":
            return ((size.last_used or 0) if size else 0, natural_key(env.name), str(env.path))
        if sort == "path":
            return (str(env.path),)
        return (natural_key(env.name), str(env.path))

    return key


def list_environments(args: argparse.Namespace) -> int:
    from venvdeck.cli import render
    from venvdeck.models import DiscoveryReport
    from venvdeck.services.find import layout
    from venvdeck.services.find.discovery import discover

    if args.unused_for is not None and not 0 <= args.unused_for < 100_000:
        raise RefusedError("--unused-for takes a number of days (0 or more)")
    options = discovery_options(args, args.roots)
    report = DiscoveryReport()
    now = time.time()
    envs: list[Environment] = []
    if args.json_stream:
        from venvdeck.services.read.sizes import is_measurable, measure

        def emit(env: Environment) -> None:
            size = _measure_quietly(env, measure) if is_measurable(env) else None
            if _wanted(args, env, size, now):
                print(json.dumps(render.environment_data(env, size)), flush=True)

        discover(options, emit, report=report)
    else:
        discover(options, envs.append, report=report)
    _finish_pending(report.pending_deletions)
    if not args.json_stream and any(layout.is_being_recreated(p) for p in report.pending_deletions):
        # An old environment was put back where the half-built one was listed: list again.
        envs, report = [], DiscoveryReport()
        discover(options, envs.append, report=report)
    if report.unreadable:
        from venvdeck.formatting import counted

        print(
            f"venvdeck: {counted(len(report.unreadable), 'folder')} could not be read (skipped)",
            file=sys.stderr,
        )
    if args.json_stream:
        return 0
    sizes = _measure_all(envs)
    chosen = sorted(
        (e for e in envs if _wanted(args, e, sizes.get(e.path), now)), key=_sort_key(args.sort, sizes)
    )
    fmt = render.choose_format(args.format)
    if fmt == "json":
        json.dump([render.environment_data(e, sizes.get(e.path)) for e in chosen], sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif fmt == "tsv":
        for env in chosen:
            sys.stdout.write(render.environment_line(env, sizes.get(env.path)) + "\n")
    else:
        render.print_environments([(e, sizes.get(e.path)) for e in chosen], now)
    return 0


def _finish_pending(paths: list[Path]) -> None:
    """Deletes an earlier run left half done are finished now, and environments an interrupted
    rebuild left aside are put back (or say what blocks them)."""
    if not paths:
        return
    from venvdeck.formatting import shown
    from venvdeck.services.repair.rebuilding import finish_all_interrupted

    for line in finish_all_interrupted(paths):
        print(f"venvdeck: {shown(line)}", file=sys.stderr)


def packages(args: argparse.Namespace) -> int:
    from venvdeck.cli import render
    from venvdeck.formatting import shown
    from venvdeck.services.read.packages import list_packages

    env = environment_from(args, args.env)
    if env.is_broken:
        # Its Python is gone; what its folder holds is still what a person wants to see (and
        # what the dashboard shows): read from disk, said on stderr.
        from venvdeck.services.read.on_disk import installed_packages

        found: tuple[Package, ...] = tuple(installed_packages(env)[0])
        print(
            f"venvdeck: {shown(env.path)} is broken ({shown(env.broken_reason)}): read from its folder",
            file=sys.stderr,
        )
    else:
        found = list_packages(env).packages
    fmt = render.choose_format(args.format)
    if fmt == "json":
        json.dump([render.package_data(p) for p in found], sys.stdout)
        sys.stdout.write("\n")
    elif fmt == "tsv":
        from venvdeck.formatting import field

        for p in found:
            sys.stdout.write(f"{field(p.name)}\t{field(p.version)}\n")
    else:
        render.print_packages(found, f"{len(found)} packages in {env.path}")
    return 0


def freeze(args: argparse.Namespace) -> int:
    from venvdeck.formatting import shown
    from venvdeck.services.read.freeze import freeze as freeze_environment

    result = freeze_environment(environment_from(args, args.env), top_level=args.top_level)
    sys.stdout.write("".join(f"{shown(line)}\n" for line in result.lines))
    return 0
