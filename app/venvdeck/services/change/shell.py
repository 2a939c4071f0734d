"""Activating an environment: the command for each shell, and a shell started inside it.

Every value placed in a command line is quoted for that shell's own rules (sh/bash/zsh, fish,
csh/tcsh, nushell, PowerShell, cmd); where a shell cannot quote a value safely (a newline for csh,
a `%` for cmd), it gets no command and a reason instead. The shell venvdeck starts runs nothing
from the environment's folder: its variables are set directly (the environment's own activate
script is not sourced) and the prompt shows the name with only characters no shell expands.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from venvdeck.errors import RefusedError
from venvdeck.models import ActivationCommand, Kind, ShellLaunch

if TYPE_CHECKING:
    from venvdeck.models import Environment

SHELLS = ("bash", "zsh", "fish", "csh", "tcsh", "nu", "pwsh", "cmd", "sh")
_PROMPT_UNSAFE = re.compile(r"[^\w .,:+=/@#~^()\[\]{}-]")


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def quote_posix(text: str) -> str:
    return shlex.quote(text)


def quote_fish(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_csh(text: str) -> str | None:
    """csh expands `!` even inside single quotes and cannot quote a newline at all."""
    if "\n" in text or "\r" in text:
        return None
    return "'" + text.replace("'", "'\\''").replace("!", "'\\!'") + "'"


def quote_nu(text: str) -> str:
    """A raw string r#'...'# with more #s than any run of #s in the text."""
    hashes = "#" * (max((len(m) for m in re.findall(r"#+", text)), default=0) + 1)
    return f"r{hashes}'{text}'{hashes}"


def quote_powershell(text: str) -> str:
    """Single quotes; PowerShell also reads the typographic single quotes as quotes: double them all."""
    return "'" + re.sub(r"(['\u2018\u2019\u201a\u201b])", r"\1\1", text) + "'"


def quote_cmd(text: str) -> str | None:
    """cmd expands %VAR% (and !VAR!) even inside double quotes and cannot escape a quote there."""
    if any(c in text for c in '"%!') or _has_control(text):
        return None
    return f'"{text}"'


def _scripts(env: Environment) -> Path:
    windows = os.path.isdir(env.path / "Scripts") and not os.path.isdir(env.path / "bin")
    return env.path / ("Scripts" if windows else "bin")


def _command(shell: str, quote: Callable[[str], str | None], template: str, value: str) -> ActivationCommand:
    quoted = quote(value)
    if quoted is None:
        return ActivationCommand(shell, None, f"{shell} cannot quote this path safely")
    return ActivationCommand(shell, template.format(quoted))


def activation_commands(env: Environment) -> list[ActivationCommand]:
    """What to type in each shell to activate env (conda environments: `conda activate`)."""
    if env.kind is Kind.PYTHON:
        raise RefusedError(f"{env.name} is a base interpreter: there is nothing to activate")
    if env.kind is Kind.CONDA:
        prefix = str(env.path)
        return [
            _command("bash", quote_posix, "conda activate {}", prefix),
            _command("zsh", quote_posix, "conda activate {}", prefix),
            _command("fish", quote_fish, "conda activate {}", prefix),
            _command("tcsh", quote_csh, "conda activate {}", prefix),
            _command("pwsh", quote_powershell, "conda activate {}", prefix),
            _command("cmd", quote_cmd, "conda activate {}", prefix),
        ]
    scripts = _scripts(env)
    if scripts.name == "Scripts":  # a Windows layout
        return [
            _command("pwsh", quote_powershell, "& {}", str(scripts / "Activate.ps1")),
            _command("cmd", quote_cmd, "{}", str(scripts / "activate.bat")),
            _command("bash", quote_posix, "source {}", str(scripts / "activate")),
        ]
    return [
        _command("bash", quote_posix, "source {}", str(scripts / "activate")),
        _command("zsh", quote_posix, "source {}", str(scripts / "activate")),
        _command("sh", quote_posix, ". {}", str(scripts / "activate")),
        _command("fish", quote_fish, "source {}", str(scripts / "activate.fish")),
        _command("csh", quote_csh, "source {}", str(scripts / "activate.csh")),
        _command("tcsh", quote_csh, "source {}", str(scripts / "activate.csh")),
        _command("nu", quote_nu, "overlay use {}", str(scripts / "activate.nu")),
        _command("pwsh", quote_powershell, "& {}", str(scripts / "Activate.ps1")),
        ActivationCommand(
            "cmd", None, "cmd runs on Windows, and this environment was made for a POSIX system"
        ),
    ]


