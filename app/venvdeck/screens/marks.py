"""Marking environments in bulk on the main screen (every broken one, every one unused for N days),
for `d` to delete them all at once. A Python install (pyenv's, a system one) is never marked in
bulk: other environments may be built on it, and "unused" means nothing for it; `d` on it alone
names what it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from venvdeck.formatting import counted
from venvdeck.models import Kind

if TYPE_CHECKING:
    from venvdeck.models import Environment
    from venvdeck.screens.main import MainScreen

_NOT_PYTHONS = " (Python installs are never marked in bulk)"


def _markable(screen: MainScreen) -> tuple[list[Environment], bool]:
    """The environments bulk marks may take, and whether Python installs were left out."""
    envs = screen.env_tree.environments
    kept = [e for e in envs if e.kind is not Kind.PYTHON]
    return kept, len(kept) < len(envs)


def mark_broken(screen: MainScreen) -> None:
    envs, skipped = _markable(screen)
    broken = {e.path for e in envs if e.is_broken}
    screen.marked = screen.marked | broken
    note = _NOT_PYTHONS if skipped and any(e.is_broken for e in screen.env_tree.environments) else ""
    screen.notify(
        f"Marked {counted(len(broken), 'broken environment')}{note}."
        if broken
        else f"No environment is broken{note}."
    )


def ask_mark_unused(screen: MainScreen) -> None:
    """Ask for N, then mark the deletable environments last used more than N days ago."""
    from venvdeck.dialogs.ask import AskScreen

    def mark(days: str | None) -> None:
        if days is None:
            return
        env_tree = screen.env_tree
        limit = screen.now() - float(days) * 86400
        envs, skipped = _markable(screen)
        old = {
            e.path
            for e in envs
            if (s := env_tree.size_of(e.path)) is not None and s.deletable and (s.last_used or 0) < limit
        }
        screen.marked = screen.marked | old
        note = _NOT_PYTHONS if skipped else ""
        screen.notify(f"Marked {counted(len(old), 'environment')} unused for {days} days{note}.")

    screen.app.push_screen(AskScreen("Mark environments unused for how many days?", "90", number=True), mark)
