"""Asking an interpreter, once, where it looks for packages.

The probe runs with `-E -s` (ignore PYTHON* variables and the user site) and drops the script
folder from sys.path before importing anything, so a stray json.py cannot shadow the stdlib. It
is valid Python 2.7 to 3.13+. Results are cached per interpreter, in memory and on disk (so a
one-shot `venvdeck packages` skips the probe too), and revalidated by the mtimes of the
interpreter, its pyvenv.cfg and the folders on its path: a new .pth file, a site-packages change
or a re-pointed environment is noticed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck import models  # InterpreterInfo: its group loads with the first answer, not at start
from venvdeck.errors import InterpreterError
from venvdeck.services import fsio, policy, process
from venvdeck.services.read import startup

if TYPE_CHECKING:
    from venvdeck.models import InterpreterInfo

PROBE_TIMEOUT_S = 20.0
_MAX_ANSWER = 1024 * 1024  # a sys.path of thousands of entries fits; an endless printer does not
# What PEP 508 markers and wheel tags need of an interpreter (services/insight/markers.py): the
# values `packaging.markers.default_environment()` computes there. Part of the probe below, so an
# environment checked or drawn as a tree for the first time starts one process, not two; it also
# runs alone where there is no listing. Valid Python 2.7 to 3.14.
MARKERS_CODE = r"""
def _markers():
    import os, platform
    try:
        import sysconfig
        soabi = sysconfig.get_config_var("SOABI")
        plat = sysconfig.get_platform()
        debug = bool(sysconfig.get_config_var("Py_DEBUG"))
        gil_disabled = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    except Exception:
        soabi, plat, debug, gil_disabled = None, None, False, False
    def fmt(info):
        version = "%d.%d.%d" % (info.major, info.minor, info.micro)
        if info.releaselevel != "final":
            version += info.releaselevel[0] + str(info.serial)
        return version
    impl = getattr(sys, "implementation", None)
    return {
        "implementation_name": impl.name if impl else "",
        "implementation_version": fmt(impl.version) if impl else "0",
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
        "_soabi": soabi,
        "_platform": plat,
        "_debug": debug,
        "_gil_disabled": gil_disabled,
        "_maxsize_64": sys.maxsize > 2 ** 32,
    }
"""

_PROBE = (
    r"""
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
"""
    + MARKERS_CODE
    + r"""
try:
    markers = _markers()
except Exception:
    markers = None  # the listing never depends on it
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
    "markers": markers,
}))
"""
)


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
    return hashlib.sha256(str(interpreter).encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".json"


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
    return [str(interpreter), "-E", "-s", "-c", _PROBE]


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
