"""Malformed inputs through `python -m preflight plan` (its `main`), each with its exit code and message.

Every case copies the project, changes one thing in `Pulumi.dev.yaml` (or the command line) and
runs the plan: exit 2 with the fragment on stderr for what AWS, the engine or the CLI would
refuse, exit 0 for what they accept; never a traceback. The README's "Exit codes" section is
what these pin.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight.cli import main
from tests.conftest import ROOT

NS = "container-delivery"
CERT = "arn:aws:acm:{region}:123456789012:certificate/12345678-1234-1234-1234-123456789012"
Config = dict[str, Any]


def service(**changes: Any) -> list[dict[str, Any]]:
    base: dict[str, Any] = {"name": "web", "source": {"provider": "github", "repository": "example-org/web"}}
    return [{**base, **changes}]


def setting(key: str, value: Any) -> Callable[[Config], None]:
    def change(config: Config) -> None:
        config[key if ":" in key else f"{NS}:{key}"] = value

    return change


def settings(**values: Any) -> Callable[[Config], None]:
    def change(config: Config) -> None:
        for key, value in values.items():
            setting(key.replace("__", ":"), value)(config)

    return change


def drop(key: str) -> Callable[[Config], None]:
    return lambda config: config.pop(key)


def project(tmp_path: Path, change: Callable[[Config], None] | str, stack: str = "dev") -> Path:
    """A copy of the project whose stack file has `change` applied (or is the text `change`)."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, copy / name)
    for name in ("components", "policies", "app"):
        (copy / name).symlink_to(ROOT / name)
    if isinstance(change, str):
        (copy / f"Pulumi.{stack}.yaml").write_text(change)
    else:
        document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
        change(document["config"])
        (copy / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return copy


# (id, change to the dev stack's config, extra arguments, exit code, fragment of stderr)
REFUSED: list[tuple[str, Callable[[Config], None] | str, list[str], str]] = [
    ("noncompliant_service_named_internal", setting("services", service(name="internal-api")), [],
     "its load balancer's name would begin with 'internal-'"),
    ("noncompliant_certificate_of_another_region",
     setting("services", service(certificateArn=CERT.format(region="eu-west-1"))), [],
     "a certificate in the stack's region us-east-1"),
    ("noncompliant_region_unknown", setting("aws:region", "us-east-9"), [],
     "aws:region: got 'us-east-9'; expected an AWS region (did you mean us-east-1 or us-east-2?"),
    ("noncompliant_region_misspelt", setting("aws:region", "eu-westt-1"), [], "did you mean eu-west-1?"),
    ("noncompliant_eks_service_kube_system", settings(target="eks", services=service(name="kube-system")), [],
     "its namespace 'kube-system' already exists in every cluster"),
    ("noncompliant_eks_service_default", settings(target="eks", services=service(name="default")), [],
     "its namespace 'default' already exists in every cluster"),
    ("noncompliant_eks_service_kube_prefix", settings(target="eks", services=service(name="kube-tools")), [],
     "its namespace 'kube-tools' already exists in every cluster (or is reserved"),
    ("noncompliant_default_tags_list", setting("aws:defaultTags", {"tags": ["a", "b"]}), [],
     'aws:defaultTags.tags: got ["a", "b"]; expected a map of tag names to string values'),
    ("noncompliant_default_tags_without_tags", setting("aws:defaultTags", {"project": "x"}), [],
     "aws:defaultTags: got {\"project\": \"x\"}; expected an object with one key, tags"),
    ("noncompliant_services_colliding", setting("services", service() + service(name="web-cache")), [],
     "services[1].name: got 'web-cache'; a name that does not begin with 'web' and '-' (services[0])"),
    ("noncompliant_namespace_misspelt", settings(container_delievery__target="eks"), [],
     "did you mean 'container-delivery:target'?"),
    ("noncompliant_config_is_a_list", "config:\n  - a\n  - b\n", [], "`config:` must be a mapping of keys to values"),
    ("noncompliant_config_key_not_text", "config:\n  1: x\n", [], "config key 1 must be text"),
    ("noncompliant_config_key_empty", 'config:\n  "": x\n', [], "config key '' must be text"),
    ("noncompliant_integer_as_words", setting("artifactRetentionDays", "sixty"), [],
     "configuration key 'container-delivery:artifactRetentionDays' must be of type 'integer'"),
    ("noncompliant_integer_as_float", setting("artifactRetentionDays", 1.5), [], "must be of type 'integer'"),
    ("noncompliant_boolean_as_yes", setting("requireApproval", "yes"), [],
     "configuration key 'container-delivery:requireApproval' must be of type 'boolean'"),
    ("noncompliant_array_as_object", setting("publicSubnetIds", {"a": 1}), [], "must be of type 'array'"),
    ("noncompliant_yaml_unparsable", "config: [\n", [], "not valid YAML"),
    ("noncompliant_top_level_list", "- a\n", [], "expected a mapping at the top level"),
    ("noncompliant_unknown_key", setting("servics", []), [], "servics: unknown key; did you mean services?"),
    ("noncompliant_environment", setting("environment", "qa"), [], "environment: got 'qa'; expected one of dev"),
    ("noncompliant_target", setting("target", "k8s"), [], "target: got 'k8s'; expected one of ecs, eks"),
    ("noncompliant_service_name_uppercase", setting("services", service(name="Web")), [],
     "services[0].name: got 'Web'"),
    ("noncompliant_service_name_too_long", setting("services", service(name="a" * 21)), [],
     "2-20 lowercase letters"),
    ("noncompliant_services_duplicate", setting("services", service() + service()), [],
     "a name not already used by services[0]"),
    ("noncompliant_services_empty", setting("services", []), [], "services: got []; expected a non-empty list"),
    ("noncompliant_services_not_json", setting("services", "web"), [], "services: got 'web'"),
    ("noncompliant_service_without_source", setting("services", [{"name": "web"}]), [],
     "services[0].source: got null"),
    ("noncompliant_port_privileged", setting("services", service(port=80)), [], "services[0].port: got 80"),
    ("noncompliant_memory_for_cpu", setting("services", service(cpu=256, memory=4096)), [], "for cpu 256"),
    ("noncompliant_cpu_not_fargate", setting("services", service(cpu=300)), [], "services[0].cpu: got 300"),
    ("noncompliant_branch", setting("services", service(source={"provider": "github", "repository": "o/r",
                                                                 "branch": "a..b"})), [],
     "services[0].source.branch: got 'a..b'; expected a valid git branch name"),
    ("noncompliant_connection_arn", setting("services", service(source={"provider": "github", "repository": "o/r",
                                                                         "connectionArn": "arn:x"})), [],
     "services[0].source.connectionArn"),
    ("noncompliant_health_check_path", setting("services", service(healthCheckPath="healthz")), [],
     "services[0].healthCheckPath: got 'healthz'"),
    ("noncompliant_log_retention", setting("logRetentionDays", 8), [], "logRetentionDays: got 8"),
    ("noncompliant_zones_five", setting("availabilityZones", 5), [],
     "availabilityZones: got '5'; expected a whole number from 2 to 4"),
    ("noncompliant_zones_more_than_the_region_has", settings(aws__region="us-west-1", availabilityZones=3), [],
     "availability_zones: got 3, but us-west-1 has only 2 available zones (us-west-1a, us-west-1b)"),
    ("noncompliant_nat_gateways", setting("natGateways", "two"), [], "natGateways: got 'two'"),
    ("noncompliant_vpc_id", setting("vpcId", "vpc-123"), [], "vpcId: got 'vpc-123'"),
    ("noncompliant_subnets_without_vpc", setting("publicSubnetIds", ["subnet-0123456789abcdef0"]), [],
     "vpcId: got null; expected the VPC of the given subnets"),
    ("noncompliant_cluster_cidr_open", setting("clusterEndpointPublicCidrs", ["0.0.0.0/0"]), [],
     "not a large part of the internet"),
    ("noncompliant_bootstrap_image", setting("bootstrapImage", "Not An Image"), [], "bootstrapImage: got"),
    ("noncompliant_scan_threshold", setting("scanSeverityThreshold", "SEVERE"), [], "scanSeverityThreshold: got"),
    ("noncompliant_build_compute_type", setting("buildComputeType", "HUGE"), [], "buildComputeType: got 'HUGE'"),
    ("noncompliant_missing_stack", setting("environment", "dev"), ["--stack", "nope"], "no stack named 'nope'"),
    ("noncompliant_json_into_missing_directory", setting("environment", "dev"), ["--json", "/nonexistent/plan.json"],
     "cannot write /nonexistent/plan.json: directory /nonexistent does not exist"),
    ("noncompliant_policy_pack_config_missing", setting("environment", "dev"),
     ["--policy-pack-config", "/nonexistent/pack.json"], "/nonexistent/pack.json: policy pack config file not found"),
    ("noncompliant_mermaid_into_a_directory", setting("environment", "dev"), ["--mermaid", "/tmp"],
     "cannot write /tmp: it is a directory"),
]  # fmt: skip


def _plan(tmp_path: Path, change: Callable[[Config], None] | str, extra: list[str], stack: str = "dev") -> list[str]:
    copy = project(tmp_path, change, stack)
    argv = ["plan", "--project-dir", str(copy)]
    return argv + (extra if "--stack" in extra else ["--stack", stack, *extra])


@pytest.mark.parametrize(("change", "extra", "fragment"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_malformed_input_exits_2_with_its_fix(
    change: Callable[[Config], None] | str, extra: list[str], fragment: str, tmp_path: Path, capsys
) -> None:
    # Given one malformed input; when planned; then exit 2, one error naming it, and nothing written.
    code = main(_plan(tmp_path, change, extra))
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert fragment in captured.err
    assert captured.err.startswith("error: ") and "Traceback" not in captured.err
    assert "Wrote" not in captured.out


def test_the_table_holds_forty_cases() -> None:
    assert len(REFUSED) >= 40 and len({c[0] for c in REFUSED}) == len(REFUSED)


def test_a_stack_name_with_a_dot_is_refused_for_the_kms_alias(tmp_path: Path, capsys) -> None:
    code = main(_plan(tmp_path, setting("environment", "dev"), [], stack="dev.1"))
    assert code == 2
    assert "stack name: got 'dev.1'; the artifact key's alias 'alias/container-delivery-dev.1-'..." in (
        capsys.readouterr().err
    )


ACCEPTED: list[tuple[str, Callable[[Config], None], str]] = [
    ("compliant_integer_as_text", setting("artifactRetentionDays", "60"), ""),
    ("compliant_boolean_as_text", setting("requireApproval", "true"), ""),
    ("compliant_secure_typed_string", setting("buildImage", {"secure": "v1:c2VjcmV0"}),
     "note: container-delivery:buildImage is a secret only the Pulumi CLI can decrypt; planned without its value"),
    ("compliant_secure_provider_key", setting("aws:secretKey", {"secure": "v1:c2VjcmV0"}), "note: aws:secretKey"),
    ("compliant_four_zones_where_the_region_has_four", settings(aws__region="us-west-2", availabilityZones=4), ""),
    ("compliant_certificate_of_the_stack_region",
     settings(aws__region="eu-west-1", services=service(certificateArn=CERT.format(region="eu-west-1"))), ""),
]  # fmt: skip


@pytest.mark.parametrize(("change", "note"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_what_the_cli_accepts_plans(change: Callable[[Config], None], note: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "plan.json"
    code = main(_plan(tmp_path, change, ["--json", str(out)]))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert note in captured.err
    assert f"Wrote {len(json.loads(out.read_text())['deployment']['resources'])} resources" in captured.out


def test_four_zones_make_four_private_subnets(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    assert main(_plan(tmp_path, settings(aws__region="us-west-2", availabilityZones=4), ["--json", str(out)])) == 0
    subnets = [
        r["inputs"]["availabilityZone"]
        for r in json.loads(out.read_text())["deployment"]["resources"]
        if r["type"] == "aws:ec2/subnet:Subnet" and "private" in r["urn"]
    ]
    assert sorted(subnets) == ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ("not json", "not a `pulumi stack export` document"),
        (json.dumps({"deployment": {"resources": [{"urn": "u", "type": "t", "inputs": "x"}]}}),
         "deployment.resources[0].inputs must be an object"),
        (json.dumps({"deployment": {"resources": [{"urn": "u", "type": "t", "outputs": []}]}}),
         "deployment.resources[0].outputs must be an object"),
        (json.dumps({"deployment": {"resources": {}}}), "deployment.resources must be a list"),
    ],
    ids=["noncompliant_not_json", "noncompliant_inputs_not_object", "noncompliant_outputs_not_object",
         "noncompliant_resources_not_list"],
)  # fmt: skip
def test_check_refuses_a_malformed_export(document: str, fragment: str, tmp_path: Path, capsys) -> None:
    state = tmp_path / "state.json"
    state.write_text(document)
    assert main(["check", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


@pytest.mark.parametrize("delay", [0.3, 0.6, 1.5], ids=["start_up", "imports", "running"])
def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(delay: float) -> None:
    # Given a plan started as a user starts it; when Ctrl-C arrives; then one line and exit 130.
    process = subprocess.Popen(
        [sys.executable, "-m", "preflight", "plan", "--stack", "dev"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the plan finished before the signal")
    assert (process.returncode, err.decode()) == (130, "interrupted\n")
