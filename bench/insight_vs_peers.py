"""venvdeck's insight commands beside the tools they stand in for, alternating runs, medians.

    python bench/insight_vs_peers.py [--runs 9] [--killpy PATH]

- `venvdeck check ENV` vs `ENV/bin/python -m pip check` (bar: at most 1/10 of pip check's time);
- `venvdeck deps ENV --json` vs `pipdeptree --python ENV/bin/python --json` (bar: at most 0.8);
- `venvdeck find SPEC HOME` vs `killpy find SPEC --path HOME` over 40 environments (bar: at most 1/2).

It builds, in a temporary folder, one venv with pip holding 100 packages from local wheels (a web
of requirements: specifiers, extras, markers, one missing and one conflicting requirement), and a
home of 40 copies of it. pipdeptree comes from venvdeck's test extra (next to this Python);
killpy, which venvdeck does not depend on, is installed into a throwaway venv in
/tmp/venvdeck-bench-killpy the first time (PyPI through pip), or taken from --killpy.

venvdeck runs with its own cache folder (XDG_CACHE_HOME) in the temporary folder: the warm-up run
fills the interpreter and marker probes' caches, as any earlier venvdeck run on the machine would.
`check` and `deps` remember their answer until a file it came from changes
(services/insight/memo.py): two more lines show a run without that answer (the first after an
install) and one with an empty cache (the interpreter and marker probes run too).
Byte-code is written for everyone (PYTHONDONTWRITEBYTECODE is unset for the runs).
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
from pathlib import Path

from timing import precompile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.wheels import build_wheel

COUNT = 98  # + pip and setuptools
HOMES = 40
KILLPY_VENV = Path(tempfile.gettempdir()) / "venvdeck-bench-killpy"


def build_env(base: Path) -> Path:
    house = base / "wheels"
    names = [f"bench-pkg-{i:03d}" for i in range(COUNT)]
    for i, name in enumerate(names):
        requires = [f"{names[j]}>=1.0,<2" for j in (i + 1, i + 7, i + 13) if j < COUNT]
        if i % 10 == 0 and i + 3 < COUNT:
            requires.append(f'{names[i + 3]}[extra]; python_version >= "3"')
        if i % 17 == 0:
            requires.append('never-installed; sys_platform == "win32"')
        build_wheel(house, name, "1.0", requires=requires, summary=f"Benchmark package {name}")
    build_wheel(house, "bench-broken", "1.0", requires=["not-here>=1", f"{names[0]}>=5"])
    env = base / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index", "--no-deps"]
    subprocess.run([*pip, "--find-links", str(house), *names[:-1], "bench-broken"], check=True)
    return env


def build_home(base: Path, env: Path) -> Path:
    home = base / "home"
    for i in range(HOMES):
        target = home / f"project-{i:02d}" / ".venv"
        target.parent.mkdir(parents=True)
        shutil.copytree(env, target, symlinks=True)
    return home


def killpy_command(given: str | None) -> str:
    if given:
        return given
    found = shutil.which("killpy")
    if found:
        return found
    exe = KILLPY_VENV / "bin" / "killpy"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(KILLPY_VENV)], check=True)
        subprocess.run(
            [str(KILLPY_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "killpy"], check=True
        )
    return str(exe)


def run(argv: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 1)) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in ok:
        raise SystemExit(f"{argv[0]} exited {result.returncode}: {' '.join(argv)}")
    return elapsed


def alternate(contenders: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict[str, float]:
    for argv, env in contenders.values():
        run(argv, env)
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, (argv, env) in contenders.items():
            samples[name].append(run(argv, env))
    return {name: statistics.median(values) for name, values in samples.items()}


def cold(argv: list[str], env: dict[str, str], cache: Path, runs: int) -> tuple[float, float]:
    """(median with no remembered answer: the first run after a change; median with an empty cache:
    the interpreter and marker probes run too)."""
    after_change, empty = [], []
    for _ in range(runs):
        shutil.rmtree(cache / "venvdeck" / "insight", ignore_errors=True)
        after_change.append(run(argv, env))
        shutil.rmtree(cache, ignore_errors=True)
        empty.append(run(argv, env))
    return statistics.median(after_change), statistics.median(empty)


def show(
    title: str, medians: dict[str, float], baseline: str, bar: float, cold_s: tuple[float, float]
) -> float:
    print(title)
    for name, seconds in medians.items():
        print(f"  {name:<44} {seconds * 1000:8.1f} ms")
    ratio = medians["venvdeck"] / medians[baseline]
    verdict = "meets" if ratio <= bar else "MISSES"
    print(f"  venvdeck / {baseline}: {ratio:.2f} ({verdict} the bar of {bar:g})")
    base = medians[baseline]
    print(f"  venvdeck, answer not remembered: {cold_s[0] * 1000:.1f} ms ({cold_s[0] / base:.2f})")
    print(f"  venvdeck, empty cache (probes too): {cold_s[1] * 1000:.1f} ms ({cold_s[1] / base:.2f})")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--killpy", help="a killpy executable (default: installed into a throwaway venv)")
    args = parser.parse_args()
    precompile()
    killpy = killpy_command(args.killpy)
    pipdeptree = str(Path(sys.executable).parent / "pipdeptree")
    with tempfile.TemporaryDirectory(prefix="venvdeck-bench-") as tmp:
        base = Path(tmp)
        env = build_env(base)
        home = build_home(base, env)
        cache = base / "cache"
        environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        ours = {**environ, "XDG_CACHE_HOME": str(cache), "HOME": str(base)}
        venvdeck = [sys.executable, "-m", "venvdeck"]
        python = str(env / "bin" / "python")
        spec = "bench-pkg-042>=1,<2"
        print(
            f"{COUNT + 2} packages in one environment; a home of {HOMES} copies; {args.runs} alternating runs"
        )
        check = alternate(
            {
                "venvdeck": ([*venvdeck, "check", str(env)], ours),
                "pip check": ([python, "-m", "pip", "check"], environ),
            },
            args.runs,
        )
        show("check", check, "pip check", 0.1, cold([*venvdeck, "check", str(env)], ours, cache, 3))
        deps = alternate(
            {
                "venvdeck": ([*venvdeck, "deps", str(env), "--json"], ours),
                "pipdeptree --json": ([pipdeptree, "--python", python, "--json"], environ),
            },
            args.runs,
        )
        show(
            "deps --json",
            deps,
            "pipdeptree --json",
            0.8,
            cold([*venvdeck, "deps", str(env), "--json"], ours, cache, 3),
        )
        found = alternate(
            {
                "venvdeck": ([*venvdeck, "find", spec, str(home)], ours),
                "killpy find": ([killpy, "find", spec, "--path", str(home)], environ),
            },
            max(3, args.runs // 3),
        )
        show(
            f"find over {HOMES} environments",
            found,
            "killpy find",
            0.5,
            cold([*venvdeck, "find", spec, str(home)], ours, cache, 1),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
