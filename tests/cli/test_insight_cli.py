"""check, deps, show, find and usage as a user runs them, against pip check and pipdeptree."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import venvdeck
from tests.support.insight import build_insight_env, build_wheels


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, pip_template: Path) -> Path:
    root = tmp_path_factory.mktemp("insight-cli")
    return build_insight_env(
        pip_template, root / "home" / "proj" / ".venv", build_wheels(root / "w"), root / "p"
    )


def test_check_prints_what_pip_check_prints(env: Path) -> None:
    ours = venvdeck("check", str(env))
    pip = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "check"], capture_output=True, text=True)
    assert (ours.returncode, ours.stdout) == (pip.returncode, pip.stdout) == (1, pip.stdout)
    assert "corrupt" in ours.stderr
    assert "nometa" in ours.stderr
    rows = json.loads(venvdeck("check", "--json", str(env)).stdout)
    assert {
        "package": "needs-missing",
        "version": "1.0",
        "requirement": "ghost>=1.0",
        "problem": "missing",
        "installed_version": None,
    } in rows
    assert {
        "package": "alpha",
        "version": "1.0",
        "requirement": "Zeta_Pkg<3,>=2.0",
        "problem": "conflict",
        "installed_version": "1.0",
    } in rows


def test_deps_json_is_pipdeptrees(env: Path) -> None:
    ours = venvdeck("deps", str(env), "--json")
    theirs = subprocess.run(
        [str(Path(sys.executable).parent / "pipdeptree"), "--python", str(env / "bin" / "python"), "--json"],
        capture_output=True,
        text=True,
        cwd=env,
    )
    assert ours.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)
    assert ours.stdout == theirs.stdout  # the same indentation too


def test_deps_text_reverse_and_names(env: Path) -> None:
    result = venvdeck("deps", str(env), "--reverse", "zeta_pkg", "--depth", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["zeta-pkg==1.0", "└── alpha==1.0 [requires: zeta-pkg>=2.0,<3]"]
    tree = venvdeck("deps", str(env), "needs-missing")
    assert "└── ghost [required: >=1.0, installed: ?] MISSING" in tree.stdout.splitlines()


def test_show_and_usage(env: Path) -> None:
    details = json.loads(venvdeck("show", str(env), "Gamma", "--json").stdout)
    assert details["name"] == "gamma"
    assert [r["name"] for r in details["required_by"]] == ["alpha"]
    rows = json.loads(venvdeck("usage", "--json", "--top", "2", str(env.parent.parent)).stdout)
    assert [r["name"] for r in rows] == ["pip", "setuptools"]


def test_find_streams_matches_and_says_when_none(env: Path) -> None:
    found = venvdeck("find", "BETA>1", str(env.parent.parent))
    assert (found.returncode, found.stdout) == (0, f"{env}\tbeta 1.5\n")
    none = venvdeck("find", "beta<1", str(env.parent.parent), "--json")
    assert (none.returncode, none.stdout) == (1, "[]\n")
    none = venvdeck("find", "beta<1", str(env.parent.parent))
    assert (none.returncode, none.stdout) == (1, "")
    assert none.stderr == "venvdeck: no environment has a distribution matching beta<1\n"


def test_a_remembered_answer_is_forgotten_when_a_metadata_changes(env: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(env, copy, symlinks=True)
    first = venvdeck("check", str(copy))
    assert venvdeck("check", str(copy)).stdout == first.stdout  # the second run is answered from memory
    metadata = next((copy / "lib").glob("python*/site-packages/lonely-2.0.dist-info")) / "METADATA"
    metadata.write_text(metadata.read_text() + "Requires-Dist: ghost-two\n")  # edited in place
    second = venvdeck("check", str(copy))
    assert "lonely 2.0 requires ghost-two, which is not installed." in second.stdout
    pip = subprocess.run([str(copy / "bin" / "python"), "-m", "pip", "check"], capture_output=True, text=True)
    assert second.stdout == pip.stdout
    tree = venvdeck("deps", str(copy), "lonely")
    assert tree.stdout.splitlines()[-1] == "└── ghost-two [required: Any, installed: ?] MISSING"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["find", "numpy<"], "not a requirement: 'numpy<'"),
        (["find", "-e ."], "not a requirement: '-e .'"),
        (["deps", "{env}", "no-such-pkg"], "not installed in"),
        (["show", "{env}", "ghost"], "ghost is not installed in"),
        (["check", "/definitely/not/here"], "no such file or folder"),
        (["deps", "{env}", "--depth", "-2"], "must be 0 or more"),
    ],
)
def test_bad_input_is_one_clear_line(args: list[str], message: str, env: Path) -> None:
    result = venvdeck(*(a.format(env=env) for a in args))
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_deps_loads_neither_the_ui_nor_other_commands(env: Path) -> None:
    code = (
        "import sys, io, contextlib; from venvdeck.cli.main import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): main(['deps', {str(env)!r}])\n"
        "print(sorted(m for m in ('textual', 'rich', 'venvdeck.cli.actions') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_chain_of_a_thousand_requirements_is_cut_not_a_traceback(tmp_path: Path) -> None:
    """Crafted metadata: pkg-0000 requires pkg-0001 ... 1,000 deep, far past Python's recursion limit."""
    from tests.support.pythons import make_venv

    env = make_venv(Path(sys.executable), tmp_path / "deep")
    site = next((env / "lib").glob("python*/site-packages"))
    for i in range(1000):
        info = site / f"pkg_{i:04d}-1.0.dist-info"
        info.mkdir()
        needs = f"Requires-Dist: pkg-{i + 1:04d}\n" if i < 999 else ""
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: pkg-{i:04d}\nVersion: 1.0\n{needs}")
        (info / "RECORD").write_text("")
    for args in (["deps", str(env)], ["deps", str(env), "pkg-0999", "--reverse"], ["check", str(env)]):
        result = venvdeck(*args)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    text = venvdeck("deps", str(env)).stdout.splitlines()
    assert text[0] == "pkg-0000==1.0"
    assert 150 < len(text) < 1000  # cut at the depth limit, never past it
    assert json.loads(venvdeck("deps", str(env), "--json").stdout)[0]["package"]["key"] == "pkg-0000"


