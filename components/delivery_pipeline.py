"""`DeliveryPipeline`: CodePipeline V2 from a `Source` through build, approval and ECS deploy,
then a record of the deployed image that the next `pulumi up` reads back."""

import json
from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from policies.rules.contract import ENVIRONMENT_TAG

from .aws_context import aws_context
from .codebuild_step import codebuild_step
from .iam import json_output, service_trust
from .package import ComponentArgsError, package_options, type_token
from .pipeline_declaration import (
    APPROVAL_EVENTS,
    BAKE_EVENTS,
    CODECOMMIT_PROVIDER,
    CONNECTION_PROVIDER,
    PIPELINE_EVENTS,
    bake_condition,
    codebuild_deploy_action,
    codecommit_event_pattern,
    ecs_deploy_action,
    pipeline_stages,
    pipeline_triggers,
    record_buildspec,
    source_action,
    stage_names,
)
from .pipeline_policies import (
    pipeline_role_policy,
    record_role_policy,
    start_pipeline_policy,
)
from .pipeline_topics import PipelineTopics
from .source import PROVIDERS, PipelineSource
from .validation import retention_problem

EXECUTION_MODES = ("QUEUED", "SUPERSEDED", "PARALLEL")


class EcsDeployTarget(TypedDict):
    """The standard ECS deploy action's target: an `EcsService`'s outputs."""

    ecs_cluster_name: pulumi.Input[str]
    """Cluster of the service to deploy. Required."""
    ecs_service_name: pulumi.Input[str]
    """The ECS service to deploy. Required."""
    ecs_service_arn: pulumi.Input[str]
    """Its ARN (…:service/<cluster>/<service>). Required."""
    task_definition_family: pulumi.Input[str]
    """The task-definition family; the deploy registers new revisions only in it. Required."""
    task_role_arn: pulumi.Input[str]
    """The task role; the only roles the pipeline may pass are this one and the execution role. Required."""
    execution_role_arn: pulumi.Input[str]
    """The task execution role. Required."""


class EksDeployTarget(TypedDict):
    """A CodeBuild deploy step (`EksDeploy`) the pipeline runs: its outputs."""

    deploy_project_name: pulumi.Input[str]
    """The CodeBuild project that rolls the workload out and verifies it. Required."""
    deploy_project_arn: pulumi.Input[str]
    """Its ARN; the pipeline may start it. Required."""


class DeliveryPipelineArgs(TypedDict):
    source: PipelineSource
    """Where the code comes from. Required."""
    artifact_bucket_name: pulumi.Input[str]
    """The artifact bucket (name): the pipeline's artifact store. Required."""
    artifact_bucket_arn: pulumi.Input[str]
    """The artifact bucket (ARN), for the roles' policies. Required."""
    kms_key_arn: pulumi.Input[str]
    """The stack key: artifacts, topics and the record step's logs are encrypted with it. Required."""
    build_project_name: pulumi.Input[str]
    """The `ImageBuild` CodeBuild project. Required."""
    build_project_arn: pulumi.Input[str]
    """Its ARN; the pipeline may start only this build and the record step. Required."""
    ecs_deploy: NotRequired[EcsDeployTarget]
    """Deploy to this ECS service with the standard ECS action. Default: none; give it or `eks_deploy`."""
    eks_deploy: NotRequired[EksDeployTarget]
    """Deploy with this `EksDeploy` step. Default: none; give it or `ecs_deploy`."""
    image_parameter_name: pulumi.Input[str]
    """SSM parameter where the deployed image is recorded. Required."""
    image_parameter_arn: pulumi.Input[str]
    """Its ARN; the record step may write only this parameter. Required."""
    require_approval: NotRequired[bool]
    """Stop for a manual approval before deploying. Default: true."""
    notification_topic_arn: NotRequired[pulumi.Input[str]]
    """The stack's shared notification topic (`PipelineTopics.notification_topic_arn`, known once its policy
    admits CodeStar Notifications). Default: the pipeline creates topics of its own."""
    approval_topic_arn: NotRequired[pulumi.Input[str]]
    """The shared approval-request topic (`PipelineTopics.approval_topic_arn`), needed with
    `notification_topic_arn` when approvals are on. Default: the pipeline's own topic."""
    execution_mode: NotRequired[str]
    """QUEUED, SUPERSEDED or PARALLEL. Default: QUEUED."""
    ignored_paths: NotRequired[Sequence[str]]
    """Pushes that change only these paths do not start the pipeline (connection sources).
    Default: **/*.md, docs/**."""
    log_retention_days: NotRequired[int]
    """Days the record step's logs are kept. Default: 30."""
    environment: NotRequired[str]
    """Environment name, tagged `cicd:environment` on the pipeline for the policy pack. Default: none."""
    bake_alarm_names: NotRequired[pulumi.Input[Sequence[str]]]
    """Alarms (1-5, e.g. `EcsService.alarm_names`) the Deploy stage watches after a deploy; one in ALARM rolls
    the stage back and the release is not recorded. Default: no bake gate."""
    bake_minutes: NotRequired[int]
    """How long the bake gate watches the alarms (1-55). Default: 10."""


