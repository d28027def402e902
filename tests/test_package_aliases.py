"""Renaming the component tokens to the package's namespace replaces nothing in a deployed stack.

Each component registers as `container-delivery:index:<Name>` with an alias to the type it was
deployed under, and the engine derives every child's old URN from its parent's alias. The shipped
stacks' plans are compared with reviewed digests (`tests/data/plans/`), keyed by those URNs: the
digests were first taken from the plans of commit 0298956, the last before the package, and the
renaming left them unchanged; changes made on purpose since then rewrite them
(`python -m tests.plan_digests`), so a plan changes only where a diff of the digests shows it.
"""

import json

import pytest

from preflight.engine import PlanResult
from tests.conftest import plan
from tests.plan_digests import DIGESTS, alias_type, digests, legacy_types, legacy_urn

# The types these components were deployed under before the package (pinned: never edit).
LEGACY = {
    "container-delivery:index:AlbAccessLogs": "cicd:alb_access_logs:AlbAccessLogs",
    "container-delivery:index:ArtifactStore": "cicd:artifact_store:ArtifactStore",
    "container-delivery:index:BootstrapImage": "cicd:bootstrap_image:BootstrapImage",
    "container-delivery:index:ContainerRegistry": "cicd:container_registry:ContainerRegistry",
    "container-delivery:index:DeliveryPipeline": "cicd:delivery_pipeline:DeliveryPipeline",
    "container-delivery:index:EcsCluster": "cicd:ecs_service:EcsCluster",
    "container-delivery:index:EcsService": "cicd:ecs_service:EcsService",
    "container-delivery:index:EksCluster": "cicd:eks_cluster:EksCluster",
    "container-delivery:index:EksDeploy": "cicd:eks_deploy:EksDeploy",
    "container-delivery:index:EksWorkload": "cicd:eks_workload:EksWorkload",
    "container-delivery:index:ImageBuild": "cicd:image_build:ImageBuild",
    "container-delivery:index:ImageRecord": "cicd:image_record:ImageRecord",
    "container-delivery:index:Network": "cicd:network:Network",
    "container-delivery:index:PipelineTopics": "cicd:pipeline_topics:PipelineTopics",
    "container-delivery:index:Source": "cicd:source:Source",
}


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack_plan(request: pytest.FixtureRequest) -> PlanResult:
    return plan(request.param)


# Components that joined after the package: no deployed type to alias.
NEW = {
    "container-delivery:index:CiRunner",
    "container-delivery:index:ClusterAccess",
    "container-delivery:index:PullThroughCache",
    "container-delivery:index:ServiceAlarms",
    "container-delivery:index:ServiceDelivery",
    "container-delivery:index:WebAcl",
}


def test_every_component_carries_an_alias_to_its_deployed_type(stack_plan: PlanResult) -> None:
    components = [r for r in stack_plan.resources if r.type.startswith("container-delivery:index:")]
    assert components
    for component in components:
        expected = [] if component.type in NEW else [LEGACY[component.type]]
        assert [alias_type(a) for a in component.aliases] == expected, component.urn


def test_bootstrap_image_keeps_its_alias_too() -> None:
    built = plan("dev", bootstrapImage="build")
    (image,) = built.of_type("container-delivery:index:BootstrapImage")
    assert [alias_type(a) for a in image.aliases] == [LEGACY[image.type]]


def test_a_child_is_reached_from_its_deployed_urn() -> None:
    dev = plan("dev")
    (repository,) = [r for r in dev.resources if r.name == "web-repository"]
    assert legacy_urn(repository.urn, legacy_types(dev)) == (
        "urn:pulumi:dev::container-delivery::cicd:container_registry:ContainerRegistry"
        "$aws:ecr/repository:Repository::web-repository"
    )


def test_the_shipped_plans_are_the_reviewed_plans(stack_plan: PlanResult) -> None:
    # Every resource of the reviewed plan is in today's plan at the URN its aliases lead to, with the
    # same inputs and protection, and nothing else is.
    before = json.loads((DIGESTS / f"{stack_plan.stack}.json").read_text())
    now = digests(stack_plan)
    assert sorted(set(before) - set(now)) == []
    assert sorted(set(now) - set(before)) == []
    assert [urn for urn in before if before[urn] != now[urn]] == []
