"""The interpreter probe is cached on disk, and a change to the environment makes it ask again."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from venvdeck.errors import InterpreterError
from venvdeck.services import process
from venvdeck.services.read import interpreters


def _forget_memory() -> None:
    interpreters._cache.clear()


def test_a_second_process_reads_the_probe_from_disk_until_the_environment_changes(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = bare_env / "bin" / "python"
    first = interpreters.probe(python)
    _forget_memory()  # as a new `venvdeck` process would start

    calls: list[list[str]] = []

    def no_process(argv: list[str], **kwargs: object) -> process.ProcessResult:
        calls.append(argv)
        raise InterpreterError("the probe ran")

    monkeypatch.setattr(process, "run", no_process)
    assert interpreters.probe(python) == first
    assert calls == []

    for changed in (next(bare_env.glob("lib/python*/site-packages")), bare_env / "pyvenv.cfg"):
        _forget_memory()
        later = time.time() + 5
        os.utime(changed, (later, later))
        with pytest.raises(InterpreterError, match="the probe ran"):
            interpreters.probe(python)
        monkeypatch.undo()
        interpreters.probe(python)  # re-probe for real, and cache the new state
        monkeypatch.setattr(process, "run", no_process)
    assert len(calls) == 2


def test_a_damaged_cache_file_is_ignored(bare_env: Path) -> None:
    python = bare_env / "bin" / "python"
    interpreters.probe(python)
    (interpreters._cache_dir() / interpreters._cache_name(python)).write_text("{not json")
    _forget_memory()
    assert interpreters.probe(python).prefix == bare_env


def test_a_pth_file_edited_in_place_is_read_again(bare_env: Path, tmp_path: Path) -> None:
    """Appending a folder to an existing .pth leaves its folder's time as it was: the probe's
    cache still noticed nothing, and the new folder's packages were missing."""
    site = next(bare_env.glob("lib/python*/site-packages"))
    pth = site / "zz.pth"
    pth.write_text("# placeholder\n")
    python = bare_env / "bin" / "python"
    extra = tmp_path / "extra"
    extra.mkdir()
    assert extra not in interpreters.probe(python).sys_path
    folder_time = site.stat().st_mtime_ns
    with pth.open("a") as f:
        f.write(f"{extra}\n")
    later = time.time() + 5
    os.utime(pth, (later, later))
    os.utime(site, ns=(folder_time, folder_time))
    _forget_memory()
    assert extra in interpreters.probe(python).sys_path


def test_a_python_2_virtualenv_is_read_without_its_site(tmp_path: Path) -> None:
    """virtualenv 20's layout for Python 2.7: a few links to the base's standard library, the
    rest put on the path by the environment's own site.py, which venvdeck does not run. The probe
    finds the base's standard library from pyvenv.cfg's base-prefix, and the environment's
    site-packages and .pth folders as site would (it failed: No module named json)."""
    from tests.support.pythons import require_python

    base_python = require_python("2.7")
    base = Path(os.path.realpath(base_python)).parent.parent
    env = tmp_path / "py2" / ".venv"
    lib = env / "lib" / "python2.7"
    site = lib / "site-packages"
    site.mkdir(parents=True)
    (lib / "lib-dynload").symlink_to(base / "lib" / "python2.7" / "lib-dynload")
    ran = tmp_path / "ran"  # a planted os.py: imported from the environment, it would run
    (lib / "os.py").write_text(
        f"open({str(ran)!r}, 'w').close()\n" + (base / "lib" / "python2.7" / "os.py").read_text()
    )
    (env / "bin").mkdir()
    shutil.copy2(os.path.realpath(base_python), env / "bin" / "python")  # a link: its base's prefix
    (env / "pyvenv.cfg").write_text(
        f"home = {base / 'bin'}\nversion_info = 2.7.18.final.0\nvirtualenv = 20.21.1\n"
        f"include-system-site-packages = false\nbase-prefix = {base}\nbase-exec-prefix = {base}\n"
    )
    extra = tmp_path / "src"
    extra.mkdir()
    (site / "legacy.pth").write_text(f"{extra}\nimport sys; sys.path.append('/ran')\n")
    info = interpreters.probe(env / "bin" / "python")
    assert info.version_info[:2] == (2, 7)
    assert base / "lib" / "python2.7" in info.sys_path  # the base's standard library
    assert site in info.sys_path
    assert extra in info.sys_path
    assert Path("/ran") not in info.sys_path  # an import line is code: never run
    assert info.base_prefix == base
    assert not ran.exists()  # the standard library is the base's before anything is imported
    assert not (lib / "os.pyc").exists()  # and a read writes nothing into the environment


def test_easy_install_eggs_come_first_as_at_a_normal_start(bare_env: Path) -> None:
    """setuptools' easy-install.pth moves its eggs to the front of the path with two import lines;
    venvdeck runs no import line, but knows those two: the path is a normal start's."""
    import subprocess

    site = next(bare_env.glob("lib/python*/site-packages"))
    for egg in ("a.egg", "b.egg"):
        (site / egg).mkdir()
    (site / "easy-install.pth").write_text(
        "import sys; sys.__plen = len(sys.path)\n./a.egg\n./b.egg\n"
        "import sys; new = sys.path[sys.__plen:]; del sys.path[sys.__plen:]; "
        "p = getattr(sys, '__egginsert', 0); sys.path[p:p] = new; sys.__egginsert = p + len(new)\n"
    )
    python = bare_env / "bin" / "python"
    normal = subprocess.run(
        [str(python), "-E", "-s", "-c", "import sys; print('\\n'.join(p for p in sys.path[1:] if p))"],
        capture_output=True,
        text=True,
        cwd="/",
        check=True,
    ).stdout.split()
    probed = [str(p) for p in interpreters.probe(python).sys_path]
    assert probed == normal
    assert probed.index(str(site / "a.egg")) < probed.index(str(site))
