"""Contract tests: every IAM-style document the program emits is accepted by IAM (moto), lints
clean (parliament) and is least-privilege (policy_sentry). Negative controls prove each validator bites."""

from __future__ import annotations

import json
from typing import Any

import boto3
import parliament
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from policy_sentry.querying.actions import get_action_data

from components.iam import build_role_policy, document, kms_key_policy, service_trust, statement, tls_only_bucket_policy
from preflight.engine import PlanResult
from tests.conftest import policy_documents

ACCOUNT, REGION = "123456789012", "us-east-1"
REPO = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web"
BUCKET = "arn:aws:s3:::artifacts-bucket-0a1b2c3"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/web-0a1b2c3"

KINDS = {
    ("aws:iam/role:Role", "assumeRolePolicy"): "trust",
    ("aws:iam/rolePolicy:RolePolicy", "policy"): "identity",
    ("aws:iam/policy:Policy", "policy"): "identity",
    ("aws:kms/key:Key", "policy"): "key-policy",
    ("aws:s3/bucketPolicy:BucketPolicy", "policy"): "bucket-policy",
    ("aws:sns/topicPolicy:TopicPolicy", "policy"): "topic-policy",
}
ANY_DETAIL = "<any detail>"
# parliament 1.6.4 has no resource-policy mode (analyze_policy_string takes no is_resource_policy), so
# findings that are correct in a resource policy are allowed here one by one: (issue, exact detail).
ALLOWED_FINDINGS: dict[str, set[tuple[str, str]]] = {
    "identity": {
        # parliament's bundled IAM definitions predate repository-level BatchImportUpstreamImage;
        # policy_sentry's newer ones, and the ECR guide's pull-through cache policy examples, scope it
        # to repository ARNs (test_pull_through_cache.py checks that against policy_sentry).
        ("RESOURCE_MISMATCH", "[{'action': 'ecr:BatchImportUpstreamImage', 'required_format': '*'}]"),
    },
    "key-policy": {
        # In a key policy Resource must be "*" (it means "this key"); KMS rejects any other value.
        ("RESOURCE_STAR", ANY_DETAIL),
        # The CloudWatch Logs guide prescribes ArnLike/ArnEquals for kms:EncryptionContext:aws:logs:arn;
        # parliament types every kms:EncryptionContext:* key as String.
        ("MISMATCHED_TYPE", "Type mismatch: ArnLike requires a value of type Arn but given String"),
    },
    "topic-policy": set(),
    "bucket-policy": {
        # parliament's Numeric pattern is ^\d+$, so it rejects any decimal; S3 documents s3:TlsVersion vs 1.2.
        ("MISMATCHED_TYPE", "Type mismatch: s3:TlsVersion requires a value of type Numeric but given ['1.2']"),
        # Deny s3:* below TLS 1.2: these two carry no s3:TlsVersion, so that Deny cannot key on them;
        # DenyInsecureTransport still covers them (and the second is account-level, never on a bucket).
        ("UNKNOWN_CONDITION_FOR_ACTION", "Unknown condition s3:TlsVersion for action s3:InitiateReplication"),
        (
            "UNKNOWN_CONDITION_FOR_ACTION",
            "Unknown condition s3:TlsVersion for action s3:PutAccessPointPublicAccessBlock",
        ),
    },
}


def kind_of(urn: str, prop: str) -> str | None:
    return KINDS.get((urn.split("::")[2].split("$")[-1], prop))


def documents(plan: PlanResult, kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(urn, doc) for urn, prop, doc in policy_documents(plan) if kind_of(urn, prop) == kind]


