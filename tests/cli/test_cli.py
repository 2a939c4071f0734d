"""The command line as a user runs it: real processes, real environments, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.pythons import make_venv, require_python


def venvdeck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "venvdeck", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture(scope="module")
def small_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_venv(require_python("3.11"), tmp_path_factory.mktemp("cli") / "proj" / ".venv")


def test_list_json_reports_the_environment_fields(small_env: Path) -> None:
    result = venvdeck("list", "--json", str(small_env.parent))
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)
    assert entry["path"] == str(small_env)
    assert (entry["kind"], entry["manager"], entry["status"]) == ("venv", None, "ok")
    assert entry["python_version"].startswith("3.11.")
    assert entry["interpreter"] == str(small_env / "bin" / "python")
    assert entry["name"] == "proj"


def test_list_table_names_the_environment(small_env: Path) -> None:
    result = venvdeck("list", "--format", "table", str(small_env.parent), env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "1 Python environment" in result.stdout
    assert str(small_env) in result.stdout


def test_piped_list_is_one_tab_separated_line_per_environment(small_env: Path) -> None:
    result = venvdeck("list", str(small_env.parent))
    assert result.returncode == 0, result.stderr
    fields = result.stdout.rstrip("\n").split("\t")
    assert result.stdout.count("\n") == 1
    assert fields[:6] == [str(small_env), "proj", "venv", "", "3.11.7", "ok"]
    assert int(fields[6]) > 0
    assert int(fields[7]) > 0


def test_packages_and_freeze_accept_an_interpreter_path(small_env: Path) -> None:
    result = venvdeck("packages", "--json", str(small_env / "bin" / "python"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    freeze = venvdeck("freeze", str(small_env))
    assert (freeze.returncode, freeze.stdout) == (0, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["packages", "/definitely/not/here"], "no such file or folder"),
        (["freeze", "{tmp}"], "not a Python environment"),
        (["packages"], "the following arguments are required: env"),
        (["list", "/definitely/not/here"], "root does not exist"),
        (["bogus-command"], "unknown command 'bogus-command'"),
        (["lsit"], "did you mean 'list'"),
        (["--config", "{tmp}/empty.toml", "list", "/definitely/not/here"], "root does not exist"),
        (["--config", "/dev/null", "list"], "is a device"),
        (["list", "--config", "{tmp}/missing.toml"], "config file not found"),
        (["packages", "--json", "{tmp}/file.txt"], "not an environment folder or an executable interpreter"),
    ],
)
def test_bad_input_is_one_clear_line(args: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("hello")
    (tmp_path / "empty.toml").write_text("")
    result = venvdeck(*(a.format(tmp=tmp_path) for a in args))
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_broken_interpreter_is_one_clear_line_and_the_folder_is_still_read(tmp_path: Path) -> None:
    """Its Python is gone: one line says so, and what its folder holds is listed from disk (as
    the dashboard shows it); freeze reads it the same way, so it can be saved before a delete."""
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text(f"home = {tmp_path / 'gone'}\nversion = 3.11.7\n")
    (env / "bin" / "python").symlink_to(tmp_path / "gone" / "python3")
    info = env / "lib" / "python3.11" / "site-packages" / "kept-2.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kept\nVersion: 2.0\n")
    result = venvdeck("packages", str(env), "--format", "tsv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "kept\t2.0\n"
    (line,) = result.stderr.strip().splitlines()
    assert "no longer exists" in line
    assert line.endswith("read from its folder")
    assert venvdeck("freeze", str(env)).stdout == "kept==2.0\n"


def test_malformed_config_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("roots = [unclosed\n")
    result = venvdeck("list", "--json", str(tmp_path), env={"VENVDECK_CONFIG": str(config)})
    assert result.returncode == 1
    assert str(config) in result.stderr
    assert "not valid TOML" in result.stderr
    config.write_text('rootz = ["~"]\n')
    result = venvdeck("list", "--json", str(tmp_path), env={"VENVDECK_CONFIG": str(config)})
    assert "unknown setting 'rootz'" in result.stderr


def test_config_excludes_and_adds_roots(tmp_path: Path, small_env: Path) -> None:
    home = tmp_path / "home"
    (home / "skipme").mkdir(parents=True)
    make_venv(require_python("3.11"), home / "skipme" / ".venv")
    config = tmp_path / "config.toml"
    config.write_text(f'roots = ["{small_env.parent}"]\nexclude = ["{home / "skipme"}"]\n')
    result = venvdeck(
        "list",
        "--json",
        env={
            "VENVDECK_CONFIG": str(config),
            "HOME": str(home),
            "PATH": "",
            "PYENV_ROOT": str(home / ".pyenv"),
        },
    )
    assert result.returncode == 0, result.stderr
    assert [e["path"] for e in json.loads(result.stdout)] == [str(small_env)]


@pytest.mark.parametrize(
    "module", ["venvdeck.cli.main", "venvdeck.services.find.discovery", "venvdeck.services.read.freeze"]
)
def test_cli_and_services_never_import_textual(module: str) -> None:
    code = f"import sys, {module}; print('textual' in sys.modules, 'rich' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_services_never_import_textual() -> None:
    """Every service module, the dashboard's protocol and local service included."""
    root = Path(__file__).parents[2] / "app"
    modules = sorted(
        ".".join(p.relative_to(root).with_suffix("").parts)
        for p in (root / "venvdeck" / "services").rglob("*.py")
        if p.stem != "__init__"
    )
    imports = "; ".join(f"import {m}" for m in modules)
    code = f"import sys; {imports}; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_subcommand_run_never_loads_the_ui(small_env: Path) -> None:
    code = (
        "import sys, io, contextlib; from venvdeck.cli.main import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): main(['list', '--json', {str(small_env.parent)!r}])\n"
        "print('textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_dashboard_on_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = venvdeck(str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert "root does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_theme_or_keymap_is_a_one_line_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "no-such-theme"\n')
    result = venvdeck(str(tmp_path), env={"VENVDECK_CONFIG": str(config)})
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert "unknown theme 'no-such-theme'" in result.stderr
    config.write_text('[keymap]\nrefresh = "f5"\n')
    result = venvdeck("list", str(tmp_path), env={"VENVDECK_CONFIG": str(config)})
    assert result.returncode != 0
    assert "keymap entry 'refresh'" in result.stderr


def _unescape(value: str) -> str:
    """How a script reads a tab-separated field back (the escapes `venvdeck list --help` names): a
    byte that is not UTF-8 comes back as os.fsdecode gives it."""
    import re

    named = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}

    def one(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] == "u":
            return chr(int(escape[1:], 16))
        if escape[0] == "x":
            return chr(0xDC00 + int(escape[1:], 16))
        return named[escape]

    return re.sub(r"\\(\\|n|r|t|u[0-9a-f]{4}|x[0-9a-f]{2})", one, value)


