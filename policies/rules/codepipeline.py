"""CodePipeline: artifacts encrypted with KMS, and a manual approval before every deploy in production."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .contract import ENVIRONMENT_TAG
from .props import tags
from .registry import Config, Resource, resource_rule

PIPELINE = "aws:codepipeline/pipeline:Pipeline"


@resource_rule(
    name="codepipeline-artifacts-kms",
    types=[PIPELINE],
    description="Every CodePipeline artifact store encrypts with a KMS key (mandatory: artifacts hold source code "
    "and image references).",
    severity="medium",
    remediation="Set artifact_stores=[{..., 'encryption_key': {'id': <stack key arn>, 'type': 'KMS'}}].",
)
def artifacts_kms(resource: Resource, config: Config) -> Iterator[str]:
    for i, store in enumerate(resource.props.get("artifactStores") or []):
        key = store.get("encryptionKey") or {}
        if key.get("type") != "KMS" or not key.get("id"):
            yield f"artifactStores[{i}].encryptionKey is not a KMS key: set it to {{id: <stack key arn>, type: KMS}}"


def _is_approval(action: Mapping[str, Any]) -> bool:
    return bool(action.get("category") == "Approval" and action.get("provider") == "Manual")


def _approved_before(stages: Sequence[Mapping[str, Any]], index: int) -> bool:
    """A manual approval in an earlier stage, or earlier (lower runOrder) in the deploy's own stage."""
    if any(_is_approval(a) for stage in stages[:index] for a in stage.get("actions") or []):
        return True
    actions = list(stages[index].get("actions") or [])
    deploys = [a.get("runOrder", 1) for a in actions if a.get("category") == "Deploy"]
    return any(_is_approval(a) and a.get("runOrder", 1) < min(deploys) for a in actions)


@resource_rule(
    name="codepipeline-prod-approval",
    types=[PIPELINE],
    description="In a production environment (the pipeline's cicd:environment tag), a manual approval precedes "
    "every stage that deploys (mandatory: nobody ships to production unreviewed).",
    severity="high",
    remediation="Add a stage with an Approval/Manual action before each Deploy stage (DeliveryPipeline "
    "require_approval=True), and tag the pipeline cicd:environment=<environment>.",
    config={
        "productionEnvironments": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["prod"],
            "description": "Values of the cicd:environment tag that mark a production pipeline.",
        }
    },
)
def prod_approval(resource: Resource, config: Config) -> Iterator[str]:
    environment = tags(resource.props).get(ENVIRONMENT_TAG)
    if environment not in config["productionEnvironments"]:
        return
    stages = list(resource.props.get("stages") or [])
    for i, stage in enumerate(stages):
        if any(a.get("category") == "Deploy" for a in stage.get("actions") or []) and not _approved_before(stages, i):
            yield (
                f"stage {stage.get('name')} deploys to {environment} with no manual approval before it: add a stage "
                "with an Approval/Manual action before it"
            )
