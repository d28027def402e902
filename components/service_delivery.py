"""`ServiceDelivery`: one service's whole delivery path, for programs that use the package.

It composes the stage components the way this repository's `__main__.py` wires them, from the
service's own settings and the stack's shared pieces (artifact store, network, cluster, topics,
access-log bucket), so a consumer writes one resource per service. `__main__.py` keeps wiring
the stages itself, as the readable reference of the architecture; a test proves that both
produce the same children with the same inputs.
"""

from collections.abc import Mapping
from typing import NotRequired, TypedDict

import pulumi

from .container_registry import ContainerRegistry
from .delivery_pipeline import DeliveryPipeline, DeliveryPipelineArgs, EcsDeployTarget, EksDeployTarget
from .deployment_strategy import ReleaseArgs
from .ecs_service import EcsService, EcsServiceArgs
from .image_build import ImageBuild
from .image_record import DEFAULT_BOOTSTRAP_IMAGE, ImageRecord
from .package import ComponentArgsError, type_token
from .pull_through_cache import PullThroughCacheRef, resolve_through
from .source import Source, SourceArgs


def container_environment(name: str, health_check_path: str, port: int, bootstrap_image: str) -> dict[str, str]:
    """Plain settings the container reads (never secrets). The default placeholder image listens
    where WHOAMI_PORT_NUMBER says; a real image ignores that variable."""
    environment = {"SERVICE_NAME": name, "HEALTH_CHECK_PATH": health_check_path}
    if bootstrap_image == DEFAULT_BOOTSTRAP_IMAGE:
        environment["WHOAMI_PORT_NUMBER"] = str(port)
    return environment


class EcsClusterRef(TypedDict):
    """The stack's ECS cluster: an `EcsCluster`'s outputs."""

    cluster_arn: pulumi.Input[str]
    """The cluster's ARN. Required."""
    cluster_name: pulumi.Input[str]
    """The cluster's name. Required."""


class EksClusterRef(TypedDict):
    """The stack's EKS cluster: an `EksCluster`'s outputs. Its Kubernetes provider goes in the resource
    options (`providers`)."""

    cluster_name: pulumi.Input[str]
    """The cluster's name. Required."""
    cluster_arn: pulumi.Input[str]
    """The cluster's ARN. Required."""
    cluster_security_group_id: pulumi.Input[str]
    """The cluster security group (the deploy step is let in on 443). Required."""
    ingress_class_name: pulumi.Input[str]
    """The ingress class of the cluster's ALBs. Required."""


