"""CodeBuild and CodePipeline rules: one table per policy, one changed field per case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import yaml
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import DELETE, changed, messages, resource_messages, state

PROJECT = "aws:codebuild/project:Project"
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
KEY = "arn:aws:kms:us-east-1:123456789012:key/9f58f95d-8940-1a77-6c0e-74cc25e9803e"
FIX = "move it to Secrets Manager or Parameter Store and set type SECRETS_MANAGER or PARAMETER_STORE"

BUILDSPEC = yaml.safe_dump(
    {
        "version": 0.2,
        "phases": {
            "pre_build": {"commands": ["aws ecr get-login-password | docker login --password-stdin x"]},
            "build": {
                "commands": ['if [ -z "$D" ]; then docker buildx build --tag "$REPOSITORY_URI:$IMAGE_TAG" --push .; fi']
            },
        },
    }
)

PROJECT_PROPS = {
    "serviceRole": "arn:aws:iam::123456789012:role/web-role",
    "encryptionKey": KEY,
    "source": {"type": "CODEPIPELINE", "buildspec": BUILDSPEC},
    "artifacts": {"type": "CODEPIPELINE"},
    "environment": {
        "type": "LINUX_CONTAINER",
        "computeType": "BUILD_GENERAL1_SMALL",
        "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        "privilegedMode": True,
        "environmentVariables": [
            {
                "name": "REPOSITORY_URI",
                "value": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web",
                "type": "PLAINTEXT",
            },
            {"name": "DB_PASSWORD", "value": "/web/db-password", "type": "PARAMETER_STORE"},
        ],
    },
    "logsConfig": {
        "cloudwatchLogs": {"status": "ENABLED", "groupName": "/aws/codebuild/web"},
        "s3Logs": {"status": "DISABLED"},
    },
}


def project_messages(policy: str, props: Mapping[str, Any], **params: Any) -> list[str]:
    return resource_messages(policy, PROJECT, props, **params)


def test_happy_path_project_passes_every_codebuild_rule():
    # Given the happy-path project, When every CodeBuild rule runs, Then none reports.
    for policy in (
        "codebuild-no-plaintext-credentials",
        "codebuild-no-source-credentials",
        "codebuild-logs",
        "codebuild-customer-managed-key",
        "codebuild-privileged-only-for-image-builds",
    ):
        assert project_messages(policy, PROJECT_PROPS) == [], policy


VAR = "environment.environmentVariables.1"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(f"{VAR}.type", "SECRETS_MANAGER", [], id="compliant_secrets_manager_reference"),
        pytest.param(f"{VAR}.name", "REPOSITORY_NAME", [], id="compliant_ordinary_name_in_parameter_store"),
        pytest.param(
            VAR,
            {"name": "CACHE_KEY_PREFIX", "value": "web", "type": "PLAINTEXT"},
            [],
            id="compliant_plaintext_ordinary_value",
        ),
        pytest.param(
            f"{VAR}.type",
            "PLAINTEXT",
            [f"environment.environmentVariables[1] DB_PASSWORD is a PLAINTEXT credential: {FIX}"],
            id="noncompliant_plaintext_password",
        ),
        pytest.param(
            VAR,
            {"name": "AWS_SECRET_ACCESS_KEY", "value": "x"},
            [f"environment.environmentVariables[1] AWS_SECRET_ACCESS_KEY is a PLAINTEXT credential: {FIX}"],
            id="noncompliant_secret_key_default_type_is_plaintext",
        ),
        pytest.param(
            VAR,
            {"name": "aws_access_key_id", "value": "x", "type": "PLAINTEXT"},
            [f"environment.environmentVariables[1] aws_access_key_id is a PLAINTEXT credential: {FIX}"],
            id="noncompliant_access_key_name_any_case",
        ),
        pytest.param(
            VAR,
            {"name": "GITHUB_TOKEN", "value": "ghp_x", "type": "PLAINTEXT"},
            [f"environment.environmentVariables[1] GITHUB_TOKEN is a PLAINTEXT credential: {FIX}"],
            id="noncompliant_token",
        ),
        pytest.param(
            VAR,
            {"name": "DEPLOY_ID", "value": "AKIAIOSFODNN7EXAMPLE", "type": "PLAINTEXT"},
            [
                "environment.environmentVariables[1] DEPLOY_ID has a PLAINTEXT value that looks like an AWS access "
                f"key id: use the service role, or {FIX}"
            ],
            id="noncompliant_value_looks_like_akia_key",
        ),
        pytest.param(
            VAR,
            {"name": "CREDS", "value": "id=ASIAY34FZKBOKMUTVV7A", "type": "PLAINTEXT"},
            [
                "environment.environmentVariables[1] CREDS has a PLAINTEXT value that looks like an AWS access "
                f"key id: use the service role, or {FIX}"
            ],
            id="noncompliant_value_contains_asia_key",
        ),
    ],
)
def test_codebuild_no_plaintext_credentials(path, value, expected):
    # Given the happy-path project with one variable changed
    props = changed(PROJECT_PROPS, path, value)
    # When / Then
    assert project_messages("codebuild-no-plaintext-credentials", props) == expected


def test_codebuild_value_unknown_in_preview_is_not_a_credential():
    # Given a preview in which a variable's value is another resource's output, not known yet
    props = changed(PROJECT_PROPS, "environment.environmentVariables.0.value", UNKNOWN_STRING_VALUE)
    # Then the rule still runs (an output is never a key typed into the program) and passes
    assert project_messages("codebuild-no-plaintext-credentials", props) == []


def test_codebuild_credential_name_patterns_are_configurable():
    # Given a team that also treats *_API_KEY as a credential name
    props = changed(PROJECT_PROPS, VAR, {"name": "STRIPE_API_KEY", "value": "x", "type": "PLAINTEXT"})
    # When the rule runs with that pattern, Then the variable is reported
    assert project_messages("codebuild-no-plaintext-credentials", props, credentialNamePatterns=["*_API_KEY"]) == [
        f"environment.environmentVariables[1] STRIPE_API_KEY is a PLAINTEXT credential: {FIX}"
    ]


SOURCE_FIX = "remove them and connect the repository with CodeConnections or a source credential"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("source.location", "https://github.com/example-org/web.git", [], id="compliant_plain_url"),
        pytest.param(
            "source.location", "https://someone@bitbucket.org/org/web.git", [], id="compliant_user_without_password"
        ),
        pytest.param("source.location", "my-bucket/source.zip", [], id="compliant_s3_location"),
        pytest.param(
            "source.location",
            "https://alice:s3cr3t@github.com/example-org/web.git",
            [f"source.location embeds credentials (user:password@ in the URL): {SOURCE_FIX}"],
            id="noncompliant_user_password_in_source",
        ),
        pytest.param(
            "secondarySources",
            [{"sourceIdentifier": "lib", "type": "GITHUB", "location": "https://x:ghp_abc@github.com/o/lib.git"}],
            [f"secondarySources[0].location embeds credentials (user:password@ in the URL): {SOURCE_FIX}"],
            id="noncompliant_secondary_source",
        ),
    ],
)
def test_codebuild_no_source_credentials(path, value, expected):
    props = changed(PROJECT_PROPS, path, value)
    assert project_messages("codebuild-no-source-credentials", props) == expected


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("logsConfig", DELETE, [], id="compliant_default_is_cloudwatch_enabled"),
        pytest.param(
            "logsConfig.s3Logs",
            {"status": "ENABLED", "location": "bucket/logs", "encryptionDisabled": False},
            [],
            id="compliant_encrypted_s3_logs",
        ),
        pytest.param(
            "logsConfig.cloudwatchLogs.status",
            "DISABLED",
            ["logsConfig.cloudwatchLogs.status is DISABLED: set it to ENABLED with a KMS-encrypted log group"],
            id="noncompliant_cloudwatch_disabled",
        ),
        pytest.param(
            "logsConfig.s3Logs",
            {"status": "ENABLED", "location": "bucket/logs", "encryptionDisabled": True},
            ["logsConfig.s3Logs.encryptionDisabled is true: remove it so S3 build logs are encrypted"],
            id="noncompliant_unencrypted_s3_logs",
        ),
    ],
)
def test_codebuild_logs(path, value, expected):
    props = changed(PROJECT_PROPS, path, value)
    assert project_messages("codebuild-logs", props) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("alias/container-delivery-dev", [], id="compliant_customer_alias"),
        pytest.param(
            DELETE,
            ["encryptionKey is not set, so CodeBuild uses the AWS managed key alias/aws/s3: set the stack's KMS key"],
            id="noncompliant_no_key",
        ),
        pytest.param(
            "alias/aws/s3",
            ["encryptionKey alias/aws/s3 is an AWS managed key: set it to the stack's customer-managed KMS key"],
            id="noncompliant_aws_managed_alias",
        ),
        pytest.param(
            "arn:aws:kms:us-east-1:123456789012:alias/aws/s3",
            [
                "encryptionKey arn:aws:kms:us-east-1:123456789012:alias/aws/s3 is an AWS managed key: set it to the "
                "stack's customer-managed KMS key"
            ],
            id="noncompliant_aws_managed_alias_arn",
        ),
    ],
)
def test_codebuild_customer_managed_key(value, expected):
    props = changed(PROJECT_PROPS, "encryptionKey", value)
    assert project_messages("codebuild-customer-managed-key", props) == expected


PRIVILEGED = "environment.privilegedMode is true"
OFF = "set environment.privilegedMode to false"


def _buildspec(*commands: str) -> str:
    return yaml.safe_dump({"version": 0.2, "phases": {"build": {"commands": list(commands)}}})


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("environment.privilegedMode", False, [], id="compliant_not_privileged"),
        pytest.param("source.buildspec", _buildspec("docker build -t x ."), [], id="compliant_docker_build"),
        pytest.param(
            "source.buildspec", _buildspec("docker image build -t x ."), [], id="compliant_docker_image_build"
        ),
        pytest.param(
            "source.buildspec",
            yaml.safe_dump({"version": 0.2, "phases": {"post_build": {"finally": ["docker build ."]}}}),
            [],
            id="compliant_build_in_finally_block",
        ),
        pytest.param(
            "source.buildspec",
            _buildspec("pytest", "echo 'docker build'"),
            [f"{PRIVILEGED} but the buildspec runs no `docker build` or `docker buildx build`: {OFF}"],
            id="noncompliant_docker_build_only_quoted_text",
        ),
        pytest.param(
            "source.buildspec",
            _buildspec("docker pull python:3.12", "docker run python:3.12 pytest"),
            [f"{PRIVILEGED} but the buildspec runs no `docker build` or `docker buildx build`: {OFF}"],
            id="noncompliant_docker_without_build",
        ),
        pytest.param(
            "source.buildspec",
            "buildspec.yml",
            [
                f"{PRIVILEGED} and source.buildspec names the file buildspec.yml, which the policy cannot read: "
                f"inline the buildspec, or {OFF}"
            ],
            id="noncompliant_buildspec_file",
        ),
        pytest.param(
            "source.buildspec",
            DELETE,
            [f"{PRIVILEGED} and source.buildspec is not inline: inline it, or {OFF}"],
            id="noncompliant_no_buildspec",
        ),
        pytest.param(
            "source.buildspec",
            "phases: [unclosed",
            [f"{PRIVILEGED} and source.buildspec is not valid YAML: fix it, or {OFF}"],
            id="noncompliant_invalid_yaml",
        ),
    ],
)
def test_codebuild_privileged_only_for_image_builds(path, value, expected):
    props = changed(PROJECT_PROPS, path, value)
    assert project_messages("codebuild-privileged-only-for-image-builds", props) == expected


def _action(name: str, category: str, provider: str, run_order: int = 1) -> dict[str, object]:
    return {
        "name": name,
        "category": category,
        "owner": "AWS",
        "provider": provider,
        "version": "1",
        "runOrder": run_order,
    }


SOURCE = {"name": "Source", "actions": [_action("Source", "Source", "CodeStarSourceConnection")]}
BUILD = {"name": "Build", "actions": [_action("Build", "Build", "CodeBuild")]}
APPROVAL = {"name": "Approval", "actions": [_action("Approve", "Approval", "Manual")]}
DEPLOY = {"name": "Deploy", "actions": [_action("Deploy", "Deploy", "ECS")]}
RECORD = {"name": "Record", "actions": [_action("Record", "Build", "CodeBuild")]}

PIPELINE_PROPS = {
    "pipelineType": "V2",
    "roleArn": "arn:aws:iam::123456789012:role/web-pipeline-role",
    "artifactStores": [{"location": "artifacts-bucket", "type": "S3", "encryptionKey": {"id": KEY, "type": "KMS"}}],
    "stages": [SOURCE, BUILD, APPROVAL, DEPLOY, RECORD],
    "tags": {"cicd:environment": "prod"},
}


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(
            "artifactStores",
            [
                PIPELINE_PROPS["artifactStores"][0],  # type: ignore[index]
                {
                    "location": "replica",
                    "type": "S3",
                    "region": "eu-west-1",
                    "encryptionKey": {"id": KEY, "type": "KMS"},
                },
            ],
            [],
            id="compliant_every_store_kms",
        ),
        pytest.param(
            "artifactStores.0.encryptionKey",
            DELETE,
            ["artifactStores[0].encryptionKey is not a KMS key: set it to {id: <stack key arn>, type: KMS}"],
            id="noncompliant_no_key",
        ),
        pytest.param(
            "artifactStores.0.encryptionKey.id",
            "",
            ["artifactStores[0].encryptionKey is not a KMS key: set it to {id: <stack key arn>, type: KMS}"],
            id="noncompliant_empty_key_id",
        ),
        pytest.param(
            "artifactStores",
            [
                PIPELINE_PROPS["artifactStores"][0],  # type: ignore[index]
                {"location": "replica", "type": "S3", "region": "eu-west-1"},
            ],
            ["artifactStores[1].encryptionKey is not a KMS key: set it to {id: <stack key arn>, type: KMS}"],
            id="noncompliant_second_region_store",
        ),
    ],
)
def test_codepipeline_artifacts_kms(path, value, expected):
    props = changed(PIPELINE_PROPS, path, value)
    assert resource_messages("codepipeline-artifacts-kms", PIPELINE, props) == expected


APPROVAL_FIX = "add a stage with an Approval/Manual action before it, or one earlier in the stage (lower runOrder)"


def ungated(stage: str, action: str, kind: str, environment: str = "prod (tag cicd:environment)") -> str:
    return (
        f"stage {stage} action {action} ({kind}) changes what runs in {environment} with no manual approval "
        f"before it: {APPROVAL_FIX}"
    )


DEPLOY_SAME_STAGE = {
    "name": "Deploy",
    "actions": [_action("Approve", "Approval", "Manual", 1), _action("Deploy", "Deploy", "ECS", 2)],
}
# The EKS target's deploy stage: a CodeBuild step that runs kubectl (components/pipeline_declaration.py).
KUBECTL_DEPLOY = {"name": "Deploy", "actions": [_action("Deploy", "Build", "CodeBuild")]}
TEST = {"name": "Test", "actions": [_action("Test", "Test", "CodeBuild")]}


UNGATED = changed(PIPELINE_PROPS, "stages", [SOURCE, BUILD, DEPLOY, RECORD])
RECORD_UNGATED = ungated("Record", "Record", "Build/CodeBuild")


def stages(*given: dict[str, object]) -> dict[str, object]:
    return changed(PIPELINE_PROPS, "stages", list(given))


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        pytest.param(PIPELINE_PROPS, [], id="compliant_prod_with_approval_stage"),
        pytest.param(changed(UNGATED, "tags.cicd:environment", "dev"), [], id="compliant_dev_without_approval"),
        pytest.param(changed(UNGATED, "tags", DELETE), [], id="compliant_untagged_is_not_production"),
        pytest.param(stages(SOURCE, BUILD, DEPLOY_SAME_STAGE), [], id="compliant_approval_earlier_in_deploy_stage"),
        pytest.param(stages(SOURCE, BUILD), [], id="compliant_build_only"),
        pytest.param(stages(SOURCE, BUILD, TEST), [], id="compliant_test_after_build"),
        pytest.param(stages(SOURCE, BUILD, APPROVAL, KUBECTL_DEPLOY, RECORD), [], id="compliant_eks_with_approval"),
        pytest.param(
            UNGATED,
            [ungated("Deploy", "Deploy", "Deploy/ECS"), RECORD_UNGATED],
            id="noncompliant_prod_without_approval",
        ),
        pytest.param(
            stages(SOURCE, BUILD, KUBECTL_DEPLOY, RECORD),
            [ungated("Deploy", "Deploy", "Build/CodeBuild"), RECORD_UNGATED],
            id="noncompliant_eks_kubectl_step_without_approval",
        ),
        pytest.param(
            stages(SOURCE, BUILD, {"name": "Deploy", "actions": [_action("Deploy", "Deploy", "EKS")]}),
            [ungated("Deploy", "Deploy", "Deploy/EKS")],
            id="noncompliant_codepipeline_eks_action",
        ),
        pytest.param(
            stages(SOURCE, BUILD, {"name": "Release", "actions": [_action("BlueGreen", "Deploy", "CodeDeployToECS")]}),
            [ungated("Release", "BlueGreen", "Deploy/CodeDeployToECS")],
            id="noncompliant_codedeploy_action",
        ),
        pytest.param(
            stages(SOURCE, BUILD, {"name": "Ship", "actions": [_action("Roll", "Compute", "Commands")]}),
            [ungated("Ship", "Roll", "Compute/Commands")],
            id="noncompliant_commands_after_build",
        ),
        pytest.param(
            stages(SOURCE, BUILD, RECORD), [RECORD_UNGATED], id="noncompliant_step_after_build_without_approval"
        ),
        pytest.param(
            stages(SOURCE, {"name": "Deploy", "actions": [_action("Apply", "Build", "CodeBuild")]}),
            [ungated("Deploy", "Apply", "Build/CodeBuild")],
            id="noncompliant_only_step_named_deploy",
        ),
        pytest.param(
            stages(SOURCE, BUILD, {**DEPLOY, "name": "Canary"}, APPROVAL, DEPLOY),
            [ungated("Canary", "Deploy", "Deploy/ECS")],
            id="noncompliant_deploy_before_approval",
        ),
        pytest.param(
            stages(SOURCE, BUILD, DEPLOY, APPROVAL),
            [ungated("Deploy", "Deploy", "Deploy/ECS")],
            id="noncompliant_approval_after_deploy",
        ),
        pytest.param(
            stages(
                SOURCE, BUILD, {"name": "Deploy", "actions": [_action("Deploy", "Deploy", "ECS"), *APPROVAL["actions"]]}
            ),
            [ungated("Deploy", "Deploy", "Deploy/ECS")],
            id="noncompliant_approval_parallel_to_deploy",
        ),
        pytest.param(
            changed(PIPELINE_PROPS, "stages.2.actions.0.provider", "Lambda"),
            [ungated("Deploy", "Deploy", "Deploy/ECS"), RECORD_UNGATED],
            id="noncompliant_approval_not_manual",
        ),
    ],
)
def test_codepipeline_prod_approval(props, expected):
    # Given a pipeline, When the prod-approval rule runs, Then it reports each ungated deploying action
    assert resource_messages("codepipeline-prod-approval", PIPELINE, props) == expected


@pytest.mark.parametrize(
    ("tags", "environment"),
    [
        pytest.param({"environment": "prod"}, "prod (tag environment)", id="noncompliant_environment_tag"),
        pytest.param({"Environment": "Production"}, "Production (tag Environment)", id="noncompliant_capitalised"),
        pytest.param({"env": "PROD"}, "PROD (tag env)", id="noncompliant_env_tag"),
        pytest.param({"stage": "prod"}, "prod (tag stage)", id="noncompliant_stage_tag"),
        pytest.param({"environment": "staging"}, None, id="compliant_other_environment"),
    ],
)
def test_codepipeline_production_recognised_by_common_environment_tags(tags, environment):
    props = changed(changed(UNGATED, "tags", tags), "stages", [SOURCE, BUILD, DEPLOY])
    expected = [ungated("Deploy", "Deploy", "Deploy/ECS", environment)] if environment else []
    assert resource_messages("codepipeline-prod-approval", PIPELINE, props) == expected


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param("prod", [ungated("Deploy", "Deploy", "Deploy/ECS", "prod (stack name)")], id="noncompliant_prod"),
        pytest.param("dev", [], id="compliant_dev"),
    ],
)
def test_codepipeline_production_recognised_by_stack_name(stack, expected):
    # Given an untagged pipeline without approval in the stack `stack`
    pipeline = state(
        PIPELINE, "web-pipeline", changed(changed(UNGATED, "tags", DELETE), "stages", [SOURCE, BUILD, DEPLOY])
    )
    pipeline["urn"] = pipeline["urn"].replace("urn:pulumi:test::", f"urn:pulumi:{stack}::")
    assert messages("codepipeline-prod-approval", [pipeline]) == expected


def test_codepipeline_production_environments_are_configurable():
    # Given a pipeline tagged for an environment the team calls "live", without approval
    props = changed(changed(PIPELINE_PROPS, "tags.cicd:environment", "live"), "stages", [SOURCE, BUILD, DEPLOY])
    # When the rule runs with the default, Then it passes; with "live" listed, it reports
    assert resource_messages("codepipeline-prod-approval", PIPELINE, props) == []
    assert resource_messages("codepipeline-prod-approval", PIPELINE, props, productionEnvironments=["live"]) == [
        ungated("Deploy", "Deploy", "Deploy/ECS", "live (tag cicd:environment)")
    ]
