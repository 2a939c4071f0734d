"""Marking environments in bulk on the main screen (every broken one, every one unused for N days),
for `d` to delete them all at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from venvdeck.screens.main import MainScreen


def mark_broken(screen: MainScreen) -> None:
    broken = {e.path for e in screen.env_tree.environments if e.is_broken}
    screen.marked = screen.marked | broken
    screen.notify(f"Marked {len(broken)} broken environments." if broken else "No environment is broken.")


def ask_mark_unused(screen: MainScreen) -> None:
    """Ask for N, then mark the deletable environments last used more than N days ago."""
    from venvdeck.dialogs.ask import AskScreen

    def mark(days: str | None) -> None:
        if days is None:
            return
        env_tree = screen.env_tree
        limit = screen.now() - float(days) * 86400
        old = {
            e.path
            for e in env_tree.environments
            if (s := env_tree.size_of(e.path)) is not None and s.deletable and (s.last_used or 0) < limit
        }
        screen.marked = screen.marked | old
        screen.notify(f"Marked {len(old)} environments unused for {days} days.")

    screen.app.push_screen(AskScreen("Mark environments unused for how many days?", "90", number=True), mark)
