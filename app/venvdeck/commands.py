"""The command palette: every key's action that applies now (read from the live bindings, so the
user's keymap shows), the package sorts, and "open environment" for each one found."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.widget import Widget

from venvdeck.formatting import shown
from venvdeck.keys import live_keys
from venvdeck.screens.main import MainScreen
from venvdeck.widgets.package_table import Column

if TYPE_CHECKING:
    from collections.abc import Container

    from textual.dom import DOMNode

    from venvdeck.keys import KeyInfo

# Keys that are not commands: moving, closing, confirming.
_NOT_COMMANDS = {"escape", "quit", "command_palette"}
_MOVES = {
    "cursor_down",
    "cursor_up",
    "down",
    "up",
    "first",
    "last",
    "scroll_top",
    "scroll_bottom",
    "scroll_down",
    "scroll_up",
    "scroll_home",
    "scroll_end",
}


def _shown(node: DOMNode) -> bool:
    """On screen: neither it nor a container of it is hidden (the flat table behind the tree)."""
    return all(n.display for n in node.ancestors_with_self if isinstance(n, Widget))


# Parametrised actions no key reaches directly: (title, help, action on the main screen).
EXTRA: tuple[tuple[str, str, str], ...] = (
    ("Sort environments by name", "The tree (s cycles)", "sort_environments('name')"),
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
)


def _title(key: KeyInfo, twins: Container[str] = frozenset()) -> str:
    """What the palette lists; where two parts of the screen have the same key and name (space
    marks an environment and a package), where each works is said too."""
    title = f"{key.description} ({key.keys})"
    return f"{title} · {key.section}" if title in twins else title


def _twins(keys: list[KeyInfo]) -> set[str]:
    seen: set[str] = set()
    twins: set[str] = set()
    for key in keys:
        title = _title(key)
        (twins if title in seen else seen).add(title)
    return twins


def _highlight(matcher: Matcher, candidate: str) -> Content:
    """Matcher.highlight reads the candidate as markup: a folder named "[b]x" would turn bold.
    This keeps the text as written and styles only the matched characters."""
    content = Content(candidate)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    for offset in offsets:
        if offset < len(candidate) and not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class VenvDeckCommands(Provider):
    def _main(self) -> MainScreen | None:
        screen = self.screen
        return screen if isinstance(screen, MainScreen) else None

    def _applicable(self, main: MainScreen) -> list[KeyInfo]:
        keys = [
            k
            for k in live_keys(self.app, main)
            if k.description and k.action not in _NOT_COMMANDS | _MOVES and _shown(k.node)
        ]
        return [k for k in keys if k.enabled(self.app)]

    async def discover(self) -> Hits:
        main = self._main()
        if main is None:
            return
        keys = self._applicable(main)
        twins = _twins(keys)
        for key in keys:
            yield DiscoveryHit(
                _title(key, twins),
                partial(self.app.run_action, key.action, key.node),
                help=key.help or key.section,
            )
        for title, help_text, action in EXTRA:
            yield DiscoveryHit(title, partial(main.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        main = self._main()
        if main is None:
            return
        matcher = self.matcher(query)
        keys = self._applicable(main)
        twins = _twins(keys)
        for key in keys:
            title = _title(key, twins)
            score = matcher.match(f"{title} {key.help}")
            if score > 0:
                yield Hit(
                    score,
                    _highlight(matcher, title),
                    partial(self.app.run_action, key.action, key.node),
                    help=key.help,
                )
        for title, help_text, action in EXTRA:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _highlight(matcher, title), partial(main.run_action, action), help=help_text)
        words = query.casefold().split()
        wanted = words[1:] if words and "open".startswith(words[0]) and len(words) > 1 else words
        for env in main.environments:
            name = shown(env.name)
            path = shown(env.path)
            title = f"Open environment: {name}"
            score = matcher.match(title)
            if score <= 0 and wanted and all(word in env.path.as_posix().casefold() for word in wanted):
                score = 0.5  # found by its path
            if score <= 0:
                continue
            # Fuzzy scores favour long names; the name typed exactly comes first, then names it begins.
            if " ".join(wanted) == env.name.casefold():
                score += 1000.0
            elif wanted and env.name.casefold().startswith(" ".join(wanted)):
                score += 500.0
            yield Hit(
                score,
                _highlight(matcher, title),
                partial(main.action_open_environment, str(env.path)),
                help=path,
            )
