"""Container delivery on AWS: one secure pipeline per service, from git push to running containers.

Read top to bottom, this is the architecture: settings; the stack's shared artifact store,
network and cluster (ECS or EKS: one setting); then for each service its source, registry,
image build, running-image record, workload and delivery pipeline.
"""

import pulumi

from components import (
    AlbAccessLogs,
    ArtifactStore,
    ContainerRegistry,
    DeliveryPipeline,
    DeliveryPipelineArgs,
    EcsCluster,
    EcsDeployTarget,
    EcsService,
    EcsServiceArgs,
    EksDeployTarget,
    ImageBuild,
    ImageRecord,
    Network,
    NetworkArgs,
    PipelineTopics,
    PullThroughCache,
    PullThroughCacheArgs,
    ServiceSettings,
    Source,
    SourceArgs,
    load_settings,
)
from components.service_delivery import container_environment

# Settings are validated before anything is registered: a mistake stops here, with every
# bad key listed.
settings = load_settings()

# Shared by every service of the stack: the pipeline key and the artifact bucket.
store = ArtifactStore(
    "artifacts",
    {
        "artifact_retention_days": settings.artifact_retention_days,
        "protect": settings.protect_data,
        "access_logs": settings.artifact_access_logs,
        "access_log_retention_days": settings.log_retention_days,
    },
)

# Public images (base images of builds, the bootstrap image of first deploys) come through the
# account's own registry: ECR pull-through cache rules, scanned and KMS-encrypted like the rest.
cache_args: PullThroughCacheArgs = {"kms_key_arn": store.key_arn}
credentials = settings.cache_credentials  # Docker Hub, GHCR and Quay need a Secrets Manager secret
if "dockerHubCredentialArn" in credentials:
    cache_args["docker_hub_credential_arn"] = credentials["dockerHubCredentialArn"]
if "githubCredentialArn" in credentials:
    cache_args["github_credential_arn"] = credentials["githubCredentialArn"]
if "quayCredentialArn" in credentials:
    cache_args["quay_credential_arn"] = credentials["quayCredentialArn"]
cache = PullThroughCache("pull-through", cache_args)

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

# One access-log bucket for the stack's load balancers. On ECS each service's ALB writes under
# the service's name; on EKS the ALBs of the ingress class all write under `ingress/` (each log
# object names its load balancer).
EKS_LOG_PREFIX = "ingress"
alb_logs = AlbAccessLogs(
    "alb",
    {
        "prefixes": [s.name for s in settings.services] if settings.target == "ecs" else [EKS_LOG_PREFIX],
        "log_retention_days": settings.log_retention_days,
        "protect": settings.protect_data,
    },
)

# The cluster every service of the stack runs in: ECS with Container Insights, or EKS Auto Mode
# with a private API endpoint, encrypted Secrets and all control-plane logs.
ecs_cluster = eks_cluster = None
if settings.target == "ecs":
    ecs_cluster = EcsCluster("services", {"protect": settings.protect_data})
else:
    # The EKS libraries load only for EKS stacks (components/__init__.py imports them lazily).
    from components import EksCluster

    eks_cluster = EksCluster(
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
            "access_logs_prefix": EKS_LOG_PREFIX,
        },
    )


# AWS WAF in front of every internet-facing load balancer (on by default in prod).
web_acl = None
if settings.web_acl:
    # pulumi-aws's wafv2 types load only for stacks that use them (a third of a second).
    from components import WebAcl

    web_acl = WebAcl(
        "edge",
        {
            "kms_key_arn": store.key_arn,
            "rate_limit": settings.waf_rate_limit,
            "log_retention_days": settings.log_retention_days,
        },
    )

# Where every pipeline of the stack reports failures, successes and approval requests.
topics = PipelineTopics("pipelines", {"kms_key_arn": store.key_arn, "approvals": settings.require_approval})


