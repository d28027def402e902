"""`CiRunner`: a CodeBuild-hosted GitHub Actions runner inside the stack's VPC.

A cluster with a private API endpoint is reachable only from inside its VPC, so GitHub's hosted
runners cannot `pulumi preview` or `pulumi up` such a stack. This project runs those jobs in
CodeBuild instead, in the private subnets, as AWS documents it ("Tutorial: Configure a
CodeBuild-hosted GitHub Actions runner", CodeBuild User Guide, action-runner.html):
- the project's webhook is filtered on the `WORKFLOW_JOB_QUEUED` event (a filter group with one
  `EVENT` filter), so GitHub's `workflow_job` "queued" deliveries start a build that registers an
  ephemeral runner for that one job;
- a job asks for it with the label `codebuild-<project-name>-${{ github.run_id }}-${{ github.run_attempt }}`
  ("Label overrides supported with the CodeBuild-hosted GitHub Actions runner");
- the source is the GitHub repository of the workflows, through the stack's CodeConnections
  connection (a GitHub App connection, "GitHub App connections", same guide), whose token the
  project's role may fetch.

The runner's own role can do nothing in AWS but write its logs, use the connection and attach
its network interfaces: the jobs assume their GitHub environment's role through OIDC, as on a
hosted runner. Its security group sends HTTPS out only; `cluster_security_group_id` lets it reach
the Kubernetes API.
"""

from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from pulumi_aws.cloudwatch.log_group import LogGroup

from .aws_context import aws_context
from .codebuild_step import https_only_security_group
from .iam import Document, codebuild_vpc_statements, document, json_output, service_trust, statement
from .package import type_token
from .pipeline_policies import connection_arns

# Ubuntu, so actions/setup-python finds its prebuilt Python (it has none for Amazon Linux).
RUNNER_IMAGE = "aws/codebuild/standard:7.0"
WEBHOOK_FILTER_GROUPS: list[list[dict[str, str]]] = [[{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}]]
"""The webhook filter of AWS's runner tutorial: every queued workflow job of the repository."""


def runs_on(project_name: str) -> str:
    """The `runs-on` label a GitHub Actions job uses to run on this project's runner."""
    return f"codebuild-{project_name}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}"


def runner_project_name(project: str, stack: str) -> str:
    """A fixed name (the workflows name it in `runs-on`), unique per project and stack."""
    return f"{project}-{stack}-ci-runner"


def runner_role_policy(
    *,
    log_group_arn: str,
    connection_arn: str,
    subnet_arns: Sequence[str],
    security_group_arn: str,
    network_interfaces_arn: str,
) -> Document:
    """Write the runner's logs, fetch the connection's GitHub token, run in the VPC. Nothing else."""
    return document(
        statement(
            "WriteRunnerLogs",
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            [log_group_arn, f"{log_group_arn}:log-stream:*"],
        ),
        statement(
            "UseConnection",
            ("codeconnections:GetConnection", "codeconnections:GetConnectionToken", "codeconnections:UseConnection"),
            [connection_arns(connection_arn)[0]],
        ),
        *codebuild_vpc_statements(
            "Runner",
            network_interfaces_arn=network_interfaces_arn,
            security_group_arn=security_group_arn,
            subnet_arns=subnet_arns,
        ),
    )


class CiRunnerArgs(TypedDict):
    project_name: str
    """CodeBuild project name, which the workflows' `runs-on` label names (`runner_project_name`). Required."""
    repository_url: pulumi.Input[str]
    """HTTPS URL of the GitHub repository whose workflow jobs run here, e.g. https://github.com/o/r. Required."""
    connection_arn: pulumi.Input[str]
    """CodeConnections connection (AVAILABLE, not PENDING) that can read that repository. Required."""
    vpc_id: pulumi.Input[str]
    """VPC the runner runs in: the cluster's. Required."""
    subnet_ids: pulumi.Input[Sequence[str]]
    """Private subnets (with NAT) of the runner's network interfaces. Required."""
    kms_key_arn: pulumi.Input[str]
    """Key of the runner's log group and build artifacts. Required."""
    cluster_security_group_id: NotRequired[pulumi.Input[str]]
    """Security group of the private Kubernetes API endpoint, opened to the runner. Default: none."""
    log_retention_days: NotRequired[int]
    """Days the runner's logs are kept. Default: 30."""
    compute_type: NotRequired[str]
    """CodeBuild compute type of each job. Default: BUILD_GENERAL1_MEDIUM."""
    timeout_minutes: NotRequired[int]
    """Longest job, in minutes (the workflows' own limit is 90). Default: 120."""


