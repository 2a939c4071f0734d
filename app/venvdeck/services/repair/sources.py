"""What a rebuild installs again, read from the old environment's files alone.

The interpreter may be gone, so nothing is asked of it: site-packages is found from the folder
layout (`lib/pythonX.Y/site-packages`, `Lib/site-packages`) and read as `pip list` reads it
(read/packages.py's rules). What counts as "asked for":
- pipx environments: the main package and the injected ones (`pipx_metadata.json`);
- uv tools: the requirements in `uv-receipt.toml`;
- environments uv filled (INSTALLER says uv, and uv writes REQUESTED for every package it
  installs): the project's declared dependencies (`[project] dependencies` in its pyproject.toml)
  and the project itself; without a readable pyproject, the requested packages no other package
  requires;
- otherwise pip's REQUESTED markers.
Each is pinned to the version installed; editables come back from their source folders, direct-URL
and VCS installs from `direct_url.json` (VCS at the recorded commit). `exact` pins every
distribution as `pip freeze` would. Every name, version and URL read from disk is checked as a
requirement before it is used, and only reaches the installer after `--` (editables as
`--editable=PATH`, one argument).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from venvdeck.models import CarriedRequirement, NotCarried
from venvdeck.services import fsio
from venvdeck.services.read.freeze import top_level_packages
from venvdeck.services.read.on_disk import installed_packages, version_tuple
from venvdeck.services.read.packages import PipRules

if TYPE_CHECKING:
    from venvdeck.models import Environment, Package

PIPX_METADATA = "pipx_metadata.json"
UV_RECEIPT = "uv-receipt.toml"
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True, slots=True)
class ToolRecord:
    """What a tool's own record says the environment was made for (pipx, uv tool)."""

    tool: str  # pipx or uv
    main: str  # the main package's name
    main_spec: str  # how it was asked for (a name with extras and specifier, or a URL)
    others: tuple[str, ...] = ()  # injected (pipx) or --with (uv) requirements, as asked for
    ignored: tuple[str, ...] = ()  # options in the record that are not passed on


@dataclass(slots=True)
class Sources:
    packages: list[Package]
    pip_version: str | None
    had_pip: bool
    requirements: list[CarriedRequirement] = field(default_factory=list)
    not_carried: list[NotCarried] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    record: ToolRecord | None = None

    @property
    def editables(self) -> list[CarriedRequirement]:
        return [r for r in self.requirements if r.text.startswith("--editable=")]

    @property
    def specifiers(self) -> list[CarriedRequirement]:
        return [r for r in self.requirements if not r.text.startswith("--editable=")]


def _checked(text: str) -> bool:
    try:
        Requirement(text)
    except InvalidRequirement:
        return False
    return not text.startswith("-")


def _pinned(package: Package) -> str:
    try:
        Version(package.version)
    except InvalidVersion:
        return f"{package.name}==={package.version}"
    return f"{package.name}=={package.version}"


def _url_path(url: str) -> Path | None:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))


