"""Release rules: production ECS services roll back on alarms, production pipelines bake under
alarms, internet-facing load balancers and Ingresses sit behind WAF. One table per policy."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules import rules
from policies.rules.adapter import to_policy
from preflight.export import deployment
from preflight.verdicts import evaluate
from tests.conftest import plan
from tests.policy_harness import DELETE, changed, messages, resource_messages, state

SERVICE = "aws:ecs/service:Service"
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
LB = "aws:lb/loadBalancer:LoadBalancer"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
# The harness's stack is named `test`: it is production here unless a tag says otherwise.
PROD = {"productionEnvironments": ["test"]}

SERVICE_PROPS: dict[str, Any] = {
    "alarms": {"alarmNames": ["web-5xx-rate", "web-latency-p99"], "enable": True, "rollback": True}
}


@pytest.mark.parametrize(
    ("path", "value", "params", "expected"),
    [
        pytest.param("alarms.enable", True, PROD, [], id="compliant_rolls_back"),
        pytest.param("alarms", DELETE, {}, [], id="compliant_not_production"),
        pytest.param("tags", {"cicd:environment": "dev"}, PROD, [], id="compliant_tagged_dev"),
        pytest.param(
            "alarms",
            DELETE,
            PROD,
            ["alarms.alarmNames is empty: name the service's alarms so ECS rolls back a deployment that raises one"],
            id="noncompliant_no_alarms",
        ),
        pytest.param(
            "alarms.rollback",
            False,
            PROD,
            ["alarms.enable and alarms.rollback are not both true: set both so ECS rolls back on the alarms"],
            id="noncompliant_no_rollback",
        ),
    ],
)
def test_ecs_prod_alarm_rollback(path: str, value: Any, params: dict[str, Any], expected: list[str]) -> None:
    props = changed(SERVICE_PROPS, path, value)
    assert resource_messages("ecs-prod-alarm-rollback", SERVICE, props, **params) == expected


def test_production_is_the_stack_name_by_default() -> None:
    # Given a service without alarms in the `test` stack, and the default productionEnvironments ["prod"]
    props = changed(SERVICE_PROPS, "alarms", DELETE)
    # Then only a cicd:environment=prod tag makes it production
    assert resource_messages("ecs-prod-alarm-rollback", SERVICE, props) == []
    tagged = {**props, "tags": {"cicd:environment": "prod"}}
    assert len(resource_messages("ecs-prod-alarm-rollback", SERVICE, tagged)) == 1


BAKE = {
    "condition": {
        "result": "ROLLBACK",
        "rules": [
            {
                "name": "Bake1",
                "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": "CloudWatchAlarm", "version": "1"},
                "configuration": {"AlarmName": "web-5xx-rate", "WaitTime": "10"},
            }
        ],
    }
}
PIPELINE_PROPS: dict[str, Any] = {
    "tags": {"cicd:environment": "prod"},
    "stages": [
        {"name": "Build", "actions": [{"category": "Build", "provider": "CodeBuild"}]},
        {"name": "Deploy", "actions": [{"category": "Deploy", "provider": "ECS"}], "onSuccess": BAKE},
    ],
}
NO_BAKE = (
    "stage Deploy deploys with no bake condition: add an onSuccess condition with CloudWatchAlarm rules and "
    "result ROLLBACK"
)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("tags.cicd:environment", "prod", [], id="compliant_bakes"),
        pytest.param("tags.cicd:environment", "dev", [], id="compliant_dev_needs_no_bake"),
        pytest.param("stages.1.onSuccess", DELETE, [NO_BAKE], id="noncompliant_no_condition"),
        pytest.param("stages.1.onSuccess.condition.result", "FAIL", [NO_BAKE], id="noncompliant_not_rollback"),
        pytest.param(
            "stages.1.onSuccess.condition.rules.0.ruleTypeId.provider",
            "VariableCheck",
            [NO_BAKE],
            id="noncompliant_no_alarm_rule",
        ),
        pytest.param(
            "stages.1.actions.0",
            {"category": "Build", "provider": "CodeBuild"},
            [],
            id="compliant_eks_deploy_stage_with_bake",
        ),
    ],
)
def test_codepipeline_prod_bake_condition(path: str, value: Any, expected: list[str]) -> None:
    props = changed(PIPELINE_PROPS, path, value)
    assert resource_messages("codepipeline-prod-bake-condition", PIPELINE, props) == expected


LB_PROPS: dict[str, Any] = {
    "name": "web-alb",
    "arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/1",
    "internal": False,
    "loadBalancerType": "application",
}
ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/edge/1"
NO_WAF = (
    "internet-facing load balancer web-alb has no WAF web ACL association: associate it with a web ACL "
    "(aws.wafv2.WebAclAssociation)"
)


def balancer_states(lb: dict[str, Any], association: dict[str, Any] | None) -> list[dict[str, Any]]:
    states = [state(LB, "web-alb", lb)]
    if association is not None:
        states.append(state(ASSOCIATION, "web-waf", association))
    return states


@pytest.mark.parametrize(
    ("lb", "association", "expected"),
    [
        pytest.param(LB_PROPS, {"resourceArn": LB_PROPS["arn"], "webAclArn": ACL}, [], id="compliant_associated"),
        pytest.param(changed(LB_PROPS, "internal", True), None, [], id="compliant_internal"),
        pytest.param(changed(LB_PROPS, "loadBalancerType", "network"), None, [], id="compliant_network"),
        pytest.param(LB_PROPS, None, [NO_WAF], id="noncompliant_no_association"),
        pytest.param(
            LB_PROPS,
            {"resourceArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/2"},
            [NO_WAF],
            id="noncompliant_other_load_balancer",
        ),
    ],
)
def test_elb_waf_association(lb: dict[str, Any], association: dict[str, Any] | None, expected: list[str]) -> None:
    assert messages("elb-waf-association", balancer_states(lb, association), **PROD) == expected


def test_elb_waf_association_found_by_dependency_in_a_preview() -> None:
    # Given a preview: the new load balancer's ARN is not known, the association depends on it
    lb = state(LB, "web-alb", changed(LB_PROPS, "arn", DELETE))
    association = state(ASSOCIATION, "web-waf", {"webAclArn": ACL}, dependencies=[lb["urn"]])
    # Then the association still counts
    assert messages("elb-waf-association", [lb, association], **PROD) == []


def test_elb_waf_association_outside_production_is_not_checked() -> None:
    assert messages("elb-waf-association", balancer_states(LB_PROPS, None)) == []


INGRESS_PROPS: dict[str, Any] = {
    "metadata": {"name": "web", "annotations": {"alb.ingress.kubernetes.io/wafv2-acl-arn": ACL}},
}


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("metadata.name", "web", [], id="compliant_annotated"),
        pytest.param(
            "metadata.annotations",
            {},
            [
                "Ingress web has no alb.ingress.kubernetes.io/wafv2-acl-arn annotation: name the stack's web ACL "
                "so the ALB EKS creates for it is associated"
            ],
            id="noncompliant_no_annotation",
        ),
    ],
)
def test_elb_waf_association_on_ingress(path: str, value: Any, expected: list[str]) -> None:
    states = [state(INGRESS, "web", changed(INGRESS_PROPS, path, value))]
    assert messages("elb-waf-association", states, **PROD) == expected


def test_prod_on_ecs_passes_every_release_rule() -> None:
    # Given prod switched to target ecs: canary, alarms, bake gate and WAF
    resources = deployment(plan("prod", target="ecs"))["deployment"]["resources"]
    verdicts = evaluate(resources, policies=[to_policy(r) for r in rules()])
    # Then no rule of the pack, mandatory or advisory, finds anything
    assert [(v.policy, v.message) for v in verdicts.violations] == []
