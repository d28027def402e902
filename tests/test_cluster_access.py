"""Cluster access by setting: clusterAdmins and clusterViewers become EKS access entries.

Admins get AmazonEKSClusterAdminPolicy on the cluster, viewers AmazonEKSViewPolicy in the services'
namespaces only. The entries are checked against botocore's EKS shapes (CreateAccessEntry,
AssociateAccessPolicy) and the stack keeps passing the pack and the deployer-policy coverage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import botocore.validate
import pytest

from components.settings import SettingsError, parse_settings
from preflight.deployer_policy import uncovered_types
from preflight.engine import PlanResult
from preflight.export import deployment
from preflight.verdicts import evaluate, load_pack_config, pack_policies
from tests.conftest import plan

OPERATORS = "arn:aws:iam::111122223333:role/operators"
PREVIEW = "arn:aws:iam::111122223333:role/ci/prod-preview"
EKS = botocore.session.get_session().get_service_model("eks")


@pytest.fixture(scope="module")
def access_plan() -> PlanResult:
    return plan("prod", clusterAdmins=[OPERATORS], clusterViewers=[PREVIEW])


def of_type(result: PlanResult, type_: str) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in result.resources if r.type == type_}


# --- settings -------------------------------------------------------------------------------------


def test_compliant_lists_and_cli_json_text_are_parsed() -> None:
    s = parse_settings({"target": "eks", "clusterAdmins": f'["{OPERATORS}"]', "clusterViewers": [PREVIEW]}, "prod")
    assert (s.cluster_admins, s.cluster_viewers) == ((OPERATORS,), (PREVIEW,))
    assert parse_settings({}, "prod").cluster_admins == ()


BAD = [
    (
        "noncompliant_user_not_role",
        {"target": "eks", "clusterAdmins": ["arn:aws:iam::111122223333:user/alice"]},
        "clusterAdmins: got 'arn:aws:iam::111122223333:user/alice'; expected an IAM role ARN such as "
        "arn:aws:iam::111122223333:role/operators",
    ),
    (
        "noncompliant_in_both_lists",
        {"target": "eks", "clusterAdmins": [OPERATORS], "clusterViewers": [OPERATORS]},
        f"clusterViewers: got '{OPERATORS}'; expected a role that is not also in clusterAdmins (admins can view)",
    ),
    (
        "noncompliant_duplicate",
        {"target": "eks", "clusterViewers": [PREVIEW, PREVIEW]},
        f'clusterViewers: got ["{PREVIEW}", "{PREVIEW}"]; expected each role once',
    ),
    (
        "noncompliant_on_ecs",
        {"target": "ecs", "clusterAdmins": [OPERATORS]},
        f'clusterAdmins: got ["{OPERATORS}"]; expected no value: only an EKS stack (target: eks) has cluster '
        "access entries",
    ),
    (
        "noncompliant_not_a_list",
        {"target": "eks", "clusterAdmins": 7},
        "clusterAdmins: got 7; expected a list of IAM role ARNs",
    ),
]


@pytest.mark.parametrize(("raw", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_noncompliant_principals_are_named(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(raw, "prod")
    assert message in caught.value.problems


# --- the plan -------------------------------------------------------------------------------------


def test_admins_get_cluster_admin_on_the_cluster(access_plan: PlanResult) -> None:
    associations = of_type(access_plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert associations["cluster-access-admin-111122223333-operators-policy"] == {
        "clusterName": "container-delivery-prod-services",
        "principalArn": OPERATORS,
        "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        "accessScope": {"type": "cluster"},
    }


def test_viewers_get_view_only_in_the_services_namespaces(access_plan: PlanResult) -> None:
    associations = of_type(access_plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert associations["cluster-access-viewer-111122223333-prod-preview-policy"] == {
        "clusterName": "container-delivery-prod-services",
        "principalArn": PREVIEW,
        "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
        "accessScope": {"type": "namespace", "namespaces": ["web"]},
    }
    assert len(associations) == 2


def test_entries_are_standard_and_match_the_eks_api(access_plan: PlanResult) -> None:
    entries = of_type(access_plan, "aws:eks/accessEntry:AccessEntry")
    listed = {k: v for k, v in entries.items() if k.startswith("cluster-access-")}
    assert {v["principalArn"] for v in listed.values()} == {OPERATORS, PREVIEW}
    for inputs in listed.values():
        assert inputs["type"] == "STANDARD" and "kubernetesGroups" not in inputs
        params = {k: inputs[k] for k in ("clusterName", "principalArn", "type")}
        botocore.validate.validate_parameters(params, EKS.operation_model("CreateAccessEntry").input_shape)
    for inputs in of_type(access_plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").values():
        params = {k: inputs[k] for k in ("clusterName", "principalArn", "policyArn", "accessScope")}
        botocore.validate.validate_parameters(params, EKS.operation_model("AssociateAccessPolicy").input_shape)


def test_negative_control_botocore_rejects_a_bad_scope() -> None:
    params = {"clusterName": "c", "principalArn": OPERATORS, "policyArn": "p", "accessScope": {"type": 3}}
    with pytest.raises(botocore.exceptions.ParamValidationError):
        botocore.validate.validate_parameters(params, EKS.operation_model("AssociateAccessPolicy").input_shape)


def test_no_entries_without_the_settings(prod_plan: PlanResult) -> None:
    assert not [r for r in prod_plan.resources if r.name.startswith("cluster-access")]


def test_the_stack_with_access_entries_passes_the_pack_once_its_operators_are_listed(
    access_plan: PlanResult, tmp_path: Path
) -> None:
    # A cluster admin is refused until the pack's config names it as a cluster operator
    # (eks-no-cluster-admin-access, clusterOperators): the team accepts each admin explicitly.
    resources = deployment(access_plan)["deployment"]["resources"]
    assert [v.policy for v in evaluate(resources).mandatory] == ["eks-no-cluster-admin-access"]
    config_file = tmp_path / "policy-config.json"
    config_file.write_text(json.dumps({"eks-no-cluster-admin-access": {"clusterOperators": [OPERATORS]}}))
    config = load_pack_config(config_file, pack_policies())
    assert [(v.policy, v.message) for v in evaluate(resources, config).mandatory] == []
    assert uncovered_types(access_plan) == []


def test_viewers_need_namespaces() -> None:
    from components.cluster_access import ClusterAccess

    with pytest.raises(ValueError, match="viewer_role_arns need viewer_namespaces"):
        ClusterAccess("x", {"cluster_name": "c", "viewer_role_arns": [PREVIEW]})
