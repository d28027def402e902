"""The delivery pipeline's declaration as plain data: stages, triggers, the record step's
buildspec, the CodeCommit event pattern and the notification events.

Values may be plain strings (tests) or Pulumi outputs (the component): the structure is
the same, and it is what `aws.codepipeline.Pipeline` takes as `stages` and `triggers`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import yaml

SOURCE_ARTIFACT = "SourceOutput"
BUILD_ARTIFACT = "BuildOutput"
SOURCE_NAMESPACE = "SourceVariables"
BUILD_NAMESPACE = "BuildVariables"
SOURCE_ACTION = "Source"
IMAGE_URI = f"#{{{BUILD_NAMESPACE}.IMAGE_URI}}"
COMMIT_ID = f"#{{{SOURCE_NAMESPACE}.CommitId}}"
MAX_FILE_PATH_PATTERNS = 8  # CodePipeline accepts at most 8 patterns per filter.

CONNECTION_PROVIDER = "CodeStarSourceConnection"
CODECOMMIT_PROVIDER = "CodeCommit"

# Notification event type ids (Developer Tools console user guide, "Events for pipelines").
PIPELINE_EVENTS = (
    "codepipeline-pipeline-pipeline-execution-failed",
    "codepipeline-pipeline-pipeline-execution-succeeded",
    "codepipeline-pipeline-pipeline-execution-superseded",
)
APPROVAL_EVENTS = ("codepipeline-pipeline-manual-approval-needed",)
# The event list has no rollback event: a Deploy stage that a condition rolls back ends failed.
BAKE_EVENTS = ("codepipeline-pipeline-stage-execution-failed",)
BAKE_RULE_TYPE = {"category": "Rule", "owner": "AWS", "provider": "CloudWatchAlarm", "version": "1"}
MAX_CONDITION_RULES = 5  # CodePipeline: at most 5 rules per condition.

RECORD_COMMAND = 'aws ssm put-parameter --name "$IMAGE_PARAMETER" --value "$IMAGE_URI" --type String --overwrite'


def stage_names(require_approval: bool) -> list[str]:
    return ["Source", "Build", *(["Approval"] if require_approval else []), "Deploy", "Record"]


def _env(**variables: str) -> str:
    """A CodeBuild action's EnvironmentVariables configuration: JSON text."""
    return json.dumps([{"name": k, "value": v, "type": "PLAINTEXT"} for k, v in variables.items()])


def _action(
    name: str, category: str, provider: str, configuration: dict[str, Any], **extra: Any
) -> aws.codepipeline.PipelineStageActionArgsDict:
    action: dict[str, Any] = {
        "name": name,
        "category": category,
        "owner": "AWS",
        "provider": provider,
        "version": "1",
        "run_order": 1,
        "configuration": configuration,
        **extra,
    }
    return action  # type: ignore[return-value]  # built as a dict so optional keys stay absent


def source_action(
    action_provider: str,
    *,
    repository: pulumi.Input[str],
    branch: pulumi.Input[str],
    connection_arn: pulumi.Input[str] | None = None,
) -> aws.codepipeline.PipelineStageActionArgsDict:
    """The source action: a CodeConnections repository or a CodeCommit repository."""
    configuration: dict[str, Any]
    if action_provider == CONNECTION_PROVIDER:
        if connection_arn is None:
            raise ValueError("source_action: a CodeStarSourceConnection source needs connection_arn")
        configuration = {
            "ConnectionArn": connection_arn,
            "FullRepositoryId": repository,
            "BranchName": branch,
            "OutputArtifactFormat": "CODE_ZIP",
            # No DetectChanges: a V2 trigger (branch and file-path filters) replaces default change
            # detection (CodePipeline API reference, PipelineTriggerDeclaration).
        }
    elif action_provider == CODECOMMIT_PROVIDER:
        configuration = {
            "RepositoryName": repository,
            "BranchName": branch,
            "OutputArtifactFormat": "CODE_ZIP",
            # The EventBridge rule starts the pipeline; polling would start it twice.
            "PollForSourceChanges": "false",
        }
    else:
        raise ValueError(f"source_action: unknown provider {action_provider!r}")
    return _action(
        SOURCE_ACTION,
        "Source",
        action_provider,
        configuration,
        output_artifacts=[SOURCE_ARTIFACT],
        namespace=SOURCE_NAMESPACE,
    )


def ecs_deploy_action(
    *, cluster_name: pulumi.Input[str], service_name: pulumi.Input[str]
) -> aws.codepipeline.PipelineStageActionArgsDict:
    """The standard ECS deploy action: new task-definition revision with the built image."""
    return _action(
        "Deploy",
        "Deploy",
        "ECS",
        {"ClusterName": cluster_name, "ServiceName": service_name, "FileName": "imagedefinitions.json"},
        input_artifacts=[BUILD_ARTIFACT],
    )


def codebuild_deploy_action(*, project_name: pulumi.Input[str]) -> aws.codepipeline.PipelineStageActionArgsDict:
    """A CodeBuild project that rolls the workload to the built image (EKS: kubectl)."""
    return _action(
        "Deploy",
        "Build",
        "CodeBuild",
        {"ProjectName": project_name, "EnvironmentVariables": _env(IMAGE_URI=IMAGE_URI)},
        input_artifacts=[BUILD_ARTIFACT],
    )


