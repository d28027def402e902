"""Settings: defaults per environment, and one error naming every bad key, before any resource."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.settings import (
    FARGATE_SIZES,
    LOG_RETENTION_DAYS,
    SettingsError,
    parse_settings,
    retention_problem,
)
from preflight.engine import STACK_TYPE, RecordingMonitor, run_program
from preflight.mocks import RealisticMocks
from tests.conftest import ROOT

GOOD_SERVICE: dict[str, Any] = {
    "name": "web",
    "source": {"provider": "github", "repository": "example-org/web", "branch": "main"},
}


def services(**changes: Any) -> list[dict[str, Any]]:
    return [{**GOOD_SERVICE, **changes}]


def test_compliant_defaults_dev() -> None:
    s = parse_settings({}, "dev")
    assert (s.environment, s.target, s.require_approval, s.protect_data) == ("dev", "ecs", False, False)
    assert s.scan_severity_threshold == "HIGH"
    assert s.blocking_severities == ("CRITICAL", "HIGH")
    assert len(s.services) == 1 and s.services[0].name == "web"
    assert (s.services[0].port, s.services[0].cpu, s.services[0].memory) == (8080, 256, 512)
    assert s.services[0].desired_count == 1


def test_compliant_defaults_prod_protect_and_approve() -> None:
    s = parse_settings({"services": services()}, "prod")
    assert s.require_approval and s.protect_data
    assert s.services[0].desired_count == 2
    assert s.log_retention_days == 90


def test_compliant_strings_from_the_cli_are_parsed() -> None:
    s = parse_settings({"requireApproval": "true", "artifactRetentionDays": "14", "environment": "stage"}, "x")
    assert s.require_approval is True and s.artifact_retention_days == 14 and s.environment == "stage"


def test_compliant_network_defaults_and_existing_vpc() -> None:
    dev = parse_settings({}, "dev").network
    assert (dev.vpc_id, dev.cidr_block, dev.availability_zones, dev.nat_gateways) == (None, "10.0.0.0/16", 2, "single")
    assert parse_settings({}, "prod").network.nat_gateways == "per-az"
    given = parse_settings(
        {
            "vpcId": "vpc-0123456789abcdef0",
            "publicSubnetIds": ["subnet-0000000000000000a", "subnet-0000000000000000b"],
            "privateSubnetIds": "subnet-0000000000000000c,subnet-0000000000000000d",
        },
        "dev",
    ).network
    assert given.vpc_id == "vpc-0123456789abcdef0"
    assert given.private_subnet_ids == ("subnet-0000000000000000c", "subnet-0000000000000000d")


def test_compliant_explicit_off_in_prod_is_respected() -> None:
    s = parse_settings({"requireApproval": False, "protectData": "false"}, "prod")
    assert not s.require_approval and not s.protect_data


BAD_INPUTS = [
    ("noncompliant_target", {"target": "lambda"}, "target: got 'lambda'; expected one of ecs, eks"),
    ("noncompliant_environment", {"environment": "qa"}, "environment: got 'qa'; expected one of dev, stage, prod"),
    (
        "noncompliant_severity",
        {"scanSeverityThreshold": "SEVERE"},
        "scanSeverityThreshold: got 'SEVERE'; expected one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL",
    ),
    (
        "noncompliant_approval_not_bool",
        {"requireApproval": "yes"},
        "requireApproval: got 'yes'; expected true or false",
    ),
    (
        "noncompliant_service_name",
        {"services": services(name="Web_1")},
        "services[0].name: got 'Web_1'; expected 2-20 lowercase letters, digits or '-', starting with a letter",
    ),
    (
        "noncompliant_duplicate_names",
        {"services": [GOOD_SERVICE, GOOD_SERVICE]},
        "services[1].name: got 'web'; expected a name not already used by services[0]",
    ),
    (
        "noncompliant_port_low",
        {"services": services(port=80)},
        "services[0].port: got 80; expected a whole number from 1024 to 65535",
    ),
    (
        "noncompliant_port_high",
        {"services": services(port=70000)},
        "services[0].port: got 70000; expected a whole number from 1024 to 65535",
    ),
    (
        "noncompliant_fargate_pair",
        {"services": services(cpu=256, memory=4096)},
        "services[0].memory: got 4096; expected for cpu 256, one of 512..2048 in the steps Fargate accepts "
        "(512, 1024, 2048)",
    ),
    (
        "noncompliant_fargate_cpu",
        {"services": services(cpu=300, memory=512)},
        "services[0].cpu: got 300; expected one of 256, 512, 1024, 2048, 4096, 8192, 16384",
    ),
    (
        "noncompliant_source_provider",
        {"services": services(source={"provider": "svn", "repository": "a/b"})},
        "services[0].source.provider: got 'svn'; expected one of github, gitlab, bitbucket, codecommit",
    ),
    (
        "noncompliant_repository_shape",
        {"services": services(source={"provider": "github", "repository": "just-a-name"})},
        "services[0].source.repository: got 'just-a-name'; expected 'owner/name' of the repository",
    ),
    (
        "noncompliant_connection_arn",
        {"services": services(source={"provider": "github", "repository": "a/b", "connectionArn": "arn:nope"})},
        "services[0].source.connectionArn: got 'arn:nope'; expected "
        "arn:aws:codeconnections:<region>:<account>:connection/<uuid>",
    ),
    (
        "noncompliant_branch",
        {"services": services(source={"provider": "github", "repository": "a/b", "branch": "bad branch"})},
        "services[0].source.branch: got 'bad branch'; expected a valid git branch name",
    ),
    (
        "noncompliant_health_path",
        {"services": services(healthCheckPath="healthz")},
        "services[0].healthCheckPath: got 'healthz'; expected an absolute URL path such as /healthz",
    ),
    (
        "noncompliant_unknown_key",
        {"scanSeverity": "HIGH"},
        "scanSeverity: unknown key; did you mean scanSeverityThreshold?",
    ),
    (
        "noncompliant_unknown_service_key",
        {"services": services(prot=8080)},
        "services[0].prot: unknown key; did you mean port?",
    ),
    ("noncompliant_empty_services", {"services": []}, "services: got []; expected a non-empty list of service objects"),
    (
        "noncompliant_log_retention",
        {"logRetentionDays": 10},
        "logRetentionDays: got 10; expected a value CloudWatch Logs accepts:",
    ),
    (
        "noncompliant_subnets_without_vpc",
        {"privateSubnetIds": ["subnet-0123456789abcdef0"]},
        "vpcId: got null; expected the VPC of the given subnets",
    ),
    (
        "noncompliant_vpc_with_one_subnet",
        {"vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": ["subnet-0123456789abcdef0"]},
        'publicSubnetIds: got ["subnet-0123456789abcdef0"]; expected at least two subnet ids',
    ),
    ("noncompliant_nat", {"natGateways": "none"}, "natGateways: got 'none'; expected one of single, per-az"),
    (
        "noncompliant_certificate",
        {"services": services(certificateArn="arn:aws:iam::1:server-certificate/x")},
        "services[0].certificateArn: got 'arn:aws:iam::1:server-certificate/x'; expected arn:aws:acm:",
    ),
    (
        "noncompliant_bootstrap_image",
        {"bootstrapImage": "Not An Image"},
        "bootstrapImage: got 'Not An Image'; expected an image reference",
    ),
    (
        "noncompliant_cache_credential_not_a_pull_through_cache_secret",
        {"dockerHubCredentialArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf"},
        "dockerHubCredentialArn: got 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf'; "
        "expected the ARN of a Secrets Manager secret whose name starts with ecr-pullthroughcache/",
    ),
    (
        "noncompliant_cluster_endpoint_open_to_internet",
        {"clusterEndpointPublicCidrs": ["0.0.0.0/0"]},
        'clusterEndpointPublicCidrs: got ["0.0.0.0/0"]; expected the egress CIDRs of the machines that run '
        "`pulumi up` and the pipeline, not a large part of the internet: together they admit 4,294,967,296 "
        "addresses, more than 16,777,216",
    ),
    (
        "noncompliant_cluster_endpoint_open_in_halves",
        {"clusterEndpointPublicCidrs": ["0.0.0.0/1", "128.0.0.0/1"]},
        'clusterEndpointPublicCidrs: got ["0.0.0.0/1", "128.0.0.0/1"]; expected the egress CIDRs of the machines '
        "that run `pulumi up` and the pipeline, not a large part of the internet: together they admit "
        "4,294,967,296 addresses, more than 16,777,216",
    ),
    (
        "noncompliant_cluster_endpoint_ipv6",
        {"clusterEndpointPublicCidrs": ["203.0.113.0/24", "2001:db8::/32"]},
        "clusterEndpointPublicCidrs: got '2001:db8::/32'; expected an IPv4 CIDR (the cluster is IPv4, EKS refuses "
        "IPv6 public-access CIDRs on it)",
    ),
    (
        "noncompliant_cluster_endpoint_cidr",
        {"clusterEndpointPublicCidrs": ["203.0.113.7/24"]},
        "clusterEndpointPublicCidrs: got '203.0.113.7/24'; expected a CIDR such as 203.0.113.0/24",
    ),
    (
        "noncompliant_subnet_ids_not_json",
        {"vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": "[subnet-0123456789abcdef0"},
        "publicSubnetIds: got '[subnet-0123456789abcdef0'; expected a list of ids like subnet-",
    ),
    (
        "noncompliant_cidrs_not_json",
        {"clusterEndpointPublicCidrs": "[203.0.113.0/24"},
        "clusterEndpointPublicCidrs: got '[203.0.113.0/24'; expected a list of CIDRs",
    ),
    (
        "noncompliant_desired_count",
        {"services": services(desiredCount=0)},
        "services[0].desiredCount: got 0; expected a whole number from 1 to 100",
    ),
]


@pytest.mark.parametrize(("raw", "message"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_noncompliant_setting_is_named_in_one_error(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(raw, "dev")
    assert any(p.startswith(message) for p in caught.value.problems), caught.value.problems


def test_compliant_cache_credentials_are_kept_by_setting_key() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/github-AbCdEf"
    assert parse_settings({"githubCredentialArn": arn}, "dev").cache_credentials == {"githubCredentialArn": arn}
    assert parse_settings({}, "dev").cache_credentials == {}


def test_noncompliant_every_problem_is_listed_at_once() -> None:
    raw = {"target": "x", "environment": "qa", "services": services(port=1, cpu=256, memory=8192)}
    with pytest.raises(SettingsError) as caught:
        parse_settings(raw, "dev")
    keys = [p.split(":")[0] for p in caught.value.problems]
    assert keys == ["environment", "target", "services[0].port", "services[0].memory"]
    assert "4 problems" in str(caught.value)


@pytest.mark.parametrize(("raw", "message"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_noncompliant_setting_registers_no_resource(raw: dict[str, Any], message: str, monkeypatch) -> None:
    """Given a bad setting, when the real program runs, then it stops before any resource."""
    monitors: list[RecordingMonitor] = []
    original = RecordingMonitor.__init__

    def spy(self: RecordingMonitor, mocks: RealisticMocks) -> None:
        original(self, mocks)
        monitors.append(self)

    monkeypatch.setattr(RecordingMonitor, "__init__", spy)
    with pytest.raises(SettingsError):
        run_program(ROOT, "dev", raw)
    registered = [r.type for r in monitors[0].registrations.values() if r.type != STACK_TYPE]
    assert registered == []


@given(cpu=st.sampled_from(sorted(FARGATE_SIZES)), memory=st.integers(min_value=512, max_value=122880))
def test_fargate_pairs_accepted_exactly_when_fargate_accepts_them(cpu: int, memory: int) -> None:
    raw = {"services": services(cpu=cpu, memory=memory)}
    if memory in FARGATE_SIZES[cpu]:
        assert parse_settings(raw, "dev").services[0].memory == memory
    else:
        with pytest.raises(SettingsError):
            parse_settings(raw, "dev")


@given(name=st.from_regex(r"[a-z][a-z0-9-]{0,18}[a-z0-9]", fullmatch=True))
def test_valid_service_names_round_trip(name: str) -> None:
    assert parse_settings({"services": services(name=name)}, "dev").services[0].name == name


def test_retention_values_are_the_ones_cloudwatch_logs_documents() -> None:
    """One list, checked against the botocore model, serves every log group's check."""
    import botocore.session

    days = botocore.session.get_session().get_service_model("logs").shape_for("Days")
    documented = re.search(r"Possible values are: ([\d, and]+)\.", days.documentation)
    assert documented is not None
    assert tuple(int(d) for d in re.findall(r"\d+", documented.group(1))) == LOG_RETENTION_DAYS
    assert all(retention_problem(d) is None for d in LOG_RETENTION_DAYS)
    for bad in (0, 45, 3654, True, "30", None):
        assert retention_problem(bad, "logRetentionDays") == (
            f"logRetentionDays {bad!r} is not a CloudWatch Logs retention; use one of "
            + ", ".join(map(str, LOG_RETENTION_DAYS))
        )


