"""What pip freeze learns about an editable install's folder from git (pip's Git backend)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath

from venvdeck.errors import InterpreterError
from venvdeck.services import process

_SCP = re.compile(r"^(\w+@)?(?P<host>[^/:]+):(?P<path>\w[^:]*)$")
_URL = re.compile(r"^\w+://")
GIT_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class GitState:
    """What pip's freeze needs: a requirement, or the reason it fell back to a plain path."""

    requirement: str | None  # `git+URL@SHA#egg=name[&subdirectory=..]`
    no_remote: bool = False
    invalid_remote: str | None = None


def _git(location: Path, *args: str) -> str | None:
    try:
        # No hooks or monitors: git only answers questions about the checkout here.
        argv = ["git", "-c", "core.fsmonitor=false", *args]
        result = process.run(argv, cwd=location, timeout=GIT_TIMEOUT_S, max_output=64 * 1024)
    except InterpreterError:
        return None
    return result.stdout.strip() if result.ok else None


def _remote_to_pip_url(url: str) -> str | None:
    """pip's Git._git_remote_to_pip_url; None when the remote is not a usable URL."""
    if _URL.match(url):
        return url
    if os.path.exists(url):
        return PurePath(url).as_uri()
    match = _SCP.match(url)
    if match:
        return match.expand(r"ssh://\1\g<host>/\g<path>")
    return None


def _subdirectory(location: Path, toplevel: str) -> str:
    return os.path.relpath(os.path.realpath(location), os.path.realpath(toplevel))


def git_state(location: Path, project_name: str) -> GitState | None:
    """None when location is not in a git work tree (or git is not installed)."""
    toplevel = _git(location, "rev-parse", "--show-toplevel")
    if toplevel is None:
        return None
    remotes = _git(location, "config", "--get-regexp", r"remote\..*\.url")
    lines = (remotes or "").splitlines()
    if not lines:
        return GitState(requirement=None, no_remote=True)
    chosen = next((line for line in lines if line.startswith("remote.origin.url ")), lines[0])
    raw_url = chosen.split(" ", 1)[1].strip() if " " in chosen else ""
    url = _remote_to_pip_url(raw_url)
    if url is None:
        return GitState(requirement=None, invalid_remote=raw_url)
    if not url.lower().startswith("git:"):
        url = f"git+{url}"
    revision = _git(location, "rev-parse", "HEAD")
    if revision is None:
        return None
    requirement = f"{url}@{revision}#egg={project_name.replace('-', '_')}"
    subdirectory = _subdirectory(location, toplevel)
    if subdirectory != ".":
        requirement += f"&subdirectory={subdirectory}"
    return GitState(requirement=requirement)
