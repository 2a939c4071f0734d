"""Subcommands that change things: each shows the exact command, then streams its output.

They call the same services as the dashboard's keys. Refusals are one line on stderr, exit 1,
and nothing changed; a failed pip or uv run exits with its status after its full output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from venvdeck.errors import RefusedError
from venvdeck.models import Environment, Operation, OperationResult

if TYPE_CHECKING:
    from venvdeck.services.actions import ActionSettings


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    def backend_flags(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--backend", choices=["pip", "uv"], help="pip in the environment, or uv (default: config)"
        )
        parser.add_argument(
            "--break-system-packages",
            action="store_true",
            help="allow changing an externally managed (PEP 668) Python",
        )

    create = sub.add_parser("create", help="make a new environment")
    create.add_argument("path", help="folder for the new environment")
    create.add_argument(
        "--python", help="base interpreter: a version (3.12) or a path (default: newest found)"
    )
    create.add_argument("--without-pip", action="store_true", help="do not install pip into it")
    create.add_argument("--system-site-packages", action="store_true", help="let it see the base's packages")
    create.add_argument("--prompt", help="the name shown in the shell prompt")
    create.add_argument("-r", "--requirements", type=Path, help="install this requirements file right after")
    backend_flags(create)

    install = sub.add_parser("install", help="install requirements into an environment")
    install.add_argument("env", help="environment folder or interpreter path")
    install.add_argument(
        "requirements", nargs="*", metavar="REQ", help="requirement specifiers, e.g. 'rich==13.3.1'"
    )
    install.add_argument("-r", "--requirements-file", type=Path, help="install what this file lists")
    backend_flags(install)

    upgrade = sub.add_parser("upgrade", help="upgrade installed packages")
    upgrade.add_argument("env", help="environment folder or interpreter path")
    upgrade.add_argument("names", nargs="+", metavar="NAME")
    backend_flags(upgrade)

    uninstall = sub.add_parser("uninstall", help="uninstall packages")
    uninstall.add_argument("env", help="environment folder or interpreter path")
    uninstall.add_argument("names", nargs="+", metavar="NAME")
    backend_flags(uninstall)

    ensurepip = sub.add_parser("ensurepip", help="bootstrap pip into an environment without it")
    ensurepip.add_argument("env", help="environment folder or interpreter path")

    export = sub.add_parser("export", help="write the requirements to a file (atomically)")
    export.add_argument("env", help="environment folder or interpreter path")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: PROJECT/requirements.txt)")
    export.add_argument("--top-level", action="store_true", help="only what the user asked for")
    export.add_argument("--force", action="store_true", help="overwrite an existing file")

    delete = sub.add_parser("delete", help="delete an environment (safely)")
    delete.add_argument("env", help="environment folder")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.add_argument("--unlink", action="store_true", help="the path is a link: remove only the link")
    delete.add_argument("--json", action="store_true", help="print the result as JSON")

    activate = sub.add_parser("activate", help="print the activation command for each shell")
    activate.add_argument("env", help="environment folder or interpreter path")

    shell = sub.add_parser("shell", help="start $SHELL inside an environment")
    shell.add_argument("env", help="environment folder or interpreter path")


def _settings(args: argparse.Namespace) -> tuple[ActionSettings, float]:
    """How to change things (config, then flags), and how long an operation may run."""
    from venvdeck.config import load_config
    from venvdeck.services.actions import ActionSettings

    config = load_config(args.config)
    settings = ActionSettings.detect(args.backend or config.backend, args.break_system_packages)
    return settings, config.pip_timeout_s


def _env(text: str) -> Environment:
    from venvdeck.services.resolve import resolve_environment

    return resolve_environment(text)


def _run(operation: Operation, timeout_s: float) -> int:
    """Show the command, stream its output, say how it ended; the tool's exit status on failure."""
    from venvdeck.services.operations import OperationRunner

    err = sys.stderr
    for warning in operation.warnings:
        print(f"venvdeck: warning: {warning}", file=err)
    print(f"$ {operation.command_line}", file=err, flush=True)
    result: OperationResult = OperationRunner(timeout_s=timeout_s).run_sync(
        operation, lambda line: print(line, flush=True)
    )
    print(f"venvdeck: {result.message}", file=err)
    if result.ok:
        return 0
    return result.returncode or 1


# These run without an event loop: a one-shot command starts faster without asyncio.
def create(args: argparse.Namespace) -> int:
    from venvdeck.services.actions import pick_base, plan_create, plan_install_file_sync
    from venvdeck.services.discovery import base_interpreters_sync
    from venvdeck.services.requirements import read_requirements_file

    settings, timeout_s = _settings(args)
    if args.requirements is not None:
        read_requirements_file(args.requirements)  # a bad file is refused before anything is made
    base = pick_base(base_interpreters_sync(), args.python)
    operation = plan_create(
        args.path,
        base,
        settings,
        with_pip=not args.without_pip,
        system_site_packages=args.system_site_packages,
        prompt=args.prompt,
    )
    status = _run(operation, timeout_s)
    if status != 0 or args.requirements is None:
        return status
    env = _env(str(operation.environment))
    return _run(plan_install_file_sync(env, args.requirements, settings), timeout_s)


