"""ECR: every image is scanned, deployable tags never move, old images expire."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence

from .contract import BUILD_CACHE_PURPOSE, PULL_THROUGH_CACHE_PURPOSE, PURPOSE_TAG
from .registry import Config, Resource, StackResource, resource_rule, stack_rule

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
TEMPLATE = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"
REGISTRY_SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"
CACHE_MARK = (PURPOSE_TAG, BUILD_CACHE_PURPOSE)


def is_marked_cache(props: Resource | StackResource) -> bool:
    tags = props.props.get("tags") or {}
    return tags.get(CACHE_MARK[0]) == CACHE_MARK[1]


def is_pull_through_template(resource: Resource) -> bool:
    """A creation template only for pull-through cache repositories, which tags them as such: ECR
    re-syncs cached tags from upstream, which immutability would prevent (ECR user guide)."""
    tags = resource.props.get("resourceTags") or {}
    return (
        list(resource.props.get("appliedFors") or []) == ["PULL_THROUGH_CACHE"]
        and tags.get(PURPOSE_TAG) == PULL_THROUGH_CACHE_PURPOSE
    )


@resource_rule(
    name="ecr-tags-immutable",
    types=[REPOSITORY, TEMPLATE],
    description="ECR repositories, and the templates of repositories ECR creates, use IMMUTABLE tags, so a "
    "deployed tag can never be overwritten.",
    severity="high",
    remediation="Set image_tag_mutability='IMMUTABLE'. A build-cache repository may stay mutable only when "
    "tagged cicd:purpose=build-cache; a creation template applied only for PULL_THROUGH_CACHE may stay "
    "mutable only when its resource_tags carry cicd:purpose=pull-through-cache.",
)
def tags_immutable(resource: Resource, config: Config) -> Iterator[str]:
    mutability = resource.props.get("imageTagMutability", "MUTABLE")
    if resource.type == TEMPLATE:
        if mutability != "IMMUTABLE" and not is_pull_through_template(resource):
            yield (
                f"imageTagMutability is {mutability}: set it to IMMUTABLE (or apply the template only for "
                "PULL_THROUGH_CACHE and tag its repositories cicd:purpose=pull-through-cache)"
            )
        return
    if mutability != "IMMUTABLE" and not is_marked_cache(resource):
        yield (
            f"imageTagMutability is {mutability}: set it to IMMUTABLE (or tag a build-cache repository "
            "cicd:purpose=build-cache)"
        )


@resource_rule(
    name="ecr-kms-encryption",
    types=[REPOSITORY],
    description="ECR repositories encrypt images with KMS.",
    severity="medium",
    remediation="Set encryption_configurations=[{'encryption_type': 'KMS', 'kms_key': <key arn>}].",
    level="advisory",
)
def kms_encryption(resource: Resource, config: Config) -> Iterator[str]:
    configurations = resource.props.get("encryptionConfigurations") or []
    if not configurations or configurations[0].get("encryptionType") != "KMS":
        yield "encryptionConfigurations does not use KMS: set encryption_type='KMS' with the stack key"


def _enhanced_scanning_filters(resources: Sequence[StackResource]) -> list[str]:
    filters: list[str] = []
    for r in resources:
        if r.type != REGISTRY_SCANNING or r.props.get("scanType") != "ENHANCED":
            continue
        for rule in r.props.get("rules") or []:
            if rule.get("scanFrequency") in ("SCAN_ON_PUSH", "CONTINUOUS_SCAN"):
                filters += [f.get("filter", "") for f in rule.get("repositoryFilters") or []]
    return filters


@stack_rule(
    name="ecr-image-scanning",
    description="Every ECR repository scans images on push, or is covered by an enhanced registry scanning rule.",
    severity="critical",
    remediation="Set image_scanning_configuration={'scan_on_push': True}, or add an ENHANCED "
    "aws.ecr.RegistryScanningConfiguration rule whose repository filter matches the repository.",
)
def image_scanning(resources: Sequence[StackResource], config: Config) -> Iterator[tuple[str, str | None]]:
    filters = _enhanced_scanning_filters(resources)
    for r in resources:
        if r.type != REPOSITORY:
            continue
        scanning = r.props.get("imageScanningConfiguration") or {}
        name = str(r.props.get("name", r.name))
        if scanning.get("scanOnPush") is True or any(fnmatch.fnmatchcase(name, f) for f in filters):
            continue
        yield (
            f"repository {name} does not scan on push and no enhanced scanning rule covers it: "
            "set imageScanningConfiguration.scanOnPush to true",
            r.urn,
        )


@stack_rule(
    name="ecr-lifecycle-policy",
    description="Every ECR repository has a lifecycle policy, so untagged and old images expire.",
    severity="medium",
    remediation="Add an aws.ecr.LifecyclePolicy for the repository (ContainerRegistry does this).",
)
def lifecycle_policy(resources: Sequence[StackResource], config: Config) -> Iterator[tuple[str, str | None]]:
    covered = {str(r.props.get("repository")) for r in resources if r.type == LIFECYCLE}
    for r in resources:
        if r.type == REPOSITORY and str(r.props.get("name", r.name)) not in covered:
            yield (
                f"repository {r.props.get('name', r.name)} has no lifecycle policy: add an aws.ecr.LifecyclePolicy",
                r.urn,
            )
