"""Typed models that cross every boundary (services → CLI / UI). No UI imports here.

They are grouped by what they describe, and a name is loaded from its group when it is first used:
making a frozen dataclass runs generated code for each of its methods, and making all of them took
~50 ms of every start, the dashboard's and each command's, most of it for groups it never touches.
Import from here (`from venvdeck.models import Environment`), not from the groups.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names, for type checkers; at run time __getattr__ loads them
    from venvdeck.models.changes import (
        ActivationCommand as ActivationCommand,
        DeletePlan as DeletePlan,
        DeleteResult as DeleteResult,
        ExportResult as ExportResult,
        Operation as Operation,
        OperationResult as OperationResult,
        ShellLaunch as ShellLaunch,
    )
    from venvdeck.models.environments import (
        DiscoveryReport as DiscoveryReport,
        Environment as Environment,
        EnvironmentSize as EnvironmentSize,
    )
    from venvdeck.models.insight import (
        CheckReport as CheckReport,
        DependencyNode as DependencyNode,
        DependencyTree as DependencyTree,
        DistributionUsage as DistributionUsage,
        FoundDistribution as FoundDistribution,
        MetadataProblem as MetadataProblem,
        PackageDetails as PackageDetails,
        RequiredBy as RequiredBy,
        RequirementProblem as RequirementProblem,
        RequirementStatus as RequirementStatus,
    )
    from venvdeck.models.kinds import (
        DependentKind as DependentKind,
        KernelState as KernelState,
        Kind as Kind,
        Manager as Manager,
        OperationKind as OperationKind,
        ProblemKind as ProblemKind,
        Status as Status,
    )
    from venvdeck.models.packages import (
        DirectUrl as DirectUrl,
        FreezeResult as FreezeResult,
        InterpreterInfo as InterpreterInfo,
        Package as Package,
        PackageListing as PackageListing,
    )
    from venvdeck.models.repair import (
        BaseInterpreter as BaseInterpreter,
        CarriedRequirement as CarriedRequirement,
        Dependent as Dependent,
        Kernelspec as Kernelspec,
        NotCarried as NotCarried,
        RecreatePlan as RecreatePlan,
        RecreateResult as RecreateResult,
    )

_GROUPS: dict[str, tuple[str, ...]] = {
    "kinds": ("Kind", "Manager", "Status", "OperationKind", "ProblemKind", "DependentKind", "KernelState"),
    "environments": (
        "Environment",
        "EnvironmentSize",
        "DiscoveryReport",
    ),
    "packages": (
        "DirectUrl",
        "Package",
        "InterpreterInfo",
        "PackageListing",
        "FreezeResult",
    ),
    "changes": (
        "Operation",
        "OperationResult",
        "DeletePlan",
        "DeleteResult",
        "ExportResult",
        "ActivationCommand",
        "ShellLaunch",
    ),
    "insight": (
        "RequirementProblem",
        "MetadataProblem",
        "CheckReport",
        "RequirementStatus",
        "DependencyNode",
        "DependencyTree",
        "RequiredBy",
        "PackageDetails",
        "FoundDistribution",
        "DistributionUsage",
    ),
    "repair": (
        "Dependent",
        "BaseInterpreter",
        "Kernelspec",
        "CarriedRequirement",
        "NotCarried",
        "RecreatePlan",
        "RecreateResult",
    ),
}
_GROUP_OF = {name: group for group, names in _GROUPS.items() for name in names}


if not TYPE_CHECKING:  # hidden from type checkers: for them a misspelt name stays an error

    def __getattr__(name: str) -> object:
        group = _GROUP_OF.get(name)
        if group is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{group}"), name)
        globals()[name] = value  # once: the next lookup is an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted([*globals(), *_GROUP_OF])
