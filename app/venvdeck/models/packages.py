"""What is installed in an environment, as pip would list and freeze it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from venvdeck.models.environments import Environment


@dataclass(frozen=True, slots=True)
class DirectUrl:
    """PEP 610 `direct_url.json`: how a distribution was installed from a URL or folder."""

    url: str
    editable: bool = False
    vcs: str | None = None
    commit_id: str | None = None
    requested_revision: str | None = None
    archive_hash: str | None = None
    is_dir: bool = False
    subdirectory: str | None = None


@dataclass(frozen=True, slots=True)
class Package:
    """One installed distribution, as pip would list it."""

    name: str
    version: str
    summary: str = ""
    requires: tuple[str, ...] = ()
    location: Path | None = None
    metadata_path: Path | None = None
    installer: str | None = None
    requested: bool | None = False  # None: nothing says whether the user asked for it (see read/requested.py)
    direct_url: DirectUrl | None = None
    editable_project_location: Path | None = None
    # The canonical name pip's own code knows it by (pip check's key): taken from its info folder's
    # name where pip takes it from there, which a hand-edited folder can make differ from `name`.
    # "": the canonical form of `name` (a package not read from disk).
    pip_key: str = ""
    has_metadata: bool = True  # False: listed from its folder's name, its METADATA does not exist
    # An egg-info's Requires-Dist lines where pip reads its requires.txt instead (they are
    # `requires` otherwise): pipdeptree reads only these.
    requires_dist: tuple[str, ...] | None = None
    # The Version header as written (pipdeptree shows it unnormalised); None: the metadata has none.
    metadata_version: str | None = None

    @property
    def editable(self) -> bool:
        return self.editable_project_location is not None


@dataclass(frozen=True, slots=True)
class InterpreterInfo:
    """What an interpreter told us about itself once (its search path); cached per interpreter."""

    executable: Path
    version: str
    version_info: tuple[int, int, int]
    prefix: Path
    base_prefix: Path
    sys_path: tuple[Path, ...]
    stdlib: Path | None
    user_site: Path | None
    # Its PEP 508 marker values and wheel-tag facts, learned in the same run (see
    # services/insight/markers.py); None when that part of the answer could not be read.
    markers: tuple[tuple[str, str | bool | None], ...] | None = None

    @property
    def in_virtualenv(self) -> bool:
        return self.prefix != self.base_prefix


@dataclass(frozen=True, slots=True)
class PackageListing:
    """The packages of one environment, with what the listing learned on the way."""

    environment: Environment
    packages: tuple[Package, ...]
    interpreter: InterpreterInfo
    pip_version: str | None = None


@dataclass(frozen=True, slots=True)
class FreezeResult:
    """The requirement lines `pip freeze` prints for an environment."""

    environment: Environment
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(f"{line}\n" for line in self.lines)
