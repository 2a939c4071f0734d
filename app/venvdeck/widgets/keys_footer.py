"""The footer of every full screen: Textual's Footer, rebuilt only when the keys it shows change.

Textual's Footer removes and mounts every key each time the screen's bindings are updated: at
every focus change and every `refresh_bindings()`, often two or three times for one key press.
On the dashboard that was most of a tab switch (40-200 ms of rebuilding the same row of keys).
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.widgets import Footer


class KeysFooter(Footer):
    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:  # noqa: A002
        super().__init__(compact=compact, id=id)
        self._composed: tuple[Hashable, ...] | None = None  # what the keys shown were built from

    def _keys(self) -> tuple[Hashable, ...]:
        """Everything Footer.compose reads, in order."""
        app = self.app
        shown: list[Hashable] = [
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip,
                binding.tooltip,
                None if binding.group is None else (binding.group.description, binding.group.compact),
            )
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        ]
        shown.append((self.show_command_palette, app.ENABLE_COMMAND_PALETTE, app.COMMAND_PALETTE_BINDING))
        return tuple(shown)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._composed:
            return  # the same keys: nothing to rebuild
        self._composed = keys
        await super().recompose()
