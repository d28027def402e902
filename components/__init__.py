"""The component library: one ComponentResource per module, re-exported here.

The EKS components and `BootstrapImage` load pulumi-eks, pulumi-kubernetes and pulumi-docker,
which an ECS stack never needs: they are imported on first use.

Loading time is also why some pulumi-aws classes are imported from their own module
(`from pulumi_aws.cloudwatch.log_group import LogGroup`) rather than used as
`aws.cloudwatch.LogGroup`: the first attribute of a pulumi-aws service package loads every
module of the package (hundreds for cloudwatch), while a leaf module loads alone unless it
needs the package's nested types. That holds for the kms, sns, ssm, vpc and cloudwatch classes
used here and saves about 0.1 s of every `pulumi preview`, `pulumi up` and preflight run; the
other packages (ec2, s3, ecs, ...) are loaded whole by the classes used anyway, so they keep
the usual `aws.<package>.<Class>` form.
"""

import importlib
from typing import TYPE_CHECKING, Any

from .alb_access_logs import AlbAccessLogs, AlbAccessLogsArgs
from .artifact_store import ArtifactStore, ArtifactStoreArgs
from .container_registry import ContainerRegistry, ContainerRegistryArgs
from .delivery_pipeline import DeliveryPipeline, DeliveryPipelineArgs, EcsDeployTarget, EksDeployTarget
from .ecs_cluster import EcsCluster, EcsClusterArgs
from .ecs_service import EcsService, EcsServiceArgs
from .image_build import ImageBuild, ImageBuildArgs
from .image_record import ImageRecord, ImageRecordArgs
from .network import Network, NetworkArgs
from .pipeline_topics import PipelineTopics, PipelineTopicsArgs
from .pull_through_cache import PullThroughCache, PullThroughCacheArgs
from .service_delivery import EcsClusterRef, EksClusterRef, ServiceDelivery, ServiceDeliveryArgs
from .settings import ServiceSettings, SettingsError, SourceSettings, StackSettings, load_settings
from .source import PipelineSource, Source, SourceArgs

_LAZY = {
    "BootstrapImage": ".bootstrap_image",
    "BootstrapImageArgs": ".bootstrap_image",
    "CiRunner": ".ci_runner",
    "CiRunnerArgs": ".ci_runner",
    "ClusterAccess": ".cluster_access",
    "ClusterAccessArgs": ".cluster_access",
    "EksCluster": ".eks_cluster",
    "EksClusterArgs": ".eks_cluster",
    "EksDeploy": ".eks_deploy",
    "EksDeployArgs": ".eks_deploy",
    "EksWorkload": ".eks_workload",
    "EksWorkloadArgs": ".eks_workload",
    "ServiceAlarms": ".service_alarms",
    "ServiceAlarmsArgs": ".service_alarms",
    "WebAcl": ".web_acl",
    "WebAclArgs": ".web_acl",
}

if TYPE_CHECKING:
    from .bootstrap_image import BootstrapImage, BootstrapImageArgs
    from .ci_runner import CiRunner, CiRunnerArgs
    from .cluster_access import ClusterAccess, ClusterAccessArgs
    from .eks_cluster import EksCluster, EksClusterArgs
    from .eks_deploy import EksDeploy, EksDeployArgs
    from .eks_workload import EksWorkload, EksWorkloadArgs
    from .service_alarms import ServiceAlarms, ServiceAlarmsArgs
    from .web_acl import WebAcl, WebAclArgs


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
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
