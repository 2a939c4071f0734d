"""The command palette: every action the keys reach, plus "open environment" for each one found."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from venvdeck.screens.main import MainScreen
from venvdeck.widgets.package_table import Column

# (title, help, action on the main screen); the same actions the keys run.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Refresh environments", "Look for environments again (r)", "refresh"),
    ("Filter packages", "Filter the package table as you type (/)", "filter"),
    ("Show packages", "The package table (1)", "show_tab('packages')"),
    ("Show requirements", "The freeze output (2, f)", "show_tab('freeze')"),
    ("Show details", "Path, interpreter, pyvenv.cfg, size (3)", "show_tab('details')"),
    ("Requirements: everything / top-level only", "Toggle the freeze view (t)", "toggle_top_level"),
    ("Sort environments by name", "Sort the tree (s cycles)", "sort_environments('name')"),
    ("Sort environments by size", "Biggest reclaimable first", "sort_environments('size')"),
    ("Sort environments by last used", "Most recently used first", "sort_environments('last used')"),
    *(
        (
            f"Sort packages by {column}",
            "The package table (s cycles, S reverses)",
            f"sort_packages('{column}')",
        )
        for column in Column
    ),
    ("Reverse the package sort", "Descending instead of ascending (S)", "reverse_packages"),
    ("Create an environment", "Folder, base interpreter, pip, prompt, requirements (c)", "create"),
    ("Install requirements", "Into the selected environment, checked as you type (i)", "install"),
    ("Install from a requirements file", "Every line checked first (I)", "install_file"),
    ("Upgrade packages", "The highlighted or marked packages (U)", "upgrade"),
    ("Uninstall packages", "The highlighted or marked packages (u)", "uninstall"),
    ("Export requirements", "To a file, atomically, or to the clipboard (e)", "export"),
    ("Open a shell in the environment", "Or copy its activation command (a)", "activate"),
    ("Delete the environment", "Shows what it frees and who owns it first (d)", "delete_environment"),
    ("Bootstrap pip (ensurepip)", "For an environment without pip (b)", "ensurepip"),
    ("Show or hide the operation log", "Every command and its output (l)", "toggle_log"),
    ("Help", "Every key, and what the numbers mean (?)", "app.help"),
)


class VenvDeckCommands(Provider):
    def _main(self) -> MainScreen | None:
        screen = self.screen
        return screen if isinstance(screen, MainScreen) else None

    async def discover(self) -> Hits:
        main = self._main()
        if main is None:
            return
        for title, help_text, action in COMMANDS:
            yield DiscoveryHit(title, partial(main.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        main = self._main()
        if main is None:
            return
        matcher = self.matcher(query)
        for title, help_text, action in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(main.run_action, action), help=help_text)
        for env in main.environments:
            title = f"Open environment: {env.name}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(main.action_open_environment, str(env.path)),
                    help=str(env.path),
                )
