"""Jupyter kernelspecs: listed from the places Jupyter looks, in its order (checked against Jupyter
itself where it is installed), dead ones removed safely, new ones written as ipykernel writes them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.homes import _venv_files
from tests.support.pythons import install, make_venv
from tests.support.wheels import build_wheel
from venvdeck.errors import RefusedError
from venvdeck.models import KernelState
from venvdeck.services.find import layout
from venvdeck.services.find.classify import classify_path
from venvdeck.services.find.locations import known_locations
from venvdeck.services.repair.kernels import (
    kernel_folders,
    kernels_for,
    list_kernelspecs,
    register_kernel,
    remove_kernelspec,
)

NO_SYSTEM: list[Path] = []


def _kernel(folder: Path, name: str, argv0: str, *extra: str) -> Path:
    spec = folder / "kernels" / name
    spec.mkdir(parents=True)
    argv = [argv0, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": name.title(), "language": "python"})
    )
    (spec / "logo-64x64.png").write_bytes(b"\x89PNG")
    for name_ in extra:
        (spec / name_).write_text("mine")
    return spec


@pytest.fixture
def jupyter_home(tmp_path: Path) -> dict[str, str]:
    """JUPYTER_PATH, a data dir and a home of their own, holding one kernel of each kind."""
    path_dir, data_dir = tmp_path / "jpath", tmp_path / "data"
    broken = _venv_files(
        tmp_path / "broken-env", "home = /gone/bin\nversion = 3.11.6\n", Path("/gone/bin/python3.11")
    )
    _kernel(data_dir, "ok-kernel", sys.executable)
    _kernel(data_dir, "dead-kernel", str(tmp_path / "removed" / "bin" / "python"))
    _kernel(data_dir, "broken-env", str(broken / "bin" / "python"))
    _kernel(data_dir, "cluttered", str(tmp_path / "removed" / "bin" / "python3"), "notes.txt")
    _kernel(data_dir, "shadowed", str(tmp_path / "removed" / "python"))
    _kernel(path_dir, "shadowed", sys.executable)  # JUPYTER_PATH comes first: it hides the data dir's
    bad = data_dir / "kernels" / "bad name!"
    bad.mkdir()
    (bad / "kernel.json").write_text('{"argv": ["python"]}')
    return {
        "JUPYTER_PATH": str(path_dir),
        "JUPYTER_DATA_DIR": str(data_dir),
        "HOME": str(tmp_path / "home"),
        "PATH": os.environ.get("PATH", ""),
    }


def test_kernels_are_listed_in_jupyters_order_with_their_state(
    jupyter_home: dict[str, str], tmp_path: Path
) -> None:
    kernels = list_kernelspecs(jupyter_home, system=NO_SYSTEM)
    assert [(k.name, k.state.value, k.source) for k in kernels] == [
        ("shadowed", "ok", "jupyter-path"),
        ("bad name!", "ok", "user"),  # Jupyter warns about such a name, and lists it
        ("broken-env", "broken", "user"),
        ("cluttered", "dead", "user"),
        ("dead-kernel", "dead", "user"),
        ("ok-kernel", "ok", "user"),
    ]
    broken = next(k for k in kernels if k.name == "broken-env")
    assert broken.environment == tmp_path / "broken-env"
    everything = list_kernelspecs(jupyter_home, system=NO_SYSTEM, include_hidden=True)
    hidden = [k for k in everything if k.hidden_by is not None]
    assert [(k.path, k.hidden_by) for k in hidden] == [
        (tmp_path / "data/kernels/shadowed", tmp_path / "jpath/kernels/shadowed")
    ]


def test_each_environments_own_kernels_come_between_the_users_and_the_systems(tmp_path: Path) -> None:
    env = make_venv(Path(sys.executable), tmp_path / "proj" / ".venv")
    _kernel(env / "share" / "jupyter", "python3", "python")  # what ipykernel's wheel installs
    data = tmp_path / "data"
    system = tmp_path / "usr-share-jupyter"
    _kernel(system, "python3", sys.executable)
    found = classify_path(env, known_locations())
    assert found is not None
    environ = {"JUPYTER_DATA_DIR": str(data), "HOME": str(tmp_path)}
    folders = kernel_folders(environ, [found], system=[system])
    assert [(f.path, f.source) for f in folders] == [
        (data, "user"),
        (tmp_path / ".local/share/jupyter", "user"),
        (env / "share/jupyter", "environment"),
        (system, "system"),
    ]
    (mine, systems) = list_kernelspecs(environ, [found], system=[system])
    assert (mine.interpreter, mine.environment, mine.state) == (env / "bin" / "python", env, KernelState.OK)
    assert systems.source == "system"  # an environment's kernel hides nothing outside that environment
    preferring = kernel_folders({**environ, "JUPYTER_PREFER_ENV_PATH": "1"}, [found], system=[system])
    assert preferring[0].source == "environment"


def test_the_listing_matches_jupyters_own(jupyter_home: dict[str, str]) -> None:
    pytest.importorskip("jupyter_client")
    jupyter = Path(sys.executable).parent / "jupyter"
    if not jupyter.exists():
        pytest.skip("no jupyter command beside this Python")
    own = classify_path(Path(sys.prefix), known_locations())
    assert own is not None
    env = {**os.environ, **jupyter_home, "JUPYTER_PREFER_ENV_PATH": "0"}
    env.pop("PYTHONUSERBASE", None)
    answer = subprocess.run(
        [str(jupyter), "kernelspec", "list", "--json"], env=env, capture_output=True, text=True, check=True
    )
    theirs = {name: spec["resource_dir"] for name, spec in json.loads(answer.stdout)["kernelspecs"].items()}
    ours = {k.name: str(k.path) for k in list_kernelspecs(jupyter_home, [own])}
    assert ours == theirs


def test_only_dead_kernels_go_and_a_folder_holding_more_is_refused_by_name(
    jupyter_home: dict[str, str], tmp_path: Path
) -> None:
    kernels = {k.name: k for k in list_kernelspecs(jupyter_home, system=NO_SYSTEM)}
    assert remove_kernelspec(kernels["dead-kernel"]).startswith("removed the kernel dead-kernel")
    assert not (tmp_path / "data/kernels/dead-kernel").exists()
    with pytest.raises(RefusedError, match=r"cluttered holds notes\.txt, which is not part of a kernelspec"):
        remove_kernelspec(kernels["cluttered"])
    assert (tmp_path / "data/kernels/cluttered/kernel.json").is_file()
    for name in ("ok-kernel", "broken-env"):
        with pytest.raises(RefusedError, match="is no longer a dead kernel"):
            remove_kernelspec(kernels[name])
        assert (tmp_path / "data/kernels" / name / "kernel.json").is_file()


def test_a_kernel_whose_environment_is_being_rebuilt_is_not_dead(
    jupyter_home: dict[str, str], tmp_path: Path
) -> None:
    """While a rebuild keeps the old environment aside, its interpreter is missing for a minute:
    `kernels --remove-dead` removed the user's kernel, which the rebuild was meant to keep alive."""
    env = tmp_path / "proj" / ".venv"
    aside = env.parent / f"{layout.RECREATING_PREFIX}0123456789abcdef-.venv"
    aside.mkdir(parents=True)  # the old one, kept aside; the new one is not made yet
    _kernel(tmp_path / "data", "rebuilding", str(env / "bin" / "python"))
    kernels = {k.name: k for k in list_kernelspecs(jupyter_home, system=NO_SYSTEM)}
    assert kernels["rebuilding"].state is KernelState.UNREACHABLE
    with pytest.raises(RefusedError, match="is no longer a dead kernel"):
        remove_kernelspec(kernels["rebuilding"])
    linked = tmp_path / "via-link"
    linked.symlink_to(env)  # the kernel reaches the environment through a link to it
    _kernel(tmp_path / "data", "through-link", str(linked / "bin" / "python"))
    kernels = {k.name: k for k in list_kernelspecs(jupyter_home, system=NO_SYSTEM)}
    assert kernels["through-link"].state is KernelState.UNREACHABLE
    aside.rmdir()  # the rebuild failed and nothing came back: dead now
    aside.touch()  # a stray file of that name is no rebuild: it does not keep a dead kernel
    kernels = {k.name: k for k in list_kernelspecs(jupyter_home, system=NO_SYSTEM)}
    assert kernels["rebuilding"].state is KernelState.DEAD


