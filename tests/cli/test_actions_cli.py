"""The changing subcommands as a user types them: real processes, offline wheels, the disk checked after."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import venvdeck
from venvdeck.services.change.locks import EnvironmentLocks

VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _site_names(env: Path) -> set[str]:
    return {p.name.split("-")[0].lower() for p in env.glob("lib/python*/site-packages/*.dist-info")}


@pytest.mark.usefixtures("local_index")
def test_create_install_export_recreate_uninstall_delete(tmp_path: Path) -> None:
    first = tmp_path / "shop" / ".venv"
    result = venvdeck("create", str(first), "--python", VERSION)
    assert result.returncode == 0, result.stderr
    assert "$ " in result.stderr  # the exact command is shown before it runs

    result = venvdeck("install", str(first), "rich==13.3.1", "demo-app")
    assert result.returncode == 0, result.stderr
    assert f"$ {first}/bin/python -m pip install --no-user -- rich==13.3.1 demo-app" in result.stderr
    assert {"rich", "demo_app", "demo_dep"} <= _site_names(first)

    result = venvdeck("export", str(first), "--top-level")
    assert result.returncode == 0, result.stderr
    requirements = tmp_path / "shop" / "requirements.txt"
    assert requirements.read_text() == "demo-app==0.1\nrich==13.3.1\n"
    again = venvdeck("export", str(first))
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert requirements.read_text() == "demo-app==0.1\nrich==13.3.1\n"

    second = tmp_path / "copy" / ".venv"
    # The second one through uv: made and filled from the file in a fraction of ensurepip's time.
    result = venvdeck(
        "create",
        str(second),
        "--python",
        VERSION,
        "--backend",
        "uv",
        "--without-pip",
        "-r",
        str(requirements),
    )
    assert result.returncode == 0, result.stderr
    assert {"rich", "demo_app", "demo_dep"} <= _site_names(second)
    assert "pip" not in _site_names(second)

    result = venvdeck("uninstall", str(second), "rich")
    assert result.returncode == 0, result.stderr
    assert "rich" not in _site_names(second)

    for env in (first, second):
        result = venvdeck("delete", str(env), "--yes")
        assert result.returncode == 0, result.stderr
        assert not env.exists()
    assert requirements.read_text() == "demo-app==0.1\nrich==13.3.1\n"  # nothing outside was touched
    assert sorted(p.name for p in (tmp_path / "shop").iterdir()) == ["requirements.txt"]


@pytest.mark.parametrize(
    "args",
    [
        ["--", "--index-url=https://evil.example/simple", "rich"],
        ["rich; rm -rf ~"],
        ["-e", "."],
        ["../../etc/passwd"],
    ],
)
def test_hostile_install_arguments_are_one_line_refusals(bare_env: Path, args: list[str]) -> None:
    before = sorted(p.name for p in bare_env.rglob("*"))
    result = venvdeck("install", str(bare_env), *args)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in bare_env.rglob("*")) == before


def test_delete_asks_and_a_non_terminal_without_yes_deletes_nothing(bare_env: Path) -> None:
    result = venvdeck("delete", str(bare_env))
    assert result.returncode == 1
    assert "pass --yes" in result.stderr
    assert (bare_env / "pyvenv.cfg").is_file()


def test_an_environment_busy_in_another_process_is_refused(bare_env: Path) -> None:
    with EnvironmentLocks().hold(bare_env):
        result = venvdeck("ensurepip", str(bare_env))
    assert result.returncode == 1
    assert "another venvdeck (or a process it started) is changing it" in result.stderr
    assert not list(bare_env.glob("lib/python*/site-packages/pip"))


def test_a_failed_install_exits_non_zero_with_the_tools_output(pip_env: Path) -> None:
    result = venvdeck("install", str(pip_env), "no-such-package-anywhere")  # and no index to look in
    assert result.returncode == 1
    assert "no-such-package-anywhere" in result.stdout  # pip's own explanation, streamed
    assert "failed" in result.stderr.splitlines()[-1]


def test_activate_prints_the_commands(bare_env: Path) -> None:
    result = venvdeck("activate", str(bare_env))
    assert result.returncode == 0
    assert f"source {bare_env}/bin/activate" in result.stdout


@pytest.mark.usefixtures("local_index")
def test_create_with_a_file_checks_it_first_and_says_what_is_kept_when_its_install_fails(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("notapkg @@@\n")
    target = tmp_path / "withreq" / ".venv"
    args = ["create", str(target), "--python", VERSION, "--backend", "uv", "--without-pip", "-r"]
    result = venvdeck(*args, str(bad))
    assert result.returncode == 1
    assert "names no URL after @" in result.stderr
    assert not target.exists()  # refused before anything was made
    missing = tmp_path / "missing.txt"
    missing.write_text("notexisting==9.9\n")  # a good file whose install fails
    result = venvdeck(*args, str(missing))
    assert result.returncode == 1
    assert (target / "pyvenv.cfg").is_file()
    assert result.stderr.splitlines()[-1] == (
        f"venvdeck: {target} was made and is kept, but installing from {missing} failed: "
        f"`venvdeck install {target} -r {missing}` tries again, `venvdeck delete {target}` removes it"
    )
