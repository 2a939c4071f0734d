"""What the main screen says about all the environments at once: the summary line (how many, how
broken, how big, what is reclaimable and marked) and the flat table, both redrawn from the tree."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from venvdeck.formatting import counted, human_size, shown
from venvdeck.models import Kind
from venvdeck.widgets.env_table import EnvTable

if TYPE_CHECKING:
    from venvdeck.models import Environment
    from venvdeck.screens.main import MainScreen


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


def update_summary(screen: MainScreen) -> None:
    env_tree = screen.env_tree
    envs = env_tree.environments
    sizes = [s for s in map(env_tree.size_of, (e.path for e in envs)) if s is not None]
    broken = sum(e.is_broken for e in envs)
    parts = [f"{len(envs)} environments" if len(envs) != 1 else "1 environment"]
    if broken:
        parts.append(f"{broken} broken")
    if sizes:
        bases = _bases(envs)  # deleting a base others use is refused: not reclaimable
        total = human_size(sum(s.disk_bytes for s in sizes))
        # Not a Python install's (pyenv's, uv's): bulk marks leave them out, and so does this.
        pythons = {e.path for e in envs if e.kind is Kind.PYTHON}
        freed = human_size(
            sum(s.freed_bytes for s in sizes if s.deletable and s.path not in bases and s.path not in pythons)
        )
        measurable = sum(screen.service.can_measure(e) for e in envs)  # not /usr and the like
        measured = "" if len(sizes) >= measurable else f" (sizes: {len(sizes)} of {measurable})"
        parts.append(f"{total} on disk, {freed} reclaimable{measured}")
    if screen.marked:
        frees = sum(s.freed_bytes for p in screen.marked if (s := env_tree.size_of(p)) is not None)
        parts.append(f"{len(screen.marked)} marked ({human_size(frees)}): d deletes them")
    if env_tree.filter_query:
        matches = counted(len(env_tree.shown_environments), "match", "matches")
        parts.append(f"{matches} for “{shown(env_tree.filter_query)}”")
    if screen.discovery.discovering:
        parts.append(f"scanning… {screen.discovery.report.folders_scanned:,} folders")
    parts.append(f"sorted by {screen.query_one(EnvTable).sort_by if screen.flat else env_tree.sort_by}")
    screen.query_one("#summary", Static).update(Text("  ·  ".join(parts)))


def refresh_table(screen: MainScreen) -> None:
    """The flat table, when it is the one shown, redrawn from the tree's environments and sizes."""
    if not screen.flat:
        return
    env_tree = screen.env_tree
    envs = env_tree.environments
    sizes = {e.path: s for e in envs if (s := env_tree.size_of(e.path)) is not None}
    screen.query_one(EnvTable).show(envs, sizes, screen.marked, screen.now(), screen.selected_path)
