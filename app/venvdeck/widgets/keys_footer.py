"""The footer of every full screen: Textual's Footer, whose key widgets are kept and relabelled.

Textual's Footer removes and mounts every key each time the screen's bindings are updated: at
every focus change and every `refresh_bindings()`, often two or three times for one key press.
On the dashboard that was most of a tab switch (40-200 ms of rebuilding the same row of keys).
Here nothing is rebuilt when the keys shown are the same. When only whether keys apply changes
(moving from a healthy environment to a broken one), they are enabled or disabled in place; when
other keys are shown (focus moved to another pane), the key widgets there are relabelled, and
hidden or shown again as their number changes (mounting styles each new widget: the cost, and a
frame late); only a row longer than any before mounts more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from collections.abc import Hashable

    from textual.binding import ActiveBinding, Binding
    from textual.screen import Screen
    from textual.widget import Widget

# Shown first: on a narrow terminal the keys that do not fit are cut, and these came last, so
# `? Help` and `q Quit` were the first to go.
FIRST_ACTIONS = frozenset({"help", "quit"})

_PALETTE_WIDTH = 12  # the palette's key ("▏^p palette"), until it is laid out
# What a key shows that can change in place: (enabled, tooltip), per key in the order shown.
_States = tuple[tuple[bool, str], ...]
_Active = dict[str, "ActiveBinding"]  # the screen's active bindings, read once per update


class KeysFooter(Footer):
    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:  # noqa: A002
        super().__init__(compact=compact, id=id)
        self._composed: tuple[Hashable, ...] | None = None  # the keys shown were built from this
        self._states: _States = ()

    def on_mount(self) -> None:
        self.call_next(self._follow_bindings_at_once)  # after Footer's own on_mount has subscribed

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """Only the keys that fit whole: a narrow terminal cut the last one mid-word (`i Instal▏`);
        the ones after it are hidden (help and quit come first, the palette's key stays)."""
        if not self.is_attached or not self.compact:
            return
        keys = [k for k in self._staying() if isinstance(k, FooterKey)]
        palette = sum(
            (k.outer_size.width or _PALETTE_WIDTH) + 1 for k in keys if k.has_class("-command-palette")
        )
        room = self.size.width - palette
        used = 0
        for key in keys:
            if key.has_class("-command-palette") or key.has_class("-spare"):
                continue
            width = cell_len(key.key_display) + cell_len(key.description) + 1  # as a compact key draws
            fits = used + width <= room
            if key.display != fits:
                key.display = fits
            used = used + width + 1 if fits else room + 1  # none after the first cut one

    def _follow_bindings_at_once(self) -> None:
        """Textual's Footer hears of new bindings after the messages queued before them, and then
        updates after the next refresh: every change of keys (each focus change) was drawn a frame
        or more late, with a layout pass of its own. Here the keys change as the bindings do."""
        signal = self.screen.bindings_updated_signal
        signal.unsubscribe(self)
        signal.subscribe(self, self.bindings_changed, immediate=True)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """The screen's keys, shown now where the key widgets allow (what compose must lay out
        waits for the refresh, as in Textual's Footer)."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._show_in_place():
            # Heard in the screen's context: compose's data_bind must run in this widget's own.
            with self._context():
                self.call_after_refresh(self.recompose)

    @staticmethod
    def _shown(active: _Active) -> list[tuple[Binding, bool, str]]:
        return [
            (binding, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in active.values()
            if binding.show
        ]

    def _keys(self, active: _Active) -> tuple[Hashable, ...]:
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
            for binding, _enabled, _tooltip in self._shown(active)
        ]
        shown.append((self.show_command_palette, app.ENABLE_COMMAND_PALETTE, app.COMMAND_PALETTE_BINDING))
        return tuple(shown)

    def _seen(self, active: _Active) -> tuple[tuple[Hashable, ...], _States]:
        """What the key widgets show: the keys (as compose reads them) and whether each applies."""
        return self._keys(active), tuple((enabled, tooltip) for _b, enabled, tooltip in self._shown(active))

    async def recompose(self) -> None:
        if not self.is_attached or self._show_in_place():
            return
        self._composed, self._states = self._seen(self.screen.active_bindings)
        await super().recompose()
        self._fit()
        active = self.screen.active_bindings  # the focus may have moved meanwhile
        if self._relabel_in_place(active):  # help and quit first (compose shows them last)
            self._composed, self._states = self._seen(active)

    def _show_in_place(self) -> bool:
        """The screen's keys shown by the key widgets there are (False: compose must build them)."""
        active = self.screen.active_bindings  # worked out anew at each read: read once
        keys, states = self._seen(active)
        if keys == self._composed:
            if states != self._states:
                if not self._update_in_place(active):
                    return False
                self._states = states
            return True
        if self._composed is None or not self._relabel_in_place(active):
            return False
        self._composed, self._states = keys, states
        return True

    def _staying(self) -> list[Widget]:
        """The key widgets but those being removed (a removal is not awaited: until it is done, the
        widget is still a child)."""
        return [child for child in self.children if not child._pruning]

    def _plain_keys(self, active: _Active) -> list[tuple[Binding, bool, str]] | None:
        """The keys Footer.compose shows one by one, in order (None: it would group some)."""
        by_action: dict[str, list[tuple[Binding, bool, str]]] = {}
        for binding, enabled, tooltip in self._shown(active):
            by_action.setdefault(binding.action, []).append((binding, enabled, tooltip))
        if any(entries[0][0].group is not None for entries in by_action.values()):
            return None  # a group shows as one label: compose lays it out
        plain = [entries[0] for entries in by_action.values()]
        return sorted(plain, key=lambda entry: entry[0].action not in FIRST_ACTIONS)  # stable

    def _relabel_in_place(self, active: _Active) -> bool:
        """Show other keys with the key widgets there are (False: it cannot, compose must)."""
        wanted = self._plain_keys(active)
        children = self._staying()
        if wanted is None or not all(isinstance(child, FooterKey) for child in children):
            return False
        keys = [child for child in children if isinstance(child, FooterKey)]
        palette = [key for key in keys if key.has_class("-command-palette")]
        plain = [key for key in keys if not key.has_class("-command-palette")]
        shows_palette = (
            self.show_command_palette
            and self.app.ENABLE_COMMAND_PALETTE
            and self.app.COMMAND_PALETTE_BINDING in active
        )
        if bool(palette) != bool(shows_palette):
            return False
        for key, (binding, enabled, tooltip) in zip(plain, wanted, strict=False):
            key.display = True
            key.remove_class("-spare")
            key.key = binding.key
            key.key_display = self.app.get_key_display(binding)
            key.description = binding.description
            key.action = binding.action
            key._disabled = not enabled  # what FooterKey's click reads (it has no public setter)
            key.set_class(not enabled, "-disabled")
            key.tooltip = tooltip or None
            key.refresh(layout=True)  # drawn at the width of its new text
        for key in plain[len(wanted) :]:
            # Hidden, not removed: fewer keys and then more again (a focus there and back) show in
            # the frame that moved the focus, where a key mounted anew is styled a frame later.
            key.display = False
            key.add_class("-spare")
            key.action = key.key = ""
        if len(wanted) > len(plain):
            extra = [
                FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    disabled=not enabled,
                    tooltip=tooltip,
                )
                for binding, enabled, tooltip in wanted[len(plain) :]
            ]
            for key in extra:  # as compose's data_bind would (which needs this widget's own context)
                key.compact = self.compact
            if plain:
                self.mount_all(extra, after=plain[-1])
            else:
                self.mount_all(extra, before=0)
        self._fit()
        return self._update_in_place(active)  # the palette's key too

    def _update_in_place(self, active: _Active) -> bool:
        """Enable or disable the key widgets as Footer.compose would make them (False: it cannot)."""
        first: dict[str, tuple[Binding, bool, str]] = {}
        for binding, enabled, tooltip in self._shown(active):
            first.setdefault(binding.action, (binding, enabled, tooltip))  # compose shows the first
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        for key in self._staying():
            if not isinstance(key, FooterKey):
                return False
            if key.has_class("-spare"):
                continue
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
