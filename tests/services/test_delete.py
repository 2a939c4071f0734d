"""Deleting: on identity, never by path after the check; what must be refused changes nothing.

Real folders, real links, real races (a thread swapping folders in a loop), real kill -9, deep and
non-UTF-8 trees, immutable flags and another user where the machine allows (root in CI).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.homes import _base_install, _venv_files
from tests.support.pythons import make_venv
from tests.support.users import NOBODY, chown_tree, require_other_user, shared_folder, venvdeck_as_other_user
from venvdeck.errors import EnvironmentBusy, RefusedError
from venvdeck.models import Environment
from venvdeck.services.change.delete import delete_environment, plan_delete
from venvdeck.services.change.leftovers import finish_all_pending
from venvdeck.services.change.locks import EnvironmentLocks
from venvdeck.services.find import layout
from venvdeck.services.find.discovery import DiscoveryOptions, discover

PYTHON = Path(sys.executable)
APP = Path(__file__).resolve().parents[2] / "app"


def _environ(home: Path, **extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "CONDA_PREFIX"}}
    return {**environ, "HOME": str(home), "PATH": "/usr/bin:/bin", **extra}


def _known(*roots: Path) -> Callable[[], list[Environment]]:
    def find() -> list[Environment]:
        found: list[Environment] = []
        discover(DiscoveryOptions(roots=list(roots), include_path_interpreters=False), found.append)
        return found

    return find


NOBODY_KNOWN: Callable[[], list[Environment]] = list


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _delete(env: Path, home: Path, **extra: str) -> None:
    plan = plan_delete(env, NOBODY_KNOWN, environ=_environ(home, **extra))
    delete_environment(plan, EnvironmentLocks(), environ=_environ(home, **extra))


def test_deleting_a_venv_removes_it_and_nothing_else(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "proj" / ".venv")
    (tmp_path / "proj" / "app.py").write_text("print('keep me')")
    plan = plan_delete(env, _known(tmp_path), environ=_environ(tmp_path))
    assert plan.size is not None
    assert plan.size.freed_bytes > 0
    result = delete_environment(plan, EnvironmentLocks(), environ=_environ(tmp_path))
    assert not env.exists()
    assert (tmp_path / "proj" / "app.py").read_text() == "print('keep me')"
    assert [p.name for p in (tmp_path / "proj").iterdir()] == ["app.py"]  # no leftovers beside it
    assert result.freed_bytes == plan.size.freed_bytes


def test_a_symlink_is_refused_and_only_the_link_can_go(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "real-env")
    link = tmp_path / "link-env"
    link.symlink_to(env)
    with pytest.raises(RefusedError, match=r"symbolic link to .*--unlink"):
        plan_delete(link, NOBODY_KNOWN, environ=_environ(tmp_path))
    plan = plan_delete(link, NOBODY_KNOWN, unlink_only=True, environ=_environ(tmp_path))
    assert plan.unlink_only
    assert "the environment at" in plan.summary
    delete_environment(plan, EnvironmentLocks(), environ=_environ(tmp_path))
    assert not os.path.lexists(link)
    assert (env / "pyvenv.cfg").is_file()


def test_an_environments_interpreter_is_not_a_link_to_unlink(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "env")
    with pytest.raises(
        RefusedError, match=f"belongs to the environment {env}; to delete the environment, give its folder"
    ):
        plan_delete(env / "bin" / "python", NOBODY_KNOWN, environ=_environ(tmp_path))
    assert os.path.lexists(env / "bin" / "python")


@pytest.mark.parametrize(
    ("name", "message"), [("plain-folder", "not a Python environment"), ("missing", "no such folder")]
)
def test_what_is_not_an_environment_is_refused(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "plain-folder").mkdir()
    (tmp_path / "plain-folder" / "data.csv").write_text("1,2\n")
    with pytest.raises(RefusedError, match=message):
        plan_delete(tmp_path / name, NOBODY_KNOWN, environ=_environ(tmp_path))
    assert (tmp_path / "plain-folder" / "data.csv").exists()


def test_venvdecks_own_environment_is_refused() -> None:
    with pytest.raises(RefusedError, match="venvdeck itself runs from"):
        plan_delete(sys.prefix, NOBODY_KNOWN, environ=_environ(Path("/nonexistent-home")))


def test_the_active_environment_is_refused(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "active")
    before = _snapshot(tmp_path)
    with pytest.raises(RefusedError, match="active environment"):
        plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path, VIRTUAL_ENV=str(env)))
    assert _snapshot(tmp_path) == before


def test_a_base_other_environments_use_is_refused_and_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    versions = home / ".pyenv" / "versions"
    used = _base_install(versions / "3.11.9", "3.11.9")
    unused = _base_install(versions / "3.10.14", "3.10.14")
    elsewhere = tmp_path / "work"  # a root from the config, outside home
    child = _venv_files(
        elsewhere / "proj" / ".venv", f"home = {used}/bin\nversion = 3.11.9\n", used / "bin" / "python3.11"
    )
    environ = _environ(home, PYENV_ROOT=str(home / ".pyenv"))
    with pytest.raises(RefusedError, match=f"base of other environments: {child}"):
        plan_delete(used, _known(home, elsewhere), environ=environ)
    plan = plan_delete(unused, _known(home, elsewhere), environ=environ)
    assert plan.environment.manager == "pyenv"
    assert any(
        w.startswith(f"{unused} is a Python 3.10") and "not a virtual environment" in w for w in plan.warnings
    )


def test_a_system_python_is_refused() -> None:
    with pytest.raises(RefusedError, match="system"):
        plan_delete("/usr", NOBODY_KNOWN, environ=_environ(Path("/nonexistent-home")))


def test_a_conda_base_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "miniconda3"
    (base / "conda-meta").mkdir(parents=True)
    (base / "condabin").mkdir()
    (base / "bin").mkdir()
    (base / "bin" / "python").symlink_to(PYTHON)
    with pytest.raises(RefusedError, match="conda base"):
        plan_delete(base, NOBODY_KNOWN, environ=_environ(tmp_path))
    assert (base / "conda-meta").is_dir()


def test_a_home_folder_and_a_folder_holding_one_are_refused(tmp_path: Path) -> None:
    home = make_venv(PYTHON, tmp_path / "home-is-a-venv")
    with pytest.raises(RefusedError, match="is the home folder"):
        plan_delete(home, NOBODY_KNOWN, environ=_environ(home))
    outer = make_venv(PYTHON, tmp_path / "outer")
    (outer / "share" / "people").mkdir(parents=True)
    with pytest.raises(RefusedError, match="holds the home folder"):
        plan_delete(outer, NOBODY_KNOWN, environ=_environ(outer / "share" / "people"))
    assert (home / "pyvenv.cfg").exists()
    assert (outer / "pyvenv.cfg").exists()


def test_another_users_home_that_is_a_venv_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("needs root and useradd to make a user")
    home = make_venv(PYTHON, tmp_path / "bob")
    (home / "thesis.tex").write_text("years of work")
    name = f"vd{os.getpid() % 100000}"
    made = subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), name], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"useradd failed: {made.stderr!r}")
    try:
        with pytest.raises(RefusedError, match="home folder"):
            plan_delete(home, NOBODY_KNOWN, environ=_environ(tmp_path / "me"))
    finally:
        subprocess.run(["userdel", name], capture_output=True)
    assert (home / "thesis.tex").read_text() == "years of work"


def test_a_folder_holding_more_than_an_environment_is_refused(tmp_path: Path) -> None:
    home = make_venv(PYTHON, tmp_path / "made-into-a-venv")
    (home / "Documents").mkdir()
    (home / "Documents" / "taxes.pdf").write_text("keep")
    with pytest.raises(RefusedError, match="holds Documents, which is not part of an environment"):
        plan_delete(home, NOBODY_KNOWN, environ=_environ(tmp_path))
    assert (home / "Documents" / "taxes.pdf").exists()


def test_a_folder_replaced_after_the_check_is_moved_back_untouched(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "swap")
    plan = plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path))
    env.rename(tmp_path / "swap-old")
    make_venv(PYTHON, env)  # the same path, another folder
    (env / "precious.txt").write_text("new work")
    with pytest.raises(RefusedError, match="changed since it was checked"):
        delete_environment(plan, EnvironmentLocks(), environ=_environ(tmp_path))
    assert (env / "precious.txt").read_text() == "new work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["swap", "swap-old"]


def test_a_file_saved_in_it_while_the_confirmation_was_open_stops_the_delete(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "late")
    plan = plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path))
    (env / "NOTES.txt").write_text("written after the plan")
    with pytest.raises(RefusedError, match=r"now holds NOTES\.txt, which is not part of an environment"):
        delete_environment(plan, EnvironmentLocks(), environ=_environ(tmp_path))
    assert (env / "NOTES.txt").read_text() == "written after the plan"
    assert (env / "pyvenv.cfg").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late"]


def test_markers_gone_after_the_check_means_no_delete(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "was-env")
    plan = plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path))
    for item in env.iterdir():
        shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()
    (env / "thesis.tex").write_text("\\documentclass{article}")
    with pytest.raises(RefusedError, match="changed since it was checked"):
        delete_environment(plan, EnvironmentLocks(), environ=_environ(tmp_path))
    assert (env / "thesis.tex").exists()


def test_a_racing_swap_never_gets_the_wrong_folder_deleted(tmp_path: Path) -> None:
    """A thread swaps the environment and a decoy in a loop while deletes run: many trials, no loss."""
    lost = 0
    for trial in range(40):
        root = tmp_path / f"t{trial}"
        env = (
            make_venv(PYTHON, root / "env")
            if trial == 0
            else _copy_env(tmp_path / "t0-template", root / "env")
        )
        if trial == 0:
            shutil.copytree(env, tmp_path / "t0-template", symlinks=True)
        decoy = root / "decoy"
        decoy.mkdir()
        (decoy / "pyvenv.cfg").write_text("home = /usr/bin\n")  # looks like an environment
        (decoy / "bin").mkdir()
        (decoy / "mine.txt").write_text("do not delete")
        plan = plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path))
        stop = threading.Event()

        def swap(
            env: Path = env, decoy: Path = decoy, root: Path = root, stop: threading.Event = stop
        ) -> None:
            spare = root / "spare"
            while not stop.is_set():
                with contextlib.suppress(OSError):
                    os.rename(env, spare)
                    os.rename(decoy, env)
                    os.rename(env, decoy)
                    os.rename(spare, env)

        swapper = threading.Thread(target=swap)
        swapper.start()
        try:
            with contextlib.suppress(RefusedError, EnvironmentBusy, OSError):
                delete_environment(plan, EnvironmentLocks(), environ=_environ(tmp_path))
        finally:
            stop.set()
            swapper.join()
        survivors = list(root.rglob("mine.txt"))
        lost += not survivors
    assert lost == 0


def _copy_env(template: Path, target: Path) -> Path:
    shutil.copytree(template, target, symlinks=True)
    return target


def test_two_deletes_of_one_environment_one_deletes_the_other_says_why(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "twice")
    plans = [plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path)) for _ in range(2)]
    outcomes: list[str] = []

    def run(plan: object) -> None:
        try:
            delete_environment(plan, EnvironmentLocks(), environ=_environ(tmp_path))  # type: ignore[arg-type]
            outcomes.append("deleted")
        except (EnvironmentBusy, RefusedError) as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=run, args=(p,)) for p in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("deleted") == 1, outcomes
    (other,) = [o for o in outcomes if o != "deleted"]
    assert "gone already" in other or "busy" in other, outcomes
    assert not env.exists()
    assert list(tmp_path.iterdir()) == []


def test_deep_long_and_non_utf8_names_are_removed_without_recursion(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "deep")
    fd = os.open(env / "lib", os.O_RDONLY)
    try:  # 1,100 levels: far past PATH_MAX and Python's recursion limit
        for _ in range(1100):
            os.mkdir("d", dir_fd=fd)
            next_fd = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        os.close(os.open("leaf.txt", os.O_CREAT | os.O_WRONLY, dir_fd=fd))
    finally:
        os.close(fd)
    (env / "lib" / ("x" * 255)).write_text("long")
    (env / "lib" / os.fsdecode(b"caf\xe9\xff")).write_text("latin-1 and junk")
    _delete(env, tmp_path)
    assert not os.path.lexists(env)
    assert list(tmp_path.iterdir()) == []


def test_a_long_environment_name_still_fits_when_moved_aside(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / ("e" * 250))
    _delete(env, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_link_inside_is_removed_not_followed(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "env")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (env / "lib" / "to-outside").symlink_to(outside)
    _delete(env, tmp_path)
    assert (outside / "keep.txt").read_text() == "keep"


def test_a_mount_point_inside_is_refused_and_named(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount")
    env = make_venv(PYTHON, tmp_path / "env")
    source = tmp_path / "source"
    source.mkdir()
    (source / "data.db").write_text("precious")
    target = env / "lib" / "data"
    target.mkdir()
    if subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True).returncode != 0:
        pytest.skip("bind mounts are not allowed here")
    try:
        before = _snapshot(env)
        with pytest.raises(RefusedError, match=f"{target} is a mount point"):
            plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path))
        assert _snapshot(env) == before
    finally:
        subprocess.run(["umount", str(target)], check=True)
    assert (source / "data.db").read_text() == "precious"


def test_an_immutable_file_is_found_before_anything_is_removed(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "env")
    stuck = env / "lib" / "stuck.txt"
    stuck.write_text("x")
    if os.geteuid() != 0 or subprocess.run(["chattr", "+i", str(stuck)], capture_output=True).returncode != 0:
        pytest.skip("needs root and a filesystem with chattr +i")
    try:
        before = _snapshot(env)
        with pytest.raises(RefusedError, match=r"stuck\.txt is marked immutable"):
            plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path))
        assert _snapshot(env) == before
    finally:
        subprocess.run(["chattr", "-i", str(stuck)], check=True)


def test_as_an_ordinary_user_a_root_owned_file_deep_inside_stops_the_delete_before_it_starts() -> None:
    python = require_other_user()
    with shared_folder() as shared:
        home = shared / "home"
        home.mkdir()
        env = make_venv(PYTHON, shared / "proj" / ".venv")
        chown_tree(shared / "proj")
        chown_tree(home)
        locked = env / "lib" / "root-owned"
        locked.mkdir()
        (locked / "file.txt").write_text("root's")
        os.chown(locked, 0, 0)  # root's folder with a file: nobody cannot empty it
        before = _snapshot(env)
        result = venvdeck_as_other_user(python, "delete", "--yes", str(env), home=home)
        assert result.returncode == 1, result.stderr
        assert "root-owned is a folder this user may not change" in result.stderr
        assert result.stderr.count("\n") == 1  # refused while planning: one line
        assert _snapshot(env) == before


def test_as_an_ordinary_user_a_folder_of_ones_own_that_cannot_be_read_is_one_line() -> None:
    """A folder mode 000 (or 300) deep inside cannot be listed, so the tree cannot be emptied:
    one line naming it, nothing deleted (it was a traceback)."""
    python = require_other_user()
    with shared_folder() as shared:
        home = shared / "home"
        home.mkdir()
        env = make_venv(PYTHON, shared / "proj" / ".venv")
        locked = env / "lib" / "pkg" / "locked"
        locked.mkdir(parents=True)
        (locked / "data.txt").write_text("kept")
        chown_tree(shared / "proj")
        chown_tree(home)
        locked.chmod(0o000)
        try:
            for command in (["delete", "--yes", str(env)], ["delete", "--yes", "--json", str(env)]):
                result = venvdeck_as_other_user(python, *command, home=home)
                assert result.returncode == 1, result.stderr
                assert "Traceback" not in result.stderr
                assert re.search(r"pkg/locked cannot be read \(Permission denied\)", result.stderr)
                assert result.stderr.count("\n") == 1
                assert (env / "pyvenv.cfg").is_file()
        finally:
            locked.chmod(0o755)
        assert (locked / "data.txt").read_text() == "kept"


def test_as_an_ordinary_user_someone_elses_environment_cannot_be_taken_by_the_lock_or_deleted() -> None:
    python = require_other_user()
    with shared_folder() as shared:
        home = shared / "home"
        home.mkdir()
        chown_tree(home)
        env = make_venv(PYTHON, shared / "roots-env")  # root's
        result = venvdeck_as_other_user(python, "delete", "--yes", str(env), home=home)
        assert result.returncode == 1
        assert "may not be changed by this user" in result.stderr or "may not change" in result.stderr
        assert (env / "pyvenv.cfg").exists()
        assert os.stat(env).st_uid == 0
        assert NOBODY != 0


def test_an_interrupted_delete_is_never_listed_and_the_next_run_finishes_it(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "proj" / ".venv")
    bulk = env / "lib" / "bulk"
    bulk.mkdir()
    for i in range(12000):
        (bulk / f"f{i}").write_bytes(b"")
    code = f"import sys; sys.path.insert(0, {str(APP)!r}); from venvdeck.cli.main import main; sys.exit(main(sys.argv[1:]))"
    victim = subprocess.Popen(
        [sys.executable, "-c", code, "delete", "--yes", str(env)],
        env=_environ(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while env.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    asides = list((tmp_path / "proj").iterdir())
    if not asides:
        pytest.skip("the delete finished before it could be killed")
    assert not env.exists()
    assert all(p.name.startswith(".venvdeck-deleting-") for p in asides)
    listed = subprocess.run(
        [sys.executable, "-c", code, "list", "--json", str(tmp_path)],
        env=_environ(tmp_path),
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []  # never reported as an environment
    assert "finished deleting" in listed.stderr
    assert list((tmp_path / "proj").iterdir()) == []


def test_finishing_a_delete_keeps_a_file_saved_into_the_folder_after_it_was_moved_aside(
    tmp_path: Path,
) -> None:
    """A shell still in the folder saved NOTES.txt there mid-delete ('Directory not empty'); the
    next run finished the delete, and NOTES.txt with it."""
    left = tmp_path / ".venvdeck-deleting-0123456789abcdef"
    (left / "lib").mkdir(parents=True)
    (left / "NOTES.txt").write_text("notes")
    (line,) = finish_all_pending([left])
    kept = tmp_path / "venvdeck-kept-0123456789abcdef"
    assert line == (
        f"an interrupted delete left NOTES.txt in {left}, which is not part of an environment: "
        f"nothing more was deleted; it is kept in {kept}"
    )
    assert (kept / "NOTES.txt").read_text() == "notes"
    assert not left.exists()


def test_finishing_a_delete_keeps_a_file_saved_deep_inside_since_it_was_moved_aside(tmp_path: Path) -> None:
    """A shell in ENV/lib/work saved thesis.tex after the delete was killed: the top-level check
    passed, and the next run's list deleted it."""
    env = tmp_path / "env"
    (env / "lib" / "work").mkdir(parents=True)
    (env / "lib" / "site.py").write_text("")  # what the environment held when it was moved aside
    left = tmp_path / layout.deleting_name()
    env.rename(left)
    time.sleep(0.3)
    (left / "lib" / "work" / "thesis.tex").write_text("article")  # saved since
    (line,) = finish_all_pending([left])
    assert f"an interrupted delete left lib/work/thesis.tex in {left}" in line
    (kept,) = tmp_path.glob("venvdeck-kept-*")
    assert (kept / "lib" / "work" / "thesis.tex").read_text() == "article"
    (kept / "lib" / "work" / "thesis.tex").unlink()  # nothing saved since: it is finished
    kept.rename(left)
    (line,) = finish_all_pending([left])
    assert line.startswith("finished deleting")
    assert not left.exists()