def test_a_linked_kernel_folder_is_not_followed(jupyter_home: dict[str, str], tmp_path: Path) -> None:
    elsewhere = _kernel(tmp_path / "elsewhere", "linked", str(tmp_path / "removed" / "python"))
    (tmp_path / "data/kernels/linked").symlink_to(elsewhere)
    kernel = next(k for k in list_kernelspecs(jupyter_home, system=NO_SYSTEM) if k.name == "linked")
    assert kernel.state is KernelState.DEAD
    with pytest.raises(RefusedError, match="is a symbolic link; not following it"):
        remove_kernelspec(kernel)
    assert (elsewhere / "kernel.json").is_file()


def test_a_kernel_is_registered_as_ipykernel_would_and_dies_with_its_environment(
    tmp_path: Path, wheelhouse: Path
) -> None:
    env_path = make_venv(Path(sys.executable), tmp_path / "nb" / ".venv")
    environ = {"JUPYTER_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path)}
    env = classify_path(env_path, known_locations())
    assert env is not None
    with pytest.raises(RefusedError, match=r"ipykernel is not installed in .*: install it first"):
        register_kernel(env, environ=environ)
    install(env_path, build_wheel(tmp_path / "wheels", "ipykernel", "6.29.5").parent, "ipykernel")
    kernel = register_kernel(env, environ=environ)
    assert kernel.name == "nb"
    written = json.loads((tmp_path / "data/kernels/nb/kernel.json").read_text())
    assert written == {
        "argv": [str(env_path / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python {sys.version_info[0]}.{sys.version_info[1]} (nb)",
        "language": "python",
        "metadata": {"debugger": True},
    }
    with pytest.raises(RefusedError, match="a kernel named nb exists already"):
        register_kernel(env, environ=environ)
    with pytest.raises(RefusedError, match="cannot be a kernel name"):
        register_kernel(env, name="..", environ=environ)
    linked = {"JUPYTER_DATA_DIR": str(tmp_path / "linked"), "HOME": str(tmp_path)}
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "kernels").symlink_to("/usr/share")  # into a system folder
    with pytest.raises(RefusedError, match="not writing a kernel there: /usr/share is a system folder"):
        register_kernel(env, environ=linked)
    listed = list_kernelspecs(environ, system=NO_SYSTEM)
    assert [k.path for k in kernels_for(env, listed)] == [tmp_path / "data/kernels/nb"]
    shutil.rmtree(env_path)  # the environment is deleted: its kernel is dead, and may go
    (dead,) = list_kernelspecs(environ, system=NO_SYSTEM)
    assert dead.state is KernelState.DEAD
    remove_kernelspec(dead)
    assert list_kernelspecs(environ, system=NO_SYSTEM) == []


def test_a_system_kernel_is_never_removed(tmp_path: Path) -> None:
    from venvdeck.models import Kernelspec

    kernel = Kernelspec(
        "gone",
        Path("/usr/share/jupyter/kernels/gone"),
        "Gone",
        "python",
        Path("/gone"),
        None,
        KernelState.DEAD,
        "system",
    )
    with pytest.raises(RefusedError, match="is in a system folder"):
        remove_kernelspec(kernel)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_another_users_dead_kernel_is_theirs_to_remove(jupyter_home: dict[str, str], tmp_path: Path) -> None:
    theirs = _kernel(tmp_path / "data", "theirs", str(tmp_path / "removed" / "bin" / "python"))
    for path in (theirs, *theirs.iterdir()):
        os.chown(path, 65534, 65534)
    kernel = next(k for k in list_kernelspecs(jupyter_home, system=NO_SYSTEM) if k.name == "theirs")
    assert kernel.state is KernelState.DEAD
    with pytest.raises(RefusedError, match="belongs to user id 65534; it is theirs to remove"):
        remove_kernelspec(kernel)
    assert (theirs / "kernel.json").is_file()


def test_odd_argv_is_never_dead_and_never_a_crash(jupyter_home: dict[str, str], tmp_path: Path) -> None:
    """A NUL in the program name, or a program behind a file that is not a folder."""
    _kernel(tmp_path / "data", "nul", "/tmp/a\u0000b/bin/python")
    (tmp_path / "a-file").write_text("")
    _kernel(tmp_path / "data", "under-a-file", str(tmp_path / "a-file" / "bin" / "python"))
    kernels = {k.name: k for k in list_kernelspecs(jupyter_home, system=NO_SYSTEM)}
    assert kernels["nul"].interpreter is None
    assert kernels["nul"].state is KernelState.OK  # nothing known to be gone: never removed as dead
    assert kernels["under-a-file"].state is KernelState.DEAD  # ENOTDIR: that program cannot exist
    env = classify_path(make_venv(Path(sys.executable), tmp_path / "env"), known_locations())
    assert env is not None
    assert kernels_for(env, list(kernels.values())) == []


def _spec(folder: Path, name: str, argv: list[str]) -> Path:
    spec = folder / "kernels" / name
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": name, "language": "python"}))
    return spec


def test_kernels_started_through_conda_run_uv_run_or_nb_conda_kernels_belong_to_their_environment(
    tmp_path: Path,
) -> None:
    """Their argv starts conda or uv, not a Python: they run in the environment the launcher is
    told, live and die with it, and go with it when it is deleted (they were left as another's)."""
    conda = tmp_path / "miniconda3"
    (conda / "conda-meta").mkdir(parents=True)
    (conda / "bin").mkdir()
    (conda / "bin" / "conda").write_text("#!/bin/sh\n")
    named = make_venv(Path(sys.executable), conda / "envs" / "science")
    (named / "conda-meta").mkdir()
    prefix = make_venv(Path(sys.executable), tmp_path / "elsewhere" / "pfx")
    (prefix / "conda-meta").mkdir()
    project = tmp_path / "proj"
    uv_env = make_venv(Path(sys.executable), project / ".venv")
    (project / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    (project / "notebooks").mkdir()
    odd = make_venv(Path(sys.executable), tmp_path / "envs" / "python3.11")  # a prefix named like a program
    (odd / "conda-meta").mkdir()
    micromamba = tmp_path / ".local" / "bin" / "micromamba"  # its environments live elsewhere
    micromamba.parent.mkdir(parents=True)
    micromamba.write_text("#!/bin/sh\n")
    data = tmp_path / "data"
    tail = ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    _spec(
        data, "by-name", [str(conda / "bin" / "conda"), "run", "-n", "science", "--no-capture-output", *tail]
    )
    _spec(data, "by-prefix", ["conda", "run", "--prefix", str(prefix), *tail])
    _spec(data, "uv-project", ["uv", "run", f"--project={project}", "--with", "ipykernel", *tail])
    _spec(data, "uv-below", ["/usr/bin/uv", "run", "--directory", str(project / "notebooks"), *tail])
    _spec(data, "odd-prefix", [str(conda / "bin" / "conda"), "run", "-p", str(odd), *tail])
    _spec(data, "mamba-elsewhere", [str(micromamba), "run", "-n", "work", *tail])  # not known: never dead
    _spec(data, "nul-name", [str(conda / "bin" / "conda"), "run", "-n", "x\u0000y", *tail])
    _spec(
        data,
        "nb-conda",
        [str(conda / "bin" / "python"), "-m", "nb_conda_kernels.runner", str(conda), str(prefix), *tail],
    )
    _spec(data, "unknown", ["conda", "run", "-n", "science", *tail])  # which conda: not known
    _spec(data, "gone", ["mamba", "run", "-p", str(tmp_path / "removed-env"), *tail])
    environ = {"JUPYTER_DATA_DIR": str(data), "HOME": str(tmp_path)}
    kernels = list_kernelspecs(environ, system=NO_SYSTEM)

    def for_env(path: Path) -> list[str]:
        env = classify_path(path, known_locations())
        assert env is not None
        return sorted(k.name for k in kernels_for(env, kernels))

    assert for_env(named) == ["by-name"]
    assert for_env(prefix) == ["by-prefix", "nb-conda"]
    assert for_env(uv_env) == ["uv-below", "uv-project"]  # uv finds the project from the folder up
    assert for_env(odd) == ["odd-prefix"]
    states = {k.name: k.state for k in kernels}
    assert states["gone"] is KernelState.DEAD  # the prefix it names is not there
    for unknown in ("unknown", "mamba-elsewhere", "nul-name"):  # never removed as dead on a guess
        assert states[unknown] is KernelState.OK
    assert {k.name: k.environment for k in kernels}["by-name"] == named
    shutil.rmtree(named)  # gone: a guess no more, so the kernel is not called dead (nor removed)
    after = {k.name: k.state for k in list_kernelspecs(environ, system=NO_SYSTEM)}
    assert after["by-name"] is KernelState.OK