def validate_pipeline_args(name: str, args: DeliveryPipelineArgs) -> tuple[str, str]:
    """Every bad argument in one message; returns the source's action provider and branch."""
    problems: list[str] = []
    source = args["source"]
    provider = source.get("provider")
    branch = source.get("branch", "main")
    action_provider = CODECOMMIT_PROVIDER if provider == "codecommit" else CONNECTION_PROVIDER
    if provider not in PROVIDERS:
        problems.append(f"source.provider {provider!r} is not one of {', '.join(PROVIDERS)}")
    elif provider == "codecommit" and "repository_arn" not in source:
        problems.append("source.repository_arn is needed for codecommit (`Source.repository_arn`)")
    elif provider != "codecommit" and "connection_arn" not in source:
        problems.append(f"source.connection_arn is needed for {provider} (`Source.connection_arn`)")
    if not branch:
        problems.append("source.branch is empty; name the branch whose pushes deploy, e.g. main")
    if ("ecs_deploy" in args) == ("eks_deploy" in args):
        problems.append("give exactly one of ecs_deploy (an EcsService) and eks_deploy (an EksDeploy step)")
    mode = args.get("execution_mode", "QUEUED")
    if mode not in EXECUTION_MODES:
        problems.append(f"execution_mode {mode!r} is not one of {', '.join(EXECUTION_MODES)}")
    if problem := retention_problem(args.get("log_retention_days", 30)):
        problems.append(problem)
    bake_minutes = args.get("bake_minutes", 10)
    if not 1 <= bake_minutes <= 55:
        problems.append(f"bake_minutes {bake_minutes} must be 1-55")
    if args.get("require_approval", True) and "notification_topic_arn" in args and "approval_topic_arn" not in args:
        problems.append(
            "require_approval with shared topics needs approval_topic_arn (`PipelineTopics.approval_topic_arn`)"
        )
    if problems:
        raise ComponentArgsError(f"DeliveryPipeline {name}: " + "; ".join(problems))
    return action_provider, branch


