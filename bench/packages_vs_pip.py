"""`venvdeck packages --json ENV` against `pip list --format=json` and `uv pip list`, 150 packages.

Bars (issue #3): the CLI at most 1/4 of pip list's wall time; the service call for 150 packages
under 10 ms in a warm process (interpreter probe cached). uv is reported for reference.

    python bench/packages_vs_pip.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import alternate, precompile, report

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.wheels import build_wheel

from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.read import packages as packages_service
from venvdeck.services.read.packages import list_packages

COUNT = 150


def build_env(base: Path) -> Path:
    house = base / "wheels"
    names = [f"bench-pkg-{i:03d}" for i in range(COUNT - 2)]  # + pip and setuptools from ensurepip
    for name in names:
        build_wheel(house, name, "1.0", summary=f"Benchmark package {name}")
    env = base / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    installer = shutil.which("uv", path=str(Path(sys.executable).parent))
    if installer:
        cmd = [
            installer,
            "pip",
            "install",
            "--python",
            str(env / "bin" / "python"),
            "--offline",
            "--no-index",
        ]
    else:
        cmd = [str(env / "bin" / "python"), "-m", "pip", "install", "--no-index"]
    subprocess.run([*cmd, "--find-links", str(house), *names], check=True, capture_output=True)
    return env


def service_timings(env: Path, runs: int = 30) -> tuple[float, float]:
    """(median ms of a listing read from disk, median ms of a repeat with nothing changed)."""
    environment = resolve_environment(env)
    list_packages(environment)  # probes the interpreter once
    cold, warm = [], []
    for _ in range(runs):
        packages_service._listing_cache.clear()
        started = time.perf_counter()
        listing = list_packages(environment)
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        list_packages(environment)
        warm.append(time.perf_counter() - started)
    assert len(listing.packages) >= COUNT - 2
    return statistics.median(cold) * 1000, statistics.median(warm) * 1000


def main() -> None:
    precompile()
    base = Path(tempfile.mkdtemp(prefix="venvdeck-bench-pkgs-"))
    try:
        env = build_env(base)
        python = str(env / "bin" / "python")
        venvdeck = str(Path(sys.executable).parent / "venvdeck")
        contenders = {
            "venvdeck": [venvdeck, "packages", "--json", str(env)],
            "pip list": [python, "-m", "pip", "list", "--format=json"],
        }
        uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
        if uv:
            contenders["uv pip list"] = [uv, "pip", "list", "--python", python, "--format=json"]
        print(f"environment with {COUNT} packages: {env}")
        medians = alternate(contenders, runs=9)
        report(medians, "pip list", bar=0.25)
        if uv:
            print(f"  venvdeck / uv pip list = {medians['venvdeck'] / medians['uv pip list']:.2f}")
        cold, warm = service_timings(env)
        verdict = "meets" if cold < 10 else "MISSES"
        print(
            f"  service call, read from disk: {cold:.2f} ms ({verdict} the 10 ms bar); unchanged repeat: {warm:.3f} ms"
        )
    finally:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
