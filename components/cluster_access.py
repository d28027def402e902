"""`ClusterAccess`: EKS access entries for the stack's cluster administrators and viewers.

The identity that runs the first `pulumi up` is the cluster's administrator already (pulumi-eks
sets `bootstrapClusterCreatorAdminPermissions`); do not list it here, EKS refuses a second entry
for one principal. Everyone else who needs the Kubernetes API is listed by setting:
- administrators: `AmazonEKSClusterAdminPolicy` on the whole cluster (operators, the deploy role
  when a person ran the first `up`);
- viewers: `AmazonEKSViewPolicy` only in the services' namespaces (the preview roles, people on
  call). The view policy reads no Secrets.
"""

import functools
from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .access_principals import ADMIN_POLICY, VIEW_POLICY, access_policy_arn, principal_problems
from .aws_context import aws_context
from .package import ComponentArgsError, type_token


def _slug(role_arn: str) -> str:
    account, role = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
    return f"{account}-{role}"


class ClusterAccessArgs(TypedDict):
    cluster_name: pulumi.Input[str]
    """Cluster the entries are for (`EksCluster.cluster_name`, known once the cluster exists). Required."""
    admin_role_arns: NotRequired[Sequence[str]]
    """IAM roles that administer the whole cluster. Default: [] (only the cluster's creator)."""
    viewer_role_arns: NotRequired[Sequence[str]]
    """IAM roles that may read (not change, no Secrets) the objects of `viewer_namespaces`. Default: []."""
    viewer_namespaces: NotRequired[Sequence[pulumi.Input[str]]]
    """Namespaces the viewers see: the services' namespaces. Default: [] (required with viewers)."""


class ClusterAccess(pulumi.ComponentResource):
    """One access entry and one access-policy association per listed role."""

    principal_arns: pulumi.Output[Sequence[str]]
    """Every role given access, admins first. Always set."""

    def __init__(self, name: str, args: ClusterAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        admins = list(args.get("admin_role_arns", []))
        viewers = list(args.get("viewer_role_arns", []))
        namespaces = list(args.get("viewer_namespaces", []))
        found = principal_problems(admins, viewers)
        problems = [f"{key} {value!r}: expected {expected}" for key, value, expected in found]
        if viewers and not namespaces:
            problems.append("viewer_role_arns need viewer_namespaces: give the services' namespaces")
        if problems:
            raise ComponentArgsError(f"ClusterAccess {name}: " + "; ".join(problems))
        super().__init__(type_token("ClusterAccess"), name, None, opts)
        partition = aws_context(self).partition
        cluster_scope: aws.eks.AccessPolicyAssociationAccessScopeArgsDict = {"type": "cluster"}
        namespace_scope: aws.eks.AccessPolicyAssociationAccessScopeArgsDict = {
            "type": "namespace",
            "namespaces": namespaces,
        }
        grants = [(arn, ADMIN_POLICY, cluster_scope) for arn in admins]
        grants += [(arn, VIEW_POLICY, namespace_scope) for arn in viewers]
        for principal, policy, scope in grants:
            policy_arn = partition.apply(functools.partial(access_policy_arn, policy=policy))
            # Named by account and role name, so adding or removing one role leaves the others alone.
            child = f"{name}-{'admin' if policy == ADMIN_POLICY else 'viewer'}-{_slug(principal)}"
            entry = aws.eks.AccessEntry(
                child,
                cluster_name=args["cluster_name"],
                principal_arn=principal,
                type="STANDARD",
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.eks.AccessPolicyAssociation(
                f"{child}-policy",
                cluster_name=args["cluster_name"],
                principal_arn=entry.principal_arn,
                policy_arn=policy_arn,
                access_scope=scope,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.principal_arns = pulumi.Output.from_input([arn for arn, _, _ in grants])
        self.register_outputs({"principal_arns": self.principal_arns})
