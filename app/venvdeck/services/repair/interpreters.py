"""Every base interpreter on the machine, and what depends on each.

Discovery finds pyenv's and uv's Pythons, conda bases and the interpreters on PATH; this adds the
installs nothing walks into: Homebrew's Cellar (`Cellar/python@3.X/3.X.Y`, under /opt/homebrew,
/usr/local or Linuxbrew), python.org's `/Library/Frameworks/Python.framework/Versions/X.Y`, and on
Windows the installs registered under PEP 514 (read with winreg there; the parsing is plain data).

An environment depends on the interpreter its pyvenv.cfg names (`base-executable`, `executable`,
or `home` plus the interpreter's name), followed through symbolic links to the real file; pipx and
uv tool environments are environments like the others. A Jupyter kernel depends on the
interpreter it runs, or on the one its environment was made from. An environment whose
interpreter is gone is grouped under the install it lost, as its pyvenv.cfg still names it, so
"4 environments lost Python 3.11.6 (/opt/homebrew/Cellar/python@3.11/3.11.6)" reads at a glance.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from venvdeck.models import (
    BaseInterpreter,
    Dependent,
    DependentKind,
    Environment,
    Kind,
    Manager,
    Status,
)
from venvdeck.services.find import layout
from venvdeck.services.find.classify import base_install_for_interpreter
from venvdeck.services.find.locations import known_locations

if TYPE_CHECKING:
    from venvdeck.models import (
        Kernelspec,
    )
    from venvdeck.services.find.locations import KnownLocations

HOMEBREW_PREFIXES = (Path("/opt/homebrew"), Path("/usr/local"), Path("/home/linuxbrew/.linuxbrew"))
FRAMEWORKS = (Path("/Library/Frameworks/Python.framework/Versions"),)
_CELLAR_FORMULA = re.compile(r"^python(@\d+\.\d+)?$")
_CELLAR_VERSION = re.compile(r"^(\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)(?:_\d+)?$")
_FRAMEWORK_VERSION = re.compile(r"^\d+\.\d+t?$")


# ---- where else base interpreters live -----------------------------------------------------------


def homebrew_installs(prefixes: Iterable[Path], loc: KnownLocations) -> list[Environment]:
    """Every Python in Homebrew's Cellar: `Cellar/python@3.X/3.X.Y[_N]`, whose interpreter is in
    `Frameworks/Python.framework/Versions/3.X` on macOS and in the version folder on Linux."""
    found: list[Environment] = []
    for prefix in prefixes:
        cellar = prefix / "Cellar"
        try:
            formulas = sorted(n for n in os.listdir(cellar) if _CELLAR_FORMULA.match(n))
        except OSError:
            continue
        for formula in formulas:
            try:
                versions = sorted(os.listdir(cellar / formula))
            except OSError:
                continue
            for version in versions:
                match = _CELLAR_VERSION.match(version)
                if not match:
                    continue
                folder = cellar / formula / version
                short = ".".join(match[1].split(".")[:2])
                for install in (folder / "Frameworks" / "Python.framework" / "Versions" / short, folder):
                    env = _install(install, short, loc, match[1])
                    if env is not None:
                        found.append(env)
                        break
    return found


def framework_installs(roots: Iterable[Path], loc: KnownLocations) -> list[Environment]:
    """python.org's installers: `/Library/Frameworks/Python.framework/Versions/X.Y` (not `Current`)."""
    found: list[Environment] = []
    for root in roots:
        try:
            names = sorted(n for n in os.listdir(root) if _FRAMEWORK_VERSION.match(n))
        except OSError:
            continue
        for name in names:
            if os.path.islink(root / name):
                continue
            env = _install(root / name, name.rstrip("t"), loc, None)
            if env is not None:
                found.append(env)
    return found


def _install(prefix: Path, short: str, loc: KnownLocations, version: str | None) -> Environment | None:
    for name in (f"python{short}", "python3"):
        executable = prefix / "bin" / name
        if os.path.exists(executable):
            env = base_install_for_interpreter(executable, loc)
            if env is None:
                return None
            if version and (env.python_version or "").count(".") < 2:
                env = replace(env, python_version=version)
            return env
    return None


@dataclass(slots=True)
class RegistryKey:
    """One registry key as plain data: its values ("" is the default value) and subkeys."""

    values: dict[str, str] = field(default_factory=dict)
    subkeys: dict[str, RegistryKey] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RegisteredPython:
    company: str
    tag: str
    prefix: Path
    executable: Path
    version: str | None
    display_name: str | None


