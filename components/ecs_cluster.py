"""`EcsCluster`: the ECS cluster a stack's services share, with Container Insights on."""

from enum import StrEnum
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .package import ComponentArgsError, package_options, type_token


class ContainerInsights(StrEnum):
    """How much Container Insights records (it is never off)."""

    ENHANCED = "enhanced"
    """Task- and container-level metrics as well as the cluster's and services'."""
    ENABLED = "enabled"
    """Cluster- and service-level metrics only (cheaper)."""


class EcsClusterArgs(TypedDict):
    protect: NotRequired[bool]
    """Protect the cluster from deletion. Default: true."""
    container_insights: NotRequired[ContainerInsights]
    """Container Insights level (never off). Default: enhanced."""


class EcsCluster(pulumi.ComponentResource):
    """An ECS cluster with Container Insights on."""

    cluster_arn: pulumi.Output[str]
    """The cluster's ARN. Always set."""
    cluster_name: pulumi.Output[str]
    """The cluster's name, which the pipeline's ECS deploy action names. Always set."""

    def __init__(self, name: str, args: EcsClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("EcsCluster"), name, None, package_options(opts, "cicd:ecs_service:EcsCluster"))
        insights = args.get("container_insights", ContainerInsights.ENHANCED)
        try:
            level = ContainerInsights(insights)
        except ValueError:
            raise ComponentArgsError(
                f"EcsCluster {name}: container_insights must be 'enhanced' or 'enabled', got {insights!r}"
            ) from None
        self.cluster: aws.ecs.Cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[{"name": "containerInsights", "value": level.value}],
            opts=pulumi.ResourceOptions(parent=self, protect=args.get("protect", True)),
        )
        self.cluster_arn = self.cluster.arn
        self.cluster_name = self.cluster.name
        self.register_outputs({"cluster_arn": self.cluster_arn, "cluster_name": self.cluster_name})
