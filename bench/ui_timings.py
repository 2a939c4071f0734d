"""The dashboard, headless, over a generated home: how soon a person sees something, and memory.

Bars (issue #4): the first environment in the tree under 0.5 s after the app is up; the package
table of a 150-package environment filled under 100 ms after selecting it. The home holds 500
environments (the dashboard must stay responsive with that many) and one of 3,000 packages.
`pip list` on the same 150-package environment is timed beside it, since that is what a person
would otherwise type.

    python bench/ui_timings.py [--envs 500] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from textual.message import Message  # noqa: E402

from timing import alternate, precompile  # noqa: E402
from venvdeck.app import VenvDeckApp  # noqa: E402
from venvdeck.screens.main import MainScreen  # noqa: E402
from venvdeck.services.find.discovery import DiscoveryOptions  # noqa: E402
from venvdeck.services.local import LocalEnvironmentService  # noqa: E402
from venvdeck.widgets.env_tree import EnvTree  # noqa: E402
from venvdeck.widgets.package_table import Column, PackageTable  # noqa: E402

PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
SHORT = f"{sys.version_info[0]}.{sys.version_info[1]}"


def write_dist(site: Path, name: str, version: str = "1.0") -> None:
    """What pip leaves on disk for one installed wheel (metadata, RECORD, one module)."""
    module = name.replace("-", "_")
    info = site / f"{module}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: generated for the bench\n"
    )
    (info / "INSTALLER").write_text("pip\n")
    (site / f"{module}.py").write_text("VALUE = 1\n")
    (info / "RECORD").write_text(
        f"{module}.py,sha256=x,10\n{info.name}/METADATA,sha256=y,80\n{info.name}/RECORD,,\n"
    )


def fake_env(path: Path, packages: int) -> Path:
    """A venv's files without running anything: fast enough to make hundreds."""
    (path / "bin").mkdir(parents=True)
    (path / "bin" / "python").symlink_to(PYTHON)
    (path / "pyvenv.cfg").write_text(
        f"home = {PYTHON.parent}\ninclude-system-site-packages = false\nversion = {SHORT}\n"
    )
    site = path / "lib" / f"python{SHORT}" / "site-packages"
    site.mkdir(parents=True)
    for i in range(packages):
        write_dist(site, f"pkg-{i:04d}")
    return path


def build_home(base: Path, count: int) -> tuple[Path, Path, Path]:
    """count environments below base (projects with noise around them); returns the 150 / 3000 / other envs."""
    for i in range(count - 3):
        project = base / f"group-{i % 25:02d}" / f"project-{i:03d}"
        (project / "src").mkdir(parents=True)
        (project / "src" / "main.py").write_text("print('hi')\n")
        fake_env(project / ".venv", 3)
    big = base / "big" / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(big)], check=True)  # with pip, for `pip list`
    site = big / "lib" / f"python{SHORT}" / "site-packages"
    existing = len(list(site.glob("*.dist-info")))
    for i in range(150 - existing):
        write_dist(site, f"bench-pkg-{i:03d}")
    huge = fake_env(base / "huge" / ".venv", 3000)
    other = fake_env(base / "other" / ".venv", 150)
    return big, huge, other


async def wait_for(condition: Callable[[], bool], limit_s: float = 60.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > limit_s:
            raise TimeoutError("the dashboard did not get there in time")
        await asyncio.sleep(0.002)
    return time.perf_counter()


async def run_once(home: Path, big: Path, huge: Path, other: Path, runs: int) -> dict[str, list[float]]:
    options = DiscoveryOptions(roots=[home], include_path_interpreters=False)
    app = VenvDeckApp(LocalEnvironmentService(options))
    times: dict[str, list[float]] = {"launch→up": [], "launch→first env shown": [], "up→all found": []}
    first_shown: list[float] = []

    def hook(message: Message) -> None:
        if isinstance(message, EnvTree.EnvironmentHighlighted) and message.env and not first_shown:
            first_shown.append(time.perf_counter())  # posted once the tree has laid out its first node

    launched = time.perf_counter()
    async with app.run_test(size=(160, 50), message_hook=hook):
        up = time.perf_counter()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        tree = screen.query_one(EnvTree)
        table = screen.query_one(PackageTable)
        first = await wait_for(lambda: bool(first_shown)) and first_shown[0]
        done = await wait_for(lambda: not screen.discovering and len(tree.environments) >= 500)
        times["launch→up"].append(up - launched)
        times["launch→first env shown"].append(first - launched)
        times["up→all found"].append(done - up)

        def filled(env: Path, rows: int) -> Callable[[], bool]:
            return lambda: table.environment_path == env and table.table.row_count == rows

        await app.workers.wait_for_complete()  # sizes measured: selections are timed on an idle app

        async def select(env: Path, rows: int, settled: bool = True) -> float:
            if settled:  # the previous table's sizes are in: time this one alone
                await app.workers.wait_for_complete()
                await asyncio.sleep(0.05)
            started = time.perf_counter()
            tree.select_path(env)
            return await wait_for(filled(env, rows)) - started

        await select(huge, 3000)
        times["select 150 (first, probes python)"] = [await select(big, 150)]
        times["select 150 (again)"] = []
        for _ in range(runs):
            await select(other, 150)
            times["select 150 (again)"].append(await select(big, 150))
        times["select 150 (back to back)"] = []
        for _ in range(runs):
            await select(other, 150, settled=False)
            times["select 150 (back to back)"].append(await select(big, 150, settled=False))
        times["select 3000 (again)"] = [await select(huge, 3000)]
        started = time.perf_counter()
        table.sort_by(Column.VERSION)
        times["re-sort 3000 rows"] = [time.perf_counter() - started]
    return times


def main() -> None:
    precompile()
    parser = argparse.ArgumentParser()
    parser.add_argument("--envs", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="venvdeck-ui-bench-") as tmp:
        home = Path(tmp)
        print(f"building a home of {args.envs} environments ...", flush=True)
        big, huge, other = build_home(home, args.envs)
        samples: dict[str, list[float]] = {}
        for _ in range(3):
            for key, values in asyncio.run(run_once(home, big, huge, other, args.runs)).items():
                samples.setdefault(key, []).extend(values)
        pip = alternate({"pip list": [str(big / "bin" / "python"), "-m", "pip", "list"]}, runs=args.runs)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\ndashboard over {args.envs} environments (medians of 3 launches; selections: {args.runs} each)")
    for key, values in samples.items():
        print(f"  {key:<36} {statistics.median(values) * 1000:8.1f} ms")
    first = statistics.median(samples["launch→first env shown"]) - statistics.median(samples["launch→up"])
    table = statistics.median(samples["select 150 (again)"])
    print(f"  {'pip list, same 150 packages':<36} {pip['pip list'] * 1000:8.1f} ms")
    print(f"  table filled / pip list = {table / pip['pip list']:.2f}")
    print(f"  peak memory (whole bench process)    {peak_mb:8.1f} MB")
    verdict = "meets" if first < 0.5 else "MISSES"
    print(f"  first environment after the app is up: {first * 1000:.0f} ms ({verdict} the 500 ms bar)")
    print(
        f"  150-package table: {table * 1000:.0f} ms ({'meets' if table < 0.1 else 'MISSES'} the 100 ms bar)"
    )


if __name__ == "__main__":
    main()