def parse_pep514(roots: Sequence[RegistryKey]) -> list[RegisteredPython]:
    """PEP 514: `Software\\Python\\<Company>\\<Tag>` with an `InstallPath` subkey (its default value
    is the prefix, `ExecutablePath` the interpreter). Roots are the `Software\\Python` keys of
    HKCU, HKLM and HKLM's 32-bit view, in that order; the first registration of an interpreter wins.
    PyLauncher is the launcher, not a Python."""
    found: list[RegisteredPython] = []
    seen: set[str] = set()
    for root in roots:
        for company, company_key in sorted(root.subkeys.items()):
            if company == "PyLauncher":
                continue
            for tag, tag_key in sorted(company_key.subkeys.items()):
                install = tag_key.subkeys.get("InstallPath")
                prefix_text = install.values.get("") if install is not None else None
                if install is None or not prefix_text:
                    continue
                prefix = Path(prefix_text)
                executable = Path(install.values.get("ExecutablePath") or str(prefix / "python.exe"))
                key = os.path.normcase(str(executable))
                if key in seen:
                    continue
                seen.add(key)
                version = tag_key.values.get("Version") or tag_key.values.get("SysVersion")
                if version is None and company == "PythonCore":
                    version = tag.split("-")[0].rstrip("t") or None
                found.append(
                    RegisteredPython(
                        company, tag, prefix, executable, version, tag_key.values.get("DisplayName")
                    )
                )
    return found


def registered_installs(registered: Sequence[RegisteredPython]) -> list[Environment]:
    envs = []
    for entry in registered:
        exists = os.path.exists(entry.executable)
        envs.append(
            Environment(
                path=entry.prefix,
                kind=Kind.PYTHON,
                manager=None,
                interpreter=entry.executable,
                python_version=entry.version,
                status=Status.OK if exists else Status.BROKEN,
                broken_reason=None if exists else "its registered interpreter is missing",
            )
        )
    return envs


def read_windows_registry() -> list[RegistryKey]:  # pragma: no cover - Windows only
    """The PEP 514 `Software\\Python` keys of this Windows machine, as plain data."""
    if sys.platform != "win32":
        return []
    import winreg

    def read(handle: Any, depth: int) -> RegistryKey:
        key = RegistryKey()
        index = 0
        while True:
            try:
                name, value, _kind = winreg.EnumValue(handle, index)
            except OSError:
                break
            if isinstance(value, str):
                key.values[name] = value
            index += 1
        index = 0
        while depth > 0:
            try:
                sub = winreg.EnumKey(handle, index)
            except OSError:
                break
            try:
                with winreg.OpenKey(handle, sub) as child:
                    key.subkeys[sub] = read(child, depth - 1)
            except OSError:
                pass
            index += 1
        return key

    roots = []
    for hive, path in (
        (winreg.HKEY_CURRENT_USER, r"Software\Python"),
        (winreg.HKEY_LOCAL_MACHINE, r"Software\Python"),
        (winreg.HKEY_LOCAL_MACHINE, r"Software\WOW6432Node\Python"),
    ):
        try:
            with winreg.OpenKey(hive, path) as handle:
                roots.append(read(handle, 3))
        except OSError:
            continue
    return roots


def platform_installs(
    environ: Mapping[str, str] | None = None,
    *,
    homebrew: Iterable[Path] = HOMEBREW_PREFIXES,
    frameworks: Iterable[Path] = FRAMEWORKS,
    registry: Sequence[RegistryKey] | None = None,
) -> list[Environment]:
    """Base installs in the places discovery's walk does not go (see the module's docstring)."""
    loc = known_locations(environ)
    found = homebrew_installs(homebrew, loc) + framework_installs(frameworks, loc)
    roots = read_windows_registry() if registry is None else registry
    return found + registered_installs(parse_pep514(roots))


# ---- grouping dependents -------------------------------------------------------------------------


def _source(env: Environment, loc: KnownLocations) -> str:
    text = str(env.path)
    if env.manager is Manager.PYENV:
        return "pyenv"
    if env.manager is Manager.UV:
        return "uv"
    if env.kind is Kind.CONDA:
        return "conda"
    if "/Cellar/python" in text:
        return "homebrew"
    if "Python.framework/Versions" in text:
        return "python.org"
    if sys.platform == "win32" or (env.interpreter is not None and env.interpreter.suffix == ".exe"):
        return "registry"
    return "path"


def _is_conda_base(env: Environment) -> bool:
    return env.kind is Kind.CONDA and any(
        os.path.lexists(env.path / name) for name in ("condabin", "envs", "bin/conda")
    )


def _real(path: Path | str) -> str:
    return os.path.realpath(path)


def named_bases(env: Environment) -> list[Path]:
    """The base interpreter an environment names, most precise first (pyvenv.cfg, its links)."""
    cfg = {k.lower(): v for k, v in env.pyvenv_cfg}
    named: list[Path] = []
    for key in ("base-executable", "executable"):
        if cfg.get(key):
            named.append(Path(cfg[key]))
    home = cfg.get("home")
    short = _short(env.python_version)
    if home:
        names = [f"python{short}"] if short else []
        names += ["python3", "python", "python.exe"]
        existing = [Path(home) / n for n in names if os.path.lexists(Path(home) / n)]
        named += existing or [Path(home) / names[0]]
    if env.base_interpreter is not None:
        named.append(env.base_interpreter)
    if env.interpreter is not None and os.path.islink(env.interpreter):
        named.append(env.interpreter)
    return list(dict.fromkeys(named))


