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


def test_bash_gets_an_rc_file_that_sources_activate_and_is_removed_after(bare_env: Path) -> None:
    launch = shell_launch(resolve_environment(bare_env), {**os.environ, "SHELL": "/bin/bash"})
    assert launch.rcfile is not None
    assert f"{bare_env}/bin/activate" in launch.rcfile.read_text()
    assert launch.argv == ("/bin/bash", "--rcfile", str(launch.rcfile), "-i")
    launch.rcfile.unlink()


def test_a_base_interpreter_has_nothing_to_activate() -> None:
    base = resolve_environment("/usr/bin/python3") if Path("/usr/bin/python3").exists() else None
    if base is None:
        pytest.skip("no /usr/bin/python3")
    with pytest.raises(RefusedError, match="nothing to activate"):
        shell_launch(base)
