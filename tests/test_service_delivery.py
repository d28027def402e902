"""`ServiceDelivery` (one resource per service, for consumers) against this repository's own wiring.

Both programs run with the same stack settings; every resource the program's wiring creates must
come out of the composed component too, with the same type, name, inputs and protection, on both
targets, so the two cannot drift apart.
"""

import shutil
from pathlib import Path
from typing import Any

import pytest

from preflight.engine import PlanResult, Registration, run_program
from tests.conftest import ROOT

COMPOSED = ROOT / "tests" / "programs" / "composed" / "__main__.py"
TWO_SERVICES = [
    {"name": "web", "source": {"provider": "github", "repository": "o/web"}, "certificateArn": None},
    {"name": "api", "source": {"provider": "codecommit", "repository": "api", "branch": "trunk"}, "port": 9000},
]


def composed_project(tmp_path: Path, stack: str) -> Path:
    """The project files of this repository with the composed program as its `__main__.py`."""
    for name in ("Pulumi.yaml", f"Pulumi.{stack}.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(COMPOSED, tmp_path / "__main__.py")
    return tmp_path


def by_name(plan: PlanResult) -> dict[tuple[str, str], Registration]:
    return {(r.type, r.name): r for r in plan.resources if r.type not in ("pulumi:pulumi:Stack",)}


def comparable(registration: Registration) -> dict[str, Any]:
    return {"inputs": registration.inputs, "protect": registration.protect, "custom": registration.custom}


@pytest.mark.parametrize(
    ("stack", "overrides"),
    [
        ("dev", {}),
        ("prod", {}),
        ("dev", {"target": "eks"}),
        ("prod", {"target": "ecs"}),
        ("dev", {"services": [{k: v for k, v in s.items() if v is not None} for s in TWO_SERVICES]}),
    ],
    ids=["dev_ecs", "prod_eks", "dev_eks", "prod_ecs", "dev_two_services"],
)
def test_the_composed_component_builds_what_the_program_wires(
    tmp_path: Path, stack: str, overrides: dict[str, Any]
) -> None:
    # Given the same stack settings, when the program and the composed program run,
    wired = run_program(ROOT, stack, overrides or None)
    composed = run_program(composed_project(tmp_path, stack), stack, overrides or None)
    # then the composed program has one ServiceDelivery per service and otherwise the same resources,
    mine, theirs = by_name(wired), by_name(composed)
    deliveries = {key for key in theirs if key[0] == "container-delivery:index:ServiceDelivery"}
    services = {r.name for r in wired.of_type("container-delivery:index:DeliveryPipeline")}
    assert {name for _, name in deliveries} == services
    assert set(theirs) - deliveries == set(mine)
    # each with the same inputs and protection.
    different = [key for key in mine if comparable(mine[key]) != comparable(theirs[key])]
    assert different == []
    # The stage components sit under the service's ServiceDelivery.
    for service in services:
        delivery = theirs[("container-delivery:index:ServiceDelivery", service)]
        assert theirs[("container-delivery:index:DeliveryPipeline", service)].parent == delivery.urn