def _short(version: str | None) -> str | None:
    if not version:
        return None
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def lost_install(named: Path) -> Path:
    """The install a missing interpreter belonged to: a Cellar version, a framework version, a
    pyenv or uv version folder, else the folder above its bin/."""
    parts = named.parts
    for i, part in enumerate(parts):
        if part == "Cellar" and i + 2 < len(parts):
            return Path(*parts[: i + 3])
        if part == "Python.framework" and i + 2 < len(parts) and parts[i + 1] == "Versions":
            return Path(*parts[: i + 3])
        if part == "versions" and i + 1 < len(parts) and layout.version_from_dir_name(parts[i + 1]):
            return Path(*parts[: i + 2])
        if part.startswith(("cpython-", "pypy-")) and i > 0 and parts[i - 1] == "python":
            return Path(*parts[: i + 1])
    if named.name in {"bin", "Scripts"}:
        return named.parent
    if named.parent.name in {"bin", "Scripts"}:
        return named.parent.parent
    return named.parent if named.name.lower().startswith("python") else named


def _lost_version(install: Path, env: Environment) -> str | None:
    for part in reversed(install.parts):
        match = _CELLAR_VERSION.match(part)
        if match:
            return match[1]
        found = layout.version_from_dir_name(part)
        if found:
            return found
    return env.python_version


@dataclass(slots=True)
class _Group:
    path: Path
    prefix: Path
    version: str | None
    source: str
    missing: bool
    environment: Environment | None
    dependents: list[Dependent] = field(default_factory=list)
    real_envs: set[str] = field(default_factory=set)


def _contains(folder: str, path: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def group_interpreters(
    environments: Sequence[Environment],
    kernels: Sequence[Kernelspec] = (),
    extra_bases: Sequence[Environment] = (),
    environ: Mapping[str, str] | None = None,
) -> list[BaseInterpreter]:
    """Each base interpreter with its dependents; lost interpreters (named by broken environments
    or dead kernels) grouped by the install they belonged to. Found ones newest first, then lost."""
    loc = known_locations(environ)
    bases = [e for e in [*environments, *extra_bases] if e.kind is Kind.PYTHON or _is_conda_base(e)]
    groups: list[_Group] = []
    by_executable: dict[str, _Group] = {}
    for base in bases:
        if base.interpreter is None or not os.path.exists(base.interpreter):
            continue
        key = _real(base.interpreter)
        if key in by_executable:
            continue
        group = _Group(base.interpreter, base.path, base.python_version, _source(base, loc), False, base)
        by_executable[key] = group
        groups.append(group)
    lost: dict[str, _Group] = {}

    def lost_group(named: Path, env: Environment | None) -> _Group:
        install = lost_install(named)
        key = str(install)
        if key not in lost:
            version = _lost_version(install, env) if env is not None else _lost_version(install, _NO_ENV)
            lost[key] = _Group(named, install, version, "lost", True, None)
        return lost[key]

    def owner_of(candidates: Sequence[Path], version: str | None) -> _Group | None:
        for candidate in candidates:
            if not os.path.exists(candidate):
                continue
            real = _real(candidate)
            if real in by_executable:
                return by_executable[real]
            for group in groups:
                if _contains(_real(group.prefix), real) and _short(group.version) == _short(version):
                    return group
        return None

    env_group: dict[str, _Group] = {}
    for env in environments:
        if env.kind in {Kind.PYTHON, Kind.CONDA}:
            continue
        named = named_bases(env)
        owner = owner_of(named, env.python_version)
        if owner is None:
            if not named:
                continue
            if not any(os.path.exists(n) for n in named):
                owner = lost_group(named[0], env)  # broken or not: what it names is gone
            else:
                real = Path(_real(next(n for n in named if os.path.exists(n))))
                owner = _Group(real, lost_install(real), env.python_version, "other", False, None)
                by_executable[str(real)] = owner
                groups.append(owner)
        group = owner
        group.dependents.append(Dependent(env.path, DependentKind.ENVIRONMENT, env.name, env.is_broken))
        group.real_envs.add(_real(env.path))
        env_group[_real(env.path)] = group
    for kernel in kernels:
        if kernel.interpreter is None:
            continue
        runs: _Group | None = None
        if kernel.environment is not None:
            runs = env_group.get(_real(kernel.environment))
        if runs is None and os.path.exists(kernel.interpreter):
            runs = by_executable.get(_real(kernel.interpreter))
        if runs is None and kernel.environment is None and not os.path.exists(kernel.interpreter):
            runs = lost_group(kernel.interpreter, None)
        if runs is not None:
            runs.dependents.append(
                Dependent(kernel.path, DependentKind.KERNEL, kernel.name, kernel.state.value != "ok")
            )
    from venvdeck.formatting import natural_key

    found = sorted(groups, key=lambda g: natural_key(g.version or "0"), reverse=True)
    ordered = found + sorted(lost.values(), key=lambda g: str(g.prefix))
    return [
        BaseInterpreter(
            path=g.path,
            prefix=g.prefix,
            version=g.version,
            source=g.source,
            dependents=tuple(g.dependents),
            missing=g.missing,
            environment=g.environment,
        )
        for g in ordered
    ]


_NO_ENV = Environment(path=Path(os.sep), kind=Kind.VENV, manager=None, interpreter=None, python_version=None)
