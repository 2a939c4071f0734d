"""The order in which an environment's pip meets the distributions of one folder.

pip keeps the first distribution of each name it meets. Its importlib backend (Python >= 3.11,
pip >= 22.3) lists a folder in `os.listdir` order, grouped by normalised name (importlib.metadata's
Lookup); its pkg_resources backend sorts a folder's entries "by version, descending"
(pkg_resources `_by_version_descending`). Two copies of one distribution in a folder (a crashed
upgrade leaves them) are told apart by this order alone.
"""

from __future__ import annotations

import os
import re

from packaging.version import InvalidVersion, Version

_LEGACY_PART = re.compile(r"(\d+ | [a-z]+ | \.| -)", re.VERBOSE)
_LEGACY_MAP = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}


def _legacy_key(text: str) -> tuple[str, ...]:
    """packaging 21's LegacyVersion key (what pkg_resources sorts a name that is not a version by)."""
    parts: list[str] = []
    for raw in _LEGACY_PART.split(text.lower()):
        part = _LEGACY_MAP.get(raw, raw)
        if not part or part == ".":
            continue
        piece = part.zfill(8) if part[:1] in "0123456789" else "*" + part
        if piece.startswith("*"):
            if piece < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(piece)
    parts.append("*final")
    return tuple(parts)


class _Part:
    """One dash-separated part of a folder name, ordered as packaging 21 orders parse(part):
    every LegacyVersion before every Version."""

    __slots__ = ("key",)

    def __init__(self, text: str) -> None:
        try:
            self.key: tuple[int, object] = (1, Version(text))
        except InvalidVersion:
            self.key = (0, _legacy_key(text))

    def __lt__(self, other: _Part) -> bool:
        if self.key[0] != other.key[0]:
            return self.key[0] < other.key[0]
        return bool(self.key[1] < other.key[1])  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Part) and self.key == other.key

    __hash__ = None  # type: ignore[assignment]


def _by_version_key(name: str) -> list[_Part]:
    stem, ext = os.path.splitext(name)
    return [_Part(part) for part in [*stem.split("-"), ext]]


def _name_key(folder_name: str) -> str:
    """The normalised name a `.dist-info` / `.egg-info` folder name starts with."""
    return re.sub(r"[-_.]+", "_", folder_name.lower().rpartition(".")[0].partition("-")[0])


def has_two_copies(names: list[str]) -> bool:
    """Whether two of these folder names are of one distribution (only then does the order matter)."""
    keys = [_name_key(n) for n in names]
    return len(set(keys)) < len(keys)


def folder_order(names: list[str], importlib_order: bool) -> list[str]:
    """The `.dist-info` and `.egg-info` names of one folder (given in `os.listdir` order), in the
    order the environment's pip meets them."""
    infos = [n for n in names if n.lower().endswith((".dist-info", ".egg-info"))]
    if importlib_order:
        groups: dict[str, list[str]] = {}
        for name in infos:
            groups.setdefault(_name_key(name), []).append(name)
        return [n for group in groups.values() for n in group]
    return sorted(infos, key=_by_version_key, reverse=True)


def folder_ranks(location: os.PathLike[str] | str, importlib_order: bool) -> dict[str, int]:
    """Name → its place in folder_order (an unreadable folder: empty)."""
    try:
        names = os.listdir(location)
    except OSError:
        return {}
    return {name: index for index, name in enumerate(folder_order(names, importlib_order))}
