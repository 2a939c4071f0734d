"""The interpreters view (P): every base interpreter with what depends on it (environments, pipx and
uv tools, Jupyter kernels), the interpreters broken environments lost first. enter on a dependent
shows it in the environments tree; R rebuilds every broken environment (the main screen runs it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static, Tree

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import shown
from venvdeck.models import Dependent, DependentKind
from venvdeck.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from venvdeck.models import BaseInterpreter, Kernelspec
    from venvdeck.services.protocol import EnvironmentService


@dataclass(frozen=True, slots=True)
class InterpretersChoice:
    """What the user chose to do once the view closes."""

    open: Path | None = None  # an environment to show in the tree
    repair_broken: bool = False  # rebuild every broken environment


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _what(interpreter: BaseInterpreter) -> str:
    envs = sum(d.kind is DependentKind.ENVIRONMENT for d in interpreter.dependents)
    kernels = sum(d.kind is DependentKind.KERNEL for d in interpreter.dependents)
    parts = ([_count(envs, "environment")] if envs else []) + ([_count(kernels, "kernel")] if kernels else [])
    return " and ".join(parts)


def interpreter_label(interpreter: BaseInterpreter) -> Text:
    version = shown(interpreter.version or "?")
    if interpreter.missing:
        what = _what(interpreter) or "nothing"
        return Text(f"✗ {what} lost Python {version} ({shown(interpreter.prefix)})", style="bold red")
    label = Text.assemble((f"Python {version}", "bold"), f"  {shown(interpreter.path)}")
    label.append(f"  {interpreter.source}", style="dim")
    label.append(f"  · {_what(interpreter) or 'nothing uses it'}", style="dim")
    return label


def dependent_label(dependent: Dependent, kernel: Kernelspec | None = None) -> Text:
    """An environment or a kernel; a kernel says its state (dead, or broken with its environment)."""
    label = Text()
    label.append("✗ " if dependent.broken else "  ", style="bold red")  # the mark only, not the line
    if dependent.kind is DependentKind.KERNEL:
        label.append("kernel ", style="dim")
    label.append(shown(dependent.name))
    label.append(f"  {shown(dependent.path)}", style="dim")
    if dependent.broken:
        state = kernel.state.value if kernel is not None else "not ok"
        label.append("  broken" if dependent.kind is DependentKind.ENVIRONMENT else f"  {state}", style="red")
    return label


class InterpretersScreen(Screen[InterpretersChoice | None]):
    KEYS_SECTION = "Interpreters"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "R",
            "repair_broken",
            "Repair all broken",
            tooltip="Rebuild every broken environment, one at a time, after one question",
            id="venvdeck.repair_broken",
        ),
        Binding("r", "reload", "Reload", show=False, id="venvdeck.interpreters_reload"),
        Binding("j", "move(1)", "Down", show=False, id="venvdeck.interpreters_down"),
        Binding("k", "move(-1)", "Up", show=False, id="venvdeck.interpreters_up"),
        Binding("escape", "close", "Close", id="venvdeck.interpreters_close"),
    ]

    def __init__(self, service: EnvironmentService) -> None:
        super().__init__()
        self.service = service
        self.interpreters: list[BaseInterpreter] | None = None  # None: still looking
        self.kernels: dict[Path, Kernelspec] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="interpreters-summary")
        tree: Tree[BaseInterpreter | Dependent] = Tree("Interpreters", id="interpreter-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree
        yield KeysFooter(compact=True)

    @property
    def interpreter_tree(self) -> Tree[BaseInterpreter | Dependent]:
        return self.query_one("#interpreter-tree", Tree)

    def on_mount(self) -> None:
        self.interpreter_tree.focus()
        self.load()

    @property
    def broken(self) -> list[Dependent]:
        return [
            d
            for i in self.interpreters or []
            for d in i.dependents
            if d.broken and d.kind is DependentKind.ENVIRONMENT
        ]

    @work(exclusive=True, group="interpreters", exit_on_error=False)
    async def load(self) -> None:
        summary = self.query_one("#interpreters-summary", Static)
        summary.update(Text("Looking for interpreters and what uses them…", style="italic"))
        self.interpreter_tree.loading = True
        try:
            interpreters = await self.service.interpreters()
            kernels = await self.service.kernels(include_hidden=True)
        except VenvDeckError as exc:
            summary.update(Text(f"Could not list the interpreters: {shown(exc)}", style="bold red"))
            return
        finally:
            self.interpreter_tree.loading = False
        self.kernels = {k.path: k for k in kernels}
        self.show(interpreters)

    def show(self, interpreters: list[BaseInterpreter]) -> None:
        """The lost ones first, each interpreter with its dependents unfolded."""
        self.interpreters = [i for i in interpreters if i.missing] + [
            i for i in interpreters if not i.missing
        ]
        tree = self.interpreter_tree
        tree.clear()
        for interpreter in self.interpreters:
            label = interpreter_label(interpreter)
            if not interpreter.dependents:
                tree.root.add_leaf(label, interpreter)
                continue
            node = tree.root.add(label, interpreter, expand=True)
            for dependent in interpreter.dependents:
                node.add_leaf(dependent_label(dependent, self.kernels.get(dependent.path)), dependent)
        lost = sum(i.missing for i in self.interpreters)
        found = len(self.interpreters) - lost
        parts = [_count(found, "interpreter")]
        if lost:
            parts.append(f"{lost} lost ({_count(len(self.broken), 'broken environment')})")
        keys = "enter shows a dependent in the tree · R rebuilds every broken environment · escape closes"
        self.query_one("#interpreters-summary", Static).update(
            Text.assemble(("  ·  ".join(parts), "bold"), ("\n" + keys, "dim"))
        )
        tree.move_cursor(tree.root.children[0] if tree.root.children else None)

    @on(Tree.NodeSelected, "#interpreter-tree")
    def _selected(self, event: Tree.NodeSelected[BaseInterpreter | Dependent]) -> None:
        dependent = event.node.data
        if not isinstance(dependent, Dependent):
            return  # an interpreter: enter folds or unfolds it
        path: Path | None = dependent.path
        if dependent.kind is DependentKind.KERNEL:
            kernel = self.kernels.get(dependent.path)
            path = kernel.environment if kernel is not None else None
            if path is None:
                runs = shown(kernel.interpreter) if kernel is not None else "an interpreter"
                self.notify(
                    f"The kernel {shown(dependent.name)} runs {runs}, which is in no environment found.",
                    markup=False,
                )
                return
        self.dismiss(InterpretersChoice(open=path))

    def action_repair_broken(self) -> None:
        self.dismiss(InterpretersChoice(repair_broken=True))  # every broken one the tree holds

    def action_move(self, step: int) -> None:
        tree = self.interpreter_tree
        if step > 0:
            tree.action_cursor_down()
        else:
            tree.action_cursor_up()

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)