def test_finishing_a_delete_is_not_stopped_by_a_hard_link_elsewhere_going(tmp_path: Path) -> None:
    """Removing another name of a file (a package cache cleaned, a copy made with cp -al deleted)
    changes its ctime: the leftover was kept for ever, said to hold what was 'saved since'."""
    env = tmp_path / "env"
    (env / "lib").mkdir(parents=True)
    (env / "lib" / "site.py").write_text("")
    os.link(env / "lib" / "site.py", tmp_path / "cache-copy.py")
    left = tmp_path / layout.deleting_name()
    env.rename(left)
    time.sleep(0.3)
    (tmp_path / "cache-copy.py").unlink()  # its other name goes: its ctime changes, not its contents
    (line,) = finish_all_pending([left])
    assert line.startswith("finished deleting"), line
    assert not left.exists()


def test_finishing_a_delete_refuses_what_is_not_its_own(tmp_path: Path) -> None:
    impostor = tmp_path / ".venvdeck-deleting-cafe"
    impostor.symlink_to(tmp_path)
    (lines,) = [finish_all_pending([impostor])]
    assert "could not finish deleting" in lines[0]
    assert tmp_path.exists()


def test_a_delete_waits_for_no_one_while_an_operation_runs(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "busy")
    plan = plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path))
    with EnvironmentLocks().hold(env), pytest.raises(EnvironmentBusy, match="busy"):
        delete_environment(plan, EnvironmentLocks(), environ=_environ(tmp_path))
    assert (env / "pyvenv.cfg").is_file()


