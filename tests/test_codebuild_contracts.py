"""The CodeBuild project as CodeBuild's CreateProject API would receive it (botocore's model)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

from preflight.engine import PlanResult
from tests.conftest import only

SHAPE = botocore.session.get_session().get_service_model("codebuild").operation_model("CreateProject").input_shape


def create_project_request(inputs: dict[str, Any], name: str) -> dict[str, Any]:
    """Translate the Pulumi inputs (camelCase, Terraform-shaped) to CreateProject."""
    env = inputs["environment"]
    logs = inputs["logsConfig"]
    vpc = inputs.get("vpcConfig")
    extra: dict[str, Any] = (
        {"vpcConfig": {"vpcId": vpc["vpcId"], "subnets": vpc["subnets"], "securityGroupIds": vpc["securityGroupIds"]}}
        if vpc
        else {}
    )
    return extra | {
        "name": name,
        "description": inputs["description"],
        "source": {"type": inputs["source"]["type"], "buildspec": inputs["source"]["buildspec"]},
        "artifacts": {"type": inputs["artifacts"]["type"]},
        "environment": {
            "type": env["type"],
            "image": env["image"],
            "computeType": env["computeType"],
            "privilegedMode": env["privilegedMode"],
            "imagePullCredentialsType": env["imagePullCredentialsType"],
            "environmentVariables": [
                {"name": v["name"], "value": v["value"], "type": v["type"]} for v in env["environmentVariables"]
            ],
        },
        "serviceRole": inputs["serviceRole"],
        "timeoutInMinutes": inputs["buildTimeout"],
        "queuedTimeoutInMinutes": inputs["queuedTimeout"],
        "encryptionKey": inputs["encryptionKey"],
        "logsConfig": {
            "cloudWatchLogs": {
                "status": logs["cloudwatchLogs"]["status"],
                "groupName": logs["cloudwatchLogs"]["groupName"],
            },
            "s3Logs": {"status": logs["s3Logs"]["status"]},
        },
    }


@pytest.mark.parametrize(
    ("stack", "name"),
    [
        ("dev_plan", "web-build"),
        ("dev_plan", "web-record"),
        ("prod_plan", "web-build"),
        ("prod_plan", "web-record"),
        ("prod_plan", "web-deploy"),
    ],
)
def test_project_request_matches_codebuild_api(stack: str, name: str, request: pytest.FixtureRequest) -> None:
    result: PlanResult = request.getfixturevalue(stack)
    project = only(result, "aws:codebuild/project:Project", name)
    validate_parameters(create_project_request(project.inputs, project.outputs["name"]), SHAPE)


def test_botocore_rejects_a_wrong_project(dev_plan: PlanResult) -> None:
    """Negative control: a missing required member and a wrong type are caught."""
    project = only(dev_plan, "aws:codebuild/project:Project", "web-build")
    bad = create_project_request(project.inputs, project.outputs["name"])
    del bad["environment"]["image"]
    bad["timeoutInMinutes"] = "thirty"
    with pytest.raises(ParamValidationError, match="image"):
        validate_parameters(bad, SHAPE)