def carry(
    package: Package, why: str, *, extras: str = "", marker: str = ""
) -> CarriedRequirement | NotCarried:
    """How one installed distribution is installed again, or why it cannot be."""
    name = package.name
    if package.editable:
        source = package.editable_project_location
        assert source is not None
        if not os.path.isdir(source):
            return NotCarried(name, f"an editable install whose source folder {source} is gone")
        # A legacy (.egg-link) editable may point at the project's src/ folder: its project is above.
        project = next(
            (p for p in (source, source.parent) if any(os.path.isfile(p / f) for f in _PROJECT_FILES)), None
        )
        if project is None:
            return NotCarried(name, f"an editable install from {source}, which holds no project any more")
        return CarriedRequirement(name, f"--editable={os.path.abspath(project)}", "editable")
    direct = package.direct_url
    if direct is not None:
        if direct.vcs:
            if not direct.commit_id:
                return NotCarried(name, f"installed from {direct.vcs} ({direct.url}) at no recorded commit")
            text = f"{name}{extras} @ {direct.vcs}+{direct.url}@{direct.commit_id}"
            why = f"{direct.vcs} at the installed commit"
        else:
            local = _url_path(direct.url)
            if local is not None and not os.path.exists(local):
                return NotCarried(name, f"installed from {local}, which is gone")
            text = f"{name}{extras} @ {direct.url}"
            why = (
                "the folder it was installed from"
                if direct.is_dir
                else "the file or URL it was installed from"
            )
        fragments = [direct.archive_hash] if direct.archive_hash and not direct.vcs else []
        if direct.subdirectory:
            fragments.append(f"subdirectory={direct.subdirectory}")
        if fragments:
            text += "#" + "&".join(fragments)
        if not _checked(text):
            return NotCarried(name, "its recorded URL is not a valid requirement")
        return CarriedRequirement(name, text, why)
    text = _pinned(package)
    if extras:
        text = text.replace(package.name, package.name + extras, 1)
    if marker:
        text += f"; {marker}"
    if not _checked(text):
        return NotCarried(name, f"its name or version ({package.version!r}) is not a valid requirement")
    return CarriedRequirement(name, text, why)


# ---- the tools' own records ----------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(fsio.read_bytes(path, fsio.JSON_FILE))
    except (OSError, ValueError, RecursionError):
        return None


def read_pipx_metadata(prefix: Path) -> ToolRecord | None:
    data = _read_json(prefix / PIPX_METADATA)
    if not isinstance(data, dict) or not isinstance(data.get("main_package"), dict):
        return None
    main = data["main_package"]
    name = main.get("package")
    if not isinstance(name, str) or not name:
        return None
    spec = main.get("package_or_url") if isinstance(main.get("package_or_url"), str) else name
    injected = data.get("injected_packages")
    others: list[str] = []
    if isinstance(injected, dict):
        others = [k for k in injected if isinstance(k, str)]
    ignored = []
    for entry in [main, *(v for v in (injected or {}).values() if isinstance(v, dict))]:
        args = entry.get("pip_args")
        if isinstance(args, list) and args:
            ignored.append(" ".join(str(a) for a in args))
    return ToolRecord("pipx", name, spec or name, tuple(others), tuple(ignored))


def read_uv_receipt(prefix: Path) -> ToolRecord | None:
    data = fsio.read_toml(prefix / UV_RECEIPT, fsio.JSON_FILE)
    if data is None:
        return None
    tool = data.get("tool")
    requirements = tool.get("requirements") if isinstance(tool, dict) else None
    if not isinstance(requirements, list) or not requirements:
        return None
    specs: list[tuple[str, str]] = []
    for entry in requirements:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        specs.append((entry["name"], _receipt_spec(entry)))
    if not specs:
        return None
    return ToolRecord("uv", specs[0][0], specs[0][1], tuple(s for _, s in specs[1:]))


def _receipt_spec(entry: dict[str, Any]) -> str:
    name = str(entry["name"])
    extras = entry.get("extras")
    if isinstance(extras, list) and extras:
        name += "[" + ",".join(str(e) for e in extras) + "]"
    for key in ("url", "git", "path", "directory"):
        value = entry.get(key)
        if isinstance(value, str) and value:
            if key == "git":
                value = f"git+{value}"
            elif key in {"path", "directory"}:
                value = Path(value).absolute().as_uri()
            return f"{name} @ {value}"
    specifier = entry.get("specifier")
    return name + (specifier if isinstance(specifier, str) else "")


def declared_dependencies(project: Path) -> list[Requirement] | None:
    """`[project] dependencies` of a project's pyproject.toml; None when it cannot be read."""
    data = fsio.read_toml(project / "pyproject.toml")
    section = data.get("project") if data is not None else None
    if not isinstance(section, dict):
        return None
    requirements: list[Requirement] = []
    for line in section.get("dependencies") or []:
        if isinstance(line, str):
            try:
                requirements.append(Requirement(line))
            except InvalidRequirement:
                continue
    return requirements


