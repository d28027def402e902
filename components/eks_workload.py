"""`EksWorkload`: one service on an `EksCluster`, from namespace to internet-facing ALB.

The way in is an `Ingress` of the cluster's Auto Mode ALB class (one ALB per service, pod IPs as
targets): HTTP health checks on the service's path, ACM certificate, TLS 1.2+ policy and an
HTTP-to-HTTPS redirect, like the ECS path, with no controller to install. A `LoadBalancer`
Service would give an NLB without HTTP health checks or TLS policy; Auto Mode has no Gateway API.

The Deployment runs the image it is given: per DESIGN.md ("Ownership of the running image") the
image the pipeline last recorded. Pulumi owns the whole spec and overrides any field another
manager changed; the pipeline's `kubectl set image` only ever sets the image it then records.
The pipeline acts as the Kubernetes group `deploy_group` (an access entry the pipeline component
creates), bound here to a Role that can read and patch this Deployment and nothing else.
"""

import re
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from . import kubernetes_objects as objects
from . import naming
from .package import ComponentArgsError, package_options, type_token

# A DNS-1123 label: namespace and object names.
# Any kubernetes resource token: `get_provider` looks up the package part.
KUBERNETES = "kubernetes:core/v1:Namespace"
NAME_PATTERN = re.compile(r"^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$")


class EksWorkloadArgs(TypedDict):
    cluster_name: pulumi.Input[str]
    """Cluster the workload runs in; passed through for the pipeline's deploy step. Required."""
    image: pulumi.Input[str]
    """Image the pods run, e.g. `repo@sha256:...`: the image the pipeline recorded. Required."""
    ingress_class_name: pulumi.Input[str]
    """Ingress class of the cluster's internet-facing ALBs (`EksCluster.ingress_class_name`). Required."""
    container_port: NotRequired[int]
    """Port the container listens on (1024 or higher: it runs as a non-root user). Default: 8080."""
    health_check_path: NotRequired[str]
    """Path of the readiness, liveness and ALB health checks. Default: /healthz."""
    cpu: NotRequired[int]
    """CPU units (1024 = one vCPU), requested and limit. Default: 256."""
    memory: NotRequired[int]
    """Memory in MiB, requested and limit. Default: 512."""
    desired_count: NotRequired[int]
    """Minimum replicas; the autoscaler may run up to max(2x, 3). Default: 2."""
    certificate_arn: NotRequired[pulumi.Input[str]]
    """ACM certificate: HTTPS on 443 and HTTP redirected to it. Default: none (plain HTTP on 80)."""
    deploy_group: NotRequired[str]
    """Kubernetes group of the pipeline's deploy role (its access entry). Default: cicd-deploy-<name>."""
    environment: NotRequired[Mapping[str, str]]
    """Plain environment variables for the container (never secrets); PORT is always set. Default: none."""
    web_acl_arn: NotRequired[pulumi.Input[str]]
    """AWS WAF web ACL (`WebAcl.web_acl_arn`) the ingress ALB is associated with. Default: none."""


def validate_eks_workload_args(name: str, args: EksWorkloadArgs) -> None:
    problems: list[str] = []
    if not NAME_PATTERN.match(name):
        problems.append(f"name {name!r} must be lowercase letters, digits and '-', at most 52 characters")
    elif naming.reserved_namespace(naming.namespace(name)):
        problems.append(f"name {name!r} is the namespace of the service, and that namespace is reserved")
    port = args.get("container_port", 8080)
    if not 1024 <= port <= 65535:
        problems.append(f"container_port {port} must be 1024-65535 (the container runs as a non-root user)")
    if not args.get("health_check_path", "/healthz").startswith("/"):
        problems.append("health_check_path must start with '/'")
    if args.get("cpu", 256) < 1 or args.get("memory", 512) < 1:
        problems.append("cpu and memory must be positive")
    if args.get("desired_count", 2) < 1:
        problems.append("desired_count must be at least 1")
    if problems:
        raise ComponentArgsError(f"EksWorkload {name}: " + "; ".join(problems))


