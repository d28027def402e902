"""Fleets: shared resources once per stack, a constant set per service, stable names."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.settings import parse_settings
from preflight.cli import main
from preflight.engine import PlanResult
from preflight.summary import fleet_counts, render_summary
from tests.conftest import ROOT, only, plan

ACCOUNT = "123456789012"  # the mocks' account


def service(name: str, provider: str = "github") -> dict[str, Any]:
    repository = f"example-org/{name}" if provider != "codecommit" else name
    return {"name": name, "source": {"provider": provider, "repository": repository}}


def urns_of(result: PlanResult, name: str) -> set[str]:
    """Every URN under the service's components (their names are the service's name)."""
    tops = {r.urn for r in result.resources if r.name == name and not r.custom}
    found = set(tops)
    changed = True
    while changed:
        new = {r.urn for r in result.resources if r.parent in found} - found
        found |= new
        changed = bool(new)
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_service_adds_the_same_resources_and_shares_the_rest(stack: str) -> None:
    one = fleet_counts(plan(stack, services=[service("web")]))
    three = fleet_counts(plan(stack, services=[service("web"), service("api"), service("jobs")]))
    assert one[0] == three[0], "shared resources must not grow with the fleet"
    assert set(three[1].values()) == {one[1]["web"]}
    assert sorted(three[1]) == ["api", "jobs", "web"]


def test_shared_pieces_are_created_once() -> None:
    result = plan("dev", services=[service("web"), service("api")])
    for type_ in (
        "aws:kms/key:Key",
        "aws:ec2/vpc:Vpc",
        "aws:ecs/cluster:Cluster",
        "container-delivery:index:PipelineTopics",
        "container-delivery:index:ArtifactStore",
        "container-delivery:index:AlbAccessLogs",
    ):
        assert len(result.of_type(type_)) == 1, type_
    assert len(result.of_type("aws:codepipeline/pipeline:Pipeline")) == 2


def test_adding_removing_or_reordering_services_keeps_names() -> None:
    alone = plan("dev", services=[service("web")])
    with_api = plan("dev", services=[service("web"), service("api", "codecommit")])
    reordered = plan("dev", services=[service("api", "codecommit"), service("web")])
    web = urns_of(alone, "web")
    assert len(web) > 30
    assert urns_of(with_api, "web") == web == urns_of(reordered, "web")
    # and the resources that exist in both keep their physical names and ids too
    before = {r.urn: r.id for r in alone.custom() if r.urn in web}
    after = {r.urn: r.id for r in reordered.custom() if r.urn in web}
    assert before == after


def test_summary_reports_shared_and_per_service_counts() -> None:
    result = plan("dev", services=[service("web"), service("api")])
    shared, per_service = fleet_counts(result)
    listed = f"api {per_service['api']}, web {per_service['web']}"
    assert f"Cloud resources shared by the stack: {shared}; per service: {listed}" in render_summary(result)


def test_load_balancers_share_one_log_bucket_each_writing_only_under_its_service() -> None:
    result = plan("dev", services=[service("web"), service("api")])
    bucket = only(result, "aws:s3/bucket:Bucket", "alb-access-logs-bucket")
    policy = only(result, "aws:s3/bucketPolicy:BucketPolicy", "alb-access-logs-policy")
    arn = bucket.outputs["arn"]
    (allow,) = [s for s in json.loads(policy.inputs["policy"])["Statement"] if s["Effect"] == "Allow"]
    assert allow["Resource"] == [f"{arn}/api/AWSLogs/{ACCOUNT}/*", f"{arn}/web/AWSLogs/{ACCOUNT}/*"]
    balancers = result.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert sorted(lb.name for lb in balancers) == ["api-alb", "web-alb"]
    for lb in balancers:
        prefix = lb.name.removesuffix("-alb")
        assert lb.inputs["accessLogs"] == {"enabled": True, "bucket": bucket.outputs["bucket"], "prefix": prefix}
        # ELB checks its write access when logging is switched on: the policy must exist first.
        assert policy.urn in lb.dependencies


def test_a_fleet_too_large_for_one_bucket_policy_is_a_settings_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused with the other settings problems, before the program registers anything."""
    stack = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    stack["config"]["container-delivery:services"] = [service(f"s{i:03d}" + "x" * 16) for i in range(200)]
    project = tmp_path / "p"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, project / name)
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack))
    assert main(["plan", "--stack", "dev", "--project-dir", str(project)]) == 2
    err = capsys.readouterr().err
    assert "error: invalid stack settings (1 problem):\n  - services: got '200 services'; expected fewer" in err
    assert "200 load balancers make a" in err and "over S3's 20480" in err
    # The same fleet on EKS shares one prefix, and 150 services fit on ECS.
    fleet = stack["config"]["container-delivery:services"]
    assert parse_settings({"target": "eks", "services": fleet}, "dev").target == "eks"
    assert len(parse_settings({"target": "ecs", "services": fleet[:150]}, "dev").services) == 150


def test_the_program_loads_only_the_pulumi_aws_modules_it_uses() -> None:
    """Startup time of every preview, up and preflight run: the kms, sns, ssm and vpc classes come
    from their own modules (components/__init__.py), so those packages stay unloaded. cloudwatch is
    not checked: `metric_alarm` (every service's alarms) imports the package's outputs, hence all of it."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from preflight.engine import run_program\n"
        f"run_program(Path({str(ROOT)!r}), 'dev')\n"
        "packages = ('kms', 'sns', 'ssm', 'vpc')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in [['pulumi_aws', p] for p in packages]))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    modules = set(ast.literal_eval(loaded.stdout.strip().splitlines()[-1]))
    # Each package's own lazy module and the leaf modules the components import; a whole package
    # would bring dozens to hundreds more.
    assert modules <= {
        "pulumi_aws.kms",
        "pulumi_aws.kms.key",
        "pulumi_aws.kms.alias",
        "pulumi_aws.sns",
        "pulumi_aws.sns.topic",
        "pulumi_aws.sns.topic_policy",
        "pulumi_aws.sns._inputs",
        "pulumi_aws.ssm",
        "pulumi_aws.ssm._enums",
        "pulumi_aws.ssm.parameter",
        "pulumi_aws.ssm.get_parameters_by_path",
        "pulumi_aws.vpc",
        "pulumi_aws.vpc.security_group_ingress_rule",
        "pulumi_aws.vpc.security_group_egress_rule",
    }, modules
    assert "pulumi_aws.kms.key" in modules
