"""Real environments with pip, made once per session (pip runs are the slow part: run in parallel)."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.pythons import find_python, make_pip_venv, pip
from tests.support.shared import built_once
from tests.support.wheels import write_project

# One per pip era: pkg_resources names (3.8), importlib (3.11), new freeze rules (3.12), pip 24 (3.13).
PIP_ENV_VERSIONS = ("3.8", "3.11", "3.12", "3.13")


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def _populate(version: str, python: Path, root: Path, wheelhouse: Path, projects: Path) -> Path:
    env = make_pip_venv(python, root / f"env-{version}")
    bundled = next((env / "lib").glob("python*/site-packages/pip-*.dist-info")).name
    pip_version = tuple(int(x) for x in bundled.removeprefix("pip-").split(".")[:2])
    editables = ["-e", str(projects / "plain-edit"), "-e", str(projects / "git-edit")]
    # One pip run for all of it (each start of pip costs a second): an index install, a direct-URL
    # wheel and, where pip can (21.3+, PEP 660), two editables.
    pip(
        env,
        "install",
        "--no-index",
        "--find-links",
        str(wheelhouse),
        "demo-app",
        str(next(wheelhouse.glob("Foo.Bar_baz-*.whl"))),
        *(editables if pip_version >= (21, 3) else []),
    )
    return env


def _editable_projects(projects: Path) -> None:
    write_project(projects / "plain-edit", "plain-edit", "0.1")
    repo = write_project(projects / "git-edit", "git-edit", "0.3")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "init")
    _git(repo, "remote", "add", "origin", "https://example.invalid/git-edit.git")


@pytest.fixture(scope="session")
def editable_projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_once(tmp_path_factory, "projects", _editable_projects)


@pytest.fixture(scope="session")
def pip_envs(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, editable_projects: Path
) -> dict[str, Path]:
    """Python version → a venv with pip holding wheels, a direct-URL install and two editables."""
    wanted = {v: p for v in PIP_ENV_VERSIONS if (p := find_python(v)) is not None}

    def build(root: Path) -> None:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [
                pool.submit(_populate, v, python, root, wheelhouse, editable_projects)
                for v, python in wanted.items()
            ]
            for future in futures:
                future.result()

    root = built_once(tmp_path_factory, "pip-envs", build)
    return {v: root / f"env-{v}" for v in wanted}


@pytest.fixture(scope="session")
def insight_env(tmp_path_factory: pytest.TempPathFactory, pip_template: Path) -> Path:
    """The insight cases (tests/support/insight.py) in one venv with pip, built once per session."""
    from tests.support.insight import build_insight_env, build_wheels

    def build(root: Path) -> None:
        build_insight_env(pip_template, root / "env", build_wheels(root / "wheels"), root / "projects")

    return built_once(tmp_path_factory, "insight", build) / "env"