class ServiceDeliveryArgs(TypedDict):
    source: SourceArgs
    """Where the service's code lives. Required."""
    artifact_bucket_name: pulumi.Input[str]
    """The stack's artifact bucket (`ArtifactStore.bucket_name`). Required."""
    artifact_bucket_arn: pulumi.Input[str]
    """Its ARN (`ArtifactStore.bucket_arn`). Required."""
    kms_key_arn: pulumi.Input[str]
    """The stack key (`ArtifactStore.key_arn`): artifacts, images, logs and topics. Required."""
    vpc_id: pulumi.Input[str]
    """The stack's VPC (`Network.vpc_id`). Required."""
    vpc_cidr_block: pulumi.Input[str]
    """Its range (`Network.vpc_cidr_block`). Required."""
    public_subnet_ids: pulumi.Input[list[str]]
    """Subnets of the internet-facing load balancer (`Network.public_subnet_ids`). Required."""
    private_subnet_ids: pulumi.Input[list[str]]
    """Subnets of the tasks and the deploy step (`Network.private_subnet_ids`). Required."""
    notification_topic_arn: pulumi.Input[str]
    """The stack's notification topic (`PipelineTopics.notification_topic_arn`). Required."""
    approval_topic_arn: NotRequired[pulumi.Input[str]]
    """The stack's approval topic (`PipelineTopics.approval_topic_arn`), needed with require_approval.
    Default: none."""
    ecs_cluster: NotRequired[EcsClusterRef]
    """Run on this ECS cluster (Fargate). Default: none; give it or `eks_cluster`."""
    eks_cluster: NotRequired[EksClusterRef]
    """Run on this EKS cluster. Default: none; give it or `ecs_cluster`."""
    pull_through_cache: NotRequired[PullThroughCacheRef]
    """The stack's pull-through cache (`PullThroughCache`'s outputs): base images of the build and the
    bootstrap image come through it. Default: none (both pulled from their public registries)."""
    access_logs_bucket_name: NotRequired[pulumi.Input[str]]
    """ECS: the stack's ALB access-log bucket (`AlbAccessLogs.bucket_name`, with this service's name among
    its prefixes). Default: the service's load balancer gets a bucket of its own."""
    web_acl_arn: NotRequired[pulumi.Input[str]]
    """AWS WAF web ACL (`WebAcl.web_acl_arn`) in front of the service's load balancer. Default: none."""
    environment: NotRequired[str]
    """Environment name, tagged on the pipeline (`prod` needs an approval). Default: none."""
    release: NotRequired[ReleaseArgs]
    """How a new image reaches users (ECS: rolling, blue/green, canary or linear; EKS: rolling), and the bake
    time the service's alarms watch before the pipeline records it. Default: rolling, a 10-minute bake."""
    latency_threshold_ms: NotRequired[int]
    """p99 target response time (ms) above which the service's latency alarm fires. Default: 1000."""
    require_approval: NotRequired[bool]
    """A manual approval gates every deploy. Default: true."""
    protect: NotRequired[bool]
    """Protect the registry, image record and load balancer; never force-delete images. Default: true."""
    execution_mode: NotRequired[str]
    """Pipeline execution mode: QUEUED, SUPERSEDED or PARALLEL. Default: QUEUED."""
    container_port: NotRequired[int]
    """Port the container listens on (1024-65535: it runs as a non-root user). Default: 8080."""
    health_check_path: NotRequired[str]
    """HTTP path the load balancer and probes check. Default: /healthz."""
    cpu: NotRequired[int]
    """CPU units (a Fargate size on ECS). Default: 256."""
    memory: NotRequired[int]
    """Memory in MiB (a size Fargate accepts for `cpu` on ECS). Default: 512."""
    desired_count: NotRequired[int]
    """Running copies. Default: 2."""
    certificate_arn: NotRequired[pulumi.Input[str]]
    """ACM certificate: HTTPS on 443 and HTTP redirected to it. Default: none (plain HTTP)."""
    dockerfile: NotRequired[str]
    """Dockerfile path in the repository. Default: Dockerfile."""
    build_context: NotRequired[str]
    """Docker build context in the repository. Default: '.'."""
    test_target: NotRequired[str]
    """Dockerfile stage that runs the tests; the build fails if it fails. Default: test."""
    scan_severity_threshold: NotRequired[str]
    """Scan findings at or above this severity fail the build. Default: HIGH."""
    build_image: NotRequired[str]
    """CodeBuild image. Default: aws/codebuild/amazonlinux-x86_64-standard:5.0."""
    build_compute_type: NotRequired[str]
    """CodeBuild compute type. Default: BUILD_GENERAL1_SMALL."""
    log_retention_days: NotRequired[int]
    """Days every log of the service is kept (a CloudWatch Logs value). Default: 30."""
    untagged_image_expiry_days: NotRequired[int]
    """Days before an untagged image expires. Default: 7."""
    tagged_images_to_keep: NotRequired[int]
    """Images kept in the registry. Default: 30."""
    bootstrap_image: NotRequired[str]
    """What the service runs until the pipeline's first deploy (through the cache when its registry has a
    rule); `build` builds app/ with Docker during `pulumi up`. Default: public.ecr.aws/traefik/whoami:v1.11.0
    by digest."""
    container_environment: NotRequired[Mapping[str, str]]
    """Plain environment variables for the container (never secrets). Default: SERVICE_NAME and
    HEALTH_CHECK_PATH (and the placeholder's port)."""


