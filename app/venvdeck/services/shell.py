"""Activating an environment: the commands for each shell, and a shell started inside it."""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from venvdeck.errors import RefusedError
from venvdeck.models import Environment, Kind


@dataclass(frozen=True, slots=True)
class ActivationCommand:
    shell: str
    command: str


def _scripts(env: Environment) -> Path:
    return env.path / (
        "Scripts" if (env.path / "Scripts").is_dir() and not (env.path / "bin").is_dir() else "bin"
    )


def activation_commands(env: Environment) -> list[ActivationCommand]:
    """What to type in each shell to activate env (conda environments: `conda activate`)."""
    if env.kind is Kind.CONDA:
        prefix = shlex.quote(str(env.path))
        return [
            ActivationCommand("bash / zsh / fish", f"conda activate {prefix}"),
            ActivationCommand("PowerShell", f"conda activate '{env.path}'"),
            ActivationCommand("cmd", f'conda activate "{env.path}"'),
        ]
    if env.kind is Kind.PYTHON:
        raise RefusedError(f"{env.name} is a base interpreter: there is nothing to activate")
    scripts = _scripts(env)
    if scripts.name == "Scripts":  # a Windows layout
        return [
            ActivationCommand("PowerShell", f"& '{scripts / 'Activate.ps1'}'"),
            ActivationCommand("cmd", f'"{scripts / "activate.bat"}"'),
            ActivationCommand("bash (Git Bash)", f"source {shlex.quote(str(scripts / 'activate'))}"),
        ]
    quoted = shlex.quote(str(scripts))
    return [
        ActivationCommand("bash / zsh", f"source {quoted}/activate"),
        ActivationCommand("fish", f"source {quoted}/activate.fish"),
        ActivationCommand("csh / tcsh", f"source {quoted}/activate.csh"),
        ActivationCommand("PowerShell", f"& {shlex.quote(str(scripts / 'Activate.ps1'))}"),
        ActivationCommand(
            "cmd", "none: cmd runs on Windows, and this environment was made for a POSIX system"
        ),
    ]


@dataclass(frozen=True, slots=True)
class ShellLaunch:
    argv: tuple[str, ...]
    environ: dict[str, str]
    bash_rc: str | None = None  # for bash: an rc file's text, written only while the shell runs


def shell_launch(env: Environment, environ: Mapping[str, str] | None = None) -> ShellLaunch:
    """The user's $SHELL with env activated: VIRTUAL_ENV (or CONDA_PREFIX), PATH and the prompt.

    bash gets an rc file that reads ~/.bashrc and then the environment's own activate script, so
    the prompt shows the environment even when .bashrc sets PS1. Other shells get the variables.
    """
    environ = dict(os.environ if environ is None else environ)
    if env.is_broken:
        raise RefusedError(f"{env.name} is broken ({env.broken_reason}); a shell in it would not find Python")
    if env.kind is Kind.PYTHON:
        raise RefusedError(f"{env.name} is a base interpreter: there is nothing to activate")
    shell = environ.get("SHELL") or ("cmd.exe" if sys.platform == "win32" else "/bin/sh")
    scripts = _scripts(env)
    for name in ("PYTHONHOME", "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV"):
        environ.pop(name, None)
    prompt = env.prompt or env.name
    environ["PATH"] = os.pathsep.join([str(scripts), environ.get("PATH", "")])
    if env.kind is Kind.CONDA:
        environ["CONDA_PREFIX"] = str(env.path)
        environ["CONDA_DEFAULT_ENV"] = str(env.path)
    else:
        environ["VIRTUAL_ENV"] = str(env.path)
        environ["VIRTUAL_ENV_PROMPT"] = prompt
    if Path(shell).name == "bash" and (scripts / "activate").is_file():
        activate = shlex.quote(str(scripts / "activate"))
        rc = f"[ -f ~/.bashrc ] && . ~/.bashrc\nVIRTUAL_ENV_DISABLE_PROMPT= . {activate}\n"
        return ShellLaunch((shell,), environ, rc)
    environ["PS1"] = f"({prompt}) " + environ.get("PS1", "$ ")
    return ShellLaunch((shell,), environ)


def run_shell(launch: ShellLaunch) -> int:
    """Run the shell in the foreground on this terminal (the caller has suspended its own UI)."""
    from venvdeck.services import process

    if launch.bash_rc is None:
        return process.run_interactive(launch.argv, launch.environ)
    with tempfile.NamedTemporaryFile("w", prefix="venvdeck-", suffix=".bashrc") as rcfile:
        rcfile.write(launch.bash_rc)
        rcfile.flush()
        return process.run_interactive((*launch.argv, "--rcfile", rcfile.name, "-i"), launch.environ)
