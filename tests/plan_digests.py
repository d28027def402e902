"""Digests of the shipped stacks' plans, keyed by each resource's URN under the legacy tokens.

`tests/test_package_aliases.py` compares the current plans with `tests/data/plans/<stack>.json`:
the same resources with the same inputs and protection, reached from the URNs deployed before the
components joined the package through their aliases. After a change that is meant to change a
plan, rewrite the digests and review their diff:

    .venv/bin/python -m tests.plan_digests
"""

import hashlib
import json
from pathlib import Path
from typing import Any

from preflight.engine import PlanResult, Registration, run_program

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = ROOT / "tests" / "data" / "plans"
STACKS = ("dev", "prod")


def alias_type(alias: dict[str, Any]) -> str | None:
    """The type an alias gives a resource when it keeps its name and parent (a type-only alias)."""
    spec = {key: value for key, value in alias.get("spec", {}).items() if value}
    return spec["type"] if set(spec) == {"type"} else None


def legacy_types(plan: PlanResult) -> dict[str, str]:
    """Each package token of the plan -> the legacy type its components' alias names."""
    return {
        r.type: aliased
        for r in plan.resources
        if r.type.startswith("container-delivery:index:")
        for aliased in map(alias_type, r.aliases)
        if aliased
    }


def legacy_urn(urn: str, legacy: dict[str, str]) -> str:
    """The URN the engine derives from the components' aliases: every component in the URN's type
    chain under its legacy type (a child inherits its parent's alias)."""
    head, name = urn.rsplit("::", 1)
    prefix, chain = head.rsplit("::", 1)
    return f"{prefix}::{'$'.join(legacy.get(part, part) for part in chain.split('$'))}::{name}"


def digest(registration: Registration) -> str:
    body = json.dumps({"inputs": registration.inputs, "protect": registration.protect}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def digests(plan: PlanResult) -> dict[str, str]:
    legacy = legacy_types(plan)
    return {legacy_urn(r.urn, legacy): digest(r) for r in plan.resources if r.type != "pulumi:pulumi:Stack"}


def main() -> None:
    DIGESTS.mkdir(parents=True, exist_ok=True)
    for stack in STACKS:
        document = dict(sorted(digests(run_program(ROOT, stack)).items()))
        (DIGESTS / f"{stack}.json").write_text(json.dumps(document, indent=1) + "\n")
        print(f"wrote {len(document)} digests to {DIGESTS / f'{stack}.json'}")


if __name__ == "__main__":
    main()
