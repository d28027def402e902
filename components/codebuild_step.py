"""A pipeline step run by CodeBuild: its KMS-encrypted log group, its own role, the project.

`ImageBuild`, the pipeline's Record step and `EksDeploy` are all this shape; each supplies its
role's policy (a function of the log group's ARN), its buildspec and its variables. Children
are named `<prefix>-logs`, `<prefix>-role`, `<prefix>-policy` and `<prefix>`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from pulumi_aws.cloudwatch.log_group import LogGroup
from pulumi_aws.vpc.security_group_egress_rule import SecurityGroupEgressRule
from pulumi_aws.vpc.security_group_ingress_rule import SecurityGroupIngressRule

from .aws_context import aws_context
from .iam import json_output, service_trust

DEFAULT_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"


@dataclass(frozen=True)
class CodeBuildStep:
    project: aws.codebuild.Project
    role: aws.iam.Role
    log_group: LogGroup


def codebuild_step(
    prefix: str,
    parent: pulumi.Resource,
    *,
    description: str,
    role_description: str,
    policy: Callable[[pulumi.Output[str]], pulumi.Input[str]],
    buildspec: str,
    variables: Mapping[str, pulumi.Input[str]],
    kms_key_arn: pulumi.Input[str],
    log_retention_days: int,
    privileged: bool = False,
    image: str = DEFAULT_IMAGE,
    compute_type: str = "BUILD_GENERAL1_SMALL",
    timeout_minutes: int = 30,
    vpc_config: aws.codebuild.ProjectVpcConfigArgsDict | None = None,
    depends_on: list[pulumi.Resource] | None = None,
) -> CodeBuildStep:
    """The step's project waits for its role policy (and `depends_on`): CodeBuild checks its
    permissions when the project is created."""
    child = pulumi.ResourceOptions(parent=parent)
    ctx = aws_context(parent)
    log_group = LogGroup(
        f"{prefix}-logs",
        name_prefix=f"/aws/codebuild/{prefix}-",
        retention_in_days=log_retention_days,
        kms_key_id=kms_key_arn,
        opts=child,
    )
    role = aws.iam.Role(
        f"{prefix}-role",
        description=role_description,
        assume_role_policy=json_output(service_trust, service="codebuild.amazonaws.com", account_id=ctx.account_id),
        max_session_duration=3600,
        opts=child,
    )
    role_policy = aws.iam.RolePolicy(f"{prefix}-policy", role=role.id, policy=policy(log_group.arn), opts=child)
    project = aws.codebuild.Project(
        prefix,
        description=description,
        service_role=role.arn,
        encryption_key=kms_key_arn,
        build_timeout=timeout_minutes,
        queued_timeout=60,
        source={"type": "CODEPIPELINE", "buildspec": buildspec},
        artifacts={"type": "CODEPIPELINE"},
        environment={
            "type": "LINUX_CONTAINER",
            "compute_type": compute_type,
            "image": image,
            "image_pull_credentials_type": "CODEBUILD",
            "privileged_mode": privileged,
            # Plain settings only; the policy pack rejects credentials here.
            "environment_variables": [
                {"name": key, "value": value, "type": "PLAINTEXT"} for key, value in variables.items()
            ],
        },
        vpc_config=vpc_config,
        logs_config={
            "cloudwatch_logs": {"status": "ENABLED", "group_name": log_group.name},
            "s3_logs": {"status": "DISABLED"},
        },
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[role_policy, *(depends_on or [])]),
    )
    return CodeBuildStep(project=project, role=role, log_group=log_group)


def https_only_security_group(
    prefix: str,
    parent: pulumi.Resource,
    *,
    vpc_id: pulumi.Input[str],
    description: str,
    egress_description: str,
    api_security_group_id: pulumi.Input[str] | None = None,
    api_description: str = "",
) -> aws.ec2.SecurityGroup:
    """The security group of a CodeBuild project in a VPC: HTTPS out and nothing else, and, given the
    cluster's security group, let in to the Kubernetes API on 443 (`<prefix>-sg`, `-https-out`, `-to-api`)."""
    child = pulumi.ResourceOptions(parent=parent)
    group = aws.ec2.SecurityGroup(f"{prefix}-sg", vpc_id=vpc_id, description=description, opts=child)
    SecurityGroupEgressRule(
        f"{prefix}-https-out",
        security_group_id=group.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="0.0.0.0/0",
        description=egress_description,
        opts=child,
    )
    if api_security_group_id is not None:
        SecurityGroupIngressRule(
            f"{prefix}-to-api",
            security_group_id=api_security_group_id,
            referenced_security_group_id=group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description=api_description,
            opts=child,
        )
    return group
