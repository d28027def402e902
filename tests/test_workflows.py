"""The GitHub workflows in `.github/workflows/`: schema-valid, least privilege, pinned, safe for forks.

The schema check is check-jsonschema's vendored GitHub workflow schema (an independent validator);
the rest reads the YAML and pins the properties the CI promises in docs/ci.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOW_DIR.glob("*.y*ml"))
WORKFLOWS: dict[str, dict[Any, Any]] = {p.name: yaml.safe_load(p.read_text()) for p in WORKFLOW_FILES}
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"

# Every stack the repository ships (Pulumi.<stack>.yaml), in deploy order; a new one must join the workflows.
STACKS = sorted(
    (p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml")), key=lambda s: ({"dev": 0, "prod": 1}.get(s, 2), s)
)

PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(?P<ref>[0-9a-f]{40}|v\d+\.\d+\.\d+)$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<target>\S+)\s*(?:#\s*(?P<comment>\S+))?\s*$")


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """The `on:` block (YAML 1.1 reads a bare `on` key as True)."""
    on = workflow.get("on", workflow.get(True))
    return on if isinstance(on, dict) else {str(on): None}


def jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, workflow in WORKFLOWS.items():
        for job_id, job in workflow["jobs"].items():
            yield name, job_id, job


def steps() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, job_id, job in jobs():
        for step in job.get("steps", []):
            yield name, job_id, step


def callers(reusable: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(n, j, job) for n, j, job in jobs() if job.get("uses") == f"./.github/workflows/{reusable}"]


def pulumi_calls(command: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(n, j, job) for n, j, job in callers("_pulumi.yml") if job["with"]["command"] == command]


def only_step(workflow: str, action: str) -> dict[str, Any]:
    found = [s for n, _, s in steps() if n == workflow and s.get("uses", "").startswith(f"{action}@")]
    assert len(found) == 1, f"expected one {action} step in {workflow}, found {len(found)}"
    return found[0]


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    command = [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_the_expected_workflows_exist() -> None:
    assert set(WORKFLOWS) == {"pull-request.yml", "deploy.yml", "_checks.yml", "_pulumi.yml"}
    assert STACKS == ["dev", "prod"]


# --- schema --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=[p.name for p in WORKFLOW_FILES])
def test_workflow_is_valid_against_the_github_workflow_schema(path: Path) -> None:
    result = check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


VALID_WORKFLOW = """\
on: push
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - run: bash scripts/test
"""

BROKEN_WORKFLOWS = {
    "noncompliant_steps_not_a_list": VALID_WORKFLOW.replace("- run: bash scripts/test", "bash scripts/test"),
    "noncompliant_unknown_permission_level": VALID_WORKFLOW.replace("contents: read", "contents: admin"),
    "noncompliant_permissions_typo": VALID_WORKFLOW.replace("permissions: {}", "permissions: write-everything"),
    "noncompliant_environment_on_reusable_caller": (
        "on: push\njobs:\n  up:\n    environment: production\n    uses: ./.github/workflows/_pulumi.yml\n"
    ),
}


def test_negative_control_a_valid_workflow_passes(tmp_path: Path) -> None:
    path = tmp_path / "valid.yml"
    path.write_text(VALID_WORKFLOW)
    result = check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("text", BROKEN_WORKFLOWS.values(), ids=list(BROKEN_WORKFLOWS))
def test_negative_control_a_broken_workflow_fails(tmp_path: Path, text: str) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(text)
    result = check_jsonschema(path)
    assert result.returncode != 0
    assert "Schema validation errors" in result.stdout


# --- permissions ---------------------------------------------------------------------------------


def is_read_only(permissions: Any) -> bool:
    return isinstance(permissions, dict) and all(level in ("read", "none") for level in permissions.values())


def test_no_workflow_grants_write_all_or_read_all() -> None:
    blocks = [w.get("permissions") for w in WORKFLOWS.values()] + [job.get("permissions") for _, _, job in jobs()]
    assert not [p for p in blocks if isinstance(p, str)], "use explicit per-scope maps, never write-all/read-all"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_top_level_permissions_are_restrictive(name: str) -> None:
    workflow = WORKFLOWS[name]
    if name == "_pulumi.yml":
        # Its job inherits the caller's grant (preview and up need different ones), and a top-level
        # block here would cap it; every caller must therefore set its own (next test).
        assert "permissions" not in workflow
    else:
        assert is_read_only(workflow["permissions"]), workflow["permissions"]


def test_every_job_declares_its_permissions() -> None:
    inheriting = [(n, j) for n, j, job in jobs() if "permissions" not in job]
    assert inheriting == [("_pulumi.yml", "pulumi")]
    assert callers("_pulumi.yml")
    assert all("permissions" in job for _, _, job in callers("_pulumi.yml"))


def expected_grant(job: dict[str, Any]) -> dict[str, str]:
    """The least a job needs: read the code; OIDC for AWS; a pull-request comment for a preview."""
    grant = {"contents": "read"}
    if job.get("uses") == "./.github/workflows/_pulumi.yml":
        grant["id-token"] = "write"
        if job["with"]["command"] == "preview":
            grant["pull-requests"] = "write"
    return grant


GRANTED = [(n, j, job) for n, j, job in jobs() if "permissions" in job]


@pytest.mark.parametrize(("name", "job_id", "job"), GRANTED, ids=[f"{n}-{j}" for n, j, _ in GRANTED])
def test_every_job_has_exactly_the_permissions_it_needs(name: str, job_id: str, job: dict[str, Any]) -> None:
    assert job["permissions"] == expected_grant(job)


def test_no_long_lived_aws_keys_anywhere() -> None:
    text = "\n".join(p.read_text() for p in WORKFLOW_FILES)
    for forbidden in ("aws-access-key-id", "aws-secret-access-key", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert forbidden not in text
    aws = only_step("_pulumi.yml", "aws-actions/configure-aws-credentials")
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    assert aws["with"]["aws-region"] == "${{ vars.AWS_REGION }}"


def test_secrets_reach_only_the_pulumi_step() -> None:
    for name, job_id, job in jobs():
        assert "secrets." not in str(job.get("env", {})), f"{name}:{job_id} exposes secrets to every step"
        assert job.get("secrets") != "inherit", f"{name}:{job_id} passes every secret"
    assert not [j for _, j, job in callers("_checks.yml") if "secrets" in job], "the offline checks take no secret"
    for name, _, step in steps():
        values = [str(v) for v in [*step.get("env", {}).values(), *step.get("with", {}).values()]]
        passed = [v for v in values if re.fullmatch(r"\$\{\{ secrets\.\w+ \}\}", v)]
        tested = [v for v in values if re.fullmatch(r"\$\{\{ secrets\.\w+ != '' \}\}", v)]  # a boolean only
        assert len(passed) + len(tested) == len([v for v in values if "secrets." in v]), f"{name}: {values}"
        assert not passed or step.get("uses", "").startswith("pulumi/actions@"), f"{name}: {step.get('name')}"


def test_checkouts_do_not_persist_the_token() -> None:
    checkouts = [s for _, _, s in steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)


# --- pinned actions ------------------------------------------------------------------------------


def uses_lines() -> Iterator[tuple[str, str, str | None]]:
    for path in WORKFLOW_FILES:
        for line in path.read_text().splitlines():
            match = USES_LINE.match(line)
            if match:
                yield path.name, match["target"], match["comment"]


def test_every_third_party_action_is_pinned_to_a_sha_or_an_exact_release() -> None:
    remote = [(n, t, c) for n, t, c in uses_lines() if not t.startswith("./")]
    assert remote
    for name, target, comment in remote:
        match = PINNED.match(target)
        assert match, f"{name}: {target} is not pinned to a full commit SHA or vX.Y.Z (a branch or major tag moves)"
        if len(match["ref"]) == 40:
            assert comment and re.fullmatch(r"v\d+\.\d+\.\d+", comment), f"{name}: {target} needs a # vX.Y.Z comment"


def test_each_action_has_one_pin_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for _, target, comment in uses_lines():
        if not target.startswith("./"):
            action, ref = target.split("@")
            pins.setdefault(action, set()).add(f"{ref} {comment}")
    assert {a for a, refs in pins.items() if len(refs) > 1} == set()


def test_pinned_tool_versions_match_the_project() -> None:
    pulumi_sdk = re.search(r"^pulumi==(\S+)$", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert pulumi_sdk
    assert only_step("_pulumi.yml", "pulumi/actions")["with"]["pulumi-version"] == pulumi_sdk[1]
    pythons = {s["with"]["python-version"] for _, _, s in steps() if s.get("uses", "").startswith("actions/setup-")}
    assert pythons == {"3.11"}
    assert 'python_version = "3.11"' in (ROOT / "pyproject.toml").read_text()


# --- the offline checks --------------------------------------------------------------------------


def readme_quick_start() -> list[str]:
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert block
    return [line.split("#")[0].strip() for line in block[1].splitlines() if line.strip()]


def test_the_offline_job_runs_exactly_the_readme_quick_start() -> None:
    offline = WORKFLOWS["_checks.yml"]["jobs"]["offline"]
    runs = [s["run"].strip() for s in offline["steps"] if "run" in s]
    assert readme_quick_start() == ["bash scripts/bootstrap", "bash scripts/test"]
    assert runs[:2] == readme_quick_start()
    python = only_step("_checks.yml", "actions/setup-python")
    assert offline["steps"].index(python) < [s.get("run") for s in offline["steps"]].index("bash scripts/bootstrap")


def test_the_offline_job_uploads_plans_and_verdicts_even_after_a_failure() -> None:
    upload = only_step("_checks.yml", "actions/upload-artifact")
    assert upload["with"]["path"].split() == ["plan-*.json", "verdicts-*.json"]
    assert upload["if"] == "${{ !cancelled() }}"
    verdicts = next(s for s in WORKFLOWS["_checks.yml"]["jobs"]["offline"]["steps"] if "--verdicts" in s.get("run", ""))
    assert verdicts["if"] == "${{ !cancelled() }}"
    assert all(stack in verdicts["run"] for stack in STACKS)


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_both_entry_workflows_run_the_offline_checks(name: str) -> None:
    assert [j for n, j, _ in callers("_checks.yml") if n == name] == ["checks"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is needed to syntax-check the scripts")
@pytest.mark.parametrize(
    "script",
    [s["run"] for _, _, s in steps() if "run" in s],
    ids=[f"{n}-{j}-{i}" for i, (n, j, s) in enumerate(steps()) if "run" in s],
)
def test_every_run_script_is_bash_without_inline_expressions(script: str) -> None:
    # `${{ }}` inside a script is pasted in before bash parses it (script injection); pass values via env.
    assert "${{" not in script
    result = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


# --- forks and previews --------------------------------------------------------------------------


def test_no_workflow_runs_untrusted_code_with_secrets() -> None:
    for name, workflow in WORKFLOWS.items():
        assert not {"pull_request_target", "workflow_run"} & set(triggers(workflow)), name


def test_pull_requests_preview_every_stack_never_for_forks() -> None:
    assert triggers(WORKFLOWS["pull-request.yml"]) == {"pull_request": {"branches": ["main"]}}
    [(_, job_id, job)] = pulumi_calls("preview")
    assert job_id == "preview"
    assert [entry["stack"] for entry in job["strategy"]["matrix"]["include"]] == STACKS
    assert job["with"]["stack"] == "${{ matrix.stack }}"
    conditions = [c.strip() for c in job["if"].split("&&")]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in conditions
    assert "vars.PULUMI_PREVIEWS == 'on'" in conditions


def test_each_preview_assumes_the_role_of_its_stacks_own_environment() -> None:
    """One role per environment: a prod preview never runs with dev credentials, nor a dev one with prod's."""
    [(_, _, job)] = pulumi_calls("preview")
    assert [{k: e[k] for k in ("stack", "environment")} for e in job["strategy"]["matrix"]["include"]] == [
        {"stack": "dev", "environment": "dev-preview"},
        {"stack": "prod", "environment": "prod-preview"},
    ]
    assert job["with"]["environment"] == "${{ matrix.environment }}"
    previews = {entry["environment"] for entry in job["strategy"]["matrix"]["include"]}
    ups = {up["with"]["environment"] for _, _, up in pulumi_calls("up")}
    assert not ups & previews, "previews never share a deploy role"
    inputs = WORKFLOWS["_pulumi.yml"][True]["workflow_call"]["inputs"]
    assert inputs["environment"]["required"] is True and "default" not in inputs["environment"]


