"""`ServiceAlarms`: the CloudWatch alarms that judge a release of one service behind an ALB.

Alarms on the load balancer's metrics (AWS/ApplicationELB, one-minute periods, two of three
breaching minutes): the 5xx rate (target and load-balancer 5xx over requests, metric math), the
p99 target response time, and, when the target groups are known, unhealthy targets in any of
them. ECS rolls a deployment back when one fires (the service's deployment alarms) and the
pipeline's bake gate rolls the Deploy stage back (DESIGN.md, "Releases"). Names are fixed, so
both can name them before the alarms exist.

On EKS the ALB is Auto Mode's: `ingress_load_balancer` finds it by the tags Auto Mode gives it,
once the Ingress is ready (its target groups are left out: the deploy step's `rollout status`
already fails a rollout whose pods are not ready).
"""

from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

import pulumi

# A leaf module of the cloudwatch package: see components/__init__.py.
from pulumi_aws.cloudwatch.metric_alarm import MetricAlarm

from .package import ComponentArgsError, type_token

NAMESPACE = "AWS/ApplicationELB"
PERIOD_SECONDS = 60
EVALUATION_PERIODS = 3
DATAPOINTS_TO_ALARM = 2
ALARM_KINDS = ("5xx-rate", "latency-p99", "unhealthy-targets")


def alarm_names(prefix: str, target_groups: bool = True) -> list[str]:
    """The names `ServiceAlarms` gives its alarms, known before they exist."""
    return [f"{prefix}-{kind}" for kind in ALARM_KINDS if target_groups or kind != "unhealthy-targets"]


def ingress_load_balancer(cluster_name: pulumi.Input[str], namespace: str, ingress: Any) -> pulumi.Output[str]:
    """ARN suffix of the ALB EKS Auto Mode created for `ingress` (a `kubernetes` Ingress), found by its tags.

    The lookup waits for the Ingress's status (Pulumi waits for the ALB's hostname), so it runs once the
    ALB exists; in a preview of a new Ingress the suffix is unknown."""
    from pulumi_aws.lb.get_load_balancer import get_load_balancer_output

    name = ingress.metadata.apply(lambda m: m.name if hasattr(m, "name") else m["name"])
    ready = pulumi.Output.all(cluster_name, name, ingress.status)
    return get_load_balancer_output(
        tags=ready.apply(
            lambda v: {
                "eks:eks-cluster-name": v[0],
                "ingress.eks.amazonaws.com/stack": f"{namespace}/{v[1]}",
                "ingress.eks.amazonaws.com/resource": "LoadBalancer",
            }
        )
    ).arn_suffix


class ServiceAlarmsArgs(TypedDict):
    alarm_name_prefix: str
    """Alarm names are `<prefix>-5xx-rate`, `<prefix>-latency-p99` and `<prefix>-unhealthy-targets`. Required."""
    load_balancer_arn_suffix: pulumi.Input[str]
    """The ALB's ARN suffix (`app/<name>/<id>`), its CloudWatch dimension. Required."""
    target_group_arn_suffixes: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """ARN suffixes of the service's target groups (both of a blue/green pair). Default: no unhealthy-target alarm."""
    latency_threshold_ms: NotRequired[int]
    """p99 target response time, in milliseconds, above which the latency alarm fires. Default: 1000."""
    error_rate_percent: NotRequired[float]
    """Share of requests answered with a 5xx above which the error alarm fires. Default: 5."""


def _metric(name: str, stat: str, dimensions: pulumi.Input[dict[str, Any]]) -> Any:
    return {
        "metric_name": name,
        "namespace": NAMESPACE,
        "period": PERIOD_SECONDS,
        "stat": stat,
        "dimensions": dimensions,
    }


