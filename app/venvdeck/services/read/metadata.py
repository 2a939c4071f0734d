"""Reading installed distributions straight from disk: `*.dist-info`, `*.egg-info`, `*.egg-link`.

Only the header block of METADATA / PKG-INFO is read (up to the first blank line), which is
100-1000x faster than asking a subprocess and runs no code from the environment.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from venvdeck.models import DirectUrl
from venvdeck.services import fsio

_WANTED = frozenset({"name", "version", "summary", "requires-dist"})
_LINES = re.compile(r"\r\n|\r|\n")
# Requirements read of one distribution: real ones have a few hundred at most (apache-airflow's
# extras ~1,000); a crafted file of 100,000 under the size cap took seconds to parse each time.
MAX_REQUIREMENTS = 5_000
_HEADER = re.compile(r"^(From |[\041-\071\073-\176]*:)")  # email.feedparser's headerRE
# pkg_resources' EGG_NAME: the project name and version as a folder name spells them.
_EGG_NAME = re.compile(
    r"(?P<name>[^-]+)( -(?P<ver>[^-]+) (-py(?P<pyver>[^-]+) (-(?P<plat>.+))? )? )?",
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class RawDistribution:
    """One distribution's files as found on disk, before pip's naming rules are applied."""

    metadata_name: str | None
    metadata_version: str | None
    summary: str
    requires: tuple[str, ...]
    dir_name: str  # e.g. `Foo_Bar-1.0.dist-info`, `foo.egg-info`
    info_path: Path  # the .dist-info / .egg-info folder, or the .egg-info file
    location: Path  # the sys.path entry it was found in
    linked: bool = False  # found through an .egg-link file (a legacy editable install)
    has_metadata: bool = True  # False: its METADATA / PKG-INFO does not exist (all else from the folder)
    egg_requires: tuple[str, ...] | None = None  # an egg's requires.txt as Requires-Dist lines

    @property
    def is_dist_info(self) -> bool:
        return self.dir_name.lower().endswith(".dist-info")

    def dir_name_parts(self) -> tuple[str | None, str | None]:
        """(name, version) as pkg_resources reads them from the folder name."""
        stem = self.dir_name.rsplit(".", 1)[0]
        match = _EGG_NAME.match(stem)
        if not match:
            return None, None
        return match["name"], match["ver"]

    def read_installer(self) -> str | None:
        return fsio.first_line(self.info_path / "INSTALLER", 256)

    def is_requested(self) -> bool:
        return os.path.isfile(self.info_path / "REQUESTED")

    def read_direct_url(self, pip26: bool = True) -> DirectUrl | None:
        try:
            data = json.loads(fsio.read_bytes(self.info_path / "direct_url.json", fsio.JSON_FILE))
        except (OSError, ValueError, RecursionError):
            return None
        return parse_direct_url(data, pip26)


def _typed(data: dict[str, object], key: str, kind: type) -> bool:
    """pip's check of an optional key: absent, null, or of that type."""
    return data.get(key) is None or isinstance(data.get(key), kind)


def parse_direct_url(data: object, pip26: bool = True) -> DirectUrl | None:
    """PEP 610 `direct_url.json` content as the environment's pip reads it, or None where pip
    rejects it (it warns, and lists and freezes the distribution as if there were none): exactly
    one of vcs_info, archive_info, dir_info, each of the right types, a vcs_info with a commit, a
    hash that reads `algorithm=value`. pip 26.1 (packaging's model) also wants a file:// URL for
    dir_info and a hash that agrees with hashes, and freezes with the first of hashes."""
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("url"), str)
        or not _typed(data, "subdirectory", str)
    ):
        return None
    url: str = data["url"]
    subdirectory = data.get("subdirectory")
    infos = {key: data.get(key) for key in ("vcs_info", "archive_info", "dir_info")}
    present = {key: info for key, info in infos.items() if info is not None}
    if len(present) != 1 or not all(isinstance(info, dict) for info in present.values()):
        return None
    ((kind, info),) = present.items()
    assert isinstance(info, dict)
    if kind == "vcs_info":
        if not (isinstance(info.get("vcs"), str) and isinstance(info.get("commit_id"), str)):
            return None
        if not _typed(info, "requested_revision", str):
            return None
        return DirectUrl(
            url=url,
            vcs=info["vcs"],
            commit_id=info["commit_id"],
            requested_revision=info.get("requested_revision"),
            subdirectory=subdirectory,
        )
    if kind == "archive_info":
        legacy, hashes = info.get("hash"), info.get("hashes")
        if not _typed(info, "hash", str) or not _typed(info, "hashes", dict):
            return None
        if legacy is not None and "=" not in legacy:
            return None
        fragment = legacy
        if pip26 and isinstance(hashes, dict):
            if not all(isinstance(value, str) for value in hashes.values()):
                return None
            if legacy is not None:
                algorithm, _, value = legacy.partition("=")
                if hashes.get(algorithm) != value:
                    return None
            first = next(iter(hashes.items()), None)
            fragment = f"{first[0]}={first[1]}" if first is not None else legacy
        return DirectUrl(url=url, archive_hash=fragment, subdirectory=subdirectory)
    if not _typed(info, "editable", bool) or (pip26 and not url.startswith("file://")):
        return None
    return DirectUrl(url=url, editable=bool(info.get("editable")), is_dir=True, subdirectory=subdirectory)


