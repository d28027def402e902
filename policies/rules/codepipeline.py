"""CodePipeline: artifacts encrypted with KMS, and a manual approval before every action that deploys to
production, whatever its provider."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .contract import ENVIRONMENT_TAG
from .props import known, tags
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


ENVIRONMENT_TAGS = (ENVIRONMENT_TAG, "environment", "Environment", "env", "stage")
"""Tags that name a resource's environment: the program's own, then the common spellings."""
DEPLOY_PROVIDERS = frozenset({"ECS", "CodeDeploy", "CodeDeployToECS", "EKS"})
"""Providers that change what runs, whatever category an action gives them."""
STEP_PROVIDERS = frozenset({"CodeBuild", "Commands"})
"""Providers that run any commands: a deploy when they run after the build (kubectl, aws ecs ...)."""

Action = Mapping[str, Any]


def stack_name(urn: str) -> str:
    """The stack of `urn:pulumi:<stack>::<project>::...`."""
    return urn.split("::", 1)[0].removeprefix("urn:pulumi:")


def production(resource: Resource, names: Sequence[str]) -> str | None:
    """How `resource` is known to be production ("prod (tag environment)", "prod (stack name)"), or None.

    The environment tags first, then the stack name; names compare case-insensitively."""
    wanted = {str(n).lower() for n in names}
    resource_tags = tags(resource.props)
    for key in ENVIRONMENT_TAGS:
        value = known(resource_tags, key)
        if isinstance(value, str) and value.lower() in wanted:
            return f"{value} (tag {key})"
    stack = stack_name(resource.urn)
    return f"{stack} (stack name)" if stack.lower() in wanted else None


def _is_approval(action: Action) -> bool:
    return bool(action.get("category") == "Approval" and action.get("provider") == "Manual")


def _run_order(action: Action) -> int:
    return int(action.get("runOrder") or 1)


def _is_step(action: Action) -> bool:
    """A CodeBuild or Commands action that is not a test: it may do anything, deploying included."""
    return action.get("provider") in STEP_PROVIDERS and action.get("category") != "Test"


def deploying_actions(stages: Sequence[Mapping[str, Any]]) -> Iterator[tuple[int, Action]]:
    """(stage index, action) of every action that changes what runs: Deploy-category actions, the ECS,
    CodeDeploy and EKS providers, and a CodeBuild/Commands step (not a test) that runs after the
    first such step (the build) or is named for deploying (its own or its stage's name)."""
    first_step: tuple[int, int] | None = None
    for i, stage in enumerate(stages):
        steps = [_run_order(a) for a in stage.get("actions") or [] if _is_step(a)]
        if steps:
            first_step = (i, min(steps))
            break
    for i, stage in enumerate(stages):
        for action in stage.get("actions") or []:
            if action.get("category") == "Deploy" or action.get("provider") in DEPLOY_PROVIDERS:
                yield i, action
            elif _is_step(action):
                named = "deploy" in f"{stage.get('name')} {action.get('name')}".lower()
                if named or (first_step is not None and (i, _run_order(action)) > first_step):
                    yield i, action


def _approved_before(stages: Sequence[Mapping[str, Any]], index: int, action: Action) -> bool:
    """A manual approval in an earlier stage, or earlier (lower runOrder) in the action's own stage."""
    if any(_is_approval(a) for stage in stages[:index] for a in stage.get("actions") or []):
        return True
    own = stages[index].get("actions") or []
    return any(_is_approval(a) and _run_order(a) < _run_order(action) for a in own)


@resource_rule(
    name="codepipeline-prod-approval",
    types=[PIPELINE],
    description="In production (an environment tag cicd:environment, environment, Environment, env or stage, or "
    "the stack name, in productionEnvironments), a manual approval precedes every action that changes what runs: "
    "Deploy actions (ECS, CodeDeploy, EKS, ...) and CodeBuild/Commands steps after the build or named for "
    "deploying (mandatory: nobody ships to production unreviewed).",
    severity="high",
    remediation="Add a stage with an Approval/Manual action before each deploying stage (DeliveryPipeline "
    "require_approval=True), or an approval earlier (lower runOrder) in the same stage.",
    config={
        "productionEnvironments": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["prod", "production"],
            "description": "Environment-tag values and stack names (case-insensitive) that mark production.",
        }
    },
)
def prod_approval(resource: Resource, config: Config) -> Iterator[str]:
    environment = production(resource, config["productionEnvironments"])
    if environment is None:
        return
    stages = list(resource.props.get("stages") or [])
    for i, action in deploying_actions(stages):
        if not _approved_before(stages, i, action):
            yield (
                f"stage {stages[i].get('name')} action {action.get('name')} ({action.get('category')}/"
                f"{action.get('provider')}) changes what runs in {environment} with no manual approval before it: "
                "add a stage with an Approval/Manual action before it, or one earlier in the stage (lower runOrder)"
            )
