"""`ContainerRegistry`: the service's ECR repository and its build-cache repository."""

import json
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from policies.rules.contract import BUILD_CACHE_PURPOSE, PURPOSE_TAG

from .package import ComponentArgsError, package_options, type_token


def lifecycle_policy(*, untagged_expiry_days: int, tagged_images_to_keep: int) -> dict[str, Any]:
    """Expire untagged images after N days; keep the newest M images overall."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Expire untagged images {untagged_expiry_days} days after push",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": untagged_expiry_days,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the newest {tagged_images_to_keep} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": tagged_images_to_keep,
                },
                "action": {"type": "expire"},
            },
        ]
    }


def cache_lifecycle_policy() -> dict[str, Any]:
    """The cache tag moves on every build; superseded cache manifests go after a day."""
    return lifecycle_policy(untagged_expiry_days=1, tagged_images_to_keep=10)


class ContainerRegistryArgs(TypedDict):
    kms_key_arn: NotRequired[pulumi.Input[str]]
    """Customer-managed key for image encryption. Default: the AWS-managed ECR key (still KMS)."""
    scan_on_push: NotRequired[bool]
    """Basic scanning of every pushed image; the build's scan gate reads its findings. Default: True."""
    untagged_image_expiry_days: NotRequired[int]
    """Days before an untagged image expires. Default: 7."""
    tagged_images_to_keep: NotRequired[int]
    """Images kept per repository; older ones expire. Default: 30."""
    protect: NotRequired[bool]
    """Protect the repository from deletion and never force-delete images. Default: True."""


class ContainerRegistry(pulumi.ComponentResource):
    """An IMMUTABLE, scanned, KMS-encrypted repository with a lifecycle policy.

    Layer cache lives in a second repository marked `cicd:purpose=build-cache`: the cache
    tag must move on every build, and keeping it out of the deployable repository keeps
    that repository fully immutable (no exclusion filter a pushed image could hide behind).
    """

    repository_url: pulumi.Output[str]
    """The deployable repository's URL (push `<url>:<commit>`). Always set."""
    repository_arn: pulumi.Output[str]
    """The deployable repository's ARN. Always set."""
    repository_name: pulumi.Output[str]
    """The deployable repository's name. Always set."""
    cache_repository_url: pulumi.Output[str]
    """The build-cache repository's URL. Always set."""
    cache_repository_arn: pulumi.Output[str]
    """The build-cache repository's ARN. Always set."""

    def __init__(self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            type_token("ContainerRegistry"),
            name,
            None,
            package_options(opts, "cicd:container_registry:ContainerRegistry"),
        )
        protect = args.get("protect", True)
        untagged_days = args.get("untagged_image_expiry_days", 7)
        keep = args.get("tagged_images_to_keep", 30)
        if untagged_days < 1 or keep < 1:
            raise ComponentArgsError(
                f"ContainerRegistry {name}: untagged_image_expiry_days and tagged_images_to_keep must be "
                f"at least 1, got {untagged_days} and {keep}"
            )
        encryption: aws.ecr.RepositoryEncryptionConfigurationArgsDict = {"encryption_type": "KMS"}
        if "kms_key_arn" in args:
            encryption["kms_key"] = args["kms_key_arn"]
        scanning: aws.ecr.RepositoryImageScanningConfigurationArgsDict = {
            "scan_on_push": args.get("scan_on_push", True)
        }

        self.repository = aws.ecr.Repository(
            f"{name}-repository",
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=scanning,
            encryption_configurations=[encryption],
            force_delete=not protect,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=self.repository.name,
            policy=json.dumps(lifecycle_policy(untagged_expiry_days=untagged_days, tagged_images_to_keep=keep)),
            opts=pulumi.ResourceOptions(parent=self),
        )

        # Cache layers can be rebuilt from source, so this one is never protected.
        self.cache_repository = aws.ecr.Repository(
            f"{name}-cache",
            image_tag_mutability="MUTABLE",
            image_scanning_configuration=scanning,
            encryption_configurations=[encryption],
            force_delete=True,
            tags={PURPOSE_TAG: BUILD_CACHE_PURPOSE},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-cache-lifecycle",
            repository=self.cache_repository.name,
            policy=json.dumps(cache_lifecycle_policy()),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.repository_url = self.repository.repository_url
        self.repository_arn = self.repository.arn
        self.repository_name = self.repository.name
        self.cache_repository_url = self.cache_repository.repository_url
        self.cache_repository_arn = self.cache_repository.arn
        self.register_outputs(
            {
                "repository_url": self.repository_url,
                "repository_arn": self.repository_arn,
                "cache_repository_url": self.cache_repository_url,
            }
        )
