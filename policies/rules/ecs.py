"""ECS: hardened containers (not privileged, read-only root, no host PID, no secrets in plain
environment variables, logs), distinct execution and task roles, no public IP, Container Insights.

`containerDefinitions` is a JSON string: it is parsed. A string that does not parse is left to
ECS, which refuses to register it, so no container of it can run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .props import looks_like_aws_key, matches_any
from .registry import Config, Resource, resource_rule

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
CLUSTER = "aws:ecs/cluster:Cluster"
SECRET_NAMES = ["*PASSWORD*", "*SECRET*", "*TOKEN*", "*_KEY", "AWS_ACCESS_KEY_ID"]


def _containers(resource: Resource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    raw = resource.props.get("containerDefinitions")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return
    for i, container in enumerate(raw if isinstance(raw, Sequence) and not isinstance(raw, str) else []):
        if isinstance(container, Mapping):
            yield str(container.get("name", f"#{i}")), container


@resource_rule(
    name="ecs-no-privileged-containers",
    types=[TASK_DEFINITION],
    description="No ECS container runs privileged (mandatory: a privileged container is root on the host).",
    severity="critical",
    remediation="Remove privileged from the container definition (container_definitions() sets it false).",
)
def no_privileged(resource: Resource, config: Config) -> Iterator[str]:
    for name, container in _containers(resource):
        if container.get("privileged") is True:
            yield f"container {name}: privileged is true: set it to false"


@resource_rule(
    name="ecs-read-only-root-filesystem",
    types=[TASK_DEFINITION],
    description="ECS containers run with a read-only root filesystem (mandatory: an attacker cannot change the "
    "image's binaries or drop tools into it).",
    severity="medium",
    remediation="Set readonlyRootFilesystem true and mount a volume (e.g. /tmp) for paths the process writes.",
)
def read_only_root(resource: Resource, config: Config) -> Iterator[str]:
    for name, container in _containers(resource):
        if container.get("readonlyRootFilesystem") is not True:
            yield (
                f"container {name}: readonlyRootFilesystem is not true: set it to true and mount a volume for "
                "writable paths"
            )


@resource_rule(
    name="ecs-no-host-pid",
    types=[TASK_DEFINITION],
    description="ECS tasks do not share the host's process namespace (mandatory: pidMode host lets containers "
    "see and signal every process on the host).",
    severity="high",
    remediation="Remove pid_mode, or set it to 'task'.",
)
def no_host_pid(resource: Resource, config: Config) -> Iterator[str]:
    if resource.props.get("pidMode") == "host":
        yield "pidMode is host: remove pid_mode or set it to task"


@resource_rule(
    name="ecs-no-plaintext-secrets",
    types=[TASK_DEFINITION],
    description="ECS containers take secrets from `secrets` (Secrets Manager, Parameter Store), never from plain "
    "`environment` (mandatory: plain variables are readable by anyone who can describe the task definition).",
    severity="critical",
    remediation="Move the variable to the container's `secrets` with valueFrom a Secrets Manager secret or "
    "SecureString parameter; give AWS access through the task role, never access keys.",
    config={
        "secretNamePatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": SECRET_NAMES,
            "description": "Shell-style patterns (case-insensitive) of variable names that hold secrets.",
        }
    },
)
def no_plaintext_secrets(resource: Resource, config: Config) -> Iterator[str]:
    for name, container in _containers(resource):
        for variable in container.get("environment") or []:
            var = str(variable.get("name", ""))
            if matches_any(var, config["secretNamePatterns"]):
                yield f"container {name}: environment variable {var} looks like a secret: move it to secrets"
            elif looks_like_aws_key(variable.get("value")):
                yield (
                    f"container {name}: environment variable {var} has a value that looks like an AWS access key id: "
                    "use the task role, or move it to secrets"
                )


@resource_rule(
    name="ecs-container-logging",
    types=[TASK_DEFINITION],
    description="Every ECS container sends its output to a log driver (advisory: application logs are operational; "
    "the security record of the platform is CloudTrail and the build logs).",
    severity="medium",
    remediation="Set logConfiguration with the awslogs driver and a KMS-encrypted log group.",
    level="advisory",
)
def container_logging(resource: Resource, config: Config) -> Iterator[str]:
    for name, container in _containers(resource):
        if not container.get("logConfiguration"):
            yield f"container {name} has no logConfiguration: set the awslogs driver with a KMS-encrypted log group"


@resource_rule(
    name="ecs-distinct-task-roles",
    types=[TASK_DEFINITION],
    description="ECS task definitions set both an execution role and a task role, and they differ (mandatory: the "
    "application must not hold the image-pull and secret-read permissions of the ECS agent).",
    severity="medium",
    remediation="Give the task definition its own execution role (ECR pull, logs, secrets) and a separate task "
    "role for the application (EcsService does this).",
)
def distinct_roles(resource: Resource, config: Config) -> Iterator[str]:
    execution, task = resource.props.get("executionRoleArn"), resource.props.get("taskRoleArn")
    if not execution:
        yield "executionRoleArn is not set: set an execution role for image pull and logs"
    if not task:
        yield "taskRoleArn is not set: set a task role for the application, distinct from the execution role"
    if execution and execution == task:
        yield f"executionRoleArn and taskRoleArn are the same role {task}: give the application its own task role"


@resource_rule(
    name="ecs-no-public-ip",
    types=[SERVICE],
    description="ECS services give their tasks no public IP (mandatory: public access; traffic comes through the "
    "load balancer).",
    severity="high",
    remediation="Set network_configuration.assign_public_ip=False and run tasks in private subnets with NAT or "
    "VPC endpoints.",
)
def no_public_ip(resource: Resource, config: Config) -> Iterator[str]:
    network = resource.props.get("networkConfiguration") or {}
    if network.get("assignPublicIp") is True:
        yield "networkConfiguration.assignPublicIp is true: set it to false and run tasks in private subnets"


@resource_rule(
    name="ecs-container-insights",
    types=[CLUSTER],
    description="ECS clusters have Container Insights on (advisory: metrics and diagnosis, operational).",
    severity="low",
    remediation="Set settings=[{'name': 'containerInsights', 'value': 'enhanced'}] (EcsCluster does this).",
    level="advisory",
)
def container_insights(resource: Resource, config: Config) -> Iterator[str]:
    values = [s.get("value") for s in resource.props.get("settings") or [] if s.get("name") == "containerInsights"]
    if not any(v in ("enabled", "enhanced") for v in values):
        shown = values[0] if values else "not set"
        yield f"settings containerInsights is {shown}: set it to enhanced (or enabled)"
