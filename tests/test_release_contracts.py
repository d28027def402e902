"""Releases as AWS's APIs would receive them (botocore's models): the ECS service's deployment
configuration (CreateService, UpdateService), the pipeline with its bake condition (CreatePipeline),
every alarm (PutMetricAlarm) and the web ACL (wafv2 CreateWebACL)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

from preflight.engine import PlanResult, Registration
from tests.conftest import only, plan
from tests.test_delivery_pipeline import create_pipeline_request

MODELS = botocore.session.get_session()
ECS = MODELS.get_service_model("ecs")
SERVICE = "aws:ecs/service:Service"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"

STRATEGIES = {
    "dev": {},
    "prod_ecs": {"target": "ecs"},
    "blue_green": {"deploymentStrategy": "blue-green"},
    "linear": {"deploymentStrategy": {"type": "linear", "linearStepPercent": 20, "linearIntervalMinutes": 3}},
}


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanResult]:
    return {
        "dev": plan("dev"),
        "prod_ecs": plan("prod", target="ecs"),
        "blue_green": plan("dev", deploymentStrategy="blue-green"),
        "linear": plan("dev", deploymentStrategy=STRATEGIES["linear"]["deploymentStrategy"]),
    }


def _minutes(value: Any) -> int:
    return int(value)


def deployment_configuration_request(inputs: dict[str, Any]) -> dict[str, Any]:
    """The service's Terraform-shaped inputs as the API's DeploymentConfiguration."""
    config = inputs.get("deploymentConfiguration") or {}
    alarms = inputs["alarms"]
    breaker = inputs["deploymentCircuitBreaker"]
    request: dict[str, Any] = {
        "deploymentCircuitBreaker": {"enable": breaker["enable"], "rollback": breaker["rollback"]},
        "maximumPercent": inputs["deploymentMaximumPercent"],
        "minimumHealthyPercent": inputs["deploymentMinimumHealthyPercent"],
        "alarms": {"alarmNames": alarms["alarmNames"], "enable": alarms["enable"], "rollback": alarms["rollback"]},
        "strategy": config["strategy"],
    }
    if "bakeTimeInMinutes" in config:
        request["bakeTimeInMinutes"] = _minutes(config["bakeTimeInMinutes"])
    if canary := config.get("canaryConfiguration"):
        request["canaryConfiguration"] = {
            "canaryPercent": float(canary["canaryPercent"]),
            "canaryBakeTimeInMinutes": _minutes(canary["canaryBakeTimeInMinutes"]),
        }
    if linear := config.get("linearConfiguration"):
        request["linearConfiguration"] = {
            "stepPercent": float(linear["stepPercent"]),
            "stepBakeTimeInMinutes": _minutes(linear["stepBakeTimeInMinutes"]),
        }
    return request


def load_balancers_request(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    balancers = []
    for lb in inputs["loadBalancers"]:
        entry = {k: lb[k] for k in ("targetGroupArn", "containerName", "containerPort")}
        if advanced := lb.get("advancedConfiguration"):
            entry["advancedConfiguration"] = {
                k: advanced[k] for k in ("alternateTargetGroupArn", "productionListenerRule", "roleArn")
            }
        balancers.append(entry)
    return balancers


def create_service_request(service: Registration) -> dict[str, Any]:
    inputs = service.inputs
    network = inputs["networkConfiguration"]
    return {
        "cluster": inputs["cluster"],
        "serviceName": service.outputs["name"],
        "taskDefinition": inputs["taskDefinition"],
        "desiredCount": inputs["desiredCount"],
        "launchType": inputs["launchType"],
        "loadBalancers": load_balancers_request(inputs),
        "healthCheckGracePeriodSeconds": inputs["healthCheckGracePeriodSeconds"],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": network["subnets"],
                "securityGroups": network["securityGroups"],
                "assignPublicIp": "ENABLED" if network["assignPublicIp"] else "DISABLED",
            }
        },
        "deploymentConfiguration": deployment_configuration_request(inputs),
        "enableECSManagedTags": inputs["enableEcsManagedTags"],
        "propagateTags": inputs["propagateTags"],
    }


@pytest.mark.parametrize("variant", list(STRATEGIES))
def test_service_deployment_matches_create_and_update_service(plans: dict[str, PlanResult], variant: str) -> None:
    service = only(plans[variant], SERVICE, "web-service")
    request = create_service_request(service)
    validate_parameters(request, ECS.operation_model("CreateService").input_shape)
    update = {
        "cluster": request["cluster"],
        "service": request["serviceName"],
        "deploymentConfiguration": request["deploymentConfiguration"],
        "loadBalancers": request["loadBalancers"],
    }
    validate_parameters(update, ECS.operation_model("UpdateService").input_shape)


@pytest.mark.parametrize(
    ("variant", "strategy", "extra"),
    [
        ("dev", "ROLLING", {}),
        ("prod_ecs", "CANARY", {"canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5}}),
        ("blue_green", "BLUE_GREEN", {}),
        ("linear", "LINEAR", {"linearConfiguration": {"stepPercent": 20.0, "stepBakeTimeInMinutes": 3}}),
    ],
)
def test_each_strategy_rolls_back_on_its_alarms(
    plans: dict[str, PlanResult], variant: str, strategy: str, extra: dict[str, Any]
) -> None:
    service = only(plans[variant], SERVICE, "web-service")
    config = deployment_configuration_request(service.inputs)
    stack = "prod" if variant == "prod_ecs" else "dev"
    prefix = f"container-delivery-{stack}-web"
    assert config["alarms"] == {
        "alarmNames": [f"{prefix}-5xx-rate", f"{prefix}-latency-p99", f"{prefix}-unhealthy-targets"],
        "enable": True,
        "rollback": True,
    }
    assert config["strategy"] == strategy
    for key, value in extra.items():
        assert config[key] == value
    (balancer,) = load_balancers_request(service.inputs)
    if strategy == "ROLLING":
        assert "advancedConfiguration" not in balancer
        assert "bakeTimeInMinutes" not in config
    else:
        groups = {r.outputs["arn"] for r in plans[variant].of_type("aws:lb/targetGroup:TargetGroup")}
        rule = only(plans[variant], "aws:lb/listenerRule:ListenerRule", "web-production-rule")
        role = only(plans[variant], "aws:iam/role:Role", "web-ecs-infrastructure-role")
        advanced = balancer["advancedConfiguration"]
        assert {balancer["targetGroupArn"], advanced["alternateTargetGroupArn"]} == groups
        assert advanced["productionListenerRule"] == rule.outputs["arn"]
        assert advanced["roleArn"] == role.outputs["arn"]
        assert config["bakeTimeInMinutes"] == 10 if stack == "prod" else 5


def test_botocore_rejects_a_wrong_deployment_configuration(plans: dict[str, PlanResult]) -> None:
    """Negative control: an unknown strategy value's type and a bake time as text are caught."""
    request = create_service_request(only(plans["prod_ecs"], SERVICE, "web-service"))
    request["deploymentConfiguration"]["bakeTimeInMinutes"] = "10"
    with pytest.raises(ParamValidationError, match="bakeTimeInMinutes"):
        validate_parameters(request, ECS.operation_model("CreateService").input_shape)


