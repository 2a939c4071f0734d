"""One table of keys, read from the live bindings: the help screen, the footer and the palette all
show what the bindings say now, after the user's `[keymap]`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


@dataclass(frozen=True, slots=True)
class KeyInfo:
    keys: str  # as shown: after the keymap, joined ("2 f")
    description: str
    help: str
    action: str
    binding_id: str | None
    section: str  # where it works
    node: DOMNode  # who runs the action

    def enabled(self, app: App[Any]) -> bool:
        """What applies now: the node's check_action says so (dimmed and hidden actions do not)."""
        return bool(app._check_action_state(self.action, self.node))


def _section(node: DOMNode) -> str:
    section = getattr(node, "KEYS_SECTION", None)
    if isinstance(section, str):
        return section
    return type(node).__name__


def live_keys(app: App[Any], screen: Screen[Any]) -> list[KeyInfo]:
    """Every binding of the app, the screen and the widgets on it, as they are bound now."""
    nodes: list[DOMNode] = [screen, *screen.query("*"), app]
    keymap = app._keymap
    found: dict[tuple[int, str, str | None], tuple[list[str], Binding, DOMNode]] = {}
    for node in nodes:
        if not node._bindings.key_to_bindings:
            continue
        bindings = node._bindings.copy()
        if keymap:
            bindings.apply_keymap(keymap)
        for _key, binding in bindings:
            if not (binding.id or "").startswith("venvdeck."):
                continue  # Textual's own widget keys (cursor moves, inputs): not remappable by id
            index = (id(node), binding.action, binding.id)
            keys, _, _ = found.setdefault(index, ([], binding, node))
            shown = app.get_key_display(binding)
            if shown not in keys:
                keys.append(shown)
    return [
        KeyInfo(
            " ".join(keys),
            binding.description,
            binding.tooltip,
            binding.action,
            binding.id,
            _section(node),
            node,
        )
        for keys, binding, node in found.values()
    ]
