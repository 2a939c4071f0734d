"""Which Python a kernelspec's argv runs, read from the argv alone (nothing is run).

- an absolute path: that program (`/home/u/.venvs/a/bin/python -m ipykernel_launcher ...`);
- a bare `python` / `python3.12`: the Python of the environment the kernelspec lives in, which
  Jupyter runs for it;
- a launcher that runs the kernel inside an environment: `conda run -p PREFIX` / `-n NAME` (mamba
  and micromamba too), `uv run --project DIR` / `--directory DIR` (the project's `.venv`), and
  nb_conda_kernels' runner (`python -m nb_conda_kernels.runner CONDA_ROOT ENV_PREFIX ...`). The
  kernel lives and dies with that environment: its Python is the environment's `bin/python`.
Anything else (a bare `conda run` with no environment named, a relative path): not known. A named
conda environment or a uv project is taken only where it is there now: unknown, a kernel is never
called dead (and removed); only an explicit prefix or path that is gone makes it dead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from venvdeck.models import Environment

_BARE_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?(\.exe)?$")
_CONDA = re.compile(r"^(conda|mamba|micromamba)(\.exe|\.bat)?$")
_UV = re.compile(r"^uv(\.exe)?$")


def _absolute(text: str) -> Path | None:
    if "\0" in text:
        return None  # no program has that name; realpath and stat would raise on it
    path = Path(text)
    return path if path.is_absolute() else None


def _options(argv: Sequence[str]) -> list[str]:
    """The launcher's own arguments: those before the Python it starts (a `python…` that follows
    an option may be its value, `-p ~/envs/python3.11`: read on, the kernel's own are harmless)."""
    for index, arg in enumerate(argv):
        follows_option = index > 0 and argv[index - 1].startswith("-") and "=" not in argv[index - 1]
        if _BARE_PYTHON.match(PurePath(arg).name) and not follows_option:
            return list(argv[:index])
    return list(argv)


def _option(options: Sequence[str], *names: str) -> str | None:
    """The value of the first of names given (`-p X`, `--prefix X`, `--prefix=X`)."""
    for index, arg in enumerate(options):
        for name in names:
            if arg == name and index + 1 < len(options):
                return options[index + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg[len(name) + 1 :]
    return None


def _python_of(prefix: Path) -> Path:
    return prefix / ("python.exe" if os.name == "nt" else "bin/python")


def _conda_run(program: Path | None, options: Sequence[str]) -> Path | None:
    given = _option(options, "-p", "--prefix")
    if given is not None:
        path = _absolute(given)
        return _python_of(path) if path is not None else None
    name = _option(options, "-n", "--name")
    if name is None or program is None or not name or "\0" in name or os.sep in name or name in {".", ".."}:
        return None
    # A guess (conda's envs_dirs, micromamba's root prefix may put it elsewhere): taken only where
    # that environment is there, so a kernel is never called dead on a guess (and then removed).
    root = program.parent.parent  # <root>/bin/conda, <root>/condabin/conda
    named = root if name == "base" else root / "envs" / name
    return _python_of(named) if os.path.isdir(named / "conda-meta") else None


def _uv_run(options: Sequence[str]) -> Path | None:
    """The project's .venv: uv looks for the project from DIR upwards (the first pyproject.toml);
    taken only where that .venv is there (UV_PROJECT_ENVIRONMENT may have put it elsewhere)."""
    folder = _option(options, "--project", "--directory")
    start = _absolute(folder) if folder is not None else None
    if start is None:
        return None
    for candidate in (start, *start.parents):
        if os.path.isfile(candidate / "pyproject.toml"):
            venv = candidate / ".venv"
            return _python_of(venv) if os.path.isfile(venv / "pyvenv.cfg") else None
    return None


def kernel_interpreter(argv: Sequence[str], owner: Environment | None) -> Path | None:
    """The Python argv runs; owner: the environment the kernelspec lives in (None: a shared folder)."""
    if not argv:
        return None
    program = PurePath(argv[0]).name
    if len(argv) > 1 and argv[1] == "run" and _CONDA.match(program):
        return _conda_run(_absolute(argv[0]), _options(argv[2:]))
    if len(argv) > 1 and argv[1] == "run" and _UV.match(program):
        return _uv_run(_options(argv[2:]))
    if "nb_conda_kernels.runner" in argv:
        after = list(argv[argv.index("nb_conda_kernels.runner") + 1 :])
        prefix = _absolute(after[1]) if len(after) > 1 else None
        if prefix is not None:
            return _python_of(prefix)
    if os.sep in argv[0] or (os.altsep and os.altsep in argv[0]):
        return _absolute(argv[0])
    if owner is not None and _BARE_PYTHON.match(argv[0]):
        return owner.interpreter  # Jupyter runs its own Python for a bare `python`
    return None
