"""The main screen: the controller. Environments on the left (grouped tree or flat table), the
selected one's panes on the right; hidden widgets find (Discovery) and change (Changes) things and
post what happened up here."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker

from venvdeck.formatting import human_size, shown
from venvdeck.messages import (
    EnvironmentChanged,
    EnvironmentChecked,
    EnvironmentCreated,
    EnvironmentDeleted,
    OperationsChanged,
)
from venvdeck.models import Environment, Kind
from venvdeck.screens.changes import Changes
from venvdeck.screens.checks import Checks, problem_count
from venvdeck.screens.discovery import Discovery
from venvdeck.screens.failures import report_worker_failure
from venvdeck.screens.panes import EnvironmentPanes
from venvdeck.services.protocol import EnvironmentService
from venvdeck.widgets.env_table import EnvTable
from venvdeck.widgets.env_tree import EnvSort, EnvTree
from venvdeck.widgets.freeze_pane import FreezePane
from venvdeck.widgets.keys_footer import KeysFooter
from venvdeck.widgets.operation_log import OperationLog
from venvdeck.widgets.package_table import Column, PackageTable

# Actions on the selected environment: dimmed while it is busy, or broken (delete excepted).
_ON_SELECTED = {
    "install",
    "install_file",
    "export",
    "activate",
    "delete_environment",
    "ensurepip",
    "yank",
    "edit",
}
_LEFT_WIDTHS = (24, 32, 40, 48, 56, 64, 72)


@lru_cache(maxsize=4096)
def _prefixes(interpreter: Path) -> tuple[Path, ...]:
    """The folders an interpreter could be the base of (many environments share one base)."""
    return tuple(interpreter.parents)[:6]


def _bases(envs: list[Environment]) -> set[Path]:
    """The environments that are another one's base (its interpreter lives inside them)."""
    paths = {e.path for e in envs}
    bases: set[Path] = set()
    for env in envs:
        if env.base_interpreter is not None:
            bases.update(p for p in _prefixes(env.base_interpreter) if p in paths and p != env.path)
    return bases