class ServiceDelivery(pulumi.ComponentResource):
    """One service's delivery path: source, registry, image build, running-image record, workload (ECS or
    EKS) and pipeline, wired as this repository's program wires them."""

    url: pulumi.Output[str]
    """The service's URL (its load balancer). Always set."""
    pipeline_name: pulumi.Output[str]
    """The pipeline's name. Always set."""
    connection_activation: pulumi.Output[str]
    """What to do before the first pipeline run (activate a new connection). Always set."""
    repository_url: pulumi.Output[str]
    """The service's ECR repository. Always set."""
    build_project_name: pulumi.Output[str]
    """The image build's CodeBuild project. Always set."""
    image: pulumi.Output[str]
    """The image the service runs now (the pipeline's last record, or the bootstrap image). Always set."""
    connection_arn: pulumi.Output[str] | None
    """The source's CodeConnections connection (a stack's CI runner can use it). Default: none (CodeCommit)."""

    def __init__(self, name: str, args: ServiceDeliveryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("ServiceDelivery"), name, None, opts)
        if ("ecs_cluster" in args) == ("eks_cluster" in args):
            raise ComponentArgsError(
                f"ServiceDelivery {name}: give exactly one of ecs_cluster (an EcsCluster's outputs) and "
                "eks_cluster (an EksCluster's outputs)"
            )
        protect = args.get("protect", True)
        retention = args.get("log_retention_days", 30)
        port = args.get("container_port", 8080)
        path = args.get("health_check_path", "/healthz")
        bootstrap_image = args.get("bootstrap_image", DEFAULT_BOOTSTRAP_IMAGE)
        environment = dict(
            args.get("container_environment") or container_environment(name, path, port, bootstrap_image)
        )
        child = pulumi.ResourceOptions(parent=self)
        cache = args.get("pull_through_cache")
        cache_args = (
            {"base_registry": cache["ecr_public_prefix"], "pull_through_cache_arns": cache["repository_arns"]}
            if cache
            else {}
        )

        source = Source(name, args["source"], child)
        registry = ContainerRegistry(
            name,
            {
                "kms_key_arn": args["kms_key_arn"],
                "untagged_image_expiry_days": args.get("untagged_image_expiry_days", 7),
                "tagged_images_to_keep": args.get("tagged_images_to_keep", 30),
                "protect": protect,
            },
            child,
        )
        build = ImageBuild(
            name,
            {
                "repository_url": registry.repository_url,
                "repository_arn": registry.repository_arn,
                "repository_name": registry.repository_name,
                "cache_repository_url": registry.cache_repository_url,
                "cache_repository_arn": registry.cache_repository_arn,
                "artifact_bucket_arn": args["artifact_bucket_arn"],
                "kms_key_arn": args["kms_key_arn"],
                "container_name": name,
                "scan_severity_threshold": args.get("scan_severity_threshold", "HIGH"),
                "dockerfile": args.get("dockerfile", "Dockerfile"),
                "build_context": args.get("build_context", "."),
                "test_target": args.get("test_target", "test"),
                "build_image": args.get("build_image", "aws/codebuild/amazonlinux-x86_64-standard:5.0"),
                "compute_type": args.get("build_compute_type", "BUILD_GENERAL1_SMALL"),
                "log_retention_days": retention,
                **cache_args,  # type: ignore[typeddict-item]
            },
            child,
        )
        bootstrap: pulumi.Input[str] = resolve_through(cache, bootstrap_image) if cache else bootstrap_image
        if bootstrap_image == "build":
            from .bootstrap_image import BootstrapImage, BootstrapImageArgs  # pulumi-docker loads only to build

            image_args: BootstrapImageArgs = {"repository_url": registry.repository_url}
            if cache:
                image_args["base_registry"] = cache["ecr_public_prefix"]
            bootstrap = BootstrapImage(name, image_args, child).repo_digest
        record = ImageRecord(name, {"service": name, "bootstrap_image": bootstrap, "protect": protect}, child)

        pipeline_args: DeliveryPipelineArgs = {
            "source": source.pipeline_source,
            "artifact_bucket_name": args["artifact_bucket_name"],
            "artifact_bucket_arn": args["artifact_bucket_arn"],
            "kms_key_arn": args["kms_key_arn"],
            "build_project_name": build.project_name,
            "build_project_arn": build.project_arn,
            "image_parameter_name": record.parameter_name,
            "image_parameter_arn": record.parameter_arn,
            "require_approval": args.get("require_approval", True),
            "execution_mode": args.get("execution_mode", "QUEUED"),
            "log_retention_days": retention,
            "notification_topic_arn": args["notification_topic_arn"],
        }
        for optional in ("environment", "approval_topic_arn"):
            if optional in args:
                pipeline_args[optional] = args[optional]
        if "ecs_cluster" in args:
            pipeline_args["ecs_deploy"], self.url, alarms = self._run_on_ecs(
                name, args, record.image, registry, environment
            )
        else:
            pipeline_args["eks_deploy"], self.url, alarms = self._run_on_eks(name, args, record.image, environment)
        bake_minutes = args.get("release", {}).get("bake_minutes", 10)
        if bake_minutes > 0:
            pipeline_args |= {"bake_alarm_names": alarms, "bake_minutes": bake_minutes}
        pipeline = DeliveryPipeline(name, pipeline_args, child)

        self.pipeline_name = pipeline.pipeline_name
        self.connection_activation = source.activation_message
        self.repository_url = registry.repository_url
        self.build_project_name = build.project_name
        self.image = record.image
        self.connection_arn = source.connection_arn
        self.register_outputs(
            {
                "url": self.url,
                "pipeline_name": self.pipeline_name,
                "connection_activation": self.connection_activation,
                "repository_url": self.repository_url,
                "build_project_name": self.build_project_name,
                "image": self.image,
                "connection_arn": self.connection_arn,
            }
        )

    def _run_on_ecs(
        self,
        name: str,
        args: ServiceDeliveryArgs,
        image: pulumi.Output[str],
        registry: ContainerRegistry,
        environment: dict[str, str],
    ) -> tuple[EcsDeployTarget, pulumi.Output[str], pulumi.Output[list[str]]]:
        cluster = args["ecs_cluster"]
        service_args: EcsServiceArgs = {
            "cluster_arn": cluster["cluster_arn"],
            "cluster_name": cluster["cluster_name"],
            "vpc_id": args["vpc_id"],
            "vpc_cidr_block": args["vpc_cidr_block"],
            "public_subnet_ids": args["public_subnet_ids"],
            "private_subnet_ids": args["private_subnet_ids"],
            "image": image,
            "container_name": name,
            "kms_key_arn": args["kms_key_arn"],
            "repository_arn": registry.repository_arn,
            "container_port": args.get("container_port", 8080),
            "health_check_path": args.get("health_check_path", "/healthz"),
            "cpu": args.get("cpu", 256),
            "memory": args.get("memory", 512),
            "desired_count": args.get("desired_count", 2),
            "log_retention_days": args.get("log_retention_days", 30),
            "protect": args.get("protect", True),
            "environment": environment,
            "release": args.get("release", {}),
            "latency_threshold_ms": args.get("latency_threshold_ms", 1000),
        }
        for optional in ("access_logs_bucket_name", "certificate_arn", "web_acl_arn"):
            if optional in args:
                service_args[optional] = args[optional]
        if "pull_through_cache" in args:
            service_args["pull_through_cache_arns"] = args["pull_through_cache"]["repository_arns"]
        app = EcsService(name, service_args, pulumi.ResourceOptions(parent=self))
        deploy: EcsDeployTarget = {
            "ecs_cluster_name": cluster["cluster_name"],
            "ecs_service_name": app.service_name,
            "ecs_service_arn": app.service_arn,
            "task_definition_family": app.task_family,
            "task_role_arn": app.task_role_arn,
            "execution_role_arn": app.execution_role_arn,
        }
        return deploy, app.url, app.alarm_names

    def _run_on_eks(
        self, name: str, args: ServiceDeliveryArgs, image: pulumi.Output[str], environment: dict[str, str]
    ) -> tuple[EksDeployTarget, pulumi.Output[str], pulumi.Output[list[str]]]:
        from .eks_deploy import EksDeploy  # the EKS libraries load only for EKS services
        from .eks_workload import EksWorkload, EksWorkloadArgs

        cluster = args["eks_cluster"]
        workload_args: EksWorkloadArgs = {
            "cluster_name": cluster["cluster_name"],
            "image": image,
            "ingress_class_name": cluster["ingress_class_name"],
            "container_port": args.get("container_port", 8080),
            "health_check_path": args.get("health_check_path", "/healthz"),
            "cpu": args.get("cpu", 256),
            "memory": args.get("memory", 512),
            "desired_count": args.get("desired_count", 2),
            "environment": environment,
        }
        if "certificate_arn" in args:
            workload_args["certificate_arn"] = args["certificate_arn"]
        if "web_acl_arn" in args:
            workload_args["web_acl_arn"] = args["web_acl_arn"]
        # The cluster's Kubernetes provider comes from this component's resource options.
        app = EksWorkload(name, workload_args, pulumi.ResourceOptions(parent=self))
        deployer = EksDeploy(
            name,
            {
                "cluster_name": cluster["cluster_name"],
                "cluster_arn": cluster["cluster_arn"],
                "cluster_security_group_id": cluster["cluster_security_group_id"],
                "vpc_id": args["vpc_id"],
                "subnet_ids": args["private_subnet_ids"],
                "namespace": app.namespace,
                "deployment_name": app.deployment_name,
                "container_name": app.container_name,
                "deploy_group": app.deploy_group,
                "artifact_bucket_arn": args["artifact_bucket_arn"],
                "kms_key_arn": args["kms_key_arn"],
                "log_retention_days": args.get("log_retention_days", 30),
            },
            pulumi.ResourceOptions(parent=self),
        )
        deploy: EksDeployTarget = {
            "deploy_project_name": deployer.project_name,
            "deploy_project_arn": deployer.project_arn,
        }
        from .service_alarms import ServiceAlarms, ingress_load_balancer

        # The ALB is Auto Mode's, known once the Ingress is ready: 5xx and latency alarms for the bake gate.
        alarms = ServiceAlarms(
            name,
            {
                "alarm_name_prefix": f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}",
                "load_balancer_arn_suffix": ingress_load_balancer(cluster["cluster_name"], name, app.ingress),
                "latency_threshold_ms": args.get("latency_threshold_ms", 1000),
            },
            pulumi.ResourceOptions(parent=self),
        )
        return deploy, app.url, alarms.alarm_names
