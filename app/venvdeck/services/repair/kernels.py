"""Jupyter kernelspecs: every one the user's Jupyter would list, which are dead, and writing new ones.

Where Jupyter looks (jupyter_core.paths.jupyter_path, then jupyter_client's KernelSpecManager),
each folder with a `kernels/` subfolder:
1. the `JUPYTER_PATH` entries, in order;
2. the user's data folder: `JUPYTER_DATA_DIR`, else `~/.local/share/jupyter` (`$XDG_DATA_HOME/jupyter`)
   on Linux, `~/Library/Jupyter` on macOS, `%APPDATA%\\jupyter` on Windows; then the user base's
   `share/jupyter` (`PYTHONUSERBASE`, else `~/.local`) when that is another folder;
3. `{sys.prefix}/share/jupyter` of the environment Jupyter runs in;
4. the system folders `/usr/local/share/jupyter`, `/usr/share/jupyter` (`%PROGRAMDATA%\\jupyter`).
A Jupyter started inside a virtual environment (or with `JUPYTER_PREFER_ENV_PATH` set) puts 3
before 2. A kernel is a folder `<dir>/kernels/<name>/` holding `kernel.json`; its name is the
folder's name lower-cased (Jupyter warns about names other than letters, digits, `.`, `_`, `-`,
and lists them all the same), and a name found earlier hides the same name later.

How venvdeck maps that onto a whole machine: there is no single "own environment", so step 3 is
done for every environment discovery finds, in discovery's order, between the user's folders and
the system's (before the user's when JUPYTER_PREFER_ENV_PATH is set, as Jupyter does). The
folders of steps 1, 2 and 4 are seen by every Jupyter, so their names hide later ones everywhere;
an environment's kernels are seen only by the Jupyter of that environment, so they hide nothing
and are hidden only by the shared folders before them. `jupyter kernelspec list --json` run in an
environment (with JUPYTER_PREFER_ENV_PATH=0) lists exactly the visible kernels of steps 1, 2, 4
plus that environment's own (tests/services/test_repair_kernels.py checks this against Jupyter).
A kernel.json that is not valid JSON is skipped, as Jupyter's listing skips it.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from venvdeck.errors import RefusedError
from venvdeck.formatting import shown
from venvdeck.models import Kernelspec, KernelState, Kind
from venvdeck.services import fsio, policy
from venvdeck.services.find import layout
from venvdeck.services.find.classify import classify_path
from venvdeck.services.find.locations import known_locations
from venvdeck.services.repair.kernel_argv import kernel_interpreter

if TYPE_CHECKING:
    from venvdeck.models import Environment

_VALID_NAME = re.compile(r"^[a-z0-9._\-]+$", re.IGNORECASE)
_RESOURCE = re.compile(r"^(kernel\.json|kernel\.js|kernel\.css|logo-[A-Za-z0-9._-]+\.(png|svg))$")
_DIR_FLAGS = (
    os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
)
_FALSE = {"", "0", "no", "n", "false", "off", "0.0"}


@dataclass(frozen=True, slots=True)
class KernelFolder:
    """One `share/jupyter`-like folder Jupyter looks in, and why."""

    path: Path
    source: str  # jupyter-path, user, environment, system
    environment: Environment | None = None


def jupyter_data_dir(environ: Mapping[str, str], platform: str = sys.platform) -> Path:
    home = Path(environ.get("HOME") or os.path.expanduser("~"))
    if environ.get("JUPYTER_DATA_DIR"):
        return Path(os.path.expanduser(environ["JUPYTER_DATA_DIR"])).absolute()
    if platform == "darwin":
        return home / "Library" / "Jupyter"
    if platform == "win32":
        appdata = environ.get("APPDATA")
        return Path(appdata) / "jupyter" if appdata else home / ".jupyter" / "data"
    xdg = environ.get("XDG_DATA_HOME", "")
    return (Path(xdg) if xdg and os.path.isabs(xdg) else home / ".local" / "share") / "jupyter"


def _user_base_dir(environ: Mapping[str, str], platform: str) -> Path | None:
    if environ.get("PYTHONNOUSERSITE"):
        return None
    base = environ.get("PYTHONUSERBASE")
    if base:
        return Path(base) / "share" / "jupyter"
    if platform in {"darwin", "win32"}:
        return None  # a per-version folder there (~/Library/Python/X.Y): left to the data folder
    return Path(environ.get("HOME") or os.path.expanduser("~")) / ".local" / "share" / "jupyter"


def system_dirs(environ: Mapping[str, str], platform: str = sys.platform) -> list[Path]:
    if platform == "win32":
        data = environ.get("PROGRAMDATA")
        return [Path(data) / "jupyter"] if data else []
    return [Path("/usr/local/share/jupyter"), Path("/usr/share/jupyter")]


def kernel_folders(
    environ: Mapping[str, str] | None = None,
    environments: Sequence[Environment] = (),
    *,
    platform: str = sys.platform,
    system: Sequence[Path] | None = None,
) -> list[KernelFolder]:
    """The folders Jupyter looks in, in its order (see the module's docstring)."""
    environ = os.environ if environ is None else environ
    shared: list[KernelFolder] = [
        KernelFolder(Path(p.rstrip(os.sep) or os.sep), "jupyter-path")
        for p in environ.get("JUPYTER_PATH", "").split(os.pathsep)
        if p
    ]
    user = [KernelFolder(jupyter_data_dir(environ, platform), "user")]
    user_base = _user_base_dir(environ, platform)
    if user_base is not None and user_base != user[0].path:
        user.append(KernelFolder(user_base, "user"))
    envs = [
        KernelFolder(env.path / "share" / "jupyter", "environment", env)
        for env in environments
        if env.kind is not Kind.PYTHON or env.manager is not None
    ]
    systems = [
        KernelFolder(p, "system") for p in (system_dirs(environ, platform) if system is None else system)
    ]
    prefer_env = environ.get("JUPYTER_PREFER_ENV_PATH", "").strip().lower() not in _FALSE
    ordered = shared + (envs + user if prefer_env else user + envs) + systems
    unique: list[KernelFolder] = []
    seen: set[str] = set()
    for folder in ordered:
        key = os.path.realpath(folder.path)
        if key not in seen:
            seen.add(key)
            unique.append(folder)
    return unique


def _read_spec(folder: Path, dir_fd: int | None = None) -> dict[str, object] | None:
    """kernel.json of folder; with dir_fd, of the folder that descriptor holds (nothing followed)."""
    try:
        if dir_fd is None:
            raw = fsio.read_bytes(folder / "kernel.json", fsio.SMALL_FILE)
        else:
            raw = fsio.read_bytes("kernel.json", fsio.SMALL_FILE, follow=False, dir_fd=dir_fd)
        data = json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _containing_environment(interpreter: Path) -> Environment | None:
    loc = known_locations()
    for parent in list(interpreter.parents)[:3]:
        if os.path.isfile(parent / "pyvenv.cfg") or os.path.isdir(parent / "conda-meta"):
            return classify_path(parent, loc)
    return None


def _state(interpreter: Path | None, environment: Environment | None) -> KernelState:
    if environment is not None and environment.is_broken:
        return KernelState.BROKEN
    if interpreter is not None:
        try:
            os.stat(interpreter)
        except (FileNotFoundError, NotADirectoryError):
            return KernelState.UNREACHABLE if _maybe_back_later(interpreter) else KernelState.DEAD
        except (OSError, ValueError):  # no permission, a share not answering, a NUL: not known gone
            return KernelState.OK
    return KernelState.OK


_REMOVABLE_MEDIA = ("/media/", "/mnt/", "/run/media/", "/Volumes/")


def _fstab_targets() -> set[str]:
    try:
        lines = fsio.read_text(Path("/etc/fstab"), fsio.TEXT_FILE).splitlines()
    except (OSError, ValueError):
        return set()
    fields = (line.split() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return {os.path.normpath(f[1]) for f in fields if len(f) > 1 and f[1].startswith("/")}


def _maybe_back_later(interpreter: Path) -> bool:
    """As _may_come_back, for the path as written and as its links lead (~/envs -> /media/usb/envs)."""
    resolved = Path(os.path.realpath(interpreter))
    return _may_come_back(interpreter) or (resolved != interpreter and _may_come_back(resolved))


def _may_come_back(interpreter: Path) -> bool:
    """A missing interpreter that may come back: an environment on its path is being rebuilt (the
    old one is kept aside, a folder, meanwhile), or it lives on a volume that is not mounted now
    (removable media, an fstab entry): no folder on its way there is a mount point."""
    for folder in [interpreter, *interpreter.parents][:5]:
        if any(p.is_dir() and not p.is_symlink() for p in layout.rebuilds_left_for(folder)):
            return True
    text = str(interpreter)
    fstab = _fstab_targets()
    on_volume = text.startswith(_REMOVABLE_MEDIA) or any(
        text.startswith(target.rstrip("/") + "/") for target in fstab if target != "/"
    )
    if not on_volume:
        return False
    for folder in interpreter.parents:
        if str(folder) in {"/", "/media", "/mnt", "/run/media", "/Volumes", "/run"}:
            break
        try:
            if os.path.ismount(folder):
                return False  # its volume is there: the interpreter is gone from it
        except OSError:
            return True
    return True


def read_kernelspec(
    folder: Path, name: str, source: KernelFolder, *, dir_fd: int | None = None
) -> Kernelspec | None:
    spec = _read_spec(folder, dir_fd)
    if spec is None:
        return None
    raw_argv = spec.get("argv")
    argv = tuple(str(a) for a in raw_argv) if isinstance(raw_argv, list) else ()
    interpreter = kernel_interpreter(argv, source.environment)
    environment = source.environment if interpreter is None else None
    if interpreter is not None:
        environment = _containing_environment(interpreter)
    display = spec.get("display_name")
    language = spec.get("language")
    return Kernelspec(
        name=name,
        path=folder,
        display_name=display if isinstance(display, str) else name,
        language=language if isinstance(language, str) else "",
        interpreter=interpreter,
        environment=environment.path if environment is not None else None,
        state=_state(interpreter, environment),
        source=source.source,
        argv=argv,
    )


def _kernels_in(folder: Path) -> list[tuple[str, Path]]:
    kernels = folder / "kernels"
    try:
        names = sorted(os.listdir(kernels))
    except OSError:
        return []
    found = []
    for name in names:
        path = kernels / name
        if os.path.isdir(path) and os.path.isfile(path / "kernel.json"):
            found.append((name.lower(), path))
    return found


def list_kernelspecs(
    environ: Mapping[str, str] | None = None,
    environments: Sequence[Environment] = (),
    *,
    include_hidden: bool = False,
    platform: str = sys.platform,
    system: Sequence[Path] | None = None,
) -> list[Kernelspec]:
    """Every kernelspec, in Jupyter's order; hidden ones (hidden_by set) only with include_hidden."""
    found: list[Kernelspec] = []
    shared_names: dict[str, Path] = {}
    for folder in kernel_folders(environ, environments, platform=platform, system=system):
        local: set[str] = set()
        for name, path in _kernels_in(folder.path):
            if name in local:
                continue
            local.add(name)
            spec = read_kernelspec(path, name, folder)
            if spec is None:
                continue
            hidden_by = shared_names.get(name)
            if folder.source != "environment" and hidden_by is None:
                shared_names[name] = path
            if hidden_by is not None:
                if not include_hidden:
                    continue
                spec = replace(spec, hidden_by=hidden_by)
            found.append(spec)
    return found


def kernels_for(env: Environment, kernels: Sequence[Kernelspec]) -> list[Kernelspec]:
    """The kernels that run an environment's Python (they die with it; they live on if it is rebuilt)."""
    real = Path(os.path.realpath(env.path))
    chosen = []
    for kernel in kernels:
        places = [kernel.environment] if kernel.environment is not None else []
        if kernel.interpreter is not None:
            places.append(Path(os.path.realpath(kernel.interpreter.parent)) / kernel.interpreter.name)
            places.append(Path(os.path.abspath(kernel.interpreter)))
        if any(p is not None and (p.is_relative_to(env.path) or p.is_relative_to(real)) for p in places):
            chosen.append(kernel)
    return chosen


# ---- removing dead kernels -----------------------------------------------------------------------


def remove_kernelspec(
    kernel: Kernelspec, *, only_dead: bool = True, environ: Mapping[str, str] | None = None
) -> str:
    """Remove one kernelspec folder: only kernel.json and its resources, nothing followed, by
    descriptor, and (only_dead) only while its interpreter is still missing. One line back."""
    folder = kernel.path
    refusal = policy.write_refusal(os.path.realpath(folder.parent), environ)
    if refusal:
        raise RefusedError(
            f"{shown(folder)} is in a system folder ({refusal}); remove it with what installed it"
        )
    try:
        parent_fd = fsio.open_folder(folder.parent)
    except OSError as exc:
        raise RefusedError(f"cannot open {shown(folder.parent)}: {exc.strerror or exc}") from None
    try:
        try:
            fd = os.open(folder.name, _DIR_FLAGS, dir_fd=parent_fd)
        except OSError as exc:
            if os.path.islink(folder):
                raise RefusedError(f"{shown(folder)} is a symbolic link; not following it") from None
            raise RefusedError(f"cannot open {shown(folder)}: {exc.strerror or exc}") from None
        try:
            owner = os.fstat(fd).st_uid
            if owner != os.geteuid():
                raise RefusedError(f"{shown(folder)} belongs to user id {owner}; it is theirs to remove")
            names = sorted(os.listdir(fd))
            for name in names:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                if not stat.S_ISREG(st.st_mode) or not _RESOURCE.match(name):
                    raise RefusedError(
                        f"{shown(folder)} holds {shown(name)}, which is not part of a kernelspec; nothing removed"
                    )
            if only_dead:
                current = read_kernelspec(  # the folder the descriptor holds, not whatever the name is now
                    folder, kernel.name, KernelFolder(folder.parent.parent, kernel.source), dir_fd=fd
                )
                if current is None or current.state is not KernelState.DEAD:
                    raise RefusedError(f"{shown(folder)} is no longer a dead kernel; left alone")
            ordered = (
                ["kernel.json", *(n for n in names if n != "kernel.json")]
                if "kernel.json" in names
                else names
            )
            for name in ordered:  # kernel.json first: from then on Jupyter no longer sees a kernel
                os.unlink(name, dir_fd=fd)
        finally:
            os.close(fd)
        os.rmdir(folder.name, dir_fd=parent_fd)
    except OSError as exc:
        raise RefusedError(f"could not remove {shown(folder)}: {exc.strerror or exc}") from None
    finally:
        os.close(parent_fd)
    return f"removed the kernel {shown(kernel.name)} ({shown(folder)})"


# ---- registering -----------------------------------------------------------------------------------


def kernel_name_for(env: Environment) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", canonicalize_name(env.name)).strip("-.") or "python"
    return name[:64]


def register_kernel(
    env: Environment,
    name: str | None = None,
    display_name: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Kernelspec:
    """Write a user kernelspec for env as `ipykernel install --user` does: only when ipykernel is
    installed there; the folder is new, kernel.json appears whole (fsio.write_new_file)."""
    from venvdeck.services.read.packages import list_packages

    environ = os.environ if environ is None else environ
    if env.is_broken or env.interpreter is None:
        raise RefusedError(f"{shown(env.name)} is broken ({env.broken_reason}); rebuild it first")
    listing = list_packages(env)
    ipykernel = next((p for p in listing.packages if canonicalize_name(p.name) == "ipykernel"), None)
    if ipykernel is None:
        raise RefusedError(
            f"ipykernel is not installed in {shown(env.path)}: install it first (venvdeck install {env.path} ipykernel)"
        )
    name = (name or kernel_name_for(env)).strip()
    if not _VALID_NAME.match(name) or len(name) > 64 or name.startswith("."):
        raise RefusedError(f"{shown(name)!r} cannot be a kernel name (letters, digits, '.', '_', '-')")
    name = name.lower()
    version = ".".join((env.python_version or "3").split(".")[:2])
    display = display_name or f"Python {version} ({env.name})"
    if any(ord(c) < 32 for c in display) or len(display) > 200:
        raise RefusedError("the display name must be a short single line of text")
    kernels = jupyter_data_dir(environ) / "kernels"
    refusal = policy.write_refusal(
        os.path.realpath(kernels.parent) if os.path.exists(kernels.parent) else kernels.parent, environ
    )
    if refusal:
        raise RefusedError(f"not writing a kernel there: {refusal}")
    try:
        os.makedirs(kernels, exist_ok=True)
    except OSError as exc:
        raise RefusedError(f"cannot make {shown(kernels)}: {exc.strerror or exc}") from None
    refusal = policy.write_refusal(os.path.realpath(kernels), environ)  # kernels/ may be a link
    if refusal:
        raise RefusedError(f"not writing a kernel there: {refusal}")
    try:
        parent_fd = fsio.open_folder(kernels)
    except OSError as exc:
        raise RefusedError(f"cannot open {shown(kernels)}: {exc.strerror or exc}") from None
    data = {
        "argv": [str(env.interpreter), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": display,
        "language": "python",
        "metadata": {"debugger": True},
    }
    try:
        try:
            os.mkdir(name, 0o755, dir_fd=parent_fd)
        except FileExistsError:
            raise RefusedError(
                f"a kernel named {name} exists already ({shown(kernels / name)}); choose another --name"
            ) from None
        fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        try:
            fsio.write_new_file(
                fd, "kernel.json", (json.dumps(data, indent=1) + "\n").encode(), replace=False
            )
            _copy_logos(ipykernel.location, fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise RefusedError(
            f"could not write the kernel {shown(kernels / name)}: {exc.strerror or exc}"
        ) from None
    finally:
        os.close(parent_fd)
    folder = kernels / name
    spec = read_kernelspec(folder, name, KernelFolder(kernels.parent, "user"))
    assert spec is not None
    return spec


def _copy_logos(location: Path | None, fd: int) -> None:
    """ipykernel's logos, as its installer copies them (best effort: a kernel works without)."""
    if location is None:
        return
    resources = location / "ipykernel" / "resources"
    try:
        names = [n for n in os.listdir(resources) if _RESOURCE.match(n) and n.startswith("logo-")]
    except OSError:
        return
    for name in names:
        try:
            data = fsio.read_bytes(resources / name, 1 * fsio.MB, follow=False)
            fsio.write_new_file(fd, name, data, replace=False)
        except OSError:
            continue
