"""A section of the details pane, read apart (in a worker) from the rest: the Jupyter kernels that run
the environment, what depends on a base interpreter, and how to rebuild a broken environment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from venvdeck.formatting import shown
from venvdeck.models import DependentKind, KernelState, Kind

if TYPE_CHECKING:
    from venvdeck.models import BaseInterpreter, Environment, Kernelspec

_STATE_STYLE = {
    KernelState.OK: "green",
    KernelState.DEAD: "bold red",
    KernelState.BROKEN: "yellow",
    KernelState.UNREACHABLE: "yellow",
}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def kernels_renderable(kernels: Sequence[Kernelspec]) -> RenderableType:
    title = Text(f"\nJupyter kernels ({len(kernels)})" if kernels else "\nJupyter kernels", style="bold")
    if not kernels:
        return Group(title, Text("No kernelspec runs it.", style="dim"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_column(no_wrap=True)
    grid.add_column(style="dim", overflow="fold")
    for kernel in kernels:
        grid.add_row(
            Text(shown(kernel.name)),
            Text(shown(kernel.display_name)),
            Text(kernel.state.value, style=_STATE_STYLE[kernel.state]),
            Text(shown(kernel.path)),
        )
    return Group(title, grid)


def dependents_renderable(interpreter: BaseInterpreter) -> RenderableType:
    envs = [d for d in interpreter.dependents if d.kind is DependentKind.ENVIRONMENT]
    kernels = [d for d in interpreter.dependents if d.kind is DependentKind.KERNEL]
    counts = [_count(len(envs), "environment")] + ([_count(len(kernels), "kernel")] if kernels else [])
    title = Text(f"\nDepends on it ({', '.join(counts)})", style="bold")
    if not interpreter.dependents:
        return Group(title, Text("Nothing found uses it.", style="dim"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(style="dim", overflow="fold")
    for dependent in interpreter.dependents:
        name = Text("✗ " if dependent.broken else "  ", style="bold red")
        name.append(("kernel " if dependent.kind is DependentKind.KERNEL else "") + shown(dependent.name))
        grid.add_row(name, Text(shown(dependent.path)))
    note = Text("Deleting it breaks every one of them; P lists every interpreter.", style="dim")
    return Group(title, grid, note)


def repair_renderable(
    env: Environment, kernels: Sequence[Kernelspec], interpreter: BaseInterpreter | None
) -> RenderableType:
    parts: list[RenderableType] = []
    if env.is_broken and env.kind is not Kind.PYTHON:
        parts.append(
            Text(
                "\nR rebuilds it at the same path with the packages that were asked for "
                "(the plan is shown first).",
                style="bold",
            )
        )
    if interpreter is not None:
        parts.append(dependents_renderable(interpreter))
    parts.append(kernels_renderable(kernels))
    return Group(*parts)


class RepairDetails(Static):
    """A dumb view: the panes load what it shows and hand it over."""

    renderable_shown: RenderableType = ""

    def _show(self, renderable: RenderableType) -> None:
        self.renderable_shown = renderable
        self.update(renderable)

    def show_loading(self) -> None:
        self._show(Text("\nJupyter kernels: looking…", style="dim italic"))

    def show_error(self, message: str) -> None:
        self._show(Text(f"\nJupyter kernels: could not be listed: {shown(message)}", style="dim"))

    def show_for(
        self, env: Environment, kernels: Sequence[Kernelspec], interpreter: BaseInterpreter | None
    ) -> None:
        self._show(repair_renderable(env, kernels, interpreter))

    def clear(self) -> None:
        self._show("")
