"""The models package: every name importable from `venvdeck.models`, each group loaded only when used."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import venvdeck.models as models

GROUPS = ("changes", "environments", "insight", "kinds", "packages", "repair")


def test_every_public_class_of_every_group_is_a_name_of_the_package() -> None:
    for group in GROUPS:
        module = importlib.import_module(f"venvdeck.models.{group}")
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == module.__name__ and not name.startswith("_"):
                assert getattr(models, name) is value, f"{name} of {group} is not venvdeck.models.{name}"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchModel"):
        models.NoSuchModel  # type: ignore[attr-defined]  # noqa: B018


def _groups_loaded_by(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('venvdeck.models.'))))"
    app = Path(models.__file__).parent.parent.parent
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=app
    )
    return {name.rsplit(".", 1)[1] for name in json.loads(result.stdout)}


def test_the_dashboard_and_the_commands_load_only_the_groups_they_use() -> None:
    # What the dashboard imports before its first frame (cli/main.py, app.py's run_dashboard): the
    # environments alone; packages, changes, insight and repair load when they are first used.
    loaded = _groups_loaded_by(
        "import venvdeck.cli.main, venvdeck.config, venvdeck.app, venvdeck.services.local,"
        " venvdeck.services.change.operations, venvdeck.services.find.discovery"
    )
    assert loaded == {"environments", "kinds"}
    # `venvdeck check`: no repair, no changes.
    loaded = _groups_loaded_by("import venvdeck.cli.insight, venvdeck.services.insight.check")
    assert "repair" not in loaded
    assert "insight" in loaded
