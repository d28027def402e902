"""The stack of this repository's `__main__.py`, with each service built by one `ServiceDelivery`.

The shared pieces are wired as `__main__.py` wires them; `tests/test_service_delivery.py` runs both
programs with the same stack settings and compares every resource.
"""

import pulumi

from components import (
    AlbAccessLogs,
    ArtifactStore,
    EcsCluster,
    Network,
    NetworkArgs,
    PipelineTopics,
    PullThroughCache,
    PullThroughCacheArgs,
    ServiceDelivery,
    ServiceDeliveryArgs,
    load_settings,
)
from components.web_acl import WebAcl

settings = load_settings()
store = ArtifactStore(
    "artifacts",
    {
        "artifact_retention_days": settings.artifact_retention_days,
        "protect": settings.protect_data,
        "access_logs": settings.artifact_access_logs,
        "access_log_retention_days": settings.log_retention_days,
    },
)
cache_args: PullThroughCacheArgs = {"kms_key_arn": store.key_arn}
for setting, arg in (
    ("dockerHubCredentialArn", "docker_hub_credential_arn"),
    ("githubCredentialArn", "github_credential_arn"),
    ("quayCredentialArn", "quay_credential_arn"),
):
    if setting in settings.cache_credentials:
        cache_args[arg] = settings.cache_credentials[setting]  # type: ignore[literal-required]
cache = PullThroughCache("pull-through", cache_args)
network_args: NetworkArgs = {
    "cidr_block": settings.network.cidr_block,
    "availability_zones": settings.network.availability_zones,
    "nat_gateways": settings.network.nat_gateways,
    "flow_logs_kms_key_arn": store.key_arn,
    "log_retention_days": settings.log_retention_days,
}
network = Network("network", network_args)
alb_logs = AlbAccessLogs(
    "alb",
    {
        "prefixes": [s.name for s in settings.services] if settings.target == "ecs" else ["ingress"],
        "log_retention_days": settings.log_retention_days,
        "protect": settings.protect_data,
    },
)
web_acl = (
    WebAcl(
        "edge",
        {
            "kms_key_arn": store.key_arn,
            "rate_limit": settings.waf_rate_limit,
            "log_retention_days": settings.log_retention_days,
        },
    )
    if settings.web_acl
    else None
)
topics = PipelineTopics("pipelines", {"kms_key_arn": store.key_arn, "approvals": settings.require_approval})
options = None
if settings.target == "ecs":
    ecs = EcsCluster("services", {"protect": settings.protect_data})
else:
    from components import EksCluster

    eks = EksCluster(
        "services",
        {
            "vpc_id": network.vpc_id,
            "private_subnet_ids": network.private_subnet_ids,
            "public_subnet_ids": network.public_subnet_ids,
            "kms_key_arn": store.key_arn,
            "public_access_cidrs": list(settings.cluster_endpoint_public_cidrs),
            "log_retention_days": settings.log_retention_days,
            "protect": settings.protect_data,
            "access_logs_bucket_name": alb_logs.bucket_name,
            "access_logs_prefix": "ingress",
        },
    )
    options = pulumi.ResourceOptions(providers=[eks.provider])

runner_connection: pulumi.Output[str] | None = None
runner_repository = ""
for service in settings.services:
    args: ServiceDeliveryArgs = {
        "source": {"provider": service.source.provider, "repository": service.source.repository},
        "artifact_bucket_name": store.bucket_name,
        "artifact_bucket_arn": store.bucket_arn,
        "kms_key_arn": store.key_arn,
        "vpc_id": network.vpc_id,
        "vpc_cidr_block": network.vpc_cidr_block,
        "public_subnet_ids": network.public_subnet_ids,
        "private_subnet_ids": network.private_subnet_ids,
        "notification_topic_arn": topics.notification_topic_arn,
        "environment": settings.environment,
        "require_approval": settings.require_approval,
        "protect": settings.protect_data,
        "execution_mode": "QUEUED" if settings.environment == "prod" else "SUPERSEDED",
        "container_port": service.port,
        "health_check_path": service.health_check_path,
        "cpu": service.cpu,
        "memory": service.memory,
        "desired_count": service.desired_count,
        "dockerfile": service.dockerfile,
        "build_context": service.build_context,
        "test_target": service.test_target,
        "scan_severity_threshold": settings.scan_severity_threshold,
        "build_image": settings.build_image,
        "build_compute_type": settings.build_compute_type,
        "log_retention_days": settings.log_retention_days,
        "untagged_image_expiry_days": settings.untagged_image_expiry_days,
        "tagged_images_to_keep": settings.tagged_images_to_keep,
        "bootstrap_image": settings.bootstrap_image,
        "pull_through_cache": cache.ref,
        "release": service.release.args(),
        "latency_threshold_ms": service.latency_threshold_ms,
    }
    if web_acl is not None:
        args["web_acl_arn"] = web_acl.web_acl_arn
    args["source"]["branch"] = service.source.branch
    if service.source.connection_arn:
        args["source"]["connection_arn"] = service.source.connection_arn
    if topics.approval_topic_arn is not None:
        args["approval_topic_arn"] = topics.approval_topic_arn
    if service.certificate_arn:
        args["certificate_arn"] = service.certificate_arn
    if settings.target == "ecs":
        args["ecs_cluster"] = {"cluster_arn": ecs.cluster_arn, "cluster_name": ecs.cluster_name}
        args["access_logs_bucket_name"] = alb_logs.bucket_name
    else:
        args["eks_cluster"] = {
            "cluster_name": eks.cluster_name,
            "cluster_arn": eks.cluster_arn,
            "cluster_security_group_id": eks.cluster_security_group_id,
            "ingress_class_name": eks.ingress_class_name,
        }
    delivery = ServiceDelivery(service.name, args, options)
    if runner_connection is None and service.source.provider == "github":
        runner_connection, runner_repository = delivery.connection_arn, service.source.repository

if settings.target == "eks" and settings.ci_runner:
    from components.ci_runner import CiRunner, runner_project_name

    assert runner_connection is not None
    CiRunner(
        "ci-runner",
        {
            "project_name": runner_project_name(pulumi.get_project(), pulumi.get_stack()),
            "repository_url": f"https://github.com/{runner_repository}",
            "connection_arn": runner_connection,
            "vpc_id": network.vpc_id,
            "subnet_ids": network.private_subnet_ids,
            "kms_key_arn": store.key_arn,
            "cluster_security_group_id": eks.cluster_security_group_id,
            "log_retention_days": settings.log_retention_days,
        },
    )
