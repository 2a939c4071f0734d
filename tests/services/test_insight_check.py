"""check() against the environment's own `pip check`: same lines, same order, same verdict."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.services.conftest import PIP_ENV_VERSIONS
from tests.services.test_insight_deps import pipdeptree_json
from tests.support.insight import site_packages
from venvdeck.models import ProblemKind
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.insight import deps
from venvdeck.services.insight.check import check


def pip_check(env: Path) -> tuple[int, list[str]]:
    result = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", "check"], capture_output=True, text=True, check=False
    )
    return result.returncode, result.stdout.splitlines()


def test_check_says_what_pip_check_says(insight_env: Path) -> None:
    report = check(resolve_environment(insight_env))
    returncode, lines = pip_check(insight_env)
    assert [p.message for p in report.problems] == lines
    assert (returncode, report.ok) == (1, False)
    kinds = {(p.kind, p.package, p.dependency) for p in report.problems}
    assert (ProblemKind.MISSING, "needs-missing", "ghost") in kinds
    assert (ProblemKind.CONFLICT, "alpha", "zeta-pkg") in kinds
    assert (ProblemKind.CONFLICT, "needs-missing", "beta") in kinds
    # pip leaves a distribution whose requirements do not parse out of its set: what requires it is
    # "not installed"; pip never follows extras (gamma[fast] → speedy>=1 is not checked).
    assert (ProblemKind.MISSING, "usescorrupt", "corrupt") in kinds
    assert not any(p.dependency in {"speedy", "never-here", "win-only"} for p in report.problems)


def test_corrupt_metadata_is_reported_per_distribution(insight_env: Path) -> None:
    report = check(resolve_environment(insight_env))
    by_name = {p.name: p for p in report.metadata_problems}
    assert "this is not valid" in by_name["corrupt"].message
    assert by_name["corrupt"].fails_check
    assert by_name["nometa"].message == "no METADATA file"
    assert not by_name["nometa"].fails_check


def test_a_clean_environment_has_no_problems_and_a_new_one_is_found(pip_env: Path, wheelhouse: Path) -> None:
    subprocess.run(
        [
            str(pip_env / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            "demo-app",
        ],
        check=True,
        capture_output=True,
    )
    env = resolve_environment(pip_env)
    before = check(env)
    assert (before.ok, before.problems, pip_check(pip_env)) == (
        True,
        (),
        (0, ["No broken requirements found."]),
    )
    shutil.rmtree(next(site_packages(pip_env).glob("demo_dep-*.dist-info")))
    after = check(env)
    (introduced,) = after.introduced_since(before)
    assert introduced.message == "demo-app 0.1 requires demo-dep, which is not installed."
    assert [p.message for p in after.problems] == pip_check(pip_env)[1]


@pytest.mark.parametrize("version", [v for v in PIP_ENV_VERSIONS if v in {"3.8", "3.13"}])
def test_other_pip_eras_agree(version: str, pip_envs: dict[str, Path], tmp_path: Path) -> None:
    """pip 23.0 (pkg_resources order) and pip 24.2 (also reports wheels for another platform)."""
    if version not in pip_envs:
        pytest.skip(f"no Python {version} here")
    env = tmp_path / "env"
    shutil.copytree(pip_envs[version], env, symlinks=True)
    site = site_packages(env)
    shutil.rmtree(next(site.glob("demo_dep-*.dist-info")))
    wheel = next(site.glob("Foo.Bar_baz-*.dist-info")) / "WHEEL"
    wheel.write_text(wheel.read_text().replace("Tag: py3-none-any", "Tag: cp27-cp27mu-manylinux1_x86_64"))
    wheel.write_text(wheel.read_text().replace("Tag: py2-none-any\n", ""))
    report = check(resolve_environment(env))
    returncode, lines = pip_check(env)
    assert [p.message for p in report.problems] == lines
    assert "demo-app 0.1 requires demo-dep, which is not installed." in lines
    unsupported = [p for p in report.problems if p.kind is ProblemKind.UNSUPPORTED]
    assert len(unsupported) == (1 if version == "3.13" else 0)
    assert returncode == 1


def test_a_never_seen_environment_is_asked_once_for_its_paths_and_markers(
    bare_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing's probe brings the marker values too: one interpreter start, not two."""
    import sys

    from venvdeck.services import process
    from venvdeck.services.insight import markers
    from venvdeck.services.read import interpreters

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(interpreters, "_cache", {})
    monkeypatch.setattr(markers, "_cache", {})
    started: list[str] = []
    real_run = process.run

    def counted(argv: list[str], **kwargs: object) -> process.ProcessResult:
        started.append(argv[0])
        return real_run(argv, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(process, "run", counted)
    report = check(resolve_environment(bare_env))
    assert report.ok
    assert started == [str(bare_env / "bin" / "python")]
    expected = subprocess.run(
        [sys.executable, "-c", "import json, platform; print(json.dumps(platform.python_version()))"],
        capture_output=True,
        text=True,
        check=True,
    )
    values = markers.marker_environment(bare_env / "bin" / "python")
    assert values["python_full_version"] == json.loads(expected.stdout)
    assert started == [str(bare_env / "bin" / "python")]  # remembered: asked no more


def _dist_info(
    site: Path, folder: str, *headers: str, metadata: bool = True, suffix: str = ".dist-info"
) -> None:
    info = site / f"{folder}{suffix}"
    info.mkdir()
    if metadata:
        (info / "METADATA").write_text("Metadata-Version: 2.1\n" + "".join(f"{h}\n" for h in headers))
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text("")


@pytest.mark.parametrize("version", [v for v in PIP_ENV_VERSIONS if v in {"3.8", "3.12", "3.13"}])
def test_hand_made_and_broken_info_folders_read_as_pip_reads_them(
    version: str, pip_envs: dict[str, Path], tmp_path: Path
) -> None:
    """What a crashed upgrade or a hand edit leaves, read by each pip era (pkg_resources on 3.8,
    importlib before 24.2 on 3.12, 24.2's folder-first names and versions on 3.13): list, freeze
    and check say what that environment's own pip says.

    Two copies of one name: pip keeps the first it meets (the folder's own order on importlib,
    the highest version on pkg_resources). A folder without METADATA: listed by its folder's name
    from pip 24.2 and on pkg_resources (which leaves it out of check, exit 1), skipped before.
    An empty Name: listed as "". A folder named other than its Name: check knows it by the
    folder's name. A version that does not parse: compared as a legacy version before 24.1,
    "not installed" after."""
    from venvdeck.services.read.freeze import freeze
    from venvdeck.services.read.packages import list_packages

    if version not in pip_envs:
        pytest.skip(f"no Python {version} here")
    env = tmp_path / "env"
    shutil.copytree(pip_envs[version], env, symlinks=True)
    site = site_packages(env)
    for copy in ("1.11.0", "1.12.0", "1.9.0", "1.16.0", "1.13.0", "1.10.0"):
        _dist_info(site, f"six-{copy}", "Name: six", f"Version: {copy}")
    _dist_info(site, "Dupe-2.0", "Name: Dupe", "Version: 2.0")
    _dist_info(site, "dupe-1.0", "Name: dupe", "Version: 1.0")
    _dist_info(site, "needs_six-1.0", "Name: needs-six", "Version: 1.0", "Requires-Dist: six>=1.12")
    _dist_info(site, "no_meta-1.0", metadata=False)
    _dist_info(site, "unnamed-1.0", "Name: ", "Version: 1.0")
    _dist_info(site, "by_folder-1.0", "Name: by-header", "Version: 1.0", "Requires-Dist: nowhere")
    _dist_info(site, "odd_version-1.0", "Name: odd-version", "Version: not-a-version")
    _dist_info(
        site,
        "needs_all-1.0",
        "Name: needs-all",
        "Version: 1.0",
        *(f"Requires-Dist: {r}" for r in ("odd-version>=1", "no-meta>=2", "by-header", "by-folder")),
    )
    _legacy_installs(site, tmp_path / "src")
    python = str(env / "bin" / "python")
    listed = subprocess.run([python, "-m", "pip", "list", "--format=json"], capture_output=True, text=True)
    resolved = resolve_environment(env)
    ours = [
        {"name": p.name, "version": p.version}
        | ({"editable_project_location": str(p.editable_project_location)} if p.editable else {})
        for p in list_packages(resolved).packages
    ]
    assert ours == json.loads(listed.stdout)
    pips_freeze = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True).stdout
    assert freeze(resolved).text == pips_freeze
    returncode, lines = pip_check(env)
    report = check(resolved)
    assert (report.ok, [p.message for p in report.problems]) == (
        returncode == 0,
        [line for line in lines if line != "No broken requirements found."],
    )
    assert "by-folder 1.0 requires nowhere, which is not installed." in lines  # what it tests
    if version == "3.8":
        return  # pipdeptree keeps another of the six copies than pip on pkg_resources (left alone)
    # pipdeptree reads importlib.metadata, which has no name for the folder without METADATA.
    graph = deps.graph_for(resolved)
    assert sorted_json(deps.pipdeptree_json(graph)) == sorted_json(pipdeptree_json(env))


