"""Deploy-time shape of a plan: the critical path and dependencies that order nothing new.

`pulumi up` creates independent resources in parallel, so the time to create a stack follows
the longest chain of custom resources that must wait for each other. Waiting on a component
means waiting on everything inside it; a child does not wait for its parent. A remote
component (`eks:index:Cluster`) counts as one resource: its provider creates its children,
which a plan does not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from .engine import PlanResult, Registration


def _node(reg: Registration) -> bool:
    return reg.custom or reg.remote


def waits_for(plan: PlanResult) -> dict[str, frozenset[str]]:
    """For each custom resource (or remote component), those it waits for directly."""
    children: dict[str, list[Registration]] = {}
    for reg in plan.resources:
        children.setdefault(reg.parent, []).append(reg)
    components = {reg.urn for reg in plan.resources if not _node(reg)}
    nodes = {reg.urn for reg in plan.resources if _node(reg)}

    @cache
    def below(urn: str) -> frozenset[str]:
        """Custom descendants of a component; asked only for components something depends on."""
        found: set[str] = set()
        for child in children.get(urn, []):
            if _node(child):
                found.add(child.urn)
            found |= below(child.urn)
        return frozenset(found)

    result: dict[str, frozenset[str]] = {}
    for reg in (r for r in plan.resources if _node(r)):
        direct: set[str] = set()
        for dependency in reg.dependencies:
            if dependency in components:
                direct |= below(dependency)
            else:
                direct.add(dependency)
        # An explicit provider (the cluster's Kubernetes provider) is waited for like a dependency.
        provider = reg.provider.rsplit("::", 1)[0] if reg.provider else ""
        if provider in nodes:
            direct.add(provider)
        result[reg.urn] = frozenset(direct - {reg.urn})
    return result


def critical_path(plan: PlanResult) -> list[str]:
    """The longest chain of custom resources (and remote components), first created first (URNs)."""
    edges = waits_for(plan)

    @cache
    def longest(urn: str) -> tuple[str, ...]:
        best: tuple[str, ...] = ()
        for dependency in sorted(edges.get(urn, ())):
            chain = longest(dependency)
            if len(chain) > len(best):
                best = chain
        return (*best, urn)

    best: tuple[str, ...] = ()
    for urn in sorted(edges):
        chain = longest(urn)
        if len(chain) > len(best):
            best = chain
    return list(best)


def redundant_dependencies(plan: PlanResult) -> list[tuple[str, str]]:
    """Explicit `depends_on` edges already implied by property dependencies (they order nothing)."""
    by_urn = plan.by_urn()
    implied: dict[str, set[str]] = {}
    for reg in plan.resources:
        implied[reg.urn] = {d for deps in reg.property_dependencies.values() for d in deps}

    @cache
    def reachable(urn: str) -> frozenset[str]:
        seen: set[str] = set()
        for dependency in by_urn[urn].dependencies if urn in by_urn else ():
            seen.add(dependency)
            seen |= reachable(dependency)
        return frozenset(seen)

    found = []
    for reg in plan.resources:
        explicit = set(reg.dependencies) - implied[reg.urn]
        for dependency in sorted(explicit):
            through_properties = (
                set().union(*(reachable(d) | {d} for d in implied[reg.urn])) if implied[reg.urn] else set()
            )
            if dependency in through_properties:
                found.append((reg.urn, dependency))
    return found


def short(urns: Sequence[str]) -> str:
    return " -> ".join(urn.rsplit("::", 1)[-1] for urn in urns)
