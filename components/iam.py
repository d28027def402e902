"""IAM, KMS and bucket policy documents as plain functions of ARNs.

Components turn resource outputs into strings and call these; tests call them directly
and hand the results to moto, parliament and policy_sentry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi

Document = dict[str, Any]
Statement = dict[str, Any]


def statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[str],
    *,
    effect: str = "Allow",
    conditions: Mapping[str, Any] | None = None,
    principal: Any = None,
) -> Statement:
    result: Statement = {"Sid": sid, "Effect": effect}
    if principal is not None:
        result["Principal"] = principal
    result["Action"] = sorted(actions)
    result["Resource"] = list(resources) if len(resources) != 1 else resources[0]
    if conditions:
        result["Condition"] = dict(conditions)
    return result


def document(*statements: Statement) -> Document:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def codebuild_vpc_statements(
    kind: str, *, network_interfaces_arn: str, security_group_arn: str, subnet_arns: Sequence[str]
) -> list[Statement]:
    """What a CodeBuild project that runs in a VPC needs: its network interfaces in its own subnets and
    security group, attached only for CodeBuild. `kind` names the statements (`Create<kind>Interfaces`)."""
    return [
        statement(
            f"Create{kind}Interfaces",
            ("ec2:CreateNetworkInterface",),
            [network_interfaces_arn, security_group_arn, *subnet_arns],
        ),
        statement(f"Delete{kind}Interfaces", ("ec2:DeleteNetworkInterface",), [network_interfaces_arn]),
        statement(
            f"Attach{kind}Interfaces",
            ("ec2:CreateNetworkInterfacePermission",),
            [network_interfaces_arn],
            conditions={
                "StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"},
                "ArnEquals": {"ec2:Subnet": list(subnet_arns)},
            },
        ),
        # EC2's Describe calls accept no resource ARN in IAM.
        statement(
            f"Describe{kind}Network",
            (
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ),
            ["*"],
        ),
    ]


def service_trust(service: str, account_id: str) -> Document:
    """Trust `service` to assume the role, only on behalf of this account (confused deputy)."""
    return document(
        {
            "Sid": "AssumedByService",
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
    )


# Key administration and use, spelled out: `kms:*` is what the policy pack forbids.
KMS_ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKeyRotation",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
KMS_USE_ACTIONS = (
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


def kms_key_policy(*, partition: str, account_id: str, region: str) -> Document:
    """Key policy: the account administers and (through IAM policies) uses the key;
    CloudWatch Logs may use it only for this account's log groups.

    In a key policy `Resource: "*"` means "this key"; no other value is allowed there.
    """
    root = f"arn:{partition}:iam::{account_id}:root"
    logs_arn = f"arn:{partition}:logs:{region}:{account_id}:log-group:*"
    return document(
        statement("AccountAdministersKey", KMS_ADMIN_ACTIONS, ["*"], principal={"AWS": root}),
        statement("AccountUsesKeyThroughIam", KMS_USE_ACTIONS, ["*"], principal={"AWS": root}),
        statement(
            # DescribeKey carries no encryption context, so the condition would never match it.
            "CloudWatchLogsUsesKey",
            (
                "kms:Decrypt",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
            ),
            ["*"],
            principal={"Service": f"logs.{region}.amazonaws.com"},
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": logs_arn}},
        ),
        # Pipeline notifications land on KMS-encrypted SNS topics; SNS uses the key on
        # CodeStar Notifications' behalf, and only through SNS in this region.
        statement(
            "CodeStarNotificationsUsesKeyViaSns",
            ("kms:Decrypt", "kms:GenerateDataKey"),
            ["*"],
            principal={"Service": "codestar-notifications.amazonaws.com"},
            conditions={"StringEquals": {"kms:ViaService": f"sns.{region}.amazonaws.com"}},
        ),
    )


def tls_only_bucket_policy(bucket_arn: str) -> Document:
    """Deny any request to the bucket that is not over TLS 1.2 or newer."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return document(
        statement(
            "DenyInsecureTransport",
            ["s3:*"],
            resources,
            effect="Deny",
            principal="*",
            conditions={"Bool": {"aws:SecureTransport": "false"}},
        ),
        statement(
            "DenyOutdatedTls",
            ["s3:*"],
            resources,
            effect="Deny",
            principal="*",
            conditions={"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        ),
    )


ECR_PUSH_PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
)


def build_role_policy(
    *,
    repository_arn: str,
    cache_repository_arn: str | None,
    bucket_arn: str,
    key_arn: str,
    log_group_arn: str,
    pull_through_cache_arns: Sequence[str] = (),
) -> Document:
    """What an image build needs, and nothing else: its log group, the pipeline's
    artifacts, the stack key, push/pull on its own repositories, and base images through the
    stack's pull-through cache."""
    repositories = [repository_arn] + ([cache_repository_arn] if cache_repository_arn else [])
    cache = list(pull_through_cache_arns)
    return document(
        statement(
            "WriteBuildLogs",
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            [log_group_arn, f"{log_group_arn}:log-stream:*"],
        ),
        statement(
            "ReadWritePipelineArtifacts",
            ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"),
            [f"{bucket_arn}/*"],
        ),
        statement(
            "UseStackKey",
            ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"),
            [key_arn],
        ),
        # GetAuthorizationToken is account-wide: IAM accepts no resource for it.
        statement("LogInToEcr", ("ecr:GetAuthorizationToken",), ["*"]),
        statement("PushAndPullOwnImages", ECR_PUSH_PULL_ACTIONS, repositories),
        statement(
            "ReadOwnImagesAndScanFindings",
            ("ecr:DescribeImageScanFindings", "ecr:DescribeImages"),
            [repository_arn],
        ),
        *(pull_through_statements(cache) if cache else []),
    )


def pull_through_statements(repository_arns: Sequence[str]) -> list[Statement]:
    """For a role that pulls through the pull-through cache: pull, import an upstream image and
    create its repository on the first pull (ECR user guide, "IAM permissions required to sync
    an upstream registry"), on the cache's repositories only."""
    return [
        statement("PullThroughCache", _PULL_ACTIONS, list(repository_arns)),
        statement(
            "ImportUpstreamImagesIntoCache",
            ("ecr:BatchImportUpstreamImage", "ecr:CreateRepository"),
            list(repository_arns),
        ),
    ]


_PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def json_output(build: Callable[..., Document], **inputs: pulumi.Input[Any]) -> pulumi.Output[str]:
    """`json.dumps(build(**resolved_inputs))` once every input is known."""
    return pulumi.Output.all(**inputs).apply(lambda values: json.dumps(build(**values), indent=2))
