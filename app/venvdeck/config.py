"""User configuration: an optional TOML file adding roots and excluded folders.

Precedence: command line > VENVDECK_* variables > file > defaults.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from venvdeck.errors import ConfigError

DEFAULT_SCAN_DEPTH = 12
MIN_TIMEOUT_S = 1.0
MAX_TIMEOUT_S = 7 * 86400.0
MAX_CONFIG_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class Config:
    roots: tuple[Path, ...] = ()
    exclude: tuple[Path, ...] = ()
    scan_depth: int = DEFAULT_SCAN_DEPTH
    pip_timeout_s: float = 900.0
    backend: str = "pip"
    theme: str = "textual-dark"
    keymap: tuple[tuple[str, str], ...] = ()  # (binding id, keys): [keymap] "venvdeck.refresh" = "f5"
    source: Path | None = None


def default_config_path(env: Mapping[str, str]) -> Path:
    if env.get("VENVDECK_CONFIG"):
        return Path(env["VENVDECK_CONFIG"])
    if sys.platform == "linux":  # platformdirs' rule on Linux, without its import cost at start-up
        base = env.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        return Path(base) / "venvdeck" / "config.toml"
    from platformdirs import user_config_path

    return user_config_path("venvdeck") / "config.toml"


def _paths(value: object, key: str, source: Path) -> tuple[Path, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{source}: '{key}' must be a list of folder paths")
    if any(ord(c) < 32 for v in value for c in v):
        raise ConfigError(f"{source}: '{key}' holds a path with a control character")
    return tuple(Path(os.path.expanduser(v)).absolute() for v in value)


def _keymap(value: object, source: Path) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f'{source}: \'keymap\' must be a table such as [keymap] "venvdeck.refresh" = "f5"')
    pairs = []
    for binding_id, keys in value.items():
        if (
            not binding_id.startswith("venvdeck.")
            or not isinstance(keys, str)
            or not keys.strip()
            or any(ord(c) < 32 for c in keys)
        ):
            raise ConfigError(
                f"{source}: keymap entry '{binding_id}' must name a venvdeck binding "
                '(such as "venvdeck.refresh") and give its keys as a string (such as "f5,ctrl+r")'
            )
        pairs.append((binding_id, keys))
    return tuple(pairs)


def _parse(data: dict[str, object], source: Path) -> Config:
    known = {f.name for f in fields(Config)} - {"source"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown setting '{unknown[0]}' (known: {', '.join(sorted(known))})")
    values: dict[str, object] = {"source": source}
    for key in ("roots", "exclude"):
        if key in data:
            values[key] = _paths(data[key], key, source)
    if "scan_depth" in data:
        depth = data["scan_depth"]
        if not isinstance(depth, int) or isinstance(depth, bool) or not 0 < depth <= 64:
            raise ConfigError(f"{source}: 'scan_depth' must be a whole number from 1 to 64")
        values["scan_depth"] = depth
    if "pip_timeout_s" in data:
        timeout = data["pip_timeout_s"]
        if (
            not isinstance(timeout, int | float)
            or isinstance(timeout, bool)
            or not math.isfinite(timeout)
            or not MIN_TIMEOUT_S <= timeout <= MAX_TIMEOUT_S
        ):
            raise ConfigError(
                f"{source}: 'pip_timeout_s' must be a number of seconds from {MIN_TIMEOUT_S:g} to {MAX_TIMEOUT_S:g}"
            )
        values["pip_timeout_s"] = float(timeout)
    if "backend" in data:
        if data["backend"] not in {"pip", "uv"}:
            raise ConfigError(f'{source}: \'backend\' must be "pip" or "uv"')
        values["backend"] = data["backend"]
    if "theme" in data:
        if not isinstance(data["theme"], str) or not data["theme"].strip():
            raise ConfigError(f"{source}: 'theme' must be a string")
        values["theme"] = data["theme"]
    if "keymap" in data:
        values["keymap"] = _keymap(data["keymap"], source)
    return Config(**values)  # type: ignore[arg-type]


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file (a missing default file is fine; a named missing one is an error)."""
    env = os.environ if env is None else env
    explicit = path is not None or bool(env.get("VENVDECK_CONFIG"))
    source = path or default_config_path(env)
    from venvdeck.services import fsio

    try:
        text = fsio.read_text(source, MAX_CONFIG_BYTES, errors="strict")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"config file not found: {source}") from None
        return Config()
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read config file {source}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {source}: {exc.strerror or exc}") from None
    import tomllib  # only when a config file exists

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    return _parse(data, source)
