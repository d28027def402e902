"""`EcsCluster`: the ECS cluster a stack's services share, with Container Insights on."""

from typing import Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .package import ComponentArgsError, package_options, type_token


class EcsClusterArgs(TypedDict):
    protect: NotRequired[bool]
    """Protect the cluster from deletion. Default: True."""
    container_insights: NotRequired[Literal["enhanced", "enabled"]]
    """Container Insights level (never off). Default: enhanced."""


class EcsCluster(pulumi.ComponentResource):
    """An ECS cluster with Container Insights on."""

    cluster: aws.ecs.Cluster
    cluster_arn: pulumi.Output[str]
    cluster_name: pulumi.Output[str]

    def __init__(self, name: str, args: EcsClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("EcsCluster"), name, None, package_options(opts, "cicd:ecs_service:EcsCluster"))
        insights = args.get("container_insights", "enhanced")
        if insights not in ("enhanced", "enabled"):
            raise ComponentArgsError(
                f"EcsCluster {name}: container_insights must be 'enhanced' or 'enabled', got {insights!r}"
            )
        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[{"name": "containerInsights", "value": insights}],
            opts=pulumi.ResourceOptions(parent=self, protect=args.get("protect", True)),
        )
        self.cluster_arn = self.cluster.arn
        self.cluster_name = self.cluster.name
        self.register_outputs({"cluster_arn": self.cluster_arn, "cluster_name": self.cluster_name})
