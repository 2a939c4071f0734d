"""Subcommands that change things: each shows the exact command, then streams its output.

They call the same services as the dashboard's keys. Refusals are one line on stderr, exit 1,
and nothing changed; a failed pip or uv run exits with its status after its full output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from venvdeck.cli.read import discover_all, environment_from
from venvdeck.errors import RefusedError
from venvdeck.formatting import shown

if TYPE_CHECKING:
    from venvdeck.models import Operation
    from venvdeck.services.change.settings import ActionSettings

ENV_HELP = "environment folder, interpreter, project folder or name"


def add_parsers(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    def backend_flags(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--backend", choices=["pip", "uv"], help="pip in the environment, or uv (default: config)"
        )
        parser.add_argument(
            "--break-system-packages",
            action="store_true",
            help="allow changing an externally managed (PEP 668) Python",
        )

    create = sub.add_parser("create", parents=[common], help="make a new environment")
    create.add_argument("path", help="folder for the new environment")
    create.add_argument(
        "--python", help="base interpreter: a version (3.12) or a path (default: newest found)"
    )
    create.add_argument("--without-pip", action="store_true", help="do not install pip into it")
    create.add_argument("--system-site-packages", action="store_true", help="let it see the base's packages")
    create.add_argument("--prompt", help="the name shown in the shell prompt")
    create.add_argument("-r", "--requirements", type=Path, help="install this requirements file right after")
    backend_flags(create)

    install = sub.add_parser("install", parents=[common], help="install requirements into an environment")
    install.add_argument("env", help=ENV_HELP)
    install.add_argument(
        "requirements", nargs="*", metavar="REQ", help="requirement specifiers, e.g. 'rich==13.3.1'"
    )
    install.add_argument(
        "-r", "--requirements-file", type=Path, help="install what this file lists (as pip reads it)"
    )
    backend_flags(install)

    upgrade = sub.add_parser("upgrade", parents=[common], help="upgrade installed packages")
    upgrade.add_argument("env", help=ENV_HELP)
    upgrade.add_argument("names", nargs="+", metavar="NAME")
    backend_flags(upgrade)

    uninstall = sub.add_parser("uninstall", parents=[common], help="uninstall packages")
    uninstall.add_argument("env", help=ENV_HELP)
    uninstall.add_argument("names", nargs="+", metavar="NAME")
    backend_flags(uninstall)

    ensurepip = sub.add_parser(
        "ensurepip", parents=[common], help="bootstrap pip into an environment without it"
    )
    ensurepip.add_argument("env", help=ENV_HELP)

    export = sub.add_parser("export", parents=[common], help="write the requirements to a file (atomically)")
    export.add_argument("env", help=ENV_HELP)
    export.add_argument(
        "-o", "--output", help="file to write, - for standard output (default: PROJECT/requirements.txt)"
    )
    export.add_argument("--top-level", action="store_true", help="only what the user asked for")
    export.add_argument("--force", action="store_true", help="overwrite an existing file")

    delete = sub.add_parser("delete", parents=[common], help="delete an environment (safely)")
    delete.add_argument("env", help="environment folder")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.add_argument("--unlink", action="store_true", help="the path is a link: remove only the link")
    delete.add_argument("--json", action="store_true", help="print the result as JSON")

    activate = sub.add_parser(
        "activate", parents=[common], help="print the activation command for each shell"
    )
    activate.add_argument("env", help=ENV_HELP)
    activate.add_argument(
        "--shell",
        help="print only this shell's command, for eval (bash, zsh, sh, fish, csh, tcsh, nu, pwsh, cmd)",
    )

    shell = sub.add_parser("shell", parents=[common], help="start $SHELL inside an environment")
    shell.add_argument("env", help=ENV_HELP)


def _settings(args: argparse.Namespace) -> tuple[ActionSettings, float]:
    """How to change things (config, then flags), and how long an operation may run."""
    from venvdeck.config import load_config
    from venvdeck.services.change.settings import ActionSettings

    config = load_config(args.config)
    settings = ActionSettings.detect(args.backend or config.backend, args.break_system_packages)
    return settings, config.pip_timeout_s


def _run(operation: Operation, timeout_s: float) -> int:
    """Show the command, stream its output, say how it ended; the tool's exit status on failure."""
    from venvdeck.services.change.operations import OperationRunner

    err = sys.stderr
    for warning in operation.warnings:
        print(f"venvdeck: warning: {shown(warning)}", file=err)
    print(f"$ {shown(operation.command_line)}", file=err, flush=True)
    result = OperationRunner(timeout_s=timeout_s).run(operation, lambda line: print(shown(line), flush=True))
    print(f"venvdeck: {shown(result.message)}", file=err)
    if result.ok:
        return 0
    return result.returncode or 1