def test_tab_separated_names_read_back_exactly_and_a_script_deletes_only_what_it_chose(
    tmp_path: Path,
) -> None:
    """A folder named with a newline and one named with a backslash and an n printed alike, so a
    script deleting the broken one deleted the healthy one."""
    newline = make_venv(Path(sys.executable), tmp_path / "a\nb" / ".venv")
    backslash = make_venv(Path(sys.executable), tmp_path / "a\\nb" / ".venv")
    for python in newline.glob("bin/python*"):
        python.unlink()  # broken: its interpreter is gone
    result = venvdeck("list", "--broken", "--format", "tsv", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    path = _unescape(line.split("\t")[0])
    assert path == str(newline)
    listed = venvdeck("list", "--format", "tsv", str(tmp_path)).stdout.splitlines()
    assert sorted(_unescape(row.split("\t")[0]) for row in listed) == sorted([str(newline), str(backslash)])
    assert venvdeck("delete", "--yes", path).returncode == 0
    assert not newline.exists()
    assert (backslash / "pyvenv.cfg").is_file()
    # the character U+0085 and the byte 0x85 (not UTF-8) printed alike as \x85
    char = make_venv(Path(sys.executable), tmp_path / "c\u0085d" / ".venv")
    made = make_venv(Path(sys.executable), tmp_path / "plain" / ".venv")
    byte = Path(os.fsdecode(os.fsencode(tmp_path) + b"/c\x85d")) / ".venv"  # venv cannot make it there
    os.rename(made.parent, byte.parent)
    listed = venvdeck("list", "--format", "tsv", str(tmp_path)).stdout.splitlines()
    paths = [_unescape(row.split("\t")[0]) for row in listed]
    assert len({row.split("\t")[0] for row in listed}) == len(listed) == 3
    assert sorted(paths) == sorted([str(backslash), str(char), str(byte)])


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_ends_a_command_with_one_line_and_the_shells_status(signame: str) -> None:
    """128 + the signal's number, as a shell reports it (SIGTERM ended with SIGINT's 130)."""
    import signal
    import time

    code = (
        "import sys, time\n"
        "import venvdeck.cli.read as read\n"
        "read.list_environments = lambda args: (print('ready', flush=True), time.sleep(30))\n"
        "from venvdeck.cli.main import main\n"
        "sys.exit(main(['list']))\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    signum = getattr(signal, signame)
    started = time.monotonic()
    child.send_signal(signum)
    _out, err = child.communicate(timeout=10)
    assert time.monotonic() - started < 5
    assert child.returncode == 128 + signum
    assert err == "venvdeck: stopped\n"


def test_a_cache_home_in_a_system_folder_is_never_written(small_env: Path, tmp_path: Path) -> None:
    """XDG_CACHE_HOME=/etc wrote /etc/venvdeck/...: the caches go to the home folder instead."""
    assert not Path("/etc/venvdeck").exists()
    result = venvdeck("check", str(small_env), env={"XDG_CACHE_HOME": "/etc", "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert not Path("/etc/venvdeck").exists()
    assert (tmp_path / ".cache" / "venvdeck").is_dir()


def test_a_home_in_a_system_folder_gets_no_cache_there_either(small_env: Path) -> None:
    """XDG_CACHE_HOME=/etc fell back to HOME/.cache, which was a system folder too (/var/lib/x)."""
    home = Path("/var/lib/venvdeck-test-home")
    assert not home.exists()
    result = venvdeck("check", str(small_env), env={"XDG_CACHE_HOME": "/etc", "HOME": str(home)})
    assert result.returncode == 0, result.stderr
    assert not home.exists()
    assert not Path("/etc/venvdeck").exists()
