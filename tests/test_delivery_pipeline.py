"""`Source` and `DeliveryPipeline`: stages, triggers, notifications, the record step and IAM,
checked against botocore's service models, moto, parliament and policy_sentry."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
import yaml
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters
from moto import mock_aws

from components.iam import service_trust
from components.pipeline_declaration import (
    IMAGE_URI,
    RECORD_COMMAND,
    codebuild_deploy_action,
    ecs_deploy_action,
    pipeline_stages,
    pipeline_triggers,
    record_buildspec,
    source_action,
    stage_names,
)
from components.pipeline_policies import (
    connection_arns,
    notification_topic_policy,
    pipeline_role_policy,
    record_role_policy,
    start_pipeline_policy,
)
from preflight.engine import PlanResult, Registration, run_program
from tests.conftest import only
from tests.test_codebuild_contracts import SHAPE as CREATE_PROJECT
from tests.test_codebuild_contracts import create_project_request
from tests.test_iam_contracts import accept_trust, lint, over_broad

PROGRAM = Path(__file__).resolve().parent / "programs" / "pipeline"
ACCOUNT, REGION = "123456789012", "us-east-1"
EXISTING_CONNECTION = f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/0a1b2c3d-1111-2222-3333-444455556666"
VARIANTS: dict[str, dict[str, Any]] = {
    "github": {},
    "codecommit": {"provider": "codecommit", "repository": "web"},
    "existing-connection-no-approval": {"connectionArn": EXISTING_CONNECTION, "requireApproval": False},
}
SERVICES = botocore.session.get_session()
PIPELINE_TYPE = "aws:codepipeline/pipeline:Pipeline"
COMPONENT = "container-delivery:index:DeliveryPipeline"


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanResult]:
    return {variant: run_program(PROGRAM, "test", overrides or None) for variant, overrides in VARIANTS.items()}


def pipeline_of(plan: PlanResult) -> Registration:
    return only(plan, PIPELINE_TYPE)


def children(plan: PlanResult, type_: str, name: str) -> set[tuple[str, str]]:
    parent = only(plan, type_, name)
    return {(r.type, r.name) for r in plan.resources if r.parent == parent.urn}


def role_policy(plan: PlanResult, name: str) -> dict[str, Any]:
    return dict(json.loads(only(plan, "aws:iam/rolePolicy:RolePolicy", name).inputs["policy"]))


def statement_by_sid(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    return dict(next(s for s in doc["Statement"] if s["Sid"] == sid))


# Given the program, when it runs, then the component builds these children and stages.


def test_pipeline_children_with_new_connection_and_approval(plans: dict[str, PlanResult]) -> None:
    assert children(plans["github"], COMPONENT, "web") == {
        ("container-delivery:index:PipelineTopics", "web"),
        ("aws:cloudwatch/logGroup:LogGroup", "web-record-logs"),
        ("aws:iam/role:Role", "web-record-role"),
        ("aws:iam/rolePolicy:RolePolicy", "web-record-policy"),
        ("aws:codebuild/project:Project", "web-record"),
        ("aws:iam/role:Role", "web-pipeline-role"),
        ("aws:iam/rolePolicy:RolePolicy", "web-pipeline-policy"),
        (PIPELINE_TYPE, "web-pipeline"),
        ("aws:codestarnotifications/notificationRule:NotificationRule", "web-notify"),
    }
    # Without shared topics, the pipeline has its own.
    assert children(plans["github"], "container-delivery:index:PipelineTopics", "web") == {
        ("aws:sns/topic:Topic", "web-notifications"),
        ("aws:sns/topicPolicy:TopicPolicy", "web-notifications-policy"),
        ("aws:sns/topic:Topic", "web-approvals"),
    }
    assert children(plans["github"], "container-delivery:index:Source", "web-source") == {
        ("aws:codeconnections/connection:Connection", "web-source-connection")
    }
    assert only(plans["github"], "aws:codeconnections/connection:Connection").inputs["providerType"] == "GitHub"


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("github", ["Source", "Build", "Approval", "Deploy", "Record"]),
        ("existing-connection-no-approval", ["Source", "Build", "Deploy", "Record"]),
    ],
)
def test_stage_order(plans: dict[str, PlanResult], variant: str, expected: list[str]) -> None:
    plan = plans[variant]
    assert [s["name"] for s in pipeline_of(plan).inputs["stages"]] == expected
    assert plan.stack_outputs()["stageNames"] == expected
    approvals = {r.name for r in plan.of_type("aws:sns/topic:Topic")} & {"web-approvals"}
    assert bool(approvals) == ("Approval" in expected)


def test_pipeline_is_v2_queued_kms_encrypted(plans: dict[str, PlanResult]) -> None:
    inputs = pipeline_of(plans["github"]).inputs
    assert (inputs["pipelineType"], inputs["executionMode"]) == ("V2", "QUEUED")
    assert inputs["artifactStores"] == [
        {
            "location": "artifacts-bucket-0a1b2c3",
            "type": "S3",
            "encryptionKey": {
                "id": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "type": "KMS",
            },
        }
    ]
    assert inputs["roleArn"] == only(plans["github"], "aws:iam/role:Role", "web-pipeline-role").outputs["arn"]
    trust = json.loads(only(plans["github"], "aws:iam/role:Role", "web-pipeline-role").inputs["assumeRolePolicy"])
    assert trust == service_trust("codepipeline.amazonaws.com", ACCOUNT)


def test_stage_actions_wire_variables_artifacts_and_rollback(plans: dict[str, PlanResult]) -> None:
    stages = {s["name"]: s for s in pipeline_of(plans["github"]).inputs["stages"]}
    source = stages["Source"]["actions"][0]
    connection = only(plans["github"], "aws:codeconnections/connection:Connection")
    assert source["configuration"] == {
        "ConnectionArn": connection.outputs["arn"],
        "FullRepositoryId": "example-org/web",
        "BranchName": "main",
        "OutputArtifactFormat": "CODE_ZIP",
    }
    assert (source["namespace"], source["outputArtifacts"]) == ("SourceVariables", ["SourceOutput"])
    build = stages["Build"]["actions"][0]
    assert build["namespace"] == "BuildVariables" and build["outputArtifacts"] == ["BuildOutput"]
    assert json.loads(build["configuration"]["EnvironmentVariables"]) == [
        {"name": "COMMIT_ID", "value": "#{SourceVariables.CommitId}", "type": "PLAINTEXT"}
    ]
    approve = stages["Approval"]["actions"][0]
    assert (
        approve["configuration"]["NotificationArn"]
        == only(plans["github"], "aws:sns/topic:Topic", "web-approvals").outputs["arn"]
    )
    assert IMAGE_URI in approve["configuration"]["CustomData"]
    deploy = stages["Deploy"]
    assert deploy["onFailure"] == {"result": "ROLLBACK"}
    assert deploy["actions"][0]["configuration"] == {
        "ClusterName": "main-cluster",
        "ServiceName": "web",
        "FileName": "imagedefinitions.json",
    }
    record = stages["Record"]["actions"][0]
    assert (
        record["configuration"]["ProjectName"]
        == only(plans["github"], "aws:codebuild/project:Project", "web-record").outputs["name"]
    )
    assert json.loads(record["configuration"]["EnvironmentVariables"]) == [
        {"name": "IMAGE_URI", "value": "#{BuildVariables.IMAGE_URI}", "type": "PLAINTEXT"}
    ]
    assert record["inputArtifacts"] == ["BuildOutput"]


@pytest.mark.parametrize("variant", ["github", "existing-connection-no-approval"])
def test_connection_trigger_has_branch_and_ignored_paths(plans: dict[str, PlanResult], variant: str) -> None:
    assert pipeline_of(plans[variant]).inputs["triggers"] == [
        {
            "providerType": "CodeStarSourceConnection",
            "gitConfiguration": {
                "sourceActionName": "Source",
                "pushes": [{"branches": {"includes": ["main"]}, "filePaths": {"excludes": ["**/*.md", "docs/**"]}}],
            },
        }
    ]


def test_existing_connection_creates_no_connection(plans: dict[str, PlanResult]) -> None:
    plan = plans["existing-connection-no-approval"]
    assert plan.of_type("aws:codeconnections/connection:Connection") == []
    source = pipeline_of(plan).inputs["stages"][0]["actions"][0]
    assert source["configuration"]["ConnectionArn"] == EXISTING_CONNECTION
    policy = role_policy(plan, "web-pipeline-policy")
    assert statement_by_sid(policy, "UseSourceConnection")["Resource"] == EXISTING_CONNECTION
    assert "region=us-east-1" in plan.stack_outputs()["activation"]


def test_new_connection_tells_how_to_activate(plans: dict[str, PlanResult]) -> None:
    message = plans["github"].stack_outputs()["activation"]
    assert "PENDING" in message
    assert "https://console.aws.amazon.com/codesuite/settings/connections?region=us-east-1" in message


def test_codecommit_source_uses_eventbridge_rule(plans: dict[str, PlanResult]) -> None:
    plan = plans["codecommit"]
    repo_arn = f"arn:aws:codecommit:{REGION}:{ACCOUNT}:web"
    pipeline = pipeline_of(plan)
    assert "triggers" not in pipeline.inputs or not pipeline.inputs["triggers"]
    source = pipeline.inputs["stages"][0]["actions"][0]
    assert source["provider"] == "CodeCommit"
    assert source["configuration"] == {
        "RepositoryName": "web",
        "BranchName": "main",
        "OutputArtifactFormat": "CODE_ZIP",
        "PollForSourceChanges": "false",
    }
    assert plan.of_type("aws:codeconnections/connection:Connection") == []
    pattern = json.loads(only(plan, "aws:cloudwatch/eventRule:EventRule", "web-trigger").inputs["eventPattern"])
    assert pattern["resources"] == [repo_arn]
    assert pattern["detail"]["referenceName"] == ["main"]
    assert "referenceUpdated" in pattern["detail"]["event"]
    target = only(plan, "aws:cloudwatch/eventTarget:EventTarget", "web-trigger-target")
    assert target.inputs["arn"] == pipeline.outputs["arn"]
    assert target.inputs["roleArn"] == only(plan, "aws:iam/role:Role", "web-trigger-role").outputs["arn"]
    assert role_policy(plan, "web-trigger-policy") == start_pipeline_policy(pipeline.outputs["arn"])
    trust = json.loads(only(plan, "aws:iam/role:Role", "web-trigger-role").inputs["assumeRolePolicy"])
    assert trust == service_trust("events.amazonaws.com", ACCOUNT)
    reads = statement_by_sid(role_policy(plan, "web-pipeline-policy"), "ReadSourceRepository")
    assert reads["Resource"] == repo_arn


def test_notifications_kms_encrypted_and_rule_events(plans: dict[str, PlanResult]) -> None:
    plan = plans["github"]
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert all(t.inputs["kmsMasterKeyId"] == key for t in plan.of_type("aws:sns/topic:Topic"))
    topic = only(plan, "aws:sns/topic:Topic", "web-notifications")
    rule = only(plan, "aws:codestarnotifications/notificationRule:NotificationRule")
    assert rule.inputs["detailType"] == "FULL"
    assert rule.inputs["resource"] == pipeline_of(plan).outputs["arn"]
    assert rule.inputs["targets"] == [{"address": topic.outputs["arn"], "type": "SNS"}]
    assert set(rule.inputs["eventTypeIds"]) == {
        "codepipeline-pipeline-pipeline-execution-failed",
        "codepipeline-pipeline-pipeline-execution-succeeded",
        "codepipeline-pipeline-pipeline-execution-superseded",
        "codepipeline-pipeline-manual-approval-needed",
    }
    policy = json.loads(only(plan, "aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    assert policy == notification_topic_policy(topic_arn=topic.outputs["arn"], account_id=ACCOUNT)
    no_approval = only(plans["existing-connection-no-approval"], rule.type)
    assert "codepipeline-pipeline-manual-approval-needed" not in no_approval.inputs["eventTypeIds"]


def test_record_project_is_unprivileged_and_writes_the_parameter(plans: dict[str, PlanResult]) -> None:
    project = only(plans["github"], "aws:codebuild/project:Project", "web-record")
    env = project.inputs["environment"]
    assert env["privilegedMode"] is False
    assert env["environmentVariables"] == [
        {"name": "IMAGE_PARAMETER", "value": "/container-delivery/test/web/image", "type": "PLAINTEXT"}
    ]
    assert project.inputs["source"]["type"] == project.inputs["artifacts"]["type"] == "CODEPIPELINE"
    assert project.inputs["source"]["buildspec"] == record_buildspec()
    logs = only(plans["github"], "aws:cloudwatch/logGroup:LogGroup", "web-record-logs")
    assert logs.inputs["kmsKeyId"] == project.inputs["encryptionKey"]
    assert logs.inputs["retentionInDays"] == 30
    validate_parameters(create_project_request(project.inputs, project.outputs["name"]), CREATE_PROJECT)


def test_record_buildspec_runs_put_parameter() -> None:
    spec = yaml.safe_load(record_buildspec())
    assert spec["version"] == 0.2
    assert list(spec["phases"]) == ["build"]
    commands = spec["phases"]["build"]["commands"]
    assert commands[-1] == RECORD_COMMAND
    subprocess.run(["bash", "-n"], input="\n".join(commands), text=True, check=True)


# Contract: the declaration, as CodePipeline's CreatePipeline API would receive it.

CREATE_PIPELINE = SERVICES.get_service_model("codepipeline").operation_model("CreatePipeline").input_shape


def _action_request(action: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {
        "name": action["name"],
        "actionTypeId": {k: action[k] for k in ("category", "owner", "provider", "version")},
        "runOrder": action["runOrder"],
        "configuration": action["configuration"],
    }
    for key in ("inputArtifacts", "outputArtifacts"):
        if action.get(key):
            request[key] = [{"name": n} for n in action[key]]
    if "namespace" in action:
        request["namespace"] = action["namespace"]
    return request


def _trigger_request(trigger: dict[str, Any]) -> dict[str, Any]:
    git = trigger["gitConfiguration"]
    return {
        "providerType": trigger["providerType"],
        "gitConfiguration": {"sourceActionName": git["sourceActionName"], "push": git["pushes"]},
    }


def create_pipeline_request(inputs: dict[str, Any], name: str) -> dict[str, Any]:
    """Translate the Pulumi inputs (camelCase, Terraform-shaped) to CreatePipeline."""
    store = inputs["artifactStores"][0]
    stages = []
    for stage in inputs["stages"]:
        declared: dict[str, Any] = {"name": stage["name"], "actions": [_action_request(a) for a in stage["actions"]]}
        if "onFailure" in stage:
            declared["onFailure"] = {"result": stage["onFailure"]["result"]}
        stages.append(declared)
    pipeline: dict[str, Any] = {
        "name": name,
        "roleArn": inputs["roleArn"],
        "artifactStore": {
            "type": store["type"],
            "location": store["location"],
            "encryptionKey": store["encryptionKey"],
        },
        "stages": stages,
        "pipelineType": inputs["pipelineType"],
        "executionMode": inputs["executionMode"],
    }
    if inputs.get("triggers"):
        pipeline["triggers"] = [_trigger_request(t) for t in inputs["triggers"]]
    return {"pipeline": pipeline}


@pytest.mark.parametrize("variant", VARIANTS)
def test_pipeline_request_matches_codepipeline_api(plans: dict[str, PlanResult], variant: str) -> None:
    pipeline = pipeline_of(plans[variant])
    validate_parameters(create_pipeline_request(pipeline.inputs, pipeline.outputs["name"]), CREATE_PIPELINE)


def test_botocore_rejects_a_wrong_pipeline(plans: dict[str, PlanResult]) -> None:
    """Negative control: a missing required member and a wrong type are caught."""
    pipeline = pipeline_of(plans["github"])
    bad = create_pipeline_request(pipeline.inputs, pipeline.outputs["name"])
    del bad["pipeline"]["stages"][0]["actions"][0]["actionTypeId"]["version"]
    bad["pipeline"]["stages"][1]["actions"][0]["runOrder"] = "first"
    with pytest.raises(ParamValidationError, match="version"):
        validate_parameters(bad, CREATE_PIPELINE)


def test_notification_rule_matches_codestar_notifications_api(plans: dict[str, PlanResult]) -> None:
    rule = only(plans["github"], "aws:codestarnotifications/notificationRule:NotificationRule")
    shape = SERVICES.get_service_model("codestar-notifications").operation_model("CreateNotificationRule").input_shape
    request = {
        "Name": rule.outputs["name"],
        "EventTypeIds": rule.inputs["eventTypeIds"],
        "Resource": rule.inputs["resource"],
        "Targets": [{"TargetType": t["type"], "TargetAddress": t["address"]} for t in rule.inputs["targets"]],
        "DetailType": rule.inputs["detailType"],
    }
    validate_parameters(request, shape)


def test_codecommit_rule_and_target_match_eventbridge_api(plans: dict[str, PlanResult]) -> None:
    model = SERVICES.get_service_model("events")
    rule = only(plans["codecommit"], "aws:cloudwatch/eventRule:EventRule")
    target = only(plans["codecommit"], "aws:cloudwatch/eventTarget:EventTarget")
    put_rule = {"Name": rule.outputs["name"], "EventPattern": rule.inputs["eventPattern"]}
    validate_parameters(put_rule, model.operation_model("PutRule").input_shape)
    put_targets = {
        "Rule": rule.outputs["name"],
        "Targets": [{"Id": "pipeline", "Arn": target.inputs["arn"], "RoleArn": target.inputs["roleArn"]}],
    }
    validate_parameters(put_targets, model.operation_model("PutTargets").input_shape)


# Contract: IAM documents (moto accepts them, parliament finds nothing, policy_sentry: least privilege).


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> Any:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield boto3.client("iam", region_name=REGION)


IDENTITY_POLICIES = ("web-pipeline-policy", "web-record-policy", "web-trigger-policy")


@pytest.mark.parametrize("variant", VARIANTS)
def test_identity_policies_pass_moto_parliament_policy_sentry(
    plans: dict[str, PlanResult], variant: str, iam: Any
) -> None:
    plan = plans[variant]
    present = {r.name for r in plan.of_type("aws:iam/rolePolicy:RolePolicy")}
    names = [n for n in IDENTITY_POLICIES if n in present]
    assert "web-pipeline-policy" in names and "web-record-policy" in names
    for n, name in enumerate(names):
        doc = role_policy(plan, name)
        iam.create_policy(PolicyName=f"policy-{n}", PolicyDocument=json.dumps(doc))
        assert lint(doc, "identity") == [], name
        assert over_broad(doc) == [], name
    for n, role in enumerate(plan.of_type("aws:iam/role:Role")):
        if COMPONENT in role.parent:
            accept_trust(iam, f"role-{n}", json.loads(role.inputs["assumeRolePolicy"]))


def test_only_unscopable_actions_on_star(plans: dict[str, PlanResult]) -> None:
    star = [
        action
        for s in role_policy(plans["github"], "web-pipeline-policy")["Statement"]
        if s["Resource"] == "*"
        for action in s["Action"]
    ]
    assert star == ["ecs:DescribeTaskDefinition"]


def test_pass_role_scoped_to_task_roles_with_condition(plans: dict[str, PlanResult]) -> None:
    doc = role_policy(plans["github"], "web-pipeline-policy")
    passes = [s for s in doc["Statement"] if "iam:PassRole" in s["Action"]]
    assert passes == [
        {
            "Sid": "PassServiceRolesToEcsTasks",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": [f"arn:aws:iam::{ACCOUNT}:role/web-task", f"arn:aws:iam::{ACCOUNT}:role/web-execution"],
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        }
    ]


def test_pipeline_policy_scopes_builds_service_and_task_definitions(plans: dict[str, PlanResult]) -> None:
    plan = plans["github"]
    doc = role_policy(plan, "web-pipeline-policy")
    record_arn = only(plan, "aws:codebuild/project:Project", "web-record").outputs["arn"]
    assert statement_by_sid(doc, "RunOwnBuilds")["Resource"] == [
        f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/web-project-0a1b2c3",
        record_arn,
    ]
    assert (
        statement_by_sid(doc, "RollOutService")["Resource"]
        == f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/main-cluster/web"
    )
    family = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web:*"
    assert statement_by_sid(doc, "RegisterNewRevision")["Resource"] == family
    assert statement_by_sid(doc, "TagNewRevision")["Condition"] == {
        "StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}
    }
    approvals = only(plan, "aws:sns/topic:Topic", "web-approvals").outputs["arn"]
    assert statement_by_sid(doc, "AskForApproval")["Resource"] == approvals
    no_approval = role_policy(plans["existing-connection-no-approval"], "web-pipeline-policy")
    assert all(s["Sid"] != "AskForApproval" for s in no_approval["Statement"])


def test_record_policy_writes_only_the_parameter(plans: dict[str, PlanResult]) -> None:
    doc = role_policy(plans["github"], "web-record-policy")
    writes = [s for s in doc["Statement"] if any(a.startswith("ssm:") for a in s["Action"])]
    assert writes == [
        {
            "Sid": "RecordDeployedImage",
            "Effect": "Allow",
            "Action": ["ssm:PutParameter"],
            "Resource": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/container-delivery/test/web/image",
        }
    ]
    assert not any(
        a.startswith(("s3:Put", "kms:Encrypt", "kms:GenerateDataKey")) for s in doc["Statement"] for a in s["Action"]
    )


def test_topic_policy_lints_clean_and_is_account_scoped() -> None:
    doc = notification_topic_policy(topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:web-notifications", account_id=ACCOUNT)
    assert lint(doc, "identity") == []
    assert doc["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


# Pure functions: the same checks without the Pulumi runtime, plus the negative controls.

ARNS: dict[str, Any] = {
    "bucket_arn": "arn:aws:s3:::artifacts-bucket-0a1b2c3",
    "key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "build_project_arns": [
        f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/web",
        f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/rec",
    ],
    "ecs_service_arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/main/web",
    "task_definition_family": "web",
    "task_role_arn": f"arn:aws:iam::{ACCOUNT}:role/task",
    "execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/execution",
}
PURE_POLICIES = {
    "pipeline-connection": pipeline_role_policy(
        connection_arn=f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/abc",
        approval_topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:approvals",
        **ARNS,
    ),
    "pipeline-codecommit": pipeline_role_policy(repository_arn=f"arn:aws:codecommit:{REGION}:{ACCOUNT}:web", **ARNS),
    "record": record_role_policy(
        parameter_arn=f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/web/image",
        log_group_arn=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/web-record-x",
        bucket_arn=ARNS["bucket_arn"],
        key_arn=ARNS["key_arn"],
    ),
}


@pytest.mark.parametrize("doc", PURE_POLICIES.values(), ids=PURE_POLICIES.keys())
def test_pure_policies_contract(doc: dict[str, Any], iam: Any) -> None:
    iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(doc))
    assert lint(doc, "identity") == []
    assert over_broad(doc) == []


def test_connection_arn_under_both_prefixes() -> None:
    new, old = connection_arns(f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/abc")
    assert new == f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/abc"
    assert old == f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/abc"


def test_register_task_definition_on_star_would_be_flagged() -> None:
    """Negative control: policy_sentry says RegisterTaskDefinition is scopable, so "*" fails."""
    doc = PURE_POLICIES["pipeline-codecommit"]
    widened = {
        **doc,
        "Statement": [{**s, "Resource": "*"} if s["Sid"] == "RegisterNewRevision" else s for s in doc["Statement"]],
    }
    assert over_broad(widened) == ["ecs:RegisterTaskDefinition"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of connection_arn and repository_arn"),
        (
            {
                "ecs_service_arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/main",
                "repository_arn": f"arn:aws:codecommit:{REGION}:{ACCOUNT}:web",
            },
            "not an ECS service ARN",
        ),
    ],
    ids=["noncompliant_no_source", "noncompliant_cluster_arn"],
)
def test_pipeline_policy_rejects_bad_inputs(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pipeline_role_policy(**{**ARNS, **kwargs})


def test_pure_stage_list_without_and_with_approval() -> None:
    source = source_action("CodeCommit", repository="web", branch="main")
    common: dict[str, Any] = {
        "build_project_name": "b",
        "record_project_name": "r",
        "deploy": ecs_deploy_action(cluster_name="c", service_name="s"),
    }
    without = pipeline_stages(source=source, approval_topic_arn=None, **common)
    with_gate = pipeline_stages(source=source, approval_topic_arn="arn:aws:sns:us-east-1:123456789012:a", **common)
    assert [s["name"] for s in without] == stage_names(False) == ["Source", "Build", "Deploy", "Record"]
    assert [s["name"] for s in with_gate] == stage_names(True)


def test_eks_deploy_stage_runs_the_deploy_project_with_the_built_image() -> None:
    source = source_action("CodeCommit", repository="web", branch="main")
    stages = pipeline_stages(
        source=source,
        build_project_name="b",
        record_project_name="r",
        deploy=codebuild_deploy_action(project_name="web-deploy"),
        approval_topic_arn=None,
    )
    deploy = next(s for s in stages if s["name"] == "Deploy")
    (action,) = deploy["actions"]
    assert (action["category"], action["provider"]) == ("Build", "CodeBuild")
    assert action["configuration"] == {
        "ProjectName": "web-deploy",
        "EnvironmentVariables": '[{"name": "IMAGE_URI", "value": "#{BuildVariables.IMAGE_URI}", "type": "PLAINTEXT"}]',
    }
    assert deploy["on_failure"] == {"result": "ROLLBACK"}


def test_eks_pipeline_role_starts_the_deploy_project_and_passes_no_role() -> None:
    doc = pipeline_role_policy(
        bucket_arn=ARNS["bucket_arn"],
        key_arn=ARNS["key_arn"],
        build_project_arns=[f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/{p}" for p in ("b", "r", "web-deploy")],
        repository_arn=f"arn:aws:codecommit:{REGION}:{ACCOUNT}:web",
    )
    actions = {
        a for st in doc["Statement"] for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
    }
    assert not any(a.startswith(("ecs:", "iam:")) for a in actions)
    builds = next(st for st in doc["Statement"] if st["Sid"] == "RunOwnBuilds")
    assert builds["Resource"][-1].endswith(":project/web-deploy")


def test_triggers_reject_too_many_paths_and_drop_empty_excludes() -> None:
    with pytest.raises(ValueError, match="at most 8"):
        pipeline_triggers(branch="main", ignored_paths=[f"p{i}/**" for i in range(9)])
    (trigger,) = pipeline_triggers(branch="main", ignored_paths=[])
    git: Any = trigger["git_configuration"]
    assert git["pushes"] == [{"branches": {"includes": ["main"]}}]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"provider": "svn"}, "provider 'svn' is not one of"),
        ({"repository": "web"}, "must be `owner/name` for github"),
        ({"provider": "codecommit", "repository": "org/web"}, "must be a CodeCommit repository name"),
        ({"executionMode": "FASTEST"}, "execution_mode 'FASTEST' is not one of"),
    ],
    ids=["noncompliant_provider", "noncompliant_hosted_repo", "noncompliant_codecommit_repo", "noncompliant_mode"],
)
def test_constructor_rejects_bad_args(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_program(PROGRAM, "test", overrides)
