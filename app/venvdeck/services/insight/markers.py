"""The PEP 508 marker environment of an interpreter, asked once and cached (memory and disk).

Requirements are evaluated against the environment they are installed in, not against venvdeck's
own Python: `sys_platform`, `platform_machine`, `python_full_version` and the rest come from that
interpreter. The probe prints what `packaging.markers.default_environment()` computes there (valid
Python 2.7 to 3.14), plus what pip needs for wheel tags; it runs with `-E -s -S` (no site: no
`.pth` line of the environment runs), from `/`, with a
timeout and a bound on its output. The same values are part of the answer a listing gets from the
interpreter (read/interpreters.py), so a listed environment is not asked twice. The answer is
revalidated by the mtimes of the interpreter and of the file it resolves to, so a replaced Python
is asked again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.errors import InterpreterError
from venvdeck.services import fsio, policy, process
from venvdeck.services.read import startup
from venvdeck.services.read.probe_code import MARKERS_CODE, START_CODE

if TYPE_CHECKING:
    from venvdeck.models import InterpreterInfo

PROBE_TIMEOUT_S = 20.0
_MAX_ANSWER = 64 * 1024
MARKER_KEYS = (
    "implementation_name",
    "implementation_version",
    "os_name",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_full_version",
    "python_version",
    "sys_platform",
)
_PROBE = START_CODE + "import json\n" + MARKERS_CODE + "sys.stdout.write(json.dumps(_markers()))\n"

_cache: dict[str, tuple[tuple[tuple[str, int], ...], dict[str, object]]] = {}


def _stamp(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _stamps(interpreter: Path) -> tuple[tuple[str, int], ...]:
    paths = [str(interpreter), os.path.realpath(interpreter)]
    return tuple((p, _stamp(p)) for p in dict.fromkeys(paths))


def _cache_file(interpreter: Path) -> Path:
    return policy.cache_folder() / "markers" / policy.cache_file_name("markers", str(interpreter))


def _parse(interpreter: Path, answer: str) -> dict[str, object]:
    try:
        data = json.loads(answer)
    except ValueError as exc:
        raise InterpreterError(f"{interpreter} gave an answer venvdeck cannot read") from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in MARKER_KEYS):
        raise InterpreterError(f"{interpreter} gave an answer venvdeck cannot read")
    return data


def _from_disk(interpreter: Path, stamps: tuple[tuple[str, int], ...]) -> dict[str, object] | None:
    try:
        saved = json.loads(fsio.read_bytes(_cache_file(interpreter), fsio.JSON_FILE))
        if saved["interpreter"] != str(interpreter):
            return None
        if tuple((str(p), int(t)) for p, t in saved["stamps"]) != stamps:
            return None
        return _parse(interpreter, saved["answer"])
    except (OSError, ValueError, KeyError, TypeError, InterpreterError):
        return None


def _save(interpreter: Path, stamps: tuple[tuple[str, int], ...], answer: str) -> None:
    """Best effort: an unwritable cache only costs the next run a probe."""
    data = json.dumps({"interpreter": str(interpreter), "stamps": stamps, "answer": answer})
    path = _cache_file(interpreter)
    fsio.save_private(path.parent, path.name, data.encode("utf-8", "surrogateescape"))


def probe(interpreter: Path, known: InterpreterInfo | None = None) -> dict[str, object]:
    """The marker environment of interpreter (and `_soabi`, `_platform`... for wheel tags).

    known: what the interpreter said of itself when it was listed (its answer includes these
    values, so a never-seen environment starts one process, not two).
    InterpreterError when it will not start or answers nonsense."""
    stamps = _stamps(interpreter)
    cached = _cache.get(str(interpreter))
    if cached is not None and cached[0] == stamps:
        return cached[1]
    data = _from_disk(interpreter, stamps)
    if data is None and known is not None and known.markers is not None:
        answer = json.dumps(dict(known.markers))
        try:
            data = _parse(interpreter, answer)
        except InterpreterError:
            data = None  # an answer from another time that lacks a value: ask again
        else:
            _save(interpreter, stamps, answer)
    if data is None:
        startup.refuse_hazards(interpreter)
        result = process.run(
            [str(interpreter), "-B", "-E", "-s", "-S", "-c", _PROBE],
            timeout=PROBE_TIMEOUT_S,
            cwd=Path(os.sep),
            max_output=_MAX_ANSWER,
        )
        if not result.ok:
            detail = result.stderr_tail(1) or f"exit status {result.returncode}"
            raise InterpreterError(f"{interpreter} does not start: {detail}")
        answer = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        data = _parse(interpreter, answer)
        _save(interpreter, stamps, answer)
    _cache[str(interpreter)] = (stamps, data)
    return data


def marker_environment(interpreter: Path, known: InterpreterInfo | None = None) -> dict[str, str]:
    """Only the PEP 508 variables, ready for `Marker.evaluate`."""
    data = probe(interpreter, known)
    return {key: str(data[key]) for key in MARKER_KEYS}