def create_pipeline_with_conditions(pipeline: Registration) -> dict[str, Any]:
    """CreatePipeline, with the Deploy stage's onSuccess condition translated too."""
    request = create_pipeline_request(pipeline.inputs, pipeline.outputs["name"])
    for declared, stage in zip(request["pipeline"]["stages"], pipeline.inputs["stages"], strict=True):
        if condition := (stage.get("onSuccess") or {}).get("condition"):
            declared["onSuccess"] = {
                "conditions": [
                    {
                        "result": condition["result"],
                        "rules": [
                            {
                                "name": rule["name"],
                                "ruleTypeId": dict(rule["ruleTypeId"]),
                                "configuration": dict(rule["configuration"]),
                            }
                            for rule in condition["rules"]
                        ],
                    }
                ]
            }
    return request


@pytest.mark.parametrize("variant", list(STRATEGIES))
def test_pipeline_bake_gate_matches_create_pipeline(plans: dict[str, PlanResult], variant: str) -> None:
    pipeline = only(plans[variant], "aws:codepipeline/pipeline:Pipeline", "web-pipeline")
    request = create_pipeline_with_conditions(pipeline)
    validate_parameters(request, MODELS.get_service_model("codepipeline").operation_model("CreatePipeline").input_shape)
    deploy = next(s for s in request["pipeline"]["stages"] if s["name"] == "Deploy")
    (condition,) = deploy["onSuccess"]["conditions"]
    alarms = {a.outputs["name"] for a in plans[variant].of_type(ALARM)}
    minutes = "10" if variant == "prod_ecs" else "5"
    assert condition["result"] == "ROLLBACK"
    assert {r["configuration"]["AlarmName"] for r in condition["rules"]} == alarms
    assert {r["configuration"]["WaitTime"] for r in condition["rules"]} == {minutes}
    assert {r["ruleTypeId"]["provider"] for r in condition["rules"]} == {"CloudWatchAlarm"}
    # Record comes after the gated Deploy stage: a rolled-back release is never recorded.
    names = [s["name"] for s in request["pipeline"]["stages"]]
    assert names.index("Record") == names.index("Deploy") + 1


