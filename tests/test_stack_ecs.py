"""The dev stack end to end, through preflight: git push -> build -> deploy -> record, on ECS."""

from __future__ import annotations

import json
from typing import Any

import pytest

from preflight.engine import PlanResult, Registration
from tests.conftest import ROOT, cached_bootstrap, only, plan, run_program

RECORDED = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web-repository-581384b@sha256:" + "cd" * 32


def stages(result: PlanResult, service: str) -> list[dict[str, Any]]:
    pipeline = only(result, "aws:codepipeline/pipeline:Pipeline", f"{service}-pipeline")
    return list(pipeline.inputs["stages"])


def container(result: PlanResult, service: str) -> dict[str, Any]:
    task = only(result, "aws:ecs/taskDefinition:TaskDefinition", f"{service}-task")
    (definition,) = json.loads(task.inputs["containerDefinitions"])
    return dict(definition)


def test_dev_pipeline_stages_in_order_without_approval(dev_plan: PlanResult) -> None:
    assert [s["name"] for s in stages(dev_plan, "web")] == ["Source", "Build", "Deploy", "Record"]


def test_prod_pipeline_approves_before_deploy(prod_plan: PlanResult, dev_plan: PlanResult) -> None:
    names = [s["name"] for s in stages(prod_plan, "web")]
    assert names == ["Source", "Build", "Approval", "Deploy", "Record"]
    pipeline = only(prod_plan, "aws:codepipeline/pipeline:Pipeline", "web-pipeline")
    assert pipeline.inputs["executionMode"] == "QUEUED"
    dev_pipeline = only(dev_plan, "aws:codepipeline/pipeline:Pipeline", "web-pipeline")
    assert dev_pipeline.inputs["executionMode"] == "SUPERSEDED"


def test_deploy_targets_the_service_and_its_container(dev_plan: PlanResult) -> None:
    (deploy,) = next(s for s in stages(dev_plan, "web") if s["name"] == "Deploy")["actions"]
    service = only(dev_plan, "aws:ecs/service:Service", "web-service")
    cluster = only(dev_plan, "aws:ecs/cluster:Cluster")
    assert deploy["provider"] == "ECS"
    assert deploy["configuration"] == {
        "ClusterName": cluster.outputs["name"],
        "ServiceName": service.outputs["name"],
        "FileName": "imagedefinitions.json",
    }
    # imagedefinitions.json names the container CONTAINER_NAME; it must be the task's container.
    build = only(dev_plan, "aws:codebuild/project:Project", "web-build")
    variables = {v["name"]: v["value"] for v in build.inputs["environment"]["environmentVariables"]}
    assert variables["CONTAINER_NAME"] == container(dev_plan, "web")["name"] == "web"


def test_first_up_runs_bootstrap_then_recorded_digest() -> None:
    fresh = plan("dev")
    assert container(fresh, "web")["image"] == cached_bootstrap("dev")
    later = run_program(ROOT, "dev", parameters={"/container-delivery/dev/web/image": RECORDED})
    assert container(later, "web")["image"] == RECORDED
    # The Record stage writes the digest the build exported to that very parameter.
    record = only(later, "aws:codebuild/project:Project", "web-record")
    variables = {v["name"]: v["value"] for v in record.inputs["environment"]["environmentVariables"]}
    assert variables["IMAGE_PARAMETER"] == "/container-delivery/dev/web/image"
    (action,) = next(s for s in stages(later, "web") if s["name"] == "Record")["actions"]
    assert json.loads(action["configuration"]["EnvironmentVariables"]) == [
        {"name": "IMAGE_URI", "value": "#{BuildVariables.IMAGE_URI}", "type": "PLAINTEXT"}
    ]


def _by_name(result: PlanResult, type_: str) -> dict[str, Registration]:
    return {r.name: r for r in result.of_type(type_)}


def test_every_service_health_check_matches_its_settings() -> None:
    services = [
        {"name": "web", "source": {"provider": "github", "repository": "o/web"}, "healthCheckPath": "/healthz"},
        {
            "name": "api",
            "source": {"provider": "codecommit", "repository": "api"},
            "healthCheckPath": "/ready",
            "port": 9000,
        },
    ]
    result = plan("dev", services=services)
    groups = _by_name(result, "aws:lb/targetGroup:TargetGroup")
    assert groups["web-tg"].inputs["healthCheck"]["path"] == "/healthz"
    assert groups["api-tg"].inputs["healthCheck"]["path"] == "/ready"
    assert groups["api-tg"].inputs["port"] == 9000
    assert container(result, "api")["portMappings"][0]["containerPort"] == 9000


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_passes_the_policy_pack(stack: str) -> None:
    from preflight.export import deployment
    from preflight.verdicts import evaluate

    verdicts = evaluate(deployment(plan(stack))["deployment"]["resources"])
    assert [(v.policy, v.urn, v.message) for v in verdicts.mandatory] == []