class DeliveryPipeline(pulumi.ComponentResource):
    """CodePipeline V2 with its own least-privilege role, failure/success notifications, an
    optional approval gate, rollback of a failed deploy, and a record of the deployed image."""

    pipeline_name: pulumi.Output[str]
    """The pipeline's name (start it with `aws codepipeline start-pipeline-execution --name`). Always set."""
    pipeline_arn: pulumi.Output[str]
    """The pipeline's ARN. Always set."""
    notification_topic_arn: pulumi.Output[str]
    """The topic its failures, successes and approval requests go to. Always set."""
    approval_topic_arn: pulumi.Output[str] | None
    """The topic its Manual approval action publishes to. Default: none (no approval stage)."""
    stage_names: list[str]
    """The stages in order: Source, Build, [Approval,] Deploy, Record. Always set."""

    def __init__(self, name: str, args: DeliveryPipelineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            type_token("DeliveryPipeline"), name, None, package_options(opts, "cicd:delivery_pipeline:DeliveryPipeline")
        )
        source = args["source"]
        approval = args.get("require_approval", True)
        mode = args.get("execution_mode", "QUEUED")
        ignored = list(args.get("ignored_paths", ["**/*.md", "docs/**"]))
        retention = args.get("log_retention_days", 30)
        action_provider, branch = validate_pipeline_args(name, args)
        ecs = args.get("ecs_deploy")
        eks = args.get("eks_deploy")
        deploy_projects: list[pulumi.Input[str]] = []
        if eks is not None:
            deploy_action = codebuild_deploy_action(project_name=eks["deploy_project_name"])
            deploy_projects = [eks["deploy_project_arn"]]
        else:
            assert ecs is not None  # validate_pipeline_args requires exactly one target
            deploy_action = ecs_deploy_action(
                cluster_name=ecs["ecs_cluster_name"], service_name=ecs["ecs_service_name"]
            )
        bake_minutes = args.get("bake_minutes", 10)
        on_success = (
            pulumi.Output.from_input(args["bake_alarm_names"]).apply(lambda n: bake_condition(list(n), bake_minutes))
            if "bake_alarm_names" in args
            else None
        )
        connection = action_provider == CONNECTION_PROVIDER
        triggers = pipeline_triggers(branch=branch, ignored_paths=ignored) if connection else None
        child = pulumi.ResourceOptions(parent=self)
        ctx = aws_context(self)
        key = args["kms_key_arn"]

        # Notifications and approval requests go to KMS-encrypted topics: the stack's shared
        # ones when given, else this pipeline's own.
        notification_topic_arn = args.get("notification_topic_arn")
        approval_topic_arn: pulumi.Input[str] | None = args.get("approval_topic_arn") if approval else None
        if notification_topic_arn is None:
            own = PipelineTopics(name, {"kms_key_arn": key, "approvals": approval}, pulumi.ResourceOptions(parent=self))
            notification_topic_arn = own.notification_topic_arn
            approval_topic_arn = own.approval_topic_arn if approval else None

        # Record step: writes the deployed image where `pulumi up` reads it back.
        self.record_project: aws.codebuild.Project = codebuild_step(
            f"{name}-record",
            self,
            description=f"Record the image that pipeline {name} deployed",
            role_description=f"Record step of pipeline {name}: writes its image parameter",
            policy=lambda log_group_arn: json_output(
                record_role_policy,
                parameter_arn=args["image_parameter_arn"],
                log_group_arn=log_group_arn,
                bucket_arn=args["artifact_bucket_arn"],
                key_arn=key,
            ),
            buildspec=record_buildspec(),
            variables={"IMAGE_PARAMETER": args["image_parameter_name"]},
            kms_key_arn=key,
            log_retention_days=retention,
            timeout_minutes=5,
        ).project

        # The pipeline and its role.
        self.role: aws.iam.Role = aws.iam.Role(
            f"{name}-pipeline-role",
            description=f"CodePipeline {name}",
            assume_role_policy=json_output(
                service_trust, service="codepipeline.amazonaws.com", account_id=ctx.account_id
            ),
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-pipeline-policy",
            role=self.role.id,
            policy=json_output(
                pipeline_role_policy,
                bucket_arn=args["artifact_bucket_arn"],
                key_arn=key,
                build_project_arns=pulumi.Output.all(
                    args["build_project_arn"], self.record_project.arn, *deploy_projects
                ),
                ecs_service_arn=ecs["ecs_service_arn"] if ecs else None,
                task_definition_family=ecs["task_definition_family"] if ecs else None,
                task_role_arn=ecs["task_role_arn"] if ecs else None,
                execution_role_arn=ecs["execution_role_arn"] if ecs else None,
                connection_arn=source.get("connection_arn"),
                repository_arn=source.get("repository_arn"),
                approval_topic_arn=approval_topic_arn,
            ),
            opts=child,
        )
        stages = pipeline_stages(
            source=source_action(
                action_provider,
                repository=source["repository"],
                branch=branch,
                connection_arn=source.get("connection_arn"),
            ),
            build_project_name=args["build_project_name"],
            record_project_name=self.record_project.name,
            deploy=deploy_action,
            approval_topic_arn=approval_topic_arn,
            deploy_on_success=on_success,
        )
        self.pipeline: aws.codepipeline.Pipeline = aws.codepipeline.Pipeline(
            f"{name}-pipeline",
            pipeline_type="V2",
            execution_mode=mode,
            role_arn=self.role.arn,
            artifact_stores=[
                {
                    "location": args["artifact_bucket_name"],
                    "type": "S3",
                    "encryption_key": {"id": key, "type": "KMS"},
                }
            ],
            stages=stages,
            triggers=triggers,
            tags={ENVIRONMENT_TAG: args["environment"]} if "environment" in args else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )

        aws.codestarnotifications.NotificationRule(
            f"{name}-notify",
            detail_type="FULL",
            event_type_ids=[
                *PIPELINE_EVENTS,
                *(APPROVAL_EVENTS if approval else ()),
                *(BAKE_EVENTS if on_success is not None else ()),
            ],
            resource=self.pipeline.arn,
            targets=[{"address": notification_topic_arn, "type": "SNS"}],
            opts=child,
        )
        if "repository_arn" in source:
            self._codecommit_trigger(name, source["repository_arn"], branch, ctx.account_id)

        self.pipeline_name = self.pipeline.name
        self.pipeline_arn = self.pipeline.arn
        self.notification_topic_arn = pulumi.Output.from_input(notification_topic_arn)
        self.approval_topic_arn = None if approval_topic_arn is None else pulumi.Output.from_input(approval_topic_arn)
        self.stage_names = stage_names(approval)
        self.register_outputs(
            {
                "pipeline_name": self.pipeline_name,
                "pipeline_arn": self.pipeline_arn,
                "notification_topic_arn": self.notification_topic_arn,
                "approval_topic_arn": self.approval_topic_arn,
                "stage_names": self.stage_names,
            }
        )

    def _codecommit_trigger(
        self, name: str, repository_arn: pulumi.Input[str], branch: str, account_id: pulumi.Output[str]
    ) -> None:
        """CodeCommit has no V2 git triggers: an EventBridge rule starts the pipeline on a commit."""
        child = pulumi.ResourceOptions(parent=self)
        rule = aws.cloudwatch.EventRule(
            f"{name}-trigger",
            description=f"Start pipeline {name} on commits to {branch}",
            event_pattern=pulumi.Output.from_input(repository_arn).apply(
                lambda arn: json.dumps(codecommit_event_pattern(repository_arn=arn, branch=branch))
            ),
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-trigger-role",
            assume_role_policy=json_output(service_trust, service="events.amazonaws.com", account_id=account_id),
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-trigger-policy",
            role=role.id,
            policy=json_output(start_pipeline_policy, pipeline_arn=self.pipeline.arn),
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-trigger-target",
            rule=rule.name,
            arn=self.pipeline.arn,
            role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
