"""A readable summary of a plan: resources by type and the component tree."""

from __future__ import annotations

from collections import Counter, defaultdict

from .engine import STACK_TYPE, PlanResult, Registration
from .graph import critical_path, short


def _label(reg: Registration) -> str:
    return f"{reg.type} {reg.name}" + (" [protected]" if reg.protect else "")


def fleet_counts(plan: PlanResult) -> tuple[int, dict[str, int]]:
    """Custom resources shared by the stack, and per service (by the top-level component they
    sit under: a service's components carry its name)."""
    by_urn = plan.by_urn()
    services = {r.name for r in plan.resources if r.type == "container-delivery:index:DeliveryPipeline"}
    shared = 0
    per_service: Counter[str] = Counter()
    for reg in plan.custom():
        top = reg
        while top.parent and top.parent in by_urn and by_urn[top.parent].type != STACK_TYPE:
            top = by_urn[top.parent]
        if top.name in services and not top.custom:
            per_service[top.name] += 1
        else:
            shared += 1
    return shared, dict(sorted(per_service.items()))


def render_summary(plan: PlanResult) -> str:
    custom = plan.custom()
    lines = [
        f"Stack {plan.project.name}/{plan.stack}: {len(custom)} resources "
        f"in {sum(1 for r in plan.resources if not r.custom and r.type != STACK_TYPE)} components",
    ]
    shared, per_service = fleet_counts(plan)
    if per_service:
        listed = ", ".join(f"{name} {count}" for name, count in per_service.items())
        lines.append(f"Shared by the stack: {shared}; per service: {listed}")
    path = critical_path(plan)
    lines.append(f"Deploy-time critical path: {len(path)} resources ({short(path)})")
    lines += ["", "Resources by type:"]
    counts = Counter(r.type for r in custom)
    width = max((len(t) for t in counts), default=0)
    for typ, count in sorted(counts.items()):
        lines.append(f"  {typ.ljust(width)}  {count}")

    children: dict[str, list[Registration]] = defaultdict(list)
    for reg in plan.resources:
        children[reg.parent].append(reg)

    lines += ["", "Component tree:"]

    def walk(urn: str, depth: int) -> None:
        for reg in sorted(children.get(urn, []), key=lambda r: (r.custom, r.type, r.name)):
            lines.append("  " * depth + "- " + _label(reg))
            walk(reg.urn, depth + 1)

    walk(plan.stack_urn, 1)
    outputs = plan.stack_outputs()
    if outputs:
        lines += ["", "Stack outputs:"]
        for key in sorted(outputs):
            lines.append(f"  {key}: {outputs[key]}")
    return "\n".join(lines)
