"""A teardown that works: `protectData` switches every protection the program sets, together.

The README's sequence for a protected stack is `protectData: false`, `pulumi up`, then
`pulumi destroy`. That only works if the one setting turns off every protection that makes a
delete fail: Pulumi's `protect`, EKS and load-balancer deletion protection, and the flags
without which AWS refuses to delete a registry that holds images (`forceDelete`) or a bucket
that holds objects (`forceDestroy`). Each is checked on both targets (dev: ECS, prod: EKS),
with `protectData` on and off.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from preflight.engine import PlanResult
from tests.conftest import plan

# What `protectData: true` protects, per target: the state that a delete would lose.
PROTECTED = {
    "ecs": {
        ("aws:kms/key:Key", "artifacts-key"),
        ("aws:s3/bucket:Bucket", "artifacts-bucket"),
        ("aws:s3/bucket:Bucket", "artifacts-access-logs-bucket"),
        ("aws:s3/bucket:Bucket", "alb-access-logs-bucket"),
        ("aws:ecr/repository:Repository", "web-repository"),
        ("aws:ssm/parameter:Parameter", "web-image"),
        ("aws:ecs/cluster:Cluster", "services-cluster"),
    },
    "eks": {
        ("aws:kms/key:Key", "artifacts-key"),
        ("aws:s3/bucket:Bucket", "artifacts-bucket"),
        ("aws:s3/bucket:Bucket", "artifacts-access-logs-bucket"),
        ("aws:s3/bucket:Bucket", "alb-access-logs-bucket"),
        ("aws:ecr/repository:Repository", "web-repository"),
        ("aws:ssm/parameter:Parameter", "web-image"),
        ("eks:index:Cluster", "services-cluster"),
        ("aws:cloudwatch/logGroup:LogGroup", "services-control-plane-logs"),
    },
}
# The layer cache is rebuilt from source: never protected, always deletable with its images.
CACHE_REPOSITORIES = {"web-cache"}
TARGETS = {"dev": "ecs", "prod": "eks"}
_plans: dict[tuple[str, bool], PlanResult] = {}


def planned(stack: str, protect: bool) -> PlanResult:
    if (stack, protect) not in _plans:
        # With the artifact bucket's access logs on in both stacks, so their bucket is covered too.
        _plans[stack, protect] = plan(stack, protectData=protect, artifactAccessLogs=True)
    return _plans[stack, protect]


def pulumi_protect(result: PlanResult, protect: bool) -> None:
    protected = {(r.type, r.name) for r in result.resources if r.protect}
    assert protected == (PROTECTED[TARGETS[result.stack]] if protect else set())


def eks_deletion_protection(result: PlanResult, protect: bool) -> None:
    clusters = [r for r in result.resources if r.type == "eks:index:Cluster"]
    assert len(clusters) == (1 if TARGETS[result.stack] == "eks" else 0)
    assert all(c.inputs["deletionProtection"] is protect for c in clusters)


def load_balancer_deletion_protection(result: PlanResult, protect: bool) -> None:
    balancers = [r for r in result.resources if r.type == "aws:lb/loadBalancer:LoadBalancer"]
    if TARGETS[result.stack] == "ecs":
        assert [b.name for b in balancers] == ["web-alb"]
        assert all(b.inputs["enableDeletionProtection"] is protect for b in balancers)
    else:
        # On EKS the ALB belongs to Kubernetes (Auto Mode creates and deletes it with the Ingress),
        # so the program sets no deletion protection there that could stop its deletion.
        assert balancers == []
        (params,) = [r for r in result.resources if r.type.endswith(":IngressClassParams")]
        keys = [a["key"] for a in params.inputs["spec"]["loadBalancerAttributes"]]
        assert "deletion_protection.enabled" not in keys


def ecr_force_delete(result: PlanResult, protect: bool) -> None:
    repositories = [r for r in result.resources if r.type == "aws:ecr/repository:Repository"]
    assert {r.name for r in repositories} == {"web-repository", *CACHE_REPOSITORIES}
    for repository in repositories:
        deletable = repository.name in CACHE_REPOSITORIES or not protect
        assert repository.inputs["forceDelete"] is deletable, repository.name


def s3_force_destroy(result: PlanResult, protect: bool) -> None:
    buckets = [r for r in result.resources if r.type == "aws:s3/bucket:Bucket"]
    assert {b.name for b in buckets} == {"artifacts-bucket", "artifacts-access-logs-bucket", "alb-access-logs-bucket"}
    assert all(b.inputs["forceDestroy"] is not protect for b in buckets)


PROTECTIONS: dict[str, Callable[[PlanResult, bool], None]] = {
    "pulumi_protect": pulumi_protect,
    "eks_deletion_protection": eks_deletion_protection,
    "load_balancer_deletion_protection": load_balancer_deletion_protection,
    "ecr_force_delete": ecr_force_delete,
    "s3_force_destroy": s3_force_destroy,
}


@pytest.mark.parametrize("protection", list(PROTECTIONS))
@pytest.mark.parametrize("stack", list(TARGETS))
@pytest.mark.parametrize(
    "protect", [pytest.param(True, id="protectData_true"), pytest.param(False, id="protectData_false")]
)
def test_protect_data_switches_every_protection(stack: str, protect: bool, protection: str) -> None:
    # Given the stack planned with protectData set
    result = planned(stack, protect)
    # Then the protection is on exactly when protectData is
    PROTECTIONS[protection](result, protect)


@pytest.mark.parametrize("stack", list(TARGETS))
def test_no_resource_is_retained_on_delete(stack: str) -> None:
    # `retainOnDelete` would leave a resource behind after `pulumi destroy` without saying so.
    for protect in (True, False):
        assert [r.name for r in planned(stack, protect).resources if r.retain_on_delete] == []


def test_the_shipped_stacks_default_as_the_readme_says(dev_plan: PlanResult, prod_plan: PlanResult) -> None:
    # dev leaves data unprotected, prod protects it: the README's teardown starts from this.
    assert not any(r.protect for r in dev_plan.resources)
    assert {(r.type, r.name) for r in prod_plan.resources if r.protect} == PROTECTED["eks"]
