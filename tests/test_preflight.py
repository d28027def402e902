"""The preflight command: plans for both stacks, the export document, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.engine import PlanResult
from preflight.project import ProjectError, load_project
from tests.conftest import ROOT

REQUIRED_TYPES = {
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:codebuild/project:Project",
    "aws:iam/role:Role",
    "aws:cloudwatch/logGroup:LogGroup",
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_plan_writes_a_stack_export_document(stack: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "plan.json"
    assert main(["plan", "--stack", stack, "--json", str(out), "--project-dir", str(ROOT)]) == 0
    document = json.loads(out.read_text())
    assert document["version"] == 3
    resources = document["deployment"]["resources"]
    assert {r["type"] for r in resources} >= REQUIRED_TYPES
    stack_urn = f"urn:pulumi:{stack}::container-delivery::pulumi:pulumi:Stack::container-delivery-{stack}"
    assert resources[0]["urn"] == stack_urn and "parent" not in resources[0]
    urns = {r["urn"] for r in resources}
    for r in resources[1:]:
        assert set(r) >= {"urn", "type", "custom", "parent", "dependencies", "inputs", "outputs"}
        assert r["parent"] in urns, r["urn"]
        assert set(r["dependencies"]) <= urns
        assert r["urn"].startswith(f"urn:pulumi:{stack}::container-delivery::")
        assert r["urn"].endswith("::" + r["urn"].split("::")[-1])
        if r["custom"]:
            assert r["id"]
    summary = capsys.readouterr().out
    assert f"Stack container-delivery/{stack}:" in summary and "aws:codebuild/project:Project" in summary


def test_urns_follow_the_engine_parent_type_chain(dev_plan: PlanResult) -> None:
    repo = next(r for r in dev_plan.resources if r.name == "web-repository")
    assert repo.urn == (
        "urn:pulumi:dev::container-delivery::"
        "container-delivery:index:ContainerRegistry$aws:ecr/repository:Repository::web-repository"
    )


def test_repository_output_is_the_scanned_immutable_repository(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    main(["plan", "--stack", "dev", "--json", str(out), "--project-dir", str(ROOT)])
    repo = next(
        r for r in json.loads(out.read_text())["deployment"]["resources"] if r["urn"].endswith("web-repository")
    )
    assert repo["inputs"]["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["inputs"]["imageTagMutability"] == "IMMUTABLE"
    assert repo["outputs"]["arn"] == "arn:aws:ecr:us-east-1:123456789012:repository/" + repo["outputs"]["name"]
    assert repo["outputs"]["repositoryUrl"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/" + repo["outputs"]["name"]


def test_dependencies_recorded_from_outputs(dev_plan: PlanResult) -> None:
    project = next(r for r in dev_plan.resources if r.name == "web-build")
    role = next(r for r in dev_plan.resources if r.name == "web-build-role")
    assert role.urn in project.dependencies
    assert role.urn in project.property_dependencies["serviceRole"]


def _copy_project(tmp_path: Path, stack_yaml: str) -> Path:
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "components").symlink_to(ROOT / "components")
    (tmp_path / "Pulumi.bad.yaml").write_text(stack_yaml)
    return tmp_path


def _run_cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args, "--project-dir", str(project)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )


def test_two_plans_of_one_program_are_the_same_file(tmp_path: Path) -> None:
    # Given two processes with different hash seeds (the SDK sends dependencies in set order); then
    # the plan files are byte for byte the same, so a pull request's plan diff shows only real changes.
    plans = []
    for seed in ("1", "2"):
        out = tmp_path / f"plan-{seed}.json"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "preflight", "plan", "--stack", "prod", "--json", str(out)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        plans.append(out.read_text())
    assert plans[0] == plans[1]
    assert any(len(r["dependencies"]) > 1 for r in json.loads(plans[0])["deployment"]["resources"])


def test_bad_settings_exit_2_with_every_key_and_no_traceback(tmp_path: Path) -> None:
    project = _copy_project(
        tmp_path,
        "config:\n  container-delivery:target: lambda\n  container-delivery:services:\n"
        "    - name: Web\n      source: {provider: github, repository: o/web}\n      port: 80\n",
    )
    result = _run_cli(project, "plan", "--stack", "bad")
    assert result.returncode == 2
    assert "target: got 'lambda'; expected one of ecs, eks" in result.stderr
    assert "services[0].name: got 'Web'" in result.stderr
    assert "services[0].port: got 80" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_cluster_endpoint_opened_to_the_internet_in_pieces_exits_2(tmp_path: Path) -> None:
    project = _copy_project(
        tmp_path, "config:\n  container-delivery:clusterEndpointPublicCidrs: [0.0.0.0/1, 128.0.0.0/1]\n"
    )
    result = _run_cli(project, "plan", "--stack", "bad")
    assert result.returncode == 2
    assert "together they admit 4,294,967,296 addresses, more than 16,777,216" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_wrongly_typed_config_is_rejected_like_the_cli(tmp_path: Path) -> None:
    project = _copy_project(tmp_path, "config:\n  container-delivery:requireApproval: sometimes\n")
    result = _run_cli(project, "plan", "--stack", "bad")
    assert result.returncode == 2
    assert "configuration key 'container-delivery:requireApproval' must be of type 'boolean'" in result.stderr


def test_unknown_stack_and_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run_cli(ROOT, "plan", "--stack", "nope").returncode == 2
    assert "no stack named 'nope'" in _run_cli(ROOT, "plan", "--stack", "nope").stderr
    assert _run_cli(ROOT, "plan").returncode == 2
    assert _run_cli(ROOT, "frobnicate").returncode == 2


def test_project_defaults_merge_under_stack_values() -> None:
    project = load_project(ROOT, "dev")
    assert project.config["container-delivery:scanSeverityThreshold"] == "HIGH"  # Pulumi.yaml default
    assert project.config["container-delivery:target"] == "ecs"  # stack value
    assert json.loads(project.config["container-delivery:services"])[0]["name"] == "web"
    assert "container-delivery:requireApproval" not in project.config  # no default: env decides
    with pytest.raises(ProjectError):
        load_project(ROOT, "missing")
