"""Rebuilding in place: one environment (asking for an interpreter when its own minor version is
gone) or every broken one, each plan shown before anything changes, then run tracked one at a time
(escape cancels; the old one is put back)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel

from venvdeck.errors import NoInterpreter, VenvDeckError
from venvdeck.formatting import shown
from venvdeck.messages import EnvironmentChanged

if TYPE_CHECKING:
    from venvdeck.models import Environment, RecreatePlan
    from venvdeck.screens.change_runner import ChangeRunner


async def recreate(changes: ChangeRunner, env: Environment) -> None:
    """Plan (asking for an interpreter when its own minor version is gone), show the plan, rebuild."""
    from venvdeck.dialogs.recreate import RecreateConfirmScreen, recreate_body

    plan = await _plan_recreate(changes, env)
    if plan is None:
        return
    question = RecreateConfirmScreen(
        f"Rebuild {shown(env.name)}?", recreate_body(plan), "Rebuild", danger=not env.is_broken
    )
    if await changes.app.push_screen_wait(question):
        await _rebuild(changes, plan)


async def _plan_recreate(changes: ChangeRunner, env: Environment) -> RecreatePlan | None:
    from venvdeck.dialogs.recreate import ChooseInterpreterScreen

    service = changes.service
    try:
        try:
            return await service.plan_recreate(env)
        except NoInterpreter as exc:
            bases = await service.base_interpreters()
            if not bases:
                raise
            choice = ChooseInterpreterScreen(env.name, str(exc), bases)
            base = await changes.app.push_screen_wait(choice)
            if base is None or base.interpreter is None:
                return None
            return await service.plan_recreate(env, python=str(base.interpreter))
    except VenvDeckError as exc:
        changes.notify(shown(exc), title="Not rebuilt", severity="error", timeout=10, markup=False)
        return None


async def recreate_many(changes: ChangeRunner, envs: list[Environment]) -> None:
    """Repair in bulk: each planned (on its own minor version), one question for all, then one at
    a time, and a summary: rebuilt, failed and why, skipped and why."""
    from venvdeck.dialogs.recreate import RecreateConfirmScreen, bulk_recreate_body

    log = changes.operation_log
    plans: list[RecreatePlan] = []
    skipped: list[tuple[Environment, str]] = []
    for env in envs:
        try:
            plans.append(await changes.service.plan_recreate(env))
        except VenvDeckError as exc:
            skipped.append((env, str(exc)))
    if not plans:
        for env, why in skipped:
            log.note(f"not rebuilt: {env.path}: {why}")
        changes.told(
            f"None of the {len(envs)} broken environments can be rebuilt"
            f"{changes.log_hint('the log says why')}.",
            "error",
        )
        return
    title = f"Rebuild {len(plans)} of the {len(envs)} broken environments?"
    if not skipped:
        title = (
            "Rebuild the broken environment?"
            if len(plans) == 1
            else f"Rebuild {len(plans)} broken environments?"
        )
    question = RecreateConfirmScreen(title, bulk_recreate_body(plans, skipped), "Rebuild all")
    if not await changes.app.push_screen_wait(question):
        return
    rebuilt: list[Path] = []
    failed: list[tuple[Path, str]] = []
    try:
        for index, plan in enumerate(plans, 1):
            log.note(f"[{index}/{len(plans)}] rebuilding {plan.path}", style="bold")
            ok, message = await _rebuild(changes, plan, quiet=True)
            if ok:
                rebuilt.append(plan.path)
            else:
                failed.append((plan.path, message))
    finally:
        _rebuilt_summary(changes, len(plans), rebuilt, failed, skipped)


def _rebuilt_summary(
    changes: ChangeRunner,
    planned: int,
    rebuilt: list[Path],
    failed: list[tuple[Path, str]],
    skipped: list[tuple[Environment, str]],
) -> None:
    log = changes.operation_log
    stopped = planned - len(rebuilt) - len(failed)
    summary = f"Rebuilt {len(rebuilt)}, failed {len(failed)}, skipped {len(skipped)}"
    summary += f", {stopped} not done (cancelled)" if stopped else ""
    log.note(summary, style="bold")
    for path in rebuilt:
        log.note(f"  rebuilt  {path}")
    for path, why in failed:
        log.note(f"  failed   {path}: {why}")
    for env, why in skipped:
        log.note(f"  skipped  {env.path}: {why}")
    severity: SeverityLevel = "information" if not (failed or skipped or stopped) else "warning"
    changes.told(f"{summary}{changes.log_hint('the log has each')}", severity, timeout=10)


async def _rebuild(changes: ChangeRunner, plan: RecreatePlan, *, quiet: bool = False) -> tuple[bool, str]:
    """Run a rebuild, tracked: its output in the log, escape cancels (the old one is put back).
    Then the tree shows the environment as it is now. (ok, the one-line outcome)"""
    env = plan.environment
    if changes.busy(env.path):
        why = f"{shown(env.path)} is busy with another operation."
        changes.notify(why, severity="warning", markup=False)
        return False, why
    title = f"Rebuild {env.name}"
    ok = False
    try:
        async with changes.tracked(env.path, env.name, title, None) as running:
            result = await changes.service.recreate(plan, changes.sink(running))
            running.outcome = (result.message, result.ok)
            ok = result.ok
            if not ok:
                changes.notify(
                    f"{shown(result.message)}{changes.log_hint()}",
                    severity="error",
                    timeout=10,
                    markup=False,
                )
            elif not quiet:
                changes.told(shown(result.message))
    finally:
        if not ok:
            changes.post_message(EnvironmentChanged(env.path))
    if ok:
        try:
            now = dataclasses.replace(await changes.service.resolve(env.path), path=env.path)
        except VenvDeckError:
            now = None  # the tree keeps what it had; a refresh (r) reads it again
        changes.post_message(EnvironmentChanged(env.path, now))
    message, _ok = running.outcome or (f"{title}: ended", ok)
    return ok, message