def run_on_ecs(
    service: ServiceSettings, image: pulumi.Output[str], repository_arn: pulumi.Output[str]
) -> tuple[EcsDeployTarget, pulumi.Output[str], pulumi.Output[list[str]]]:
    """Fargate tasks in private subnets behind an internet-facing ALB; the ECS deploy action."""
    assert ecs_cluster is not None
    service_args: EcsServiceArgs = {
        "cluster_arn": ecs_cluster.cluster_arn,
        "cluster_name": ecs_cluster.cluster_name,
        "vpc_id": network.vpc_id,
        "vpc_cidr_block": network.vpc_cidr_block,
        "public_subnet_ids": network.public_subnet_ids,
        "private_subnet_ids": network.private_subnet_ids,
        "image": image,
        "container_name": service.name,
        "kms_key_arn": store.key_arn,
        "repository_arn": repository_arn,
        "pull_through_cache_arns": cache.repository_arns,
        "container_port": service.port,
        "health_check_path": service.health_check_path,
        "cpu": service.cpu,
        "memory": service.memory,
        "desired_count": service.desired_count,
        "log_retention_days": settings.log_retention_days,
        "protect": settings.protect_data,
        "environment": container_environment(
            service.name, service.health_check_path, service.port, settings.bootstrap_image
        ),
        "access_logs_bucket_name": alb_logs.bucket_name,
        "release": service.release.args(),
        "latency_threshold_ms": service.latency_threshold_ms,
    }
    if service.certificate_arn:
        service_args["certificate_arn"] = service.certificate_arn
    if web_acl is not None:
        service_args["web_acl_arn"] = web_acl.web_acl_arn
    app = EcsService(service.name, service_args)
    deploy: EcsDeployTarget = {
        "ecs_cluster_name": ecs_cluster.cluster_name,
        "ecs_service_name": app.service_name,
        "ecs_service_arn": app.service_arn,
        "task_definition_family": app.task_family,
        "task_role_arn": app.task_role_arn,
        "execution_role_arn": app.execution_role_arn,
    }
    return deploy, app.url, app.alarm_names


def run_on_eks(
    service: ServiceSettings, image: pulumi.Output[str]
) -> tuple[EksDeployTarget, pulumi.Output[str], pulumi.Output[list[str]]]:
    """A Kubernetes workload in its own namespace; a kubectl deploy step that verifies the rollout."""
    from components import EksDeploy, EksWorkload, EksWorkloadArgs

    assert eks_cluster is not None
    workload_args: EksWorkloadArgs = {
        "cluster_name": eks_cluster.cluster_name,
        "image": image,
        "ingress_class_name": eks_cluster.ingress_class_name,
        "container_port": service.port,
        "health_check_path": service.health_check_path,
        "cpu": service.cpu,
        "memory": service.memory,
        "desired_count": service.desired_count,
        "environment": container_environment(
            service.name, service.health_check_path, service.port, settings.bootstrap_image
        ),
    }
    if service.certificate_arn:
        workload_args["certificate_arn"] = service.certificate_arn
    if web_acl is not None:
        workload_args["web_acl_arn"] = web_acl.web_acl_arn
    # The workload's objects go to this stack's cluster through its provider, never the ambient kubeconfig.
    app = EksWorkload(service.name, workload_args, pulumi.ResourceOptions(providers=[eks_cluster.provider]))
    service_namespaces.append(app.namespace)
    deployer = EksDeploy(
        service.name,
        {
            "cluster_name": eks_cluster.cluster_name,
            "cluster_arn": eks_cluster.cluster_arn,
            "cluster_security_group_id": eks_cluster.cluster_security_group_id,
            "vpc_id": network.vpc_id,
            "subnet_ids": network.private_subnet_ids,
            "namespace": app.namespace,
            "deployment_name": app.deployment_name,
            "container_name": app.container_name,
            "deploy_group": app.deploy_group,
            "artifact_bucket_arn": store.bucket_arn,
            "kms_key_arn": store.key_arn,
            "log_retention_days": settings.log_retention_days,
        },
    )
    deploy: EksDeployTarget = {
        "deploy_project_name": deployer.project_name,
        "deploy_project_arn": deployer.project_arn,
    }
    from components.service_alarms import ServiceAlarms, ingress_load_balancer

    # The ALB is Auto Mode's, known once the Ingress is ready: 5xx and latency alarms for the bake gate.
    alarms = ServiceAlarms(
        service.name,
        {
            "alarm_name_prefix": f"{pulumi.get_project()}-{pulumi.get_stack()}-{service.name}",
            "load_balancer_arn_suffix": ingress_load_balancer(eks_cluster.cluster_name, service.name, app.ingress),
            "latency_threshold_ms": service.latency_threshold_ms,
        },
    )
    return deploy, app.url, alarms.alarm_names


