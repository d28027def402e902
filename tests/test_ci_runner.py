"""The CodeBuild-hosted GitHub Actions runner of a private-endpoint EKS stack, and its first `up`.

The project and webhook go through botocore's CreateProject and CreateWebhook shapes; the runner's
role policy through parliament, moto and policy_sentry; the workflows must name the runner with the
label format of AWS's documentation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import boto3
import botocore.session
import pytest
import yaml
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters
from moto import mock_aws
from parliament import analyze_policy_string
from policy_sentry.querying.actions import get_action_data

from components.ci_runner import WEBHOOK_FILTER_GROUPS, runner_project_name, runner_role_policy, runs_on
from components.settings import SettingsError, parse_settings
from preflight.engine import PlanResult
from preflight.first_up import closure, dependents, engine_urns, needs, up_arguments
from tests.conftest import ROOT, only, plan

CODEBUILD = botocore.session.get_session().get_service_model("codebuild")
CONNECTION = "arn:aws:codeconnections:us-east-1:123456789012:connection/317b0bb2-13d4-d6c1-6afc-7633dfcec8f2"
PROD_LABEL = "codebuild-container-delivery-prod-ci-runner-${{ github.run_id }}-${{ github.run_attempt }}"


def runner(result: PlanResult, type_: str, name: str) -> dict[str, Any]:
    return only(result, type_, name).inputs


# --- the component in the prod plan ----------------------------------------------------------------


def test_the_label_is_the_format_of_awss_documentation() -> None:
    # "codebuild-<project-name>-${{ github.run_id }}-${{ github.run_attempt }}" (CodeBuild User Guide,
    # "Label overrides supported with the CodeBuild-hosted GitHub Actions runner").
    assert runner_project_name("container-delivery", "prod") == "container-delivery-prod-ci-runner"
    assert runs_on("container-delivery-prod-ci-runner") == PROD_LABEL
    assert plan("prod").stack_outputs()["ciRunsOn"] == PROD_LABEL


def test_the_project_runs_in_the_private_subnets_from_the_stacks_connection(prod_plan: PlanResult) -> None:
    project = runner(prod_plan, "aws:codebuild/project:Project", "ci-runner")
    private = [only(prod_plan, "aws:ec2/subnet:Subnet", f"network-private-{i}").outputs["id"] for i in (0, 1)]
    group = only(prod_plan, "aws:ec2/securityGroup:SecurityGroup", "ci-runner-sg").outputs["id"]
    assert project["name"] == "container-delivery-prod-ci-runner"
    assert project["source"] == {
        "type": "GITHUB",
        "location": "https://github.com/example-org/container-delivery",
        "gitCloneDepth": 1,
        "auth": {"type": "CODECONNECTIONS", "resource": CONNECTION},
    }
    assert only(prod_plan, "aws:codeconnections/connection:Connection", "web-connection").outputs["arn"] == CONNECTION
    assert project["vpcConfig"]["subnets"] == private
    assert project["vpcConfig"]["securityGroupIds"] == [group]
    assert project["environment"]["privilegedMode"] is False
    assert project["serviceRole"] == only(prod_plan, "aws:iam/role:Role", "ci-runner-role").outputs["arn"]


def test_the_webhook_starts_a_build_for_each_queued_workflow_job(prod_plan: PlanResult) -> None:
    webhook = runner(prod_plan, "aws:codebuild/webhook:Webhook", "ci-runner-webhook")
    assert webhook == {
        "projectName": "container-delivery-prod-ci-runner",
        "buildType": "BUILD",
        "filterGroups": [{"filters": [{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}]}],
    }
    request = {"projectName": webhook["projectName"], "buildType": "BUILD", "filterGroups": WEBHOOK_FILTER_GROUPS}
    validate_parameters(request, CODEBUILD.operation_model("CreateWebhook").input_shape)


def create_project_request(inputs: dict[str, Any]) -> dict[str, Any]:
    env, logs, vpc, source = inputs["environment"], inputs["logsConfig"], inputs["vpcConfig"], inputs["source"]
    return {
        "name": inputs["name"],
        "description": inputs["description"],
        "source": {
            "type": source["type"],
            "location": source["location"],
            "gitCloneDepth": source["gitCloneDepth"],
            "auth": {"type": source["auth"]["type"], "resource": source["auth"]["resource"]},
        },
        "artifacts": {"type": inputs["artifacts"]["type"]},
        "environment": {
            k: env[k] for k in ("type", "image", "computeType", "privilegedMode", "imagePullCredentialsType")
        },
        "serviceRole": inputs["serviceRole"],
        "timeoutInMinutes": inputs["buildTimeout"],
        "queuedTimeoutInMinutes": inputs["queuedTimeout"],
        "encryptionKey": inputs["encryptionKey"],
        "vpcConfig": {"vpcId": vpc["vpcId"], "subnets": vpc["subnets"], "securityGroupIds": vpc["securityGroupIds"]},
        "logsConfig": {
            "cloudWatchLogs": {"status": "ENABLED", "groupName": logs["cloudwatchLogs"]["groupName"]},
            "s3Logs": {"status": logs["s3Logs"]["status"]},
        },
    }


def test_the_project_matches_codebuilds_create_project(prod_plan: PlanResult) -> None:
    request = create_project_request(runner(prod_plan, "aws:codebuild/project:Project", "ci-runner"))
    shape = CODEBUILD.operation_model("CreateProject").input_shape
    validate_parameters(request, shape)
    request["source"]["auth"]["type"] = "TOKEN"
    assert "TOKEN" not in CODEBUILD.shape_for("SourceAuthType").enum
    with pytest.raises(ParamValidationError):
        request["timeoutInMinutes"] = "two hours"
        validate_parameters(request, shape)


def test_the_runner_sends_https_out_only_and_reaches_the_kubernetes_api(prod_plan: PlanResult) -> None:
    group = only(prod_plan, "aws:ec2/securityGroup:SecurityGroup", "ci-runner-sg").outputs["id"]
    out = runner(prod_plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "ci-runner-https-out")
    assert (out["securityGroupId"], out["ipProtocol"], out["fromPort"], out["toPort"]) == (group, "tcp", 443, 443)
    to_api = runner(prod_plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ci-runner-to-api")
    cluster = only(prod_plan, "eks:index:Cluster").outputs["clusterSecurityGroupId"]
    assert (to_api["securityGroupId"], to_api["referencedSecurityGroupId"], to_api["fromPort"]) == (cluster, group, 443)


# --- the runner's role -----------------------------------------------------------------------------

SAMPLE = {
    "log_group_arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/codebuild/container-delivery-prod-ci-runner",
    "connection_arn": CONNECTION,
    "subnet_arns": ["arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0a08134dbe8f8f7d6"],
    "security_group_arn": "arn:aws:ec2:us-east-1:123456789012:security-group/sg-7c672c02d05a6b22a",
    "network_interfaces_arn": "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
}


def test_the_runner_role_can_only_log_use_its_connection_and_attach_interfaces(prod_plan: PlanResult) -> None:
    document = json.loads(runner(prod_plan, "aws:iam/rolePolicy:RolePolicy", "ci-runner-policy")["policy"])
    actions = sorted(a for s in document["Statement"] for a in s["Action"])
    assert [a for a in actions if not a.startswith(("logs:", "ec2:", "codeconnections:"))] == []
    assert [a for a in actions if a.startswith("logs:")] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    connection = next(s for s in document["Statement"] if s["Sid"] == "UseConnection")
    assert connection["Resource"] == CONNECTION


def test_the_runner_role_policy_passes_parliament_moto_and_policy_sentry(monkeypatch: pytest.MonkeyPatch) -> None:
    document = runner_role_policy(**SAMPLE)
    assert [(f.issue, f.detail) for f in analyze_policy_string(json.dumps(document)).findings] == []
    for statement in document["Statement"]:
        for action in statement["Action"]:
            service, name = action.split(":")
            rows = get_action_data(service, name)[service]
            if statement["Resource"] in ("*", ["*"]):
                assert {r["resource_arn_format"] for r in rows} == {"*"}, action
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    with mock_aws():
        boto3.client("iam", region_name="us-east-1").create_policy(
            PolicyName="runner", PolicyDocument=json.dumps(document)
        )


# --- the setting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"target": "eks"}, True),
        ({"target": "eks", "clusterEndpointPublicCidrs": ["203.0.113.0/24"]}, False),
        ({"target": "eks", "ciRunner": "false"}, False),
        ({"target": "ecs"}, False),
    ],
    ids=["compliant_private_eks_default_on", "compliant_public_cidrs_off", "compliant_turned_off", "compliant_ecs_off"],
)
def test_the_runner_is_on_by_default_for_a_private_endpoint(raw: dict[str, Any], expected: bool) -> None:
    assert parse_settings(raw, "prod").ci_runner is expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"target": "ecs", "ciRunner": True},
            "ciRunner: got true; expected false: only an EKS stack's private API endpoint needs a runner in the VPC",
        ),
        (
            {
                "target": "eks",
                "services": [{"name": "web", "source": {"provider": "codecommit", "repository": "web"}}],
            },
            "ciRunner: got true; expected a service whose source provider is github (its connection serves the runner)",
        ),
    ],
    ids=["noncompliant_on_ecs", "noncompliant_no_github_connection"],
)
def test_noncompliant_runner_settings(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(raw, "prod")
    assert message in caught.value.problems


def test_dev_has_no_runner(dev_plan: PlanResult) -> None:
    assert not [r for r in dev_plan.resources if r.name.startswith("ci-runner")]
    assert "ciRunsOn" not in dev_plan.stack_outputs()


# --- the workflows run prod's jobs on it -------------------------------------------------------------


def workflows() -> dict[str, Any]:
    return {p.name: yaml.safe_load(p.read_text()) for p in (ROOT / ".github" / "workflows").glob("*.yml")}


def test_prod_jobs_run_on_the_runner_and_dev_jobs_on_github(prod_plan: PlanResult) -> None:
    flows = workflows()
    reusable = flows["_pulumi.yml"]["jobs"]["pulumi"]
    assert reusable["runs-on"] == "${{ inputs.runner }}"
    assert flows["_pulumi.yml"][True]["workflow_call"]["inputs"]["runner"]["default"] == "ubuntu-latest"
    deploy = flows["deploy.yml"]["jobs"]
    assert deploy["up-prod"]["with"]["runner"] == prod_plan.stack_outputs()["ciRunsOn"]
    assert "runner" not in deploy["up-dev"]["with"]
    preview = flows["pull-request.yml"]["jobs"]["preview"]
    projects = {e["stack"]: e["runner_project"] for e in preview["strategy"]["matrix"]["include"]}
    assert projects == {"dev": "", "prod": runner_project_name("container-delivery", "prod")}
    # The expression builds exactly runs_on(<project>) for prod.
    expression = preview["with"]["runner"]
    assert "format('codebuild-{0}-{1}-{2}', matrix.runner_project, github.run_id, github.run_attempt)" in expression
    assert expression.endswith("|| 'ubuntu-latest' }}")


# --- the first `up` ------------------------------------------------------------------------------------


def test_engine_urns_leave_out_the_root_stack_and_keep_the_parents_types(prod_plan: PlanResult) -> None:
    real = engine_urns(prod_plan)
    webhook = only(prod_plan, "aws:codebuild/webhook:Webhook")
    component = only(prod_plan, "container-delivery:index:CiRunner")
    assert real[component.urn] == "urn:pulumi:prod::container-delivery::container-delivery:index:CiRunner::ci-runner"
    assert real[webhook.urn] == (
        "urn:pulumi:prod::container-delivery::container-delivery:index:CiRunner$aws:codebuild/webhook:Webhook::"
        "ci-runner-webhook"
    )


def test_the_connections_phase_is_closed_under_what_it_needs(prod_plan: PlanResult) -> None:
    arguments = up_arguments(prod_plan, "connections")
    real = engine_urns(prod_plan)
    chosen = {urn for urn, engine in real.items() if f"--target={engine}" in arguments}
    assert {prod_plan.by_urn()[u].type for u in chosen} == {
        "aws:codeconnections/connection:Connection",
        "container-delivery:index:Source",
    }
    assert all(needs(prod_plan.by_urn()[u]) - {prod_plan.stack_urn} <= chosen for u in chosen)
    assert closure(prod_plan, chosen) - {prod_plan.stack_urn} == chosen


def test_the_runner_phase_leaves_out_only_kubernetes_and_what_needs_it(prod_plan: PlanResult) -> None:
    arguments = up_arguments(prod_plan, "runner")
    assert arguments[-1] == "--exclude-dependents"
    excluded = {a.removeprefix("--exclude=") for a in arguments[:-1]}
    real = engine_urns(prod_plan)
    kubernetes = {u for u, r in prod_plan.by_urn().items() if r.type.startswith(("kubernetes:", "pulumi:providers:k"))}
    assert excluded == {real[u] for u in kubernetes}
    left_out = dependents(prod_plan, kubernetes)
    kept = {prod_plan.by_urn()[u].name for u in set(prod_plan.by_urn()) - left_out}
    assert {"ci-runner", "ci-runner-webhook", "ci-runner-to-api", "services-cluster", "network-vpc"} <= kept


def test_the_first_up_command(tmp_path: Any) -> None:
    command = [sys.executable, "-m", "preflight.first_up", "--stack", "prod", "--phase", "connections"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == up_arguments(plan("prod"), "connections")
    bad = subprocess.run([*command[:4], "nope", *command[5:]], cwd=ROOT, capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("error: no stack named 'nope'")
