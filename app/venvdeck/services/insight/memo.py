"""An insight command's answer, kept on disk until anything it was computed from changes.

`venvdeck check ENV` and `venvdeck deps ENV` are asked again and again (the dashboard checks before
and after every change; scripts loop). Their answer depends only on files: the interpreter, the
folders on its search path, every `*.dist-info` / `*.egg-info` there and its METADATA (PKG-INFO)
and WHEEL, and venvdeck's own code. Each is stamped (mtime in ns, size, inode) when the answer is
computed; a later run that finds every stamp unchanged prints the answer without importing the
parser or reading a single METADATA. One changed stamp (an install, an uninstall, an edited
METADATA, a replaced interpreter) and the answer is computed afresh. Only an ENV given as a path
is remembered (a name depends on discovery). This module imports nothing heavy: the hit path is
the point.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from venvdeck.services import fsio

FORMAT = 1
_CODE = ("insight", "read")  # the folders below services/ whose code computes an answer: a change forgets it
_MAX_FILE = 64 * 1024 * 1024


def _folder() -> Path:
    from venvdeck.services import policy

    return policy.cache_folder() / "insight"


def _file(kind: str, key: str) -> Path:
    from venvdeck.services import policy

    return _folder() / policy.cache_file_name(kind, key)


def _stamp(path: str) -> list[Any]:
    try:
        st = os.stat(path)
    except OSError:
        return [path, -1, -1, -1]
    return [path, st.st_mtime_ns, st.st_size, st.st_ino]


def _code_paths() -> list[str]:
    services = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = []
    for folder in _CODE:
        try:
            names = sorted(n for n in os.listdir(os.path.join(services, folder)) if n.endswith(".py"))
        except OSError:
            names = []
        paths += [os.path.join(services, folder, name) for name in names]
    return paths


def load(kind: str, key: str) -> dict[str, Any] | None:
    """The answer saved for (kind, key) if every file it came from is as it was; else None."""
    try:
        data = json.loads(fsio.read_bytes(_file(kind, key), _MAX_FILE))
        if data.get("format") != FORMAT or data.get("kind") != kind or data.get("key") != key:
            return None
        for saved in data["stamps"]:
            if _stamp(saved[0]) != saved:
                return None
        answer = data["answer"]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    return answer if isinstance(answer, dict) else None


def save(kind: str, key: str, paths: Iterable[str], answer: dict[str, Any]) -> None:
    """Best effort: an unwritable cache costs the next run its computation, nothing else."""
    stamps = [_stamp(p) for p in dict.fromkeys([*_code_paths(), *paths])]
    data = json.dumps({"format": FORMAT, "kind": kind, "key": key, "stamps": stamps, "answer": answer})
    path = _file(kind, key)
    fsio.save_private(path.parent, path.name, data.encode("utf-8", "surrogateescape"))


def _metadata_entries(folder: str) -> list[str]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    paths = []
    for name in names:
        if name.lower().endswith((".dist-info", ".egg-info", ".egg-link", ".pth")):
            entry = os.path.join(folder, name)
            paths.append(entry)
            if name.lower().endswith((".dist-info", ".egg-info")):
                paths += [os.path.join(entry, f) for f in ("METADATA", "PKG-INFO", "WHEEL", "requires.txt")]
    return paths


def dependencies_of(listing: Any, *extra: str | os.PathLike[str]) -> list[str]:
    """Every file and folder an answer about listing (a PackageListing) was computed from."""
    from venvdeck.services.read.packages import search_path

    info = listing.interpreter
    env = listing.environment
    paths = [os.fspath(p) for p in extra]
    paths += [str(env.path), str(env.path / "pyvenv.cfg")]
    if env.interpreter is not None:
        paths += [str(env.interpreter), os.path.realpath(env.interpreter)]
    paths += [str(info.executable), os.path.realpath(info.executable)]
    if info.user_site is not None:  # created later, it joins the search path
        paths.append(str(info.user_site))
    folders = [str(p) for p in search_path(info, env.include_system_site_packages)]
    for folder in folders:
        paths.append(folder)
        paths += _metadata_entries(folder)
    for package in listing.packages:  # egg-link targets live elsewhere
        if package.metadata_path is not None and str(package.metadata_path.parent) not in folders:
            paths.append(str(package.metadata_path))
            paths += _metadata_entries(str(package.metadata_path.parent))
    return paths
