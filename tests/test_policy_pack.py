"""The policy pack as a whole: its policies, preflight's verdicts on insecure choices, `check --state`."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml

from policies.rules import PACK_NAME, pack_policies, rules
from preflight.cli import main
from tests.conftest import ROOT, insecure_project

DATA = ROOT / "tests" / "data"

PINNED = {
    "codebuild-no-plaintext-credentials": "mandatory",
    "codebuild-no-source-credentials": "mandatory",
    "codebuild-logs": "mandatory",
    "codebuild-customer-managed-key": "mandatory",
    "codebuild-privileged-only-for-image-builds": "mandatory",
    "codepipeline-artifacts-kms": "mandatory",
    "codepipeline-prod-approval": "mandatory",
    "ecr-tags-immutable": "mandatory",
    "ecr-kms-encryption": "advisory",
    "ecr-image-scanning": "mandatory",
    "ecr-lifecycle-policy": "mandatory",
    "ecs-no-privileged-containers": "mandatory",
    "ecs-read-only-root-filesystem": "mandatory",
    "ecs-no-host-pid": "mandatory",
    "ecs-no-plaintext-secrets": "mandatory",
    "ecs-container-logging": "advisory",
    "ecs-distinct-task-roles": "mandatory",
    "ecs-no-public-ip": "mandatory",
    "ecs-container-insights": "advisory",
    "eks-endpoint-not-public": "mandatory",
    "eks-control-plane-logging": "mandatory",
    "eks-secrets-encryption": "mandatory",
    "eks-no-cluster-admin-access": "mandatory",
    "elb-http-redirects-to-https": "mandatory",
    "elb-tls-policy": "mandatory",
    "elb-access-logs": "advisory",
    "elb-drop-invalid-headers": "mandatory",
    "iam-policy-document-readable": "mandatory",
    "iam-no-wildcard-actions": "mandatory",
    "iam-no-star-resource": "mandatory",
    "iam-passrole-scoped": "mandatory",
    "iam-no-privilege-escalation": "mandatory",
    "iam-no-admin-managed-policies": "mandatory",
    "iam-trust-policy-principals": "mandatory",
    "iam-resource-policy-public-principal": "mandatory",
    "iam-oidc-trust-subject": "mandatory",
    "k8s-no-privileged-containers": "mandatory",
    "k8s-no-host-access": "mandatory",
    "k8s-run-as-non-root": "mandatory",
    "k8s-seccomp-profile": "mandatory",
    "k8s-read-only-root-filesystem": "advisory",
    "k8s-resource-requests-and-limits": "advisory",
    "k8s-image-digest": "advisory",
    "k8s-service-account-token": "advisory",
    "k8s-rbac-no-wildcards": "mandatory",
    "k8s-rbac-no-escalation-verbs": "mandatory",
    "k8s-rbac-no-admin-bindings": "mandatory",
    "k8s-rbac-cluster-secrets-read": "advisory",
    "ecs-prod-alarm-rollback": "mandatory",
    "codepipeline-prod-bake-condition": "advisory",
    "elb-waf-association": "mandatory",
    "s3-public-access-block": "mandatory",
    "s3-kms-encryption": "mandatory",
    "s3-tls-only": "mandatory",
    "s3-versioning": "advisory",
    "kms-key-rotation": "mandatory",
    "cloudwatch-logs-retention": "advisory",
    "cloudwatch-logs-kms": "mandatory",
    "sns-kms-encryption": "mandatory",
    "workload-images-from-own-registry": "mandatory",
    "workload-images-from-own-registry-outside-production": "advisory",
}


def test_pack_policies_and_default_levels_are_pinned() -> None:
    assert {r.name: r.level for r in rules()} == PINNED
    assert [p.name for p in pack_policies()] == [r.name for r in rules()]
    assert all(p.remediation_steps and p.severity for p in pack_policies())


def test_pack_entry_point_only_constructs_the_pack() -> None:
    """`policies/__main__.py` starts the analyzer server; everything else must not."""
    tree = ast.parse((ROOT / "policies" / "__main__.py").read_text())
    calls = [n.value.func.id for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    assert calls == ["PolicyPack"]
    assert yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())["runtime"]["name"] == "python"


def _verdicts(tmp_path: Path, project: Path) -> tuple[int, dict[str, object]]:
    out = tmp_path / "verdicts.json"
    code = main(["plan", "--stack", "test", "--project-dir", str(project), "--verdicts", str(out)])
    return code, json.loads(out.read_text())


def mandatory_policies(document: dict[str, object]) -> set[str]:
    return {v["policy"] for v in document["violations"] if v["enforcementLevel"] == "mandatory"}  # type: ignore[attr-defined, index]


INSECURE_CHOICES = [
    ("noncompliant_scan_on_push_off", {"insecure:variant": "scan-on-push-off"}, {"ecr-image-scanning"}),
    ("noncompliant_mutable_tags", {"insecure:variant": "mutable-tags"}, {"ecr-tags-immutable", "ecr-lifecycle-policy"}),
    ("noncompliant_admin_policy", {"insecure:variant": "admin-policy"}, {"iam-no-admin-managed-policies"}),
    (
        "noncompliant_wildcard_action",
        {"insecure:variant": "wildcard-action"},
        {"iam-no-wildcard-actions", "iam-no-star-resource"},
    ),
    ("noncompliant_public_trust", {"insecure:variant": "public-trust"}, {"iam-trust-policy-principals"}),
    (
        "noncompliant_plaintext_credentials",
        {"insecure:variant": "plaintext-credentials"},
        {"codebuild-no-plaintext-credentials"},
    ),
    ("noncompliant_unrotated_key", {"insecure:variant": "unrotated-key"}, {"kms-key-rotation"}),
    (
        "noncompliant_unprotected_bucket",
        {"insecure:variant": "public-bucket"},
        {"s3-public-access-block", "s3-kms-encryption", "s3-tls-only"},
    ),
    ("noncompliant_unencrypted_logs", {"insecure:variant": "unencrypted-logs"}, {"cloudwatch-logs-kms"}),
    (
        "noncompliant_privileged_container",
        {"insecure:variant": "privileged-container"},
        {"ecs-no-privileged-containers"},
    ),
    ("noncompliant_public_eks_endpoint", {"insecure:variant": "public-eks-endpoint"}, {"eks-endpoint-not-public"}),
    ("noncompliant_unencrypted_topic", {"insecure:variant": "unencrypted-topic"}, {"sns-kms-encryption"}),
    ("noncompliant_invalid_headers_kept", {"insecure:variant": "headers-kept"}, {"elb-drop-invalid-headers"}),
    (
        "noncompliant_approval_off_in_prod",
        {"container-delivery:environment": "prod", "container-delivery:requireApproval": False},
        {"codepipeline-prod-approval"},
    ),
    (
        "noncompliant_approval_off_in_prod_eks",
        {
            "container-delivery:environment": "prod",
            "container-delivery:target": "eks",
            "container-delivery:requireApproval": False,
        },
        {"codepipeline-prod-approval"},
    ),
]


@pytest.mark.parametrize(
    ("config", "expected"), [c[1:] for c in INSECURE_CHOICES], ids=[c[0] for c in INSECURE_CHOICES]
)
def test_insecure_choice_fails_preflight_naming_the_policy(
    config: dict[str, object], expected: set[str], tmp_path: Path
) -> None:
    code, document = _verdicts(tmp_path, insecure_project(tmp_path, config))
    assert code == 1
    assert mandatory_policies(document) == expected


def test_compliant_baseline_of_the_insecure_program(tmp_path: Path) -> None:
    code, document = _verdicts(tmp_path, insecure_project(tmp_path, {}))
    assert (code, mandatory_policies(document)) == (0, set())


def test_check_state_reports_exactly_the_known_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "verdicts.json"
    code = main(["check", "--state", str(DATA / "known-violations.json"), "--verdicts", str(out)])
    document = json.loads(out.read_text())
    got = sorted((v["policy"], v["enforcementLevel"], v["urn"].rsplit("::", 1)[-1]) for v in document["violations"])
    assert got == sorted(tuple(v) for v in json.loads((DATA / "known-violations.expected.json").read_text()))
    assert code == 1
    assert document["summary"]["policyPack"] == PACK_NAME
    assert document["summary"]["mandatory"] == sum(1 for g in got if g[1] == "mandatory")
    printed = capsys.readouterr().out
    assert "Mandatory (" in printed and "fix: " in printed


def test_pack_config_changes_levels_like_pulumi_preview(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"all": "advisory"}))
    out = tmp_path / "v.json"
    args = ["check", "--state", str(DATA / "known-violations.json"), "--verdicts", str(out)]
    assert main([*args, "--policy-pack-config", str(config)]) == 0
    assert {v["enforcementLevel"] for v in json.loads(out.read_text())["violations"]} == {"advisory"}
    config.write_text(
        json.dumps({"kms-key-rotation": "disabled", "ecr-tags-immutable": {"enforcementLevel": "advisory"}})
    )
    main([*args, "--policy-pack-config", str(config)])
    levels = {v["policy"]: v["enforcementLevel"] for v in json.loads(out.read_text())["violations"]}
    assert "kms-key-rotation" not in levels and levels["ecr-tags-immutable"] == "advisory"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"no-such-policy": "advisory"}, "unknown policy 'no-such-policy'"),
        ({"all": "sometimes"}, "enforcement level 'sometimes' is not one of"),
        ({"ecr-tags-immutable": {"threshold": 1}}, "ecr-tags-immutable has no parameter 'threshold'"),
    ],
)
def test_bad_pack_config_exits_2(
    config: dict[str, object], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    code = main(["check", "--state", str(DATA / "known-violations.json"), "--policy-pack-config", str(path)])
    assert code == 2 and message in capsys.readouterr().err


def test_unknown_values_give_an_advisory_cannot_evaluate(tmp_path: Path) -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's sentinel for an unknown string
    document = {
        "version": 3,
        "deployment": {
            "resources": [
                {
                    "urn": "urn:pulumi:dev::p::aws:ecr/repository:Repository::r",
                    "type": "aws:ecr/repository:Repository",
                    "custom": True,
                    "inputs": {
                        "imageTagMutability": unknown,
                        "imageScanningConfiguration": {"scanOnPush": True},
                        "encryptionConfigurations": [{"encryptionType": "KMS"}],
                    },
                    "outputs": {"name": "r", "imageScanningConfiguration": {"scanOnPush": True}},
                },
                {
                    "urn": "urn:pulumi:dev::p::aws:ecr/lifecyclePolicy:LifecyclePolicy::r",
                    "type": "aws:ecr/lifecyclePolicy:LifecyclePolicy",
                    "custom": True,
                    "inputs": {"repository": "r"},
                    "outputs": {"repository": "r"},
                },
            ]
        },
    }
    state = tmp_path / "state.json"
    state.write_text(json.dumps(document))
    out = tmp_path / "v.json"
    assert main(["check", "--state", str(state), "--verdicts", str(out)]) == 0
    (verdict,) = json.loads(out.read_text())["violations"]
    assert (verdict["policy"], verdict["enforcementLevel"]) == ("ecr-tags-immutable", "advisory")
    assert verdict["message"] == (
        "can't run policy 'ecr-tags-immutable' from policy pack 'container-delivery-baseline' during preview: "
        "string value at .imageTagMutability can't be known during preview"
    )


def test_check_rejects_a_document_that_is_not_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"resources": []}')
    assert main(["check", "--state", str(path)]) == 2
    assert "not a `pulumi stack export` document" in capsys.readouterr().err