class ServiceAlarms(pulumi.ComponentResource):
    """5xx rate, p99 latency and unhealthy-target alarms of one service's load balancer."""

    alarm_names: pulumi.Output[list[str]]
    """The three alarms' names. Always set."""
    alarm_arns: pulumi.Output[list[str]]
    """Their ARNs. Always set."""

    def __init__(self, name: str, args: ServiceAlarmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("ServiceAlarms"), name, None, opts)
        latency_ms = args.get("latency_threshold_ms", 1000)
        rate = args.get("error_rate_percent", 5.0)
        if not 10 <= latency_ms <= 60000:
            raise ComponentArgsError(f"ServiceAlarms {name}: latency_threshold_ms {latency_ms} must be 10-60000")
        if not 0 < rate < 100:
            raise ComponentArgsError(f"ServiceAlarms {name}: error_rate_percent {rate} must be above 0 and below 100")
        child = pulumi.ResourceOptions(parent=self)
        prefix = args["alarm_name_prefix"]
        lb = pulumi.Output.from_input(args["load_balancer_arn_suffix"]).apply(lambda s: {"LoadBalancer": s})
        common: dict[str, Any] = {
            "evaluation_periods": EVALUATION_PERIODS,
            "datapoints_to_alarm": DATAPOINTS_TO_ALARM,
            "comparison_operator": "GreaterThanThreshold",
            # No traffic is not a failed release: the alarm stays OK.
            "treat_missing_data": "notBreaching",
        }
        errors = MetricAlarm(
            f"{name}-5xx-rate",
            name=f"{prefix}-5xx-rate",
            alarm_description=f"More than {rate:g}% of {prefix}'s requests answered with a 5xx",
            threshold=rate,
            metric_queries=[
                {
                    "id": "rate",
                    "expression": "100 * (FILL(target, 0) + FILL(elb, 0)) / FILL(requests, 1)",
                    "label": "5xx per 100 requests",
                    "return_data": True,
                },
                {"id": "target", "metric": _metric("HTTPCode_Target_5XX_Count", "Sum", lb), "return_data": False},
                {"id": "elb", "metric": _metric("HTTPCode_ELB_5XX_Count", "Sum", lb), "return_data": False},
                {"id": "requests", "metric": _metric("RequestCount", "Sum", lb), "return_data": False},
            ],
            **common,
            opts=child,
        )
        latency = MetricAlarm(
            f"{name}-latency-p99",
            name=f"{prefix}-latency-p99",
            alarm_description=f"p99 response time of {prefix}'s targets above {latency_ms} ms",
            namespace=NAMESPACE,
            metric_name="TargetResponseTime",
            dimensions=lb,
            period=PERIOD_SECONDS,
            extended_statistic="p99",
            threshold=latency_ms / 1000,
            **common,
            opts=child,
        )
        alarms: list[MetricAlarm] = [errors, latency]
        if "target_group_arn_suffixes" in args:
            alarms.append(
                self._unhealthy(
                    name, prefix, args["load_balancer_arn_suffix"], args["target_group_arn_suffixes"], common
                )
            )
        self.alarm_names = pulumi.Output.all(*(a.name for a in alarms)).apply(list)
        self.alarm_arns = pulumi.Output.all(*(a.arn for a in alarms)).apply(list)
        self.register_outputs({"alarm_names": self.alarm_names, "alarm_arns": self.alarm_arns})

    def _unhealthy(
        self,
        name: str,
        prefix: str,
        load_balancer: pulumi.Input[str],
        target_groups: pulumi.Input[Sequence[pulumi.Input[str]]],
        common: dict[str, Any],
    ) -> MetricAlarm:
        groups: Any = pulumi.Output.all(load_balancer, target_groups).apply(
            lambda v: [
                {
                    "id": f"tg{i}",
                    "metric": _metric("UnHealthyHostCount", "Maximum", {"LoadBalancer": v[0], "TargetGroup": group}),
                    "return_data": False,
                }
                for i, group in enumerate(v[1])
            ]
        )
        return MetricAlarm(
            f"{name}-unhealthy-targets",
            name=f"{prefix}-unhealthy-targets",
            alarm_description=f"A target of {prefix} fails its load balancer health check",
            threshold=0,
            metric_queries=groups.apply(
                lambda queries: [
                    {
                        "id": "unhealthy",
                        "expression": f"MAX([{', '.join(q['id'] for q in queries)}])",
                        "label": "Unhealthy targets",
                        "return_data": True,
                    },
                    *queries,
                ]
            ),
            **common,
            opts=pulumi.ResourceOptions(parent=self),
        )
