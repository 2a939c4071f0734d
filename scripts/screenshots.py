"""Render the README's screenshots: the app draws itself over the deterministic demo home.

python scripts/screenshots.py          # writes screenshots/*.svg
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tests.fakes import FROZEN_NOW, HOME, demo_service  # noqa: E402
from tests.ui.helpers import settle, tree  # noqa: E402
from textual.widgets import Input  # noqa: E402

from venvdeck.app import VenvDeckApp  # noqa: E402

SIZE = (120, 32)
# name → (environment to select, keys to press)
SHOTS: dict[str, tuple[str, Sequence[str]]] = {
    "main": ("code/shop/.venv", ()),
    "requirements": ("code/shop/.venv", ("f",)),
    "details": (".local/share/uv/tools/ruff", ("3",)),
    "deps": ("code/shop/.venv", ("4",)),
    "find": ("code/shop/.venv", ("F", *"rich")),
    "interpreters": ("code/shop/.venv", ("P",)),
    "reclaim": ("code/shop/.venv", ("B", "N", *"60", "enter", "d")),
    "help": ("code/shop/.venv", ("question_mark",)),
    "install": ("code/shop/.venv", ("i", *"rich==13.9.4 httpx")),
    "log": ("code/shop/.venv", ("i", *"rich", "enter", "y")),
}


async def shoot(name: str, select: str, keys: Sequence[str], folder: Path) -> None:
    app = VenvDeckApp(demo_service(), now=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree(app).select_path(HOME / select)
        await settle(pilot)
        await pilot.press(*keys)
        for _ in range(20):  # a dialog's worker waits for its answer: wait for the screen instead
            await pilot.pause(0.05)
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(folder))


def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    folder = ROOT / "screenshots"
    folder.mkdir(exist_ok=True)
    for name, (select, keys) in SHOTS.items():
        asyncio.run(shoot(name, select, keys, folder))
        print(folder / f"{name}.svg")


if __name__ == "__main__":
    main()
