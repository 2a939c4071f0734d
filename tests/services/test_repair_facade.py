"""What the dashboard will call: the real facade over real folders (a rebuild, a cancelled one, the
interpreters and kernels views), and the fake's answers for the same calls."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.fakes import HOME, demo_service
from tests.support.bases import removable_base, tree_snapshot
from tests.support.pythons import install, make_venv
from venvdeck.errors import NoInterpreter
from venvdeck.models import KernelState
from venvdeck.services.find.discovery import DiscoveryOptions
from venvdeck.services.local import LocalEnvironmentService

VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _service(root: Path, data: Path) -> LocalEnvironmentService:
    import os

    environ = {**os.environ, "JUPYTER_DATA_DIR": str(data), "JUPYTER_PATH": ""}
    return LocalEnvironmentService(
        DiscoveryOptions(roots=[root], include_path_interpreters=False, environ=environ)
    )


@pytest.mark.usefixtures("local_index")
async def test_the_facade_rebuilds_and_puts_back_when_cancelled(tmp_path: Path, wheelhouse: Path) -> None:
    python = removable_base(tmp_path / "gone-python")
    env = make_venv(python, tmp_path / "root" / "proj" / ".venv")
    install(env, wheelhouse, "demo-app")
    kernel = tmp_path / "data" / "kernels" / "proj"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(
        json.dumps({"argv": [str(env / "bin" / "python")], "display_name": "p"})
    )
    shutil.rmtree(tmp_path / "gone-python")
    service = _service(tmp_path / "root", tmp_path / "data")
    found = await service.resolve(env)
    (lost,) = [g for g in await service.interpreters() if g.missing]
    assert lost.prefix == tmp_path / "gone-python"
    assert {d.path for d in lost.dependents} == {env, kernel}
    (listed,) = await service.kernels_for(found)
    assert listed.state is KernelState.BROKEN
    other = await service.resolve(make_venv(Path(sys.executable), tmp_path / "root" / "other"))
    assert await service.kernels_for_each([other, found]) == [[], [listed]]

    plan = await service.plan_recreate(found, python=VERSION)
    before = tree_snapshot(env)
    started = asyncio.Event()

    def on_line(line: str) -> None:
        if line.startswith("$ "):
            started.set()

    task = asyncio.ensure_future(service.recreate(plan, on_line))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert tree_snapshot(env) == before

    result = await service.recreate(plan, lambda _line: None)
    assert result.ok, result.output
    (kept,) = await service.kernels()
    assert kept.state is KernelState.OK  # same path: the kernel works again


async def test_the_fake_answers_the_same_calls() -> None:
    service = demo_service()
    broken = next(e for e in service.environments if e.is_broken)
    with pytest.raises(NoInterpreter, match=r"no Python 3\.8 is installed"):
        await service.plan_recreate(broken)
    plan = await service.plan_recreate(broken, python="3.12")
    result = await service.recreate(plan, lambda _line: None)
    assert result.ok
    lost = [g for g in await service.interpreters() if g.missing]
    assert lost == []
    dead = [k for k in await service.kernels() if k.state is KernelState.DEAD]
    assert [await service.remove_kernel(k) for k in dead] == [
        f"removed the kernel py39-scratch ({HOME}/.local/share/jupyter/kernels/py39-scratch)"
    ]


async def test_an_environment_created_through_the_facade_is_known_at_once(tmp_path: Path) -> None:
    """The interpreters view (and delete, rebuild) read the facade's last discovery: a new
    environment was missing there until the next refresh."""
    from venvdeck.services.change.plans import plan_create
    from venvdeck.services.change.settings import ActionSettings, Backend
    from venvdeck.services.find.discovery import base_interpreters

    root = tmp_path / "root"
    make_venv(Path(sys.executable), root / "old" / ".venv")
    service = _service(root, tmp_path / "data")
    before = {d.path for g in await service.interpreters() for d in g.dependents}
    base = next(
        b for b in base_interpreters() if b.interpreter and b.python_version == sys.version.split()[0]
    )
    target = root / "new" / ".venv"
    operation = plan_create(target, base, ActionSettings(Backend.PIP, None), with_pip=False)
    result = await service.run(operation, lambda line: None)
    assert result.ok, result.output
    after = {d.path for g in await service.interpreters() for d in g.dependents}
    assert target in after - before