def test_pipx_environments_go_with_their_command_links_and_a_copy_is_a_plain_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = make_venv(PYTHON, home / ".local" / "share" / "pipx" / "venvs" / "httpie")
    (env / "pipx_metadata.json").write_text("{}")
    (env / "bin" / "http").write_text("#!/bin/sh\n")
    bin_dir = home / ".local" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "http").symlink_to(env / "bin" / "http")
    (bin_dir / "mine").write_text("#!/bin/sh\n")
    copy = tmp_path / "backup" / "httpie"
    shutil.copytree(env, copy, symlinks=True)

    plan = plan_delete(copy, NOBODY_KNOWN, environ=_environ(home))
    assert plan.cleanups == ()  # the links point into the real one: nothing of the copy's
    delete_environment(plan, EnvironmentLocks(), environ=_environ(home))
    assert (bin_dir / "http").is_symlink()
    assert (env / "bin" / "http").exists()

    plan = plan_delete(env, NOBODY_KNOWN, environ=_environ(home))
    assert plan.cleanups == (str(bin_dir / "http"),)
    delete_environment(plan, EnvironmentLocks(), environ=_environ(home))
    assert not env.exists()
    assert sorted(p.name for p in bin_dir.iterdir()) == ["mine"]


def test_a_poetry_environment_warns_that_poetry_recreates_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = make_venv(PYTHON, home / ".cache" / "pypoetry" / "virtualenvs" / "shop-Xq3b1Kd2-py3.12")
    plan = plan_delete(env, NOBODY_KNOWN, environ=_environ(home))
    assert plan.warnings == ("poetry recreates it the next time it runs in the project",)


