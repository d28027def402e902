"""Releases in production: ECS services roll back on their alarms, pipelines bake a deploy under
alarms before they record it, and internet-facing load balancers sit behind AWS WAF.

Production is recognised by the resource's cicd:environment tag, else by the stack name in its URN
(`urn:pulumi:<stack>::...`), against `productionEnvironments`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .contract import ENVIRONMENT_TAG
from .props import known, tags
from .registry import Config, Resource, StackResource, resource_rule, stack_rule

SERVICE = "aws:ecs/service:Service"
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
WAF_ANNOTATION = "alb.ingress.kubernetes.io/wafv2-acl-arn"
PRODUCTION = {
    "productionEnvironments": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["prod"],
        "description": "cicd:environment tag values, or stack names, that mark production.",
    }
}


def environment(urn: str, props: Mapping[str, Any]) -> str:
    """The cicd:environment tag, else the stack name of the URN."""
    tagged = tags(props).get(ENVIRONMENT_TAG)
    if tagged:
        return str(tagged)
    parts = urn.split(":")
    return parts[2] if len(parts) > 2 and urn.startswith("urn:pulumi:") else ""


def _in_production(urn: str, props: Mapping[str, Any], config: Config) -> bool:
    return environment(urn, props) in config["productionEnvironments"]


@resource_rule(
    name="ecs-prod-alarm-rollback",
    types=[SERVICE],
    description="In production, an ECS service rolls a deployment back when one of its alarms fires (mandatory: "
    "a release that passes health checks but serves errors or is slow must not stay).",
    severity="high",
    remediation="Set alarms={'alarm_names': [<5xx, latency, unhealthy alarms>], 'enable': True, 'rollback': True} "
    "(EcsService does this with its ServiceAlarms).",
    config=PRODUCTION,
)
def prod_alarm_rollback(resource: Resource, config: Config) -> Iterator[str]:
    if not _in_production(resource.urn, resource.props, config):
        return
    alarms = resource.props.get("alarms") or {}
    if not alarms.get("alarmNames"):
        yield "alarms.alarmNames is empty: name the service's alarms so ECS rolls back a deployment that raises one"
    elif alarms.get("enable") is not True or alarms.get("rollback") is not True:
        yield "alarms.enable and alarms.rollback are not both true: set both so ECS rolls back on the alarms"


def _deploys(stage: Mapping[str, Any]) -> bool:
    return stage.get("name") == "Deploy" or any(a.get("category") == "Deploy" for a in stage.get("actions") or [])


def _bakes(stage: Mapping[str, Any]) -> bool:
    condition = (stage.get("onSuccess") or {}).get("condition") or {}
    rules = condition.get("rules") or []
    return condition.get("result") == "ROLLBACK" and any(
        (r.get("ruleTypeId") or {}).get("provider") == "CloudWatchAlarm" for r in rules
    )


@resource_rule(
    name="codepipeline-prod-bake-condition",
    types=[PIPELINE],
    description="In production, every stage that deploys has an onSuccess condition that watches CloudWatch alarms "
    "and rolls the stage back (advisory: the bake gate, which a team may run outside the pipeline instead).",
    severity="medium",
    remediation="Give the Deploy stage on_success={'condition': {'result': 'ROLLBACK', 'rules': [<CloudWatchAlarm "
    "rules with AlarmName and WaitTime>]}} (DeliveryPipeline bake_alarm_names).",
    level="advisory",
    config=PRODUCTION,
)
def prod_bake_condition(resource: Resource, config: Config) -> Iterator[str]:
    if not _in_production(resource.urn, resource.props, config):
        return
    for stage in resource.props.get("stages") or []:
        if _deploys(stage) and not _bakes(stage):
            yield (
                f"stage {stage.get('name')} deploys with no bake condition: add an onSuccess condition with "
                "CloudWatchAlarm rules and result ROLLBACK"
            )


def _associated(balancer: StackResource, associations: Sequence[StackResource]) -> bool:
    arn = known(balancer.props, "arn")
    return any(
        balancer.urn in a.dependencies or (arn is not None and known(a.props, "resourceArn") == arn)
        for a in associations
    )


@stack_rule(
    name="elb-waf-association",
    description="In production, every internet-facing application load balancer is associated with an AWS WAF web "
    "ACL, and every Ingress (EKS Auto Mode creates its ALB) names one with alb.ingress.kubernetes.io/wafv2-acl-arn "
    "(mandatory: managed rule groups and a rate limit in front of the application).",
    severity="high",
    remediation="Associate the load balancer with a web ACL (EcsService web_acl_arn, aws.wafv2.WebAclAssociation); "
    "on EKS annotate the Ingress with alb.ingress.kubernetes.io/wafv2-acl-arn (EksWorkload web_acl_arn).",
    config=PRODUCTION,
)
def waf_association(resources: Sequence[StackResource], config: Config) -> Iterator[tuple[str, str | None]]:
    associations = [r for r in resources if r.type == WAF_ASSOCIATION]
    # The type first: reading a resource's tags wraps its outputs for unknown values, and only
    # load balancers and Ingresses matter here.
    for r in resources:
        if (r.type not in LOAD_BALANCERS and r.type != INGRESS) or not _in_production(r.urn, r.props, config):
            continue
        if r.type in LOAD_BALANCERS:
            if r.props.get("internal") is True or r.props.get("loadBalancerType", "application") != "application":
                continue
            if not _associated(r, associations):
                name = known(r.props, "name") or r.name
                yield (
                    f"internet-facing load balancer {name} has no WAF web ACL association: associate it with a "
                    "web ACL (aws.wafv2.WebAclAssociation)",
                    r.urn,
                )
        elif r.type == INGRESS:
            annotations = (r.props.get("metadata") or {}).get("annotations") or {}
            if not annotations.get(WAF_ANNOTATION):
                yield (
                    f"Ingress {r.name} has no {WAF_ANNOTATION} annotation: name the stack's web ACL so the ALB "
                    "EKS creates for it is associated",
                    r.urn,
                )