def _legacy_installs(site: Path, src: Path) -> None:
    """What setuptools' egg-info installs, old hand edits and odd installers leave."""
    legacy = site / "legacy-1.0-py3.egg-info"  # conditional install_requires go to sections
    legacy.mkdir()
    (legacy / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: legacy\nVersion: 1.0\n")
    (legacy / "requires.txt").write_text(
        'six\n\n[:python_version >= "3"]\nmissing-cond>=1\n\n[extra1]\nmissing-extra\n'
    )
    headed = site / "headed-1.0.egg-info"  # Requires-Dist in PKG-INFO: requires.txt is not read
    headed.mkdir()
    (headed / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: headed\nVersion: 1.0\nRequires-Dist: gone-two\n"
    )
    (headed / "requires.txt").write_text("six\n")
    _dist_info(site, "SHOUTY-1.0", "Name: shouty", "Version: 1.0", suffix=".DIST-INFO")
    _dist_info(site, "no_commit-1.0", "Name: no-commit", "Version: 1.0")
    (site / "no_commit-1.0.dist-info" / "direct_url.json").write_text(
        json.dumps({"url": "https://example.invalid/no-commit.git", "vcs_info": {"vcs": "git"}})
    )
    _dist_info(site, "dangling-1.0", metadata=False)
    (site / "dangling-1.0.dist-info" / "METADATA").symlink_to(site / "no-such-file")
    project = src / "my_pkg"  # a legacy editable whose .egg-link setuptools 69 named by the Name
    (project / "my_pkg.egg-info").mkdir(parents=True)
    (project / "my_pkg.egg-info" / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: my_pkg\nVersion: 0.1\n"
    )
    (site / "my_pkg.egg-link").write_text(f"{project}\n.\n")
    (site / "easy-install.pth").write_text(f"{project}\n")
    unlisted = src / "Proj"  # an .egg-link without its .pth line: only importlib's pip follows it
    (unlisted / "Proj.egg-info").mkdir(parents=True)
    (unlisted / "Proj.egg-info" / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: Proj\nVersion: 0.1\n")
    (site / "Proj.egg-link").write_text(f"{unlisted}\n.\n")


def sorted_json(tree: object) -> str:
    return json.dumps(tree, sort_keys=True)
