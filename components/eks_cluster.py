"""`EksCluster`: the stack's EKS cluster (pulumi-eks), its Kubernetes provider and ALB ingress class.

Choices, and why:
- EKS Auto Mode, not a managed node group. AWS runs and patches the nodes (Bottlerocket-based,
  read-only root, SELinux enforcing, no SSH/SSM, IMDSv2 only, replaced at most every 21 days),
  scales them to the pods (Karpenter), and ships the ALB ingress controller, pod networking and
  the EKS Pod Identity agent, so nothing is installed or kept up to date by this project.
- API authentication mode (access entries, no aws-auth ConfigMap). pulumi-eks 4.x always sets
  `bootstrapClusterCreatorAdminPermissions: true` with it and offers no switch: the identity that
  runs `pulumi up` becomes cluster admin. It needs that anyway to create cluster-scoped objects
  (the IngressClass, namespaces, RBAC); everyone else gets access entries, the pipeline's deploy
  role a namespaced Role only.
- EKS Pod Identity, not IRSA: no account-wide IAM OIDC provider, trust policies name the
  `pods.eks.amazonaws.com` service instead of a cluster-specific issuer URL, and the agent is built
  into Auto Mode. `create_oidc_provider` is therefore off.
- Control-plane endpoint private by default; public only for the CIDRs given, never 0.0.0.0/0
  unless `allow_public_endpoint_anywhere` says so. Whoever runs `pulumi up` (and the pipeline's
  deploy step) must then reach the VPC: run them inside it or list their egress CIDRs.
- The cluster sits in the private subnets only, so Auto Mode's default node class never puts a
  node in a public subnet; the ALBs go to the public subnets named in the IngressClassParams.
- An explicit cluster name, so the control-plane log group (`/aws/eks/<name>/cluster`) exists
  first, KMS-encrypted with a retention, instead of the never-expiring one EKS would create.
"""

import ipaddress
import re
from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from pulumi_aws.cloudwatch.log_group import LogGroup

from . import kubernetes_objects as objects
from .aws_context import aws_context
from .package import ComponentArgsError, package_options, type_token
from .validation import retention_problem

CONTROL_PLANE_LOGS = ("api", "audit", "authenticator", "controllerManager", "scheduler")
ANYWHERE = ("0.0.0.0/0", "::/0")
INGRESS_CLASS = "alb-internet-facing"


class EksClusterArgs(TypedDict):
    vpc_id: pulumi.Input[str]
    """VPC of the cluster. Required."""
    private_subnet_ids: pulumi.Input[Sequence[str]]
    """Subnets of the control-plane interfaces and the nodes (two or more zones, with NAT or endpoints). Required."""
    public_subnet_ids: pulumi.Input[Sequence[str]]
    """Subnets of the internet-facing ALBs. Required."""
    kms_key_arn: pulumi.Input[str]
    """Key for envelope encryption of Kubernetes Secrets and for the control-plane log group. Required."""
    public_access_cidrs: NotRequired[Sequence[str]]
    """CIDRs that may reach the public API endpoint. Default: [] (no public endpoint, private only)."""
    allow_public_endpoint_anywhere: NotRequired[bool]
    """Accept 0.0.0.0/0 in `public_access_cidrs` (an API server open to the internet). Default: False."""
    log_retention_days: NotRequired[int]
    """Days control-plane logs are kept. Default: 30."""
    protect: NotRequired[bool]
    """Pulumi protect and EKS deletion protection on the cluster and its log group. Default: True."""
    kubernetes_version: NotRequired[str]
    """Kubernetes minor version, e.g. "1.33". Default: none (the EKS default at creation)."""
    access_logs_bucket_name: NotRequired[pulumi.Input[str]]
    """Bucket every ALB of the ingress class writes access logs to, under `access_logs_prefix`:
    `AlbAccessLogs.bucket_name`, known only once the bucket's policy admits that prefix.
    Default: no access logs."""
    access_logs_prefix: NotRequired[str]
    """Where in that bucket (the object keys name each load balancer); one of the bucket's
    `AlbAccessLogs` prefixes, or ELB may not write there. Default: "ingress"."""


