"""The footer of every full screen: Textual's Footer, rebuilt only when the keys it shows change.

Textual's Footer removes and mounts every key each time the screen's bindings are updated: at
every focus change and every `refresh_bindings()`, often two or three times for one key press.
On the dashboard that was most of a tab switch (40-200 ms of rebuilding the same row of keys).
When only whether keys apply changes (moving from a healthy environment to a broken one), the
keys shown are updated in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from collections.abc import Hashable

    from textual.binding import Binding

# What a key shows that can change in place: (enabled, tooltip), per key in the order shown.
_States = tuple[tuple[bool, str], ...]


class KeysFooter(Footer):
    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:  # noqa: A002
        super().__init__(compact=compact, id=id)
        self._composed: tuple[Hashable, ...] | None = None  # the keys shown were built from this
        self._states: _States = ()

    def _shown(self) -> list[tuple[Binding, bool, str]]:
        return [
            (binding, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        ]

    def _keys(self) -> tuple[Hashable, ...]:
        """Everything Footer.compose reads, in order, but whether each key applies."""
        app = self.app
        shown: list[Hashable] = [
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                binding.tooltip,
                None if binding.group is None else (binding.group.description, binding.group.compact),
            )
            for binding, _enabled, _tooltip in self._shown()
        ]
        shown.append((self.show_command_palette, app.ENABLE_COMMAND_PALETTE, app.COMMAND_PALETTE_BINDING))
        return tuple(shown)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        states = tuple((enabled, tooltip) for _binding, enabled, tooltip in self._shown())
        if keys == self._composed:
            if states != self._states and self._update_in_place():
                self._states = states
            return
        self._composed, self._states = keys, states
        await super().recompose()

    def _update_in_place(self) -> bool:
        """Enable or disable the key widgets as Footer.compose would make them (False: it cannot)."""
        first: dict[str, tuple[Binding, bool, str]] = {}
        for binding, enabled, tooltip in self._shown():
            first.setdefault(binding.action, (binding, enabled, tooltip))  # compose shows the first
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        for key in self.query(FooterKey):
            if key.has_class("-command-palette"):
                if palette is None:
                    return False
                _node, binding, enabled, _tooltip = palette
                tooltip = binding.tooltip or binding.description
            elif key.action in first:
                binding, enabled, tooltip = first[key.action]
                if key.has_class("-grouped"):
                    tooltip = tooltip or binding.description
            else:
                return False
            key._disabled = not enabled  # what FooterKey's click reads (it has no public setter)
            key.set_class(not enabled, "-disabled")
            key.tooltip = tooltip or None
        return True
