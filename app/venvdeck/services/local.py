"""The facade the dashboard uses on a real machine: the synchronous core, run in threads.

Every call runs its core function in a daemon thread, so the event loop never touches a disk and
quitting never waits for a stuck read. The one async primitive that streams a cancellable process
is `run`: cancelling the awaiting task sets the core's cancel Event, which kills the process group.
Its parts, one per capability, live in `services/facade/`.
"""

from __future__ import annotations

from venvdeck.services.facade.changing import Changing
from venvdeck.services.facade.insight import Insight
from venvdeck.services.facade.reading import Reading
from venvdeck.services.facade.repair import Repair


class LocalEnvironmentService(Reading, Changing, Insight, Repair):
    """Every capability of the EnvironmentService protocol, on this machine."""
