"""docs/ci.md's roles: one per GitHub environment, each trusting only this repository in that environment.

The documented trust policy is filled in for each environment and checked by moto (its trust-policy
validator) and the policy pack; the stacks can name their account without breaking the offline plan.
"""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from preflight.deployer_policy import deployer_policy
from preflight.verdicts import evaluate
from tests.conftest import ROOT, plan
from tests.policy_harness import state

DOC = (ROOT / "docs" / "ci.md").read_text()
ENVIRONMENTS = {"dev-preview": "dev", "prod-preview": "prod", "dev": "dev", "production": "prod"}
ACCOUNTS = {"dev": "111111111111", "prod": "222222222222"}


def environment_table() -> dict[str, tuple[str, str]]:
    """environment -> (account, sub) from the set-up table."""
    rows = re.findall(r"^\| `([\w-]+)` \| [^|]+ \| (dev|prod) \| [^|]+ \| `([^`]+)` \|$", DOC, re.MULTILINE)
    return {env: (account, sub) for env, account, sub in rows}


def trust_policy(environment: str) -> dict[str, Any]:
    block = re.search(r"The trust policy of each role.*?```json\n(.*?)```", DOC, re.DOTALL)
    assert block
    account = ACCOUNTS[ENVIRONMENTS[environment]]
    text = block[1].replace("<ACCOUNT_ID>", account).replace("<OWNER>/<REPO>", "example-org/container-delivery")
    return dict(json.loads(text.replace("<ENVIRONMENT>", environment)))


def test_the_table_gives_each_environment_its_account_and_subject() -> None:
    assert environment_table() == {
        env: (account, f"repo:<OWNER>/<REPO>:environment:{env}") for env, account in ENVIRONMENTS.items()
    }


def test_the_workflows_use_exactly_the_documented_environments() -> None:
    workflows = {p.name: yaml.safe_load(p.read_text()) for p in (ROOT / ".github" / "workflows").glob("*.yml")}
    previews = workflows["pull-request.yml"]["jobs"]["preview"]["strategy"]["matrix"]["include"]
    ups = [job["with"]["environment"] for job in workflows["deploy.yml"]["jobs"].values() if "with" in job]
    assert sorted([p["environment"] for p in previews] + ups) == sorted(ENVIRONMENTS)


@pytest.mark.parametrize("environment", sorted(ENVIRONMENTS))
def test_each_trust_policy_pins_audience_and_this_environments_subject(environment: str) -> None:
    document = trust_policy(environment)
    [statement] = document["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": f"repo:example-org/container-delivery:environment:{environment}",
        }
    }
    account = ACCOUNTS[ENVIRONMENTS[environment]]
    assert statement["Principal"] == {
        "Federated": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"
    }


@pytest.mark.parametrize("environment", sorted(ENVIRONMENTS))
def test_each_trust_policy_is_accepted_by_moto_and_the_pack(environment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    document = json.dumps(trust_policy(environment))
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_role(RoleName=f"ci-{environment}", AssumeRolePolicyDocument=document)
        # moto's create_role stores any document; update_assume_role_policy runs its trust validator.
        iam.update_assume_role_policy(RoleName=f"ci-{environment}", PolicyDocument=document)
    role = state("aws:iam/role:Role", f"ci-{environment}", {"assumeRolePolicy": document, "name": "ci"})
    assert [v.message for v in evaluate([role]).violations] == []


def test_negative_control_the_pack_rejects_a_trust_policy_open_to_everyone() -> None:
    document = trust_policy("production")
    document["Statement"][0]["Principal"] = "*"
    role = state("aws:iam/role:Role", "open", {"assumeRolePolicy": json.dumps(document)})
    assert [v.policy for v in evaluate([role]).violations if v.policy == "iam-trust-policy-principals"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_stack_file_names_its_account_as_a_commented_example(stack: str) -> None:
    text = (ROOT / f"Pulumi.{stack}.yaml").read_text()
    assert '  # aws:allowedAccountIds: ["111122223333"]\n' in text
    assert "aws:allowedAccountIds" not in yaml.safe_load(text)["config"]


def test_naming_the_account_keeps_the_plan_and_scopes_the_deployer_policy() -> None:
    named = plan("prod", **{"aws:allowedAccountIds": ["222222222222"]})
    assert named.project.config["aws:allowedAccountIds"] == '["222222222222"]'
    assert len(named.resources) == len(plan("prod").resources)
    statements = [s for d in deployer_policy(named) for s in d["Statement"]]
    arns = [r for s in statements for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
    arns += [p for s in statements for p in s.get("Condition", {}).get("ArnEquals", {}).get("iam:PolicyARN", [])]
    # S3 ARNs carry no account; AWS managed policies (pulumi-eks attaches them) belong to "aws".
    assert {a.split(":")[4] for a in arns if a != "*" and a.split(":")[2] != "s3"} == {"222222222222", "aws"}
