"""Base interpreters and what depends on them: real interpreters and venvs, fake Homebrew and
python.org trees, PEP 514 registry data; environments grouped under the interpreter they lost."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from tests.support.bases import removable_base
from tests.support.homes import _base_install, _venv_files
from tests.support.pythons import make_venv
from venvdeck.models import DependentKind, Environment, Kernelspec, KernelState
from venvdeck.services.find.classify import classify_path
from venvdeck.services.find.locations import known_locations
from venvdeck.services.repair.interpreters import (
    RegistryKey,
    framework_installs,
    group_interpreters,
    homebrew_installs,
    lost_install,
    parse_pep514,
)

VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _env(path: Path) -> Environment:
    env = classify_path(path, known_locations())
    assert env is not None
    return env


def test_homebrew_cellar_and_python_org_installs_are_found(tmp_path: Path) -> None:
    brew = tmp_path / "opt" / "homebrew"
    cellar = (
        brew / "Cellar" / "python@3.12" / "3.12.4_1" / "Frameworks" / "Python.framework" / "Versions" / "3.12"
    )
    _base_install(cellar, "3.12.4")
    linuxbrew = tmp_path / "linuxbrew" / "Cellar" / "python@3.11" / "3.11.9"
    _base_install(linuxbrew, "3.11.9")
    (brew / "Cellar" / "python@3.12" / "not-a-version").mkdir()
    frameworks = tmp_path / "Library" / "Frameworks" / "Python.framework" / "Versions"
    _base_install(frameworks / "3.10", "3.10.11")
    (frameworks / "Current").symlink_to("3.10")
    loc = known_locations()
    found = homebrew_installs([brew, tmp_path / "linuxbrew"], loc)
    assert [(e.path, e.python_version) for e in found] == [(cellar, "3.12.4"), (linuxbrew, "3.11.9")]
    assert [(e.path, e.python_version) for e in framework_installs([frameworks], loc)] == [
        (frameworks / "3.10", "3.10.11")
    ]


def test_pep514_registrations_are_read_from_plain_data() -> None:
    core = RegistryKey(
        values={"DisplayName": "Python 3.12 (64-bit)", "SysVersion": "3.12"},
        subkeys={
            "InstallPath": RegistryKey(
                values={"": "C:\\Python312\\", "ExecutablePath": "C:\\Python312\\python.exe"}
            )
        },
    )
    anaconda = RegistryKey(
        values={"SysVersion": "3.11"}, subkeys={"InstallPath": RegistryKey(values={"": "C:\\Anaconda3"})}
    )
    no_path = RegistryKey(values={"SysVersion": "3.9"})
    hkcu = RegistryKey(
        subkeys={
            "PythonCore": RegistryKey(subkeys={"3.12": core, "3.9": no_path}),
            "PyLauncher": RegistryKey(subkeys={"x": core}),
        }
    )
    hklm = RegistryKey(
        subkeys={
            "PythonCore": RegistryKey(subkeys={"3.12": core}),  # the same interpreter again
            "ContinuumAnalytics": RegistryKey(subkeys={"Anaconda311-64": anaconda}),
        }
    )
    found = parse_pep514([hkcu, hklm])
    assert [(p.company, p.tag, p.version, p.display_name) for p in found] == [
        ("PythonCore", "3.12", "3.12", "Python 3.12 (64-bit)"),
        ("ContinuumAnalytics", "Anaconda311-64", "3.11", None),
    ]
    assert found[0].executable == Path("C:\\Python312\\python.exe")
    assert found[1].executable == Path("C:\\Anaconda3") / "python.exe"


def test_environments_that_lost_a_cellar_python_are_grouped_under_it(tmp_path: Path) -> None:
    gone = Path("/opt/homebrew/Cellar/python@3.11/3.11.6/Frameworks/Python.framework/Versions/3.11/bin")
    cfgs = [
        f"home = {gone}\ninclude-system-site-packages = false\nversion = 3.11.6\nexecutable = {gone}/python3.11\n",
        f"home = {gone}\nimplementation = CPython\nuv = 0.13.9\nversion_info = 3.11.6\n",
        f"home = {gone}\nversion_info = 3.11.6.final.0\nvirtualenv = 20.26.6\nbase-executable = {gone}/python3.11\n",
        f"home = {gone}\nversion = 3.11.6\n",
    ]
    envs = [
        _env(_venv_files(tmp_path / f"p{i}" / ".venv", cfg, gone / "python3.11"))
        for i, cfg in enumerate(cfgs)
    ]
    dead_kernel = Kernelspec(
        "old", tmp_path / "k" / "old", "Old", "python", envs[0].path / "bin" / "python", envs[0].path,
        KernelState.BROKEN, "user",
    )  # fmt: skip
    (lost,) = group_interpreters(envs, [dead_kernel])
    assert lost.missing
    assert lost.prefix == Path("/opt/homebrew/Cellar/python@3.11/3.11.6")
    assert lost.version == "3.11.6"
    assert [d.path for d in lost.dependents if d.kind is DependentKind.ENVIRONMENT] == [e.path for e in envs]
    assert [d.path for d in lost.dependents if d.kind is DependentKind.KERNEL] == [dead_kernel.path]


def test_lost_installs_are_named_by_the_folder_that_went() -> None:
    assert lost_install(Path("/home/a/.pyenv/versions/3.10.4/bin/python3.10")) == Path(
        "/home/a/.pyenv/versions/3.10.4"
    )
    assert lost_install(
        Path("/u/.local/share/uv/python/cpython-3.12.4-linux-x86_64-gnu/bin/python3")
    ) == Path("/u/.local/share/uv/python/cpython-3.12.4-linux-x86_64-gnu")
    assert lost_install(Path("/Library/Frameworks/Python.framework/Versions/3.9/bin")) == Path(
        "/Library/Frameworks/Python.framework/Versions/3.9"
    )
    assert lost_install(Path("/usr/bin/python3.8")) == Path("/usr")


def test_a_real_interpreter_lists_its_environments_through_symlinked_bins_until_it_goes(
    tmp_path: Path,
) -> None:
    python = removable_base(tmp_path / "base-copy")
    base = _env(tmp_path / "base-copy")
    linked_bin = tmp_path / "bin"
    linked_bin.mkdir()
    (linked_bin / f"python{VERSION}").symlink_to(python)  # as /usr/local/bin links into a Cellar
    direct = make_venv(python, tmp_path / "a" / ".venv")
    through_link = make_venv(linked_bin / f"python{VERSION}", tmp_path / "b" / ".venv")
    other = make_venv(Path(sys.executable), tmp_path / "c" / ".venv")
    kernel = Kernelspec(
        "a", tmp_path / "k" / "a", "A", "python", direct / "bin" / "python", direct, KernelState.OK, "user"
    )
    groups = group_interpreters([base, _env(direct), _env(through_link), _env(other)], [kernel])
    mine = next(g for g in groups if g.prefix == tmp_path / "base-copy")
    assert not mine.missing
    assert [(d.path, d.kind) for d in mine.dependents] == [
        (direct, DependentKind.ENVIRONMENT),
        (through_link, DependentKind.ENVIRONMENT),
        (kernel.path, DependentKind.KERNEL),
    ]
    assert other not in [d.path for g in groups for d in g.dependents if g is mine]
    shutil.rmtree(tmp_path / "base-copy")
    groups = group_interpreters([_env(direct), _env(through_link)])
    (lost,) = (g for g in groups if g.missing)
    assert lost.prefix == tmp_path / "base-copy"
    assert [d.path for d in lost.dependents] == [direct, through_link]  # pyvenv.cfg names the real file
    assert lost.version is not None
    assert lost.version.startswith(VERSION)


def test_an_environment_whose_own_link_broke_is_not_said_to_have_lost_its_python(tmp_path: Path) -> None:
    """Its bin/python points nowhere, but the Python its pyvenv.cfg names is there (and was not
    among the environments looked at): that Python is not lost, the environment is broken."""
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    for link in (env / "bin").glob("python*"):
        link.unlink()
        link.symlink_to(tmp_path / "nowhere" / "python3")
    broken = _env(env)
    assert broken.is_broken
    groups = group_interpreters([broken])
    assert not any(g.missing for g in groups), [(g.prefix, g.missing) for g in groups]
    (owner,) = (g for g in groups if any(d.path == env for d in g.dependents))
    assert os.path.exists(owner.path)
    assert [d.broken for d in owner.dependents if d.path == env] == [True]
