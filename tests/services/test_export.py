"""Exporting requirements: the default file, overwrite rules, and no half-written file ever."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.pythons import install
from venvdeck.errors import RefusedError
from venvdeck.services.export import export_requirements
from venvdeck.services.resolve import resolve_environment


@pytest.fixture
def project_env(bare_env: Path, wheelhouse: Path) -> Path:
    install(bare_env, wheelhouse, "demo-app")
    return bare_env


async def test_export_writes_the_freeze_to_the_projects_requirements_txt(project_env: Path) -> None:
    env = resolve_environment(project_env)
    result = await export_requirements(env, None)
    assert result.path == project_env.parent / "requirements.txt"
    assert result.path.read_text() == "demo-app==0.1\ndemo-dep==1.1\n"
    assert not result.replaced


async def test_top_level_only_lists_what_the_user_asked_for(project_env: Path, tmp_path: Path) -> None:
    target = tmp_path / "top.txt"
    await export_requirements(resolve_environment(project_env), target, top_level=True)
    assert target.read_text() == "demo-app==0.1\n"


async def test_an_existing_file_is_kept_unless_forced(project_env: Path, tmp_path: Path) -> None:
    target = tmp_path / "requirements.txt"
    target.write_text("handwritten\n")
    target.chmod(0o600)
    with pytest.raises(RefusedError, match="already exists"):
        await export_requirements(resolve_environment(project_env), target)
    assert target.read_text() == "handwritten\n"
    result = await export_requirements(resolve_environment(project_env), target, force=True)
    assert result.replaced
    assert target.read_text().startswith("demo-app==0.1")
    assert target.stat().st_mode & 0o777 == 0o600  # the user's permissions stay


async def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(
    project_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "requirements.txt"
    target.write_text("old\n")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(RefusedError, match="No space left"):
        await export_requirements(resolve_environment(project_env), target, force=True)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in out.iterdir()) == ["requirements.txt"]


@pytest.mark.parametrize(
    ("target", "message"),
    [("missing/requirements.txt", "does not exist"), (".", "is a folder"), ("/etc/hosts", "system folder")],
)
async def test_bad_targets_are_refused(project_env: Path, tmp_path: Path, target: str, message: str) -> None:
    with pytest.raises(RefusedError, match=message):
        await export_requirements(resolve_environment(project_env), tmp_path / target, force=True)


async def test_an_environment_without_a_project_needs_a_target(tmp_path: Path, bare_env: Path) -> None:
    lonely = bare_env.rename(tmp_path / "lonely-env")
    with pytest.raises(RefusedError, match="no project folder"):
        await export_requirements(resolve_environment(lonely), None)