CERT_EU = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.mark.parametrize(
    ("provider", "raw", "message"),
    [
        ({"region": "us-east-9"}, {}, "aws:region: got 'us-east-9'; expected an AWS region (did you mean us-east-1"),
        ({"region": "us-east-1"}, {"services": services(certificateArn=CERT_EU)},
         f"services[0].certificateArn: got {CERT_EU!r}; expected a certificate in the stack's region us-east-1"),
        ({"defaultTags": {"tags": ["a", "b"]}}, {}, 'aws:defaultTags.tags: got ["a", "b"]'),
        ({"defaultTags": "tags"}, {}, "aws:defaultTags: got 'tags'; expected an object with one key, tags"),
        ({}, {"services": services(name="internal-api")}, "services[0].name: got 'internal-api'; its load balancer"),
        ({}, {"target": "eks", "services": services(name="kube-system")},
         "services[0].name: got 'kube-system'; its namespace 'kube-system'"),
        ({}, {"services": services() + services(name="web-cache")}, "services[1].name: got 'web-cache'"),
    ],
    ids=[
        "noncompliant_region",
        "noncompliant_certificate_region",
        "noncompliant_default_tags_list",
        "noncompliant_default_tags_text",
        "noncompliant_internal_alb",
        "noncompliant_reserved_namespace",
        "noncompliant_colliding_services",
    ],
)  # fmt: skip
def test_noncompliant_what_aws_would_refuse(provider: dict[str, Any], raw: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(raw, "dev", "container-delivery", provider)
    assert any(p.startswith(message) for p in caught.value.problems), caught.value.problems


def test_compliant_provider_settings() -> None:
    provider = {"region": "eu-west-1", "defaultTags": {"tags": {"team": "web", "cost-center": 42}}}
    settings = parse_settings({"services": services(certificateArn=CERT_EU)}, "dev", "container-delivery", provider)
    assert settings.services[0].certificate_arn == CERT_EU


def test_noncompliant_stack_name_with_a_dot() -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings({}, "dev.1", "container-delivery")
    assert caught.value.problems[-1].startswith("stack name: got 'dev.1'; the artifact key's alias")
