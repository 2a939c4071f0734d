"""The footer rebuilds its keys only when the keys it shows change (a focus change between two
widgets with the same keys keeps every key widget), and always shows the focused widget's keys."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Footer
from textual.widgets._footer import FooterKey

from tests.ui.helpers import until
from venvdeck.widgets.keys_footer import FIRST_ACTIONS, KeysFooter

# The footer follows the bindings after the next refresh: a few frames, however slow they come.
FRAMES_S = 0.3


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
    return [(key.key, key.description) for key in app.screen.query(FooterKey) if key.display]


async def test_the_same_keys_are_not_rebuilt_and_new_keys_are_shown() -> None:
    app = FooterApp()
    async with app.run_test() as pilot:
        app.query_one("#one").focus()
        await until(pilot, lambda: ("q", "Quit") in keys(app), "the footer's keys")
        before = list(app.screen.query(FooterKey))
        assert ("x", "Extra") not in keys(app)

        app.query_one("#two").focus()  # the same bindings: the very same key widgets stay
        await pilot.pause(FRAMES_S)
        assert list(app.screen.query(FooterKey)) == before

        app.query_one("#three").focus()  # one more key: shown
        await until(pilot, lambda: ("x", "Extra") in keys(app), "the focused widget's key")
        assert ("q", "Quit") in keys(app)

        app.query_one("#one").focus()  # and gone again
        await until(pilot, lambda: ("x", "Extra") not in keys(app), "the key gone with the focus")


class Toggled(App[None]):
    """One key that applies only while `ready` (check_action None: shown, disabled)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("g", "go", "Go", tooltip="Go now")]
    ready = True
    went = 0

    def compose(self) -> ComposeResult:
        yield KeysFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return True if action != "go" or self.ready else None

    def action_go(self) -> None:
        self.went += 1


async def test_a_key_that_stops_applying_is_disabled_in_place_and_a_click_does_nothing() -> None:
    app = Toggled()
    async with app.run_test() as pilot:
        await until(
            pilot, lambda: any(k.region.width for k in app.screen.query(FooterKey)), "the footer's key drawn"
        )
        key = app.screen.query_one(FooterKey)
        assert not key.has_class("-disabled")
        await pilot.click(FooterKey)
        await until(pilot, lambda: app.went == 1, "the click ran the action")

        app.ready = False
        app.refresh_bindings()
        await until(pilot, lambda: key.has_class("-disabled"), "the key disabled")
        assert app.screen.query_one(FooterKey) is key  # not rebuilt
        await pilot.click(FooterKey)
        await pilot.pause(FRAMES_S)
        assert app.went == 1  # a disabled key rings the bell instead

        app.ready = True
        app.refresh_bindings()
        await until(pilot, lambda: not key.has_class("-disabled"), "the key enabled again")
        assert app.screen.query_one(FooterKey) is key
        assert str(key.tooltip) == "Go now"
        await pilot.click(FooterKey)
        await until(pilot, lambda: app.went == 2, "the click ran the action again")