def cluster_name_for(project: str, stack: str, name: str) -> str:
    """EKS names: 1-100 characters, letters, digits, `-` and `_`, starting with a letter or digit."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", f"{project}-{stack}-{name}").lstrip("-_")
    return (cleaned or "cluster")[:100]


def validate_eks_cluster_args(name: str, args: EksClusterArgs) -> None:
    """Raise ValueError naming every bad value, before any resource is registered."""
    problems: list[str] = []
    anywhere_ok = args.get("allow_public_endpoint_anywhere", False)
    for cidr in args.get("public_access_cidrs", []):
        try:
            network = ipaddress.ip_network(cidr)
        except ValueError:
            problems.append(f"public_access_cidrs: {cidr!r} is not a CIDR (e.g. 203.0.113.0/24)")
            continue
        if str(network) in ANYWHERE and not anywhere_ok:
            problems.append(
                f"public_access_cidrs: {cidr} opens the Kubernetes API to the internet; list your "
                "egress CIDRs instead, or set allow_public_endpoint_anywhere=True to accept it"
            )
    for key in ("private_subnet_ids", "public_subnet_ids"):
        value = args.get(key)
        if isinstance(value, (list, tuple)) and not value:
            problems.append(f"{key} must list at least one subnet")
    retention = args.get("log_retention_days", 30)
    if problem := retention_problem(retention):
        problems.append(problem)
    if problems:
        raise ComponentArgsError(f"EksCluster {name}: " + "; ".join(problems))


class EksCluster(pulumi.ComponentResource):
    """An Auto Mode EKS cluster with a private endpoint, all control-plane logs, encrypted Secrets."""

    cluster_name: pulumi.Output[str]
    """The cluster's name, known once the cluster exists. Always set."""
    cluster_arn: pulumi.Output[str]
    """The cluster's ARN. Always set."""
    cluster_security_group_id: pulumi.Output[str]
    """The security group EKS made for the control plane and nodes. Always set."""
    ingress_class_name: pulumi.Output[str]
    """The ingress class of the cluster's internet-facing ALBs, known once it exists. Always set."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (JSON) of the cluster, authenticating with `aws eks get-token`: build a Kubernetes provider
    from it for `EksWorkload` (this program passes the component's own provider). Always set."""

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_eks_cluster_args(name, args)
        super().__init__(type_token("EksCluster"), name, None, package_options(opts, "cicd:eks_cluster:EksCluster"))
        protect = args.get("protect", True)
        cidrs = list(args.get("public_access_cidrs", []))
        ctx = aws_context(self)
        cluster_name = cluster_name_for(pulumi.get_project(), pulumi.get_stack(), name)

        log_group = LogGroup(
            f"{name}-control-plane-logs",
            name=f"/aws/eks/{cluster_name}/cluster",
            retention_in_days=args.get("log_retention_days", 30),
            kms_key_id=args["kms_key_arn"],
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        self.cluster: eks.Cluster = eks.Cluster(
            f"{name}-cluster",
            name=cluster_name,
            vpc_id=args["vpc_id"],
            private_subnet_ids=args["private_subnet_ids"],
            authentication_mode=eks.AuthenticationMode.API,
            auto_mode={"enabled": True},
            endpoint_private_access=True,
            endpoint_public_access=bool(cidrs),
            # pulumi-eks rejects any list (even an empty one) while the public endpoint is off.
            public_access_cidrs=cidrs or None,
            enabled_cluster_log_types=list(CONTROL_PLANE_LOGS),
            encryption_config_key_arn=args["kms_key_arn"],
            create_oidc_provider=False,
            deletion_protection=protect,
            version=args.get("kubernetes_version"),
            tags={"cicd:cluster": cluster_name},
            opts=pulumi.ResourceOptions(parent=self, protect=protect, depends_on=[log_group]),
        )
        # The name is known now, but consumers (access entries, add-ons) must wait for the cluster.
        self.cluster_name = self.cluster.urn.apply(lambda _: cluster_name)
        self.cluster_arn = pulumi.Output.concat(
            "arn:", ctx.partition, ":eks:", ctx.region, ":", ctx.account_id, ":cluster/", self.cluster_name
        )
        self.cluster_security_group_id = self.cluster.cluster_security_group_id

        # The HorizontalPodAutoscaler reads CPU from metrics-server, which Auto Mode does not ship.
        aws.eks.Addon(
            f"{name}-metrics-server",
            cluster_name=self.cluster_name,
            addon_name="metrics-server",
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.cluster]),
        )

        self.provider: k8s.Provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.cluster.kubeconfig_json,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        on_cluster = pulumi.ResourceOptions(parent=self, provider=self.provider)
        log_prefix = args.get("access_logs_prefix", "ingress")
        params = pulumi.Output.all(args["public_subnet_ids"], args.get("access_logs_bucket_name")).apply(
            lambda values: objects.ingress_class_params(INGRESS_CLASS, values[0], values[1], log_prefix)
        )
        ingress_params = k8s.apiextensions.CustomResource(
            f"{name}-alb-params",
            api_version=f"{objects.PARAMS_API_GROUP}/v1",
            kind="IngressClassParams",
            metadata=params.apply(lambda o: o["metadata"]),
            spec=params.apply(lambda o: o["spec"]),
            opts=on_cluster,
        )
        klass = objects.ingress_class(INGRESS_CLASS)
        ingress_class = k8s.networking.v1.IngressClass(
            f"{name}-alb-class",
            metadata=klass["metadata"],
            spec=klass["spec"],
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[ingress_params]),
        )
        # Ingresses name this class; through the URN they also wait for it to exist.
        self.ingress_class_name = ingress_class.urn.apply(lambda _: INGRESS_CLASS)

        self.kubeconfig = self.cluster.kubeconfig_json
        self.register_outputs(
            {
                "kubeconfig": self.kubeconfig,
                "cluster_name": self.cluster_name,
                "cluster_arn": self.cluster_arn,
                "cluster_security_group_id": self.cluster_security_group_id,
                "ingress_class_name": self.ingress_class_name,
            }
        )
