"""EKS access entries: cluster-wide admin only for the principals a team names as its cluster operators.

Admin reaches a cluster three ways here: an `AccessPolicyAssociation` of AmazonEKSClusterAdminPolicy
or AmazonEKSAdminPolicy at cluster scope, an `AccessEntry` in the `system:masters` group, and the
same two inside the pulumi-eks component's `accessEntries` input (preflight does not expand the
component, so its input is read as well as the child resources).

The cluster creator's admin (`bootstrapClusterCreatorAdminPermissions`, always on with pulumi-eks
4.x in API mode) is not judged: it is the identity that runs `pulumi up`, which needs it to create
the cluster-scoped objects of the same update and already holds the stack's credentials.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .registry import Config, Resource, resource_rule

ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
ENTRY = "aws:eks/accessEntry:AccessEntry"
COMPONENT = "eks:index:Cluster"
ADMIN_POLICIES = ("AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy")
MASTERS = "system:masters"


def _is_operator(principal: Any, operators: Sequence[str]) -> bool:
    """Whether `principal` is a listed operator (exact ARNs, or shell patterns such as `...:role/ops-*`)."""
    return isinstance(principal, str) and any(fnmatch.fnmatchcase(principal, str(p)) for p in operators)


def _grants(prefix: str, policies: Mapping[str, Any], groups: Sequence[Any]) -> list[str]:
    """What in one entry grants cluster-wide admin: admin policies at cluster scope, system:masters."""
    found = []
    for where, association in policies.items():
        policy = str(association.get("policyArn") or "").rsplit("/", 1)[-1]
        scope = str((association.get("accessScope") or {}).get("type") or "")
        if policy in ADMIN_POLICIES and scope.lower() == "cluster":
            found.append(f"{prefix}{where}{policy} at cluster scope")
    if MASTERS in groups:
        found.append(f"{prefix}kubernetesGroups {MASTERS}")
    return found


FIX = (
    "list the principal in clusterOperators (pack config) if it operates the cluster, or grant a narrower policy "
    "(AmazonEKSEditPolicy or AmazonEKSViewPolicy) at namespace scope"
)


@resource_rule(
    name="eks-no-cluster-admin-access",
    types=[ASSOCIATION, ENTRY, COMPONENT],
    description="No access entry gives cluster-wide admin (AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy "
    "at cluster scope, or the system:masters group) to a principal that is not in clusterOperators (mandatory: "
    "least privilege stops at IAM otherwise). The cluster creator's bootstrap admin is not judged.",
    severity="critical",
    remediation="Associate AmazonEKSEditPolicy or AmazonEKSViewPolicy at namespace scope, or namespaced RBAC "
    "through kubernetesGroups; list the team's operators (role ARNs) in the clusterOperators parameter.",
    config={
        "clusterOperators": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Principal ARNs (shell patterns allowed) accepted as cluster admins.",
        }
    },
)
def no_cluster_admin_access(resource: Resource, config: Config) -> Iterator[str]:
    props = resource.props
    if resource.type == COMPONENT:
        entries: Mapping[str, Any] = props.get("accessEntries") or {}
        found = [
            (entry, grant)
            for name, entry in entries.items()
            for grant in _grants(
                f"accessEntries.{name}.",
                {f"accessPolicies.{k} ": v for k, v in (entry.get("accessPolicies") or {}).items()},
                list(entry.get("kubernetesGroups") or []),
            )
        ]
    elif resource.type == ASSOCIATION:
        found = [(props, grant) for grant in _grants("", {"": props}, [])]
    else:
        found = [(props, grant) for grant in _grants("", {}, list(props.get("kubernetesGroups") or []))]
    for entry, grant in found:
        principal = entry.get("principalArn")
        if not _is_operator(principal, config["clusterOperators"]):
            yield f"{principal} gets cluster admin through {grant}: {FIX}"
