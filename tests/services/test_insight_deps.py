"""Dependency trees and package details, against `pipdeptree --json` on the same environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from venvdeck.errors import PackageNotFound
from venvdeck.models import DependencyNode
from venvdeck.services.find.resolve import resolve_environment
from venvdeck.services.insight import deps
from venvdeck.services.insight.details import package_details

PIPDEPTREE = Path(sys.executable).parent / "pipdeptree"  # the test extra installs it


def pipdeptree_json(env: Path) -> object:
    result = subprocess.run(
        [str(PIPDEPTREE), "--python", str(env / "bin" / "python"), "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=env,  # pipdeptree also reads its working folder (sys.path[0] of `python -c`)
    )
    return json.loads(result.stdout)


def test_json_is_what_pipdeptree_prints(insight_env: Path) -> None:
    graph = deps.graph_for(resolve_environment(insight_env))
    ours = deps.pipdeptree_json(graph)
    assert ours == pipdeptree_json(insight_env)
    by_key: dict[str, Any] = {entry["package"]["key"]: entry for entry in ours}  # type: ignore[index]
    gamma = by_key["gamma"]["dependencies"]
    assert gamma == [
        {
            "key": "speedy",
            "package_name": "speedy",
            "installed_version": "0.9",
            "required_version": ">=1",
            "extra": "fast",
        }
    ]
    alpha = {d["key"]: d for d in by_key["alpha"]["dependencies"]}
    assert alpha["zeta-pkg"]["required_version"] == ">=2.0,<3"
    assert "never-here" not in alpha
    assert "win-only" not in alpha
    assert by_key["needs-missing"]["dependencies"][1]["installed_version"] == "?"
    assert "nometa" not in by_key
    assert by_key["beta"]["package"]["installed_version"] == "1.05"  # as written, where pip says 1.5
    assert by_key["corrupt"]["dependencies"] == [
        {"key": "speedy", "package_name": "speedy", "installed_version": "0.9", "required_version": "Any"}
    ]


def _names(nodes: tuple[DependencyNode, ...]) -> list[str]:
    return [n.key for n in nodes]


def test_tree_starts_from_what_nothing_requires_and_marks_the_cycle_once(insight_env: Path) -> None:
    tree = deps.dependency_tree(resolve_environment(insight_env))
    assert _names(tree.roots) == ["lonely", "needs-missing", "pip", "plain-edit", "setuptools", "usescorrupt"]
    needs = tree.roots[1]
    beta, ghost = needs.children
    assert (ghost.key, ghost.missing, ghost.via and ghost.via.specifier) == ("ghost", True, ">=1.0")
    assert beta.via is not None
    assert beta.via.satisfied is False
    (alpha,) = beta.children
    cycle = next(c for c in alpha.children if c.key == "beta")
    assert cycle.cycle
    assert cycle.children == ()
    gamma = next(c for c in alpha.children if c.key == "gamma")
    (speedy,) = gamma.children
    assert speedy.via is not None
    assert (speedy.via.extra, speedy.via.satisfied) == ("fast", False)
    text = deps.text_lines(tree)
    assert "│       ├── beta [required: >=1, installed: 1.5] (*)" in text
    assert "└── ghost [required: >=1.0, installed: ?] MISSING" in text


def test_reverse_tree_and_depth(insight_env: Path) -> None:
    graph = deps.graph_for(resolve_environment(insight_env))
    tree = deps.build_tree(graph, reverse=True, only=["Speedy"], depth=2)
    (speedy,) = tree.roots
    assert _names(speedy.children) == ["corrupt", "gamma"]
    gamma = speedy.children[1]
    assert _names(gamma.children) == ["alpha"]
    assert gamma.children[0].children == ()  # depth 2 stops here
    full = deps.build_tree(graph, reverse=True)
    assert "ghost" in _names(full.roots)


def test_details_evaluate_requirements_for_the_environment(insight_env: Path) -> None:
    env = resolve_environment(insight_env)
    alpha = package_details(env, "ALPHA")
    state = {r.name: (r.applies, r.installed_version, r.satisfied) for r in alpha.requirements}
    assert state["never-here"] == (False, None, None)
    assert state["win-only"] == (False, None, None)
    assert state["zeta-pkg"] == (True, "1.0", False)
    assert state["beta"] == (True, "1.5", True)
    assert (alpha.summary, alpha.source, alpha.requested, alpha.files) == (
        "Needs most of the others",
        "index",
        True,
        7,
    )
    assert [b.name for b in alpha.required_by] == ["beta"]
    gamma = package_details(env, "gamma")
    extras = {r.name: (r.extra, r.applies) for r in gamma.requirements}
    assert extras == {"speedy": ("fast", True), "slowpoke": (None, False)}
    edit = package_details(env, "plain_edit")
    assert edit.source == "editable"
    assert edit.source_url is not None
    corrupt = package_details(env, "corrupt")
    assert any("this is not valid" in p for p in corrupt.metadata_problems)
    with pytest.raises(PackageNotFound, match="ghost is not installed in"):
        package_details(env, "ghost")
