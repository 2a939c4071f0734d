"""Asking an interpreter, once, where it looks for packages.

The probe runs with `-E -s` (ignore PYTHON* variables and the user site) and drops the script
folder from sys.path before importing anything, so a stray json.py cannot shadow the stdlib. It
is valid Python 2.7 to 3.13+. Results are cached per interpreter and revalidated by the mtimes
of the folders on its path, so a new .pth file or site-packages change is noticed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from venvdeck.errors import InterpreterError
from venvdeck.models import InterpreterInfo
from venvdeck.services import process

PROBE_TIMEOUT_S = 20.0
_PROBE = r"""
import sys
del sys.path[0]
import json, os, site
try:
    import sysconfig
    stdlib = sysconfig.get_path("stdlib")
except Exception:
    stdlib = None
try:
    user_site = site.getusersitepackages()
except Exception:
    user_site = None
base = getattr(sys, "real_prefix", getattr(sys, "base_prefix", sys.prefix))
sys.stdout.write(json.dumps({
    "executable": sys.executable,
    "version": sys.version.split()[0],
    "version_info": list(sys.version_info[:3]),
    "prefix": sys.prefix,
    "base_prefix": base,
    "path": [p for p in sys.path if p],
    "stdlib": stdlib,
    "user_site": user_site,
}))
"""


@dataclass(frozen=True, slots=True)
class _CacheEntry:
    info: InterpreterInfo
    stamps: tuple[tuple[str, int], ...]


_cache: dict[str, _CacheEntry] = {}


def _stamp(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _stamps(paths: list[str]) -> tuple[tuple[str, int], ...]:
    return tuple((p, _stamp(p)) for p in paths)


def _parse(interpreter: Path, stdout: str) -> InterpreterInfo:
    try:
        data = json.loads(stdout.strip().splitlines()[-1])
        version_info = tuple(int(x) for x in data["version_info"])
        return InterpreterInfo(
            executable=Path(data["executable"] or interpreter),
            version=str(data["version"]),
            version_info=(version_info[0], version_info[1], version_info[2]),
            prefix=Path(data["prefix"]),
            base_prefix=Path(data["base_prefix"]),
            sys_path=tuple(Path(p) for p in data["path"]),
            stdlib=Path(data["stdlib"]) if data.get("stdlib") else None,
            user_site=Path(data["user_site"]) if data.get("user_site") else None,
        )
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise InterpreterError(f"{interpreter} gave an answer venvdeck cannot read") from exc


def _cached(interpreter: Path) -> InterpreterInfo | None:
    entry = _cache.get(str(interpreter))
    if entry is not None and all(_stamp(p) == t for p, t in entry.stamps):
        return entry.info
    return None


def _remember(interpreter: Path, result: process.ProcessResult) -> InterpreterInfo:
    if not result.ok:
        detail = result.stderr_tail(1) or f"exit status {result.returncode}"
        raise InterpreterError(f"{interpreter} does not start: {detail}")
    info = _parse(interpreter, result.stdout)
    stamped = [str(interpreter), *(str(p) for p in info.sys_path)]
    _cache[str(interpreter)] = _CacheEntry(info, _stamps(stamped))
    return info


def _argv(interpreter: Path) -> list[str]:
    return [str(interpreter), "-E", "-s", "-c", _PROBE]


async def probe(interpreter: Path) -> InterpreterInfo:
    """What `interpreter` says about itself; raises InterpreterError if it will not start."""
    cached = _cached(interpreter)
    if cached is not None:
        return cached
    result = await process.run(_argv(interpreter), timeout=PROBE_TIMEOUT_S, cwd=Path(os.sep))
    return _remember(interpreter, result)


def probe_sync(interpreter: Path) -> InterpreterInfo:
    """probe() for one-shot command-line use (no event loop to start)."""
    cached = _cached(interpreter)
    if cached is not None:
        return cached
    result = process.run_sync(_argv(interpreter), timeout=PROBE_TIMEOUT_S, cwd=Path(os.sep))
    return _remember(interpreter, result)
