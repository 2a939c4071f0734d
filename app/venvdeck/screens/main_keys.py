"""The main screen's keys. MainScreen binds them (its BINDINGS is this list): the help screen, the
footer and the palette read them live from the screen, after the user's `[keymap]`; the ids are
what a keymap names."""

from __future__ import annotations

from textual.binding import Binding, BindingType

MAIN_KEYS: list[BindingType] = [
    Binding("r", "refresh", "Refresh", tooltip="Look for environments again", id="venvdeck.refresh"),
    Binding(
        "slash", "filter", "Filter", tooltip="Filter what has the focus as you type", id="venvdeck.filter"
    ),
    Binding(
        "v",
        "toggle_view",
        "Flat/grouped",
        show=False,
        tooltip="A table of every environment, or the groups",
        id="venvdeck.toggle_view",
    ),
    Binding(
        "1",
        "show_tab('packages')",
        "Packages",
        show=False,
        tooltip="The tab of the environment's packages",
        id="venvdeck.tab_packages",
    ),
    Binding(
        "2,f",
        "show_tab('freeze')",
        "Requirements",
        show=False,
        tooltip="The tab of its requirements, as pip freeze writes them",
        id="venvdeck.tab_freeze",
    ),
    Binding(
        "3",
        "show_tab('details')",
        "Details",
        show=False,
        tooltip="The tab of its details: Python, size, kernels, problems",
        id="venvdeck.tab_details",
    ),
    Binding(
        "4",
        "show_tab('deps')",
        "Dependencies",
        show=False,
        tooltip="The tab of its dependency tree",
        id="venvdeck.tab_deps",
    ),
    Binding(
        "F",
        "find",
        "Find everywhere",
        show=False,
        tooltip="A package in every environment, by name and version",
        id="venvdeck.find",
    ),
    Binding(
        "D",
        "usage",
        "Disk by package",
        show=False,
        tooltip="Where the disk goes: each distribution across every environment",
        id="venvdeck.usage",
    ),
    Binding("c", "create", "Create", tooltip="Make a new environment", id="venvdeck.create"),
    Binding("i", "install", "Install", tooltip="Install requirements", id="venvdeck.install"),
    Binding(
        "I",
        "install_file",
        "Install -r",
        show=False,
        tooltip="From a requirements file",
        id="venvdeck.install_file",
    ),
    Binding("e", "export", "Export", tooltip="Write requirements.txt", id="venvdeck.export"),
    Binding(
        "a",
        "activate",
        "Shell",
        tooltip="Open a shell in it / activation commands",
        id="venvdeck.activate",
    ),
    Binding(
        "d",
        "delete_environment",
        "Delete",
        tooltip="Delete it (or every marked one)",
        id="venvdeck.delete",
    ),
    Binding("b", "ensurepip", "Bootstrap pip", show=False, id="venvdeck.ensurepip"),
    Binding(
        "B",
        "mark_broken",
        "Mark broken",
        show=False,
        tooltip="Mark every broken environment",
        id="venvdeck.mark_broken",
    ),
    Binding(
        "R",
        "recreate",
        "Rebuild",
        show=False,
        tooltip="Rebuild it in place with the same packages (broken ones too)",
        id="venvdeck.recreate",
    ),
    Binding(
        "P",
        "interpreters",
        "Interpreters",
        show=False,
        tooltip="Every base interpreter and what depends on it; repair all broken",
        id="venvdeck.interpreters",
    ),
    Binding(
        "N",
        "mark_unused",
        "Mark unused",
        show=False,
        tooltip="Mark those unused for N days",
        id="venvdeck.mark_unused",
    ),
    Binding("y", "yank", "Copy path", show=False, tooltip="Copy the environment's path", id="venvdeck.yank"),
    Binding(
        "o", "edit", "Edit project", show=False, tooltip="Open the project in $EDITOR", id="venvdeck.edit"
    ),
    Binding("h", "focus_left", "Left pane", show=False, id="venvdeck.focus_left"),
    Binding("l", "focus_right", "Right pane", show=False, id="venvdeck.focus_right"),
    Binding(
        "z",
        "zoom",
        "Zoom",
        show=False,
        tooltip="Fill the screen with the focused pane",
        id="venvdeck.zoom",
    ),
    Binding(
        "left_square_bracket",
        "resize(-1)",
        "Narrower",
        show=False,
        key_display="[",
        id="venvdeck.narrower",
    ),
    Binding("right_square_bracket", "resize(1)", "Wider", show=False, key_display="]", id="venvdeck.wider"),
    Binding(
        "backslash",
        "toggle_left",
        "Hide/show",
        show=False,
        key_display="\\",
        tooltip="Hide or show the environments",
        id="venvdeck.toggle_left",
    ),
    Binding(
        "L",
        "toggle_log",
        "Log",
        show=False,
        tooltip="Show or hide the operation log",
        id="venvdeck.toggle_log",
    ),
    Binding("ctrl+l", "clear_log", "Clear log", show=False, id="venvdeck.clear_log"),
    Binding(
        "exclamation_mark",
        "history",
        "History",
        show=False,
        key_display="!",
        tooltip="Every operation and its output",
        id="venvdeck.history",
    ),
    Binding("escape", "escape", "Back / cancel", show=False, id="venvdeck.escape"),
]

# Actions on the selected environment: dimmed while it is busy, or broken (delete excepted).
ON_SELECTED = frozenset(
    {
        "install",
        "install_file",
        "export",
        "activate",
        "delete_environment",
        "ensurepip",
        "yank",
        "edit",
    }
)
