"""What an environment holds, read from its folder alone: its interpreter may be gone (a broken
environment), so nothing is asked of it. site-packages is found from the folder layout
(`lib/pythonX.Y/site-packages`, `Lib/site-packages`) and read as that environment's pip would list
it (read/packages.py's rules, for its Python version and the pip found there)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.services import fsio
from venvdeck.services.find import layout
from venvdeck.services.read.packages import PipRules, build_packages, collect, raw_pip_version

if TYPE_CHECKING:
    from venvdeck.models import Environment, Package


def site_packages_folders(prefix: Path) -> list[Path]:
    """The site-packages folders of an environment, from its layout (no interpreter asked)."""
    found: list[Path] = []
    seen: set[str] = set()
    candidates = [prefix / "lib" / f"python{v}" / "site-packages" for v in layout.lib_python_versions(prefix)]
    candidates += [
        prefix / "lib" / f"python{v}t" / "site-packages" for v in layout.lib_python_versions(prefix)
    ]
    candidates += [prefix / "Lib" / "site-packages"]
    for folder in candidates:
        real = os.path.realpath(folder)
        if real not in seen and os.path.isdir(folder):
            seen.add(real)
            found.append(folder)
    return found


def version_tuple(version: str | None) -> tuple[int, int, int]:
    parts: list[int] = []
    for piece in (version or "3").split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    while len(parts) < 3:
        parts.append(0)
    return (parts[0], parts[1], parts[2])


def pth_folders(site: Path, version: tuple[int, int, int], known: set[str]) -> list[Path]:
    """The folders a site-packages folder's `.pth` files add to the path, as site reads them
    (import lines are not run, only skipped): legacy editables (`setup.py develop`, an
    easy-install.pth or __editable__ path line) live there."""
    try:
        names = sorted(os.listdir(site))
    except OSError:
        return []
    found: list[Path] = []
    for name in names:
        if not name.endswith(".pth") or (name.startswith(".") and version >= (3, 13, 0)):
            continue
        try:
            text = fsio.read_text(site / name, fsio.TEXT_FILE)
        except (OSError, ValueError):
            continue
        for line in text.splitlines():
            if not line.strip() or line.startswith("#") or line.startswith(("import ", "import\t")):
                continue
            folder = os.path.abspath(os.path.join(site, line.rstrip()))
            if folder not in known and os.path.isdir(folder):
                known.add(folder)
                found.append(Path(folder))
    return found


def installed_packages(env: Environment, prefix: Path | None = None) -> tuple[list[Package], str | None]:
    """Every distribution installed in the environment, as its pip would list it, from disk."""
    version = version_tuple(env.python_version)
    sites = site_packages_folders(prefix or env.path)
    known = {os.path.abspath(f) for f in sites}
    folders = [*sites, *(extra for site in sites for extra in pth_folders(site, version, known))]
    dists = collect(folders)
    pip_version = raw_pip_version(dists)
    rules = PipRules.for_environment(version, pip_version)
    return build_packages(dists, folders, rules), pip_version
