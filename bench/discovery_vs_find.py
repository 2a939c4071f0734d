"""`venvdeck list --json HOME` against `find HOME -name pyvenv.cfg` on a lived-in home.

The home: 40 projects, each with a pip-seeded `.venv`, a `.git` full of objects and sources,
and node_modules in a quarter of them: about 150k files. Bar (issue #3): venvdeck finds all 40
and takes at most half of find's wall time.

    python bench/discovery_vs_find.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import alternate, precompile, report

PROJECTS = 40


def _files(folder: Path, count: int, size: int = 64) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"f{i:05d}").write_bytes(b"x" * size)


def build_home(home: Path) -> None:
    seed = home.parent / "seed-venv"
    if not seed.exists():
        subprocess.run([sys.executable, "-m", "venv", str(seed)], check=True)
    for n in range(PROJECTS):
        project = home / "code" / f"project-{n:02d}"
        shutil.copytree(seed, project / ".venv", symlinks=True)
        for bucket in range(16):
            _files(project / ".git" / "objects" / f"{bucket:02x}", 60)
        for package in range(10):
            _files(project / "src" / f"pkg{package}", 20, 256)
        if n % 4 == 0:
            for dep in range(60):
                _files(project / "node_modules" / f"dep{dep}" / "lib", 50)


def count_files(home: Path) -> int:
    out = subprocess.run(["find", str(home), "-type", "f"], capture_output=True, text=True, check=True).stdout
    return out.count("\n")


def main() -> None:
    precompile()
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="build (or reuse) the home here")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="venvdeck-bench-"))
    home = base / "home"
    if not home.exists():
        print(f"building a lived-in home in {home} ...")
        build_home(home)
    venvdeck = str(Path(sys.executable).parent / "venvdeck")
    found = json.loads(
        subprocess.run(
            [venvdeck, "list", "--json", str(home)], capture_output=True, text=True, check=True
        ).stdout
    )
    print(f"home: {count_files(home)} files; venvdeck found {len(found)} environments (expected {PROJECTS})")
    medians = alternate(
        {
            "venvdeck": [venvdeck, "list", "--json", str(home)],
            "find": ["find", str(home), "-name", "pyvenv.cfg"],
        },
        runs=args.runs,
    )
    report(medians, "find", bar=0.5)
    if args.keep is None:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
