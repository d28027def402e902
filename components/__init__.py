"""The component library: one ComponentResource per module, re-exported here."""

from .artifact_store import ArtifactStore, ArtifactStoreArgs
from .bootstrap_image import BootstrapImage, BootstrapImageArgs
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
from .settings import ServiceSettings, SettingsError, SourceSettings, StackSettings, load_settings
from .source import Source, SourceArgs

__all__ = [
    "ArtifactStore",
    "ArtifactStoreArgs",
    "BootstrapImage",
    "BootstrapImageArgs",
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "DeliveryPipeline",
    "DeliveryPipelineArgs",
    "EcsCluster",
    "EcsClusterArgs",
    "EcsDeployTarget",
    "EcsService",
    "EcsServiceArgs",
    "EksCluster",
    "EksClusterArgs",
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
    "PipelineTopics",
    "PipelineTopicsArgs",
    "ServiceSettings",
    "SettingsError",
    "Source",
    "SourceArgs",
    "SourceSettings",
    "StackSettings",
    "load_settings",
]
