"""`components.naming`: every derived name against the rule of the resource that carries it."""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import naming
from components.aws_regions import BOTOCORE_VERSION, REGIONS
from components.settings import SERVICE_NAME
from preflight.zones import ZONE_IDS, available_zones

SERVICE_NAMES = st.from_regex(SERVICE_NAME, fullmatch=True)


@given(SERVICE_NAMES)
def test_every_valid_service_name_fits_elb_iam_and_logs(service: str) -> None:
    # Given any name the settings accept; then its ALB, target group and roles fit their length limits.
    assert len(naming.load_balancer_name(service)) + naming.AUTONAME_SUFFIX <= naming.LB_NAME_MAX
    assert len(naming.target_group_name(service)) + naming.AUTONAME_SUFFIX <= naming.LB_NAME_MAX
    problems = naming.service_name_problems(service, "ecs")
    assert problems == [] if not service.startswith("internal-") else len(problems) == 1


@pytest.mark.parametrize(
    ("service", "target", "problem"),
    [
        ("internal-api", "ecs", "its load balancer's name would begin with 'internal-'"),
        ("kube-system", "eks", "its namespace 'kube-system' already exists in every cluster"),
        ("kube-public", "eks", "its namespace 'kube-public' already exists"),
        ("kube-node-lease", "eks", "its namespace 'kube-node-lease' already exists"),
        ("default", "eks", "its namespace 'default' already exists"),
        ("a" * 30, "ecs", "its load balancer would be named 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-alb-0000000'"),
        ("a" * 60, "eks", "its IAM role"),
        ("Web", "eks", "its namespace 'Web' is not a DNS-1123 label"),
    ],
    ids=[
        "noncompliant_internal_prefix",
        "noncompliant_kube_system",
        "noncompliant_kube_public",
        "noncompliant_kube_node_lease",
        "noncompliant_default",
        "noncompliant_alb_too_long",
        "noncompliant_role_too_long",
        "noncompliant_namespace_uppercase",
    ],
)
def test_a_name_aws_or_kubernetes_refuses_is_reported(service: str, target: str, problem: str) -> None:
    assert any(problem in p for p in naming.service_name_problems(service, target))


@pytest.mark.parametrize(
    ("service", "target"),
    [("internal-api", "eks"), ("kube-system", "ecs"), ("api-internal", "ecs"), ("web", "eks")],
    ids=["compliant_internal_on_eks", "compliant_kube_on_ecs", "compliant_internal_suffix", "compliant_web"],
)
def test_a_name_its_target_accepts_passes(service: str, target: str) -> None:
    assert naming.service_name_problems(service, target) == []


@pytest.mark.parametrize(
    ("stack", "ok"),
    [("dev", True), ("prod_eu", True), ("team-a", True), ("dev.1", False)],
    ids=["compliant_dev", "compliant_underscore", "compliant_hyphen", "noncompliant_dot"],
)
def test_the_stack_name_makes_a_kms_alias(stack: str, ok: bool) -> None:
    assert (naming.stack_name_problems("container-delivery", stack) == []) is ok


def test_services_whose_children_share_urns_collide() -> None:
    assert naming.collisions(["web", "web-cache", "api", "apiv2"]) == [("web", "web-cache")]


def test_the_vendored_regions_are_botocores() -> None:
    # Given botocore's endpoint data; then the vendored list is the same, from the same version.
    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    assert {p["partition"]: tuple(sorted(p["regions"])) for p in data["partitions"]} == REGIONS
    assert botocore.__version__ == BOTOCORE_VERSION


def test_the_zone_table_names_only_real_regions_with_two_to_six_zones() -> None:
    regions = {r for rs in REGIONS.values() for r in rs}
    assert set(ZONE_IDS) <= regions
    assert all(2 <= len(ids) <= 6 for ids in ZONE_IDS.values())
    assert available_zones("us-west-1") == (["us-west-1a", "us-west-1b"], ["usw1-az1", "usw1-az3"])
    assert len(available_zones("us-west-2")[0]) == 4
