"""OIDC trust: roles trusted by GitHub Actions, an EKS IRSA issuer or any other OIDC provider check
`aud` and constrain `sub`. Each trust policy is one moto's IAM accepts as a role's trust document."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.conftest import ROOT
from tests.policy_harness import changed, resource_messages

ROLE = "aws:iam/role:Role"
ACCOUNT = "arn:aws:iam::123456789012:oidc-provider/"
GITHUB = "token.actions.githubusercontent.com"
IRSA = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
GITLAB = "gitlab.com"


def trust(provider: str, conditions: dict[str, Any]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": ACCOUNT + provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": conditions,
            }
        ],
    }


GITHUB_TRUST = trust(
    GITHUB,
    {
        "StringEquals": {
            f"{GITHUB}:aud": "sts.amazonaws.com",
            f"{GITHUB}:sub": "repo:octo-org/web:environment:prod",
        }
    },
)
IRSA_TRUST = trust(
    IRSA, {"StringEquals": {f"{IRSA}:aud": "sts.amazonaws.com", f"{IRSA}:sub": "system:serviceaccount:web:web"}}
)


def judged(document: dict[str, Any]) -> list[str]:
    """The rule's messages on a role with this trust policy, once IAM (moto) has accepted the document."""
    text = json.dumps(document)
    with mock_aws():
        boto3.client("iam", region_name="us-east-1").create_role(RoleName="r", AssumeRolePolicyDocument=text)
    return resource_messages("iam-oidc-trust-subject", ROLE, {"assumeRolePolicy": text})


def where(provider: str) -> str:
    return f"assumeRolePolicy statement 1 trusts {provider}"


def github_sub(value: Any, operator: str = "StringLike") -> dict[str, Any]:
    conditions = {
        "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
        operator: {f"{GITHUB}:sub": value},
    }
    if operator == "StringEquals":
        conditions = {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": value}}
    return trust(GITHUB, conditions)


def broad(value: str, problem: str) -> str:
    return f"{where(GITHUB)} and lets {GITHUB}:sub match {value!r}: {problem}"


REPO = "name repo:<owner>/<repository>:..., with no wildcard in owner or repository"
CONTEXT = "name a ref (ref:refs/heads/<branch>) or an environment (environment:<name>), not every one"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(GITHUB_TRUST, [], id="compliant_environment"),
        pytest.param(github_sub("repo:octo-org/web:ref:refs/heads/main"), [], id="compliant_branch"),
        pytest.param(github_sub("repo:octo-org/web:ref:refs/tags/v*"), [], id="compliant_release_tags"),
        pytest.param(
            github_sub(["repo:octo-org/web:ref:refs/heads/main", "repo:octo-org/api:environment:prod"]),
            [],
            id="compliant_two_repositories",
        ),
        pytest.param(
            trust(GITHUB, {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}),
            [
                f"{where(GITHUB)} without a StringEquals/StringLike condition on {GITHUB}:sub, so any GitHub "
                f"repository can assume the role: constrain {GITHUB}:sub to the callers"
            ],
            id="noncompliant_no_sub",
        ),
        pytest.param(github_sub("repo:*"), [broad("repo:*", REPO)], id="noncompliant_any_repository"),
        pytest.param(
            github_sub("repo:*/web:ref:refs/heads/main"),
            [broad("repo:*/web:ref:refs/heads/main", REPO)],
            id="noncompliant_wildcard_owner",
        ),
        pytest.param(
            github_sub("repo:octo-org/*:ref:refs/heads/main"),
            [broad("repo:octo-org/*:ref:refs/heads/main", REPO)],
            id="noncompliant_wildcard_repository",
        ),
        pytest.param(
            github_sub("repo:octo-org/web:*"), [broad("repo:octo-org/web:*", CONTEXT)], id="noncompliant_any_ref"
        ),
        pytest.param(
            github_sub("repo:octo-org/web:ref:refs/heads/*"),
            [broad("repo:octo-org/web:ref:refs/heads/*", CONTEXT)],
            id="noncompliant_any_branch",
        ),
        pytest.param(
            github_sub("repo:octo-org/web:pull_request", "StringEquals"), [], id="compliant_pull_requests_of_one_repo"
        ),
        pytest.param(
            github_sub("repo:octo-org/web:pull_request_target"),
            [broad("repo:octo-org/web:pull_request_target", CONTEXT)],
            id="noncompliant_unknown_context",
        ),
        pytest.param(
            github_sub("repo:octo-org/web:environment:prod", "StringNotEquals"),
            [
                f"{where(GITHUB)} without a StringEquals/StringLike condition on {GITHUB}:sub, so any GitHub "
                f"repository can assume the role: constrain {GITHUB}:sub to the callers"
            ],
            id="noncompliant_negated_sub",
        ),
        pytest.param(
            changed(
                GITHUB_TRUST,
                "Statement.0.Condition",
                {"StringLike": {f"{GITHUB}:sub": "repo:octo-org/web:environment:prod"}},
            ),
            [
                f"{where(GITHUB)} without a condition on {GITHUB}:aud: add StringEquals {GITHUB}:aud with the "
                "audience (sts.amazonaws.com for GitHub Actions and EKS)"
            ],
            id="noncompliant_no_aud",
        ),
    ],
)
def test_github_actions_trust(document, expected):
    assert judged(document) == expected


