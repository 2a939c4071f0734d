"""What an upgrade would change, asked of the tool that will do it before anything runs.

pip (22.2 and later) answers `install --dry-run --report -` with a JSON report of every
distribution it would install; uv answers `pip install --dry-run` with `- name==old` and
`+ name==new` lines. Either is read into lines a person reads: `rich 13.3.1 → 13.9.4`. The dry run
reaches the index as the upgrade would, for wheels only (no build backend runs before the user
says yes); when it cannot answer (no index, an old pip, a source-only release, a timeout), the
plan says so and the upgrade can still run.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from venvdeck.errors import InterpreterError
from venvdeck.services import process

if TYPE_CHECKING:
    from venvdeck.models import Package

PREVIEW_TIMEOUT_S = 30.0  # a preview that cannot reach the index fails soon; the upgrade may still run
_UV_LINE = re.compile(r"^\s*([+-])\s+([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _dry_run_argv(argv: Sequence[str], uv: bool) -> list[str]:
    """The upgrade's own command, asked only what it would do (the options before its `--`).
    Wheels only: a source release's build backend is code from the index, and it must not run
    before the user has said yes (the upgrade itself builds it, once confirmed)."""
    at = list(argv).index("--") if "--" in argv else len(argv)
    asked = ["--dry-run", "--only-binary", ":all:"]
    if not uv:
        # One retry: with none, pip says nothing at all of an index that does not answer.
        asked += ["--quiet", "--report", "-", "--retries", "1", "--timeout", "10"]
    return [*argv[:at], *asked, *argv[at:]]


def _changes(
    before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]], asked: set[str]
) -> tuple[str, ...]:
    """'name old → new' for each distribution that changes, what was asked for first."""
    lines: list[tuple[bool, str, str]] = []
    for key, (name, new) in after.items():
        old = before.get(key, (name, ""))[1]
        if old == new:
            continue
        text = f"{name} {old} → {new}" if old else f"{name} {new} (new)"
        lines.append((key not in asked, key, text))
    for key in sorted(asked - after.keys()):
        name, version = before.get(key, (key, "?"))
        lines.append(
            (
                False,
                key,
                f"{name} {version}: no newer wheel found (a newer source release is built only once you confirm)",
            )
        )
    return tuple(text for _dep, _key, text in sorted(lines))


def preview_upgrade(
    argv: Sequence[str], installed: Sequence[Package], asked: Sequence[str], uv: bool
) -> tuple[tuple[str, ...], str | None]:
    """(the version changes, None); ((), why the dry run could not say); or (the changes it saw,
    what it warned of)."""
    before: dict[str, tuple[str, str]] = {canonicalize_name(p.name): (p.name, p.version) for p in installed}
    wanted: set[str] = {canonicalize_name(n) for n in asked}
    try:
        # From the root folder, as the upgrade runs: a uv.toml or pip.conf in venvdeck's own working
        # folder would answer for another configuration.
        result = process.run(_dry_run_argv(argv, uv), timeout=PREVIEW_TIMEOUT_S, cwd=Path(os.sep))
    except InterpreterError as exc:
        return (), f"what would change is not known: {exc}"
    if not result.ok:
        detail = result.stderr_tail(1) or f"exit status {result.returncode}"
        return (), f"what would change is not known: the dry run failed ({detail})"
    after: dict[str, tuple[str, str]] = {}
    if uv:
        for line in (result.stdout + "\n" + result.stderr).splitlines():
            match = _UV_LINE.match(line)
            if match is not None and match.group(1) == "+":
                after[canonicalize_name(match.group(2))] = (match.group(2), match.group(3))
    else:
        try:
            report = json.loads(result.stdout)
            for item in report.get("install", []):
                metadata = item["metadata"]
                after[canonicalize_name(metadata["name"])] = (str(metadata["name"]), str(metadata["version"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return (), "what would change is not known: the dry run's report could not be read"
    # pip's dry run ends well with an empty report when the index cannot be reached: its
    # warnings say so ("Could not fetch URL", "Retrying", "connection refused").
    said = [
        line.strip() for line in result.stderr.splitlines() if line.strip().startswith(("WARNING", "ERROR"))
    ]
    if said:
        first = said[0] if len(said[0]) <= 160 else said[0][:159] + "…"
        if not after:
            return (), f"what would change is not known: {first}"
        # Another index (an extra one that is down) may hold newer releases than those listed.
        return _changes(before, after, wanted), f"what would change may be incomplete: {first}"
    return _changes(before, after, wanted), None
