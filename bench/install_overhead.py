"""Installing the same local wheels into fresh environments: venvdeck against pip and uv themselves.

Bar (issue #5): venvdeck's overhead over the raw tool under 10%. Measured two ways, alternating
runs, medians:
- in process, as the dashboard does it: plan (checks + listing) and run through the service;
- from the shell: `venvdeck install ENV ...` against `python -m pip install ...` / `uv pip install ...`,
  which adds venvdeck's own start-up.
Each run gets a fresh copy of a template environment (copying is not timed).

    python bench/install_overhead.py [--runs 7] [--wheels 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tests.support.wheels import build_wheel  # noqa: E402

from timing import precompile  # noqa: E402
from venvdeck.services.change.operations import OperationRunner  # noqa: E402
from venvdeck.services.change.plans import plan_install  # noqa: E402
from venvdeck.services.change.settings import (  # noqa: E402
    ActionSettings,
    Backend,
    find_uv,
)
from venvdeck.services.find.resolve import resolve_environment  # noqa: E402


def _quiet_run(argv: list[str], env: dict[str, str]) -> None:
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def main() -> None:
    precompile()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--wheels", type=int, default=20)
    args = parser.parse_args()
    uv = find_uv()
    with tempfile.TemporaryDirectory(prefix="venvdeck-install-bench-") as tmp:
        base = Path(tmp)
        house = base / "wheels"
        names = [f"bench-install-{i:02d}" for i in range(args.wheels)]
        for name in names:
            build_wheel(house, name, "1.0", summary="bench")
        template = base / "template"
        subprocess.run([sys.executable, "-m", "venv", str(template)], check=True)
        environ = {
            **os.environ,
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(house),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "UV_NO_INDEX": "1",
            "UV_FIND_LINKS": str(house),
            "UV_CACHE_DIR": str(base / "uv-cache"),
        }
        os.environ.update(environ)  # the in-process service passes the same settings on
        counter = iter(range(1_000_000))

        def fresh() -> Path:
            target = base / f"env-{next(counter)}"
            shutil.copytree(template, target, symlinks=True)
            return target

        def timed(run: Callable[[Path], None]) -> float:
            env = fresh()
            started = time.perf_counter()
            run(env)
            elapsed = time.perf_counter() - started
            shutil.rmtree(env)
            return elapsed

        def raw_pip(env: Path) -> None:
            _quiet_run([str(env / "bin" / "python"), "-m", "pip", "install", "--", *names], environ)

        def raw_uv(env: Path) -> None:
            assert uv is not None
            _quiet_run(
                [str(uv), "pip", "install", "--python", str(env / "bin" / "python"), "--", *names], environ
            )

        def cli(backend: str) -> Callable[[Path], None]:
            return lambda env: _quiet_run(
                [sys.executable, "-m", "venvdeck", "install", str(env), "--backend", backend, *names], environ
            )

        def service(backend: Backend) -> Callable[[Path], None]:
            settings = ActionSettings(backend, uv)
            runner = OperationRunner()

            def run(env: Path) -> None:
                operation = plan_install(resolve_environment(env), names, settings)
                result = runner.run(operation)
                assert result.ok, result.output

            return run

        contenders: dict[str, Callable[[Path], None]] = {
            "pip install (raw)": raw_pip,
            "venvdeck service, pip": service(Backend.PIP),
            "venvdeck install, pip": cli("pip"),
        }
        if uv is not None:
            contenders |= {
                "uv pip install (raw)": raw_uv,
                "venvdeck service, uv": service(Backend.UV),
                "venvdeck install, uv": cli("uv"),
            }
        for run in contenders.values():  # warm caches (uv's, the interpreter's pages)
            timed(run)
        samples: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(args.runs):
            for name, run in contenders.items():
                samples[name].append(timed(run))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(
        f"installing {args.wheels} local wheels into a fresh environment (medians of {args.runs} alternating runs)"
    )
    for name, seconds in medians.items():
        print(f"  {name:<26} {seconds * 1000:8.1f} ms")
    for tool, raw in (("pip", "pip install (raw)"), ("uv", "uv pip install (raw)")):
        if raw not in medians:
            continue
        for way in ("service", "install"):
            ours = medians[f"venvdeck {way}, {tool}"]
            overhead = ours / medians[raw] - 1
            verdict = "meets" if overhead < 0.10 else "MISSES"
            label = "in process" if way == "service" else "from the shell"
            print(f"  {tool}, {label}: overhead {overhead * 100:+.1f}% ({verdict} the 10% bar)")


if __name__ == "__main__":
    main()