class CiRunner(pulumi.ComponentResource):
    """A CodeBuild project with a WORKFLOW_JOB_QUEUED webhook, in the private subnets, with its own role."""

    project_name: pulumi.Output[str]
    """The runner's CodeBuild project. Always set."""
    security_group_id: pulumi.Output[str]
    """The runner's security group (let in to the private Kubernetes API). Always set."""
    runs_on: pulumi.Output[str]
    """The `runs-on` label a workflow job names to run here. Always set."""

    def __init__(self, name: str, args: CiRunnerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("CiRunner"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = aws_context(self)
        ec2_arn = pulumi.Output.concat("arn:", ctx.partition, ":ec2:", ctx.region, ":", ctx.account_id, ":")
        group = https_only_security_group(
            name,
            self,
            vpc_id=args["vpc_id"],
            description="GitHub Actions runner: HTTPS out only",
            egress_description="GitHub, AWS APIs, the Kubernetes API, package downloads",
            api_security_group_id=args.get("cluster_security_group_id"),
            api_description="GitHub Actions runner to the Kubernetes API",
        )
        log_group = LogGroup(
            f"{name}-logs",
            name=f"/aws/codebuild/{args['project_name']}",
            retention_in_days=args.get("log_retention_days", 30),
            kms_key_id=args["kms_key_arn"],
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-role",
            description="GitHub Actions runner: its logs, its connection, its network interfaces",
            assume_role_policy=json_output(service_trust, service="codebuild.amazonaws.com", account_id=ctx.account_id),
            max_session_duration=3600,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            policy=json_output(
                runner_role_policy,
                log_group_arn=log_group.arn,
                connection_arn=args["connection_arn"],
                subnet_arns=pulumi.Output.from_input(args["subnet_ids"]).apply(
                    lambda ids: pulumi.Output.all(*[pulumi.Output.concat(ec2_arn, "subnet/", i) for i in ids])
                ),
                security_group_arn=pulumi.Output.concat(ec2_arn, "security-group/", group.id),
                network_interfaces_arn=pulumi.Output.concat(ec2_arn, "network-interface/*"),
            ),
            opts=child,
        )
        project = aws.codebuild.Project(
            name,
            name=args["project_name"],
            description="GitHub Actions runner inside the VPC (WORKFLOW_JOB_QUEUED webhook)",
            service_role=role.arn,
            encryption_key=args["kms_key_arn"],
            build_timeout=args.get("timeout_minutes", 120),
            queued_timeout=60,
            source={
                "type": "GITHUB",
                "location": args["repository_url"],
                "auth": {"type": "CODECONNECTIONS", "resource": args["connection_arn"]},
                "git_clone_depth": 1,
            },
            artifacts={"type": "NO_ARTIFACTS"},
            environment={
                "type": "LINUX_CONTAINER",
                "compute_type": args.get("compute_type", "BUILD_GENERAL1_MEDIUM"),
                "image": RUNNER_IMAGE,
                "image_pull_credentials_type": "CODEBUILD",
                "privileged_mode": False,
            },
            vpc_config={"vpc_id": args["vpc_id"], "subnets": args["subnet_ids"], "security_group_ids": [group.id]},
            logs_config={
                "cloudwatch_logs": {"status": "ENABLED", "group_name": log_group.name},
                "s3_logs": {"status": "DISABLED"},
            },
            # CodeBuild checks the role's permissions when the project is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        filter_groups: Any = WEBHOOK_FILTER_GROUPS
        aws.codebuild.Webhook(
            f"{name}-webhook",
            project_name=project.name,
            build_type="BUILD",
            filter_groups=[{"filters": group_filters} for group_filters in filter_groups],
            opts=child,
        )
        self.project_name = project.name
        self.security_group_id = group.id
        self.runs_on = project.name.apply(runs_on)
        self.register_outputs(
            {"project_name": self.project_name, "security_group_id": self.security_group_id, "runs_on": self.runs_on}
        )
