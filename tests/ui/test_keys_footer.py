"""The footer rebuilds its keys only when the keys it shows change (a focus change between two
widgets with the same keys keeps every key widget), and always shows the focused widget's keys."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button
from textual.widgets._footer import FooterKey

from venvdeck.widgets.keys_footer import KeysFooter


class Plain(Button):
    pass


class WithKey(Button):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "press", "Extra")]


class FooterApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Plain("one", id="one")
        yield Plain("two", id="two")
        yield WithKey("three", id="three")
        yield KeysFooter(compact=True)


def keys(app: FooterApp) -> list[tuple[str, str]]:
    return [(key.key, key.description) for key in app.screen.query(FooterKey)]


async def test_the_same_keys_are_not_rebuilt_and_new_keys_are_shown() -> None:
    app = FooterApp()
    async with app.run_test() as pilot:
        app.query_one("#one").focus()
        await pilot.pause()
        before = list(app.screen.query(FooterKey))
        assert ("q", "Quit") in keys(app)
        assert ("x", "Extra") not in keys(app)

        app.query_one("#two").focus()  # the same bindings: the very same key widgets stay
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == before

        app.query_one("#three").focus()  # one more key: shown
        await pilot.pause()
        assert ("x", "Extra") in keys(app)
        assert ("q", "Quit") in keys(app)

        app.query_one("#one").focus()  # and gone again
        await pilot.pause()
        assert ("x", "Extra") not in keys(app)
