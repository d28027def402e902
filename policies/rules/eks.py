"""EKS: API endpoint not open to the internet (judged on the union of its CIDRs), control-plane logs,
secrets envelope-encrypted.

Each rule reads both the `aws:eks/cluster:Cluster` resource and the inputs of the pulumi-eks
`eks:index:Cluster` component, which preflight does not expand into its children: a real
preview sees both, preflight only the component, and the verdict is the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import networks
from .registry import Config, Resource, resource_rule

CLUSTER = "aws:eks/cluster:Cluster"
COMPONENT = "eks:index:Cluster"
ANYWHERE = "0.0.0.0/0"
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


def _endpoint(resource: Resource) -> tuple[str, Mapping[str, Any]]:
    """Where the endpoint settings live: `vpcConfig` of the AWS resource, top level of the component."""
    if resource.type == CLUSTER:
        return "vpcConfig.", resource.props.get("vpcConfig") or {}
    return "", resource.props


def _ip_family(resource: Resource) -> str:
    """The cluster's IP family: `kubernetesNetworkConfig.ipFamily` of the AWS resource, `ipFamily` of the component."""
    if resource.type == CLUSTER:
        family = (resource.props.get("kubernetesNetworkConfig") or {}).get("ipFamily")
    else:
        family = resource.props.get("ipFamily")
    return str(family or "ipv4").lower()


NOT_PUBLIC_FIX = (
    "set endpointPublicAccess false with endpointPrivateAccess true, or list only your networks in publicAccessCidrs"
)


@resource_rule(
    name="eks-endpoint-not-public",
    types=[CLUSTER, COMPONENT],
    description="The EKS API endpoint is private, or public only to listed networks whose union admits at most "
    "maxPublicAddresses addresses (default 2^24, a /8), with no IPv6 CIDR on an IPv4 cluster (mandatory: public "
    "access to the cluster's control plane).",
    severity="critical",
    remediation="Set endpoint_public_access=False with endpoint_private_access=True, or list only your networks "
    "in public_access_cidrs.",
    config={
        "maxPublicAddresses": {
            "type": "integer",
            "minimum": 1,
            "default": networks.MAX_PUBLIC_ADDRESSES,
            "description": "Most IPv4 addresses the union of publicAccessCidrs may admit (the same share of the "
            "IPv6 space on an IPv6 cluster).",
        }
    },
)
def endpoint_not_public(resource: Resource, config: Config) -> Iterator[str]:
    prefix, settings = _endpoint(resource)
    public = settings.get("endpointPublicAccess")
    if public is False:
        return
    state = "is true" if public is True else "is not set (default true)"
    cidrs = settings.get("publicAccessCidrs")
    if not cidrs:
        yield (
            f"{prefix}endpointPublicAccess {state} and {prefix}publicAccessCidrs is not set (EKS then allows "
            f"{ANYWHERE}): {NOT_PUBLIC_FIX}"
        )
        return
    read = networks.read_cidrs(cidrs)
    for entry in read.invalid:
        yield f"{prefix}publicAccessCidrs entry {entry!r} is not a CIDR: list networks such as 203.0.113.0/24"
    if read.ipv6 and _ip_family(resource) != "ipv6":
        yield (
            f"{prefix}publicAccessCidrs lists IPv6 {', '.join(str(n) for n in read.ipv6)} on an IPv4 cluster: "
            "list IPv4 CIDRs only (EKS accepts IPv6 public-access CIDRs on IPv6 clusters only)"
        )
        read = networks.Cidrs(read.ipv4, (), read.invalid)
    for family, count, limit in networks.too_open(read, int(config["maxPublicAddresses"])):
        yield (
            f"{prefix}endpointPublicAccess {state} and {prefix}publicAccessCidrs together admit "
            f"{networks.amount(count, family)} {family} addresses, more than {networks.amount(limit, family)} "
            f"(maxPublicAddresses): {NOT_PUBLIC_FIX}"
        )


@resource_rule(
    name="eks-control-plane-logging",
    types=[CLUSTER, COMPONENT],
    description="EKS sends all control-plane logs to CloudWatch (mandatory: the audit log is the record of who "
    "did what in the cluster).",
    severity="medium",
    remediation="Set enabled_cluster_log_types=['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].",
)
def control_plane_logging(resource: Resource, config: Config) -> Iterator[str]:
    enabled = set(resource.props.get("enabledClusterLogTypes") or [])
    missing = [t for t in LOG_TYPES if t not in enabled]
    if missing:
        yield f"enabledClusterLogTypes lacks {', '.join(missing)}: enable all of {', '.join(LOG_TYPES)}"


@resource_rule(
    name="eks-secrets-encryption",
    types=[CLUSTER, COMPONENT],
    description="EKS envelope-encrypts Kubernetes secrets with a KMS key (mandatory: encryption at rest).",
    severity="high",
    remediation="pulumi-eks: set encryption_config_key_arn to the stack's KMS key. aws.eks.Cluster: set "
    "encryption_config={'resources': ['secrets'], 'provider': {'key_arn': <key arn>}}.",
)
def secrets_encryption(resource: Resource, config: Config) -> Iterator[str]:
    if resource.type == COMPONENT:
        if not resource.props.get("encryptionConfigKeyArn"):
            yield "encryptionConfigKeyArn is not set: set it to the stack's KMS key so secrets are envelope-encrypted"
        return
    encryption = resource.props.get("encryptionConfig") or {}
    if "secrets" not in (encryption.get("resources") or []):
        yield "encryptionConfig.resources does not include secrets: encrypt resources ['secrets'] with a KMS key"
    elif not (encryption.get("provider") or {}).get("keyArn"):
        yield "encryptionConfig.provider.keyArn is not set: set it to the stack's KMS key"