def test_preview_comments_its_diff_on_the_pull_request() -> None:
    pulumi = only_step("_pulumi.yml", "pulumi/actions")["with"]
    assert pulumi["comment-on-pr"] == "${{ inputs.command == 'preview' }}"
    assert pulumi["diff"] is True


# --- deploys -------------------------------------------------------------------------------------


def test_merges_to_main_deploy_dev_then_prod() -> None:
    assert triggers(WORKFLOWS["deploy.yml"]) == {"push": {"branches": ["main"]}}
    ups = pulumi_calls("up")
    assert [(n, job["with"]["stack"]) for n, _, job in ups] == [("deploy.yml", stack) for stack in STACKS]
    deploy = WORKFLOWS["deploy.yml"]["jobs"]
    assert deploy["up-dev"]["needs"] == "checks"
    assert deploy["up-prod"]["needs"] == "up-dev"


def test_prod_up_runs_in_the_production_environment() -> None:
    environments = {job["with"]["stack"]: job["with"].get("environment") for _, _, job in pulumi_calls("up")}
    assert environments == {"dev": "dev", "prod": "production"}
    assert WORKFLOWS["_pulumi.yml"]["jobs"]["pulumi"]["environment"] == "${{ inputs.environment }}"


def test_two_ups_of_one_stack_never_overlap() -> None:
    for _, job_id, job in pulumi_calls("up"):
        assert job["concurrency"]["group"] == f"pulumi-{job['with']['stack']}", job_id
        assert job["concurrency"].get("cancel-in-progress", False) is False, job_id


