"""A readable summary of a plan: resources by type and the component tree."""

from __future__ import annotations

from collections import Counter, defaultdict

from .engine import STACK_TYPE, PlanResult, Registration


def _label(reg: Registration) -> str:
    return f"{reg.type} {reg.name}" + (" [protected]" if reg.protect else "")


def render_summary(plan: PlanResult) -> str:
    custom = plan.custom()
    lines = [
        f"Stack {plan.project.name}/{plan.stack}: {len(custom)} resources "
        f"in {sum(1 for r in plan.resources if not r.custom and r.type != STACK_TYPE)} components",
        "",
        "Resources by type:",
    ]
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