def test_a_folder_that_cannot_be_moved_aside_is_left_whole(tmp_path: Path) -> None:
    env = make_venv(PYTHON, tmp_path / "parent" / "env")
    plan = plan_delete(env, NOBODY_KNOWN, environ=_environ(tmp_path))
    before = _snapshot(env)
    (tmp_path / "parent").chmod(0o555)  # root ignores modes: the rename is refused by a flag instead
    try:
        if os.geteuid() == 0 and (
            subprocess.run(["chattr", "+i", str(tmp_path / "parent")], capture_output=True).returncode != 0
        ):
            pytest.skip("no chattr here")
        with pytest.raises(RefusedError, match=r"could not move .* aside"):
            delete_environment(plan, EnvironmentLocks(), environ=_environ(tmp_path))
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / "parent")], capture_output=True)
        (tmp_path / "parent").chmod(0o755)
    assert _snapshot(env) == before


def test_a_link_near_the_top_of_the_filesystem_is_offered_unlink_not_said_to_belong_to_slash(
    bare_env: Path,
) -> None:
    """With /usr/bin/python3, / looks like a Python install: a link two levels down was refused
    as belonging to "the environment /" instead of being offered --unlink."""
    import tempfile

    top = Path(tempfile.mkdtemp(dir="/tmp", prefix="vd-link-"))
    try:
        link = top / "myenv"
        link.symlink_to(bare_env)
        with pytest.raises(
            RefusedError, match=r"is a symbolic link to .*; remove just the link with --unlink"
        ):
            plan_delete(link, NOBODY_KNOWN, environ=_environ(top))
        plan = plan_delete(link, NOBODY_KNOWN, environ=_environ(top), unlink_only=True)
        assert (plan.real_path, plan.unlink_only) == (bare_env.resolve(), True)
    finally:
        shutil.rmtree(top)
    assert (bare_env / "pyvenv.cfg").is_file()
