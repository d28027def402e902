"""The component library: one ComponentResource per module, re-exported here."""

from .artifact_store import ArtifactStore, ArtifactStoreArgs
from .container_registry import ContainerRegistry, ContainerRegistryArgs
from .image_build import ImageBuild, ImageBuildArgs
from .image_record import ImageRecord, ImageRecordArgs
from .network import Network, NetworkArgs
from .settings import ServiceSettings, SettingsError, SourceSettings, StackSettings, load_settings

__all__ = [
    "ArtifactStore",
    "ArtifactStoreArgs",
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "ImageBuild",
    "ImageBuildArgs",
    "ImageRecord",
    "ImageRecordArgs",
    "Network",
    "NetworkArgs",
    "ServiceSettings",
    "SettingsError",
    "SourceSettings",
    "StackSettings",
    "load_settings",
]