def put_metric_alarm_request(alarm: Registration) -> dict[str, Any]:
    inputs = alarm.inputs
    request: dict[str, Any] = {
        k[0].upper() + k[1:]: inputs[k]
        for k in (
            "evaluationPeriods",
            "datapointsToAlarm",
            "threshold",
            "comparisonOperator",
            "treatMissingData",
            "alarmDescription",
            "namespace",
            "metricName",
            "period",
            "extendedStatistic",
        )
        if k in inputs
    }
    request["AlarmName"] = inputs["name"]
    if "dimensions" in inputs:
        request["Dimensions"] = [{"Name": k, "Value": v} for k, v in inputs["dimensions"].items()]
    if "metricQueries" in inputs:
        queries = []
        for query in inputs["metricQueries"]:
            entry: dict[str, Any] = {"Id": query["id"], "ReturnData": query["returnData"]}
            if "expression" in query:
                entry |= {"Expression": query["expression"], "Label": query["label"]}
            else:
                metric = query["metric"]
                entry["MetricStat"] = {
                    "Metric": {
                        "Namespace": metric["namespace"],
                        "MetricName": metric["metricName"],
                        "Dimensions": [{"Name": k, "Value": v} for k, v in metric["dimensions"].items()],
                    },
                    "Period": metric["period"],
                    "Stat": metric["stat"],
                }
            queries.append(entry)
        request["Metrics"] = queries
    return request


@pytest.mark.parametrize("variant", ["dev", "prod_ecs"])
def test_every_alarm_matches_put_metric_alarm(plans: dict[str, PlanResult], variant: str) -> None:
    shape = MODELS.get_service_model("cloudwatch").operation_model("PutMetricAlarm").input_shape
    alarms = plans[variant].of_type(ALARM)
    assert len(alarms) == 3
    for alarm in alarms:
        validate_parameters(put_metric_alarm_request(alarm), shape)


def test_alarms_watch_the_load_balancer_and_both_target_groups(plans: dict[str, PlanResult]) -> None:
    result = plans["prod_ecs"]
    lb = only(result, "aws:lb/loadBalancer:LoadBalancer", "web-alb").outputs["arnSuffix"]
    groups = sorted(g.outputs["arnSuffix"] for g in result.of_type("aws:lb/targetGroup:TargetGroup"))
    latency = only(result, ALARM, "web-alarms-latency-p99").inputs
    assert (latency["extendedStatistic"], latency["threshold"], latency["dimensions"]) == (
        "p99",
        1,
        {"LoadBalancer": lb},
    )
    unhealthy = only(result, ALARM, "web-alarms-unhealthy-targets").inputs["metricQueries"]
    assert unhealthy[0]["expression"] == "MAX([tg0, tg1])"
    assert sorted(q["metric"]["dimensions"]["TargetGroup"] for q in unhealthy[1:]) == groups
    errors = only(result, ALARM, "web-alarms-5xx-rate").inputs
    assert errors["threshold"] == 5
    assert {q["metric"]["metricName"] for q in errors["metricQueries"][1:]} == {
        "HTTPCode_Target_5XX_Count",
        "HTTPCode_ELB_5XX_Count",
        "RequestCount",
    }


def create_web_acl_request(acl: Registration) -> dict[str, Any]:
    def visibility(v: dict[str, Any]) -> dict[str, Any]:
        return {
            "SampledRequestsEnabled": v["sampledRequestsEnabled"],
            "CloudWatchMetricsEnabled": v["cloudwatchMetricsEnabled"],
            "MetricName": v["metricName"],
        }

    rules = []
    for rule in acl.inputs["rules"]:
        statement = rule["statement"]
        entry: dict[str, Any] = {
            "Name": rule["name"],
            "Priority": rule["priority"],
            "VisibilityConfig": visibility(rule["visibilityConfig"]),
        }
        if managed := statement.get("managedRuleGroupStatement"):
            entry["Statement"] = {
                "ManagedRuleGroupStatement": {"VendorName": managed["vendorName"], "Name": managed["name"]}
            }
            entry["OverrideAction"] = {"None": {}}
        else:
            rate = statement["rateBasedStatement"]
            entry["Statement"] = {
                "RateBasedStatement": {"Limit": rate["limit"], "AggregateKeyType": rate["aggregateKeyType"]}
            }
            entry["Action"] = {"Block": {}}
        rules.append(entry)
    return {
        "Name": acl.outputs["name"],
        "Scope": acl.inputs["scope"],
        "DefaultAction": {"Allow": {}},
        "Description": acl.inputs["description"],
        "Rules": rules,
        "VisibilityConfig": visibility(acl.inputs["visibilityConfig"]),
    }


