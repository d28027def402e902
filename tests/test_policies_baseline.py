"""The baseline rules (CodeBuild, CodePipeline, storage, ECS, EKS, ELB) as a set: their names,
default levels and severities, and their verdicts on what the program and its components emit.

The per-policy tables are in test_policies_codebuild.py, test_policies_storage.py,
test_policies_ecs.py and test_policies_eks_elb.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.rules import rules
from policies.rules.adapter import to_policy
from preflight.engine import PlanResult, run_program
from preflight.export import deployment
from preflight.verdicts import evaluate
from tests.conftest import ROOT

MODULES = ("codebuild", "codepipeline", "storage", "ecs", "eks", "elb", "releases")
BASELINE = [r for r in rules() if r.check.__module__.rsplit(".", 1)[-1] in MODULES]

# name: (default level, severity)
EXPECTED = {
    "codebuild-no-plaintext-credentials": ("mandatory", "critical"),
    "codebuild-no-source-credentials": ("mandatory", "critical"),
    "codebuild-logs": ("mandatory", "medium"),
    "codebuild-customer-managed-key": ("mandatory", "medium"),
    "codebuild-privileged-only-for-image-builds": ("mandatory", "high"),
    "codepipeline-artifacts-kms": ("mandatory", "medium"),
    "codepipeline-prod-approval": ("mandatory", "high"),
    "ecs-no-privileged-containers": ("mandatory", "critical"),
    "ecs-read-only-root-filesystem": ("mandatory", "medium"),
    "ecs-no-host-pid": ("mandatory", "high"),
    "ecs-no-plaintext-secrets": ("mandatory", "critical"),
    "ecs-container-logging": ("advisory", "medium"),
    "ecs-distinct-task-roles": ("mandatory", "medium"),
    "ecs-no-public-ip": ("mandatory", "high"),
    "ecs-container-insights": ("advisory", "low"),
    "eks-endpoint-not-public": ("mandatory", "critical"),
    "eks-control-plane-logging": ("mandatory", "medium"),
    "eks-secrets-encryption": ("mandatory", "high"),
    "elb-http-redirects-to-https": ("mandatory", "high"),
    "elb-tls-policy": ("mandatory", "high"),
    "elb-access-logs": ("advisory", "low"),
    "elb-drop-invalid-headers": ("mandatory", "medium"),
    "ecs-prod-alarm-rollback": ("mandatory", "high"),
    "codepipeline-prod-bake-condition": ("advisory", "medium"),
    "elb-waf-association": ("mandatory", "high"),
    "s3-public-access-block": ("mandatory", "critical"),
    "s3-kms-encryption": ("mandatory", "high"),
    "s3-tls-only": ("mandatory", "high"),
    "s3-versioning": ("advisory", "low"),
    "kms-key-rotation": ("mandatory", "medium"),
    "cloudwatch-logs-retention": ("advisory", "low"),
    "cloudwatch-logs-kms": ("mandatory", "medium"),
    "sns-kms-encryption": ("mandatory", "medium"),
}


def test_baseline_rule_names_levels_and_severities_are_pinned():
    assert {r.name: (r.level, r.severity) for r in BASELINE} == EXPECTED


@pytest.mark.parametrize("rule", BASELINE, ids=lambda r: r.name)
def test_every_rule_says_why_its_level(rule):
    # The description states the level and the reason in parentheses, e.g. "(mandatory: ...)".
    assert f"({rule.level}:" in rule.description


def mandatory_violations(result: PlanResult) -> list[tuple[str, str, str]]:
    resources = deployment(result)["deployment"]["resources"]
    verdicts = evaluate(resources, policies=[to_policy(r) for r in BASELINE])
    return [(v.policy, v.urn, v.message) for v in verdicts.mandatory]


def test_dev_program_has_no_mandatory_baseline_violation(dev_plan):
    assert mandatory_violations(dev_plan) == []


def test_prod_program_has_no_mandatory_baseline_violation(prod_plan):
    assert mandatory_violations(prod_plan) == []


@pytest.mark.parametrize(
    ("program", "config"),
    [
        pytest.param("ecs", None, id="ecs_http"),
        pytest.param("ecs", {"certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}, id="ecs_https"),
        pytest.param("pipeline", None, id="pipeline"),
    ],
)
def test_component_programs_have_no_mandatory_baseline_violation(program, config):
    # The components being wired into the program, run on their own (tests/programs/<name>).
    result = run_program(Path(ROOT, "tests", "programs", program), "test", config)
    assert mandatory_violations(result) == []
