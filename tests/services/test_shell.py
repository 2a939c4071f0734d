"""A shell started inside an environment, and the activation commands shown for each shell."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from venvdeck.errors import RefusedError
from venvdeck.services.resolve import resolve_environment
from venvdeck.services.shell import activation_commands, run_shell, shell_launch


def test_activation_commands_for_each_shell(bare_env: Path) -> None:
    commands = {c.shell: c.command for c in activation_commands(resolve_environment(bare_env))}
    assert commands["bash / zsh"] == f"source {bare_env}/bin/activate"
    assert commands["fish"] == f"source {bare_env}/bin/activate.fish"
    assert commands["csh / tcsh"] == f"source {bare_env}/bin/activate.csh"
    assert commands["PowerShell"] == f"& {bare_env}/bin/Activate.ps1"


def test_the_shell_runs_with_the_environment_first_on_path(bare_env: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    fake_shell = tmp_path / "myshell"
    fake_shell.write_text(
        "#!/bin/sh\n"
        f'{{ echo "$VIRTUAL_ENV"; python -c "import sys; print(sys.prefix)"; }} > {report}\n'
        "exit 7\n"
    )
    fake_shell.chmod(0o755)
    launch = shell_launch(resolve_environment(bare_env), {**os.environ, "SHELL": str(fake_shell)})
    assert run_shell(launch) == 7  # the shell's own exit status comes back
    assert report.read_text().splitlines() == [str(bare_env), str(bare_env)]


def test_bash_reads_its_rc_and_then_activate(bare_env: Path, tmp_path: Path) -> None:
    launch = shell_launch(
        resolve_environment(bare_env), {**os.environ, "SHELL": "/bin/bash", "HOME": str(tmp_path)}
    )
    assert launch.bash_rc is not None
    assert f". {bare_env}/bin/activate" in launch.bash_rc
    (tmp_path / ".bashrc").write_text("exit 5\n")  # the user's own rc runs first: here, it ends the shell
    assert run_shell(launch) == 5


def test_a_base_interpreter_has_nothing_to_activate() -> None:
    base = resolve_environment("/usr/bin/python3") if Path("/usr/bin/python3").exists() else None
    if base is None:
        pytest.skip("no /usr/bin/python3")
    with pytest.raises(RefusedError, match="nothing to activate"):
        shell_launch(base)
