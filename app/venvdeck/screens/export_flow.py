"""Exporting requirements: the dialog (a file, or the clipboard), asking before a file is replaced."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from venvdeck.errors import TargetExists, VenvDeckError
from venvdeck.formatting import shown

if TYPE_CHECKING:
    from venvdeck.dialogs.export import ExportRequest
    from venvdeck.models import Environment
    from venvdeck.screens.change_runner import ChangeRunner


async def export(changes: ChangeRunner, env: Environment, top_level: bool) -> None:
    from venvdeck.dialogs.export import ExportScreen

    app, service = changes.app, changes.service
    suggestion = service.default_export_path(env)
    base = suggestion.parent if suggestion is not None else None
    while True:  # asked again, with what was typed, until the file is written or the user gives up
        request: ExportRequest | None = await app.push_screen_wait(
            ExportScreen(env.name, suggestion, top_level, base)
        )
        if request is None:
            return
        if await _export(changes, env, request):
            return
        suggestion, top_level = request.path, request.top_level


async def _export(changes: ChangeRunner, env: Environment, request: ExportRequest) -> bool:
    """Done (written, copied, or the user said no to overwriting): True; refused: False."""
    from venvdeck.dialogs.confirm import ConfirmScreen

    app, service = changes.app, changes.service
    try:
        if request.path is None:
            result = await service.freeze(env, top_level=request.top_level)
            count_ = sum(1 for line in result.lines if line.strip() and not line.startswith("#"))
            if not count_:
                changes.notify(f"{shown(env.name)} has nothing to export (no packages).", markup=False)
                return True
            app.copy_to_clipboard(result.text)
            changes.notify(f"Copied {count_} requirements to the clipboard.", markup=False)
            return True
        try:
            written = await service.export(env, request.path, top_level=request.top_level, force=False)
        except TargetExists as exists:
            question = ConfirmScreen(
                "Overwrite?", _replacing(str(request.path), exists), "Overwrite", danger=True
            )
            if not await app.push_screen_wait(question):
                return True
            written = await service.export(env, request.path, top_level=request.top_level, force=True)
    except VenvDeckError as exc:
        changes.notify(shown(exc), title="Not exported", severity="error", timeout=8, markup=False)
        return False
    verb = "Replaced" if written.replaced else "Wrote"
    message = f"{verb} {shown(written.path)} ({written.lines} requirements)."
    changes.operation_log.done(f"{shown(env.name)}: {message}")  # kept with the rest, and said on top
    changes.told(message)
    return True


SHOWN_CHANGES = 8  # lines of each side listed; the rest counted


def _replacing(path: str, exists: TargetExists) -> Text:
    """What overwriting changes in the file, so a hand-written file is not replaced unseen."""
    text = Text(f"{shown(path)} exists.")
    if exists.added is None or exists.removed is None:
        text.append(" Replace it?")
        return text
    if not exists.added and not exists.removed:
        text.append(" It already lists the same requirements; write it again?")
        return text
    text.append(" Replacing it:\n")
    for mark, lines, style in (("+", exists.added, "green"), ("-", exists.removed, "red")):
        for line in lines[:SHOWN_CHANGES]:
            text.append(f"\n  {mark} {shown(line)}", style=style)
        if len(lines) > SHOWN_CHANGES:
            text.append(f"\n  {mark} … and {len(lines) - SHOWN_CHANGES} more", style=style)
    return text
