"""Side-by-side timing: contenders run alternately, medians compared (the machine is noisy)."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Sequence


def time_command(argv: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def alternate(contenders: dict[str, Sequence[str]], runs: int = 9, warmup: int = 1) -> dict[str, float]:
    """Median wall seconds of each command, running them in turn so drift hits all alike."""
    for argv in contenders.values():
        for _ in range(warmup):
            time_command(argv)
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, argv in contenders.items():
            samples[name].append(time_command(argv))
    return {name: statistics.median(values) for name, values in samples.items()}


def report(medians: dict[str, float], baseline: str, bar: float | None = None) -> None:
    base = medians[baseline]
    for name, seconds in medians.items():
        print(f"  {name:<34} {seconds * 1000:9.1f} ms   ratio to {baseline}: {seconds / base:5.2f}")
    if bar is not None:
        ours = medians["venvdeck"] / base
        verdict = "meets" if ours <= bar else "MISSES"
        print(f"  venvdeck / {baseline} = {ours:.2f} ({verdict} the bar of {bar:g})")


def precompile() -> None:
    """Byte-compile venvdeck first: an installed venvdeck has its .pyc files (pip writes them), while
    a source checkout run with PYTHONDONTWRITEBYTECODE=1 would compile every module on every start."""
    import compileall
    from pathlib import Path

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "app", quiet=1)
