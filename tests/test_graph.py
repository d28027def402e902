"""Deploy-time shape: the critical path, and no dependency that orders nothing."""

from __future__ import annotations

from itertools import pairwise

import pytest

from preflight.engine import PlanResult
from preflight.graph import critical_path, redundant_dependencies, waits_for
from preflight.summary import render_summary
from tests.conftest import plan


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_redundant_depends_on(stack: str, request: pytest.FixtureRequest) -> None:
    result: PlanResult = request.getfixturevalue(f"{stack}_plan")
    assert redundant_dependencies(result) == []


def test_critical_path_is_a_chain_of_real_waits(dev_plan: PlanResult) -> None:
    path = critical_path(dev_plan)
    edges = waits_for(dev_plan)
    assert len(path) >= 5
    for earlier, later in pairwise(path):
        assert earlier in edges[later]
    by_urn = dev_plan.by_urn()
    assert all(by_urn[urn].custom for urn in path)
    # The pipeline waits for the service it deploys, which waits for the network and the key.
    names = [urn.rsplit("::", 1)[-1] for urn in path]
    assert names[-1] in {"web-pipeline", "web-notify"}
    assert "Deploy-time critical path:" in render_summary(dev_plan)


def test_critical_path_does_not_grow_with_the_fleet() -> None:
    one = plan("dev", services=[{"name": "web", "source": {"provider": "github", "repository": "o/web"}}])
    three = plan(
        "dev",
        services=[
            {"name": n, "source": {"provider": "github", "repository": f"o/{n}"}} for n in ("api", "jobs", "web")
        ],
    )
    assert len(critical_path(three)) == len(critical_path(one))


def test_the_eks_cluster_counts_on_the_critical_path(prod_plan: PlanResult) -> None:
    """A remote component's children are created by its provider, out of a plan's sight: waiting
    on the EKS cluster is waiting on one (slow) resource, not on nothing."""
    cluster = next(r for r in prod_plan.resources if r.type == "eks:index:Cluster")
    assert cluster.remote
    edges = waits_for(prod_plan)
    deploy_policy = next(r.urn for r in prod_plan.resources if r.name == "web-deploy-policy")
    assert cluster.urn in edges[deploy_policy]
    assert cluster.urn in critical_path(prod_plan)
