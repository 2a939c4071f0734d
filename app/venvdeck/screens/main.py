"""The main screen: the controller. It owns the workers; the widgets only show what it hands them."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TabbedContent, TabPane, Tabs
from textual.worker import Worker, WorkerState

from venvdeck.errors import VenvDeckError
from venvdeck.formatting import human_size, shown
from venvdeck.messages import EnvironmentChanged, EnvironmentCreated, EnvironmentDeleted, OperationsChanged
from venvdeck.models import DiscoveryReport, Environment, EnvironmentSize
from venvdeck.screens.changes import Changes
from venvdeck.widgets.details_pane import DetailsPane
from venvdeck.widgets.env_tree import EnvSort, EnvTree
from venvdeck.widgets.freeze_pane import FreezePane
from venvdeck.widgets.operation_log import OperationLog
from venvdeck.widgets.package_table import Column, PackageTable

if TYPE_CHECKING:
    from venvdeck.services.protocol import EnvironmentService

TABS = {"packages": "tab-packages", "freeze": "tab-freeze", "details": "tab-details"}
# Actions on the selected environment: dimmed while it is busy, or broken (delete excepted).
_ON_SELECTED = {
    "install",
    "install_file",
    "export",
    "activate",
    "delete_environment",
    "ensurepip",
    "uninstall",
    "upgrade",
}


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", tooltip="Look for environments again", id="venvdeck.refresh"),
        Binding("slash", "filter", "Filter", tooltip="Filter packages as you type", id="venvdeck.filter"),
        Binding("1", "show_tab('packages')", "Packages", show=False, id="venvdeck.tab_packages"),
        Binding("2,f", "show_tab('freeze')", "Requirements", show=False, id="venvdeck.tab_freeze"),
        Binding("3", "show_tab('details')", "Details", show=False, id="venvdeck.tab_details"),
        Binding("c", "create", "Create", tooltip="Make a new environment", id="venvdeck.create"),
        Binding("i", "install", "Install", tooltip="Install requirements", id="venvdeck.install"),
        Binding("I", "install_file", "Install -r", show=False, id="venvdeck.install_file"),
        Binding("e", "export", "Export", tooltip="Write requirements.txt", id="venvdeck.export"),
        Binding(
            "a",
            "activate",
            "Shell",
            tooltip="Open a shell in it / activation commands",
            id="venvdeck.activate",
        ),
        Binding("d", "delete_environment", "Delete", tooltip="Delete this environment", id="venvdeck.delete"),
        Binding("b", "ensurepip", "Bootstrap pip", show=False, id="venvdeck.ensurepip"),
        Binding("l", "toggle_log", "Log", show=False, id="venvdeck.toggle_log"),
        Binding("escape", "escape", "Back / cancel", show=False, id="venvdeck.escape"),
    ]

    selected_path: reactive[Path | None] = reactive(None)
    discovering: reactive[bool] = reactive(False)

    def __init__(self, service: EnvironmentService, now: Callable[[], float]) -> None:
        super().__init__()
        self.service = service
        self.now = now
        self.report = DiscoveryReport()
        self._tick_timer: Timer | None = None
        self._pending_envs: list[Environment] = []
        self._pending_sizes: list[EnvironmentSize] = []
        self._size_queue: deque[Environment] = deque()
        self._measuring = False
        self._measured: set[Path] = set()
        self._freeze_for: tuple[Path, bool] | None = None  # what the requirements pane shows

    def compose(self) -> ComposeResult:
        yield Static(id="summary")
        with Horizontal(id="body"):
            yield EnvTree(id="env-tree")
            with Vertical(id="right"):
                with TabbedContent(id="views", initial=TABS["packages"]):
                    with TabPane("Packages", id=TABS["packages"]):
                        yield PackageTable(id="packages")
                    with TabPane("Requirements", id=TABS["freeze"]):
                        yield FreezePane(id="freeze")
                    with TabPane("Details", id=TABS["details"]):
                        yield DetailsPane(id="details")
                yield OperationLog(id="operation-log")
        yield Changes(self.service)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # Tab moves between the tree and the pane's content; 1 2 3 switch panes, so the tab strip needs no focus.
        self.query_one(TabbedContent).query_one(Tabs).can_focus = False
        self.query_one(EnvTree).focus()
        self.discover()

    # ---- discovery -------------------------------------------------------------------------------
    @work(exclusive=True, group="discover", exit_on_error=False)
    async def discover(self) -> None:
        """Environments are buffered and shown in batches (see _tick): one tree rebuild per batch."""
        tree = self.query_one(EnvTree)
        self.report = DiscoveryReport()
        self.discovering = True
        found: set[Path] = set()
        try:
            async for env in self.service.discover(self.report):
                found.add(env.path)
                self._pending_envs.append(env)
                if not tree.environments:
                    self._tick()  # the first one at once
        except VenvDeckError as exc:
            self.notify(str(exc), title="Discovery failed", severity="error", markup=False)
        finally:
            self.discovering = False
        self._tick()
        tree.remove_missing(found)
        if self.selected_path is not None and self.selected_path not in found:
            self.selected_path = None
        self._update_summary()
        if not found:
            self._show_nothing_found()
        if self.report.pending_deletions:
            for line in await self.service.finish_pending_deletions(self.report.pending_deletions):
                self.notify(shown(line), title="An earlier delete", markup=False)

    def watch_discovering(self) -> None:
        self._keep_ticking()

    def _keep_ticking(self) -> None:
        busy = self.discovering or self._measuring
        if busy and self._tick_timer is None:
            self._tick_timer = self.set_interval(0.1, self._tick)
        elif not busy and self._tick_timer is not None:
            self._tick_timer.stop()
            self._tick_timer = None
            self._tick()

    def _tick(self) -> None:
        """Show what discovery and measuring found since the last tick, then the summary line."""
        tree = self.query_one(EnvTree)
        envs, self._pending_envs = self._pending_envs, []
        sizes, self._pending_sizes = self._pending_sizes, []
        for env in envs:
            tree.add_environment(env)
            self._queue_measure(env)
        for size in sizes:
            tree.set_size(size)
        if self.selected_path in {e.path for e in envs} | {s.path for s in sizes}:
            self._show_details()
        self._update_summary()

    def _update_summary(self) -> None:
        tree = self.query_one(EnvTree)
        envs = tree.environments
        sizes = [s for s in (tree.size_of(e.path) for e in envs) if s is not None]
        broken = sum(e.is_broken for e in envs)
        parts = [f"{len(envs)} environments" if len(envs) != 1 else "1 environment"]
        if broken:
            parts.append(f"{broken} broken")
        if sizes:
            total = human_size(sum(s.disk_bytes for s in sizes))
            freed = human_size(sum(s.freed_bytes for s in sizes))
            measurable = sum(self.service.can_measure(e) for e in envs)  # not /usr and the like
            measured = "" if len(sizes) >= measurable else f" (sizes: {len(sizes)} of {measurable})"
            parts.append(f"{total} on disk, {freed} reclaimable{measured}")
        if self.discovering:
            parts.append(f"scanning… {self.report.folders_scanned:,} folders")
        parts.append(f"sorted by {tree.sort_by}")
        self.query_one("#summary", Static).update(Text("  ·  ".join(parts)))

    def _show_nothing_found(self) -> None:
        looked = ", ".join(str(p) for p in self.report.looked_in[:8]) or "nowhere"
        message = (
            f"No Python environments found.\nLooked in: {looked}\n\n"
            "To look elsewhere, open venvdeck on a folder (`venvdeck ~/code`) "
            "or add it to `roots` in the config file."
        )
        self.query_one(PackageTable).show_message(None, message)
        self.query_one(DetailsPane).show_message(message)
        self.query_one(FreezePane).show_message(message)

    # ---- sizes -----------------------------------------------------------------------------------
    def _queue_measure(self, env: Environment) -> None:
        if env.path in self._measured or not self.service.can_measure(env):
            return
        self._measured.add(env.path)
        self._size_queue.append(env)
        if not self._measuring:
            self._measuring = True
            self._keep_ticking()
            self.measure_sizes()

    @work(group="sizes", exit_on_error=False)
    async def measure_sizes(self) -> None:
        """Measures queued environments one at a time, in the order found, and ends when none are left."""
        try:
            while self._size_queue:
                env = self._size_queue.popleft()
                try:
                    size = await self.service.measure(env)
                except OSError:
                    continue
                # Not `append(await ...)`: _tick swaps the list while this awaits.
                self._pending_sizes.append(size)
        finally:
            self._measuring = False
            self._keep_ticking()

    # ---- selection -------------------------------------------------------------------------------
    @on(EnvTree.SortChanged)
    def _sort_changed(self) -> None:
        self._update_summary()

    @on(EnvTree.EnvironmentHighlighted)
    def _environment_highlighted(self, event: EnvTree.EnvironmentHighlighted) -> None:
        self.selected_path = event.env.path if event.env is not None else None

    def watch_selected_path(self, path: Path | None) -> None:
        self.refresh_bindings()  # which actions the footer offers depends on the selection
        self._freeze_for = None
        self._show_details()
        env = self.selected_environment
        if env is None:
            self.workers.cancel_group(self, "packages")
            self.workers.cancel_group(self, "freeze")
            return
        if env in self._size_queue:  # measure what the user is looking at first
            self._size_queue.remove(env)
            self._size_queue.appendleft(env)
        self.load_packages(env)
        if self.query_one(TabbedContent).active == TABS["freeze"]:
            self.load_freeze(env, self.query_one(FreezePane).top_level)

    @property
    def selected_environment(self) -> Environment | None:
        if self.selected_path is None:
            return None
        return self.query_one(EnvTree).environment(self.selected_path)

    def _show_details(self) -> None:
        env = self.selected_environment
        details = self.query_one(DetailsPane)
        if env is None:
            details.show_message("Select an environment to see its details.")
            return
        size = self.query_one(EnvTree).size_of(env.path)
        details.show(env, size, self.service.can_measure(env), self.now())

    @work(exclusive=True, group="packages", exit_on_error=False)
    async def load_packages(self, env: Environment) -> None:
        table = self.query_one(PackageTable)
        if env.is_broken:
            table.show_message(env.path, f"{env.name} is broken: {env.broken_reason}")
            return
        # A spinner only for a slow listing: showing one for a fast one costs a layout pass each way.
        spinner = self.set_timer(0.2, lambda: setattr(table, "loading", True))
        try:
            listing = await self.service.list_packages(env)
        except VenvDeckError as exc:
            table.show_message(env.path, f"Could not list the packages of {env.name}:\n{exc}")
            return
        finally:
            spinner.stop()
            table.loading = False
        if listing.packages:
            table.show_packages(env.path, listing.packages)
        else:
            table.show_message(env.path, f"{env.name} has no packages installed.")
        table.set_sizes(env.path, await self.service.package_sizes(listing.packages))

    @work(exclusive=True, group="freeze", exit_on_error=False)
    async def load_freeze(self, env: Environment, top_level: bool) -> None:
        pane = self.query_one(FreezePane)
        if env.is_broken:
            pane.show_message(f"{env.name} is broken: {env.broken_reason}")
            return
        pane.show_message("Reading requirements…")
        try:
            result = await self.service.freeze(env, top_level=top_level)
        except VenvDeckError as exc:
            pane.show_message(f"Could not read the requirements of {env.name}:\n{exc}")
            return
        pane.show_text(result.text)
        self._freeze_for = (env.path, top_level)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        self._refresh_freeze()

    @on(FreezePane.ModeChanged)
    def _freeze_mode_changed(self) -> None:
        self._refresh_freeze()

    def _refresh_freeze(self) -> None:
        env = self.selected_environment
        if env is None or self.query_one(TabbedContent).active != TABS["freeze"]:
            return
        top_level = self.query_one(FreezePane).top_level
        if self._freeze_for != (env.path, top_level):
            self.load_freeze(env, top_level)

    # ---- actions (keys and the command palette) --------------------------------------------------
    def action_refresh(self) -> None:
        self._measured.clear()
        self.discover()
        env = self.selected_environment
        if env is not None:
            self._freeze_for = None
            self.load_packages(env)
            self._refresh_freeze()

    def action_filter(self) -> None:
        self.action_show_tab("packages")
        self.query_one(PackageTable).open_filter()

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = TABS[tab]
        focus_target = {"packages": "#package-rows", "freeze": "#freeze-scroll", "details": "#details"}[tab]
        self.query_one(focus_target).focus()

    def action_escape(self) -> None:
        """Close the filter; else cancel the running operation (of this environment); else back to the tree."""
        if self.query_one(PackageTable).close_filter():
            return
        running = self.changes.running_for(self.selected_path)
        if running is not None:
            self.changes.cancel(running)
            return
        self.query_one(EnvTree).focus()

    # ---- changes (the Changes widget runs them and posts what changed) ----------------------------
    @property
    def changes(self) -> Changes:
        return self.query_one(Changes)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in _ON_SELECTED:
            return True
        env = self.selected_environment
        if env is None or self.changes.busy(env.path):
            return None  # shown dimmed
        if env.is_broken and action != "delete_environment":
            return None
        return True

    def action_install(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.install(env)

    def action_install_file(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.install_file(env)

    def action_uninstall(self) -> None:
        self.query_one(PackageTable).action_uninstall()

    def action_upgrade(self) -> None:
        self.query_one(PackageTable).action_upgrade()

    def action_ensurepip(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.ensurepip(env)

    def action_create(self) -> None:
        self.changes.create(self.selected_environment)

    def action_export(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.export(env, self.query_one(FreezePane).top_level)

    def action_activate(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.activate(env)

    def action_delete_environment(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.delete(env)

    def action_toggle_log(self) -> None:
        log = self.query_one(OperationLog)
        log.set_class(not log.has_class("-shown"), "-shown")

    @on(PackageTable.PackagesRequested)
    def _packages_requested(self, event: PackageTable.PackagesRequested) -> None:
        env = self.selected_environment
        if env is None or not self.check_action(event.action, ()):
            return
        if event.action == "uninstall":
            self.changes.uninstall(env, event.names)
        else:
            self.changes.upgrade(env, event.names)

    @on(OperationsChanged)
    def _operations_changed(self) -> None:
        self.refresh_bindings()

    @on(EnvironmentChanged)
    def _environment_changed(self, event: EnvironmentChanged) -> None:
        """After an operation: re-list what the table and the requirements pane show, measure again."""
        env = self.query_one(EnvTree).environment(event.path)
        if env is None:
            return
        self._measured.discard(event.path)
        self._queue_measure(env)
        if event.path == self.selected_path:
            self._freeze_for = None
            self.load_packages(env)
            self._refresh_freeze()

    @on(EnvironmentCreated)
    def _environment_created(self, event: EnvironmentCreated) -> None:
        tree = self.query_one(EnvTree)
        tree.add_environment(event.environment)
        self._queue_measure(event.environment)
        tree.select_path(event.environment.path)
        tree.focus()
        self._update_summary()

    @on(EnvironmentDeleted)
    def _environment_deleted(self, event: EnvironmentDeleted) -> None:
        tree = self.query_one(EnvTree)
        tree.remove_missing({e.path for e in tree.environments} - {event.path})
        self._update_summary()

    def action_sort_environments(self, by: str) -> None:
        self.query_one(EnvTree).sort_by = EnvSort(by)

    def action_sort_packages(self, column: str) -> None:
        self.action_show_tab("packages")
        self.query_one(PackageTable).sort_by(Column(column))

    def action_reverse_packages(self) -> None:
        self.action_show_tab("packages")
        self.query_one(PackageTable).action_reverse_sort()

    def action_toggle_top_level(self) -> None:
        self.action_show_tab("freeze")
        self.query_one(FreezePane).action_toggle_top_level()

    def action_open_environment(self, path: str) -> None:
        self.query_one(EnvTree).select_path(Path(path))
        self.query_one(EnvTree).focus()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Errors the workers did not expect still reach the user, as one line."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.notify(
                f"{type(error).__name__}: {error}",
                title="Something went wrong",
                severity="error",
                markup=False,
            )

    @property
    def environments(self) -> list[Environment]:
        """What the tree holds now (the command palette offers to open each)."""
        return self.query_one(EnvTree).environments
