"""Running venvdeck as an ordinary user, for what permissions decide (the suite runs as root in CI).

A throwaway identity (nobody's uid and gid) through setpriv, with an interpreter that user can run
and a world-readable copy of nothing: venvdeck's source folder is put on sys.path. Tests skip
cleanly where this cannot be arranged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
NOBODY = 65534


def _python_for_others() -> str | None:
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(candidate):
            probe = subprocess.run(
                [
                    "setpriv",
                    f"--reuid={NOBODY}",
                    f"--regid={NOBODY}",
                    "--clear-groups",
                    candidate,
                    "-c",
                    "import sys; print(sys.version_info >= (3, 11))",
                ],
                capture_output=True,
                text=True,
            )
            if probe.stdout.strip() == "True":
                return candidate
    return None


def require_other_user() -> str:
    """The interpreter to run venvdeck as another user, or skip."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as an ordinary user")
    python = _python_for_others()
    if python is None:
        pytest.skip("no Python 3.11+ that an ordinary user may run")
    probe = subprocess.run(
        [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            python,
            "-c",
            f"import sys; sys.path.insert(0, {str(APP)!r}); import venvdeck.services.change.delete",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        pytest.skip(f"venvdeck's source is not readable by an ordinary user: {probe.stderr.strip()[-200:]}")
    return python


def venvdeck_as_other_user(python: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    code = f"import sys; sys.path.insert(0, {str(APP)!r}); from venvdeck.cli.main import main; sys.exit(main(sys.argv[1:]))"
    env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", python, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A folder an ordinary user can reach (pytest's own are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="venvdeck-shared-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-R", "-i", "-a", str(folder)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def chown_tree(path: Path, uid: int = NOBODY) -> None:
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.lchown(os.path.join(root, name), uid, uid)
    os.lchown(path, uid, uid)
