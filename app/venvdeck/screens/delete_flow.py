"""Deleting: one environment or every marked one, each planned by the service (every safety rule),
confirmed once with what it frees, then deleted one at a time, with the Jupyter kernels that run it
unless the user keeps them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Group

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import human_size, shown
from venvdeck.messages import EnvironmentDeleted

if TYPE_CHECKING:
    from venvdeck.models import DeletePlan, Environment, Kernelspec
    from venvdeck.screens.change_runner import ChangeRunner


async def delete_many(changes: ChangeRunner, envs: list[Environment]) -> None:
    """Reclaim in bulk: each is planned (every safety rule), the refused ones are named, and one
    confirmation shows the total before anything is deleted, one at a time."""
    from venvdeck.dialogs.confirm import ConfirmScreen, bulk_delete_body
    from venvdeck.dialogs.kernels import DeleteWithKernelsScreen, kernels_section

    plans: list[DeletePlan] = []
    refused: list[tuple[Environment, str]] = []
    for env in envs:
        try:
            plans.append(await changes.service.plan_delete(env.path))
        except VenvDeckError as exc:
            refused.append((env, str(exc)))
    if not plans:
        changes.notify(
            f"None of the {len(envs)} marked environments can be deleted.", severity="error", markup=False
        )
        return
    kernels = dict(
        zip([p.path for p in plans], await _kernels_of(changes, [p.environment for p in plans]), strict=True)
    )
    count = "the marked environment" if len(plans) == 1 else f"{len(plans)} environments"
    title, body = f"Delete {count}?", bulk_delete_body(plans, refused)
    question = ConfirmScreen(title, body, "Delete all", danger=True)
    if any(kernels.values()):
        every = [k for found in kernels.values() for k in found]
        question = DeleteWithKernelsScreen(
            title, Group(body, kernels_section(every, many=True)), "Delete all"
        )
    if not await changes.app.push_screen_wait(question):
        return
    keep_kernels = isinstance(question, DeleteWithKernelsScreen) and question.keep_kernels
    freed = deleted = 0
    for plan in plans:
        name = plan.environment.name
        async with changes.tracked(
            plan.real_path, name, f"Delete {name}", None, cancellable=False
        ) as running:
            result = await changes.service.delete(plan, changes.sink(running))
            running.outcome = (result.message, True)
            freed += result.freed_bytes
            deleted += 1
            changes.post_message(EnvironmentDeleted(plan.path))
            if not keep_kernels:
                await _remove_kernels(changes, kernels[plan.path], changes.sink(running))
    failed = len(plans) - deleted
    summary = f"Deleted {deleted} of {len(envs)}: {human_size(freed)} freed"
    summary += f"; {failed} failed{changes.log_hint('the log says why')}" if failed else ""
    summary += f"; {len(refused)} refused" if refused else ""
    changes.told(summary, "warning" if failed or refused else "information", timeout=10)


async def delete(changes: ChangeRunner, env: Environment) -> None:
    from venvdeck.dialogs.confirm import ConfirmScreen, delete_body
    from venvdeck.dialogs.kernels import DeleteWithKernelsScreen, kernels_section

    try:
        plan = await changes.service.plan_delete(env.path)
    except VenvDeckError as exc:
        changes.notify(shown(exc), title="Not deleted", severity="error", timeout=10, markup=False)
        return
    (kernels,) = await _kernels_of(changes, [env])
    title = f"Delete {shown(env.name)}?"
    question = ConfirmScreen(title, delete_body(plan), "Delete", danger=True)
    if kernels:
        question = DeleteWithKernelsScreen(title, Group(delete_body(plan), kernels_section(kernels)))
    if not await changes.app.push_screen_wait(question):
        return
    if isinstance(question, DeleteWithKernelsScreen) and question.keep_kernels:
        kernels = []
    async with changes.tracked(env.path, env.name, f"Delete {env.name}", None, cancellable=False) as running:
        result = await changes.service.delete(plan, changes.sink(running))
        running.outcome = (result.message, True)
        changes.post_message(EnvironmentDeleted(plan.real_path if plan.real_path == env.path else env.path))
        removed = await _remove_kernels(changes, kernels, changes.sink(running))
        also = f" and its Jupyter kernels ({removed})" if kernels else ""
        if removed < len(kernels):
            also = (
                f" and {removed} of its {len(kernels)} Jupyter kernels{changes.log_hint('the log says why')}"
            )
        message = f"Deleted {shown(env.name)}{also}: {human_size(result.freed_bytes)} freed."
        running.outcome = (message, removed == len(kernels))  # the log's last line says it all
        changes.told(message, "information" if removed == len(kernels) else "warning")


async def _kernels_of(changes: ChangeRunner, envs: list[Environment]) -> list[list[Kernelspec]]:
    """For each env, the Jupyter kernels outside it that run it (none when they cannot be listed:
    deleting goes on). Those inside its own share/jupyter go with the folder: nothing to ask about."""
    try:
        found = await changes.service.kernels_for_each(envs)
    except (VenvDeckError, OSError, ValueError):
        return [[] for _ in envs]
    return [
        [k for k in each if not k.path.is_relative_to(env.path)]
        for env, each in zip(envs, found, strict=True)
    ]


async def _remove_kernels(
    changes: ChangeRunner, kernels: list[Kernelspec], write: Callable[[str], None]
) -> int:
    """Once their environment is gone: each kernelspec folder, one line each. How many went."""
    removed = 0
    for kernel in kernels:
        try:
            write(f"venvdeck: {await changes.service.remove_kernel(kernel)}")
            removed += 1
        except VenvDeckError as exc:
            write(f"venvdeck: kept the kernel {kernel.name}: {exc}")
    return removed