def activation_command(env: Environment, shell: str) -> str:
    """The one command for `shell` (for `eval "$(venvdeck activate ENV --shell bash)"`)."""
    wanted = {"powershell": "pwsh", "nushell": "nu", "sh": "sh"}.get(shell, shell)
    for command in activation_commands(env):
        if command.shell == wanted:
            if command.command is None:
                raise RefusedError(command.reason)
            return command.command
    raise RefusedError(f"no activation command for {shell} (known: {', '.join(SHELLS)})")


def safe_prompt(name: str) -> str:
    """The environment's name with only characters no shell's prompt expands ($, `, \\, !, %)."""
    cleaned = _PROMPT_UNSAFE.sub("_", name).strip() or "venv"
    return cleaned[:40]


def shell_launch(env: Environment, environ: Mapping[str, str] | None = None) -> ShellLaunch:
    """The user's $SHELL with env activated: VIRTUAL_ENV (or CONDA_PREFIX), PATH and the prompt,
    in the project's folder when it has one."""
    environ = dict(os.environ if environ is None else environ)
    if env.is_broken:
        raise RefusedError(f"{env.name} is broken ({env.broken_reason}); a shell in it would not find Python")
    if env.kind is Kind.PYTHON:
        raise RefusedError(f"{env.name} is a base interpreter: there is nothing to activate")
    shell = environ.get("SHELL") or ("cmd.exe" if sys.platform == "win32" else "/bin/sh")
    scripts = _scripts(env)
    for name in ("PYTHONHOME", "VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "CONDA_PREFIX", "CONDA_DEFAULT_ENV"):
        environ.pop(name, None)
    prompt = safe_prompt(env.prompt or env.name)
    environ["PATH"] = os.pathsep.join([str(scripts), environ.get("PATH", "")])
    if env.kind is Kind.CONDA:
        environ["CONDA_PREFIX"] = str(env.path)
        environ["CONDA_DEFAULT_ENV"] = str(env.path)
    else:
        environ["VIRTUAL_ENV"] = str(env.path)
        environ["VIRTUAL_ENV_PROMPT"] = prompt
    cwd = env.project if env.project is not None and os.path.isdir(env.project) else None
    banner = f"venvdeck: a shell in {env.name} ({env.path}); exit it to come back"
    if Path(shell).name == "bash":
        rc = f'[ -f ~/.bashrc ] && . ~/.bashrc\nPS1={shlex.quote(f"({prompt}) ")}"${{PS1:-\\$ }}"\n'
        return ShellLaunch((shell,), environ, cwd, rc, banner)
    environ["PS1"] = f"({prompt}) " + environ.get("PS1", "$ ")
    return ShellLaunch((shell,), environ, cwd, None, banner)


def run_shell(launch: ShellLaunch) -> int:
    """Run the shell in the foreground on this terminal (the caller has suspended its own UI)."""
    from venvdeck.formatting import shown
    from venvdeck.services import process

    print(shown(launch.banner), file=sys.stderr, flush=True)
    if launch.rc_text is None:
        return process.run_interactive(launch.argv, launch.environ, launch.cwd)
    with tempfile.NamedTemporaryFile("w", prefix="venvdeck-", suffix=".bashrc") as rcfile:
        rcfile.write(launch.rc_text)
        rcfile.flush()
        return process.run_interactive(
            (*launch.argv, "--rcfile", rcfile.name, "-i"), launch.environ, launch.cwd
        )


def editor_launch(env: Environment, environ: Mapping[str, str] | None = None) -> ShellLaunch:
    """The user's $VISUAL or $EDITOR on the environment's project folder (its own words, split as a
    shell would: `code -w` is a program and an option; nothing is run through a shell)."""
    environ = dict(os.environ if environ is None else environ)
    if env.project is None or not os.path.isdir(env.project):
        raise RefusedError(f"{env.name} belongs to no project folder to open")
    editor = environ.get("VISUAL") or environ.get("EDITOR")
    if not editor:
        raise RefusedError("set $EDITOR (or $VISUAL) to the editor to open projects in")
    try:
        words = shlex.split(editor)
    except ValueError:
        raise RefusedError(f"$EDITOR is not a command line: {editor!r}") from None
    return ShellLaunch((*words, str(env.project)), environ, env.project, None, "")