def test_deps_takes_patterns_as_pipdeptree_does_and_refuses_what_is_not_a_name(env: Path) -> None:
    ours = venvdeck("deps", str(env), "ze*", "GAM*", "--json")
    theirs = subprocess.run(
        [
            str(Path(sys.executable).parent / "pipdeptree"),
            "--python",
            str(env / "bin" / "python"),
            "-p",
            "ze*,GAM*",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=env,
    )
    assert ours.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)
    assert {e["package"]["key"] for e in json.loads(ours.stdout)} >= {"zeta-pkg", "gamma"}
    nothing = venvdeck("deps", str(env), "nothing-like-this*")
    assert nothing.returncode == 1
    assert nothing.stderr.strip() == f"venvdeck: error: not installed in {env}: nothing-like-this*"
    bad = venvdeck("deps", str(env), "bad spec!!")
    assert (bad.returncode, bad.stdout) == (1, "")
    assert bad.stderr.strip() == "venvdeck: error: not a package name: bad spec!!"


def test_a_remembered_answer_is_forgotten_when_the_code_that_read_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade of venvdeck that reads metadata differently (services/read) must not answer from
    what the old code computed: each module of the reading and insight code is stamped."""
    from venvdeck.services.insight import memo

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    memo.save("check", "key", [], {"answer": 1})
    saved = json.loads(next((tmp_path / "cache").rglob("*.json")).read_text())
    stamped = {Path(stamp[0]) for stamp in saved["stamps"]}
    services = Path(memo.__file__).parent.parent
    code = {*(services / "read").glob("*.py"), *(services / "insight").glob("*.py")}
    assert code <= stamped
    assert memo.load("check", "key") == {"answer": 1}


def test_find_and_usage_say_what_they_could_not_read() -> None:
    """Run as an ordinary user over a home with a folder mode 000: like list, find and usage say
    so (usage printed nothing and exited 0; find said no environment has it)."""
    import os

    from tests.support.users import NOBODY, chown_tree, require_other_user, shared_folder

    require_other_user()
    with shared_folder() as home:
        (home / "locked" / "proj").mkdir(parents=True)
        (home / "open").mkdir()
        chown_tree(home)
        (home / "locked").chmod(0o000)
        code = "import sys; from venvdeck.cli.main import main; sys.exit(main(sys.argv[1:]))"
        environ = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "PATH": "/usr/bin:/bin"}
        as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        if subprocess.run([*as_nobody, sys.executable, "-c", "import venvdeck.cli.main"]).returncode:
            pytest.skip("this interpreter cannot be run by an ordinary user")
        for args in (["usage", str(home)], ["find", "pip", str(home)], ["list", str(home)]):
            result = subprocess.run(
                [*as_nobody, sys.executable, "-c", code, *args], capture_output=True, text=True, env=environ
            )
            assert "Traceback" not in result.stderr
            assert "venvdeck: 1 folder could not be read (skipped)\n" in result.stderr, (args, result.stderr)
        assert os.stat(home / "locked").st_mode & 0o777 == 0


def test_find_says_how_many_broken_environments_it_could_not_search(tmp_path: Path) -> None:
    from tests.support.pythons import make_venv

    make_venv(Path(sys.executable), tmp_path / "ok" / ".venv")
    broken = make_venv(Path(sys.executable), tmp_path / "broken" / ".venv")
    for python in broken.glob("bin/python*"):
        python.unlink()
    result = venvdeck("find", "anything", str(tmp_path))
    assert result.returncode == 1
    assert "venvdeck: 1 broken environment not searched\n" in result.stderr


def test_an_unreadable_metadata_is_named_by_its_own_path() -> None:
    """Run as an ordinary user: check warned about '/proc/self/fd/3' instead of the METADATA."""
    from tests.support.pythons import make_venv
    from tests.support.users import NOBODY, chown_tree, require_other_user, shared_folder

    base = Path(require_other_user())  # a Python an ordinary user can run: the environment's base
    with shared_folder() as home:
        env = make_venv(base, home / "proj" / ".venv")
        site = next((env / "lib").glob("python*/site-packages"))
        info = site / "locked-1.0.dist-info"
        info.mkdir()
        metadata = info / "METADATA"
        metadata.write_text("Metadata-Version: 2.1\nName: locked\nVersion: 1.0\n")
        chown_tree(home)
        metadata.chmod(0o000)
        as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        if subprocess.run([*as_nobody, sys.executable, "-c", "import venvdeck.cli.main"]).returncode:
            pytest.skip("this interpreter cannot be run by an ordinary user")
        code = "import sys; from venvdeck.cli.main import main; sys.exit(main(sys.argv[1:]))"
        environ = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "PATH": "/usr/bin:/bin"}
        result = subprocess.run(
            [*as_nobody, sys.executable, "-c", code, "check", str(env)],
            capture_output=True,
            text=True,
            env=environ,
        )
        assert "/proc/self/fd" not in result.stderr
        assert str(metadata) in result.stderr, result.stderr
