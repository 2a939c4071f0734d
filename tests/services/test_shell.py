"""A shell started inside an environment, and the activation commands shown for each shell.

Hostile names are run through the real shells that are installed here: a quoted value must come
back as itself and run nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.pythons import make_venv
from venvdeck.errors import RefusedError
from venvdeck.models import Environment, Kind
from venvdeck.services.change.shell import (
    activation_command,
    activation_commands,
    quote_cmd,
    quote_csh,
    quote_fish,
    quote_posix,
    quote_powershell,
    run_shell,
    safe_prompt,
    shell_launch,
)
from venvdeck.services.find.resolve import resolve_environment

HOSTILE = [
    "plain",
    "with space",
    "it's",
    "$(touch PWNED)",
    "`touch PWNED`",
    "a;touch PWNED",
    "a\nb",
    "%PATH%!x!",
    "back\\slash",
    "quote'\u2019mixed",
    "#hash",
    "!event",
]


def test_activation_commands_for_each_shell(bare_env: Path) -> None:
    commands = {c.shell: c.command for c in activation_commands(resolve_environment(bare_env))}
    assert commands["bash"] == f"source {bare_env}/bin/activate"
    assert commands["fish"] == f"source '{bare_env}/bin/activate.fish'"
    assert commands["csh"] == f"source '{bare_env}/bin/activate.csh'"
    assert commands["pwsh"] == f"& '{bare_env}/bin/Activate.ps1'"
    assert commands["nu"] == f"overlay use r#'{bare_env}/bin/activate.nu'#"
    assert commands["cmd"] is None
    assert activation_command(resolve_environment(bare_env), "bash") == f"source {bare_env}/bin/activate"


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize(
    ("shell", "quote", "echo"),
    [
        ("sh", quote_posix, "printf %s {}"),
        ("bash", quote_posix, "printf %s {}"),
        ("zsh", quote_posix, "printf %s {}"),
        ("fish", quote_fish, "printf %s {}"),
        ("tcsh", quote_csh, "printf %s {}"),
        ("csh", quote_csh, "printf %s {}"),
    ],
)
def test_a_quoted_value_comes_back_as_itself_in_the_real_shell(
    shell: str, quote: object, echo: str, text: str, tmp_path: Path
) -> None:
    program = shutil.which(shell)
    if program is None:
        pytest.skip(f"{shell} is not installed")
    quoted = quote(text)  # type: ignore[operator]
    if quoted is None:
        assert shell in {"csh", "tcsh"}
        assert "\n" in text
        return
    result = subprocess.run(
        [program, "-c", echo.format(quoted)], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.stdout == text
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("text", HOSTILE)
def test_powershell_and_cmd_quoting_is_safe_or_refused(text: str) -> None:
    quoted = quote_powershell(text)
    inner = quoted[1:-1]
    for mark in "'\u2018\u2019\u201a\u201b":
        inner = inner.replace(mark * 2, "")
    assert not any(mark in inner for mark in "'\u2018\u2019\u201a\u201b")  # every quote doubled
    cmd = quote_cmd(text)
    if cmd is not None:
        assert not any(c in cmd[1:-1] for c in '"%!\n')


def test_conda_activation_quotes_each_shell(tmp_path: Path) -> None:
    prefix = tmp_path / "a b'$(x)"
    env = Environment(path=prefix, kind=Kind.CONDA, manager=None, interpreter=None, python_version=None)
    commands = {c.shell: c for c in activation_commands(env)}
    assert commands["bash"].command == f"conda activate {quote_posix(str(prefix))}"
    assert commands["pwsh"].command == f"conda activate {quote_powershell(str(prefix))}"
    assert commands["cmd"].command == f'conda activate "{prefix}"'


def test_the_shell_runs_with_the_environment_first_on_path(bare_env: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    fake_shell = tmp_path / "myshell"
    fake_shell.write_text(
        "#!/bin/sh\n"
        f'{{ echo "$VIRTUAL_ENV"; python -c "import sys; print(sys.prefix)"; pwd; }} > {report}\n'
        "exit 7\n"
    )
    fake_shell.chmod(0o755)
    launch = shell_launch(resolve_environment(bare_env), {**os.environ, "SHELL": str(fake_shell)})
    assert run_shell(launch) == 7  # the shell's own exit status comes back
    assert report.read_text().splitlines() == [
        str(bare_env),
        str(bare_env),
        str(bare_env.parent),
    ]  # in its project


def test_bash_reads_its_rc_and_runs_nothing_from_the_environment(bare_env: Path, tmp_path: Path) -> None:
    (bare_env / "bin" / "activate").write_text("touch PWNED\n")  # never sourced
    launch = shell_launch(
        resolve_environment(bare_env), {**os.environ, "SHELL": "/bin/bash", "HOME": str(tmp_path)}
    )
    assert launch.rc_text is not None
    assert "activate" not in launch.rc_text
    (tmp_path / ".bashrc").write_text("exit 5\n")  # the user's own rc runs first: here, it ends the shell
    assert run_shell(launch) == 5


def test_a_hostile_prompt_is_shown_not_run(tmp_path: Path) -> None:
    env_path = make_venv(Path(sys.executable), tmp_path / "env")
    cfg = env_path / "pyvenv.cfg"
    cfg.write_text(cfg.read_text() + "prompt = '$(touch PWNED)`touch PWNED2`'\n")
    env = resolve_environment(env_path)
    assert "$" not in safe_prompt(env.prompt or "")
    assert "`" not in safe_prompt(env.prompt or "")
    for shell in ("/bin/sh", "/bin/bash"):
        if not os.path.exists(shell):
            continue
        launch = shell_launch(env, {**os.environ, "SHELL": shell, "HOME": str(tmp_path)})
        rc = tmp_path / "rc"
        rc.write_text(launch.rc_text or "")
        # An interactive shell draws its prompt: expansions in it would run now.
        script = f'. {rc} 2>/dev/null; eval "echo \\"$PS1\\""' if launch.rc_text else 'eval "echo \\"$PS1\\""'
        subprocess.run(
            [shell, "-c", script], cwd=tmp_path, env=launch.environ, capture_output=True, timeout=30
        )
        assert not (tmp_path / "PWNED").exists()
        assert not (tmp_path / "PWNED2").exists()


def test_a_base_interpreter_has_nothing_to_activate() -> None:
    base = resolve_environment("/usr/bin/python3") if Path("/usr/bin/python3").exists() else None
    if base is None:
        pytest.skip("no /usr/bin/python3")
    with pytest.raises(RefusedError, match="nothing to activate"):
        shell_launch(base)
