"""workload-images-from-own-registry (production, mandatory) and its advisory twin elsewhere, and the
pull-through cache's exemption from ecr-tags-immutable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policy_harness import changed, messages, resource_messages, state

OWN = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
DIGEST = "@sha256:" + "c" * 64
PROD = "workload-images-from-own-registry"
ELSEWHERE = "workload-images-from-own-registry-outside-production"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
TEMPLATE = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"


def task(image: str, environment: str | None = "prod") -> dict[str, Any]:
    props: dict[str, Any] = {"containerDefinitions": json.dumps([{"name": "web", "image": image}])}
    if environment:
        props["tags"] = {"cicd:environment": environment}
    return state(TASK, "web-task", props)


def deployment(image: str) -> dict[str, Any]:
    spec = {"template": {"spec": {"containers": [{"name": "web", "image": image}]}}}
    result = state(DEPLOYMENT, "web", {"metadata": {"name": "web"}, "spec": spec})
    # Kubernetes objects carry no AWS tags: production is the stack name in the URN.
    result["urn"] = result["urn"].replace("urn:pulumi:test::", "urn:pulumi:prod::")
    return result


def immutable_repository(url: str) -> dict[str, Any]:
    return state(
        "aws:ecr/repository:Repository", "web-repository", {"repositoryUrl": url, "imageTagMutability": "IMMUTABLE"}
    )


NOT_OWN = (
    "not from the account's own registry (*.dkr.ecr.*.amazonaws.com): pull it through the stack's pull-through "
    "cache (<account>.dkr.ecr.<region>.amazonaws.com/<stack>/ecr-public/...)"
)
NOT_PINNED = "is not pinned: use its digest (@sha256:...), or a tag of one of the stack's IMMUTABLE repositories"


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        pytest.param([task(f"{OWN}/web-repository{DIGEST}")], [], id="compliant_own_repository_by_digest"),
        pytest.param([task(f"{OWN}/prod/ecr-public/traefik/whoami:v1{DIGEST}")], [], id="compliant_cache_by_digest"),
        pytest.param(
            [task(f"{OWN}/web-repository:abc123"), immutable_repository(f"{OWN}/web-repository")],
            [],
            id="compliant_tag_of_an_immutable_repository",
        ),
        pytest.param([deployment(f"{OWN}/web{DIGEST}")], [], id="compliant_pod_template_by_digest"),
        pytest.param(
            [task("docker.io/traefik/whoami:v1.11.0")],
            [f"container web: image docker.io/traefik/whoami:v1.11.0 comes from docker.io, {NOT_OWN}"],
            id="noncompliant_docker_hub",
        ),
        pytest.param(
            [task("nginx" + DIGEST)],
            [f"container web: image nginx{DIGEST} comes from docker.io, {NOT_OWN}"],
            id="noncompliant_docker_hub_short_name_even_by_digest",
        ),
        pytest.param(
            [task(f"public.ecr.aws/docker/library/python:3.12{DIGEST}")],
            [
                f"container web: image public.ecr.aws/docker/library/python:3.12{DIGEST} comes from public.ecr.aws, "
                + NOT_OWN
            ],
            id="noncompliant_public_registry_anonymously",
        ),
        pytest.param(
            [task(f"{OWN}/prod/ecr-public/traefik/whoami:v1")],
            [f"container web: image {OWN}/prod/ecr-public/traefik/whoami:v1 {NOT_PINNED}"],
            id="noncompliant_cached_image_by_mutable_tag",
        ),
        pytest.param(
            [deployment("ghcr.io/traefik/whoami:v1")],
            [f"container web: image ghcr.io/traefik/whoami:v1 comes from ghcr.io, {NOT_OWN}"],
            id="noncompliant_pod_template_public_registry",
        ),
    ],
)
def test_production_images(states: list[dict[str, Any]], expected: list[str]) -> None:
    assert messages(PROD, states) == expected
    assert messages(ELSEWHERE, states) == []


def test_outside_production_the_same_check_is_advisory() -> None:
    dev = task("docker.io/traefik/whoami:v1.11.0", environment="dev")
    assert messages(PROD, [dev]) == []
    assert messages(ELSEWHERE, [dev]) == [
        f"container web: image docker.io/traefik/whoami:v1.11.0 comes from docker.io, {NOT_OWN}"
    ]


def test_the_registry_allowlist_is_pack_config() -> None:
    other = task(f"999999999999.dkr.ecr.us-east-1.amazonaws.com/x{DIGEST}")
    assert messages(PROD, [other]) == []
    assert len(messages(PROD, [other], allowedRegistries=[OWN])) == 1


def test_production_is_the_stack_name_too() -> None:
    untagged = task("docker.io/x:1", environment=None)
    untagged["urn"] = untagged["urn"].replace("urn:pulumi:test::", "urn:pulumi:prod::")
    assert len(messages(PROD, [untagged])) == 1
    assert messages(PROD, [untagged], productionEnvironments=["live"]) == []


PTC_TEMPLATE = {
    "prefix": "prod/ecr-public",
    "appliedFors": ["PULL_THROUGH_CACHE"],
    "imageTagMutability": "MUTABLE",
    "resourceTags": {"cicd:purpose": "pull-through-cache"},
}
TEMPLATE_MESSAGE = (
    "imageTagMutability is MUTABLE: set it to IMMUTABLE (or apply the template only for PULL_THROUGH_CACHE and "
    "tag its repositories cicd:purpose=pull-through-cache)"
)


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        pytest.param(PTC_TEMPLATE, [], id="compliant_pull_through_cache_template_tagged"),
        pytest.param(changed(PTC_TEMPLATE, "imageTagMutability", "IMMUTABLE"), [], id="compliant_immutable"),
        pytest.param(changed(PTC_TEMPLATE, "resourceTags", {}), [TEMPLATE_MESSAGE], id="noncompliant_untagged"),
        pytest.param(
            changed(PTC_TEMPLATE, "appliedFors", ["PULL_THROUGH_CACHE", "CREATE_ON_PUSH"]),
            [TEMPLATE_MESSAGE],
            id="noncompliant_also_for_create_on_push",
        ),
    ],
)
def test_creation_templates_are_immutable_unless_only_for_the_tagged_pull_through_cache(
    props: dict[str, Any], expected: list[str]
) -> None:
    assert resource_messages("ecr-tags-immutable", TEMPLATE, props) == expected
