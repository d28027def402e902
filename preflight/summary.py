"""A readable summary of a plan: resources by type, the component tree and the stack outputs.

"Resources" means what `pulumi preview` and `pulumi stack export` count: every entry of the
graph, cloud resources, components and the stack itself, the number that `--json` writes and
the policy pack evaluates. Values that only the mocks made up are marked `[mock]`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from .engine import STACK_TYPE, PlanResult, Registration
from .graph import critical_path, short
from .mocks import ACCOUNT_ID

MOCK = "[mock]"


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


def made_up(plan: PlanResult) -> set[str]:
    """Values the mocks invented: ids, and outputs that no input gave (ARNs, names, URLs)."""
    values = {ACCOUNT_ID}
    for reg in plan.custom():
        if reg.id:
            values.add(reg.id)
        for key, value in reg.outputs.items():
            # Short values (a port, "true") say nothing about where they came from.
            if isinstance(value, str) and len(value) >= 8 and reg.inputs.get(key) != value:
                values.add(value)
    return values


def is_mock(value: object, invented: set[str]) -> bool:
    """The value holds the mock account or an invented value (whole, or as a word of a URL or a sentence)."""
    text = value if isinstance(value, str) else repr(value)
    words = re.split(r"[\s/?#=,;()'\"]+", text)
    return ACCOUNT_ID in text or text in invented or any(word.rstrip(".") in invented for word in words)


def render_summary(plan: PlanResult) -> str:
    custom = plan.custom()
    components = sum(1 for r in plan.resources if not r.custom and r.type != STACK_TYPE)
    lines = [
        f"Stack {plan.project.name}/{plan.stack}: {len(plan.resources)} resources "
        f"({len(custom)} cloud resources, {components} components and the stack, as `pulumi preview` counts them)",
    ]
    shared, per_service = fleet_counts(plan)
    if per_service:
        listed = ", ".join(f"{name} {count}" for name, count in per_service.items())
        lines.append(f"Cloud resources shared by the stack: {shared}; per service: {listed}")
    path = critical_path(plan)
    lines.append(f"Deploy-time critical path: {len(path)} resources ({short(path)})")
    lines += ["", "Cloud resources by type:"]
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
        invented = made_up(plan)
        lines += [
            "",
            f"Stack outputs ({MOCK}: made up offline, such as account {ACCOUNT_ID} and generated ids, names and URLs;"
            " `pulumi up` reports the real values):",
        ]
        for key in sorted(outputs):
            mark = f"  {MOCK}" if is_mock(outputs[key], invented) else ""
            lines.append(f"  {key}: {outputs[key]}{mark}")
    return "\n".join(lines)
