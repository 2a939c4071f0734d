"""The facade's insight: checks, dependency trees and package details from one parsed graph per
environment (kept for the recent ones), search across every environment (streamed), disk usage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from venvdeck.services.facade.base import FacadeBase
from venvdeck.services.facade.threads import in_thread, streamed

if TYPE_CHECKING:
    import threading
    from collections.abc import AsyncGenerator, Callable, Sequence

    from packaging.requirements import Requirement

    from venvdeck.models import (
        CheckReport,
        DependencyTree,
        DistributionUsage,
        Environment,
        FoundDistribution,
        PackageDetails,
        PackageListing,
    )
    from venvdeck.services.insight.graph import EnvironmentGraph

GRAPHS_KEPT = 8  # environments whose parsed requirements stay in memory (the dashboard's recent ones)


class Insight(FacadeBase):
    def _graph(self, env: Environment, remember: bool = True) -> tuple[PackageListing, EnvironmentGraph]:
        """env's requirements parsed once per listing: the check after a selection, the dependency
        view's lazy expansions and the package details share it until the packages change. One
        build at a time: a second caller waits for the first's graph instead of parsing again.
        remember=False (a background check): use a kept graph, but keep none, and wait for no one."""
        from venvdeck.services.insight.graph import EnvironmentGraph
        from venvdeck.services.read import packages

        listing = packages.list_packages(env)
        if not remember:
            return self._kept_graph(env, listing) or (listing, EnvironmentGraph.for_listing(listing))
        with self._graph_lock:
            kept = self._kept_graph(env, listing)
            if kept is not None:
                self._graphs.move_to_end(env.path)
                return kept
            built = (listing, EnvironmentGraph.for_listing(listing))
            self._graphs[env.path] = built
            while len(self._graphs) > GRAPHS_KEPT:
                self._graphs.popitem(last=False)
            return built

    def _kept_graph(
        self, env: Environment, listing: PackageListing
    ) -> tuple[PackageListing, EnvironmentGraph] | None:
        kept = self._graphs.get(env.path)
        if (
            kept is not None
            and kept[0].environment == listing.environment
            and kept[0].interpreter == listing.interpreter
            and kept[0].packages == listing.packages
        ):
            return kept
        return None

    async def check(self, env: Environment, *, remember: bool = True) -> CheckReport:
        def checked() -> CheckReport:
            from venvdeck.services.insight import check as insight_check

            listing, graph = self._graph(env, remember)
            return insight_check.check_listing(listing, graph)

        return await in_thread(checked)

    async def dependency_tree(
        self,
        env: Environment,
        *,
        reverse: bool = False,
        only: Sequence[str] = (),
        depth: int | None = None,
    ) -> DependencyTree:
        def tree() -> DependencyTree:
            from venvdeck.services.insight import deps

            return deps.build_tree(self._graph(env)[1], reverse=reverse, only=list(only), depth=depth)

        return await in_thread(tree)

    async def package_details(self, env: Environment, name: str) -> PackageDetails:
        def detailed() -> PackageDetails:
            from venvdeck.services.insight import details

            return details.details_from_graph(self._graph(env)[1], name)

        return await in_thread(detailed)

    async def find_everywhere(self, spec: str) -> AsyncGenerator[FoundDistribution, None]:
        def parsed() -> Requirement:  # a bad spec fails here, before any walk
            from venvdeck.services.insight import search

            return search.requirement_from(spec)

        requirement = await in_thread(parsed)

        def walk(post: Callable[[FoundDistribution], None], cancelled: threading.Event) -> None:
            from venvdeck.services.insight import search

            search.find_everywhere(requirement, self.options, post, cancelled, read_broken=True)

        async for found in streamed(walk, "find"):
            yield found

    async def usage(self) -> list[DistributionUsage]:
        def used() -> list[DistributionUsage]:
            from venvdeck.services.insight import usage as insight_usage

            return insight_usage.usage(self.options)[0]

        return await in_thread(used)
