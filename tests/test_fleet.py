"""Fleets: shared resources once per stack, a constant set per service, stable names."""

from __future__ import annotations

from typing import Any

import pytest

from preflight.engine import PlanResult
from preflight.summary import fleet_counts, render_summary
from tests.conftest import plan


def service(name: str, provider: str = "github") -> dict[str, Any]:
    repository = f"example-org/{name}" if provider != "codecommit" else name
    return {"name": name, "source": {"provider": provider, "repository": repository}}


def urns_of(result: PlanResult, name: str) -> set[str]:
    """Every URN under the service's components (their names are the service's name)."""
    tops = {r.urn for r in result.resources if r.name == name and not r.custom}
    found = set(tops)
    changed = True
    while changed:
        new = {r.urn for r in result.resources if r.parent in found} - found
        found |= new
        changed = bool(new)
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_service_adds_the_same_resources_and_shares_the_rest(stack: str) -> None:
    one = fleet_counts(plan(stack, services=[service("web")]))
    three = fleet_counts(plan(stack, services=[service("web"), service("api"), service("jobs")]))
    assert one[0] == three[0], "shared resources must not grow with the fleet"
    assert set(three[1].values()) == {one[1]["web"]}
    assert sorted(three[1]) == ["api", "jobs", "web"]


def test_shared_pieces_are_created_once() -> None:
    result = plan("dev", services=[service("web"), service("api")])
    for type_ in (
        "aws:kms/key:Key",
        "aws:ec2/vpc:Vpc",
        "aws:ecs/cluster:Cluster",
        "cicd:pipeline_topics:PipelineTopics",
        "cicd:artifact_store:ArtifactStore",
    ):
        assert len(result.of_type(type_)) == 1, type_
    assert len(result.of_type("aws:codepipeline/pipeline:Pipeline")) == 2


def test_adding_removing_or_reordering_services_keeps_names() -> None:
    alone = plan("dev", services=[service("web")])
    with_api = plan("dev", services=[service("web"), service("api", "codecommit")])
    reordered = plan("dev", services=[service("api", "codecommit"), service("web")])
    web = urns_of(alone, "web")
    assert len(web) > 30
    assert urns_of(with_api, "web") == web == urns_of(reordered, "web")
    # and the resources that exist in both keep their physical names and ids too
    before = {r.urn: r.id for r in alone.custom() if r.urn in web}
    after = {r.urn: r.id for r in reordered.custom() if r.urn in web}
    assert before == after


def test_summary_reports_shared_and_per_service_counts() -> None:
    result = plan("dev", services=[service("web"), service("api")])
    shared, per_service = fleet_counts(result)
    assert f"Shared by the stack: {shared}; per service: api {per_service['api']}, web {per_service['web']}" in (
        render_summary(result)
    )
