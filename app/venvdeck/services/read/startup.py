"""What an interpreter is and reads as it starts, looked at before venvdeck starts it.

A `#!` script in an interpreter's place would run whatever it names: it is refused.

Python opens its pyvenv.cfg and every `.pth` file in its site folders before running a line of
anyone's code. A FIFO there blocks it (nothing ever writes), and a device such as /dev/zero feeds
it without end: the environment's own Python hangs, and so would every probe of it, each waiting
out its timeout. They are found here from their file types alone (stat, never open), so such an
environment is reported at once, by name, instead.
"""

from __future__ import annotations

import glob
import os
import stat
from pathlib import Path

from venvdeck.errors import InterpreterError
from venvdeck.services import fsio
from venvdeck.services.find.pyvenv_cfg import read_pyvenv_cfg

# Where site looks for .pth files, relative to a prefix (POSIX venvs and installs, Debian's
# dist-packages, Windows and conda-on-Windows layouts).
SITE_FOLDERS = (
    "lib/python*/site-packages",
    "lib64/python*/site-packages",
    "lib/site-packages",
    "Lib/site-packages",
    "lib/python*/dist-packages",
    "lib/python3/dist-packages",
    "local/lib/python*/dist-packages",
)
MAX_ENTRIES = 50_000  # per site folder: a crafted folder of millions of names is not read to its end


def _kind(mode: int) -> str | None:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return None


def _prefixes(interpreter: Path, config: Path | None) -> list[Path]:
    """Where the interpreter's site folders are: its own prefix, and that of the Python it links
    to where site reads that one too (no pyvenv.cfg, or include-system-site-packages)."""
    found = [interpreter.parent.parent, interpreter.parent]
    settings = read_pyvenv_cfg(config) if config is not None else None
    if config is None or (settings is not None and settings.include_system_site_packages):
        real = Path(os.path.realpath(interpreter))
        found += [p for p in (real.parent.parent, real.parent) if p not in found]
    return found


def _site_folders(prefix: Path) -> list[str]:
    base = glob.escape(str(prefix))
    folders: list[str] = []
    for pattern in SITE_FOLDERS:
        for folder in sorted(glob.glob(os.path.join(base, pattern))):
            if folder not in folders:
                folders.append(folder)
    return folders


def _hazard_in(folder: str) -> str | None:
    try:
        with os.scandir(folder) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_ENTRIES:
                    return None
                if not entry.name.endswith(".pth"):
                    continue
                try:
                    kind = _kind(entry.stat(follow_symlinks=True).st_mode)
                except OSError:
                    continue  # a dangling link: site cannot open it either, and skips it
                if kind is not None:
                    return f"{entry.path} is {kind}"
    except OSError:
        return None
    return None


def _home_inside(config: Path) -> str | None:
    """pyvenv.cfg's home names where the standard library is loaded from, before any code can
    choose: a home inside the environment itself would run the environment's own encodings and
    os as Python starts (a crafted one; a real venv's home is its base's bin)."""
    settings = read_pyvenv_cfg(config)
    home = settings.home if settings is not None else None
    if not home:
        return None
    real_home = os.path.realpath(
        os.path.join(os.sep, home)
    )  # a relative one is read from / (the probe's cwd)
    root = os.path.realpath(config.parent)
    if real_home == root or real_home.startswith(root.rstrip(os.sep) + os.sep):
        return f"would run the environment's own standard library: {config} names a home inside it"
    return None


def startup_hazard(interpreter: Path) -> str | None:
    """What starting interpreter would do that a read must not (block on a file, read one without
    end, run the environment's own code), said after its name; or None."""
    config: Path | None = None
    for home in (interpreter.parent, interpreter.parent.parent):  # where getpath looks for it
        candidate = home / "pyvenv.cfg"
        try:
            mode = os.stat(candidate).st_mode
        except OSError:
            continue
        kind = _kind(mode)
        if kind is not None:
            return f"would hang as it starts: {candidate} is {kind}, not a file"
        config = candidate
        break
    if config is not None and (inside := _home_inside(config)) is not None:
        return inside
    for prefix in _prefixes(interpreter, config):
        for site in _site_folders(prefix):
            found = _hazard_in(site)
            if found is not None:
                return f"would hang as it starts: {found}, not a file"
    return None


def is_script(interpreter: Path) -> bool:
    """Whether interpreter is a `#!` script (a file that names the program to run it), not a
    Python: starting it runs whatever it says, so venvdeck never does."""
    try:
        return fsio.read_bytes(Path(os.path.realpath(interpreter)), 2, truncate=True) == b"#!"
    except OSError:
        return False  # unreadable: starting it fails with the real reason


def refuse_hazards(interpreter: Path) -> None:
    """InterpreterError, at once, where starting interpreter would run a script in its place or
    hang on one of its own files."""
    if is_script(interpreter):
        raise InterpreterError(f"{interpreter} is a script, not a Python; venvdeck does not run it")
    found = startup_hazard(interpreter)
    if found is not None:
        raise InterpreterError(f"{interpreter} {found}")