class Many(Button):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "press", "Alpha", tooltip="The first"),
        Binding("b", "toggle", "A much longer description"),
        Binding("c", "other", "Gamma"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "toggle" else True  # shown, disabled


class TwoFooters(App[None]):
    """Ours beside Textual's own: both must show the same keys, in the same order and state."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Plain("one", id="one")
        yield Many("many", id="many")
        yield WithKey("three", id="three")
        yield KeysFooter(compact=True, id="ours")
        textuals = Footer(compact=True, id="textuals")
        textuals.styles.dock = "top"  # ours is the screen's last line
        yield textuals


def shown_keys(app: App[None], footer: str) -> list[tuple[str, str, str, str, bool, str]]:
    return [
        (key.key, key.key_display, key.description, key.action, key.has_class("-disabled"), str(key.tooltip))
        for key in app.query_one(f"#{footer}").query(FooterKey)
        if key.display
    ]


async def test_other_keys_relabel_the_key_widgets_and_show_what_textuals_footer_shows() -> None:
    """The same keys as Textual's footer, in its order but for help and quit, which come first."""
    expected = {
        "many": ["quit", "press", "toggle", "other", "command_palette"],
        "one": ["quit", "command_palette"],
        "three": ["quit", "press", "command_palette"],
    }
    app = TwoFooters()
    async with app.run_test(size=(120, 10)) as pilot:
        for focused in ("many", "one", "three", "many", "three", "one"):
            app.query_one(f"#{focused}").focus()

            def same(focused: str = focused) -> bool:
                ours, textuals = shown_keys(app, "ours"), shown_keys(app, "textuals")
                first = sorted(textuals, key=lambda key: key[3] not in FIRST_ACTIONS)
                return [key[3] for key in ours] == expected[focused] and ours == first

            await until(pilot, same, f"the same keys as Textual's footer with #{focused} focused")
            # Drawn at the width of their new text, with it (not the old label in a new width). Textual's
            # footer mounts new keys each time: compare once they are laid out in their compact style.
            await until(
                pilot,
                lambda: (ours := _drawn(app, "ours")) is not None and ours == _drawn(app, "textuals"),
                "each key drawn as Textual's",
            )


def _drawn(app: App[None], footer: str) -> list[tuple[int, str]] | None:
    """Each shown key's width on screen and text, help and quit first (None: one is not laid out)."""
    keys = sorted(
        (key for key in app.query_one(f"#{footer}").query(FooterKey) if key.display and not key._pruning),
        key=lambda key: key.action not in FIRST_ACTIONS,
    )
    drawn = [(key.region.width, key.render().plain) for key in keys]
    compact = app.query_one(f"#{footer}", Footer).compact
    if any(not key.region.width or key.has_class("-compact") != compact for key in keys):
        return None
    return drawn


async def test_a_new_label_is_drawn_on_the_screen() -> None:
    app = TwoFooters()
    async with app.run_test(size=(120, 10)) as pilot:
        app.query_one("#many").focus()
        await until(pilot, lambda: "A much longer description" in _footer_line(app), "the key's label drawn")
        before = list(app.query_one("#ours").query(FooterKey))
        app.query_one("#three").focus()
        await until(
            pilot,
            lambda: "Extra" in _footer_line(app) and "A much longer description" not in _footer_line(app),
            "the new key drawn, the old ones gone",
        )
        assert app.query_one("#ours").query(FooterKey).first() is before[0]  # relabelled, not rebuilt


def _footer_line(app: App[None]) -> str:
    """The screen's last line as drawn (our footer's)."""
    return app.screen._compositor.render_strips()[-1].text


async def test_the_keys_change_as_the_focus_moves_not_after_the_next_refresh() -> None:
    """Textual's Footer updates after the next refresh: the new focus was drawn beside the old
    focus's keys, and the keys a frame later, with a layout pass of their own."""
    app = FooterApp()
    async with app.run_test() as pilot:
        app.query_one("#one").focus()
        await until(pilot, lambda: ("q", "Quit") in keys(app), "the footer's keys")
        app.query_one("#three").focus()  # the longest row once (its new key widget is mounted)
        await until(pilot, lambda: ("x", "Extra") in keys(app), "the focused widget's key")
        for focused in ("one", "three", "two", "three", "one"):
            app.screen.set_focus(app.query_one(f"#{focused}"))
            assert (("x", "Extra") in keys(app)) == (focused == "three"), focused  # no await between
            assert ("q", "Quit") in keys(app)
            await pilot.pause(FRAMES_S)


async def test_a_narrow_terminal_shows_only_keys_that_fit_whole() -> None:
    """At 80 columns the last key was cut mid-word ("i Instal▏^p palette"); the keys that do not
    fit whole are left out, and come back when the terminal is wider."""
    import re

    from tests.fakes import demo_service
    from tests.ui.helpers import settle
    from venvdeck.app import VenvDeckApp

    app = VenvDeckApp(demo_service())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for width in (80, 60, 70, 160):
            await pilot.resize_terminal(width, 24)
            await pilot.pause(0.3)
            bottom = app.screen._compositor.render_strips()[-1].text
            before_palette = bottom.split("▏")[0].rstrip()
            words = {f"{k.key_display} {k.description}" for k in app.screen.query(FooterKey)}
            shown = [w for w in words if w in before_palette]
            assert before_palette.startswith("q Quit ? Help"), bottom
            assert re.sub(r"\s+", " ", before_palette) == " ".join(sorted(shown, key=before_palette.index)), (
                bottom
            )  # nothing but whole keys
            assert ("d Delete" in bottom) == (width == 160)
