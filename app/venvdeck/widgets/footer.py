"""Textual's footer, rebuilt only when the keys it shows have changed.

Textual's Footer re-mounts every key on each bindings signal: a focus change, and each arrow key
in the tree (the actions on offer depend on the selection). Most of those leave the same keys, in
the same state, so the footer compares what it would show and keeps its widgets when it is equal.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """A footer that recomposes when its keys, their labels or whether they apply change."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._shown: tuple[Hashable, ...] | None = None

    def _keys_shown(self, screen: Screen[Any]) -> tuple[Hashable, ...]:
        """Everything compose() reads from the bindings: the same tuple, the same footer."""
        return tuple(
            (
                key,
                binding.action,
                binding.description,
                self.app.get_key_display(binding),
                binding.show,
                binding.group.description if binding.group is not None else None,
                enabled,
                tooltip,
            )
            for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
        )

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.app.app_focus and self.is_attached and screen is self.screen:
            shown = self._keys_shown(screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)
