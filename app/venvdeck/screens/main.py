"""The main screen: the controller. Environments on the left (grouped tree or flat table), the
selected one's panes on the right; hidden widgets find (Discovery) and change (Changes) things and
post what happened up here. Its keys are in main_keys; what it does with them lives beside it:
summary (the summary line and the flat table), marks, overviews (the screens across environments)
and layout (focus, filters, views, escape)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker

from venvdeck.formatting import shown
from venvdeck.messages import (
    EnvironmentChanged,
    EnvironmentChecked,
    EnvironmentCreated,
    EnvironmentDeleted,
    OperationsChanged,
)
from venvdeck.models import Kind
from venvdeck.screens import layout, marks, overviews
from venvdeck.screens.changes import Changes
from venvdeck.screens.checks import Checks, problem_count
from venvdeck.screens.discovery import Discovery
from venvdeck.screens.failures import report_worker_failure
from venvdeck.screens.main_keys import MAIN_KEYS, ON_SELECTED
from venvdeck.screens.panes import EnvironmentPanes
from venvdeck.screens.summary import refresh_table, update_summary
from venvdeck.widgets.env_table import EnvTable
from venvdeck.widgets.env_tree import EnvSort, EnvTree
from venvdeck.widgets.freeze_pane import FreezePane
from venvdeck.widgets.keys_footer import KeysFooter
from venvdeck.widgets.operation_log import OperationLog
from venvdeck.widgets.package_table import Column, PackageTable

if TYPE_CHECKING:
    from venvdeck.models import Environment
    from venvdeck.services.protocol import EnvironmentService

# Shares of the screen, so that the panes keep their proportion when the terminal is resized
# (the third is the stylesheet's own width).
_LEFT_WIDTHS = ("20%", "28%", "36%", "44%", "52%", "60%", "70%")


class MainScreen(Screen[None]):
    KEYS_SECTION = "Environments"
    BINDINGS: ClassVar[list[BindingType]] = MAIN_KEYS  # bound here; listed in main_keys.py

    selected_path: reactive[Path | None] = reactive(None)
    marked: reactive[frozenset[Path]] = reactive(frozenset())

    def __init__(self, service: EnvironmentService, now: Callable[[], float]) -> None:
        super().__init__()
        self.service = service
        self.now = now
        # The left pane's share of the screen, per view: the flat table has seven columns to show.
        self._widths = {"tree": 2, "flat": 5}

    def compose(self) -> ComposeResult:
        yield Static(id="summary")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield Input(placeholder="Filter environments (fuzzy)…", id="env-filter")
                yield EnvTree(id="env-tree")
                yield EnvTable(id="env-table")
            yield EnvironmentPanes(self.service, self.now, id="right")
        yield Discovery(self.service)
        yield Changes(self.service)
        yield Checks(self.service)
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(EnvTable).display = False
        self.env_tree.focus()
        self.discovery.start()

    # ---- parts -----------------------------------------------------------------------------------
    @property
    def env_tree(self) -> EnvTree:
        return self.query_one(EnvTree)

    @property
    def panes(self) -> EnvironmentPanes:
        return self.query_one(EnvironmentPanes)

    @property
    def changes(self) -> Changes:
        return self.query_one(Changes)

    @property
    def discovery(self) -> Discovery:
        return self.query_one(Discovery)

    @property
    def checks(self) -> Checks:
        return self.query_one(Checks)

    @property
    def environments(self) -> list[Environment]:
        """Every environment found (the command palette offers to open each)."""
        return self.env_tree.environments

    @property
    def selected_environment(self) -> Environment | None:
        """The environment every key acts on: the one under the cursor of the view shown, read
        now. selected_path follows it a message later (it drives the panes): a fast `j d` acted on
        the environment the cursor had just left."""
        view = self.query_one(EnvTable) if self.flat else self.env_tree
        path = view.highlighted_path
        return None if path is None else self.env_tree.environment(path)

    @property
    def flat(self) -> bool:
        return bool(self.query_one(EnvTable).display)

    # ---- discovery and sizes ---------------------------------------------------------------------
    @on(Discovery.Found)
    def _found(self, event: Discovery.Found) -> None:
        tree = self.env_tree
        for env in event.environments:
            tree.add_environment(env)
        for size in event.sizes:
            tree.set_size(size)
        if self.selected_path in {e.path for e in event.environments} | {s.path for s in event.sizes}:
            self.panes.show_details(tree.size_of(self.selected_path) if self.selected_path else None)
        if (event.environments or event.sizes) and self.flat:
            refresh_table(self)
        update_summary(self)

    @on(Discovery.Finished)
    def _finished(self, event: Discovery.Finished) -> None:
        self.env_tree.remove_missing(event.found)
        self.marked = self.marked & event.found
        for env in self.env_tree.environments:  # in the background, once everything is on screen
            self.checks.check(env, again=env.path != self.selected_path)  # that one: as it loads
        if self.selected_path is not None and self.selected_path not in event.found:
            self.selected_path = None
        refresh_table(self)
        update_summary(self)
        if not event.found:
            looked = ", ".join(shown(p) for p in event.report.looked_in[:8]) or "nowhere"
            self.panes.show_message(
                f"No Python environments found.\nLooked in: {looked}\n\n"
                "To look elsewhere, open venvdeck on a folder (`venvdeck ~/code`) "
                "or add it to `roots` in the config file."
            )

    # ---- selection -------------------------------------------------------------------------------
    @on(EnvTree.SortChanged)
    @on(EnvTable.SortChanged)
    def _sort_changed(self) -> None:
        update_summary(self)

    @on(EnvTree.EnvironmentHighlighted)
    @on(EnvTable.EnvironmentHighlighted)
    def _environment_highlighted(
        self, event: EnvTree.EnvironmentHighlighted | EnvTable.EnvironmentHighlighted
    ) -> None:
        if not event.control.display:
            return  # the hidden view's cursor (moved by a refresh) is not what keys act on
        self.selected_path = event.env.path if event.env is not None else None

    def watch_selected_path(self, path: Path | None) -> None:
        self.refresh_bindings()  # which actions the footer offers depends on the selection
        env = self.selected_environment
        if env is not None:
            self.discovery.measure(env, first=True)  # measure what the user is looking at first
        self.panes.show(env, self.env_tree.size_of(path) if path else None)
        self.panes.show_problems(self.checks.report_for(path))

    # ---- marks and reclaiming in bulk ------------------------------------------------------------
    @on(EnvTree.MarkToggled)
    @on(EnvTable.MarkToggled)
    def _mark_toggled(self, event: EnvTree.MarkToggled | EnvTable.MarkToggled) -> None:
        self.marked = self.marked ^ {event.path}

    def watch_marked(self, marked: frozenset[Path]) -> None:
        self.env_tree.set_marked(marked)
        refresh_table(self)
        update_summary(self)

    def action_mark_broken(self) -> None:
        marks.mark_broken(self)

    def action_mark_unused(self) -> None:
        marks.ask_mark_unused(self)

    # ---- which keys apply now --------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_environment" and self.marked:
            return True
        if action == "recreate":
            return self._can_recreate()
        if action not in ON_SELECTED:
            return True
        env = self.selected_environment
        if env is None or self.changes.busy(env.path):
            return None  # shown dimmed
        if action == "edit" and env.project is None:
            return None
        if env.is_broken and action not in {"delete_environment", "yank", "export"}:
            return None  # its Python is gone; what its folder holds can still be saved (export)
        return True

    # ---- actions on the selected environment -----------------------------------------------------
    def action_install(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.install(env)

    def action_install_file(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.install_file(env)

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

    def action_edit(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.edit(env)

    def action_delete_environment(self) -> None:
        if self.marked:
            chosen = [e for e in self.env_tree.environments if e.path in self.marked]
            self.changes.delete_many(chosen)
        elif (env := self.selected_environment) is not None:
            self.changes.delete(env)

    # ---- rebuilding, interpreters -------------------------------------------------------------------
    def _can_recreate(self) -> bool | None:
        """Any environment not busy, broken ones above all; a base interpreter is no environment."""
        env = self.selected_environment
        if env is None or env.kind is Kind.PYTHON or self.changes.busy(env.path):
            return None
        return True

    def action_recreate(self) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.recreate(env)

    def action_interpreters(self) -> None:
        overviews.open_interpreters(self)

    def action_yank(self) -> None:
        if (env := self.selected_environment) is not None:
            self.app.copy_to_clipboard(str(env.path))
            self.notify(f"Copied {shown(env.path)}", timeout=3, markup=False)

    @on(PackageTable.PackagesRequested)
    def _packages_requested(self, event: PackageTable.PackagesRequested) -> None:
        env = self.selected_environment
        if env is None or not self.check_action("install", ()):
            return
        if event.action == "uninstall":
            self.changes.uninstall(env, event.names)
        else:
            self.changes.upgrade(env, event.names)

    @on(PackageTable.DetailsRequested)
    def _package_details(self, event: PackageTable.DetailsRequested) -> None:
        if (env := self.selected_environment) is not None:
            self.changes.package_details(env, event.package)

    # ---- insight: problems, and the screens that look across environments --------------------------
    @on(EnvironmentPanes.PackagesListed)
    def _packages_listed(self, event: EnvironmentPanes.PackagesListed) -> None:
        self.checks.check(event.environment, first=True, again=True)

    @on(EnvironmentChecked)
    def _environment_checked(self, event: EnvironmentChecked) -> None:
        report = event.report
        path = report.environment.path
        self.checks.remember(report)
        self.env_tree.set_problems(path, problem_count(report))
        self.query_one(EnvTable).set_problems(path, problem_count(report))
        if path == self.selected_path:
            self.panes.show_problems(report)

    def action_find(self) -> None:
        overviews.open_find(self)

    def action_usage(self) -> None:
        overviews.open_usage(self)

    # ---- what the changes posted -----------------------------------------------------------------
    @on(OperationsChanged)
    def _operations_changed(self) -> None:
        self.refresh_bindings()

    @on(EnvironmentChanged)
    def _environment_changed(self, event: EnvironmentChanged) -> None:
        """After an operation: re-list what the panes show, measure again, forget the marks."""
        if event.environment is not None:  # it is another now (rebuilt): the tree shows what it is
            self.env_tree.add_environment(event.environment)
            refresh_table(self)
            update_summary(self)
        env = self.env_tree.environment(event.path)
        if env is None:
            return
        self.discovery.measure(env, again=True)
        if event.path == self.selected_path:
            self.query_one(PackageTable).clear_marks()
            self.panes.show(env, self.env_tree.size_of(env.path))

    @on(EnvironmentCreated)
    def _environment_created(self, event: EnvironmentCreated) -> None:
        self.env_tree.add_environment(event.environment)
        self.discovery.measure(event.environment, first=True)
        self.env_tree.select_path(event.environment.path)
        self.env_tree.focus()
        refresh_table(self)
        update_summary(self)

    @on(EnvironmentDeleted)
    def _environment_deleted(self, event: EnvironmentDeleted) -> None:
        self.env_tree.remove_missing({e.path for e in self.env_tree.environments} - {event.path})
        self.marked = self.marked - {event.path}
        self.checks.forget(event.path)
        refresh_table(self)
        update_summary(self)

    # ---- moving around ---------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.discovery.start()
        env = self.selected_environment
        if env is not None:
            self.panes.show(env, self.env_tree.size_of(env.path))

    def action_filter(self) -> None:
        layout.open_filter(self)

    @on(Input.Changed, "#env-filter")
    def _env_filter_changed(self, event: Input.Changed) -> None:
        self.env_tree.filter(event.value)
        self.query_one(EnvTable).filter(event.value)
        update_summary(self)

    @on(Input.Submitted, "#env-filter")
    def _env_filter_done(self) -> None:
        layout.focus_left(self)

    def action_toggle_view(self) -> None:
        layout.toggle_view(self)

    def action_focus_left(self) -> None:
        self.query_one("#left").display = True
        layout.focus_left(self)

    def action_focus_right(self) -> None:
        self.panes.focus_content()

    def action_show_tab(self, tab: str) -> None:
        self.panes.show_tab(tab)

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            self.maximize(self.focused)

    def action_resize(self, step: int) -> None:
        view = "flat" if self.flat else "tree"
        self._widths[view] = max(0, min(len(_LEFT_WIDTHS) - 1, self._widths[view] + step))
        self.fit_left()

    def fit_left(self) -> None:
        """The left pane at the share chosen for the view shown (its own for each: [ and ])."""
        self.query_one("#left").styles.width = _LEFT_WIDTHS[self._widths["flat" if self.flat else "tree"]]

    def action_toggle_left(self) -> None:
        layout.toggle_left(self)

    def action_toggle_log(self) -> None:
        log = self.query_one(OperationLog)
        log.set_class(not log.has_class("-shown"), "-shown")

    def action_clear_log(self) -> None:
        self.query_one(OperationLog).clear()

    def action_history(self) -> None:
        from venvdeck.dialogs.history import HistoryScreen

        self.app.push_screen(HistoryScreen(list(self.query_one(OperationLog).entries.values())))

    def action_escape(self) -> None:
        """Close a filter; else cancel the running change; else clear the marks; else back."""
        layout.escape(self)

    # ---- palette-only actions --------------------------------------------------------------------
    def action_sort_environments(self, by: str) -> None:
        self.env_tree.sort_by = EnvSort(by)

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
        layout.open_environment(self, Path(path))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Errors the workers did not expect still reach the user, as one line."""
        report_worker_failure(self, event)
