"""`venvdeck` and its subcommands. Textual is imported only when the dashboard opens."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from venvdeck import __version__
from venvdeck.errors import VenvDeckError
from venvdeck.models import Environment

SUBCOMMANDS = (
    "list",
    "packages",
    "freeze",
    "create",
    "install",
    "upgrade",
    "uninstall",
    "ensurepip",
    "export",
    "delete",
    "activate",
    "shell",
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="venvdeck",
        description="Every Python environment on this machine. Without a subcommand "
        "(`venvdeck [ROOT ...]`) it opens the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"venvdeck {__version__}")
    parser.add_argument("--config", type=Path, help="config file (default: the user config dir)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    listing = sub.add_parser("list", help="list environments")
    listing.add_argument("roots", nargs="*", type=Path, help="folders to search instead of everywhere")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    packages = sub.add_parser("packages", help="list an environment's packages as pip would")
    packages.add_argument("env", help="environment folder or interpreter path")
    packages.add_argument("--json", action="store_true", help="print a JSON array")
    freeze = sub.add_parser("freeze", help="print an environment's requirements as pip freeze would")
    freeze.add_argument("env", help="environment folder or interpreter path")
    freeze.add_argument("--top-level", action="store_true", help="only what the user asked for")
    from venvdeck.cli import actions

    actions.add_parsers(sub)
    return parser


def _list(args: argparse.Namespace) -> int:
    """Walks synchronously: a one-shot listing needs no event loop (and starts faster without)."""
    from venvdeck.config import load_config
    from venvdeck.services.discovery import DiscoveryOptions, discover_sync

    config = load_config(args.config)
    options = DiscoveryOptions(
        roots=args.roots,
        extra_roots=config.roots,
        excluded=config.exclude,
        max_depth=config.scan_depth,
    )
    envs: list[Environment] = []
    discover_sync(options, envs.append)
    from venvdeck.cli import render

    if args.json:
        json.dump([render.environment_data(e) for e in envs], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render.print_environments(envs)
    return 0


def _packages(args: argparse.Namespace) -> int:
    from venvdeck.cli import render
    from venvdeck.services.packages import list_packages_sync
    from venvdeck.services.resolve import resolve_environment

    listing = list_packages_sync(resolve_environment(args.env))
    if args.json:
        json.dump([render.package_data(p) for p in listing.packages], sys.stdout)
        sys.stdout.write("\n")
    else:
        render.print_packages(
            listing.packages, f"{len(listing.packages)} packages in {listing.environment.path}"
        )
    return 0


async def _freeze(args: argparse.Namespace) -> int:
    from venvdeck.services.freeze import freeze
    from venvdeck.services.resolve import resolve_environment

    result = await freeze(resolve_environment(args.env), top_level=args.top_level)
    sys.stdout.write(result.text)
    return 0


_ASYNC_COMMANDS = {"freeze": _freeze}


def _open_dashboard(argv: Sequence[str]) -> int:
    parser = _Parser(prog="venvdeck", description="Open the dashboard (or run a subcommand).")
    parser.add_argument("--version", action="version", version=f"venvdeck {__version__}")
    parser.add_argument("--config", type=Path)
    parser.add_argument("roots", nargs="*", type=Path)
    args = parser.parse_args(argv)
    from venvdeck.config import load_config
    from venvdeck.services.discovery import _check_roots

    config = load_config(args.config)
    roots = tuple(_check_roots(args.roots))
    from venvdeck.app import run_dashboard

    return run_dashboard(config, roots)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        first = next((a for a in argv if not a.startswith("-")), None)
        if first not in SUBCOMMANDS and not {"-h", "--help"} & set(argv[:1]):
            return _open_dashboard(argv)
        parser = _parser()
        args, extras = parser.parse_known_args(argv)
        # argparse cannot take more positionals after an option ('install ENV --backend uv rich'):
        # the words left over are more requirements or names; anything else is an error.
        field = {"install": "requirements", "upgrade": "names", "uninstall": "names"}.get(args.command or "")
        after_dash = extras[extras.index("--") + 1 :] if "--" in extras else []
        before_dash = extras[: extras.index("--")] if "--" in extras else extras
        if extras and (field is None or any(e.startswith("-") for e in before_dash)):
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        extras = [*before_dash, *after_dash]  # after '--' everything is a requirement (and is checked as one)
        if extras and field is not None:
            setattr(args, field, [*getattr(args, field), *extras])
        if args.command == "list":
            return _list(args)
        if args.command == "packages":
            return _packages(args)
        from venvdeck.cli import actions

        if args.command in actions.SYNC_COMMANDS:
            return actions.SYNC_COMMANDS[args.command](args)
        if args.command is None:
            _parser().print_help()
            return 2
        import asyncio

        commands = {**_ASYNC_COMMANDS, **actions.ASYNC_COMMANDS}
        return asyncio.run(commands[args.command](args))
    except VenvDeckError as exc:
        print(f"venvdeck: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); point stdout at devnull so the exit flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
