"""Expensive fixtures built once per test run, shared by every xdist worker.

Each worker has its own session, so a session fixture alone would build the same environments
once per worker. The first worker to ask builds the folder under a file lock; the others wait for
it and reuse it. What is shared is read-only: tests copy it before changing anything.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    target = root / f"shared-{name}"
    with FileLock(str(target) + ".lock"):
        if not (target / ".built").exists():
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            build(target)
            (target / ".built").touch()
    return target


def linked_copy(source: Path, target: Path) -> Path:
    """A copy of an environment whose files are hard links (instant, no disk), but whose small
    text files that tests or tools rewrite in place are real copies."""

    def link_or_copy(src: str, dst: str) -> None:
        if os.path.basename(src) in {"pyvenv.cfg", "RECORD", "INSTALLER", "REQUESTED"}:
            shutil.copy2(src, dst)
        else:
            os.link(src, dst)

    shutil.copytree(source, target, symlinks=True, copy_function=link_or_copy)
    return target