def create(args: argparse.Namespace) -> int:
    from venvdeck.services.change.plans import pick_base, plan_create, plan_install_file
    from venvdeck.services.find.discovery import base_interpreters
    from venvdeck.services.find.resolve import resolve_environment

    settings, timeout_s = _settings(args)
    base = pick_base(base_interpreters(), args.python, resolve_environment)
    operation = plan_create(
        args.path,
        base,
        settings,
        with_pip=not args.without_pip,
        system_site_packages=args.system_site_packages,
        prompt=args.prompt,
        requirements_file=args.requirements,  # a bad file is refused before anything is made
    )
    status = _run(operation, timeout_s)
    if status != 0 or args.requirements is None:
        return status
    env = resolve_environment(operation.environment)
    status = _run(plan_install_file(env, args.requirements, settings), timeout_s)
    if status != 0:
        where, file = shown(env.path), shown(args.requirements)
        print(
            f"venvdeck: {where} was made and is kept, but installing from {file} failed: "
            f"`venvdeck install {where} -r {file}` tries again, `venvdeck delete {where}` removes it",
            file=sys.stderr,
        )
    return status


def install(args: argparse.Namespace) -> int:
    from venvdeck.services.change.plans import plan_install, plan_install_file

    if bool(args.requirements) == bool(args.requirements_file):
        raise RefusedError("give requirements (REQ ...) or a file (-r FILE), not both and not neither")
    env = environment_from(args, args.env)
    settings, timeout_s = _settings(args)
    if args.requirements_file is not None:
        return _run(plan_install_file(env, args.requirements_file, settings), timeout_s)
    return _run(plan_install(env, args.requirements, settings), timeout_s)


def upgrade(args: argparse.Namespace) -> int:
    from venvdeck.services.change.plans import plan_upgrade

    settings, timeout_s = _settings(args)
    # No dry run first: nothing is asked before it runs, and pip says what it changes as it goes.
    return _run(
        plan_upgrade(environment_from(args, args.env), args.names, settings, preview=False), timeout_s
    )


def uninstall(args: argparse.Namespace) -> int:
    from venvdeck.services.change.plans import plan_uninstall

    settings, timeout_s = _settings(args)
    return _run(plan_uninstall(environment_from(args, args.env), args.names, settings), timeout_s)


def ensurepip(args: argparse.Namespace) -> int:
    from venvdeck.config import load_config
    from venvdeck.services.change.plans import plan_ensurepip

    return _run(plan_ensurepip(environment_from(args, args.env)), load_config(args.config).pip_timeout_s)


def export(args: argparse.Namespace) -> int:
    from venvdeck.services.change.export import export_requirements, requirement_lines
    from venvdeck.services.read.freeze import freeze

    env = environment_from(args, args.env)
    if args.output == "-":
        result = freeze(env, top_level=args.top_level)
        if requirement_lines(result) == 0:
            raise RefusedError(f"{env.name} has nothing to export (no packages)")
        sys.stdout.write(result.text)
        return 0
    output = Path(args.output) if args.output else None
    written = export_requirements(env, output, top_level=args.top_level, force=args.force)
    verb = "Replaced" if written.replaced else "Wrote"
    print(f"venvdeck: {verb} {shown(written.path)} ({written.lines} requirements)", file=sys.stderr)
    return 0


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise RefusedError("not deleting without confirmation: pass --yes (stdin is not a terminal)")
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def delete(args: argparse.Namespace) -> int:
    import json

    from venvdeck.formatting import human_size
    from venvdeck.services.change.delete import delete_environment, plan_delete
    from venvdeck.services.change.locks import EnvironmentLocks

    plan = plan_delete(args.env, lambda: discover_all(args), unlink_only=args.unlink)
    env = plan.environment
    err = sys.stderr
    print(f"venvdeck: {shown(plan.summary)}", file=err)
    if not plan.unlink_only:
        owner = env.manager.value if env.manager else "no tool (a plain environment)"
        print(f"  kind {env.kind.value}, managed by {owner}", file=err)
        if env.project:
            print(f"  project {shown(env.project)}", file=err)
        if plan.size:
            freed, disk = human_size(plan.size.freed_bytes), human_size(plan.size.disk_bytes)
            print(f"  frees {freed} of {disk} on disk", file=err)
        for cleanup in plan.cleanups:
            print(f"  also removes {shown(cleanup)}", file=err)
    for warning in plan.warnings:
        print(f"venvdeck: warning: {shown(warning)}", file=err)
    if not args.yes and not _confirm("Delete it?"):
        print("venvdeck: nothing deleted", file=err)
        return 1
    result = delete_environment(
        plan, EnvironmentLocks(), lambda line: print(f"venvdeck: {shown(line)}", file=err)
    )
    if args.json:
        json.dump({"path": str(result.path), "freed_bytes": result.freed_bytes}, sys.stdout)
        sys.stdout.write("\n")
    print(f"venvdeck: {shown(result.message)}", file=err)
    return 0


def activate(args: argparse.Namespace) -> int:
    from venvdeck.services.change.shell import activation_command, activation_commands

    env = environment_from(args, args.env)
    # Quoted for its shell as is; on a terminal, control characters in a path are shown, not sent.
    out = shown if sys.stdout.isatty() else str
    if args.shell:
        print(out(activation_command(env, args.shell)))
        return 0
    for command in activation_commands(env):
        text = command.command if command.command is not None else f"# {command.reason}"
        print(f"{command.shell:<6} {out(text)}")
    return 0


def shell(args: argparse.Namespace) -> int:
    from venvdeck.services.change.shell import run_shell, shell_launch

    return run_shell(shell_launch(environment_from(args, args.env)))