def project_name(project: Path) -> str | None:
    data = fsio.read_toml(project / "pyproject.toml")
    section = data.get("project") if data is not None else None
    name = section.get("name") if isinstance(section, dict) else None
    return name if isinstance(name, str) else None


# ---- choosing what comes back --------------------------------------------------------------------


def _by_name(packages: list[Package]) -> dict[str, Package]:
    return {canonicalize_name(p.name): p for p in packages}


def read_sources(env: Environment, prefix: Path, *, exact: bool) -> Sources:
    """What rebuilding env installs again, and what it cannot bring back."""
    packages, pip_version = installed_packages(env, prefix)
    by_name = _by_name(packages)
    sources = Sources(packages, pip_version, had_pip="pip" in by_name)
    rules = PipRules.for_environment(version_tuple(env.python_version), pip_version)
    record = read_pipx_metadata(prefix) or read_uv_receipt(prefix)
    sources.record = record
    chosen: list[tuple[Package, str, str, str]] = []  # package, why, extras, marker
    if exact:
        chosen = [
            (p, "exact", "", "") for p in packages if canonicalize_name(p.name) not in rules.freeze_hidden
        ]
        sources.notes.append("every distribution is pinned to its installed version (--exact)")
    elif record is not None:
        chosen = _from_record(record, by_name, sources)
    elif any(p.installer == "uv" for p in packages):
        chosen = _from_project(env, prefix, packages, by_name, sources)
    else:
        requested = [p for p in packages if p.requested]
        if not requested and packages:
            requested = list(top_level_packages(tuple(_as_requested(packages))))
            sources.notes.append(
                "no package is marked as asked for (REQUESTED): chose those no other package requires"
            )
        chosen = [(p, "asked for (REQUESTED)", "", "") for p in requested]
        if chosen:
            sources.notes.append(
                "their dependencies are resolved again (--exact pins every distribution as installed)"
            )
    seen: set[str] = set()
    seeds = set() if exact or record is not None else _SEEDS
    left: list[str] = []
    for package, why, extras, marker in chosen:
        key = canonicalize_name(package.name)
        if key in seeds and key != "pip":  # pip: never carried, the venv makes its own
            left.append(package.name)
        if key == "pip" or key in seeds or key in seen:
            continue
        seen.add(key)
        carried = carry(package, why, extras=extras, marker=marker)
        if isinstance(carried, NotCarried):
            sources.not_carried.append(carried)
        else:
            sources.requirements.append(carried)
    if left:
        sources.notes.append(
            f"{', '.join(sorted(set(left)))}: the new environment gets its own Python's (the old ones came "
            "with the venv, as ensurepip seeds it; pip freeze leaves them out too)"
        )
    sources.not_carried += _stray_scripts(prefix, packages)
    sources.requirements.sort(key=lambda r: (not r.text.startswith("--editable="), canonicalize_name(r.name)))
    return sources


# What `python -m venv` (ensurepip) puts in every environment, marked as asked for: carried with
# a pin, a rebuild on another Python asked for setuptools==66.1.1 (Debian's), which no index may
# have for it. The new environment gets what its own Python seeds; what needs them requires them.
_SEEDS = frozenset({"pip", "setuptools", "wheel", "distribute"})


def _as_requested(packages: list[Package]) -> list[Package]:
    """Nothing says what was asked for: top_level_packages then keeps those nothing else requires."""
    from dataclasses import replace

    return [replace(p, requested=None) for p in packages]


