"""Container delivery on AWS: one secure pipeline per service, from git push to running containers.

Read top to bottom, this is the architecture: settings, then the stack's shared
artifact store, then for each service its registry and its image build.
"""

import pulumi

from components import ArtifactStore, ContainerRegistry, ImageBuild, ImageRecord, Network, NetworkArgs, load_settings

# Settings are validated before anything is registered: a mistake stops here, with every
# bad key listed.
settings = load_settings()

# Shared by every service of the stack: the pipeline key and the artifact bucket.
store = ArtifactStore(
    "artifacts",
    {"artifact_retention_days": settings.artifact_retention_days, "protect": settings.protect_data},
)

# Network: the given VPC, or a new one with private subnets, NAT and VPC endpoints.
network_args: NetworkArgs
if settings.network.vpc_id:
    network_args = {
        "vpc_id": settings.network.vpc_id,
        "public_subnet_ids": list(settings.network.public_subnet_ids),
        "private_subnet_ids": list(settings.network.private_subnet_ids),
    }
else:
    network_args = {
        "cidr_block": settings.network.cidr_block,
        "availability_zones": settings.network.availability_zones,
        "nat_gateways": settings.network.nat_gateways,
        "flow_logs_kms_key_arn": store.key_arn,
        "log_retention_days": settings.log_retention_days,
    }
network = Network("network", network_args)

for service in settings.services:
    # Registry: immutable, scanned, KMS-encrypted images, plus a layer-cache repository.
    registry = ContainerRegistry(
        service.name,
        {
            "kms_key_arn": store.key_arn,
            "untagged_image_expiry_days": settings.untagged_image_expiry_days,
            "tagged_images_to_keep": settings.tagged_images_to_keep,
            "protect": settings.protect_data,
        },
    )

    # Build: test, build, push, scan gate, imagedefinitions.json by digest.
    build = ImageBuild(
        service.name,
        {
            "repository_url": registry.repository_url,
            "repository_arn": registry.repository_arn,
            "repository_name": registry.repository_name,
            "cache_repository_url": registry.cache_repository_url,
            "cache_repository_arn": registry.cache_repository_arn,
            "artifact_bucket_arn": store.bucket_arn,
            "kms_key_arn": store.key_arn,
            "container_name": service.name,
            "scan_severity_threshold": settings.scan_severity_threshold,
            "dockerfile": service.dockerfile,
            "build_context": service.build_context,
            "test_target": service.test_target,
            "build_image": settings.build_image,
            "compute_type": settings.build_compute_type,
            "log_retention_days": settings.log_retention_days,
        },
    )

    # Running image: the digest the pipeline last deployed, or the bootstrap image on the first `up`.
    record = ImageRecord(
        service.name,
        {"service": service.name, "bootstrap_image": settings.bootstrap_image, "protect": settings.protect_data},
    )

    pulumi.export(f"{service.name}RepositoryUrl", registry.repository_url)
    pulumi.export(f"{service.name}Image", record.image)
    pulumi.export(f"{service.name}BuildProject", build.project_name)

pulumi.export("artifactBucket", store.bucket_name)
pulumi.export("environment", settings.environment)
pulumi.export("target", settings.target)
