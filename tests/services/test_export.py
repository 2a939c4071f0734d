"""Exporting requirements: the default file, overwrite rules, and no half-written file ever."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.pythons import install
from venvdeck.errors import RefusedError, TargetExists
from venvdeck.services.change.export import export_requirements
from venvdeck.services.find.resolve import resolve_environment


@pytest.fixture
def project_env(bare_env: Path, wheelhouse: Path) -> Path:
    install(bare_env, wheelhouse, "demo-app")
    return bare_env


def test_export_writes_the_freeze_to_the_projects_requirements_txt(project_env: Path) -> None:
    env = resolve_environment(project_env)
    result = export_requirements(env, None)
    assert result.path == project_env.parent / "requirements.txt"
    assert result.path.read_text() == "demo-app==0.1\ndemo-dep==1.1\n"
    assert not result.replaced


def test_top_level_only_lists_what_the_user_asked_for(project_env: Path, tmp_path: Path) -> None:
    target = tmp_path / "top.txt"
    export_requirements(resolve_environment(project_env), target, top_level=True)
    assert target.read_text() == "demo-app==0.1\n"


def test_an_existing_file_is_kept_unless_forced(project_env: Path, tmp_path: Path) -> None:
    target = tmp_path / "requirements.txt"
    target.write_text("# pinned by hand\ndemo-dep==1.1\nhandwritten>=2\n")
    target.chmod(0o600)
    with pytest.raises(TargetExists, match="already exists") as refused:
        export_requirements(resolve_environment(project_env), target)
    # what replacing it would change, for the question asked before overwriting (its comment too)
    assert refused.value.added == ("demo-app==0.1",)
    assert refused.value.removed == ("# pinned by hand", "handwritten>=2")
    assert target.read_text() == "# pinned by hand\ndemo-dep==1.1\nhandwritten>=2\n"
    result = export_requirements(resolve_environment(project_env), target, force=True)
    assert result.replaced
    assert target.read_text().startswith("demo-app==0.1")
    assert target.stat().st_mode & 0o777 == 0o600  # the user's permissions stay


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(
    project_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "requirements.txt"
    target.write_text("old\n")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", disk_full)
    with pytest.raises(RefusedError, match="No space left"):
        export_requirements(resolve_environment(project_env), target, force=True)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in out.iterdir()) == ["requirements.txt"]


@pytest.mark.parametrize(
    ("target", "message"),
    [("missing/requirements.txt", "does not exist"), (".", "is a folder"), ("/etc/hosts", "system folder")],
)
def test_bad_targets_are_refused(project_env: Path, tmp_path: Path, target: str, message: str) -> None:
    with pytest.raises(RefusedError, match=message):
        export_requirements(resolve_environment(project_env), tmp_path / target, force=True)


def test_an_environment_without_a_project_needs_a_target(tmp_path: Path, bare_env: Path) -> None:
    lonely = bare_env.rename(tmp_path / "lonely-env")
    with pytest.raises(RefusedError, match="no project folder"):
        export_requirements(resolve_environment(lonely), None)


def test_no_temporary_file_survives_and_a_killed_writers_leftover_is_removed(
    project_env: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = out / f".venvdeck-tmp-{dead.pid}-0badc0de"
    leftover.write_text("half a file")
    export_requirements(resolve_environment(project_env), out / "requirements.txt")
    assert sorted(p.name for p in out.iterdir()) == ["requirements.txt"]


@pytest.mark.parametrize("folder", ["/", "/var/spool/cron/crontabs", "/usr/local/bin", "/etc"])
def test_system_folders_are_refused_even_with_force(project_env: Path, folder: str) -> None:
    with pytest.raises(RefusedError, match="system folder"):
        export_requirements(resolve_environment(project_env), Path(folder) / "x.txt", force=True)
    assert not os.path.exists(Path(folder) / "x.txt")


@pytest.mark.parametrize(("home", "tmpdir"), [("/", None), ("/usr", "/etc"), ("/var/lib/svc", "/")])
def test_a_home_or_tmpdir_at_or_in_the_system_opens_nothing(
    project_env: Path, monkeypatch: pytest.MonkeyPatch, home: str, tmpdir: str | None
) -> None:
    """HOME=/ (containers, service accounts) or TMPDIR=/etc must not make every folder "the user's"."""
    monkeypatch.setenv("HOME", home)
    if tmpdir is not None:
        monkeypatch.setenv("TMPDIR", tmpdir)
    for folder in ("/var/cache", "/etc"):
        target = Path(folder) / "venvdeck-must-not-exist.txt"
        assert not target.exists()
        try:
            with pytest.raises(RefusedError, match="system folder"):
                export_requirements(resolve_environment(project_env), target, force=True)
        finally:  # a failing run must not leave its file in a system folder
            created = target.exists()
            target.unlink(missing_ok=True)
        assert not created


def test_a_link_to_a_system_folder_is_refused(project_env: Path, tmp_path: Path) -> None:
    (tmp_path / "innocent").symlink_to("/etc")
    with pytest.raises(RefusedError, match="system folder"):
        export_requirements(resolve_environment(project_env), tmp_path / "innocent" / "cron.txt", force=True)
    assert not os.path.exists("/etc/cron.txt")


def test_a_300_character_name_is_one_clear_line(project_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RefusedError, match="file name is too long"):
        export_requirements(resolve_environment(project_env), out / ("r" * 300), force=True)
    assert list(out.iterdir()) == []


def test_an_empty_environment_writes_nothing(bare_env: Path, tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="nothing to export"):
        export_requirements(resolve_environment(bare_env), tmp_path / "requirements.txt")
    assert not (tmp_path / "requirements.txt").exists()
