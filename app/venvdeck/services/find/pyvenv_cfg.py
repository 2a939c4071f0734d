"""Reading `pyvenv.cfg` as venv, virtualenv 20/21 and uv write it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from venvdeck.services import fsio


@dataclass(frozen=True, slots=True)
class PyvenvCfg:
    """The keys of one pyvenv.cfg, in file order, with the few that matter picked out."""

    items: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str | None:
        wanted = key.lower()
        for name, value in self.items:
            if name.lower() == wanted:
                return value
        return None

    @property
    def home(self) -> str | None:
        return self.get("home")

    @property
    def include_system_site_packages(self) -> bool:
        return (self.get("include-system-site-packages") or "").lower() == "true"

    @property
    def creator(self) -> str:
        """'uv', 'virtualenv' or 'venv' from the keys each tool writes."""
        if self.get("uv") is not None:
            return "uv"
        if self.get("virtualenv") is not None:
            return "virtualenv"
        return "venv"

    @property
    def version(self) -> str | None:
        """The full Python version, e.g. 3.11.7, from `version` or `version_info`."""
        for key in ("version", "version_info", "python-version"):
            value = self.get(key)
            if value:
                return normalise_version_info(value)
        return None

    @property
    def prompt(self) -> str | None:
        value = self.get("prompt")
        return _unquote(value) if value else None

    @property
    def base_executable(self) -> str | None:
        return self.get("base-executable") or self.get("executable")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def normalise_version_info(value: str) -> str:
    """`3.11.7.final.0` → `3.11.7`; `3.13.0rc1` and `3.11.7` stay as they are."""
    parts = value.strip().split(".")
    if len(parts) >= 5 and parts[3] in {"final", "alpha", "beta", "candidate"}:
        marks = {"alpha": "a", "beta": "b", "candidate": "rc"}
        base = ".".join(parts[:3])
        return base if parts[3] == "final" else f"{base}{marks[parts[3]]}{parts[4]}"
    return value.strip()


def parse_pyvenv_cfg(text: str) -> PyvenvCfg:
    items: list[tuple[str, str]] = []
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            items.append((key.strip(), value.strip()))
    return PyvenvCfg(tuple(items))


def read_pyvenv_cfg(path: Path) -> PyvenvCfg | None:
    """Parse `path` (the file), or None when it cannot be read (a FIFO, a device, gone).

    Only its first kilobytes are read: a real one is a few hundred bytes.
    """
    try:
        return parse_pyvenv_cfg(fsio.read_text(path, fsio.SMALL_FILE, truncate=True))
    except (OSError, ValueError):
        return None
