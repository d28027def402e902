"""The pull-through cache: its rules and templates against ECR's own API shapes, the roles that pull
through it, and that no build, task definition or pod template of either stack pulls from Docker Hub
or any public registry anonymously."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
import yaml
from botocore.validate import validate_parameters
from policy_sentry.querying.actions import get_action_data

from components.iam import pull_through_statements
from components.pull_through_cache import cached_image, template_role_policy
from policies.rules.contract import PULL_THROUGH_CACHE_PURPOSE, PURPOSE_TAG
from preflight.engine import PlanResult
from tests.conftest import only, plan

ECR = botocore.session.get_session().get_service_model("ecr")
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
KEY = "arn:aws:kms:us-east-1:123456789012:key/0000"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf"
RULE = "aws:ecr/pullThroughCacheRule:PullThroughCacheRule"
TEMPLATE = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"


def _validate(operation: str, params: dict[str, Any]) -> None:
    validate_parameters(params, ECR.operation_model(operation).input_shape)


def _rule_params(inputs: dict[str, Any]) -> dict[str, Any]:
    params = {
        "ecrRepositoryPrefix": inputs["ecrRepositoryPrefix"],
        "upstreamRegistryUrl": inputs["upstreamRegistryUrl"],
    }
    if inputs.get("credentialArn"):
        params["credentialArn"] = inputs["credentialArn"]
    return params


def _template_params(inputs: dict[str, Any]) -> dict[str, Any]:
    (encryption,) = inputs["encryptionConfigurations"]
    return {
        "prefix": inputs["prefix"],
        "description": inputs["description"],
        "appliedFor": inputs["appliedFors"],
        "encryptionConfiguration": {"encryptionType": encryption["encryptionType"], "kmsKey": encryption["kmsKey"]},
        "imageTagMutability": inputs["imageTagMutability"],
        "lifecyclePolicy": inputs["lifecyclePolicy"],
        "resourceTags": [{"Key": k, "Value": v} for k, v in inputs["resourceTags"].items()],
        "customRoleArn": inputs["customRoleArn"],
    }


@pytest.fixture(params=["dev", "prod"])
def stack_plan(request: pytest.FixtureRequest) -> PlanResult:
    result: PlanResult = request.getfixturevalue(f"{request.param}_plan")
    return result


def test_every_stack_has_an_ecr_public_rule_and_template_under_its_own_prefix(stack_plan: PlanResult) -> None:
    stack = "dev" if "urn:pulumi:dev::" in stack_plan.resources[0].urn else "prod"
    rule = only(stack_plan, RULE)
    assert rule.inputs["ecrRepositoryPrefix"] == f"{stack}/ecr-public"
    assert rule.inputs["upstreamRegistryUrl"] == "public.ecr.aws"
    assert "credentialArn" not in rule.inputs
    template = only(stack_plan, TEMPLATE)
    assert template.inputs["prefix"] == rule.inputs["ecrRepositoryPrefix"]
    assert template.inputs["appliedFors"] == ["PULL_THROUGH_CACHE"]
    assert template.inputs["imageTagMutability"] == "MUTABLE"
    assert template.inputs["resourceTags"] == {PURPOSE_TAG: PULL_THROUGH_CACHE_PURPOSE}
    key = only(stack_plan, "aws:kms/key:Key")
    assert template.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key.outputs["arn"]}]
    assert template.urn in " ".join(rule.dependencies)
    scanning = only(stack_plan, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")
    assert scanning.inputs["scanType"] == "BASIC"
    # Identical in every stack: the registry has one scanning configuration per region.
    assert scanning.inputs["rules"] == [
        {
            "scanFrequency": "SCAN_ON_PUSH",
            "repositoryFilters": [
                {"filter": f"*/{suffix}/*", "filterType": "WILDCARD"}
                for suffix in ("ecr-public", "docker-hub", "github", "quay")
            ],
        }
    ]


def test_rules_and_templates_are_valid_ecr_api_calls(stack_plan: PlanResult) -> None:
    for rule in (r for r in stack_plan.resources if r.type == RULE):
        _validate("CreatePullThroughCacheRule", _rule_params(rule.inputs))
    for template in (r for r in stack_plan.resources if r.type == TEMPLATE):
        _validate("CreateRepositoryCreationTemplate", _template_params(template.inputs))
        lifecycle = json.loads(template.inputs["lifecyclePolicy"])
        assert [r["action"]["type"] for r in lifecycle["rules"]] == ["expire", "expire"]


def test_credentialed_upstreams_get_their_own_rule_and_template() -> None:
    result = plan("dev", dockerHubCredentialArn=SECRET)
    rules = {r.inputs["ecrRepositoryPrefix"]: r.inputs for r in result.resources if r.type == RULE}
    assert set(rules) == {"dev/ecr-public", "dev/docker-hub"}
    assert rules["dev/docker-hub"]["upstreamRegistryUrl"] == "registry-1.docker.io"
    assert rules["dev/docker-hub"]["credentialArn"] == SECRET
    _validate("CreatePullThroughCacheRule", _rule_params(rules["dev/docker-hub"]))
    assert {t.inputs["prefix"] for t in result.resources if t.type == TEMPLATE} == set(rules)


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        pytest.param(
            "public.ecr.aws/docker/library/python:3.12",
            f"{REGISTRY}/dev/ecr-public/docker/library/python:3.12",
            id="ecr_public",
        ),
        pytest.param("nginx:1.27", f"{REGISTRY}/dev/docker-hub/library/nginx:1.27", id="docker_hub_short"),
        pytest.param(
            "docker.io/traefik/whoami:v1", f"{REGISTRY}/dev/docker-hub/traefik/whoami:v1", id="docker_hub_full"
        ),
        pytest.param("ghcr.io/o/i@sha256:" + "a" * 64, "ghcr.io/o/i@sha256:" + "a" * 64, id="no_rule_unchanged"),
        pytest.param(
            f"{REGISTRY}/web@sha256:" + "b" * 64, f"{REGISTRY}/web@sha256:" + "b" * 64, id="own_registry_unchanged"
        ),
    ],
)
def test_cached_image(image: str, expected: str) -> None:
    prefixes = {"public.ecr.aws": "dev/ecr-public", "docker.io": "dev/docker-hub"}
    assert cached_image(image, REGISTRY, prefixes) == expected


def _actions(doc: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [
        (a, [s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
        for s in doc["Statement"]
        for a in s["Action"]
    ]


def test_template_role_and_pull_statements_scope_every_action_to_arns_iam_accepts() -> None:
    """policy_sentry's IAM definitions: every action takes a repository (or key) ARN, none is on '*'."""
    doc = template_role_policy(
        partition="aws", region="us-east-1", account_id="123456789012", prefixes=["dev/ecr-public"], key_arn=KEY
    )
    doc["Statement"] += pull_through_statements(["arn:aws:ecr:us-east-1:123456789012:repository/dev/ecr-public/*"])
    for action, resources in _actions(doc):
        service, _, name = action.partition(":")
        formats = {row["resource_arn_format"] for row in get_action_data(service, name)[service]}
        assert formats - {"*"}, action
        assert "*" not in resources, action
    assert dict(_actions(doc))["ecr:BatchImportUpstreamImage"] == [
        "arn:aws:ecr:us-east-1:123456789012:repository/dev/ecr-public/*"
    ]


