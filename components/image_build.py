"""`ImageBuild`: the CodeBuild project that tests, builds, pushes and scan-gates an image."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .aws_context import aws_context
from .buildspec import render_buildspec
from .iam import build_role_policy, json_output, service_trust
from .settings import SEVERITIES


class ImageBuildArgs(TypedDict):
    repository_url: pulumi.Input[str]
    """URL of the ECR repository the image is pushed to."""
    repository_arn: pulumi.Input[str]
    """ARN of that repository; the build role may push only there."""
    repository_name: pulumi.Input[str]
    """Name of that repository, for the scan-findings calls."""
    cache_repository_url: pulumi.Input[str]
    """URL of the build-cache repository."""
    cache_repository_arn: pulumi.Input[str]
    """ARN of the build-cache repository."""
    artifact_bucket_arn: pulumi.Input[str]
    """The pipeline's artifact bucket; the build reads its source and writes its output there."""
    kms_key_arn: pulumi.Input[str]
    """Key that encrypts artifacts and build logs."""
    container_name: str
    """Container name written into imagedefinitions.json (the task definition's container)."""
    scan_severity_threshold: NotRequired[str]
    """Findings at or above this severity fail the build. Default: HIGH."""
    dockerfile: NotRequired[str]
    """Dockerfile path in the source. Default: Dockerfile."""
    build_context: NotRequired[str]
    """Docker build context in the source. Default: '.'."""
    test_target: NotRequired[str]
    """Dockerfile stage that runs the tests; the build fails if it fails. Default: test."""
    build_image: NotRequired[str]
    """CodeBuild image. Default: aws/codebuild/amazonlinux-x86_64-standard:5.0."""
    compute_type: NotRequired[str]
    """CodeBuild compute type. Default: BUILD_GENERAL1_SMALL."""
    log_retention_days: NotRequired[int]
    """Days build logs are kept. Default: 30."""
    timeout_minutes: NotRequired[int]
    """Build timeout. Default: 30."""


class ImageBuild(pulumi.ComponentResource):
    """A privileged (Docker needs it) CodeBuild project with its own least-privilege role
    and a KMS-encrypted log group. Exports IMAGE_TAG, IMAGE_DIGEST and IMAGE_URI."""

    project: aws.codebuild.Project
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup
    project_name: pulumi.Output[str]
    project_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ImageBuildArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("cicd:image_build:ImageBuild", name, None, opts)
        threshold = args.get("scan_severity_threshold", "HIGH")
        if threshold not in SEVERITIES:
            raise ValueError(
                f"ImageBuild {name}: scan_severity_threshold {threshold!r} is not one of {', '.join(SEVERITIES)}"
            )
        blocking = ",".join(SEVERITIES[: SEVERITIES.index(threshold) + 1])
        child = pulumi.ResourceOptions(parent=self)
        ctx = aws_context(self)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-build-logs",
            name_prefix=f"/aws/codebuild/{name}-",
            retention_in_days=args.get("log_retention_days", 30),
            kms_key_id=args["kms_key_arn"],
            opts=child,
        )
        self.role = aws.iam.Role(
            f"{name}-build-role",
            description=f"CodeBuild image build of {name}",
            assume_role_policy=json_output(service_trust, service="codebuild.amazonaws.com", account_id=ctx.account_id),
            max_session_duration=3600,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-build-policy",
            role=self.role.id,
            policy=json_output(
                build_role_policy,
                repository_arn=args["repository_arn"],
                cache_repository_arn=args["cache_repository_arn"],
                bucket_arn=args["artifact_bucket_arn"],
                key_arn=args["kms_key_arn"],
                log_group_arn=self.log_group.arn,
            ),
            opts=child,
        )
        variables = {
            "REPOSITORY_URI": args["repository_url"],
            "REPOSITORY_NAME": args["repository_name"],
            "CACHE_REPOSITORY_URI": args["cache_repository_url"],
            "CONTAINER_NAME": args["container_name"],
            "DOCKERFILE": args.get("dockerfile", "Dockerfile"),
            "BUILD_CONTEXT": args.get("build_context", "."),
            "TEST_TARGET": args.get("test_target", "test"),
            "SCAN_THRESHOLD": threshold,
            "SCAN_BLOCKING_SEVERITIES": blocking,
        }
        self.project = aws.codebuild.Project(
            f"{name}-build",
            description=f"Test, build, push and scan-gate the {args['container_name']} image",
            service_role=self.role.arn,
            encryption_key=args["kms_key_arn"],
            build_timeout=args.get("timeout_minutes", 30),
            queued_timeout=60,
            source={"type": "CODEPIPELINE", "buildspec": render_buildspec()},
            artifacts={"type": "CODEPIPELINE"},
            environment={
                "type": "LINUX_CONTAINER",
                "compute_type": args.get("compute_type", "BUILD_GENERAL1_SMALL"),
                "image": args.get("build_image", "aws/codebuild/amazonlinux-x86_64-standard:5.0"),
                "image_pull_credentials_type": "CODEBUILD",
                # Docker-in-Docker needs it; this project only builds images.
                "privileged_mode": True,
                "environment_variables": [
                    {"name": key, "value": value, "type": "PLAINTEXT"} for key, value in variables.items()
                ],
            },
            logs_config={
                "cloudwatch_logs": {"status": "ENABLED", "group_name": self.log_group.name},
                "s3_logs": {"status": "DISABLED"},
            },
            # The role's permissions must exist before CodeBuild validates the project.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )

        self.project_name = self.project.name
        self.project_arn = self.project.arn
        self.role_arn = self.role.arn
        self.register_outputs(
            {"project_name": self.project_name, "project_arn": self.project_arn, "role_arn": self.role_arn}
        )
