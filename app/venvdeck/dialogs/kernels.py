"""Jupyter kernels that run what is about to be deleted: listed in the question, removed with it (y)
or kept (k), since a kernel whose Python is gone only fails when a notebook starts it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Button

from venvdeck.dialogs.confirm import ConfirmScreen
from venvdeck.formatting import shown

if TYPE_CHECKING:
    from venvdeck.models import Kernelspec


def kernels_section(kernels: Sequence[Kernelspec], *, many: bool = False) -> RenderableType:
    """The kernels that run what goes (many: several environments), each with the folder that goes too."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_column(style="dim", overflow="fold")
    for kernel in kernels:
        grid.add_row(
            Text(f"  {shown(kernel.name)}"), Text(shown(kernel.display_name)), Text(shown(kernel.path))
        )
    them, gone = ("them", "they are") if many else ("it", "it is")
    return Group(
        Text(f"\nJupyter kernels that run {them} ({len(kernels)}): dead once {gone} gone", style="bold"),
        grid,
        Text(f"y removes their kernelspec folders too, after {gone} deleted; k keeps them.", style="dim"),
    )


class DeleteWithKernelsScreen(ConfirmScreen):
    """The delete question when kernels run what goes: y deletes and removes the kernels, k deletes
    and keeps them (keep_kernels is then True), n or escape keeps everything."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "keep_kernels", "Delete, keep kernels", id="venvdeck.delete_keep_kernels")
    ]

    def __init__(self, title: str, body: RenderableType, confirm_label: str = "Delete with kernels") -> None:
        super().__init__(title, body, confirm_label, danger=True)
        self.keep_kernels = False

    def on_mount(self) -> None:
        self.query_one("#dialog-buttons").mount(
            Button("Keep kernels (k)", id="keep-kernels"), before="#confirm"
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "keep-kernels":
            event.prevent_default()  # ConfirmScreen's own handler would answer no
            self.action_keep_kernels()

    def action_keep_kernels(self) -> None:
        self.keep_kernels = True
        self.dismiss(True)