def test_build_and_execution_roles_may_pull_through_the_cache_only(dev_plan: PlanResult) -> None:
    cache = ["arn:aws:ecr:us-east-1:123456789012:repository/dev/ecr-public/*"]
    for name in ("web-build-policy", "web-execution-policy"):
        doc = json.loads(only(dev_plan, "aws:iam/rolePolicy:RolePolicy", name).inputs["policy"])
        granted = {action: resources for action, resources in _actions(doc)}
        assert granted["ecr:BatchImportUpstreamImage"] == cache
        assert granted["ecr:CreateRepository"] == cache


# --- nothing pulls from Docker Hub or anonymously from a public registry -------------------------


def _images(result: PlanResult) -> list[str]:
    images = []
    for r in result.resources:
        if r.type == "aws:ecs/taskDefinition:TaskDefinition":
            images += [c["image"] for c in json.loads(r.inputs["containerDefinitions"])]
        if r.type == "kubernetes:apps/v1:Deployment":
            images += [c["image"] for c in r.inputs["spec"]["template"]["spec"]["containers"]]
    return images


def test_no_workload_image_comes_from_a_public_registry(stack_plan: PlanResult) -> None:
    images = _images(stack_plan)
    assert images
    assert all(i.startswith(f"{REGISTRY}/") and "@sha256:" in i for i in images), images
    assert not any("docker.io" in i for i in images)


def test_no_build_names_docker_hub_or_a_public_registry(stack_plan: PlanResult) -> None:
    for project in (r for r in stack_plan.resources if r.type == "aws:codebuild/project:Project"):
        # (the CI runner's project has no buildspec: the workflow job is its build)
        spec = yaml.safe_load(project.inputs["source"].get("buildspec", "{}"))
        text = json.dumps(spec)
        assert "docker.io" not in text and "moby/buildkit" not in text and "docker-container" not in text
        assert "docker.io" not in project.inputs["environment"]["image"]
        variables = {v["name"]: v["value"] for v in project.inputs["environment"].get("environmentVariables", [])}
        if "BASE_REGISTRY" in variables:
            assert variables["BASE_REGISTRY"].startswith(f"{REGISTRY}/") and variables["BASE_REGISTRY"].endswith(
                "/ecr-public"
            )
