"""The right-hand side of the main screen: the selected environment's packages, requirements and
details, read through the service in exclusive workers (a fast cursor never leaves stale rows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import TabbedContent, TabPane, Tabs

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import shown
from venvdeck.models import Kind
from venvdeck.widgets.dependency_view import COMPLETE, DependencyView
from venvdeck.widgets.details_pane import DetailsPane
from venvdeck.widgets.freeze_pane import FreezePane
from venvdeck.widgets.operation_log import OperationLog
from venvdeck.widgets.package_table import PackageTable
from venvdeck.widgets.repair_details import RepairDetails

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.worker import Worker

    from venvdeck.models import BaseInterpreter, CheckReport, Environment, EnvironmentSize
    from venvdeck.services.protocol import EnvironmentService

TABS = {"packages": "tab-packages", "freeze": "tab-freeze", "details": "tab-details", "deps": "tab-deps"}
FOCUS = {"packages": "#package-rows", "freeze": "#freeze-scroll", "details": "#details", "deps": "#deps-tree"}
# How long a switch to the dependencies waits for their rows. Switched at once, the tab was laid out
# and painted empty, then again with its rows: two passes of the whole dashboard (150-200 ms each on
# a 2-core machine) where one, with the rows, does. Longer reads switch at this deadline.
DEPS_HOLD = 0.15


class EnvironmentPanes(Vertical):
    class PackagesListed(Message):
        """The selected environment's packages were read and shown (its check can run now)."""

        def __init__(self, environment: Environment) -> None:
            super().__init__()
            self.environment = environment

    def __init__(
        self,
        service: EnvironmentService,
        now: Callable[[], float],
        *,
        id: str | None = None,  # noqa: A002
    ) -> None:
        super().__init__(id=id)
        self.service = service
        self.now = now
        self.environment: Environment | None = None
        self._freeze_for: tuple[str, bool] | None = None  # what the requirements pane shows
        self._repair_for: Environment | None = None  # whose kernels the details pane shows
        self._deps_for: tuple[str, str | None] | None = None  # the dependencies tab: (env, why-package)
        self._deps_read: Worker[None] | None = None
        self._held: Timer | None = None  # a switch to the dependencies, waiting for their rows

    def compose(self) -> ComposeResult:
        with TabbedContent(id="views", initial=TABS["packages"]):
            with TabPane("Packages", id=TABS["packages"]):
                yield PackageTable(id="packages")
            with TabPane("Requirements", id=TABS["freeze"]):
                yield FreezePane(id="freeze")
            with TabPane("Details", id=TABS["details"]):
                yield DetailsPane(id="details")
            with TabPane("Dependencies", id=TABS["deps"]):
                yield DependencyView(id="deps")
        yield OperationLog(id="operation-log")

    def on_mount(self) -> None:
        # Tab moves between the panes; 1 2 3 switch tabs, so the tab strip needs no focus.
        tabs = self.query_one(TabbedContent).query_one(Tabs)
        tabs.can_focus = False
        # Its underline moves at once: Textual slides it for 0.3 s, a frame at a time, and the app
        # stayed busy that long after every 1-4 key (longer than the dependency view took to appear).
        highlight = tabs._highlight_active
        tabs._highlight_active = lambda animate=True: highlight(animate=False)  # type: ignore[method-assign]

    @property
    def active_tab(self) -> str:
        active = self.query_one(TabbedContent).active
        return next(name for name, tab in TABS.items() if tab == active)

    def show_tab(self, tab: str) -> None:
        self._drop_hold()
        if tab == "deps" and self.active_tab != "deps":
            self._read_deps_if_stale()
            if self._deps_read is not None and not self._deps_read.is_finished:
                self._held = self.set_timer(DEPS_HOLD, self._release_hold)
                return
        self._switch(tab)

    def _switch(self, tab: str) -> None:
        self.query_one(TabbedContent).active = TABS[tab]
        self.query_one(FOCUS[tab]).focus()
        self.refresh_deps()

    def _drop_hold(self) -> None:
        if self._held is not None:
            self._held.stop()
            self._held = None

    def _release_hold(self) -> None:
        """The held switch to the dependencies happens now (their rows are in, or the deadline)."""
        if self._held is not None:
            self._drop_hold()
            self._switch("deps")

    def focus_content(self) -> None:
        self.query_one(FOCUS[self.active_tab]).focus()

    # ---- what the screen calls -------------------------------------------------------------------
    def show(self, env: Environment | None, size: EnvironmentSize | None, *, reload: bool = True) -> None:
        """The selected environment (None: nothing selected); reload: read its packages again."""
        self.environment = env
        self.show_details(size)
        if env is None:
            self.workers.cancel_group(self, "packages")
            self.workers.cancel_group(self, "freeze")
            self._clear_repair()
            self.workers.cancel_group(self, "deps")
            self._deps_for = None
            self.query_one(DependencyView).show_message("Select an environment to see its dependencies.")
            # The last one's packages stayed listed after it was deleted (keys on them did nothing).
            self.query_one(PackageTable).show_message(None, "Select an environment to see its packages.")
            self.query_one(FreezePane).show_message("Select an environment to see its requirements.")
            return
        if reload:
            self._freeze_for = None
            self._deps_for = None
            self.load_packages(env)
            self.refresh_freeze()
            self._repair_for = None
            self.refresh_repair()
            self.refresh_deps()

    def show_details(self, size: EnvironmentSize | None) -> None:
        env = self.environment
        details = self.query_one(DetailsPane)
        if env is None:
            details.show_message("Select an environment to see its details.")
            return
        details.show(env, size, self.service.can_measure(env), self.now())

    def show_message(self, message: str) -> None:
        self._clear_repair()
        self.query_one(PackageTable).show_message(None, message)
        self.query_one(DetailsPane).show_message(message)
        self.query_one(FreezePane).show_message(message)
        self.query_one(DependencyView).show_message(message)

    @work(exclusive=True, group="packages", exit_on_error=False)
    async def load_packages(self, env: Environment) -> None:
        table = self.query_one(PackageTable)
        if env.is_broken:
            broken = f"{shown(env.name)} is broken: {shown(env.broken_reason)}"
            try:
                on_disk = await self.service.packages_on_disk(env)
            except (VenvDeckError, OSError):
                on_disk = ()
            if not on_disk:
                table.show_message(
                    env.path,
                    f"{broken}\n\nR rebuilds it at the same path with the same packages (the plan is shown first).",
                )
                return
            table.show_packages(
                env.path,
                on_disk,
                read_only=f"{broken}. What its folder holds, below; R rebuilds it with them, d deletes it.",
            )
            return
        # A spinner only for a slow listing: showing one for a fast one costs a layout pass each way.
        spinner = self.set_timer(0.2, lambda: setattr(table, "loading", True))
        try:
            listing = await self.service.list_packages(env)
        except VenvDeckError as exc:
            table.show_message(env.path, f"Could not list the packages of {shown(env.name)}:\n{shown(exc)}")
            return
        finally:
            spinner.stop()
            table.loading = False
        if listing.packages:
            table.show_packages(env.path, listing.packages)
        else:
            table.show_message(env.path, f"{shown(env.name)} has no packages installed.")
        self.post_message(self.PackagesListed(env))
        table.set_sizes(env.path, await self.service.package_sizes(listing.packages))

    @work(exclusive=True, group="freeze", exit_on_error=False)
    async def load_freeze(self, env: Environment, top_level: bool) -> None:
        pane = self.query_one(FreezePane)
        pane.show_message("Reading requirements…")
        try:
            result = await self.service.freeze(env, top_level=top_level)
        except VenvDeckError as exc:
            pane.show_message(f"Could not read the requirements of {shown(env.name)}:\n{shown(exc)}")
            return
        if env.is_broken and not result.lines:
            pane.show_message(f"{shown(env.name)} is broken: {shown(env.broken_reason)}")
            return
        pane.show_text(result.text)
        self._freeze_for = (str(env.path), top_level)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        self.refresh_freeze()
        self.refresh_repair()
        self.refresh_deps()

    @on(FreezePane.ModeChanged)
    def _freeze_mode_changed(self) -> None:
        self.refresh_freeze()

    def refresh_freeze(self) -> None:
        env = self.environment
        if env is None or self.active_tab != "freeze":
            return
        top_level = self.query_one(FreezePane).top_level
        if self._freeze_for != (str(env.path), top_level):
            self.load_freeze(env, top_level)

    # ---- the details pane's kernels and dependents (read only while it is shown) ------------------
    def refresh_repair(self) -> None:
        env = self.environment
        if env is None or self.active_tab != "details" or self._repair_for == env:
            return
        self._repair_for = env
        self.load_repair(env)

    def _clear_repair(self) -> None:
        self.workers.cancel_group(self, "repair")
        self._repair_for = None
        self.query_one(RepairDetails).clear()

    @work(exclusive=True, group="repair", exit_on_error=False)
    async def load_repair(self, env: Environment) -> None:
        """The Jupyter kernels that run it and, for a base interpreter, what depends on it."""
        section = self.query_one(RepairDetails)
        section.show_loading()
        try:
            kernels = await self.service.kernels_for(env)
            interpreter = None
            if env.kind in {Kind.PYTHON, Kind.CONDA}:  # a base install (conda's base too)
                interpreter = interpreter_of(env, await self.service.interpreters())
        except VenvDeckError as exc:
            section.show_error(str(exc))
            return
        section.show_for(env, kernels, interpreter)

    # ---- problems and dependencies ---------------------------------------------------------------
    def show_problems(self, report: CheckReport | None) -> None:
        self.query_one(DetailsPane).show_problems(report)

    def refresh_deps(self) -> None:
        if self.active_tab == "deps" or self._held is not None:
            self._read_deps_if_stale()

    def _read_deps_if_stale(self) -> None:
        env = self.environment
        if env is not None and (self._deps_for is None or self._deps_for[0] != str(env.path)):
            self._deps_for = (str(env.path), None)
            self._deps_read = self.load_deps(env)

    def show_why(self, name: str) -> None:
        """The reverse tree of one package of the selected environment, in the dependencies tab."""
        env = self.environment
        if env is None:
            return
        self._deps_for = (str(env.path), name)  # before the tab opens: it shows this, not every package
        self._deps_read = self.load_deps(env, name)
        self.show_tab("deps")

    @work(exclusive=True, group="deps", exit_on_error=False)
    async def load_deps(self, env: Environment, why: str | None = None) -> None:
        """Forward: the top-level packages, two levels down (the rest comes as nodes expand).
        why: that package's whole reverse tree. A switch to the tab held for it happens as it
        shows them (not when it is cancelled: the read that replaced it will)."""
        await self._show_deps(env, why)
        self._release_hold()

    async def _show_deps(self, env: Environment, why: str | None) -> None:
        view = self.query_one(DependencyView)
        self.workers.cancel_group(self, "deps-children")
        if env.is_broken:
            view.show_message(f"{shown(env.name)} is broken: {shown(env.broken_reason)}", env.path)
            return
        spinner = self.set_timer(0.2, lambda: setattr(view, "loading", True))
        try:
            listing = await self.service.list_packages(env)
            if why is None:
                tree = await self.service.dependency_tree(env, depth=2)
            else:
                tree = await self.service.dependency_tree(env, reverse=True, only=[why])
        except VenvDeckError as exc:
            view.show_message(
                f"Could not read the requirements of {shown(env.name)}:\n{shown(exc)}", env.path
            )
            self._deps_for = None
            return
        finally:
            spinner.stop()
            view.loading = False
        requested = frozenset(canonicalize_name(p.name) for p in listing.packages if p.requested)
        view.show_tree(env.path, tree, requested, known=2 if why is None else COMPLETE)

    @work(group="deps-children", exit_on_error=False)
    async def load_children(self, env: Environment, event: DependencyView.ChildrenWanted) -> None:
        try:
            tree = await self.service.dependency_tree(env, reverse=event.reverse, only=[event.key], depth=2)
        except VenvDeckError as exc:
            self.notify(shown(exc), severity="error", markup=False)
            return
        if tree.roots:
            event.view.fill(env.path, event.generation, event.node_id, tree.roots[0])

    @on(DependencyView.ChildrenWanted)
    def _children_wanted(self, event: DependencyView.ChildrenWanted) -> None:
        if self.environment is not None and self.environment.path == event.view.environment_path:
            self.load_children(self.environment, event)

    @on(DependencyView.WhyRequested)
    def _why_in_tree(self, event: DependencyView.WhyRequested) -> None:
        self.show_why(event.name)

    @on(PackageTable.WhyRequested)
    def _why_in_table(self, event: PackageTable.WhyRequested) -> None:
        self.show_why(event.package.name)

    @on(DependencyView.BackRequested)
    def _back_to_every_dependency(self) -> None:
        if self.environment is not None:
            self._deps_for = (str(self.environment.path), None)
            self._deps_read = self.load_deps(self.environment)


def interpreter_of(env: Environment, interpreters: list[BaseInterpreter]) -> BaseInterpreter | None:
    """The interpreter a base install is (its own interpreter first: /usr holds several)."""
    mine = [i for i in interpreters if i.environment is not None and i.environment.path == env.path]
    return next((i for i in mine if i.path == env.interpreter), mine[0] if mine else None)
