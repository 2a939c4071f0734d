"""Opening the dashboard from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from venvdeck.config import Config


def run_dashboard(config: Config, roots: tuple[Path, ...]) -> int:
    print("venvdeck: the dashboard is not built yet; try `venvdeck list`", file=sys.stderr)
    return 2
