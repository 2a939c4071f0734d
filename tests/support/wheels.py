"""Tiny wheels and projects made in the test session, so installs never reach the network."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import Path


def _record_row(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(
    dest: Path,
    name: str,
    version: str,
    requires: Sequence[str] = (),
    summary: str = "",
    module: str | None = None,
) -> Path:
    """Write `{dist}-{version}-py2.py3-none-any.whl` into dest and return its path."""
    dist = name.replace("-", "_")
    module = module or dist.lower().replace(".", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if summary:
        metadata += f"Summary: {summary}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    files = {
        f"{module}/__init__.py": f"__version__ = {version!r}\n".encode(),
        f"{info}/METADATA": metadata.encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: venvdeck-tests\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n",
    }
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / f"{dist}-{version}-py2.py3-none-any.whl"
    rows = [_record_row(path, data) for path, data in files.items()] + [f"{info}/RECORD,,"]
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{info}/RECORD", "\n".join(rows) + "\n")
    return wheel


# A complete PEP 517/660 build backend in a few lines, kept inside the test project
# (`backend-path`), so `pip install -e` works offline with nothing to download.
_BACKEND = """
import base64, hashlib, os, zipfile

NAME, VERSION = {name!r}, {version!r}
DIST = NAME.replace("-", "_")
INFO = "%s-%s.dist-info" % (DIST, VERSION)

def _row(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))

def _wheel(directory, files):
    files[INFO + "/METADATA"] = ("Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (NAME, VERSION)).encode()
    files[INFO + "/WHEEL"] = b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    name = "%s-%s-py3-none-any.whl" % (DIST, VERSION)
    rows = [_row(p, d) for p, d in files.items()] + [INFO + "/RECORD,,"]
    with zipfile.ZipFile(os.path.join(directory, name), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(INFO + "/RECORD", "\\n".join(rows) + "\\n")
    return name

def get_requires_for_build_wheel(config_settings=None):
    return []

get_requires_for_build_editable = get_requires_for_build_wheel

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), DIST.lower())
    files = {{}}
    for name in os.listdir(source):
        with open(os.path.join(source, name), "rb") as handle:
            files[DIST.lower() + "/" + name] = handle.read()
    return _wheel(wheel_directory, files)

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    here = os.path.dirname(os.path.abspath(__file__))
    return _wheel(wheel_directory, {{"__editable__.%s.pth" % DIST: (here + "\\n").encode()}})
"""


def write_project(folder: Path, name: str, version: str) -> Path:
    """A buildable project folder (pyproject + in-tree backend + one module)."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = name.replace("-", "_")
    (folder / "pyproject.toml").write_text(
        f'[build-system]\nrequires = []\nbuild-backend = "tiny_backend"\nbackend-path = ["."]\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\n'
    )
    (folder / "tiny_backend.py").write_text(_BACKEND.format(name=name, version=version))
    (folder / dist.lower()).mkdir(exist_ok=True)
    (folder / dist.lower() / "__init__.py").write_text("VALUE = 1\n")
    return folder
