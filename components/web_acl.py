"""`WebAcl`: the AWS WAF web ACL in front of a stack's internet-facing load balancers.

AWS managed rule groups (common rule set, known bad inputs, Amazon IP reputation list) and a
per-IP rate limit; every request WAF logs goes to a KMS-encrypted CloudWatch log group whose name
starts with `aws-waf-logs-` (WAF delivers only to such names). ECS services associate their ALB
(`EcsService` `web_acl_arn`); on EKS the Ingress names the ACL (`alb.ingress.kubernetes.io/wafv2-acl-arn`,
which EKS Auto Mode supports) and Auto Mode associates the ALB it creates.
"""

from typing import Any, NotRequired, TypedDict

import pulumi

# Leaf modules (components/__init__.py): the wafv2 package alone is hundreds of classes.
from pulumi_aws.cloudwatch.log_group import LogGroup
from pulumi_aws.wafv2.web_acl import WebAcl as WafWebAcl
from pulumi_aws.wafv2.web_acl_logging_configuration import WebAclLoggingConfiguration

from .package import ComponentArgsError, type_token
from .validation import retention_problem

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
LOG_GROUP_PREFIX = "aws-waf-logs-"
MIN_RATE_LIMIT = 10  # WAF's minimum for a rate-based rule.


def _visibility(metric: str) -> dict[str, Any]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


def web_acl_rules(rate_limit: int) -> list[dict[str, Any]]:
    """The managed rule groups (their own block actions), then the rate limit (pulumi-aws input names)."""
    rules: list[dict[str, Any]] = [
        {
            "name": group,
            "priority": priority,
            "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
            "visibility_config": _visibility(group),
        }
        for priority, group in enumerate(MANAGED_RULE_GROUPS)
    ]
    rules.append(
        {
            "name": "RateLimitPerIp",
            "priority": len(rules),
            "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": rate_limit, "aggregate_key_type": "IP"}},
            "visibility_config": _visibility("RateLimitPerIp"),
        }
    )
    return rules


class WebAclArgs(TypedDict):
    kms_key_arn: pulumi.Input[str]
    """Key that encrypts the WAF log group (the stack key). Required."""
    rate_limit: NotRequired[int]
    """Requests one client IP may send in 5 minutes before WAF blocks it. Default: 2000."""
    log_retention_days: NotRequired[int]
    """Days WAF logs are kept (a CloudWatch Logs retention). Default: 30."""


class WebAcl(pulumi.ComponentResource):
    """A regional web ACL (managed rule groups and a rate limit) with its logs in CloudWatch."""

    web_acl_arn: pulumi.Output[str]
    """ARN to associate load balancers with. Always set."""
    log_group_name: pulumi.Output[str]
    """Where WAF writes its logs. Always set."""

    def __init__(self, name: str, args: WebAclArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("WebAcl"), name, None, opts)
        limit = args.get("rate_limit", 2000)
        retention = args.get("log_retention_days", 30)
        if limit < MIN_RATE_LIMIT:
            raise ComponentArgsError(f"WebAcl {name}: rate_limit {limit} must be at least {MIN_RATE_LIMIT}")
        if problem := retention_problem(retention):
            raise ComponentArgsError(f"WebAcl {name}: {problem}")
        child = pulumi.ResourceOptions(parent=self)
        metric = f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}"
        allow: Any = {"allow": {}}
        rules: Any = web_acl_rules(limit)
        visibility: Any = _visibility(metric)
        self.acl: WafWebAcl = WafWebAcl(
            f"{name}-acl",
            description=f"Internet-facing load balancers of {pulumi.get_project()}/{pulumi.get_stack()}",
            scope="REGIONAL",
            default_action=allow,
            rules=rules,
            visibility_config=visibility,
            opts=child,
        )
        self.log_group = LogGroup(
            f"{name}-logs",
            name_prefix=f"{LOG_GROUP_PREFIX}{pulumi.get_project()}-{pulumi.get_stack()}-",
            retention_in_days=retention,
            kms_key_id=args["kms_key_arn"],
            opts=child,
        )
        WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=self.acl.arn,
            log_destination_configs=[self.log_group.arn],
            opts=child,
        )
        self.web_acl_arn = self.acl.arn
        self.log_group_name = self.log_group.name
        self.register_outputs({"web_acl_arn": self.web_acl_arn, "log_group_name": self.log_group_name})