def read_headers(path: Path, wanted: frozenset[str] = _WANTED) -> dict[str, list[str]] | None:
    """The wanted RFC 822 headers of a METADATA / PKG-INFO file (continuation lines folded)."""
    headers: dict[str, list[str]] = {}
    last: str | None = None
    try:
        head = fsio.read_head(path, fsio.METADATA_HEADERS)
    except (OSError, ValueError):
        return None
    for line in _LINES.split(head):  # the email parser's line ends, not str.splitlines' dozen
        if not line:
            break
        if line[:1] in (" ", "\t"):
            if last is not None and headers.get(last):
                headers[last][-1] += " " + line.strip()
            continue
        if not _HEADER.match(line):
            break  # the email parser takes a line that is no header for the start of the body
        key, _, value = line.partition(":")
        last = key.strip().lower()
        if last in wanted:
            values = headers.setdefault(last, [])
            if len(values) < MAX_REQUIREMENTS:
                values.append(value.strip())
        else:
            last = None
    return headers


def _first(headers: dict[str, list[str]], key: str) -> str | None:
    values = headers.get(key)
    return values[0] if values else None


def _egg_requires(info_dir: Path) -> tuple[str, ...]:
    """An egg-info's requires.txt as Requires-Dist lines, converted as pip converts them
    (metadata/base.py _iter_egg_info_dependencies): a `[extra:marker]` section's lines get
    `; (marker) and extra == "extra"`, `[:marker]` only the marker, `[extra]` only the extra."""
    from packaging.utils import canonicalize_name

    try:
        lines = fsio.read_text(info_dir / "requires.txt", fsio.TEXT_FILE).splitlines()
    except (OSError, ValueError):
        return ()
    requires = []
    extra = marker = ""
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line.strip("[]").partition(":")
            extra = canonicalize_name(extra)
            continue
        if extra and marker:
            requires.append(f'{line} ; ({marker}) and extra == "{extra}"')
        elif extra:
            requires.append(f'{line} ; extra == "{extra}"')
        elif marker:
            requires.append(f"{line} ; {marker}")
        else:
            requires.append(line)
        if len(requires) >= MAX_REQUIREMENTS:
            break
    return tuple(requires)


def _read_distribution(location: Path, name: str, linked: bool = False) -> RawDistribution | None:
    info_path = location / name
    suffix = name.lower()  # importlib.metadata and pkg_resources match the suffix in any case
    if suffix.endswith(".dist-info"):
        return _from_headers(info_path / "METADATA", False, name, info_path, location, linked)
    if suffix.endswith(".egg-info"):
        metadata_file = info_path / "PKG-INFO" if os.path.isdir(info_path) else info_path
        return _from_headers(metadata_file, True, name, info_path, location, linked)
    return None


def _from_headers(
    metadata_file: Path,
    egg: bool,
    dir_name: str,
    info_path: Path,
    location: Path,
    linked: bool = False,
) -> RawDistribution | None:
    """A RawDistribution from a METADATA / PKG-INFO file: its Requires-Dist lines and, for an
    egg, those of its requires.txt (which of them pip reads depends on its backend)."""
    headers = read_headers(metadata_file)
    # pip takes a METADATA that is not a file (missing, a dangling link, a folder) for none.
    has_metadata = headers is not None or os.path.isfile(metadata_file)
    if headers is None:
        if has_metadata:
            return None  # there but unreadable (reported by check): nothing to name it by
        headers = {}  # pip >= 24.2 and pkg_resources still list it, by its folder's name
    return RawDistribution(
        metadata_name=_first(headers, "name"),
        metadata_version=_first(headers, "version"),
        summary=_first(headers, "summary") or "",
        requires=tuple(headers.get("requires-dist", ())),
        dir_name=dir_name,
        info_path=info_path,
        location=location,
        linked=linked,
        has_metadata=has_metadata,
        egg_requires=_egg_requires(info_path) if egg else None,
    )


def scan_location(location: Path) -> tuple[list[RawDistribution], list[Path]]:
    """Distributions directly in one sys.path entry, and the targets of its .egg-link files."""
    found: list[RawDistribution] = []
    links: list[Path] = []
    if location.suffix == ".egg" and os.path.isdir(location / "EGG-INFO"):
        egg = _read_egg(location)
        return ([egg] if egg else []), []
    try:
        names = os.listdir(location)  # in its own order: pip's importlib backend keeps it (pip_order)
    except OSError:
        return [], []
    for name in names:
        if name.lower().endswith((".dist-info", ".egg-info")):
            dist = _read_distribution(location, name)
            if dist is not None:
                found.append(dist)
        elif name.endswith(".egg-link"):
            target = _egg_link_target(location / name)
            if target is not None:
                links.append(target)
    return found, links


def _read_egg(egg: Path) -> RawDistribution | None:
    info = egg / "EGG-INFO"
    return _from_headers(info / "PKG-INFO", True, egg.name, info, egg)


def _egg_link_target(link: Path) -> Path | None:
    try:
        lines = fsio.read_text(link, fsio.SMALL_FILE, truncate=True).splitlines()
    except (OSError, ValueError):
        return None
    target = next((line.strip() for line in lines if line.strip()), "")
    return (link.parent / target).resolve() if target else None


def scan_linked(target: Path) -> list[RawDistribution]:
    """Distributions in the folder an .egg-link points to."""
    try:
        names = sorted(os.listdir(target))
    except OSError:
        return []
    found = []
    for name in names:
        if name.lower().endswith(".egg-info"):
            dist = _read_distribution(target, name, linked=True)
            if dist is not None:
                found.append(dist)
    return found
