"""find_everywhere and usage over a home of real environments (one a hard-linked copy)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from venvdeck.errors import InvalidRequirementError
from venvdeck.models import FoundDistribution
from venvdeck.services.find.discovery import DiscoveryOptions
from venvdeck.services.insight.search import find_everywhere, requirement_from
from venvdeck.services.insight.usage import usage


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, insight_env: Path) -> Path:
    """insight_env copied (own files) and hard-linked twice (the two share every file, as
    environments installed from uv's cache do)."""
    root = tmp_path_factory.mktemp("home")
    shutil.copytree(insight_env, root / "copied" / ".venv", symlinks=True)
    for name in ("linked-a", "linked-b"):
        shutil.copytree(insight_env, root / name / ".venv", symlinks=True, copy_function=os.link)
    return root


def _found(spec: str, home: Path) -> list[FoundDistribution]:
    found: list[FoundDistribution] = []
    find_everywhere(requirement_from(spec), DiscoveryOptions(roots=[home]), found.append)
    return found


def test_find_matches_names_any_spelling_and_versions(home: Path) -> None:
    found = _found("Zeta.Pkg>=1,<2", home)
    assert sorted(str(f.environment.path.parent.name) for f in found) == ["copied", "linked-a", "linked-b"]
    assert {(f.name, f.version) for f in found} == {("zeta-pkg", "1.0")}
    assert _found("zeta-pkg>=2", home) == []
    assert len(_found('speedy; sys_platform != "win32"', home)) == 3
    assert _found('speedy; sys_platform == "win32"', home) == []


@pytest.mark.parametrize("spec", ["numpy<", "-e .", "na me", "requests; os.system('x')"])
def test_a_spec_that_is_not_a_requirement_is_refused(spec: str) -> None:
    with pytest.raises(InvalidRequirementError, match="not a requirement"):
        requirement_from(spec)


def test_usage_counts_a_hard_linked_file_once(home: Path) -> None:
    rows, unreadable = usage(DiscoveryOptions(roots=[home]))
    assert unreadable == []
    by_name = {u.name: u for u in rows}
    alpha = by_name["alpha"]
    assert (alpha.copies, alpha.versions) == (3, ("1.0",))
    site = next((home / "copied" / ".venv" / "lib").glob("python*/site-packages"))
    single = sum(p.stat().st_size for p in [*site.glob("alpha*/*"), *site.glob("alpha*/*/*")] if p.is_file())
    # the copy's files, and the two linked environments' shared files once
    assert (alpha.total_bytes, alpha.shared_bytes) == (2 * single, single)
    pip = by_name["pip"]
    assert pip.copies == 3
    assert pip.total_bytes == 2 * pip.shared_bytes > 1_000_000


async def test_the_facade_streams_finds_and_evaluates_in_threads(home: Path) -> None:
    from venvdeck.services.local import LocalEnvironmentService

    service = LocalEnvironmentService(DiscoveryOptions(roots=[home]))
    found = [match async for match in service.find_everywhere("ALPHA==1.0")]
    assert sorted(m.environment.path.parent.name for m in found) == ["copied", "linked-a", "linked-b"]
    with pytest.raises(InvalidRequirementError, match="not a requirement"):
        [match async for match in service.find_everywhere("alpha==")]
    env = found[0].environment
    report = await service.check(env)
    assert "needs-missing 1.0 requires ghost, which is not installed." in [p.message for p in report.problems]
    tree = await service.dependency_tree(env, reverse=True)
    assert "ghost" in [root.key for root in tree.roots]
    details = await service.package_details(env, "beta")
    assert [b.name for b in details.required_by] == ["alpha", "needs-missing"]
    assert [u.name for u in await service.usage()][:2] == ["pip", "setuptools"]


def test_usage_never_counts_what_a_linked_folder_points_to_outside(bare_env: Path, tmp_path: Path) -> None:
    """A package folder that is a link out of the environment, with RECORD naming a big file (or
    a link to / with RECORD naming /etc files): none of it is the environment's disk."""
    outside = tmp_path / "data"
    outside.mkdir()
    (outside / "big.bin").write_bytes(b"\0" * 5_000_000)
    site = next((bare_env / "lib").glob("python*/site-packages"))
    info = site / "bigpkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bigpkg\nVersion: 1.0\n")
    (site / "bigpkg").symlink_to(outside)
    (site / "root").symlink_to("/")
    (info / "RECORD").write_text(
        "bigpkg/big.bin,,\nroot/etc/hostname,,\nroot/usr/bin/env,,\nbigpkg-1.0.dist-info/METADATA,,\n"
    )
    rows, _ = usage(DiscoveryOptions(roots=[bare_env.parent]))
    bigpkg = next(u for u in rows if u.name == "bigpkg")
    assert 0 < bigpkg.total_bytes < 1000  # its METADATA alone


async def test_the_dashboard_finds_in_a_broken_environment_from_its_folder_and_the_cli_does_not(
    home: Path, tmp_path: Path
) -> None:
    """F skipped broken environments ('2 broken ones not searched') though the dashboard lists them
    and their packages: where a package lives is also where the disk goes."""
    from venvdeck.services.local import LocalEnvironmentService

    broken = tmp_path / "lost" / ".venv"
    shutil.copytree(home / "copied" / ".venv", broken, symlinks=True)
    for name in ("python", "python3"):
        (broken / "bin" / name).unlink(missing_ok=True)
    (broken / "bin" / "python").symlink_to(tmp_path / "gone" / "python3")
    roots = DiscoveryOptions(roots=[tmp_path])
    service = LocalEnvironmentService(roots)
    found = [match async for match in service.find_everywhere("zeta-pkg")]
    assert [(m.environment.path, m.environment.is_broken, m.version) for m in found] == [
        (broken, True, "1.0")
    ]
    assert [m async for m in service.find_everywhere('zeta-pkg; sys_platform != "win32"')] == []  # no Python
    cli: list[FoundDistribution] = []
    report = find_everywhere(requirement_from("zeta-pkg"), roots, cli.append)
    assert cli == []
    assert report.broken == 1