def bake_condition(alarm_names: Sequence[str], minutes: int) -> dict[str, Any]:
    """The Deploy stage's `on_success`: watch each alarm for `minutes`; one in ALARM rolls the stage back."""
    if not 1 <= len(alarm_names) <= MAX_CONDITION_RULES:
        raise ValueError(f"a bake condition watches 1 to {MAX_CONDITION_RULES} alarms, got {len(alarm_names)}")
    return {
        "condition": {
            "result": "ROLLBACK",
            "rules": [
                {
                    "name": f"Bake{i + 1}",
                    "rule_type_id": dict(BAKE_RULE_TYPE),
                    "configuration": {"AlarmName": alarm, "WaitTime": str(minutes)},
                }
                for i, alarm in enumerate(alarm_names)
            ],
        }
    }


def pipeline_stages(
    *,
    source: aws.codepipeline.PipelineStageActionArgsDict,
    build_project_name: pulumi.Input[str],
    record_project_name: pulumi.Input[str],
    deploy: aws.codepipeline.PipelineStageActionArgsDict,
    approval_topic_arn: pulumi.Input[str] | None,
    deploy_on_success: pulumi.Input[dict[str, Any]] | None = None,
) -> list[aws.codepipeline.PipelineStageArgsDict]:
    """Source -> Build -> [Approval] -> Deploy (rolls back on failure, and on an alarm while it bakes) -> Record."""
    stages: list[aws.codepipeline.PipelineStageArgsDict] = [
        {"name": "Source", "actions": [source]},
        {
            "name": "Build",
            "actions": [
                _action(
                    "Build",
                    "Build",
                    "CodeBuild",
                    {"ProjectName": build_project_name, "EnvironmentVariables": _env(COMMIT_ID=COMMIT_ID)},
                    input_artifacts=[SOURCE_ARTIFACT],
                    output_artifacts=[BUILD_ARTIFACT],
                    namespace=BUILD_NAMESPACE,
                )
            ],
        },
    ]
    if approval_topic_arn is not None:
        stages.append(
            {
                "name": "Approval",
                "actions": [
                    _action(
                        "Approve",
                        "Approval",
                        "Manual",
                        {
                            "NotificationArn": approval_topic_arn,
                            "CustomData": f"Approve deploying {IMAGE_URI} (commit {COMMIT_ID})",
                        },
                    )
                ],
            }
        )
    deploy_stage: aws.codepipeline.PipelineStageArgsDict = {
        "name": "Deploy",
        "actions": [deploy],
        # A failed rollout returns the stage to the last execution that succeeded in it.
        "on_failure": {"result": "ROLLBACK"},
    }
    if deploy_on_success is not None:
        # Record runs only once the bake is clean: a rolled-back release is never recorded.
        deploy_stage["on_success"] = deploy_on_success  # type: ignore[typeddict-item]  # an Output of that dict
    stages += [
        deploy_stage,
        {
            "name": "Record",
            "actions": [
                _action(
                    "Record",
                    "Build",
                    "CodeBuild",
                    {"ProjectName": record_project_name, "EnvironmentVariables": _env(IMAGE_URI=IMAGE_URI)},
                    input_artifacts=[BUILD_ARTIFACT],
                )
            ],
        },
    ]
    return stages


def pipeline_triggers(
    *, branch: pulumi.Input[str], ignored_paths: Sequence[str]
) -> list[aws.codepipeline.PipelineTriggerArgsDict]:
    """Start on pushes to `branch`, unless every changed file matches `ignored_paths`."""
    if len(ignored_paths) > MAX_FILE_PATH_PATTERNS:
        raise ValueError(
            f"ignored_paths has {len(ignored_paths)} patterns; CodePipeline accepts at most {MAX_FILE_PATH_PATTERNS}"
        )
    push: aws.codepipeline.PipelineTriggerGitConfigurationPushArgsDict = {"branches": {"includes": [branch]}}
    if ignored_paths:
        push["file_paths"] = {"excludes": list(ignored_paths)}
    return [
        {
            "provider_type": CONNECTION_PROVIDER,
            "git_configuration": {"source_action_name": SOURCE_ACTION, "pushes": [push]},
        }
    ]


def codecommit_event_pattern(*, repository_arn: str, branch: str) -> dict[str, Any]:
    """EventBridge pattern: a commit on `branch` of the repository (created or moved)."""
    return {
        "source": ["aws.codecommit"],
        "detail-type": ["CodeCommit Repository State Change"],
        "resources": [repository_arn],
        "detail": {
            "event": ["referenceCreated", "referenceUpdated"],
            "referenceType": ["branch"],
            "referenceName": [branch],
        },
    }


@functools.cache
def record_buildspec() -> str:
    """Buildspec of the record step: write the deployed image to the SSM parameter."""
    spec = {
        "version": 0.2,
        "env": {"shell": "bash"},
        "phases": {
            "build": {
                "on-failure": "ABORT",
                "commands": [
                    'test -n "$IMAGE_URI" || { echo "No IMAGE_URI: run this step from the pipeline." >&2; exit 1; }',
                    RECORD_COMMAND,
                ],
            }
        },
    }
    return yaml.safe_dump(spec, sort_keys=False)
