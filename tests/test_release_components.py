"""The resources behind releases, in the planned stacks: traffic shifting on ECS, the artifact
bucket's access-log bucket, and the pure pieces (WAF rules, release validation)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws

from components.deployment_strategy import DeploymentStrategy, Release, release_problems
from components.web_acl import MANAGED_RULE_GROUPS, web_acl_rules
from preflight.engine import PlanResult
from tests.conftest import only, plan
from tests.test_iam_contracts import lint

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def prod_ecs() -> PlanResult:
    return plan("prod", target="ecs")


def test_canary_service_shifts_traffic_through_its_own_rule_and_role(prod_ecs: PlanResult) -> None:
    groups = [only(prod_ecs, "aws:lb/targetGroup:TargetGroup", n) for n in ("web-tg", "web-tg2")]
    rule = only(prod_ecs, "aws:lb/listenerRule:ListenerRule", "web-production-rule")
    listener = only(prod_ecs, "aws:lb/listener:Listener", "web-http")
    assert rule.inputs["listenerArn"] == listener.outputs["arn"]
    assert rule.inputs["priority"] == 1
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    assert rule.inputs["actions"] == [
        {
            "type": "forward",
            "forward": {
                "targetGroups": [
                    {"arn": groups[0].outputs["arn"], "weight": 100},
                    {"arn": groups[1].outputs["arn"], "weight": 0},
                ]
            },
        }
    ]
    # ECS owns the weights after the first release.
    assert rule.ignore_changes == ["actions"]
    assert groups[0].inputs["healthCheck"] == groups[1].inputs["healthCheck"]
    role = only(prod_ecs, "aws:iam/role:Role", "web-ecs-infrastructure-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Sid": "AssumedByService",
            "Effect": "Allow",
            "Principal": {"Service": "ecs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    attachment = only(prod_ecs, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "web-ecs-infrastructure-policy")
    assert attachment.inputs == {
        "role": role.outputs["name"],
        "policyArn": "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
    }
    with mock_aws():
        boto3.client("iam", region_name="us-east-1").create_role(
            RoleName="infrastructure", AssumeRolePolicyDocument=role.inputs["assumeRolePolicy"]
        )


def test_rolling_service_has_one_target_group_and_no_rule(dev_plan: PlanResult) -> None:
    assert [g.name for g in dev_plan.of_type("aws:lb/targetGroup:TargetGroup")] == ["web-tg"]
    assert dev_plan.of_type("aws:lb/listenerRule:ListenerRule") == []


def by_tag(result: PlanResult, value: str) -> Any:
    (bucket,) = [
        b for b in result.of_type("aws:s3/bucket:Bucket") if (b.inputs.get("tags") or {}).get("cicd:purpose") == value
    ]
    return bucket


def child(result: PlanResult, type_: str, bucket: Any) -> dict[str, Any]:
    (found,) = [r for r in result.of_type(type_) if r.inputs.get("bucket") == bucket.outputs["id"]]
    return dict(found.inputs)


def test_artifact_bucket_logs_into_a_private_tls_only_expiring_bucket(prod_plan: PlanResult) -> None:
    logs = by_tag(prod_plan, "s3-access-logs")
    artifacts = only(prod_plan, "aws:s3/bucket:Bucket", "artifacts-bucket")
    logging = only(prod_plan, "aws:s3/bucketLogging:BucketLogging", "artifacts-access-logging")
    assert (logging.inputs["bucket"], logging.inputs["targetBucket"], logging.inputs["targetPrefix"]) == (
        artifacts.outputs["id"],
        logs.outputs["id"],
        "artifacts/",
    )
    block = child(prod_plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", logs)
    assert all(block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    (encryption,) = child(
        prod_plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", logs
    )["rules"]
    # S3 delivers server access logs only to SSE-S3 target buckets.
    assert encryption["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    (lifecycle,) = child(prod_plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", logs)["rules"]
    assert lifecycle["expiration"] == {"days": 90}
    policy_text = child(prod_plan, "aws:s3/bucketPolicy:BucketPolicy", logs)["policy"]
    statements = {s["Sid"]: s for s in json.loads(policy_text)["Statement"]}
    arn = logs.outputs["arn"]
    assert statements["S3ServerAccessLogDelivery"] == {
        "Sid": "S3ServerAccessLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": ["s3:PutObject"],
        "Resource": f"{arn}/artifacts/*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": artifacts.outputs["arn"]},
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
        },
    }
    assert {"DenyInsecureTransport", "DenyOutdatedTls"} <= set(statements)
    # The shared lint, with the allowances it documents for bucket policies (prod's documents are linted there too).
    assert lint(json.loads(policy_text), "bucket-policy") == []


def test_dev_has_no_access_log_bucket_unless_asked(dev_plan: PlanResult) -> None:
    assert dev_plan.of_type("aws:s3/bucketLogging:BucketLogging") == []
    assert len(plan("dev", artifactAccessLogs=True).of_type("aws:s3/bucketLogging:BucketLogging")) == 1


def test_web_acl_rules_block_with_managed_groups_then_rate_limit() -> None:
    rules = web_acl_rules(500)
    assert [r["name"] for r in rules] == [*MANAGED_RULE_GROUPS, "RateLimitPerIp"]
    assert [r["priority"] for r in rules] == [0, 1, 2, 3]
    assert all(r["override_action"] == {"none": {}} for r in rules[:3])
    assert rules[3]["action"] == {"block": {}}
    assert rules[3]["statement"] == {"rate_based_statement": {"limit": 500, "aggregate_key_type": "IP"}}


@pytest.mark.parametrize(
    ("release", "expected"),
    [
        pytest.param(Release(strategy=DeploymentStrategy.CANARY), [], id="compliant_default_canary"),
        pytest.param(
            Release(strategy=DeploymentStrategy.CANARY, canary_percent=0),
            ["canary_percent 0 must be 0.1-99.9"],
            id="noncompliant_canary_percent",
        ),
        pytest.param(
            Release(strategy=DeploymentStrategy.LINEAR, linear_step_percent=5, linear_interval_minutes=5),
            [
                "the linear release takes 105 minutes after the new tasks are healthy; the pipeline's ECS deploy "
                "action fails after 60: keep shifting plus bake within 55 minutes"
            ],
            id="noncompliant_too_long_for_the_action",
        ),
    ],
)
def test_release_problems(release: Release, expected: list[str]) -> None:
    assert release_problems(release) == expected
