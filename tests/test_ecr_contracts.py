"""ECR documents and requests as AWS would receive them: moto's ECR and botocore's shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.validate import validate_parameters
from moto import mock_aws

from components.container_registry import cache_lifecycle_policy, lifecycle_policy
from preflight.engine import PlanResult
from tests.conftest import only


@pytest.fixture
def ecr(monkeypatch) -> Iterator[Any]:
    for var, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(var, value)
    with mock_aws():
        yield boto3.client("ecr", region_name="us-east-1")


def create_repository_request(inputs: dict[str, Any]) -> dict[str, Any]:
    """Translate the Pulumi inputs (camelCase, Terraform-shaped) to ECR's CreateRepository."""
    encryption = inputs["encryptionConfigurations"][0]
    request: dict[str, Any] = {
        "repositoryName": "web",
        "imageTagMutability": inputs["imageTagMutability"],
        "imageScanningConfiguration": {"scanOnPush": inputs["imageScanningConfiguration"]["scanOnPush"]},
        "encryptionConfiguration": {"encryptionType": encryption["encryptionType"]},
    }
    if "kmsKey" in encryption:
        request["encryptionConfiguration"]["kmsKey"] = encryption["kmsKey"]
    if "tags" in inputs:
        request["tags"] = [{"Key": k, "Value": v} for k, v in inputs["tags"].items()]
    return request


@pytest.mark.parametrize("name", ["web-repository", "web-cache"])
def test_repository_request_matches_the_ecr_api(dev_plan: PlanResult, name: str, ecr: Any) -> None:
    request = create_repository_request(only(dev_plan, "aws:ecr/repository:Repository", name).inputs)
    shape = botocore.session.get_session().get_service_model("ecr").operation_model("CreateRepository").input_shape
    validate_parameters(request, shape)
    created = ecr.create_repository(**request)["repository"]
    assert created["imageTagMutability"] == request["imageTagMutability"]
    assert created["imageScanningConfiguration"] == {"scanOnPush": True}


@pytest.mark.parametrize("name", ["web-lifecycle", "web-cache-lifecycle"])
def test_lifecycle_policies_accepted_by_moto(dev_plan: PlanResult, name: str, ecr: Any) -> None:
    policy = only(dev_plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy", name).inputs["policy"]
    ecr.create_repository(repositoryName="web")
    ecr.put_lifecycle_policy(repositoryName="web", lifecyclePolicyText=policy)
    stored = ecr.get_lifecycle_policy(repositoryName="web")["lifecyclePolicyText"]
    assert json.loads(stored) == json.loads(policy)


@pytest.mark.parametrize(
    "policy",
    [lifecycle_policy(untagged_expiry_days=1, tagged_images_to_keep=1), cache_lifecycle_policy()],
    ids=["compliant_minimum", "compliant_cache"],
)
def test_lifecycle_policy_function_accepted(policy: dict[str, Any], ecr: Any) -> None:
    ecr.create_repository(repositoryName="web")
    ecr.put_lifecycle_policy(repositoryName="web", lifecyclePolicyText=json.dumps(policy))


def test_moto_rejects_a_malformed_lifecycle_policy(ecr: Any) -> None:
    """Negative control: the validator bites on a rule ECR would refuse."""
    bad = lifecycle_policy(untagged_expiry_days=7, tagged_images_to_keep=30)
    bad["rules"][0]["selection"]["countType"] = "sometimes"
    ecr.create_repository(repositoryName="web")
    with pytest.raises(ClientError, match="InvalidParameterException"):
        ecr.put_lifecycle_policy(repositoryName="web", lifecyclePolicyText=json.dumps(bad))
