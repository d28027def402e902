"""ECS rules: one table per policy, one changed field per case. Container definitions are built as
data and serialised, the way EcsService does it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.container_definitions import container_definitions
from tests.policy_harness import DELETE, changed, resource_messages

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
CONTAINER = container_definitions(
    name="web",
    image="123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "ab" * 32,
    port=8080,
    log_group="/ecs/web",
    region="us-east-1",
    stream_prefix="ecs",
)[0]
TASK_PROPS: dict[str, Any] = {
    "family": "container-delivery-dev-web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "executionRoleArn": "arn:aws:iam::123456789012:role/web-execution-role",
    "taskRoleArn": "arn:aws:iam::123456789012:role/web-task-role",
}


def task(path: str | None = None, value: Any = None, *, container_path: str | None = None) -> dict[str, Any]:
    """The happy-path task definition with one field of the task or of its container changed."""
    container = changed(CONTAINER, container_path, value) if container_path else CONTAINER
    props = changed(TASK_PROPS, path, value) if path else dict(TASK_PROPS)
    return {**props, "containerDefinitions": json.dumps([container])}


def task_messages(policy: str, props: dict[str, Any], **params: Any) -> list[str]:
    return resource_messages(policy, TASK_DEFINITION, props, **params)


@pytest.mark.parametrize(
    "policy",
    [
        "ecs-no-privileged-containers",
        "ecs-read-only-root-filesystem",
        "ecs-no-host-pid",
        "ecs-no-plaintext-secrets",
        "ecs-container-logging",
        "ecs-distinct-task-roles",
    ],
)
def test_happy_path_task_definition_passes(policy):
    assert task_messages(policy, task()) == []


def test_unparsable_container_definitions_are_left_to_ecs():
    # Given container definitions ECS would refuse to register, Then no container rule reports on them
    props = {**TASK_PROPS, "containerDefinitions": "[{not json"}
    assert task_messages("ecs-no-privileged-containers", props) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(False, [], id="compliant_false"),
        pytest.param(DELETE, [], id="compliant_unset"),
        pytest.param(True, ["container web: privileged is true: set it to false"], id="noncompliant_privileged"),
    ],
)
def test_ecs_no_privileged_containers(value, expected):
    assert task_messages("ecs-no-privileged-containers", task(container_path="privileged", value=value)) == expected


READ_ONLY = "container web: readonlyRootFilesystem is not true: set it to true and mount a volume for writable paths"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(True, [], id="compliant_read_only"),
        pytest.param(False, [READ_ONLY], id="noncompliant_false"),
        pytest.param(DELETE, [READ_ONLY], id="noncompliant_unset"),
    ],
)
def test_ecs_read_only_root_filesystem(value, expected):
    assert task_messages(
        "ecs-read-only-root-filesystem", task(container_path="readonlyRootFilesystem", value=value)
    ) == (expected)


def test_ecs_rules_name_every_container():
    # Given a second, writable container beside the happy one
    props = task()
    second = changed(changed(CONTAINER, "name", "sidecar"), "readonlyRootFilesystem", False)
    props["containerDefinitions"] = json.dumps([CONTAINER, second])
    # Then only the sidecar is reported
    assert task_messages("ecs-read-only-root-filesystem", props) == [READ_ONLY.replace("web", "sidecar", 1)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("task", [], id="compliant_task"),
        pytest.param("host", ["pidMode is host: remove pid_mode or set it to task"], id="noncompliant_host"),
    ],
)
def test_ecs_no_host_pid(value, expected):
    assert task_messages("ecs-no-host-pid", task("pidMode", value)) == expected


def _env(name: str, value: str) -> list[dict[str, str]]:
    return [{"name": name, "value": value}]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(_env("PORT", "8080"), [], id="compliant_ordinary_variable"),
        pytest.param(_env("KEY_PREFIX", "web/"), [], id="compliant_key_not_suffix"),
        pytest.param(
            _env("DB_PASSWORD", "hunter2"),
            ["container web: environment variable DB_PASSWORD looks like a secret: move it to secrets"],
            id="noncompliant_password",
        ),
        pytest.param(
            _env("client_secret", "x"),
            ["container web: environment variable client_secret looks like a secret: move it to secrets"],
            id="noncompliant_secret_any_case",
        ),
        pytest.param(
            _env("SLACK_TOKEN_VALUE", "x"),
            ["container web: environment variable SLACK_TOKEN_VALUE looks like a secret: move it to secrets"],
            id="noncompliant_token",
        ),
        pytest.param(
            _env("STRIPE_API_KEY", "x"),
            ["container web: environment variable STRIPE_API_KEY looks like a secret: move it to secrets"],
            id="noncompliant_key_suffix",
        ),
        pytest.param(
            _env("AWS_ACCESS_KEY_ID", "x"),
            ["container web: environment variable AWS_ACCESS_KEY_ID looks like a secret: move it to secrets"],
            id="noncompliant_access_key_id_name",
        ),
        pytest.param(
            _env("UPLOADER", "AKIAIOSFODNN7EXAMPLE"),
            [
                "container web: environment variable UPLOADER has a value that looks like an AWS access key id: "
                "use the task role, or move it to secrets"
            ],
            id="noncompliant_akia_value",
        ),
    ],
)
def test_ecs_no_plaintext_secrets(value, expected):
    assert task_messages("ecs-no-plaintext-secrets", task(container_path="environment", value=value)) == expected


def test_ecs_secrets_from_secrets_manager_pass():
    # Given the password referenced through `secrets`, not `environment`
    secret = [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}]
    assert task_messages("ecs-no-plaintext-secrets", task(container_path="secrets", value=secret)) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"logDriver": "awsfirelens"}, [], id="compliant_other_driver"),
        pytest.param(
            DELETE,
            ["container web has no logConfiguration: set the awslogs driver with a KMS-encrypted log group"],
            id="noncompliant_no_log_configuration",
        ),
    ],
)
def test_ecs_container_logging(value, expected):
    assert task_messages("ecs-container-logging", task(container_path="logConfiguration", value=value)) == expected


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("taskRoleArn", "arn:aws:iam::123456789012:role/other", [], id="compliant_other_task_role"),
        pytest.param(
            "taskRoleArn",
            DELETE,
            ["taskRoleArn is not set: set a task role for the application, distinct from the execution role"],
            id="noncompliant_no_task_role",
        ),
        pytest.param(
            "executionRoleArn",
            DELETE,
            ["executionRoleArn is not set: set an execution role for image pull and logs"],
            id="noncompliant_no_execution_role",
        ),
        pytest.param(
            "taskRoleArn",
            TASK_PROPS["executionRoleArn"],
            [
                "executionRoleArn and taskRoleArn are the same role arn:aws:iam::123456789012:role/web-execution-role: "
                "give the application its own task role"
            ],
            id="noncompliant_same_role",
        ),
    ],
)
def test_ecs_distinct_task_roles(path, value, expected):
    assert task_messages("ecs-distinct-task-roles", task(path, value)) == expected


SERVICE_PROPS = {
    "launchType": "FARGATE",
    "desiredCount": 2,
    "networkConfiguration": {"subnets": ["subnet-1", "subnet-2"], "securityGroups": ["sg-1"], "assignPublicIp": False},
}


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("networkConfiguration.assignPublicIp", False, [], id="compliant_false"),
        pytest.param("networkConfiguration.assignPublicIp", DELETE, [], id="compliant_default_false"),
        pytest.param("networkConfiguration", DELETE, [], id="compliant_no_awsvpc"),
        pytest.param(
            "networkConfiguration.assignPublicIp",
            True,
            ["networkConfiguration.assignPublicIp is true: set it to false and run tasks in private subnets"],
            id="noncompliant_public_ip",
        ),
    ],
)
def test_ecs_no_public_ip(path, value, expected):
    props = changed(SERVICE_PROPS, path, value)
    assert resource_messages("ecs-no-public-ip", "aws:ecs/service:Service", props) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param([{"name": "containerInsights", "value": "enhanced"}], [], id="compliant_enhanced"),
        pytest.param([{"name": "containerInsights", "value": "enabled"}], [], id="compliant_enabled"),
        pytest.param(
            [{"name": "containerInsights", "value": "disabled"}],
            ["settings containerInsights is disabled: set it to enhanced (or enabled)"],
            id="noncompliant_disabled",
        ),
        pytest.param(
            DELETE, ["settings containerInsights is not set: set it to enhanced (or enabled)"], id="noncompliant_unset"
        ),
    ],
)
def test_ecs_container_insights(value, expected):
    props = changed({"settings": [{"name": "containerInsights", "value": "enhanced"}]}, "settings", value)
    assert resource_messages("ecs-container-insights", "aws:ecs/cluster:Cluster", props) == expected
