"""The component library: one ComponentResource per module, re-exported here.

Every name loads on first use (`from components import EcsService` imports `ecs_service` and
what it needs, nothing else). An ECS stack never loads pulumi-eks, pulumi-kubernetes or
pulumi-docker, and `import components.settings` (preflight's first step, before it starts the
policy worker) loads no pulumi-aws service package.

Loading time is also why some pulumi-aws classes are imported from their own module
(`from pulumi_aws.cloudwatch.log_group import LogGroup`) rather than used as
`aws.cloudwatch.LogGroup`: pulumi-aws's service packages are lazy modules, and the first
attribute of one runs its `__init__`, which loads every module of the package (hundreds for
cloudwatch). A leaf module whose class has no nested types (`log_group`, `kms.key`, `sns.topic`,
`ssm.parameter`, the `vpc` rules) loads alone; one that has them runs `from . import outputs`,
which loads the whole package anyway. Every ec2, s3, ecs and lb class used here has nested types,
so those keep the usual `aws.<package>.<Class>` form; `cloudwatch.metric_alarm` (the alarms) is
still imported from its module, and loads the whole cloudwatch package for that reason.
"""

import importlib
from typing import TYPE_CHECKING, Any

_LAZY = {
    "AlbAccessLogs": ".alb_access_logs",
    "AlbAccessLogsArgs": ".alb_access_logs",
    "ArtifactStore": ".artifact_store",
    "ArtifactStoreArgs": ".artifact_store",
    "BootstrapImage": ".bootstrap_image",
    "BootstrapImageArgs": ".bootstrap_image",
    "CiRunner": ".ci_runner",
    "CiRunnerArgs": ".ci_runner",
    "ClusterAccess": ".cluster_access",
    "ClusterAccessArgs": ".cluster_access",
    "ContainerRegistry": ".container_registry",
    "ContainerRegistryArgs": ".container_registry",
    "DeliveryPipeline": ".delivery_pipeline",
    "DeliveryPipelineArgs": ".delivery_pipeline",
    "EcsDeployTarget": ".delivery_pipeline",
    "EksDeployTarget": ".delivery_pipeline",
    "EcsCluster": ".ecs_cluster",
    "EcsClusterArgs": ".ecs_cluster",
    "EcsService": ".ecs_service",
    "EcsServiceArgs": ".ecs_service",
    "EksCluster": ".eks_cluster",
    "EksClusterArgs": ".eks_cluster",
    "EksDeploy": ".eks_deploy",
    "EksDeployArgs": ".eks_deploy",
    "EksWorkload": ".eks_workload",
    "EksWorkloadArgs": ".eks_workload",
    "ImageBuild": ".image_build",
    "ImageBuildArgs": ".image_build",
    "ImageRecord": ".image_record",
    "ImageRecordArgs": ".image_record",
    "Network": ".network",
    "NetworkArgs": ".network",
    "PipelineTopics": ".pipeline_topics",
    "PipelineTopicsArgs": ".pipeline_topics",
    "PullThroughCache": ".pull_through_cache",
    "PullThroughCacheArgs": ".pull_through_cache",
    "ServiceAlarms": ".service_alarms",
    "ServiceAlarmsArgs": ".service_alarms",
    "EcsClusterRef": ".service_delivery",
    "EksClusterRef": ".service_delivery",
    "ServiceDelivery": ".service_delivery",
    "ServiceDeliveryArgs": ".service_delivery",
    "ServiceSettings": ".settings",
    "SettingsError": ".settings",
    "SourceSettings": ".settings",
    "StackSettings": ".settings",
    "load_settings": ".settings",
    "PipelineSource": ".source",
    "Source": ".source",
    "SourceArgs": ".source",
    "WebAcl": ".web_acl",
    "WebAclArgs": ".web_acl",
}

if TYPE_CHECKING:
    from .alb_access_logs import AlbAccessLogs, AlbAccessLogsArgs
    from .artifact_store import ArtifactStore, ArtifactStoreArgs
    from .bootstrap_image import BootstrapImage, BootstrapImageArgs
    from .ci_runner import CiRunner, CiRunnerArgs
    from .cluster_access import ClusterAccess, ClusterAccessArgs
    from .container_registry import ContainerRegistry, ContainerRegistryArgs
    from .delivery_pipeline import DeliveryPipeline, DeliveryPipelineArgs, EcsDeployTarget, EksDeployTarget
    from .ecs_cluster import EcsCluster, EcsClusterArgs
    from .ecs_service import EcsService, EcsServiceArgs
    from .eks_cluster import EksCluster, EksClusterArgs
    from .eks_deploy import EksDeploy, EksDeployArgs
    from .eks_workload import EksWorkload, EksWorkloadArgs
    from .image_build import ImageBuild, ImageBuildArgs
    from .image_record import ImageRecord, ImageRecordArgs
    from .network import Network, NetworkArgs
    from .pipeline_topics import PipelineTopics, PipelineTopicsArgs
    from .pull_through_cache import PullThroughCache, PullThroughCacheArgs
    from .service_alarms import ServiceAlarms, ServiceAlarmsArgs
    from .service_delivery import EcsClusterRef, EksClusterRef, ServiceDelivery, ServiceDeliveryArgs
    from .settings import ServiceSettings, SettingsError, SourceSettings, StackSettings, load_settings
    from .source import PipelineSource, Source, SourceArgs
    from .web_acl import WebAcl, WebAclArgs


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # found by the next lookup without this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AlbAccessLogs",
    "AlbAccessLogsArgs",
    "ArtifactStore",
    "ArtifactStoreArgs",
    "BootstrapImage",
    "BootstrapImageArgs",
    "CiRunner",
    "CiRunnerArgs",
    "ClusterAccess",
    "ClusterAccessArgs",
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "DeliveryPipeline",
    "DeliveryPipelineArgs",
    "EcsCluster",
    "EcsClusterArgs",
    "EcsClusterRef",
    "EcsDeployTarget",
    "EcsService",
    "EcsServiceArgs",
    "EksCluster",
    "EksClusterArgs",
    "EksClusterRef",
    "EksDeploy",
    "EksDeployArgs",
    "EksDeployTarget",
    "EksWorkload",
    "EksWorkloadArgs",
    "ImageBuild",
    "ImageBuildArgs",
    "ImageRecord",
    "ImageRecordArgs",
    "Network",
    "NetworkArgs",
    "PipelineSource",
    "PipelineTopics",
    "PipelineTopicsArgs",
    "PullThroughCache",
    "PullThroughCacheArgs",
    "ServiceAlarms",
    "ServiceAlarmsArgs",
    "ServiceDelivery",
    "ServiceDeliveryArgs",
    "ServiceSettings",
    "SettingsError",
    "Source",
    "SourceArgs",
    "SourceSettings",
    "StackSettings",
    "WebAcl",
    "WebAclArgs",
    "load_settings",
]
