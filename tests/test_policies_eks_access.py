"""EKS access: cluster-wide admin only for the pack's cluster operators, on the AWS access resources
and on the pulumi-eks component's `accessEntries` input (what preflight sees of a remote component)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.validate import validate_parameters

from tests.policy_harness import changed, resource_messages

ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
ENTRY = "aws:eks/accessEntry:AccessEntry"
COMPONENT = "eks:index:Cluster"
POLICY = "arn:aws:eks::aws:cluster-access-policy/"
DEV = "arn:aws:iam::123456789012:role/developer"
OPS = "arn:aws:iam::123456789012:role/platform-operator"
FIX = (
    "list the principal in clusterOperators (pack config) if it operates the cluster, or grant a narrower policy "
    "(AmazonEKSEditPolicy or AmazonEKSViewPolicy) at namespace scope"
)
CLUSTER_SCOPE = {"type": "cluster"}
NAMESPACE_SCOPE = {"type": "namespace", "namespaces": ["web"]}
# What EksDeploy registers: the deploy step's role in a namespaced RBAC group.
DEPLOY_ENTRY = {"clusterName": "c", "principalArn": DEV, "kubernetesGroups": ["web-deployers"], "type": "STANDARD"}


def association(policy: str, scope: dict[str, Any], principal: str = DEV) -> dict[str, Any]:
    return {"clusterName": "c", "principalArn": principal, "policyArn": POLICY + policy, "accessScope": scope}


@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        pytest.param(ENTRY, DEPLOY_ENTRY, [], id="compliant_program_deploy_entry"),
        pytest.param(ASSOCIATION, association("AmazonEKSEditPolicy", CLUSTER_SCOPE), [], id="compliant_edit"),
        pytest.param(
            ASSOCIATION, association("AmazonEKSAdminPolicy", NAMESPACE_SCOPE), [], id="compliant_admin_in_namespace"
        ),
        pytest.param(
            ASSOCIATION,
            association("AmazonEKSClusterAdminPolicy", CLUSTER_SCOPE),
            [f"{DEV} gets cluster admin through AmazonEKSClusterAdminPolicy at cluster scope: {FIX}"],
            id="noncompliant_cluster_admin_policy",
        ),
        pytest.param(
            ASSOCIATION,
            association("AmazonEKSAdminPolicy", CLUSTER_SCOPE),
            [f"{DEV} gets cluster admin through AmazonEKSAdminPolicy at cluster scope: {FIX}"],
            id="noncompliant_admin_policy_cluster_scope",
        ),
        pytest.param(
            ENTRY,
            changed(DEPLOY_ENTRY, "kubernetesGroups", ["web-deployers", "system:masters"]),
            [f"{DEV} gets cluster admin through kubernetesGroups system:masters: {FIX}"],
            id="noncompliant_system_masters",
        ),
    ],
)
def test_eks_no_cluster_admin_access(type_, props, expected):
    assert resource_messages("eks-no-cluster-admin-access", type_, props) == expected


def component(entries: dict[str, Any]) -> dict[str, Any]:
    return {"vpcId": "vpc-1", "authenticationMode": "API", "accessEntries": entries}


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param({}, [], id="compliant_no_entries"),
        pytest.param(
            {
                "viewers": {
                    "principalArn": DEV,
                    "accessPolicies": {
                        "view": {"policyArn": POLICY + "AmazonEKSViewPolicy", "accessScope": CLUSTER_SCOPE}
                    },
                }
            },
            [],
            id="compliant_viewer",
        ),
        pytest.param(
            {
                "admins": {
                    "principalArn": DEV,
                    "accessPolicies": {
                        "admin": {"policyArn": POLICY + "AmazonEKSClusterAdminPolicy", "accessScope": CLUSTER_SCOPE}
                    },
                }
            },
            [
                f"{DEV} gets cluster admin through accessEntries.admins.accessPolicies.admin "
                f"AmazonEKSClusterAdminPolicy at cluster scope: {FIX}"
            ],
            id="noncompliant_component_cluster_admin",
        ),
        pytest.param(
            {"masters": {"principalArn": DEV, "kubernetesGroups": ["system:masters"]}},
            [f"{DEV} gets cluster admin through accessEntries.masters.kubernetesGroups system:masters: {FIX}"],
            id="noncompliant_component_system_masters",
        ),
    ],
)
def test_eks_no_cluster_admin_access_on_the_component(entries, expected):
    assert resource_messages("eks-no-cluster-admin-access", COMPONENT, component(entries)) == expected


@pytest.mark.parametrize(
    ("operators", "expected"),
    [
        pytest.param([OPS], [], id="compliant_listed_operator"),
        pytest.param(["arn:aws:iam::123456789012:role/platform-*"], [], id="compliant_operator_pattern"),
        pytest.param(
            [DEV],
            [f"{OPS} gets cluster admin through AmazonEKSClusterAdminPolicy at cluster scope: {FIX}"],
            id="noncompliant_other_principal_listed",
        ),
    ],
)
def test_eks_cluster_operators_are_pack_config(operators, expected):
    props = association("AmazonEKSClusterAdminPolicy", CLUSTER_SCOPE, OPS)
    assert resource_messages("eks-no-cluster-admin-access", ASSOCIATION, props, clusterOperators=operators) == expected


EKS_API = botocore.session.get_session().get_service_model("eks")


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        pytest.param("CreateAccessEntry", DEPLOY_ENTRY, id="access_entry"),
        pytest.param("CreateAccessEntry", changed(DEPLOY_ENTRY, "kubernetesGroups", ["system:masters"]), id="masters"),
        pytest.param("AssociateAccessPolicy", association("AmazonEKSClusterAdminPolicy", CLUSTER_SCOPE), id="cluster"),
        pytest.param("AssociateAccessPolicy", association("AmazonEKSAdminPolicy", NAMESPACE_SCOPE), id="namespace"),
    ],
)
def test_fixtures_are_eks_api_requests(operation, params):
    """The resources' inputs have the EKS API's names and shapes, so the rule reads what AWS receives."""
    validate_parameters(params, EKS_API.operation_model(operation).input_shape)
