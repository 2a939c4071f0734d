"""Start and quit, as a person sees them in a terminal: venvdeck beside lazyvenv and a bare Textual app.

Each program runs in a real pseudo-terminal (120x40). "Start" is the time from launch until the
first environment's name is drawn (for the bare app: its one word); "quit" is the time from the
`q` key until the process has exited. Bars (issue #10): venvdeck shows its first environment no
later than lazyvenv shows its one (ratio <= 1.0), and exits within 150 ms of `q`, also while
discovery and sizes are still running (the "busy" row: a home of 400 environments, `q` pressed
0.3 s after the first one is drawn, while the rest are still being found and measured).

lazyvenv looks only in the current folder and shows one environment; venvdeck looks through the
whole home. Both start in the same project folder. lazyvenv needs Python 3.13: it is installed into
/tmp/venvdeck-bench-lazyvenv the first time (PyPI through pip), or taken from --lazyvenv.

    python bench/start_quit.py [--runs 9] [--lazyvenv PATH]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "app")]

from timing import precompile  # noqa: E402
from ui_timings import fake_env  # noqa: E402

LAZYVENV_VENV = Path(tempfile.gettempdir()) / "venvdeck-bench-lazyvenv"
COLUMNS, ROWS = 120, 40
BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    BINDINGS = [("q", "quit", "Quit")]
    def compose(self):
        yield Static("ready-word")

Bare().run()
"""


class Run:
    """One program in a pseudo-terminal: launched, watched for a word, sent q, waited for."""

    def __init__(self, argv: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: becomes the program
            os.chdir(cwd)
            os.execvpe(argv[0], list(argv), env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.seen = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return False
        self.seen = self.seen[-4096:] + chunk
        return bool(chunk)

    def until(self, words: Sequence[bytes], limit_s: float = 30.0) -> float:
        """Seconds from launch until one of words is drawn."""
        while not any(word in self.seen for word in words):
            if time.perf_counter() - self.started > limit_s or not self._read(0.5):
                raise TimeoutError(f"{words!r} never appeared")
        return time.perf_counter() - self.started

    def quit(self, limit_s: float = 10.0) -> float:
        """Seconds from q until the process is gone."""
        sent = time.perf_counter()
        os.write(self.fd, b"q")
        while True:
            done, _status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                elapsed = time.perf_counter() - sent
                os.close(self.fd)
                return elapsed
            if time.perf_counter() - sent > limit_s:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                os.close(self.fd)
                return float("inf")
            self._read(0.002)  # keep draining, as a terminal does


def lazyvenv_command(given: str | None) -> list[str] | None:
    if given:
        return [given]
    program = LAZYVENV_VENV / "bin" / "lazyvenv"
    if not program.exists():
        # pyenv's own 3.13 first: a shim on PATH may name a version that is not selected here.
        found = shutil.which("python3.13")
        python = next(iter(sorted(Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"))), None) or (
            found if found and "/shims/" not in found else None
        )
        if python is None:
            print("  (lazyvenv needs Python 3.13, none found: skipped)")
            return None
        subprocess.run([str(python), "-m", "venv", str(LAZYVENV_VENV)], check=True)
        done = subprocess.run(
            [str(LAZYVENV_VENV / "bin" / "pip"), "install", "-q", "lazyvenv"], capture_output=True, text=True
        )
        if done.returncode != 0:
            print(f"  (lazyvenv could not be installed: skipped) {done.stderr.strip()[-200:]}")
            return None
    return [str(program)]


def build_home(base: Path, count: int) -> Path:
    """A home of count environments; returns the project folder both tools start in."""
    project = base / "home" / "mine-proj"
    (project / "src").mkdir(parents=True)
    fake_env(project / ".venv", 20)
    for i in range(count - 1):
        fake_env(base / "home" / f"group-{i % 20:02d}" / f"project-{i:03d}" / ".venv", 5)
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--lazyvenv", help="a lazyvenv program to use instead of installing one")
    args = parser.parse_args()
    precompile()
    venvdeck = [str(Path(sys.executable).parent / "venvdeck")]
    lazyvenv = lazyvenv_command(args.lazyvenv)
    with tempfile.TemporaryDirectory(prefix="venvdeck-start-") as tmp:
        small = build_home(Path(tmp) / "small", 30)
        busy = build_home(Path(tmp) / "busy", 400)
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        base_env = {
            k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"}
        }
        base_env.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS))

        def env_for(project: Path) -> dict[str, str]:
            home = str(project.parent)
            config = str(Path(tmp) / "config")
            return {**base_env, "HOME": home, "XDG_CONFIG_HOME": config, "XDG_CACHE_HOME": config}

        contenders: dict[str, tuple[list[str], Path, dict[str, str], bytes]] = {
            "venvdeck (30 environments)": (venvdeck, small, env_for(small), b"mine-proj"),
            "venvdeck busy (400, still scanning)": (venvdeck, busy, env_for(busy), b"project-"),
            "bare Textual app (one word)": (
                [sys.executable, str(bare)],
                small,
                env_for(small),
                b"ready-word",
            ),
        }
        if lazyvenv:
            contenders["lazyvenv (this folder only)"] = (lazyvenv, small, env_for(small), b".venv")
        starts: dict[str, list[float]] = {name: [] for name in contenders}
        quits: dict[str, list[float]] = {name: [] for name in contenders}
        for attempt in range(args.runs + 1):  # the first round warms the disk cache and is dropped
            for name, (argv, cwd, env, words) in contenders.items():
                run = Run(argv, cwd, env)
                start = run.until(words)
                # Drawn: a person reads for a moment. The busy home is still being walked and
                # measured then (400 environments take seconds), the others are idle or measuring.
                time.sleep(0.3)
                stop = run.quit()
                if attempt:
                    starts[name].append(start)
                    quits[name].append(stop)
    print(f"Start and quit in a {COLUMNS}x{ROWS} pseudo-terminal, medians of {args.runs} alternating runs")
    print(f"  {'':<34} {'start (ms)':>11} {'quit (ms)':>10}")
    medians = {name: (statistics.median(starts[name]), statistics.median(quits[name])) for name in contenders}
    for name, (start, stop) in medians.items():
        print(f"  {name:<34} {start * 1000:11.0f} {stop * 1000:10.0f}")
    ours_start, ours_quit = medians["venvdeck (30 environments)"]
    busy_quit = medians["venvdeck busy (400, still scanning)"][1]
    if lazyvenv:
        ratio = ours_start / medians["lazyvenv (this folder only)"][0]
        verdict = "meets" if ratio <= 1.0 else "MISSES"
        print(f"  start: venvdeck / lazyvenv = {ratio:.2f} ({verdict} the bar of 1.0)")
    ratio = ours_start / medians["bare Textual app (one word)"][0]
    print(f"  start: venvdeck / bare Textual app = {ratio:.2f}")
    worst = max(ours_quit, busy_quit)
    print(
        f"  quit: {worst * 1000:.0f} ms at worst ({'meets' if worst <= 0.150 else 'MISSES'} the bar of 150 ms)"
    )


if __name__ == "__main__":
    main()