def test_nothing_else_can_cancel_a_queued_up() -> None:
    """GitHub cancels the pending run of a group when another queues: only ups may share an up's group."""
    ups = {(n, j) for n, j, _ in pulumi_calls("up")}
    up_groups = {job["concurrency"]["group"] for _, _, job in pulumi_calls("up")}
    others = [w.get("concurrency") for w in WORKFLOWS.values()]
    others += [job.get("concurrency") for n, j, job in jobs() if (n, j) not in ups]
    assert [c["group"] for c in others if c and c["group"] in up_groups] == []


# --- the Pulumi step -----------------------------------------------------------------------------


def test_every_pulumi_operation_enforces_the_policy_pack() -> None:
    assert {job["with"]["command"] for _, _, job in callers("_pulumi.yml")} == {"preview", "up"}
    pulumi_steps = [s for _, _, s in steps() if s.get("uses", "").startswith("pulumi/actions@")]
    assert len(pulumi_steps) == 1
    assert pulumi_steps[0]["with"]["policyPacks"] == "policies"
    assert (ROOT / "policies" / "PulumiPolicy.yaml").is_file()


def test_state_lives_in_the_s3_backend_unless_pulumi_cloud_is_chosen() -> None:
    pulumi = only_step("_pulumi.yml", "pulumi/actions")
    cloud_url = pulumi["with"]["cloud-url"]
    assert "format('s3://{0}', vars.PULUMI_STATE_BUCKET)" in cloud_url
    assert pulumi["env"] == {
        "PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
        "PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}",
    }
    assert "upsert" not in pulumi["with"], "stacks are created once by hand (docs/ci.md), never by CI"


def test_the_virtualenvs_are_the_ones_the_pulumi_cli_runs() -> None:
    program = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["runtime"]["options"]["virtualenv"]
    pack = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())["runtime"]["options"]["virtualenv"]
    install = next(s["run"] for _, _, s in steps() if s.get("name", "").startswith("Install the program"))
    assert f"python -m venv {program}\n" in install
    assert f"{program}/bin/python -m pip install --disable-pip-version-check -r requirements.txt" in install
    assert f"python -m venv policies/{pack}\n" in install
    assert f"policies/{pack}/bin/python -m pip install --disable-pip-version-check -r policies/requirements.txt" in (
        install
    )