class EksWorkload(pulumi.ComponentResource):
    """A restricted-PSS namespace with the service's Deployment, Service, PDB, HPA, Ingress and deploy RBAC."""

    namespace: pulumi.Output[str]
    """The service's namespace, known once it exists. Always set."""
    deployment_name: pulumi.Output[str]
    """The Deployment, known once it exists. Always set."""
    container_name: pulumi.Output[str]
    """The container in it. Always set."""
    service_name: pulumi.Output[str]
    """The Kubernetes Service in front of it. Always set."""
    cluster_name: pulumi.Output[str]
    """The cluster it runs in (passed through for the deploy step). Always set."""
    deploy_group: pulumi.Output[str]
    """The Kubernetes group a namespaced Role lets roll the Deployment out. Always set."""
    url: pulumi.Output[str]
    """http(s)://<ingress load balancer>, or `pending` until the ALB exists. Always set."""

    def __init__(self, name: str, args: EksWorkloadArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_eks_workload_args(name, args)
        super().__init__(type_token("EksWorkload"), name, None, package_options(opts, "cicd:eks_workload:EksWorkload"))
        port = args.get("container_port", 8080)
        path = args.get("health_check_path", "/healthz")
        group = args.get("deploy_group", f"cicd-deploy-{name}")
        https = "certificate_arn" in args
        environment = dict(args.get("environment", {}))
        if self.get_provider(KUBERNETES) is None:
            raise ComponentArgsError(
                f"EksWorkload {name}: no Kubernetes provider; pass the cluster's in the resource options: "
                "providers=[EksCluster.provider] (or a provider built from EksCluster.kubeconfig), "
                "never the ambient kubeconfig"
            )
        # Every child takes the cluster's provider from this component's `providers`.
        on_cluster = pulumi.ResourceOptions(parent=self)

        ns = k8s.core.v1.Namespace(
            f"{name}-namespace", **_fields(objects.namespace(naming.namespace(name))), opts=on_cluster
        )
        # Every namespaced object waits for the namespace through this output.
        ns_name = ns.urn.apply(lambda _: name)

        def in_ns(obj: objects.Obj) -> dict[str, Any]:
            fields = _fields(obj)
            fields["metadata"] = ns_name.apply(lambda _: obj["metadata"])
            return fields

        account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account", **in_ns(objects.service_account(name, name)), opts=on_cluster
        )
        spec = pulumi.Output.from_input(args["image"]).apply(
            lambda image: objects.deployment(
                name=name,
                ns=name,
                image=image,
                port=port,
                health_check_path=path,
                cpu=args.get("cpu", 256),
                memory=args.get("memory", 512),
                environment=environment,
            )
        )
        self.deployment: k8s.apps.v1.Deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=pulumi.Output.all(spec, ns_name).apply(lambda v: v[0]["metadata"]),
            spec=spec.apply(lambda d: d["spec"]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account]),
        )
        service = k8s.core.v1.Service(f"{name}-service", **in_ns(objects.service(name, name)), opts=on_cluster)
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb", **in_ns(objects.pod_disruption_budget(name, name)), opts=on_cluster
        )
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-hpa",
            **in_ns(objects.horizontal_pod_autoscaler(name, name, args.get("desired_count", 2))),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.deployment]),
        )
        ingress = pulumi.Output.all(
            ingress_class=args["ingress_class_name"],
            certificate=args.get("certificate_arn"),
            acl=args.get("web_acl_arn"),
            ns=ns_name,
        ).apply(
            lambda v: objects.ingress(
                name=name,
                ns=name,
                ingress_class=v["ingress_class"],
                health_check_path=path,
                certificate_arn=v["certificate"],
                web_acl_arn=v["acl"],
            )
        )
        self.ingress: k8s.networking.v1.Ingress = k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata=ingress.apply(lambda o: o["metadata"]),
            spec=ingress.apply(lambda o: o["spec"]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[service]),
        )
        role = k8s.rbac.v1.Role(f"{name}-deploy-role", **in_ns(objects.deploy_role(name, name)), opts=on_cluster)
        k8s.rbac.v1.RoleBinding(
            f"{name}-deploy-binding",
            **in_ns(objects.deploy_role_binding(name, name, group)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )

        self.namespace = ns_name
        self.deployment_name = self.deployment.urn.apply(lambda _: name)
        self.container_name = pulumi.Output.from_input(name)
        self.service_name = service.urn.apply(lambda _: name)
        self.cluster_name = pulumi.Output.from_input(args["cluster_name"])
        self.deploy_group = pulumi.Output.from_input(group)
        self.url = self.ingress.status.apply(lambda status: _url(status, https))
        self.register_outputs(
            {
                "namespace": self.namespace,
                "deployment_name": self.deployment_name,
                "container_name": self.container_name,
                "service_name": self.service_name,
                "cluster_name": self.cluster_name,
                "deploy_group": self.deploy_group,
                "url": self.url,
            }
        )


def _fields(obj: objects.Obj) -> dict[str, Any]:
    """The typed class's keyword arguments: everything but apiVersion and kind (the class sets them)."""
    return {_snake(k): v for k, v in obj.items() if k not in ("apiVersion", "kind")}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _url(status: Any, https: bool) -> str:
    """The ALB's hostname once the controller has published it (Pulumi waits for it on `up`)."""
    load_balancer = getattr(status, "load_balancer", None) if status is not None else None
    entries = (getattr(load_balancer, "ingress", None) or []) if load_balancer is not None else []
    hostname = getattr(entries[0], "hostname", None) if entries else None
    return f"{'https' if https else 'http'}://{hostname}" if hostname else "pending"