service_namespaces: list[pulumi.Output[str]] = []
runner_source: Source | None = None  # the first GitHub service's connection also serves the CI runner
for service in settings.services:
    # Source: a CodeConnections connection (created PENDING: activate it once) or CodeCommit.
    source_args: SourceArgs = {
        "provider": service.source.provider,
        "repository": service.source.repository,
        "branch": service.source.branch,
    }
    if service.source.connection_arn:
        source_args["connection_arn"] = service.source.connection_arn
    source = Source(service.name, source_args)
    if runner_source is None and service.source.provider == "github":
        runner_source = source

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
            "base_registry": cache.ecr_public_prefix,
            "pull_through_cache_arns": cache.repository_arns,
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

    # Running image: the digest the pipeline last deployed, or the bootstrap image on the first `up`
    # (a public placeholder pulled through the cache, or app/ built here with Docker when the
    # setting says `build`).
    bootstrap = cache.resolve(settings.bootstrap_image)
    if settings.bootstrap_image == "build":
        from components import BootstrapImage  # pulumi-docker loads only for stacks that build

        bootstrap = BootstrapImage(
            service.name, {"repository_url": registry.repository_url, "base_registry": cache.ecr_public_prefix}
        ).repo_digest
    record = ImageRecord(
        service.name, {"service": service.name, "bootstrap_image": bootstrap, "protect": settings.protect_data}
    )

    # Pipeline: source -> build -> [approval] -> deploy (rolls back on failure or an alarm while it bakes)
    # -> record.
    pipeline_args: DeliveryPipelineArgs = {
        "source": source.pipeline_source,
        "artifact_bucket_name": store.bucket_name,
        "artifact_bucket_arn": store.bucket_arn,
        "kms_key_arn": store.key_arn,
        "build_project_name": build.project_name,
        "build_project_arn": build.project_arn,
        "image_parameter_name": record.parameter_name,
        "image_parameter_arn": record.parameter_arn,
        "require_approval": settings.require_approval,
        "execution_mode": "QUEUED" if settings.environment == "prod" else "SUPERSEDED",
        "log_retention_days": settings.log_retention_days,
        "environment": settings.environment,
        "notification_topic_arn": topics.notification_topic_arn,
    }
    if topics.approval_topic_arn is not None:
        pipeline_args["approval_topic_arn"] = topics.approval_topic_arn

    # Workload: where the image runs, and how the pipeline's Deploy stage rolls it out.
    if settings.target == "ecs":
        pipeline_args["ecs_deploy"], url, alarms = run_on_ecs(service, record.image, registry.repository_arn)
    else:
        pipeline_args["eks_deploy"], url, alarms = run_on_eks(service, record.image)
    if service.release.bake_minutes > 0:
        pipeline_args |= {"bake_alarm_names": alarms, "bake_minutes": service.release.bake_minutes}

    pipeline = DeliveryPipeline(service.name, pipeline_args)

    pulumi.export(f"{service.name}Url", url)
    pulumi.export(f"{service.name}Pipeline", pipeline.pipeline_name)
    pulumi.export(f"{service.name}ConnectionActivation", source.activation_message)
    pulumi.export(f"{service.name}RepositoryUrl", registry.repository_url)
    pulumi.export(f"{service.name}BuildProject", build.project_name)
    pulumi.export(f"{service.name}Image", record.image)

pulumi.export("notifications", topics.notification_topic_arn)
pulumi.export("artifactBucket", store.bucket_name)
pulumi.export("environment", settings.environment)
pulumi.export("target", settings.target)
if eks_cluster is not None:
    pulumi.export("clusterName", eks_cluster.cluster_name)
    # A private API endpoint is reachable only from the VPC: the stack's own GitHub Actions runner
    # runs its preview and up jobs there (setting ciRunner; docs/ci.md, "Private EKS endpoint").
    if settings.ci_runner:
        from components.ci_runner import CiRunner, runner_project_name

        assert runner_source is not None and runner_source.connection_arn is not None  # settings checked it
        runner = CiRunner(
            "ci-runner",
            {
                "project_name": runner_project_name(pulumi.get_project(), pulumi.get_stack()),
                "repository_url": f"https://github.com/{runner_source.repository}",
                "connection_arn": runner_source.connection_arn,
                "vpc_id": network.vpc_id,
                "subnet_ids": network.private_subnet_ids,
                "kms_key_arn": store.key_arn,
                "cluster_security_group_id": eks_cluster.cluster_security_group_id,
                "log_retention_days": settings.log_retention_days,
            },
        )
        pulumi.export("ciRunsOn", runner.runs_on)
    # Who else may use the cluster (its creator administers it already): settings clusterAdmins
    # (cluster-wide admin) and clusterViewers (read-only in the services' namespaces).
    if settings.cluster_admins or settings.cluster_viewers:
        from components import ClusterAccess

        ClusterAccess(
            "cluster-access",
            {
                "cluster_name": eks_cluster.cluster_name,
                "admin_role_arns": list(settings.cluster_admins),
                "viewer_role_arns": list(settings.cluster_viewers),
                "viewer_namespaces": service_namespaces,
            },
        )
