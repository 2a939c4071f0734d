"""The interpreter probe is cached on disk, and a change to the environment makes it ask again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from venvdeck.errors import InterpreterError
from venvdeck.services import process
from venvdeck.services.read import interpreters


def _forget_memory() -> None:
    interpreters._cache.clear()


def test_a_second_process_reads_the_probe_from_disk_until_the_environment_changes(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = bare_env / "bin" / "python"
    first = interpreters.probe(python)
    _forget_memory()  # as a new `venvdeck` process would start

    calls: list[list[str]] = []

    def no_process(argv: list[str], **kwargs: object) -> process.ProcessResult:
        calls.append(argv)
        raise InterpreterError("the probe ran")

    monkeypatch.setattr(process, "run", no_process)
    assert interpreters.probe(python) == first
    assert calls == []

    for changed in (next(bare_env.glob("lib/python*/site-packages")), bare_env / "pyvenv.cfg"):
        _forget_memory()
        later = time.time() + 5
        os.utime(changed, (later, later))
        with pytest.raises(InterpreterError, match="the probe ran"):
            interpreters.probe(python)
        monkeypatch.undo()
        interpreters.probe(python)  # re-probe for real, and cache the new state
        monkeypatch.setattr(process, "run", no_process)
    assert len(calls) == 2


def test_a_damaged_cache_file_is_ignored(bare_env: Path) -> None:
    python = bare_env / "bin" / "python"
    interpreters.probe(python)
    (interpreters._cache_dir() / interpreters._cache_name(python)).write_text("{not json")
    _forget_memory()
    assert interpreters.probe(python).prefix == bare_env
