"""`python -m venvdeck` and the `venvdeck` console script."""

from __future__ import annotations

import sys

from venvdeck.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