def lint(doc: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    """parliament's findings, less those allowed for this kind of document."""
    allowed = ALLOWED_FINDINGS[kind]
    found = {(f.issue, str(f.detail)) for f in parliament.analyze_policy_string(json.dumps(doc)).findings}
    return sorted(f for f in found if f not in allowed and (f[0], ANY_DETAIL) not in allowed)


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def unscopable(action: str) -> bool:
    """True if policy_sentry knows the action and no row of it takes a resource ARN."""
    service, _, name = action.partition(":")
    rows = get_action_data(service, name).get(service, [])
    return bool(rows) and all(row["resource_arn_format"] == "*" for row in rows)


def over_broad(doc: dict[str, Any]) -> list[str]:
    """Allowed actions that are wildcards, or that could be scoped to an ARN but are granted on "*"."""
    bad = []
    for stmt in doc["Statement"]:
        if stmt["Effect"] == "Allow":
            resources = as_list(stmt["Resource"])
            for action in as_list(stmt["Action"]):
                if action == "*" or action.endswith(":*") or ("*" in resources and not unscopable(action)):
                    bad.append(action)
    return bad


def accept_trust(iam: Any, name: str, doc: dict[str, Any]) -> None:
    """moto's create_role stores any document; only update_assume_role_policy runs its trust validator."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(doc))
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(doc))


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> Any:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield boto3.client("iam", region_name=REGION)


@pytest.fixture(params=["dev", "prod"])
def stack_plan(request: pytest.FixtureRequest) -> PlanResult:
    plan: PlanResult = request.getfixturevalue(f"{request.param}_plan")
    return plan


def test_every_document_has_a_contract(stack_plan: PlanResult) -> None:
    kinds = {urn: kind_of(urn, prop) for urn, prop, _ in policy_documents(stack_plan)}
    assert [urn for urn, kind in kinds.items() if kind is None] == []
    assert set(kinds.values()) == {"trust", "identity", "key-policy", "bucket-policy", "topic-policy"}


def test_trust_policies_accepted_by_iam(stack_plan: PlanResult, iam: Any) -> None:
    for n, (_urn, doc) in enumerate(documents(stack_plan, "trust")):
        accept_trust(iam, f"role-{n}", doc)


def test_identity_policies_accepted_by_iam(stack_plan: PlanResult, iam: Any) -> None:
    for n, (_urn, doc) in enumerate(documents(stack_plan, "identity")):
        iam.create_policy(PolicyName=f"policy-{n}", PolicyDocument=json.dumps(doc))


@pytest.mark.parametrize("kind", ["identity", "key-policy", "bucket-policy", "topic-policy"])
def test_parliament_finds_nothing(stack_plan: PlanResult, kind: str) -> None:
    assert {urn: found for urn, doc in documents(stack_plan, kind) if (found := lint(doc, kind))} == {}


def test_identity_policies_least_privilege(stack_plan: PlanResult) -> None:
    assert {urn: bad for urn, doc in documents(stack_plan, "identity") if (bad := over_broad(doc))} == {}


ARNS = {"repository_arn": REPO, "bucket_arn": BUCKET, "key_arn": KEY, "log_group_arn": LOG_GROUP}
BUILD_POLICIES = {
    "with-cache": build_role_policy(cache_repository_arn=f"{REPO}-cache", **ARNS),
    "without-cache": build_role_policy(cache_repository_arn=None, **ARNS),
}


@pytest.mark.parametrize("doc", BUILD_POLICIES.values(), ids=BUILD_POLICIES.keys())
def test_build_role_policy_contract(doc: dict[str, Any], iam: Any) -> None:
    iam.create_policy(PolicyName="build", PolicyDocument=json.dumps(doc))
    assert lint(doc, "identity") == []
    assert over_broad(doc) == []


@pytest.mark.parametrize("service", ["codebuild.amazonaws.com", "codepipeline.amazonaws.com"])
def test_service_trust_accepted_by_iam(service: str, iam: Any) -> None:
    accept_trust(iam, "service", service_trust(service, ACCOUNT))


RESOURCE_POLICIES = {
    "key-policy": kms_key_policy(partition="aws", account_id=ACCOUNT, region=REGION),
    "bucket-policy": tls_only_bucket_policy(BUCKET),
}


@pytest.mark.parametrize("kind", RESOURCE_POLICIES.keys())
def test_resource_policy_lints_clean(kind: str) -> None:
    assert lint(RESOURCE_POLICIES[kind], kind) == []


# Negative controls: each validator rejects a document built to fail it.


@pytest.mark.parametrize(
    ("action", "flagged"),
    [("ecr:PutImage", True), ("ecr:GetAuthorizationToken", False), ("*", True), ("ecr:*", True), ("ecr:Nope", True)],
)
def test_least_privilege_check_bites(action: str, flagged: bool) -> None:
    assert over_broad(document(statement("OnStar", [action], ["*"]))) == ([action] if flagged else [])


TRUST = service_trust("codebuild.amazonaws.com", ACCOUNT)["Statement"][0]
BAD_TRUST = {"has-resource": {**TRUST, "Resource": "*"}, "not-sts-action": {**TRUST, "Action": "s3:GetObject"}}


@pytest.mark.parametrize("stmt", BAD_TRUST.values(), ids=BAD_TRUST.keys())
def test_moto_rejects_malformed_trust(stmt: dict[str, Any], iam: Any) -> None:
    with pytest.raises(ClientError, match="MalformedPolicyDocument"):
        accept_trust(iam, "bad", document(stmt))


def test_moto_rejects_identity_policy_without_resource(iam: Any) -> None:
    with pytest.raises(ClientError, match="MalformedPolicyDocument"):
        iam.create_policy(PolicyName="bad", PolicyDocument=json.dumps(document({"Effect": "Allow", "Action": "s3:*"})))


BAD_FOR_PARLIAMENT = {  # s3:GetObject needs an object ARN, not the bucket's; ecr:PutImage can be scoped.
    "identity-mismatch": ("identity", "s3:GetObject", BUCKET, "RESOURCE_MISMATCH"),
    "identity-star": ("identity", "ecr:PutImage", "*", "RESOURCE_STAR"),
    "key-policy-mismatch": ("key-policy", "s3:GetObject", BUCKET, "RESOURCE_MISMATCH"),
}


@pytest.mark.parametrize(("kind", "action", "resource", "issue"), BAD_FOR_PARLIAMENT.values(), ids=BAD_FOR_PARLIAMENT)
def test_parliament_check_bites(kind: str, action: str, resource: str, issue: str) -> None:
    assert issue in {found for found, _ in lint(document(statement("Bad", [action], [resource])), kind)}
