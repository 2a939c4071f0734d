"""A service that serves fixed models: deterministic snapshots, screenshots and edge cases.

The main flows are tested on the real service over real environments (tests/ui/); this fake is for
what a real machine cannot hold still: fixed names, sizes, versions and times, a listing that hangs
until the test releases it, an interpreter that will not start.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from venvdeck.errors import ExternallyManaged, InterpreterError, NoInterpreter, RefusedError
from venvdeck.models import (
    ActivationCommand,
    BaseInterpreter,
    CarriedRequirement,
    CheckReport,
    DeletePlan,
    DeleteResult,
    DependencyTree,
    Dependent,
    DependentKind,
    DirectUrl,
    DiscoveryReport,
    DistributionUsage,
    Environment,
    EnvironmentSize,
    ExportResult,
    FoundDistribution,
    FreezeResult,
    InterpreterInfo,
    Kernelspec,
    KernelState,
    Kind,
    Manager,
    NotCarried,
    Operation,
    OperationKind,
    OperationResult,
    Package,
    PackageDetails,
    PackageListing,
    RecreatePlan,
    RecreateResult,
    ShellLaunch,
    Status,
)
from venvdeck.services.change.requirements import check_typed, parse_requirements
from venvdeck.services.change.shell import activation_commands
from venvdeck.services.insight.check import check_listing
from venvdeck.services.insight.deps import build_tree
from venvdeck.services.insight.details import details_from_graph
from venvdeck.services.insight.graph import EnvironmentGraph, version_matches
from venvdeck.services.insight.search import requirement_from

# The marker environment every fake environment evaluates requirements in (no interpreter runs).
FAKE_MARKERS = {
    "implementation_name": "cpython",
    "implementation_version": "3.12.7",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "6.1.0",
    "platform_system": "Linux",
    "platform_version": "#1 SMP",
    "python_full_version": "3.12.7",
    "python_version": "3.12",
    "sys_platform": "linux",
}
# 2026-11-19 12:00 UTC: the frozen "now" of every snapshot.
FROZEN_NOW = 1_795_089_600.0
DAY = 86_400.0


@dataclass
class FakeEnvironmentService:
    environments: list[Environment] = field(default_factory=list)
    packages: dict[Path, tuple[Package, ...]] = field(default_factory=dict)
    sizes: dict[Path, EnvironmentSize] = field(default_factory=dict)
    package_size_table: dict[str, int] = field(default_factory=dict)
    failing: dict[Path, str] = field(default_factory=dict)  # path → the interpreter error to raise
    gates: dict[Path, asyncio.Event] = field(default_factory=dict)  # listing waits until set
    looked_in: list[Path] = field(default_factory=list)
    calls: list[tuple[str, Path]] = field(default_factory=list)
    measure_delay_s: float = 0.0  # a slow disk: the screen's refresh ticks run while it measures
    deps_delay_s: float = 0.0  # a big environment: its dependency tree takes this long to read
    busy: set[Path] = field(default_factory=set)
    discover_gate: asyncio.Event | None = None
    externally_managed: set[Path] = field(default_factory=set)
    run_gates: dict[Path, asyncio.Event] = field(default_factory=dict)  # an operation runs until set
    left_aside: list[Path] = field(default_factory=list)  # what an interrupted delete or rebuild left
    plan_gates: dict[Path, asyncio.Event] = field(default_factory=dict)  # an install plans until set
    run_fails: set[Path] = field(default_factory=set)  # an operation there exits 1
    ran: list[Operation] = field(default_factory=list)
    run_output: tuple[str, ...] = (
        "Collecting rich",
        "Installing collected packages: rich",
        "Successfully installed rich-13.9.4",
    )
    kernelspecs: list[Kernelspec] = field(default_factory=list)
    recreate_fails: dict[Path, str] = field(default_factory=dict)  # path → why its rebuild fails

    async def discover(self, report: DiscoveryReport) -> AsyncIterator[Environment]:
        self.calls.append(("discover", HOME))
        report.looked_in.extend(self.looked_in)
        report.pending_deletions.extend(self.left_aside)
        self.left_aside = []  # finished by this run, as the real one does
        for index, env in enumerate(list(self.environments)):
            report.folders_scanned += 10
            yield env
            if index == 0 and self.discover_gate is not None:
                await self.discover_gate.wait()  # a slow disk: the rest is still being looked for

    async def list_packages(self, env: Environment) -> PackageListing:
        self.calls.append(("list_packages", env.path))
        if env.path in self.gates:
            await self.gates[env.path].wait()
        return self._listing(env)

    def _listing(self, env: Environment) -> PackageListing:
        if env.path in self.failing:
            raise InterpreterError(self.failing[env.path])
        info = InterpreterInfo(
            executable=env.interpreter or env.path / "bin" / "python",
            version=env.python_version or "3.12.7",
            version_info=(3, 12, 7),
            prefix=env.path,
            base_prefix=env.path,
            sys_path=(),
            stdlib=None,
            user_site=None,
        )
        return PackageListing(env, self.packages.get(env.path, ()), info, "24.3.1")

    async def packages_on_disk(self, env: Environment) -> tuple[Package, ...]:
        self.calls.append(("packages_on_disk", env.path))
        return self.packages.get(env.path, ())

    async def freeze(self, env: Environment, *, top_level: bool = False) -> FreezeResult:
        self.calls.append(("freeze", env.path))
        listing = await self.list_packages(env)
        packages = [p for p in listing.packages if p.requested or not top_level]
        lines = []
        for package in sorted(packages, key=lambda p: p.name.casefold()):
            if package.name == "pip" and not top_level:
                continue
            url = package.direct_url
            if package.editable_project_location is not None:
                lines.append(f"-e {package.editable_project_location}")
            elif url is not None and url.vcs:
                lines.append(f"{package.name} @ {url.vcs}+{url.url}@{url.commit_id}")
            else:
                lines.append(f"{package.name}=={package.version}")
        return FreezeResult(env, tuple(lines))

    async def finish_pending_deletions(self, paths: Sequence[Path]) -> list[str]:
        return [
            f"put back {p.parent / p.name.split('-', 4)[-1]} as it was before an interrupted rebuild"
            if ".venvdeck-recreating-" in p.name
            else f"finished deleting {p}"
            for p in paths
        ]

    def check_specifiers(self, text: str) -> tuple[list[str], str | None]:
        return check_typed(text)

    def stop_all(self) -> int:
        self.calls.append(("stop_all", HOME))
        return 0

    def can_measure(self, env: Environment) -> bool:
        return env.path in self.sizes

    async def base_interpreters(self) -> list[Environment]:
        return [e for e in self.environments if e.kind is Kind.PYTHON]

    async def resolve(self, path: Path) -> Environment:
        for env in self.environments:
            if env.path == path:
                return env
        return _venv(path, "3.12.7", project=path.parent)

    # ---- planning: fixed commands, as the real service would build them ----------------------------
    def _pip(self, env: Environment, kind: OperationKind, title: str, *args: str) -> Operation:
        self.calls.append((f"plan_{kind}", env.path))
        python = str(env.interpreter or env.path / "bin" / "python")
        return Operation(kind, env.path, (python, "-m", "pip", *args), title)

    async def plan_install(
        self, env: Environment, specifiers: Sequence[str], *, override: bool = False
    ) -> Operation:
        requirements = parse_requirements(list(specifiers))
        if env.path in self.plan_gates:
            await self.plan_gates[env.path].wait()
        if env.path in self.externally_managed and not override:
            raise ExternallyManaged(f"{env.name} is externally managed (PEP 668)")
        shown = " ".join(str(r) for r in requirements)
        args = ("install", "--no-user", "--", *(str(r) for r in requirements))
        return self._pip(env, OperationKind.INSTALL, f"Install {shown} into {env.name}", *args)

    async def plan_install_file(self, env: Environment, file: Path, *, override: bool = False) -> Operation:
        return self._pip(
            env, OperationKind.INSTALL, f"Install from {file.name}", "install", "--no-user", "--", "x"
        )

    async def plan_upgrade(
        self, env: Environment, names: Sequence[str], *, override: bool = False
    ) -> Operation:
        args = ("install", "--no-user", "--upgrade", "--", *names)
        operation = self._pip(env, OperationKind.UPGRADE, f"Upgrade {', '.join(names)} in {env.name}", *args)
        listed = {p.name: p.version for p in self.packages.get(env.path, ())}
        # As the real one's dry run says it: one release newer, here.
        changes = tuple(f"{n} {listed.get(n, '?')} → {listed.get(n, '0')}.post1" for n in names)
        return replace(operation, changes=changes)

    async def plan_uninstall(
        self, env: Environment, names: Sequence[str], *, override: bool = False
    ) -> Operation:
        operation = self._pip(
            env,
            OperationKind.UNINSTALL,
            f"Uninstall {', '.join(names)} from {env.name}",
            "uninstall",
            "--yes",
            "--",
            *names,
        )
        needed = {"pydantic": "fastapi", "starlette": "fastapi", "anyio": "httpx, starlette"}
        warnings = tuple(f"{n} is required by {needed[n]}" for n in names if n in needed)
        return Operation(operation.kind, operation.environment, operation.argv, operation.title, warnings)

    async def plan_ensurepip(self, env: Environment) -> Operation:
        return self._pip(env, OperationKind.ENSUREPIP, f"Bootstrap pip into {env.name}")

    async def plan_create(
        self,
        target: Path,
        base: Environment,
        *,
        with_pip: bool,
        system_site_packages: bool,
        prompt: str | None,
        requirements_file: Path | None = None,
    ) -> Operation:
        self.calls.append(("plan_create", target))
        if requirements_file is not None:
            from venvdeck.services.change.requirements import read_requirements_file

            read_requirements_file(requirements_file)
        argv = (
            str(base.interpreter),
            "-m",
            "venv",
            *(() if with_pip else ("--without-pip",)),
            "--",
            str(target),
        )
        return Operation(
            OperationKind.CREATE, target, argv, f"Create {target.name} with Python {base.python_version}"
        )

    async def plan_delete(self, path: Path) -> DeletePlan:
        self.calls.append(("plan_delete", path))
        env = next(e for e in self.environments if e.path == path)
        warnings = (
            ("poetry recreates it the next time it runs in the project",)
            if env.manager is Manager.POETRY
            else ()
        )
        return DeletePlan(env, path, path, (0, 0), False, self.sizes.get(path), warnings)

    # ---- changing ------------------------------------------------------------------------------------
    def is_busy(self, path: Path) -> bool:
        return path in self.busy

    async def run(self, operation: Operation, on_line: Callable[[str], None]) -> OperationResult:
        self.calls.append(("run", operation.environment))
        self.busy.add(operation.environment)
        try:
            for line in self.run_output:
                on_line(line)
                await asyncio.sleep(0)
            if operation.environment in self.run_gates:
                await self.run_gates[operation.environment].wait()
        finally:
            self.busy.discard(operation.environment)
        self.ran.append(operation)
        if operation.environment in self.run_fails:
            return OperationResult(
                operation, 1, self.run_output, 1.25, f"{operation.title} failed: exit status 1"
            )
        return OperationResult(operation, 0, self.run_output, 1.25, f"{operation.title}: done in 1.2 s")

    async def delete(self, plan: DeletePlan, on_line: Callable[[str], None]) -> DeleteResult:
        self.calls.append(("delete", plan.path))
        self.environments = [e for e in self.environments if e.path != plan.path]
        self.kernelspecs = [  # as on disk: the kernels that ran it are dead now
            replace(k, state=KernelState.DEAD) if k.environment == plan.path else k for k in self.kernelspecs
        ]
        freed = plan.size.freed_bytes if plan.size else 0
        return DeleteResult(plan.path, freed, f"Deleted {plan.path}")

    def default_export_path(self, env: Environment) -> Path | None:
        return env.project / "requirements.txt" if env.project else None

    async def export(self, env: Environment, target: Path, *, top_level: bool, force: bool) -> ExportResult:
        self.calls.append(("export", target))
        if target.is_dir():  # as the real one refuses it
            raise RefusedError(f"{target} is a folder; give a file name")
        result = await self.freeze(env, top_level=top_level)
        return ExportResult(target, len(result.lines), force)

    async def activation_commands(self, env: Environment) -> list[ActivationCommand]:
        return activation_commands(env)

    async def shell_launch(self, env: Environment) -> ShellLaunch:
        return ShellLaunch(("/bin/bash",), {"VIRTUAL_ENV": str(env.path)}, banner=f"a shell in {env.name}")

    async def editor_launch(self, env: Environment) -> ShellLaunch:
        return ShellLaunch(("vi", str(env.project)), {"VIRTUAL_ENV": str(env.path)}, env.project)

    def run_shell(self, launch: ShellLaunch) -> int:
        self.calls.append(("shell", Path(launch.environ["VIRTUAL_ENV"])))
        return 0

    # ---- insight: the real evaluation over the fake listings, in FAKE_MARKERS ------------------------
    async def _graph(self, env: Environment) -> EnvironmentGraph:
        # Not through list_packages: a gate holds the listing the package table waits for, while
        # the checks the dashboard runs in the background go on.
        await asyncio.sleep(0)
        return EnvironmentGraph(self._listing(env), FAKE_MARKERS)

    async def check(self, env: Environment, *, remember: bool = True) -> CheckReport:
        self.calls.append(("check", env.path))
        graph = await self._graph(env)
        return check_listing(graph.listing, graph, wheel_tags=False)

    async def dependency_tree(
        self,
        env: Environment,
        *,
        reverse: bool = False,
        only: Sequence[str] = (),
        depth: int | None = None,
    ) -> DependencyTree:
        self.calls.append(("dependency_tree", env.path))
        if self.deps_delay_s:
            await asyncio.sleep(self.deps_delay_s)
        return build_tree(await self._graph(env), reverse=reverse, only=only, depth=depth)

    async def package_details(self, env: Environment, name: str) -> PackageDetails:
        self.calls.append(("package_details", env.path))
        return details_from_graph(await self._graph(env), name)

    async def find_everywhere(self, spec: str) -> AsyncIterator[FoundDistribution]:
        requirement = requirement_from(spec)
        self.calls.append(("find_everywhere", HOME))
        for env in list(self.environments):
            for package in self.packages.get(env.path, ()):
                same = package.name.lower().replace("_", "-") == requirement.name.lower().replace("_", "-")
                if same and version_matches(requirement.specifier, package.version):
                    yield FoundDistribution(env, package.name, package.version)
            await asyncio.sleep(0)

    async def usage(self) -> list[DistributionUsage]:
        self.calls.append(("usage", HOME))
        where: dict[str, list[Path]] = {}
        versions: dict[str, list[str]] = {}
        for env_path, packages in self.packages.items():
            for package in packages:
                where.setdefault(package.name, []).append(env_path)
                versions.setdefault(package.name, []).append(package.version)
        rows = [
            DistributionUsage(
                name=name,
                total_bytes=self.package_size_table.get(name, 0),
                copies=len(paths),
                environments=tuple(paths),
                versions=tuple(dict.fromkeys(versions[name])),
                held_versions=tuple(versions[name]),
            )
            for name, paths in where.items()
        ]
        return sorted(rows, key=lambda u: (-u.total_bytes, u.name))

    async def measure(self, env: Environment) -> EnvironmentSize:
        self.calls.append(("measure", env.path))
        if self.measure_delay_s:
            await asyncio.sleep(self.measure_delay_s)
        size = self.sizes[env.path]
        return (
            dataclasses.replace(size, deletable=False) if env.is_active else size
        )  # as the real one refuses

    async def package_sizes(self, packages: Iterable[Package]) -> dict[str, int]:
        return {
            p.name: self.package_size_table[p.name] for p in packages if p.name in self.package_size_table
        }

    # ---- interpreters, rebuilding, Jupyter kernels ---------------------------------------------------
    async def interpreters(self) -> list[BaseInterpreter]:
        self.calls.append(("interpreters", HOME))
        bases = [e for e in self.environments if e.kind is Kind.PYTHON and e.interpreter is not None]
        found: list[BaseInterpreter] = []
        lost: dict[Path, list[Environment]] = {}
        users: dict[Path, list[Environment]] = {}
        for env in self.environments:
            if env.kind is Kind.PYTHON or env.base_interpreter is None:
                continue
            if env.is_broken:
                lost.setdefault(env.base_interpreter.parent.parent, []).append(env)
            else:
                users.setdefault(env.base_interpreter, []).append(env)
        for base in bases:
            assert base.interpreter is not None
            dependents = [
                Dependent(e.path, DependentKind.ENVIRONMENT, e.name)
                for e in users.get(base.interpreter, []) + users.get(base.path / "bin" / "python", [])
            ]
            found.append(
                BaseInterpreter(
                    base.interpreter,
                    base.path,
                    base.python_version,
                    "pyenv",
                    tuple(dependents),
                    environment=base,
                )
            )
        for prefix, envs in sorted(lost.items()):
            dependents = [Dependent(e.path, DependentKind.ENVIRONMENT, e.name, broken=True) for e in envs]
            dependents += [
                Dependent(k.path, DependentKind.KERNEL, k.name, broken=True)
                for k in self.kernelspecs
                if k.environment in {e.path for e in envs}
            ]
            base_interpreter = envs[0].base_interpreter
            assert base_interpreter is not None
            found.append(
                BaseInterpreter(
                    base_interpreter, prefix, envs[0].python_version, "lost", tuple(dependents), missing=True
                )
            )
        return found

    async def plan_recreate(
        self, env: Environment, *, python: str | None = None, exact: bool = False
    ) -> RecreatePlan:
        self.calls.append(("plan_recreate", env.path))
        if env.kind is Kind.CONDA:
            version = ".".join((env.python_version or "3").split(".")[:2])
            raise RefusedError(
                f"{env.path} is a conda environment: conda rebuilds it "
                f"(`conda install --prefix {env.path} --force-reinstall --yes python={version}`)"
            )
        bases = [e for e in self.environments if e.kind is Kind.PYTHON and e.interpreter is not None]
        minor = python or ".".join((env.python_version or "3").split(".")[:2])
        matching = [b for b in bases if (b.python_version or "").startswith(minor + ".")]
        matching += [b for b in bases if str(b.interpreter) == python]  # an interpreter's path
        if not matching:
            available = tuple(b.python_version or "?" for b in bases)
            raise NoInterpreter(
                f"no Python {minor} is installed (found: {', '.join(available)})",
                available,
            )
        base = matching[0]
        assert base.interpreter is not None
        packages = [p for p in self.packages.get(env.path, ()) if p.requested or exact]
        requirements = tuple(
            CarriedRequirement(
                p.name, f"{p.name}=={p.version}", "exact" if exact else "asked for (REQUESTED)"
            )
            for p in packages
            if p.name != "pip" and p.direct_url is None
        )
        not_carried = tuple(
            NotCarried(
                p.name, f"an editable install whose source folder {p.editable_project_location} is gone"
            )
            for p in packages
            if p.editable
        )
        python_path = str(env.path / "bin" / "python")
        steps = (
            Operation(
                OperationKind.CREATE,
                env.path,
                (str(base.interpreter), "-m", "venv", "--", str(env.path)),
                f"Create {env.path.name} with Python {base.python_version}",
            ),
            Operation(
                OperationKind.INSTALL,
                env.path,
                (python_path, "-m", "pip", "install", "--no-user", "--", *(r.text for r in requirements)),
                f"Install {len(requirements)} requirements into {env.path.name}",
            ),
        )
        return RecreatePlan(env, env.path, (0, 0), base, "plain", steps, requirements, not_carried)

    async def recreate(self, plan: RecreatePlan, on_line: Callable[[str], None]) -> RecreateResult:
        self.calls.append(("recreate", plan.path))
        self.busy.add(plan.path)
        try:
            on_line(f"venvdeck: moved {plan.path} aside while the new one is built")
            for step in plan.steps:
                on_line(f"$ {step.command_line}")
                await asyncio.sleep(0)
            if plan.path in self.run_gates:
                await self.run_gates[plan.path].wait()
        finally:
            self.busy.discard(plan.path)
        if plan.path in self.recreate_fails:
            why = self.recreate_fails[plan.path]
            message = f"Rebuilding {plan.path} failed: {why}; the old environment is back as it was"
            return RecreateResult(plan.path, False, message, (why,), restored=True)
        rebuilt = Environment(
            path=plan.environment.path,
            kind=plan.environment.kind,
            manager=plan.environment.manager,
            interpreter=plan.environment.path / "bin" / "python",
            python_version=plan.base.python_version,
            project=plan.environment.project,
            base_interpreter=plan.base.interpreter,
        )
        self.environments = [rebuilt if e.path == plan.environment.path else e for e in self.environments]
        for index, kernel in enumerate(self.kernelspecs):
            if kernel.environment == plan.environment.path:
                self.kernelspecs[index] = replace(kernel, state=KernelState.OK)
        version = plan.base.python_version
        return RecreateResult(plan.path, True, f"Rebuilt {plan.path} with Python {version} in 4.2 s")

    async def kernels(self, *, include_hidden: bool = False) -> list[Kernelspec]:
        self.calls.append(("kernels", HOME))
        return [k for k in self.kernelspecs if include_hidden or k.hidden_by is None]

    async def kernels_for(self, env: Environment) -> list[Kernelspec]:
        return [k for k in self.kernelspecs if k.environment == env.path]

    async def kernels_for_each(self, envs: Sequence[Environment]) -> list[list[Kernelspec]]:
        self.calls.append(("kernels_for_each", Path()))
        return [await self.kernels_for(env) for env in envs]

    async def remove_kernel(self, kernel: Kernelspec) -> str:
        self.calls.append(("remove_kernel", kernel.path))
        kernel = next((k for k in self.kernelspecs if k.path == kernel.path), kernel)  # as it is now
        if kernel.state is not KernelState.DEAD:
            raise RefusedError(f"{kernel.path} is no longer a dead kernel; left alone")
        self.kernelspecs = [k for k in self.kernelspecs if k.path != kernel.path]
        return f"removed the kernel {kernel.name} ({kernel.path})"

    async def register_kernel(
        self, env: Environment, name: str | None = None, display_name: str | None = None
    ) -> Kernelspec:
        self.calls.append(("register_kernel", env.path))
        if not any(p.name == "ipykernel" for p in self.packages.get(env.path, ())):
            raise RefusedError(f"ipykernel is not installed in {env.path}: install it first")
        chosen = name or env.name.lower()
        interpreter = env.interpreter or env.path / "bin" / "python"
        kernel = Kernelspec(
            name=chosen,
            path=HOME / ".local/share/jupyter/kernels" / chosen,
            display_name=display_name or f"Python ({env.name})",
            language="python",
            interpreter=interpreter,
            environment=env.path,
            state=KernelState.OK,
            source="user",
            argv=(str(interpreter), "-m", "ipykernel_launcher", "-f", "{connection_file}"),
        )
        self.kernelspecs.append(kernel)
        return kernel


HOME = Path("/home/ada")
PY = Path("/home/ada/.pyenv/versions")


def _venv(
    path: Path,
    version: str,
    *,
    manager: Manager | None = None,
    kind: Kind = Kind.VENV,
    project: Path | None = None,
    broken: str | None = None,
    active: bool = False,
) -> Environment:
    base = PY / version / "bin" / f"python{version.rsplit('.', 1)[0]}"
    return Environment(
        path=path,
        kind=kind,
        manager=manager,
        interpreter=None if broken else path / "bin" / "python",
        python_version=version,
        status=Status.BROKEN if broken else Status.OK,
        broken_reason=broken,
        project=project,
        is_active=active,
        base_interpreter=base,
        pyvenv_cfg=(
            ("home", str(base.parent)),
            ("include-system-site-packages", "false"),
            ("version", version),
            ("executable", str(base)),
            ("command", f"{base} -m venv {path}"),
        ),
    )


def _size(path: Path, mb: float, freed_mb: float | None = None, used_days: float = 3) -> EnvironmentSize:
    disk = int(mb * 1_000_000)
    return EnvironmentSize(
        path=path,
        disk_bytes=disk,
        freed_bytes=int((freed_mb if freed_mb is not None else mb) * 1_000_000),
        files=int(mb * 40),
        shared_files=0 if freed_mb is None else int((mb - freed_mb) * 40),
        last_modified=FROZEN_NOW - (used_days + 30) * DAY,
        last_used=FROZEN_NOW - used_days * DAY,
    )


def _pkg(name: str, version: str, requested: bool = False, **kwargs: object) -> Package:
    return Package(name=name, version=version, installer="pip", requested=requested, **kwargs)  # type: ignore[arg-type]


def demo_service() -> FakeEnvironmentService:
    """The deterministic home of the snapshots and the README screenshots."""
    shop = _venv(HOME / "code/shop/.venv", "3.12.7", project=HOME / "code/shop", active=True)
    blog = _venv(HOME / "code/blog/.venv", "3.11.10", project=HOME / "code/blog")
    old = _venv(
        HOME / "code/legacy-api/venv",
        "3.8.20",
        project=HOME / "code/legacy-api",
        broken="interpreter missing: /home/ada/.pyenv/versions/3.8.20/bin/python3.8 (pyenv version removed?)",
    )
    scratch = _venv(HOME / ".virtualenvs/scratch", "3.13.1", manager=Manager.VIRTUALENVWRAPPER)
    httpie = _venv(HOME / ".local/share/pipx/venvs/httpie", "3.12.7", manager=Manager.PIPX)
    ruff = _venv(HOME / ".local/share/uv/tools/ruff", "3.12.7", manager=Manager.UV, kind=Kind.UV)
    poetry = _venv(
        HOME / ".cache/pypoetry/virtualenvs/shop-Xq3b1Kd2-py3.12", "3.12.7", manager=Manager.POETRY
    )
    data = Environment(
        path=HOME / "miniforge3/envs/data",
        kind=Kind.CONDA,
        manager=Manager.CONDA,
        interpreter=HOME / "miniforge3/envs/data/bin/python",
        python_version="3.11.9",
    )
    py312 = Environment(
        path=PY / "3.12.7",
        kind=Kind.PYTHON,
        manager=Manager.PYENV,
        interpreter=PY / "3.12.7/bin/python3.12",
        python_version="3.12.7",
    )
    envs = [shop, blog, old, scratch, httpie, ruff, poetry, data, py312]
    shop_packages = (
        _pkg("anyio", "4.6.2"),
        _pkg("certifi", "2024.8.30"),
        _pkg("fastapi", "0.115.4", requested=True),
        _pkg("h11", "0.14.0"),
        _pkg("httpx", "0.27.2", requested=True),
        _pkg("idna", "3.10"),
        _pkg("pip", "24.3.1", requested=True),
        _pkg("pydantic", "2.9.2"),
        _pkg("rich", "13.9.4", requested=True),
        _pkg(
            "shop",
            "0.1.0",
            requested=True,
            editable_project_location=HOME / "code/shop",
            direct_url=DirectUrl(url="file:///home/ada/code/shop", editable=True, is_dir=True),
        ),
        _pkg("sniffio", "1.3.1"),
        _pkg("starlette", "0.41.2"),
        _pkg("typing_extensions", "4.12.2"),
        _pkg(
            "mylib",
            "0.3.0",
            requested=True,
            direct_url=DirectUrl(url="https://github.com/ada/mylib.git", vcs="git", commit_id="4f2a9c1"),
        ),
    )
    return FakeEnvironmentService(
        environments=envs,
        packages={
            shop.path: shop_packages,
            blog.path: (_pkg("markdown", "3.7", requested=True), _pkg("pip", "24.2", requested=True)),
            scratch.path: (),
        },
        sizes={
            shop.path: _size(shop.path, 84.2, used_days=0.2),
            blog.path: _size(blog.path, 31.0, used_days=12),
            old.path: _size(old.path, 212.5, used_days=400),
            scratch.path: _size(scratch.path, 12.1, used_days=90),
            httpie.path: _size(httpie.path, 41.7, used_days=20),
            ruff.path: _size(ruff.path, 27.3, freed_mb=0.4, used_days=1),
            poetry.path: _size(poetry.path, 95.0, used_days=45),
            data.path: _size(data.path, 1840.0, freed_mb=310.0, used_days=5),
            py312.path: _size(py312.path, 260.0, used_days=0.5),
        },
        package_size_table={
            "anyio": 512_000,
            "certifi": 310_000,
            "fastapi": 1_400_000,
            "h11": 190_000,
            "httpx": 480_000,
            "idna": 250_000,
            "pip": 13_700_000,
            "pydantic": 2_900_000,
            "rich": 2_600_000,
            "shop": 4_100,
            "sniffio": 40_000,
            "starlette": 830_000,
            "typing_extensions": 140_000,
            "mylib": 58_000,
        },
        looked_in=[HOME],
        kernelspecs=[
            _kernel("shop", shop, KernelState.OK),
            _kernel("legacy-api", old, KernelState.BROKEN),
            Kernelspec(
                name="py39-scratch",
                path=HOME / ".local/share/jupyter/kernels/py39-scratch",
                display_name="Python 3.9 (scratch)",
                language="python",
                interpreter=PY / "3.9.18/bin/python3.9",
                environment=None,
                state=KernelState.DEAD,
                source="user",
                argv=(
                    str(PY / "3.9.18/bin/python3.9"),
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ),
            ),
        ],
    )


def _kernel(name: str, env: Environment, state: KernelState) -> Kernelspec:
    interpreter = env.path / "bin" / "python"
    return Kernelspec(
        name=name,
        path=HOME / ".local/share/jupyter/kernels" / name,
        display_name=f"Python {env.python_version} ({env.name})",
        language="python",
        interpreter=interpreter,
        environment=env.path,
        state=state,
        source="user",
        argv=(str(interpreter), "-m", "ipykernel_launcher", "-f", "{connection_file}"),
    )
