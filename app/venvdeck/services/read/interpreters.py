"""Asking an interpreter, once, where it looks for packages.

The probe (read/probe_code.py) runs with `-B -E -s -S` and does site's work without running any
code of the environment: no `.pth` import line, no sitecustomize (a cloned repository's .venv is
read, never run); read/startup.py first refuses what would hang it or run in its place. Results
are cached per interpreter, in memory and on disk (so a one-shot `venvdeck packages` skips the
probe too), and revalidated by the mtimes of the interpreter, its pyvenv.cfg, the folders on its
path and their .pth files: a new or edited .pth file, a site-packages change or a re-pointed
environment is noticed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck import models  # InterpreterInfo: its group loads with the first answer, not at start
from venvdeck.errors import InterpreterError
from venvdeck.services import fsio, policy, process
from venvdeck.services.read import startup
from venvdeck.services.read.probe_code import PROBE_CODE

if TYPE_CHECKING:
    from venvdeck.models import InterpreterInfo

PROBE_TIMEOUT_S = 20.0
_MAX_ANSWER = 1024 * 1024  # a sys.path of thousands of entries fits; an endless printer does not


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
        return models.InterpreterInfo(
            executable=Path(data["executable"] or interpreter),
            version=str(data["version"]),
            version_info=(version_info[0], version_info[1], version_info[2]),
            prefix=Path(data["prefix"]),
            base_prefix=Path(data["base_prefix"]),
            sys_path=tuple(Path(p) for p in data["path"]),
            stdlib=Path(data["stdlib"]) if data.get("stdlib") else None,
            user_site=Path(data["user_site"]) if data.get("user_site") else None,
            markers=_markers_of(data.get("markers")),
        )
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise InterpreterError(f"{interpreter} gave an answer venvdeck cannot read") from exc


def _markers_of(answer: object) -> tuple[tuple[str, str | bool | None], ...] | None:
    if not isinstance(answer, dict):
        return None
    pairs = sorted(answer.items())
    if not all(isinstance(k, str) and (v is None or isinstance(v, (str, bool))) for k, v in pairs):
        return None
    return tuple(pairs)


def _cache_dir() -> Path:
    return policy.cache_folder() / "probes"


def _cache_name(interpreter: Path) -> str:
    return policy.cache_file_name("probe", str(interpreter))


def _valid(stamps: tuple[tuple[str, int], ...]) -> bool:
    return all(_stamp(p) == t for p, t in stamps)


def _cached(interpreter: Path) -> InterpreterInfo | None:
    entry = _cache.get(str(interpreter))
    if entry is not None and _valid(entry.stamps):
        return entry.info
    try:
        saved = json.loads(fsio.read_bytes(_cache_dir() / _cache_name(interpreter), fsio.JSON_FILE))
        if saved["interpreter"] != str(interpreter):
            return None
        stamps = tuple((str(p), int(t)) for p, t in saved["stamps"])
        if not _valid(stamps):
            return None
        info = _parse(interpreter, saved["answer"])
    except (OSError, ValueError, KeyError, TypeError, InterpreterError):
        return None  # no cache, or one that no longer holds: ask the interpreter
    _cache[str(interpreter)] = _CacheEntry(info, stamps)
    return info


def _pth_files(folders: tuple[Path, ...], limit: int = 50_000) -> list[str]:
    """The .pth files in the folders on a path: the lines that put other folders on it."""
    found: list[str] = []
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                for count, entry in enumerate(entries):
                    if count >= limit:
                        break
                    if entry.name.endswith(".pth"):
                        found.append(entry.path)
        except OSError:
            continue
    return found


def _remember(interpreter: Path, result: process.ProcessResult) -> InterpreterInfo:
    if not result.ok:
        detail = result.stderr_tail(1) or f"exit status {result.returncode}"
        raise InterpreterError(f"{interpreter} does not start: {detail}")
    info = _parse(interpreter, result.stdout)
    prefix = interpreter.parent.parent
    stamped = [
        str(interpreter),
        str(prefix / "pyvenv.cfg"),
        str(interpreter.parent / "pyvenv.cfg"),
        *(str(p) for p in info.sys_path),
        *_pth_files(info.sys_path),  # one edited in place leaves its folder's time as it was
    ]
    stamps = _stamps(stamped)
    _cache[str(interpreter)] = _CacheEntry(info, stamps)
    _save(interpreter, stamps, result.stdout)
    return info


def _save(interpreter: Path, stamps: tuple[tuple[str, int], ...], answer: str) -> None:
    """Best effort: an unwritable cache folder only costs the next run a probe."""
    data = json.dumps({"interpreter": str(interpreter), "stamps": stamps, "answer": answer})
    fsio.save_private(_cache_dir(), _cache_name(interpreter), data.encode("utf-8", "surrogateescape"))


def _argv(interpreter: Path) -> list[str]:
    return [str(interpreter), "-B", "-E", "-s", "-S", "-c", PROBE_CODE]


def probe(interpreter: Path, *, fresh: bool = False) -> InterpreterInfo:
    """What `interpreter` says about itself; raises InterpreterError if it will not start.

    fresh: ask it now, whatever the cache says (before changing an environment).
    """
    cached = None if fresh else _cached(interpreter)
    if cached is not None:
        return cached
    startup.refuse_hazards(interpreter)
    result = process.run(
        _argv(interpreter), timeout=PROBE_TIMEOUT_S, cwd=Path(os.sep), max_output=_MAX_ANSWER
    )
    return _remember(interpreter, result)
