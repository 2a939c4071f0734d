"""Subcommands for interpreters and repair: interpreters, recreate, kernels.

Every plan is printed before anything changes; refusals are one line on stderr, exit 1, nothing
changed; a failed rebuild exits 1 after saying that the old environment is back.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from venvdeck.cli.read import discover_all, discovery_options, environment_from
from venvdeck.errors import NoInterpreter, RefusedError, VenvDeckError
from venvdeck.formatting import shown

if TYPE_CHECKING:
    from venvdeck.models import BaseInterpreter, Environment, Kernelspec, RecreatePlan
    from venvdeck.services.change.settings import ActionSettings

ENV_HELP = "environment folder, interpreter, project folder or name"


def add_parsers(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    interpreters = sub.add_parser(
        "interpreters",
        parents=[common],
        help="base interpreters and what depends on them (lost ones too)",
        description="Every base interpreter with the environments and Jupyter kernels that use it; "
        "broken environments are grouped under the interpreter they lost.",
    )
    interpreters.add_argument("--json", action="store_true", help="print JSON")

    recreate = sub.add_parser(
        "recreate",
        parents=[common],
        help="rebuild an environment in place with the same packages",
        description="Rebuild an environment at the same path on a working interpreter, with the "
        "packages that were asked for, pinned to their installed versions. The plan is shown first; "
        "on any failure the old environment is put back as it was.",
    )
    recreate.add_argument("env", nargs="?", help=ENV_HELP)
    recreate.add_argument("--all-broken", action="store_true", help="rebuild every broken environment")
    recreate.add_argument(
        "--python", help="interpreter: a version (3.12) or a path (default: the same minor version)"
    )
    recreate.add_argument("--exact", action="store_true", help="pin every distribution, as pip freeze would")
    recreate.add_argument("--dry-run", action="store_true", help="print the plan only")
    recreate.add_argument("--yes", action="store_true", help="do not ask")
    recreate.add_argument(
        "--backend", choices=["pip", "uv"], help="what creates and installs (default: config)"
    )

    kernels = sub.add_parser(
        "kernels",
        parents=[common],
        help="Jupyter kernels: list, remove dead ones, register an environment",
        description="Every kernelspec Jupyter would list, in its order, with the interpreter each runs "
        "and its state: ok, dead (interpreter gone), broken (its environment is broken) or "
        "unreachable (its environment is being rebuilt, or its volume is not mounted: never removed).",
    )
    kernels.add_argument("--json", action="store_true", help="print JSON")
    kernels.add_argument("--all", action="store_true", help="also kernels hidden by one of the same name")
    kernels.add_argument("--remove-dead", action="store_true", help="remove dead kernelspec folders")
    kernels.add_argument("--register", metavar="ENV", help="write a user kernelspec for this environment")
    kernels.add_argument("--name", help="with --register: the kernel's name")
    kernels.add_argument("--display-name", help="with --register: the name Jupyter shows")
    kernels.add_argument("--yes", action="store_true", help="do not ask")


def _err(text: str) -> None:
    print(f"venvdeck: {text}", file=sys.stderr, flush=True)


def _confirm(question: str, what: str) -> bool:
    if not sys.stdin.isatty():
        raise RefusedError(f"not {what} without confirmation: pass --yes (stdin is not a terminal)")
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


# ---- interpreters ----------------------------------------------------------------------------------


def _everything(args: argparse.Namespace) -> tuple[list[Environment], list[Kernelspec]]:
    from venvdeck.services.repair.kernels import list_kernelspecs

    envs = discover_all(args)
    return envs, list_kernelspecs(None, envs, include_hidden=True)


def interpreter_data(interpreter: BaseInterpreter) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": str(interpreter.path),
        "prefix": str(interpreter.prefix),
        "version": interpreter.version,
        "source": interpreter.source,
        "dependents": [str(d.path) for d in interpreter.dependents],
        "dependent_details": [
            {"path": str(d.path), "kind": d.kind.value, "name": d.name, "broken": d.broken}
            for d in interpreter.dependents
        ],
    }
    if interpreter.missing:
        data["missing"] = True
    return data


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def interpreters(args: argparse.Namespace) -> int:
    from venvdeck.models import DependentKind
    from venvdeck.services.repair.interpreters import group_interpreters, platform_installs

    envs, kernels = _everything(args)
    groups = group_interpreters(envs, kernels, platform_installs())
    if args.json:
        json.dump([interpreter_data(g) for g in groups], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for group in groups:
        envs_of = [d for d in group.dependents if d.kind is DependentKind.ENVIRONMENT]
        kernels_of = [d for d in group.dependents if d.kind is DependentKind.KERNEL]
        if group.missing:
            what = [_count(len(envs_of), "environment")] if envs_of else []
            what += [_count(len(kernels_of), "kernel")] if kernels_of else []
            print(f"{' and '.join(what)} lost Python {shown(group.version or '?')} ({shown(group.prefix)})")
        else:
            used = ", ".join(
                [_count(len(envs_of), "environment")]
                + ([_count(len(kernels_of), "kernel")] if kernels_of else [])
            )
            print(f"Python {shown(group.version or '?')}  {shown(group.path)}  [{group.source}]  {used}")
        for dependent in group.dependents:
            mark = " (broken)" if dependent.broken and not group.missing else ""
            kind = "kernel " if dependent.kind is DependentKind.KERNEL else ""
            print(f"    {kind}{shown(dependent.path)}{mark}")
    broken = sum(1 for g in groups if g.missing)
    if broken:
        _err("rebuild them with: venvdeck recreate --all-broken (or venvdeck recreate ENV --python VERSION)")
    return 0


# ---- recreate --------------------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> tuple[ActionSettings, float]:
    from venvdeck.config import load_config
    from venvdeck.services.change.settings import ActionSettings

    config = load_config(args.config)
    return ActionSettings.detect(args.backend or config.backend), config.pip_timeout_s


def _bases() -> list[Environment]:
    from venvdeck.services.find.discovery import base_interpreters
    from venvdeck.services.repair.interpreters import platform_installs

    bases = base_interpreters()
    seen = {os.path.realpath(b.interpreter) for b in bases if b.interpreter is not None}
    for extra in platform_installs():
        if (
            extra.interpreter is not None
            and not extra.is_broken
            and os.path.realpath(extra.interpreter) not in seen
        ):
            bases.append(extra)
    return bases


def print_plan(plan: RecreatePlan) -> None:
    err = sys.stderr
    _err(shown(plan.summary))
    print(f"  method: {plan.method}", file=err)
    if plan.requirements:
        print(f"  installs again ({len(plan.requirements)}):", file=err)
        for requirement in plan.requirements:
            print(f"    {shown(requirement.text)}    ({shown(requirement.why)})", file=err)
    else:
        print("  installs nothing else (no package was asked for)", file=err)
    if plan.not_carried:
        print(f"  cannot carry over ({len(plan.not_carried)}):", file=err)
        for item in plan.not_carried:
            print(f"    {shown(item.name)}: {shown(item.reason)}", file=err)
    if plan.kept_files:
        print(f"  keeps: {', '.join(plan.kept_files)}", file=err)
    print("  steps:", file=err)
    for step in plan.steps:
        where = f"   (in {shown(step.cwd)})" if step.cwd else ""
        print(f"    $ {shown(step.command_line)}{where}", file=err)
    for warning in plan.warnings:
        _err(f"note: {shown(warning)}")


def _plan(
    env: Environment, args: argparse.Namespace, bases: list[Environment], settings: ActionSettings
) -> RecreatePlan:
    from venvdeck.services.repair.recreate import plan_recreate

    try:
        return plan_recreate(env, bases, settings, python=args.python, exact=args.exact)
    except NoInterpreter as exc:
        if args.yes or args.all_broken or not exc.available or not sys.stdin.isatty():
            raise NoInterpreter(f"{exc}; choose one with --python", exc.available) from None
        _err(shown(exc))
        try:
            answer = input(f"Rebuild on which Python? ({', '.join(exc.available)}; empty: none) ").strip()
        except EOFError:
            answer = ""
        if not answer:
            raise RefusedError("nothing rebuilt") from None
        return plan_recreate(env, bases, settings, python=answer, exact=args.exact)


def _finish_interrupted_for(text: str) -> None:
    from venvdeck.services.repair.rebuilding import finish_all_interrupted, interrupted_for

    path = Path(os.path.expanduser(text)).absolute()
    for line in finish_all_interrupted(interrupted_for(path)):
        _err(shown(line))


def _run(plan: RecreatePlan, timeout_s: float) -> tuple[bool, str]:
    from venvdeck.services.change.locks import EnvironmentLocks
    from venvdeck.services.repair.rebuilding import recreate_environment

    result = recreate_environment(
        plan, EnvironmentLocks(), lambda line: print(shown(line), flush=True), timeout_s=timeout_s
    )
    _err(shown(result.message))
    return result.ok, result.message


def recreate(args: argparse.Namespace) -> int:
    if bool(args.env) == bool(args.all_broken):
        raise RefusedError("give an environment (ENV) or --all-broken, not both and not neither")
    settings, timeout_s = _settings(args)
    if args.all_broken:
        return _recreate_all(args, settings, timeout_s)
    _finish_interrupted_for(args.env)
    env = environment_from(args, args.env)
    plan = _plan(env, args, _bases(), settings)
    print_plan(plan)
    if args.dry_run:
        return 0
    if not args.yes and not _confirm("Rebuild it?", "rebuilding"):
        _err("nothing changed")
        return 1
    ok, _message = _run(plan, timeout_s)
    return 0 if ok else 1


def _recreate_all(args: argparse.Namespace, settings: ActionSettings, timeout_s: float) -> int:
    from venvdeck.models import DiscoveryReport
    from venvdeck.services.find.discovery import discover
    from venvdeck.services.repair.rebuilding import finish_all_interrupted

    report = DiscoveryReport()
    found: list[Environment] = []
    discover(discovery_options(args), found.append, report=report)
    for line in finish_all_interrupted(report.pending_deletions):
        _err(shown(line))
    if report.pending_deletions:
        found = []
        discover(discovery_options(args), found.append)
    broken = sorted((e for e in found if e.is_broken), key=lambda e: str(e.path))
    if not broken:
        raise RefusedError("no broken environments found: nothing to rebuild")
    bases = _bases()
    plans: list[RecreatePlan] = []
    skipped: list[tuple[Path, str]] = []
    for env in broken:
        try:
            plans.append(_plan(env, args, bases, settings))
        except VenvDeckError as exc:
            skipped.append((env.path, str(exc)))
    for plan in plans:
        print_plan(plan)
    for path, reason in skipped:
        _err(f"skipping {shown(path)}: {shown(reason)}")
    if args.dry_run or not plans:
        _summary([], [], skipped, len(plans))
        return 0 if plans or args.dry_run else 1
    if not args.yes and not _confirm(f"Rebuild {_count(len(plans), 'environment')}?", "rebuilding"):
        _err("nothing changed")
        return 1
    rebuilt: list[Path] = []
    failed: list[tuple[Path, str]] = []
    for index, plan in enumerate(plans, 1):
        _err(f"[{index}/{len(plans)}] rebuilding {shown(plan.path)}")
        try:
            ok, message = _run(plan, timeout_s)
        except VenvDeckError as exc:
            ok, message = False, str(exc)
        if ok:
            rebuilt.append(plan.path)
        else:
            failed.append((plan.path, message))
    _summary(rebuilt, failed, skipped, len(plans))
    return 0 if not failed else 1


def _summary(
    rebuilt: list[Path], failed: list[tuple[Path, str]], skipped: list[tuple[Path, str]], planned: int
) -> None:
    _err(
        f"summary: {len(rebuilt)} rebuilt, {len(failed)} failed, {len(skipped)} skipped"
        + (f" ({planned} planned, dry run)" if not rebuilt and not failed and planned else "")
    )
    for path in rebuilt:
        print(f"  rebuilt  {shown(path)}", file=sys.stderr)
    for path, reason in failed:
        print(f"  failed   {shown(path)}: {shown(reason)}", file=sys.stderr)
    for path, reason in skipped:
        print(f"  skipped  {shown(path)}: {shown(reason)}", file=sys.stderr)


# ---- kernels ---------------------------------------------------------------------------------------


def kernel_data(kernel: Kernelspec) -> dict[str, Any]:
    return {
        "name": kernel.name,
        "display_name": kernel.display_name,
        "path": str(kernel.path),
        "language": kernel.language,
        "interpreter": str(kernel.interpreter) if kernel.interpreter else None,
        "environment": str(kernel.environment) if kernel.environment else None,
        "state": kernel.state.value,
        "source": kernel.source,
        "hidden_by": str(kernel.hidden_by) if kernel.hidden_by else None,
    }


def kernels(args: argparse.Namespace) -> int:
    from venvdeck.services.repair.kernels import list_kernelspecs

    if args.register:
        return _register(args)
    if args.name or args.display_name:
        raise RefusedError("--name and --display-name go with --register ENV")
    envs = discover_all(args)
    found = list_kernelspecs(None, envs, include_hidden=args.all or args.remove_dead)
    if args.remove_dead:
        return _remove_dead(args, found)
    if args.json:
        json.dump([kernel_data(k) for k in found], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for kernel in found:
        hidden = f"  (hidden by {shown(kernel.hidden_by)})" if kernel.hidden_by else ""
        runs = (
            shown(kernel.interpreter) if kernel.interpreter else shown(kernel.argv[0] if kernel.argv else "?")
        )
        print(f"{kernel.state.value:<12}{shown(kernel.name):<24}{shown(kernel.display_name)}")
        print(f"       {shown(kernel.path)}  runs {runs}{hidden}")
    dead = sum(1 for k in found if k.state.value == "dead")
    if dead:
        _err(f"{_count(dead, 'dead kernel')}: remove with venvdeck kernels --remove-dead")
    return 0


def _remove_dead(args: argparse.Namespace, found: list[Kernelspec]) -> int:
    from venvdeck.models import KernelState
    from venvdeck.services.repair.kernels import remove_kernelspec

    dead = [k for k in found if k.state is KernelState.DEAD]
    if not dead:
        _err("no dead kernels: nothing removed")
        return 0
    for kernel in dead:
        runs = shown(kernel.interpreter) if kernel.interpreter else "?"
        _err(f"dead: {shown(kernel.name)} at {shown(kernel.path)} (runs {runs}, which is gone)")
    if not args.yes and not _confirm(f"Remove {_count(len(dead), 'dead kernel')}?", "removing kernels"):
        _err("nothing removed")
        return 1
    failures = 0
    for kernel in dead:
        try:
            _err(shown(remove_kernelspec(kernel)))
        except RefusedError as exc:
            failures += 1
            _err(f"error: {shown(exc)}")
    return 1 if failures else 0


def _register(args: argparse.Namespace) -> int:
    from venvdeck.services.repair.kernels import register_kernel

    kernel = register_kernel(environment_from(args, args.register), args.name, args.display_name)
    if args.json:
        json.dump(kernel_data(kernel), sys.stdout)
        sys.stdout.write("\n")
    _err(f"registered the kernel {shown(kernel.name)} ({shown(kernel.display_name)}) at {shown(kernel.path)}")
    return 0