def install(args: argparse.Namespace) -> int:
    from venvdeck.services.actions import plan_install_file_sync, plan_install_sync

    if bool(args.requirements) == bool(args.requirements_file):
        raise RefusedError("give requirements (REQ ...) or a file (-r FILE), not both and not neither")
    env = _env(args.env)
    settings, timeout_s = _settings(args)
    if args.requirements_file is not None:
        return _run(plan_install_file_sync(env, args.requirements_file, settings), timeout_s)
    return _run(plan_install_sync(env, args.requirements, settings), timeout_s)


def upgrade(args: argparse.Namespace) -> int:
    from venvdeck.services.actions import plan_upgrade_sync

    settings, timeout_s = _settings(args)
    return _run(plan_upgrade_sync(_env(args.env), args.names, settings), timeout_s)


def uninstall(args: argparse.Namespace) -> int:
    from venvdeck.services.actions import plan_uninstall_sync

    settings, timeout_s = _settings(args)
    return _run(plan_uninstall_sync(_env(args.env), args.names, settings), timeout_s)


def ensurepip(args: argparse.Namespace) -> int:
    from venvdeck.config import load_config
    from venvdeck.services.actions import plan_ensurepip

    return _run(plan_ensurepip(_env(args.env)), load_config(args.config).pip_timeout_s)


async def export(args: argparse.Namespace) -> int:
    from venvdeck.services.export import export_requirements

    result = await export_requirements(
        _env(args.env), args.output, top_level=args.top_level, force=args.force
    )
    verb = "Replaced" if result.replaced else "Wrote"
    print(f"venvdeck: {verb} {result.path} ({result.lines} requirements)", file=sys.stderr)
    return 0


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise RefusedError("not deleting without confirmation: pass --yes (stdin is not a terminal)")
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


async def delete(args: argparse.Namespace) -> int:
    from venvdeck.formatting import human_size
    from venvdeck.services.delete import delete_environment, plan_delete
    from venvdeck.services.discovery import DiscoveryOptions, discover_sync
    from venvdeck.services.operations import OperationRunner

    known: list[Environment] = []
    discover_sync(DiscoveryOptions(), known.append)  # to name environments that use this one as a base
    plan = plan_delete(args.env, known, unlink_only=args.unlink)
    env = plan.environment
    err = sys.stderr
    print(f"venvdeck: {plan.summary}", file=err)
    if not plan.unlink_only:
        owner = env.manager.value if env.manager else "no tool (a plain environment)"
        print(f"  kind {env.kind.value}, managed by {owner}", file=err)
        if env.project:
            print(f"  project {env.project}", file=err)
        if plan.size:
            print(
                f"  frees {human_size(plan.size.freed_bytes)} of {human_size(plan.size.disk_bytes)} on disk",
                file=err,
            )
        if plan.owner_argv:
            print(f"  through its owner: {' '.join(plan.owner_argv)}", file=err)
    for warning in plan.warnings:
        print(f"venvdeck: warning: {warning}", file=err)
    if not args.yes and not _confirm("Delete it?"):
        print("venvdeck: nothing deleted", file=err)
        return 1
    result = await delete_environment(plan, known, OperationRunner(), lambda line: print(line, flush=True))
    if args.json:
        json.dump(
            {"path": str(result.path), "freed_bytes": result.freed_bytes, "via_owner": result.via_owner},
            sys.stdout,
        )
        sys.stdout.write("\n")
    print(f"venvdeck: {result.message}", file=err)
    return 0


async def activate(args: argparse.Namespace) -> int:
    from venvdeck.services.shell import activation_commands

    for command in activation_commands(_env(args.env)):
        print(f"{command.shell:<18} {command.command}")
    return 0


def shell(args: argparse.Namespace) -> int:
    from venvdeck.services.shell import run_shell, shell_launch

    env = _env(args.env)
    print(
        f"venvdeck: starting {shell_launch_name()} in {env.path}; exit the shell to come back",
        file=sys.stderr,
    )
    return run_shell(shell_launch(env))


def shell_launch_name() -> str:
    import os

    return os.environ.get("SHELL") or "a shell"


SYNC_COMMANDS = {
    "create": create,
    "install": install,
    "upgrade": upgrade,
    "uninstall": uninstall,
    "ensurepip": ensurepip,
    "shell": shell,
}
ASYNC_COMMANDS = {
    "export": export,
    "delete": delete,
    "activate": activate,
}
