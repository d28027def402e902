"""IAM documents of the delivery pipeline, as plain functions of ARNs.

`DeliveryPipeline` resolves its inputs and calls these; tests call them directly and hand
the results to moto, parliament and policy_sentry.
"""

from __future__ import annotations

from collections.abc import Sequence

from .iam import Document, Statement, document, statement

# What the CodeCommit source action does with the repository (the CodePipeline user guide's list).
CODECOMMIT_SOURCE_ACTIONS = (
    "codecommit:CancelUploadArchive",
    "codecommit:GetBranch",
    "codecommit:GetCommit",
    "codecommit:GetUploadArchiveStatus",
    "codecommit:UploadArchive",
)


def _arn_parts(arn: str) -> tuple[str, str, str, str, str]:
    """(partition, service, region, account, resource) of an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(f"{arn!r} is not an ARN")
    return parts[1], parts[2], parts[3], parts[4], parts[5]


def connection_arns(connection_arn: str) -> tuple[str, str]:
    """The connection's ARN under both service prefixes: (codeconnections, codestar-connections).

    CodeConnections was renamed from CodeStar Connections; a connection keeps the prefix it was
    created with, and each IAM action names resources with its own prefix.
    """
    partition, _service, region, account, resource = _arn_parts(connection_arn)
    return (
        f"arn:{partition}:codeconnections:{region}:{account}:{resource}",
        f"arn:{partition}:codestar-connections:{region}:{account}:{resource}",
    )


def _ecs_scope(ecs_service_arn: str, task_definition_family: str) -> tuple[str, str, str]:
    """ARN patterns of the service's tasks, container instances and task-definition family."""
    partition, _service, region, account, resource = _arn_parts(ecs_service_arn)
    kind, _, path = resource.partition("/")
    if kind != "service" or "/" not in path:
        raise ValueError(f"{ecs_service_arn!r} is not an ECS service ARN (…:service/<cluster>/<service>)")
    cluster = path.split("/", 1)[0]
    prefix = f"arn:{partition}:ecs:{region}:{account}"
    return (
        f"{prefix}:task/{cluster}/*",
        f"{prefix}:container-instance/{cluster}/*",
        f"{prefix}:task-definition/{task_definition_family}:*",
    )


def pipeline_role_policy(
    *,
    bucket_arn: str,
    key_arn: str,
    build_project_arns: Sequence[str],
    ecs_service_arn: str | None = None,
    task_definition_family: str | None = None,
    task_role_arn: str | None = None,
    execution_role_arn: str | None = None,
    connection_arn: str | None = None,
    repository_arn: str | None = None,
    approval_topic_arn: str | None = None,
) -> Document:
    """What the pipeline itself does: move artifacts, read the source, start the builds (the
    deploy step too, for EKS), roll an ECS service to a new task-definition revision and ask for
    approval. Nothing else."""
    if (connection_arn is None) == (repository_arn is None):
        raise ValueError("pipeline_role_policy: give exactly one of connection_arn and repository_arn")
    statements: list[Statement] = [
        statement(
            "ReadWritePipelineArtifacts",
            ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"),
            [f"{bucket_arn}/*"],
        ),
        statement("InspectArtifactBucket", ("s3:GetBucketLocation", "s3:GetBucketVersioning"), [bucket_arn]),
        statement("UseStackKey", ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"), [key_arn]),
    ]
    if connection_arn is not None:
        new_prefix, old_prefix = connection_arns(connection_arn)
        statements += [
            statement("UseSourceConnection", ("codeconnections:UseConnection",), [new_prefix]),
            statement("UseSourceConnectionLegacyPrefix", ("codestar-connections:UseConnection",), [old_prefix]),
        ]
    if repository_arn is not None:
        statements.append(statement("ReadSourceRepository", CODECOMMIT_SOURCE_ACTIONS, [repository_arn]))
    statements.append(
        statement("RunOwnBuilds", ("codebuild:BatchGetBuilds", "codebuild:StartBuild"), list(build_project_arns))
    )
    if ecs_service_arn is not None:
        if task_definition_family is None or task_role_arn is None or execution_role_arn is None:
            raise ValueError("pipeline_role_policy: an ECS deploy needs the task family and both task roles")
        statements += _ecs_deploy_statements(ecs_service_arn, task_definition_family, task_role_arn, execution_role_arn)
    if approval_topic_arn is not None:
        statements.append(statement("AskForApproval", ("sns:Publish",), [approval_topic_arn]))
    return document(*statements)


def _ecs_deploy_statements(
    ecs_service_arn: str, task_definition_family: str, task_role_arn: str, execution_role_arn: str
) -> list[Statement]:
    """The standard ECS deploy action: register a revision in the family, update the service."""
    tasks, container_instances, task_definitions = _ecs_scope(ecs_service_arn, task_definition_family)
    return [
        statement("RollOutService", ("ecs:DescribeServices", "ecs:UpdateService"), [ecs_service_arn]),
        statement("WatchRollout", ("ecs:DescribeTasks",), [tasks]),
        statement("ListServiceTasks", ("ecs:ListTasks",), [container_instances]),
        statement("RegisterNewRevision", ("ecs:RegisterTaskDefinition",), [task_definitions]),
        # A new revision carries the old one's tags: tagging is allowed only as part of registering.
        statement(
            "TagNewRevision",
            ("ecs:TagResource",),
            [task_definitions],
            conditions={"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}},
        ),
        # DescribeTaskDefinition accepts no resource ARN in IAM (policy_sentry: "*" only).
        statement("ReadCurrentRevision", ("ecs:DescribeTaskDefinition",), ["*"]),
        statement(
            "PassServiceRolesToEcsTasks",
            ("iam:PassRole",),
            [task_role_arn, execution_role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        ),
    ]


def record_role_policy(*, parameter_arn: str, log_group_arn: str, bucket_arn: str, key_arn: str) -> Document:
    """The record step writes one SSM parameter. CodeBuild also needs to fetch the action's input
    artifact (read-only) and write the step's logs."""
    return document(
        statement(
            "WriteRecordLogs",
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            [log_group_arn, f"{log_group_arn}:log-stream:*"],
        ),
        statement("ReadInputArtifact", ("s3:GetObject", "s3:GetObjectVersion"), [f"{bucket_arn}/*"]),
        statement("DecryptInputArtifact", ("kms:Decrypt",), [key_arn]),
        statement("RecordDeployedImage", ("ssm:PutParameter",), [parameter_arn]),
    )


def start_pipeline_policy(pipeline_arn: str) -> Document:
    """EventBridge (CodeCommit sources) may start this pipeline and nothing else."""
    return document(statement("StartThisPipeline", ("codepipeline:StartPipelineExecution",), [pipeline_arn]))


def notification_topic_policy(*, topic_arn: str, account_id: str) -> Document:
    """CodeStar Notifications may publish to the topic, only for this account's rules."""
    return document(
        statement(
            "CodeStarNotificationsPublish",
            ("sns:Publish",),
            [topic_arn],
            principal={"Service": "codestar-notifications.amazonaws.com"},
            conditions={"StringEquals": {"aws:SourceAccount": account_id}},
        )
    )
