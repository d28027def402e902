"""`ImageBuild`: the CodeBuild project that tests, builds, pushes and scan-gates an image."""

from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from .buildspec import render_buildspec
from .codebuild_step import DEFAULT_IMAGE, codebuild_step
from .iam import build_role_policy, json_output
from .package import ComponentArgsError, package_options, type_token
from .validation import SEVERITIES, retention_problem


class ImageBuildArgs(TypedDict):
    repository_url: pulumi.Input[str]
    """URL of the ECR repository the image is pushed to. Required."""
    repository_arn: pulumi.Input[str]
    """ARN of that repository; the build role may push only there. Required."""
    repository_name: pulumi.Input[str]
    """Name of that repository, for the scan-findings calls. Required."""
    cache_repository_url: pulumi.Input[str]
    """URL of the build-cache repository. Required."""
    cache_repository_arn: pulumi.Input[str]
    """ARN of the build-cache repository. Required."""
    artifact_bucket_arn: pulumi.Input[str]
    """The pipeline's artifact bucket; the build reads its source and writes its output there. Required."""
    kms_key_arn: pulumi.Input[str]
    """Key that encrypts artifacts and build logs. Required."""
    container_name: str
    """Container name written into imagedefinitions.json (the task definition's container). Required."""
    base_registry: NotRequired[pulumi.Input[str]]
    """Registry (and prefix) the Dockerfile's `BASE_REGISTRY` argument names: `PullThroughCache.ecr_public_prefix`.
    Default: public.ecr.aws (pulled anonymously)."""
    pull_through_cache_arns: NotRequired[pulumi.Input[Sequence[str]]]
    """The cache's repositories (`PullThroughCache.repository_arns`): the build may pull through them. Default: none."""
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

    project_name: pulumi.Output[str]
    """The build's CodeBuild project. Always set."""
    project_arn: pulumi.Output[str]
    """Its ARN. Always set."""
    role_arn: pulumi.Output[str]
    """The build's role. Always set."""

    def __init__(self, name: str, args: ImageBuildArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("ImageBuild"), name, None, package_options(opts, "cicd:image_build:ImageBuild"))
        threshold = args.get("scan_severity_threshold", "HIGH")
        if threshold not in SEVERITIES:
            raise ComponentArgsError(
                f"ImageBuild {name}: scan_severity_threshold {threshold!r} is not one of {', '.join(SEVERITIES)}"
            )
        if problem := retention_problem(args.get("log_retention_days", 30)):
            raise ComponentArgsError(f"ImageBuild {name}: {problem}")
        blocking = ",".join(SEVERITIES[: SEVERITIES.index(threshold) + 1])
        variables = {
            "REPOSITORY_URI": args["repository_url"],
            "REPOSITORY_NAME": args["repository_name"],
            "CACHE_REPOSITORY_URI": args["cache_repository_url"],
            "BASE_REGISTRY": args.get("base_registry", "public.ecr.aws"),
            "CONTAINER_NAME": args["container_name"],
            "DOCKERFILE": args.get("dockerfile", "Dockerfile"),
            "BUILD_CONTEXT": args.get("build_context", "."),
            "TEST_TARGET": args.get("test_target", "test"),
            "SCAN_THRESHOLD": threshold,
            "SCAN_BLOCKING_SEVERITIES": blocking,
        }
        step = codebuild_step(
            f"{name}-build",
            self,
            description=f"Test, build, push and scan-gate the {args['container_name']} image",
            role_description=f"CodeBuild image build of {name}",
            policy=lambda log_group_arn: json_output(
                build_role_policy,
                repository_arn=args["repository_arn"],
                cache_repository_arn=args["cache_repository_arn"],
                bucket_arn=args["artifact_bucket_arn"],
                key_arn=args["kms_key_arn"],
                log_group_arn=log_group_arn,
                pull_through_cache_arns=args.get("pull_through_cache_arns", []),
            ),
            buildspec=render_buildspec(),
            variables=variables,
            kms_key_arn=args["kms_key_arn"],
            log_retention_days=args.get("log_retention_days", 30),
            # Docker-in-Docker needs it; this project only builds images.
            privileged=True,
            image=args.get("build_image", DEFAULT_IMAGE),
            compute_type=args.get("compute_type", "BUILD_GENERAL1_SMALL"),
            timeout_minutes=args.get("timeout_minutes", 30),
        )
        self.project, self.role, self.log_group = step.project, step.role, step.log_group

        self.project_name = self.project.name
        self.project_arn = self.project.arn
        self.role_arn = self.role.arn
        self.register_outputs(
            {"project_name": self.project_name, "project_arn": self.project_arn, "role_arn": self.role_arn}
        )