class MainScreen(Screen[None]):
    KEYS_SECTION = "Environments"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", tooltip="Look for environments again", id="venvdeck.refresh"),
        Binding(
            "slash", "filter", "Filter", tooltip="Filter what has the focus as you type", id="venvdeck.filter"
        ),
        Binding(
            "v",
            "toggle_view",
            "Flat/grouped",
            show=False,
            tooltip="A table of every environment, or the groups",
            id="venvdeck.toggle_view",
        ),
        Binding("1", "show_tab('packages')", "Packages", show=False, id="venvdeck.tab_packages"),
        Binding("2,f", "show_tab('freeze')", "Requirements", show=False, id="venvdeck.tab_freeze"),
        Binding("3", "show_tab('details')", "Details", show=False, id="venvdeck.tab_details"),
        Binding("4", "show_tab('deps')", "Dependencies", show=False, id="venvdeck.tab_deps"),
        Binding(
            "F",
            "find",
            "Find everywhere",
            show=False,
            tooltip="A package in every environment, by name and version",
            id="venvdeck.find",
        ),
        Binding(
            "D",
            "usage",
            "Disk by package",
            show=False,
            tooltip="Where the disk goes: each distribution across every environment",
            id="venvdeck.usage",
        ),
        Binding("c", "create", "Create", tooltip="Make a new environment", id="venvdeck.create"),
        Binding("i", "install", "Install", tooltip="Install requirements", id="venvdeck.install"),
        Binding(
            "I",
            "install_file",
            "Install -r",
            show=False,
            tooltip="From a requirements file",
            id="venvdeck.install_file",
        ),
        Binding("e", "export", "Export", tooltip="Write requirements.txt", id="venvdeck.export"),
        Binding(
            "a",
            "activate",
            "Shell",
            tooltip="Open a shell in it / activation commands",
            id="venvdeck.activate",
        ),
        Binding(
            "d",
            "delete_environment",
            "Delete",
            tooltip="Delete it (or every marked one)",
            id="venvdeck.delete",
        ),
        Binding("b", "ensurepip", "Bootstrap pip", show=False, id="venvdeck.ensurepip"),
        Binding(
            "B",
            "mark_broken",
            "Mark broken",
            show=False,
            tooltip="Mark every broken environment",
            id="venvdeck.mark_broken",
        ),
        Binding(
            "R",
            "recreate",
            "Rebuild",
            show=False,
            tooltip="Rebuild it in place with the same packages (broken ones too)",
            id="venvdeck.recreate",
        ),
        Binding(
            "P",
            "interpreters",
            "Interpreters",
            show=False,
            tooltip="Every base interpreter and what depends on it; repair all broken",
            id="venvdeck.interpreters",
        ),
        Binding(
            "N",
            "mark_unused",
            "Mark unused",
            show=False,
            tooltip="Mark those unused for N days",
            id="venvdeck.mark_unused",
        ),
        Binding(
            "y", "yank", "Copy path", show=False, tooltip="Copy the environment's path", id="venvdeck.yank"
        ),
        Binding(
            "o", "edit", "Edit project", show=False, tooltip="Open the project in $EDITOR", id="venvdeck.edit"
        ),
        Binding("h", "focus_left", "Left pane", show=False, id="venvdeck.focus_left"),
        Binding("l", "focus_right", "Right pane", show=False, id="venvdeck.focus_right"),
        Binding(
            "z",
            "zoom",
            "Zoom",
            show=False,
            tooltip="Fill the screen with the focused pane",
            id="venvdeck.zoom",
        ),
        Binding(
            "left_square_bracket",
            "resize(-1)",
            "Narrower",
            show=False,
            key_display="[",
            id="venvdeck.narrower",
        ),
        Binding(
            "right_square_bracket", "resize(1)", "Wider", show=False, key_display="]", id="venvdeck.wider"
        ),
        Binding(
            "backslash",
            "toggle_left",
            "Hide/show",
            show=False,
            key_display="\\",
            tooltip="Hide or show the environments",
            id="venvdeck.toggle_left",
        ),
        Binding(
            "L",
            "toggle_log",
            "Log",
            show=False,
            tooltip="Show or hide the operation log",
            id="venvdeck.toggle_log",
        ),
        Binding("ctrl+l", "clear_log", "Clear log", show=False, id="venvdeck.clear_log"),
        Binding(
            "exclamation_mark",
            "history",
            "History",
            show=False,
            key_display="!",
            tooltip="Every operation and its output",
            id="venvdeck.history",
        ),
        Binding("escape", "escape", "Back / cancel", show=False, id="venvdeck.escape"),
    ]

    selected_path: reactive[Path | None] = reactive(None)
    marked: reactive[frozenset[Path]] = reactive(frozenset())

    def __init__(self, service: EnvironmentService, now: Callable[[], float]) -> None:
        super().__init__()
        self.service = service
        self.now = now
        self._width = 2

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
        return None if self.selected_path is None else self.env_tree.environment(self.selected_path)

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
            self._refresh_table()
        self._update_summary()

    @on(Discovery.Finished)
    def _finished(self, event: Discovery.Finished) -> None:
        self.env_tree.remove_missing(event.found)
        self.marked = self.marked & event.found
        for env in self.env_tree.environments:  # in the background, once everything is on screen
            self.checks.check(env, again=env.path != self.selected_path)  # that one: as it loads
        if self.selected_path is not None and self.selected_path not in event.found:
            self.selected_path = None
        self._refresh_table()
        self._update_summary()
        if not event.found:
            looked = ", ".join(shown(p) for p in event.report.looked_in[:8]) or "nowhere"
            self.panes.show_message(
                f"No Python environments found.\nLooked in: {looked}\n\n"
                "To look elsewhere, open venvdeck on a folder (`venvdeck ~/code`) "
                "or add it to `roots` in the config file."
            )

    def _update_summary(self) -> None:
        env_tree = self.env_tree
        envs = env_tree.environments
        sizes = [s for s in map(env_tree.size_of, (e.path for e in envs)) if s is not None]
        broken = sum(e.is_broken for e in envs)
        parts = [f"{len(envs)} environments" if len(envs) != 1 else "1 environment"]
        if broken:
            parts.append(f"{broken} broken")
        if sizes:
            bases = _bases(envs)  # deleting a base others use is refused: not reclaimable
            total = human_size(sum(s.disk_bytes for s in sizes))
            freed = human_size(sum(s.freed_bytes for s in sizes if s.deletable and s.path not in bases))
            measurable = sum(self.service.can_measure(e) for e in envs)  # not /usr and the like
            measured = "" if len(sizes) >= measurable else f" (sizes: {len(sizes)} of {measurable})"
            parts.append(f"{total} on disk, {freed} reclaimable{measured}")
        if self.marked:
            frees = sum(s.freed_bytes for p in self.marked if (s := self.env_tree.size_of(p)) is not None)
            parts.append(f"{len(self.marked)} marked ({human_size(frees)}): d deletes them")
        if self.env_tree.filter_query:
            parts.append(
                f"{len(self.env_tree.shown_environments)} match “{shown(self.env_tree.filter_query)}”"
            )
        if self.discovery.discovering:
            parts.append(f"scanning… {self.discovery.report.folders_scanned:,} folders")
        parts.append(f"sorted by {self.env_tree.sort_by}")
        self.query_one("#summary", Static).update(Text("  ·  ".join(parts)))

    def _refresh_table(self) -> None:
        if not self.flat:
            return
        envs = self.env_tree.environments
        sizes = {e.path: s for e in envs if (s := self.env_tree.size_of(e.path)) is not None}
        self.query_one(EnvTable).show(envs, sizes, self.marked, self.now(), self.selected_path)

    # ---- selection -------------------------------------------------------------------------------
    @on(EnvTree.SortChanged)
    def _sort_changed(self) -> None:
        self._update_summary()

    @on(EnvTree.EnvironmentHighlighted)
    @on(EnvTable.EnvironmentHighlighted)
    def _environment_highlighted(
        self, event: EnvTree.EnvironmentHighlighted | EnvTable.EnvironmentHighlighted
    ) -> None:
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
        self._refresh_table()
        self._update_summary()

    def action_mark_broken(self) -> None:
        broken = {e.path for e in self.env_tree.environments if e.is_broken}
        self.marked = self.marked | broken
        self.notify(f"Marked {len(broken)} broken environments." if broken else "No environment is broken.")

    def action_mark_unused(self) -> None:
        from venvdeck.dialogs.ask import AskScreen

        def mark(days: str | None) -> None:
            if days is None:
                return
            limit = self.now() - float(days) * 86400
            old = {
                e.path
                for e in self.env_tree.environments
                if (s := self.env_tree.size_of(e.path)) is not None
                and s.deletable
                and (s.last_used or 0) < limit
            }
            self.marked = self.marked | old
            self.notify(f"Marked {len(old)} environments unused for {days} days.")

        self.app.push_screen(
            AskScreen("Mark environments unused for how many days?", "90", number=True), mark
        )

    # ---- which keys apply now --------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_environment" and self.marked:
            return True
        if action == "recreate":
            return self._can_recreate()
        if action not in _ON_SELECTED:
            return True
        env = self.selected_environment
        if env is None or self.changes.busy(env.path):
            return None  # shown dimmed
        if action == "edit" and env.project is None:
            return None
        if env.is_broken and action not in {"delete_environment", "yank"}:
            return None
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
        from venvdeck.screens.interpreters import InterpretersChoice, InterpretersScreen

        def chosen(choice: InterpretersChoice | None) -> None:
            if choice is None:
                return
            if choice.repair_broken:
                self.repair_broken()
            elif choice.open is not None:
                self.action_open_environment(str(choice.open))

        self.app.push_screen(InterpretersScreen(self.service), chosen)

    def repair_broken(self) -> None:
        """Rebuild every broken environment found: planned, asked once, run one at a time."""
        broken = [e for e in self.env_tree.environments if e.is_broken]
        if not broken:
            self.notify("No environment is broken.", markup=False)
            return
        self.changes.recreate_many(broken)

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
        from venvdeck.screens.find import FindScreen

        self.app.push_screen(FindScreen(self.service), self._jump_to)

    def action_usage(self) -> None:
        from venvdeck.screens.usage import UsageScreen

        self.app.push_screen(UsageScreen(self.service, self.environments), self._jump_to)

    def _jump_to(self, path: Path | None) -> None:
        """Where a find or usage screen closed: that environment, selected in the tree."""
        if path is None:
            return
        if self.env_tree.environment(path) is None:
            self.notify(
                f"{shown(path)} is not in the tree (r looks again).", severity="warning", markup=False
            )
            return
        self.action_open_environment(str(path))

    # ---- what the changes posted -----------------------------------------------------------------
    @on(OperationsChanged)
    def _operations_changed(self) -> None:
        self.refresh_bindings()

    @on(EnvironmentChanged)
    def _environment_changed(self, event: EnvironmentChanged) -> None:
        """After an operation: re-list what the panes show, measure again, forget the marks."""
        if event.environment is not None:  # it is another now (rebuilt): the tree shows what it is
            self.env_tree.add_environment(event.environment)
            self._refresh_table()
            self._update_summary()
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
        self._refresh_table()
        self._update_summary()

    @on(EnvironmentDeleted)
    def _environment_deleted(self, event: EnvironmentDeleted) -> None:
        self.env_tree.remove_missing({e.path for e in self.env_tree.environments} - {event.path})
        self.marked = self.marked - {event.path}
        self.checks.forget(event.path)
        self._refresh_table()
        self._update_summary()

    # ---- moving around ---------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.discovery.start()
        env = self.selected_environment
        if env is not None:
            self.panes.show(env, self.env_tree.size_of(env.path))

    def action_filter(self) -> None:
        left = self.query_one("#left")
        if self.focused is not None and left in self.focused.ancestors_with_self and left.display:
            env_filter = self.query_one("#env-filter", Input)
            env_filter.display = True
            env_filter.focus()
            return
        self.action_show_tab("packages")
        self.query_one(PackageTable).open_filter()

    @on(Input.Changed, "#env-filter")
    def _env_filter_changed(self, event: Input.Changed) -> None:
        self.env_tree.filter(event.value)
        self.query_one(EnvTable).filter(event.value)
        self._update_summary()

    @on(Input.Submitted, "#env-filter")
    def _env_filter_done(self) -> None:
        self._focus_left()

    def _close_env_filter(self) -> bool:
        env_filter = self.query_one("#env-filter", Input)
        if not env_filter.display:
            return False
        env_filter.value = ""
        env_filter.display = False
        self._focus_left()
        return True

    def action_toggle_view(self) -> None:
        table = self.query_one(EnvTable)
        table.display = not table.display
        self.env_tree.display = not table.display
        self._refresh_table()
        self._focus_left()

    def _focus_left(self) -> None:
        if self.flat:
            self.query_one(EnvTable).focus()
        else:
            self.env_tree.focus()

    def action_focus_left(self) -> None:
        self.query_one("#left").display = True
        self._focus_left()

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
        self._width = max(0, min(len(_LEFT_WIDTHS) - 1, self._width + step))
        self.query_one("#left").styles.width = _LEFT_WIDTHS[self._width]

    def action_toggle_left(self) -> None:
        left = self.query_one("#left")
        left.display = not left.display
        if left.display:
            self._focus_left()
        else:
            self.panes.focus_content()

    def action_toggle_log(self) -> None:
        log = self.query_one(OperationLog)
        log.set_class(not log.has_class("-shown"), "-shown")

    def action_clear_log(self) -> None:
        self.query_one(OperationLog).clear()

    def action_history(self) -> None:
        from venvdeck.dialogs.history import HistoryScreen

        self.app.push_screen(HistoryScreen(list(self.query_one(OperationLog).entries.values())))

    def action_escape(self) -> None:
        """Close a filter; else cancel the running change (of this environment); else clear the
        marks; else back to the environments."""
        if self.query_one(PackageTable).close_filter() or self._close_env_filter():
            return
        running = self.changes.running_for(self.selected_path)
        if running is not None:
            self.changes.cancel(running)
            return
        if self.query_one(PackageTable).clear_marks():
            return
        if self.marked:
            self.marked = frozenset()
            return
        if self.maximized is not None:
            self.minimize()
            return
        self._focus_left()

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
        self._close_env_filter()
        if self.flat:
            self.query_one(EnvTable).select_path(Path(path))
        self.env_tree.select_path(Path(path))
        self._focus_left()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Errors the workers did not expect still reach the user, as one line."""
        report_worker_failure(self, event)