def test_web_acl_matches_create_web_acl(plans: dict[str, PlanResult]) -> None:
    acl = only(plans["prod_ecs"], "aws:wafv2/webAcl:WebAcl", "edge-acl")
    request = create_web_acl_request(acl)
    validate_parameters(request, MODELS.get_service_model("wafv2").operation_model("CreateWebACL").input_shape)
    assert [r["Name"] for r in request["Rules"]] == [
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "RateLimitPerIp",
    ]
    assert request["Rules"][-1]["Statement"]["RateBasedStatement"] == {"Limit": 2000, "AggregateKeyType": "IP"}


def test_web_acl_logs_and_guards_every_load_balancer(plans: dict[str, PlanResult]) -> None:
    result = plans["prod_ecs"]
    acl = only(result, "aws:wafv2/webAcl:WebAcl", "edge-acl")
    logging = only(result, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    group = only(result, "aws:cloudwatch/logGroup:LogGroup", "edge-logs")
    key = only(result, "aws:kms/key:Key").outputs["arn"]
    assert logging.inputs["logDestinationConfigs"] == [group.outputs["arn"]]
    assert group.outputs["name"].startswith("aws-waf-logs-")
    assert (group.inputs["retentionInDays"], group.inputs["kmsKeyId"]) == (90, key)
    (association,) = result.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    lb = only(result, "aws:lb/loadBalancer:LoadBalancer", "web-alb")
    assert (association.inputs["resourceArn"], association.inputs["webAclArn"]) == (
        lb.outputs["arn"],
        acl.outputs["arn"],
    )
    # Dev has no WAF unless the setting asks for it.
    assert plans["dev"].of_type("aws:wafv2/webAcl:WebAcl") == []


def test_eks_bake_gate_watches_the_ingress_load_balancer() -> None:
    # Given prod on EKS: Auto Mode's ALB, found by its tags once the Ingress is ready
    result = plan("prod")
    alarms = result.of_type(ALARM)
    shape = MODELS.get_service_model("cloudwatch").operation_model("PutMetricAlarm").input_shape
    for alarm in alarms:
        validate_parameters(put_metric_alarm_request(alarm), shape)
    # Then 5xx and latency alarms (no target groups: rollout status covers unready pods) gate the Deploy stage
    assert sorted(a.inputs["name"] for a in alarms) == [
        "container-delivery-prod-web-5xx-rate",
        "container-delivery-prod-web-latency-p99",
    ]
    latency = only(result, ALARM, "web-latency-p99").inputs["dimensions"]["LoadBalancer"]
    assert latency.startswith("app/k8s-web-web-")
    pipeline = only(result, "aws:codepipeline/pipeline:Pipeline", "web-pipeline")
    request = create_pipeline_with_conditions(pipeline)
    validate_parameters(request, MODELS.get_service_model("codepipeline").operation_model("CreatePipeline").input_shape)
    deploy = next(s for s in request["pipeline"]["stages"] if s["name"] == "Deploy")
    assert [r["configuration"] for r in deploy["onSuccess"]["conditions"][0]["rules"]] == [
        {"AlarmName": "container-delivery-prod-web-5xx-rate", "WaitTime": "10"},
        {"AlarmName": "container-delivery-prod-web-latency-p99", "WaitTime": "10"},
    ]
    # And the Ingress names the stack's web ACL
    ingress = only(result, "kubernetes:networking.k8s.io/v1:Ingress")
    acl = only(result, "aws:wafv2/webAcl:WebAcl").outputs["arn"]
    assert ingress.inputs["metadata"]["annotations"]["alb.ingress.kubernetes.io/wafv2-acl-arn"] == acl


@pytest.mark.parametrize("variant", ["dev", "prod_ecs"])
def test_a_rolled_back_deploy_is_notified_on_the_stack_topic(plans: dict[str, PlanResult], variant: str) -> None:
    rule = only(plans[variant], "aws:codestarnotifications/notificationRule:NotificationRule", "web-notify")
    topic = only(plans[variant], "aws:sns/topic:Topic", "pipelines-notifications")
    assert "codepipeline-pipeline-stage-execution-failed" in rule.inputs["eventTypeIds"]
    assert rule.inputs["targets"] == [{"address": topic.outputs["arn"], "type": "SNS"}]
