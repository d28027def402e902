"""Workload images: ECS task definitions and Kubernetes pod templates run only images from the
account's own registries (the stack's repositories, its pull-through cache), pinned by digest or
by a tag of a repository whose tags are IMMUTABLE.

An image pulled from a public registry at deploy time is outside the scan gate and subject to
someone else's rate limits; a mutable tag can change under a running service. In production
(the resource's `cicd:environment` tag, or the stack name in its URN) this is mandatory;
elsewhere the same check is advisory. Both read the registry allowlist from pack config.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .contract import ENVIRONMENT_TAG
from .props import tags
from .registry import Config, StackResource, stack_rule

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
REPOSITORY = "aws:ecr/repository:Repository"
# Kubernetes workload kinds -> the path from the object to its pod spec.
POD_SPECS: dict[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "kubernetes:core/v1:Pod": ("spec",),
}
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
CONFIG: dict[str, dict[str, Any]] = {
    "allowedRegistries": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["*.dkr.ecr.*.amazonaws.com"],
        "description": "Shell-style patterns of the registries workloads may pull from: the account's own ECR "
        "registry (e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com), which serves its pull-through cache too.",
    },
    "productionEnvironments": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["prod"],
        "description": "Values of the cicd:environment tag, or stack names, that mark production.",
    },
}


def _stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::...` -> `<stack>`."""
    return urn.split("::", 1)[0].removeprefix("urn:pulumi:")


def is_production(resource: StackResource, environments: Sequence[str]) -> bool:
    return tags(resource.props).get(ENVIRONMENT_TAG) in environments or _stack_of(resource.urn) in environments


def _images(resource: StackResource) -> Iterator[tuple[str, str]]:
    """(container name, image) of every container the resource runs."""
    if resource.type == TASK_DEFINITION:
        raw = resource.props.get("containerDefinitions")
        try:
            definitions = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            return  # ECS refuses to register it, so nothing of it runs
        for i, container in enumerate(definitions if isinstance(definitions, list) else []):
            if isinstance(container, Mapping):
                yield str(container.get("name", f"#{i}")), str(container.get("image", ""))
        return
    spec: Any = resource.props
    for key in POD_SPECS[resource.type]:
        spec = spec.get(key) if isinstance(spec, Mapping) else None
    if not isinstance(spec, Mapping):
        return
    for kind in ("initContainers", "containers"):
        for i, container in enumerate(spec.get(kind) or []):
            yield str(container.get("name", f"{kind}#{i}")), str(container.get("image", ""))


def image_problem(image: str, allowed: Sequence[str], immutable_repositories: set[str]) -> str | None:
    """What is wrong with `image` for a production workload, or None."""
    first, _, rest = image.partition("/")
    registry = first if rest and ("." in first or ":" in first) else "docker.io"
    if not any(fnmatch.fnmatchcase(registry, pattern) for pattern in allowed):
        return (
            f"comes from {registry}, not from the account's own registry ({', '.join(allowed)}): pull it through "
            "the stack's pull-through cache (<account>.dkr.ecr.<region>.amazonaws.com/<stack>/ecr-public/...)"
        )
    if DIGEST.search(image):
        return None
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    if repository in immutable_repositories:
        return None
    return "is not pinned: use its digest (@sha256:...), or a tag of one of the stack's IMMUTABLE repositories"


def _violations(
    resources: Sequence[StackResource], config: Config, production: bool
) -> Iterator[tuple[str, str | None]]:
    immutable = {
        str(r.props.get("repositoryUrl"))
        for r in resources
        if r.type == REPOSITORY and r.props.get("imageTagMutability") == "IMMUTABLE"
    }
    for resource in resources:
        if resource.type != TASK_DEFINITION and resource.type not in POD_SPECS:
            continue
        if is_production(resource, config["productionEnvironments"]) != production:
            continue
        for name, image in _images(resource):
            if problem := image_problem(image, config["allowedRegistries"], immutable):
                yield f"container {name}: image {image} {problem}", resource.urn


@stack_rule(
    name="workload-images-from-own-registry",
    description="In production, ECS task definitions and Kubernetes pod templates run only images from the "
    "account's own registries, by digest or immutable tag (mandatory: a public image at deploy time is outside "
    "the scan gate and someone else's rate limit; a mutable tag can change under a running service).",
    severity="high",
    remediation="Pull public images through the stack's pull-through cache and pin them by digest; deploy the "
    "pipeline's images by digest (the image record does).",
    config=CONFIG,
)
def own_registry_in_production(resources: Sequence[StackResource], config: Config) -> Iterator[tuple[str, str | None]]:
    yield from _violations(resources, config, production=True)


@stack_rule(
    name="workload-images-from-own-registry-outside-production",
    description="Outside production, the same check as workload-images-from-own-registry (advisory: a "
    "development stack may try an image before it is cached).",
    severity="medium",
    remediation="Pull public images through the stack's pull-through cache and pin them by digest.",
    level="advisory",
    config=CONFIG,
)
def own_registry_elsewhere(resources: Sequence[StackResource], config: Config) -> Iterator[tuple[str, str | None]]:
    yield from _violations(resources, config, production=False)