def test_one_specific_sub_block_is_enough_because_conditions_are_anded():
    document = changed(GITHUB_TRUST, "Statement.0.Condition.StringLike", {f"{GITHUB}:sub": "repo:octo-org/*"})
    assert judged(document) == []


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(IRSA_TRUST, [], id="compliant_service_account"),
        pytest.param(
            trust(
                IRSA,
                {
                    "StringEquals": {f"{IRSA}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{IRSA}:sub": "system:serviceaccount:web:*"},
                },
            ),
            [
                f"{where(IRSA)} and lets {IRSA}:sub match 'system:serviceaccount:web:*': name "
                "system:serviceaccount:<namespace>:<service account>, with no wildcard"
            ],
            id="noncompliant_any_service_account",
        ),
        pytest.param(
            trust(IRSA, {"StringEquals": {f"{IRSA}:aud": "sts.amazonaws.com"}}),
            [
                f"{where(IRSA)} without a StringEquals/StringLike condition on {IRSA}:sub, so any service account "
                f"of the cluster can assume the role: constrain {IRSA}:sub to the callers"
            ],
            id="noncompliant_no_sub",
        ),
    ],
)
def test_eks_irsa_trust(document, expected):
    assert judged(document) == expected


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        pytest.param("project_path:group/web:ref_type:branch:ref:main", [], id="compliant_named"),
        pytest.param(
            "*",
            [f"{where(GITLAB)} and lets {GITLAB}:sub match '*': name the subjects, with no leading wildcard"],
            id="noncompliant_anything",
        ),
    ],
)
def test_any_other_oidc_provider(sub, expected):
    document = trust(
        GITLAB, {"StringEquals": {f"{GITLAB}:aud": "https://gitlab.com"}, "StringLike": {f"{GITLAB}:sub": sub}}
    )
    assert judged(document) == expected


@pytest.mark.parametrize(
    "principal",
    [
        pytest.param({"Service": "codebuild.amazonaws.com"}, id="compliant_service_principal"),
        pytest.param({"Federated": "arn:aws:iam::123456789012:saml-provider/corp"}, id="compliant_saml_provider"),
    ],
)
def test_roles_not_trusted_by_an_oidc_provider_are_not_judged(principal):
    document = changed(trust(GITHUB, {}), "Statement.0.Principal", principal)
    document = changed(document, "Statement.0.Action", "sts:AssumeRole")
    document["Statement"][0].pop("Condition")
    assert judged(document) == []


@pytest.mark.parametrize("environment", ["dev-preview", "dev", "prod-preview", "production"])
def test_the_trust_policy_docs_ci_md_tells_users_to_write_passes(environment):
    text = (ROOT / "docs" / "ci.md").read_text()
    block = text.split("The trust policy of each role", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    filled = block.replace("<ACCOUNT_ID>", "123456789012").replace("<OWNER>/<REPO>", "octo-org/web")
    document = json.loads(filled.replace("<ENVIRONMENT>", environment))
    assert judged(document) == []
