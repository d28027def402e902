"""Image ownership: the pipeline's record decides the running image; Pulumi never overwrites it."""

from __future__ import annotations

import json

from components.image_record import parameter_name, recorded_or
from preflight.engine import PlanResult
from tests.conftest import ROOT, cached_bootstrap, only, run_program

RECORDED = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web-repository-581384b@sha256:" + "ab" * 32
PARAMETER = "/container-delivery/dev/web/image"


def test_record_parameter_is_created_once_then_left_to_the_pipeline(dev_plan: PlanResult) -> None:
    parameter = only(dev_plan, "aws:ssm/parameter:Parameter")
    assert parameter.inputs["name"] == PARAMETER == parameter_name("container-delivery", "dev", "web")
    assert parameter.inputs["type"] == "String"
    assert parameter.inputs["value"] == cached_bootstrap("dev")
    assert parameter.ignore_changes == ["value"]


def test_first_up_runs_the_bootstrap_image(dev_plan: PlanResult) -> None:
    assert dev_plan.stack_outputs()["webImage"] == cached_bootstrap("dev")


def test_later_ups_run_the_recorded_image() -> None:
    result = run_program(ROOT, "dev", parameters={PARAMETER: RECORDED, "/container-delivery/dev/api/image": "x"})
    assert result.stack_outputs()["webImage"] == RECORDED
    # The record itself is not rewritten: the desired value stays the bootstrap one, ignored.
    assert only(result, "aws:ssm/parameter:Parameter").inputs["value"] == cached_bootstrap("dev")


def test_record_is_protected_when_data_is(prod_plan: PlanResult, dev_plan: PlanResult) -> None:
    assert only(prod_plan, "aws:ssm/parameter:Parameter").protect is True
    assert only(dev_plan, "aws:ssm/parameter:Parameter").protect is False


def test_recorded_or() -> None:
    assert recorded_or("boot", "/p/s/web/image", [], []) == "boot"
    assert recorded_or("boot", "/p/s/web/image", ["/p/s/web/image"], ["img@sha256:1"]) == "img@sha256:1"
    assert recorded_or("boot", "/p/s/web/image", ["/p/s/web/other"], ["x"]) == "boot"


def test_bootstrap_build_pushes_app_to_the_service_repository_and_runs_its_digest() -> None:
    result = run_program(ROOT, "dev", {"bootstrapImage": "build"})
    image = only(result, "docker:index/image:Image")
    repository = only(result, "aws:ecr/repository:Repository", "web-repository")
    assert image.inputs["build"] == {
        "context": ".",
        "dockerfile": "app/Dockerfile",
        "target": "runtime",
        "platform": "linux/amd64",
        # The base image comes through the stack's pull-through cache here too.
        "args": {
            "COMMIT_SHA": "bootstrap",
            "BASE_REGISTRY": "123456789012.dkr.ecr.us-east-1.amazonaws.com/dev/ecr-public",
        },
    }
    assert image.inputs["imageName"] == repository.outputs["repositoryUrl"] + ":bootstrap"
    assert image.inputs["buildOnPreview"] is False
    assert image.inputs["registry"]["server"] == "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"
    digest = image.outputs["repoDigest"]
    assert digest.startswith(repository.outputs["repositoryUrl"] + "@sha256:")
    assert result.stack_outputs()["webImage"] == digest
    assert only(result, "aws:ssm/parameter:Parameter").inputs["value"] == digest
    (container,) = json.loads(only(result, "aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    assert container["image"] == digest
    assert "WHOAMI_PORT_NUMBER" not in {e["name"] for e in container["environment"]}
