"""The `--target` lists of a private-endpoint EKS stack's first `up`, from its plan.

Kubernetes objects can be created only from inside the VPC, by the stack's own CI runner
(`components/ci_runner.py`), which the same stack creates. So the first `up` goes in phases, run
by a person with the deploy permissions (docs/ci.md, "First `up` of a stack with a private
endpoint"):

1. `connections`: the CodeConnections connections and their parents. Activate them: the runner's
   webhook needs an AVAILABLE connection.
2. `runner`: everything except the Kubernetes objects and what depends on them (`--exclude` with
   `--exclude-dependents`), which includes the network, the cluster and the runner with its webhook.
3. Then CI's `up` on the runner creates the rest.

`pulumi up --target` creates nothing the targets depend on (pulumi/pulumi's step generator fails
with "untargeted create"), so the `--target` list is closed under dependencies, parents and
providers.

    python -m preflight.first_up --stack prod --phase runner   # prints one argument per line
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from components.settings import SettingsError

from .engine import STACK_TYPE, PlanResult, Registration, run_program
from .project import ProjectError

PHASES = ("connections", "runner")
_CONNECTION_TYPES = ("aws:codeconnections/connection:Connection",)


def _kubernetes(reg: Registration) -> bool:
    return reg.type.startswith(("kubernetes:", "pulumi:providers:kubernetes"))


def _provider_urn(reference: str) -> str:
    # A provider reference is "<urn>::<id>"; the URN itself contains "::".
    return reference.rsplit("::", 1)[0]


def needs(reg: Registration) -> set[str]:
    found = set(reg.dependencies) | {u for urns in reg.property_dependencies.values() for u in urns}
    if reg.parent:
        found.add(reg.parent)
    if reg.provider:
        found.add(_provider_urn(reg.provider))
    return found


def closure(plan: PlanResult, roots: Iterable[str]) -> set[str]:
    """`roots` and everything they need, transitively."""
    by_urn = plan.by_urn()
    result: set[str] = set()
    pending = list(roots)
    while pending:
        urn = pending.pop()
        if urn in result or urn not in by_urn:
            continue
        result.add(urn)
        pending.extend(needs(by_urn[urn]))
    return result


def dependents(plan: PlanResult, roots: Iterable[str]) -> set[str]:
    """`roots` and everything that needs them, transitively (what `--exclude-dependents` leaves out)."""
    result = set(roots)
    changed = True
    while changed:
        changed = False
        for reg in plan.resources:
            if reg.urn not in result and needs(reg) & result:
                result.add(reg.urn)
                changed = True
    return result


def engine_urns(plan: PlanResult) -> dict[str, str]:
    """Plan URN -> the URN the Pulumi engine gives the resource.

    The SDK's mock monitor keeps only the parent's last type and keeps the root stack's; the engine
    (`Deployment.generateURN` in pkg/resource/deploy/deployment.go) prefixes the parent's whole
    qualified type and leaves the root stack out.
    """
    by_urn = plan.by_urn()
    qualified: dict[str, str] = {}

    def qualify(reg: Registration) -> str:
        if reg.urn not in qualified:
            parent = by_urn.get(reg.parent)
            if parent is None or parent.type == STACK_TYPE:
                qualified[reg.urn] = reg.type
            else:
                qualified[reg.urn] = f"{qualify(parent)}${reg.type}"
        return qualified[reg.urn]

    prefix = f"urn:pulumi:{plan.stack}::{plan.project.name}::"
    return {reg.urn: f"{prefix}{qualify(reg)}::{reg.name}" for reg in plan.resources}


def up_arguments(plan: PlanResult, phase: str) -> list[str]:
    """The `pulumi up` arguments of one phase, with the engine's URNs.

    `connections`: `--target` each connection and what it needs. `runner`: `--exclude` every
    Kubernetes object and provider, with `--exclude-dependents`, so everything else (the remote EKS
    component's children included, which the plan cannot list) is created.
    """
    real = engine_urns(plan)
    if phase == "connections":
        chosen = closure(plan, [r.urn for r in plan.resources if r.type in _CONNECTION_TYPES])
        return [f"--target={real[r.urn]}" for r in plan.resources if r.urn in chosen and r.type != STACK_TYPE]
    if phase == "runner":
        excluded = [f"--exclude={real[r.urn]}" for r in plan.resources if _kubernetes(r)]
        return [*excluded, "--exclude-dependents"] if excluded else []
    raise ValueError(f"phase must be one of {', '.join(PHASES)}, not {phase!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m preflight.first_up",
        description="Print the `pulumi up --target` arguments of one phase of a private-endpoint stack's first up.",
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--phase", required=True, choices=PHASES)
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), metavar="DIR")
    args = parser.parse_args(argv)
    try:
        plan = run_program(args.project_dir.resolve(), args.stack)
    except (SettingsError, ProjectError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for argument in up_arguments(plan, args.phase):
        print(argument)
    return 0


if __name__ == "__main__":
    sys.exit(main())
