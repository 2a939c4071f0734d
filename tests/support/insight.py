"""One environment holding every case the insight services must get right, built from local wheels.

alpha requires beta>=1 (beta requires alpha back: a cycle), gamma[fast] (gamma's `speedy>=1; extra
== "fast"` is then wanted, and speedy 0.9 conflicts with it), a requirement whose marker is false on
every Python 3 (`never-here; python_version < "3"`), one only on Windows, and `Zeta_Pkg (>=2.0,<3)`
(zeta-pkg 1.0 is installed: a conflict). needs-missing requires ghost (missing) and beta<1
(conflict). corrupt's Requires-Dist is not PEP 508 and usescorrupt requires it; nometa has lost its
METADATA; plain-edit is an editable install; lonely requires nothing and nothing requires it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.wheels import build_wheel, write_project

PACKAGES = (
    "alpha",
    "beta",
    "gamma",
    "speedy",
    "zeta-pkg",
    "needs-missing",
    "corrupt",
    "usescorrupt",
    "nometa",
    "lonely",
)


def build_wheels(house: Path) -> Path:
    build_wheel(
        house,
        "alpha",
        "1.0",
        requires=[
            "beta>=1",
            "gamma[fast]",
            'never-here; python_version < "3"',
            'win-only>=1; sys_platform == "win32"',
            "Zeta_Pkg (>=2.0,<3)",
        ],
        summary="Needs most of the others",
    )
    build_wheel(house, "beta", "1.5", requires=["alpha"])
    build_wheel(house, "gamma", "0.3", requires=['speedy>=1; extra == "fast"', 'slowpoke; extra == "slow"'])
    build_wheel(house, "speedy", "0.9")
    build_wheel(house, "zeta-pkg", "1.0")
    build_wheel(house, "needs-missing", "1.0", requires=["ghost>=1.0", "beta<1"])
    build_wheel(house, "corrupt", "1.0", requires=["placeholder", "speedy"])
    build_wheel(house, "usescorrupt", "1.0", requires=["corrupt"])
    build_wheel(house, "nometa", "1.0")
    build_wheel(house, "lonely", "2.0")
    return house


def site_packages(env: Path) -> Path:
    return next((env / "lib").glob("python*/site-packages"))


def build_insight_env(template: Path, target: Path, house: Path, projects: Path) -> Path:
    """A copy of a venv with pip, filled with the cases above (offline, no dependency resolution)."""
    shutil.copytree(template, target, symlinks=True)
    python = str(target / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps"]
    project = write_project(projects / "plain-edit", "plain-edit", "0.1")
    # One pip run for all of it: each start of pip costs a second.
    subprocess.run(
        [*pip, "--find-links", str(house), *PACKAGES, "-e", str(project)], check=True, capture_output=True
    )
    site = site_packages(target)
    metadata = site / "corrupt-1.0.dist-info" / "METADATA"
    metadata.write_text(
        metadata.read_text().replace("Requires-Dist: placeholder", "Requires-Dist: this is not valid")
    )
    (site / "nometa-1.0.dist-info" / "METADATA").unlink()
    metadata = site / "beta-1.5.dist-info" / "METADATA"  # pip shows 1.5; pipdeptree the Version as written
    metadata.write_text(metadata.read_text().replace("Version: 1.5\n", "Version: 1.05\n"))
    return target