def _from_record(
    record: ToolRecord, by_name: dict[str, Package], sources: Sources
) -> list[tuple[Package, str, str, str]]:
    chosen = []
    for spec in (record.main_spec, *record.others):
        name = _spec_name(spec) or (record.main if spec == record.main_spec else None)
        package = by_name.get(canonicalize_name(name)) if name else None
        if package is None:
            sources.not_carried.append(
                NotCarried(name or spec, f"named in {record.tool}'s record, not installed")
            )
            continue
        extras = _spec_extras(spec)
        chosen.append((package, f"{record.tool}'s record", extras, ""))
    for ignored in record.ignored:
        sources.not_carried.append(
            NotCarried("pip arguments", f"{ignored!r} from {record.tool}'s record (pip's own config applies)")
        )
    return chosen


def _spec_name(spec: str) -> str | None:
    try:
        return Requirement(spec).name
    except InvalidRequirement:
        return None


def _spec_extras(spec: str) -> str:
    try:
        extras = sorted(Requirement(spec).extras)
    except InvalidRequirement:
        return ""
    return "[" + ",".join(extras) + "]" if extras else ""


def _project_of(env: Environment, prefix: Path) -> Path | None:
    for candidate in (env.project, prefix.parent):
        if candidate is not None and os.path.isfile(candidate / "pyproject.toml"):
            return candidate
    return None


def _from_project(
    env: Environment, prefix: Path, packages: list[Package], by_name: dict[str, Package], sources: Sources
) -> list[tuple[Package, str, str, str]]:
    """uv wrote REQUESTED for every package: the project's declared dependencies say what was asked."""
    project = _project_of(env, prefix)
    declared = declared_dependencies(project) if project is not None else None
    if project is None or declared is None:
        sources.notes.append(
            "uv installed these packages and marks every one as asked for: chose those no other "
            "package requires (no project pyproject.toml to read)"
        )
        return [(p, "asked for (uv)", "", "") for p in top_level_packages(tuple(_as_requested(packages)))]
    sources.notes.append(
        f"uv installed these packages: the project's declared dependencies ({project}) say what was asked for"
    )
    chosen: list[tuple[Package, str, str, str]] = []
    own = project_name(project)
    if own and canonicalize_name(own) in by_name:
        chosen.append((by_name[canonicalize_name(own)], "the project itself", "", ""))
    for requirement in declared:
        package = by_name.get(canonicalize_name(requirement.name))
        if package is None:
            if requirement.marker is None:
                sources.not_carried.append(
                    NotCarried(requirement.name, "declared by the project, not installed")
                )
            continue
        extras = "[" + ",".join(sorted(requirement.extras)) + "]" if requirement.extras else ""
        marker = str(requirement.marker) if requirement.marker is not None else ""
        chosen.append((package, "declared by the project", extras, marker))
    return chosen


_VENV_SCRIPTS = (
    "activate",
    "Activate.ps1",
    "deactivate.bat",
    "python",
    "pythonw",
    "pip",
    "pydoc",
    "__pycache__",
)


def _stray_scripts(prefix: Path, packages: list[Package]) -> list[NotCarried]:
    """Files in bin/ (Scripts/) that no installed distribution's RECORD lists and the tools that
    make environments do not write: hooks and scripts a person put there. A rebuild does not make
    them again, so the plan names them (they go with the old environment)."""
    import csv

    bindir = prefix / ("Scripts" if os.path.isdir(prefix / "Scripts") else "bin")
    try:
        names = sorted(os.listdir(bindir))
    except OSError:
        return []
    names = [n for n in names if not n.startswith(_VENV_SCRIPTS)]
    if not names:
        return []
    recorded: set[str] = set()
    for package in packages:
        if package.metadata_path is None or package.location is None:
            continue
        try:
            text = fsio.read_text(package.metadata_path / "RECORD", fsio.RECORD_FILE)
        except (OSError, ValueError):
            continue
        for row in csv.reader(text.splitlines()):
            if row:
                recorded.add(os.path.normpath(os.path.join(package.location, row[0])))
    return [
        NotCarried(f"{bindir.name}/{name}", "not from any package (a script or hook put there by hand)")
        for name in names
        if os.path.normpath(bindir / name) not in recorded
    ]
