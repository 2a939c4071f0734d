"""Errors no worker expected: one line to the user, never a silent stop. A worker's StateChanged
does not bubble, so each widget that owns workers reports its own."""

from __future__ import annotations

from textual.widget import Widget
from textual.worker import Worker, WorkerState

from venvdeck.formatting import shown


def report_worker_failure(node: Widget, event: Worker.StateChanged) -> None:
    if event.state is WorkerState.ERROR and event.worker.error is not None:
        error = event.worker.error
        node.notify(
            shown(f"{type(error).__name__}: {error}"),
            title="Something went wrong",
            severity="error",
            markup=False,
        )
