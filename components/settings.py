"""Typed stack settings: the one place that reads Pulumi config.

`parse_settings` is a pure function from raw config values to frozen dataclasses; it
collects every problem before raising, so a user sees all bad keys at once.
`load_settings` reads the project's config namespace and calls it. Nothing here
registers a resource, so a bad setting stops the program before anything is created.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import ipaddress
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from policies.rules.networks import read_cidrs, too_open

from . import naming
from .access_principals import principal_problems
from .aws_regions import ALL_REGIONS
from .deployment_strategy import Release, default_release, parse_release, target_problem
from .image_record import DEFAULT_BOOTSTRAP_IMAGE
from .validation import (
    CACHE_CREDENTIAL_ARN,
    FARGATE_SIZES,
    LOG_RETENTION_DAYS,
    MAX_CONTAINER_PORT,
    MIN_CONTAINER_PORT,
    SEVERITIES,
    retention_problem,
    vpc_cidr_problem,
)

ENVIRONMENTS = ("dev", "stage", "prod")
TARGETS = ("ecs", "eks")
SOURCE_PROVIDERS = ("github", "gitlab", "bitbucket", "codecommit")

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")
HOSTED_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")
CODECOMMIT_REPOSITORY = re.compile(r"^[\w.-]{1,100}$")
BRANCH = re.compile(r"^(?!/)(?!.*\.\.)(?!.*//)[^\s~^:?*\[\\]{1,255}(?<!/)(?<!\.lock)$")
CONNECTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[0-9a-f-]{36}$"
)
HEALTH_CHECK_PATH = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,1023}$")
DOCKER_TARGET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
IMAGE_REFERENCE = re.compile(r"^[a-z0-9]+([._/:-][a-z0-9]+)*(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$")
NAT_GATEWAYS = ("single", "per-az")
# Upstream registries the pull-through cache serves with a credential: setting -> Secrets Manager ARN.
CACHE_CREDENTIAL_KEYS = ("dockerHubCredentialArn", "githubCredentialArn", "quayCredentialArn")
RELATIVE_PATH = re.compile(r"^(?!/)(?!.*(^|/)\.\.(/|$))[A-Za-z0-9_./-]{1,255}$")

SERVICE_KEYS = (
    "name",
    "source",
    "port",
    "healthCheckPath",
    "cpu",
    "memory",
    "desiredCount",
    "dockerfile",
    "buildContext",
    "testTarget",
    "certificateArn",
    "deploymentStrategy",
    "latencyThresholdMs",
)
SOURCE_KEYS = ("provider", "repository", "branch", "connectionArn")

# Every project-level key this loader reads; anything else in the namespace is a typo.
PROJECT_KEYS = (
    "environment",
    "target",
    "requireApproval",
    "protectData",
    "scanSeverityThreshold",
    "services",
    "artifactRetentionDays",
    "logRetentionDays",
    "untaggedImageExpiryDays",
    "taggedImagesToKeep",
    "buildImage",
    "buildComputeType",
    "bootstrapImage",
    "vpcId",
    "publicSubnetIds",
    "privateSubnetIds",
    "vpcCidr",
    "availabilityZones",
    "natGateways",
    "clusterEndpointPublicCidrs",
    *CACHE_CREDENTIAL_KEYS,
    "clusterAdmins",
    "clusterViewers",
    "ciRunner",
    "deploymentStrategy",
    "latencyThresholdMs",
    "webAcl",
    "wafRateLimit",
    "artifactAccessLogs",
)

BUILD_COMPUTE_TYPES = (
    "BUILD_GENERAL1_SMALL",
    "BUILD_GENERAL1_MEDIUM",
    "BUILD_GENERAL1_LARGE",
    "BUILD_GENERAL1_XLARGE",
    "BUILD_GENERAL1_2XLARGE",
)


class SettingsError(pulumi.RunError):
    """Raised for invalid stack settings.

    A `RunError` is reported by the Pulumi CLI as a plain message, without a traceback:
    a user mistake deserves a fix, not a stack dump.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"invalid stack settings ({len(problems)} problem{'s' if len(problems) != 1 else ''}):\n{lines}\n"
            "Fix them in Pulumi.<stack>.yaml or with `pulumi config set`; the README's Settings section "
            "lists every key."
        )


@dataclass(frozen=True, kw_only=True)
class SourceSettings:
    """Where a service's code lives."""

    provider: str
    """github, gitlab, bitbucket or codecommit."""
    repository: str
    """`owner/name` for hosted providers, the repository name for CodeCommit."""
    branch: str
    """The branch whose pushes trigger the pipeline. Default: main."""
    connection_arn: str | None
    """An existing, already activated CodeConnections connection. Default: create one."""


@dataclass(frozen=True, kw_only=True)
class ServiceSettings:
    """One containerised service and its delivery pipeline."""

    name: str
    source: SourceSettings
    port: int
    """Container port; 1024-65535 because the container runs as a non-root user. Default: 8080."""
    health_check_path: str
    """HTTP path the load balancer and probes check. Default: /healthz."""
    cpu: int
    """Fargate cpu units. Default: 256."""
    memory: int
    """Memory in MiB, a size Fargate accepts for `cpu`. Default: 512."""
    desired_count: int
    """Running copies. Default: 1 in dev, 2 in stage and prod."""
    dockerfile: str
    """Dockerfile path relative to the repository root. Default: Dockerfile."""
    build_context: str
    """Docker build context relative to the repository root. Default: '.'."""
    test_target: str
    """Dockerfile stage that runs the service's tests. Default: test."""
    certificate_arn: str | None
    """ACM certificate for the load balancer's HTTPS listener. Default: none (plain HTTP)."""
    release: Release
    """Deployment strategy and its parameters. Default: the stack's `deploymentStrategy`."""
    latency_threshold_ms: int
    """p99 target response time (ms) above which the latency alarm fires. Default: the stack's, 1000."""


@dataclass(frozen=True, kw_only=True)
class NetworkSettings:
    """An existing VPC (all three ids given) or the shape of one to create."""

    vpc_id: str | None
    public_subnet_ids: tuple[str, ...]
    private_subnet_ids: tuple[str, ...]
    cidr_block: str
    """Default: 10.0.0.0/16."""
    availability_zones: int
    """Default: 2."""
    nat_gateways: str
    """single or per-az. Default: single in dev, per-az elsewhere."""


@dataclass(frozen=True, kw_only=True)
class StackSettings:
    """Everything one stack (environment) needs to know."""

    environment: str
    target: str
    require_approval: bool
    protect_data: bool
    scan_severity_threshold: str
    services: tuple[ServiceSettings, ...]
    artifact_retention_days: int
    log_retention_days: int
    untagged_image_expiry_days: int
    tagged_images_to_keep: int
    build_image: str
    build_compute_type: str
    bootstrap_image: str
    """Image the service runs until the pipeline's first deploy; `build` builds app/ with Docker."""
    network: NetworkSettings
    cluster_endpoint_public_cidrs: tuple[str, ...]
    """EKS: CIDRs that may reach the Kubernetes API from outside the VPC. Default: none (private)."""
    web_acl: bool
    """AWS WAF in front of every internet-facing load balancer. Default: true in prod."""
    waf_rate_limit: int
    """Requests per client IP per 5 minutes above which WAF blocks. Default: 2000."""
    artifact_access_logs: bool
    """S3 server access logs for the artifact bucket. Default: true in prod."""
    cache_credentials: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Pull-through cache upstreams with a credential: setting key -> secret ARN. Default: none (ECR Public only)."""
    cluster_admins: tuple[str, ...] = ()
    """EKS: IAM roles with AmazonEKSClusterAdminPolicy on the cluster. Default: none (its creator only)."""
    cluster_viewers: tuple[str, ...] = ()
    """EKS: IAM roles with AmazonEKSViewPolicy in the services' namespaces. Default: none."""
    ci_runner: bool = False
    """A CodeBuild-hosted GitHub Actions runner in the VPC. Default: on for EKS with a private endpoint."""

    @property
    def blocking_severities(self) -> tuple[str, ...]:
        """Severities at or above the threshold: any finding of these fails the build."""
        return SEVERITIES[: SEVERITIES.index(self.scan_severity_threshold) + 1]


DEFAULT_SERVICE: dict[str, Any] = {
    "name": "web",
    "source": {"provider": "github", "repository": "example-org/web", "branch": "main"},
}


class _Problems:
    """Collects problems as `key: value is wrong; expected ...` lines."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, key: str, value: Any, expected: str) -> None:
        shown = json.dumps(value) if not isinstance(value, str) else repr(value)
        self.items.append(f"{key}: got {shown}; expected {expected}")

    def unknown(self, key: str, name: str, known: tuple[str, ...]) -> None:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        self.items.append(f"{key}: unknown key; {hint}known keys are {', '.join(known)}")


def _parse_json(key: str, raw: str, problems: _Problems) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        problems.add(key, raw, "a YAML list or JSON value (set it in Pulumi.<stack>.yaml)")
        return None


def _as_bool(key: str, value: Any, default: bool, problems: _Problems) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    problems.add(key, value, "true or false")
    return default


def _as_int(key: str, value: Any, default: int, lo: int, hi: int, problems: _Problems) -> int:
    if value is None:
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        number = int(value)
    if number is None or not lo <= number <= hi:
        problems.add(key, value, f"a whole number from {lo} to {hi}")
        return default
    return number


def _as_choice(key: str, value: Any, default: str, choices: tuple[Any, ...], problems: _Problems) -> str:
    if value is None:
        return default
    if value not in choices:
        problems.add(key, value, f"one of {', '.join(map(str, choices))}")
        return default
    return str(value)


def _as_text(
    key: str,
    value: Any,
    default: str,
    pattern: re.Pattern[str],
    expected: str,
    problems: _Problems,
) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or not pattern.fullmatch(value):
        problems.add(key, value, expected)
        return default
    return value


def _unknown_keys(key: str, value: Mapping[str, Any], known: tuple[str, ...], problems: _Problems) -> None:
    for extra in sorted(set(value) - set(known)):
        problems.unknown(f"{key}.{extra}", str(extra), known)


def _parse_source(key: str, raw: Any, problems: _Problems) -> SourceSettings | None:
    if not isinstance(raw, Mapping):
        problems.add(key, raw, "an object with provider, repository and branch")
        return None
    _unknown_keys(key, raw, SOURCE_KEYS, problems)
    before = len(problems.items)
    provider = _as_choice(f"{key}.provider", raw.get("provider"), "github", SOURCE_PROVIDERS, problems)
    repository = raw.get("repository")
    if provider == "codecommit":
        pattern, expected = CODECOMMIT_REPOSITORY, "a CodeCommit repository name (letters, digits, '.', '_', '-')"
    else:
        pattern, expected = HOSTED_REPOSITORY, "'owner/name' of the repository"
    if repository is None:
        problems.add(f"{key}.repository", None, expected)
    repository = _as_text(f"{key}.repository", repository, "", pattern, expected, problems)
    branch = _as_text(f"{key}.branch", raw.get("branch"), "main", BRANCH, "a valid git branch name", problems)
    connection_arn = raw.get("connectionArn")
    if connection_arn is not None:
        if provider == "codecommit":
            problems.add(f"{key}.connectionArn", connection_arn, "no connection for codecommit (remove the key)")
        elif not isinstance(connection_arn, str) or not CONNECTION_ARN.fullmatch(connection_arn):
            problems.add(
                f"{key}.connectionArn",
                connection_arn,
                "arn:aws:codeconnections:<region>:<account>:connection/<uuid>",
            )
    if len(problems.items) > before:
        return None
    return SourceSettings(provider=provider, repository=repository, branch=branch, connection_arn=connection_arn)


def _parse_service(
    index: int, raw: Any, environment: str, problems: _Problems, release: Release, latency: int
) -> ServiceSettings | None:
    key = f"services[{index}]"
    if not isinstance(raw, Mapping):
        problems.add(key, raw, "an object with at least name and source")
        return None
    _unknown_keys(key, raw, SERVICE_KEYS, problems)
    before = len(problems.items)
    name = raw.get("name")
    if not isinstance(name, str) or not SERVICE_NAME.fullmatch(name):
        problems.add(f"{key}.name", name, "2-20 lowercase letters, digits or '-', starting with a letter")
    source = _parse_source(f"{key}.source", raw.get("source"), problems)
    port = _as_int(f"{key}.port", raw.get("port"), 8080, MIN_CONTAINER_PORT, MAX_CONTAINER_PORT, problems)
    path = _as_text(
        f"{key}.healthCheckPath",
        raw.get("healthCheckPath"),
        "/healthz",
        HEALTH_CHECK_PATH,
        "an absolute URL path such as /healthz",
        problems,
    )
    cpu = _as_int(f"{key}.cpu", raw.get("cpu"), 256, 256, 16384, problems)
    memory = _as_int(f"{key}.memory", raw.get("memory"), 512, 512, 122880, problems)
    if cpu in FARGATE_SIZES:
        if memory not in FARGATE_SIZES[cpu]:
            allowed = FARGATE_SIZES[cpu]
            problems.add(
                f"{key}.memory",
                memory,
                f"for cpu {cpu}, one of {allowed[0]}..{allowed[-1]} in the steps Fargate accepts "
                f"({', '.join(map(str, allowed[:4]))}{', ...' if len(allowed) > 4 else ''})",
            )
    elif raw.get("cpu") is not None and len(problems.items) == before:
        problems.add(f"{key}.cpu", cpu, f"one of {', '.join(map(str, FARGATE_SIZES))}")
    default_count = 1 if environment == "dev" else 2
    count = _as_int(f"{key}.desiredCount", raw.get("desiredCount"), default_count, 1, 100, problems)
    dockerfile = _as_text(
        f"{key}.dockerfile", raw.get("dockerfile"), "Dockerfile", RELATIVE_PATH, "a relative path", problems
    )
    context = _as_text(f"{key}.buildContext", raw.get("buildContext"), ".", RELATIVE_PATH, "a relative path", problems)
    test_target = _as_text(
        f"{key}.testTarget",
        raw.get("testTarget"),
        "test",
        DOCKER_TARGET,
        "the name of the Dockerfile stage that runs the tests",
        problems,
    )
    certificate = raw.get("certificateArn")
    if certificate is not None and (not isinstance(certificate, str) or not CERTIFICATE_ARN.fullmatch(certificate)):
        problems.add(f"{key}.certificateArn", certificate, "arn:aws:acm:<region>:<account>:certificate/<uuid>")
    service_release = parse_release(f"{key}.deploymentStrategy", raw.get("deploymentStrategy"), release, problems.add)
    latency = _as_int(f"{key}.latencyThresholdMs", raw.get("latencyThresholdMs"), latency, 10, 60000, problems)
    if len(problems.items) > before or source is None:
        return None
    return ServiceSettings(
        name=str(name),
        source=source,
        port=port,
        health_check_path=path,
        cpu=cpu,
        memory=memory,
        desired_count=count,
        dockerfile=dockerfile,
        build_context=context,
        test_target=test_target,
        certificate_arn=certificate,
        release=service_release,
        latency_threshold_ms=latency,
    )


def _parse_services(
    raw: Any, environment: str, problems: _Problems, release: Release, latency: int, target: str = "ecs"
) -> tuple[ServiceSettings, ...]:
    if raw is None:
        raw = [DEFAULT_SERVICE]
    if isinstance(raw, str):
        raw = _parse_json("services", raw, problems)
        if raw is None:
            return ()
    if not isinstance(raw, list) or not raw:
        problems.add("services", raw, "a non-empty list of service objects")
        return ()
    services = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        name = item.get("name") if isinstance(item, Mapping) else None
        if isinstance(name, str) and name in seen:
            problems.add(f"services[{index}].name", name, f"a name not already used by services[{seen[name]}]")
        elif isinstance(name, str):
            seen[name] = index
        service = _parse_service(index, item, environment, problems, release, latency)
        if service is not None:
            services.append(service)
            for problem in naming.service_name_problems(service.name, target):
                problems.items.append(f"services[{index}].name: got {service.name!r}; {problem}")
    for first, second in naming.collisions([s.name for s in services]):
        problems.items.append(
            f"services[{seen[second]}].name: got {second!r}; a name that does not begin with {first!r} and '-' "
            f"(services[{seen[first]}]): the two services' resources would have the same URNs"
        )
    return tuple(services)


def _as_list(value: Any) -> Any:
    """A list setting as the CLI hands it over: a YAML list, JSON text, or comma-separated text.
    Text that is not JSON is returned as it is, for the caller to report."""
    if not isinstance(value, str):
        return value
    if value.startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return [v.strip() for v in value.split(",") if v.strip()]


def _id_list(key: str, value: Any, pattern: re.Pattern[str], problems: _Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    value = _as_list(value)
    if not isinstance(value, list) or not all(isinstance(v, str) and pattern.fullmatch(v) for v in value):
        problems.add(key, value, f"a list of ids like {pattern.pattern[1:-1].split('-')[0]}-0123456789abcdef0")
        return ()
    return tuple(value)


def _parse_cidrs(key: str, value: Any, problems: _Problems) -> tuple[str, ...]:
    """IPv4 CIDRs whose union admits at most a /8 (`policies.rules.networks`, the pack's default): a
    Kubernetes API open to the internet, even in pieces, is never a setting."""
    if value is None:
        return ()
    value = _as_list(value)
    if not isinstance(value, list):
        problems.add(key, value, "a list of CIDRs such as 203.0.113.0/24")
        return ()
    cidrs = []
    for item in value:
        try:
            network = ipaddress.ip_network(str(item), strict=True)
        except ValueError:
            problems.add(key, item, "a CIDR such as 203.0.113.0/24 (host bits zero)")
            continue
        if network.version != 4:
            problems.add(key, item, "an IPv4 CIDR (the cluster is IPv4, EKS refuses IPv6 public-access CIDRs on it)")
            continue
        cidrs.append(str(network))
    for _family, count, limit in too_open(read_cidrs(cidrs)):
        problems.add(
            key,
            cidrs,
            f"the egress CIDRs of the machines that run `pulumi up` and the pipeline, not a large part of the "
            f"internet: together they admit {count:,} addresses, more than {limit:,}",
        )
    return tuple(cidrs)


def _parse_network(raw: Mapping[str, Any], environment: str, problems: _Problems) -> NetworkSettings:
    vpc_id = raw.get("vpcId")
    if vpc_id is not None and (not isinstance(vpc_id, str) or not VPC_ID.fullmatch(vpc_id)):
        problems.add("vpcId", vpc_id, "a VPC id like vpc-0123456789abcdef0")
    public = _id_list("publicSubnetIds", raw.get("publicSubnetIds"), SUBNET_ID, problems)
    private = _id_list("privateSubnetIds", raw.get("privateSubnetIds"), SUBNET_ID, problems)
    if vpc_id is not None:
        for key, ids in (("publicSubnetIds", public), ("privateSubnetIds", private)):
            if len(ids) < 2:
                problems.add(key, list(ids), "at least two subnet ids (in different zones) when vpcId is set")
    elif public or private:
        problems.add("vpcId", None, "the VPC of the given subnets (set vpcId, or remove the subnet ids)")
    cidr = raw.get("vpcCidr", "10.0.0.0/16")
    if problem := vpc_cidr_problem(cidr):
        problems.add("vpcCidr", cidr, problem)
        cidr = "10.0.0.0/16"
    zones = _as_int("availabilityZones", raw.get("availabilityZones"), 2, 2, 4, problems)
    nat_default = "single" if environment == "dev" else "per-az"
    nat = _as_choice("natGateways", raw.get("natGateways"), nat_default, NAT_GATEWAYS, problems)
    return NetworkSettings(
        vpc_id=vpc_id if isinstance(vpc_id, str) else None,
        public_subnet_ids=public,
        private_subnet_ids=private,
        cidr_block=cidr,
        availability_zones=zones,
        nat_gateways=nat,
    )


def _check_provider(provider: Mapping[str, Any], services: tuple[ServiceSettings, ...], problems: _Problems) -> None:
    """The AWS provider's keys that the program relies on: a real region, certificates in it, tags as a map."""
    region = provider.get("region")
    if region is not None and region not in ALL_REGIONS:
        # A wrong number keeps its geography (us-east-9: us-east-1 or us-east-2); a typo is one edit away.
        geography = str(region).rsplit("-", 1)[0] + "-"
        close = sorted(r for r in ALL_REGIONS if r.startswith(geography) and r.count("-") == str(region).count("-"))
        close = close or difflib.get_close_matches(str(region), sorted(ALL_REGIONS), n=1)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        problems.add("aws:region", region, f"an AWS region ({hint}see `aws ec2 describe-regions`)")
    elif region is not None:
        for index, service in enumerate(services):
            arn = service.certificate_arn
            if arn and arn.split(":")[3] != region:
                problems.add(
                    f"services[{index}].certificateArn",
                    arn,
                    f"a certificate in the stack's region {region} (a load balancer uses only certificates of its "
                    "own region; request or import one there)",
                )
    tags = provider.get("defaultTags")
    if tags is not None:
        inner = tags.get("tags") if isinstance(tags, Mapping) else None
        if not isinstance(tags, Mapping) or set(tags) - {"tags"} or inner is None:
            problems.add("aws:defaultTags", tags, "an object with one key, tags, a map of tag names to values")
        elif not isinstance(inner, Mapping) or not all(
            isinstance(k, str) and isinstance(v, (str, int, float, bool)) for k, v in inner.items()
        ):
            problems.add("aws:defaultTags.tags", inner, "a map of tag names to string values, such as {team: web}")


def parse_settings(
    raw: Mapping[str, Any],
    stack: str,
    project: str = "container-delivery",
    provider: Mapping[str, Any] | None = None,
) -> StackSettings:
    """Validate raw config values (strings, or already-parsed YAML values) into settings.

    `raw` maps project-level keys (without the namespace) to values; missing keys take
    their defaults. `provider` holds the AWS provider's keys this loader checks (`region`,
    `defaultTags`), when set. Raises `SettingsError` listing every problem.
    """
    problems = _Problems()
    for extra in sorted(set(raw) - set(PROJECT_KEYS)):
        problems.unknown(extra, extra, PROJECT_KEYS)

    default_env = stack if stack in ENVIRONMENTS else None
    environment = raw.get("environment", default_env)
    if environment not in ENVIRONMENTS:
        problems.add("environment", environment, f"one of {', '.join(ENVIRONMENTS)}")
        environment = "dev"
    is_prod = environment == "prod"
    target = _as_choice("target", raw.get("target"), "ecs", TARGETS, problems)
    approval = _as_bool("requireApproval", raw.get("requireApproval"), is_prod, problems)
    protect = _as_bool("protectData", raw.get("protectData"), is_prod, problems)
    threshold = raw.get("scanSeverityThreshold")
    threshold = threshold.upper() if isinstance(threshold, str) else threshold
    severity = _as_choice("scanSeverityThreshold", threshold, "HIGH", SEVERITIES, problems)
    release = parse_release(
        "deploymentStrategy", raw.get("deploymentStrategy"), default_release(str(environment), target), problems.add
    )
    latency = _as_int("latencyThresholdMs", raw.get("latencyThresholdMs"), 1000, 10, 60000, problems)
    services = _parse_services(raw.get("services"), environment, problems, release, latency, target)
    for index, service in enumerate(services):
        if problem := target_problem(target, service.release):
            problems.add(f"services[{index}].deploymentStrategy", service.release.strategy.value, problem)
    for problem in naming.stack_name_problems(project, stack):
        problems.items.append(f"stack name: got {stack!r}; {problem}")
    _check_provider(provider or {}, services, problems)
    if target == "ecs" and services:
        # Imported here: alb_access_logs itself uses this module's retention check.
        from .alb_access_logs import policy_size_problem

        if fleet := policy_size_problem([s.name for s in services]):
            problems.add("services", f"{len(services)} services", f"fewer on target ecs: {fleet}")
    artifact_days = _as_int("artifactRetentionDays", raw.get("artifactRetentionDays"), 30, 1, 3650, problems)
    log_days = _as_int("logRetentionDays", raw.get("logRetentionDays"), 90 if is_prod else 30, 1, 3653, problems)
    if retention_problem(log_days):
        problems.add(
            "logRetentionDays", log_days, f"a value CloudWatch Logs accepts: {', '.join(map(str, LOG_RETENTION_DAYS))}"
        )
    untagged_days = _as_int("untaggedImageExpiryDays", raw.get("untaggedImageExpiryDays"), 7, 1, 365, problems)
    keep = _as_int("taggedImagesToKeep", raw.get("taggedImagesToKeep"), 30, 1, 1000, problems)
    build_image = _as_text(
        "buildImage",
        raw.get("buildImage"),
        "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        re.compile(r"^[a-z0-9./:@_-]{3,255}$"),
        "a CodeBuild image such as aws/codebuild/amazonlinux-x86_64-standard:5.0",
        problems,
    )
    compute = _as_choice(
        "buildComputeType", raw.get("buildComputeType"), "BUILD_GENERAL1_SMALL", BUILD_COMPUTE_TYPES, problems
    )

    bootstrap = raw.get("bootstrapImage", DEFAULT_BOOTSTRAP_IMAGE)
    if bootstrap != "build" and (not isinstance(bootstrap, str) or not IMAGE_REFERENCE.fullmatch(bootstrap)):
        problems.add("bootstrapImage", bootstrap, "an image reference such as repo/name:tag, or build")
    network = _parse_network(raw, environment, problems)
    cidrs = _parse_cidrs("clusterEndpointPublicCidrs", raw.get("clusterEndpointPublicCidrs"), problems)
    cache_credentials = {key: raw[key] for key in CACHE_CREDENTIAL_KEYS if raw.get(key) is not None}
    for key, arn in cache_credentials.items():
        if not isinstance(arn, str) or not CACHE_CREDENTIAL_ARN.fullmatch(arn):
            problems.add(key, arn, "the ARN of a Secrets Manager secret whose name starts with ecr-pullthroughcache/")
    admins, viewers = _parse_cluster_access(raw, target, problems)
    ci_runner = _as_bool("ciRunner", raw.get("ciRunner"), target == "eks" and not cidrs, problems)
    if ci_runner and target != "eks":
        problems.add("ciRunner", True, "false: only an EKS stack's private API endpoint needs a runner in the VPC")
    elif ci_runner and not any(s.source.provider == "github" for s in services):
        problems.add("ciRunner", True, "a service whose source provider is github (its connection serves the runner)")
    web_acl = _as_bool("webAcl", raw.get("webAcl"), is_prod, problems)
    rate_limit = _as_int("wafRateLimit", raw.get("wafRateLimit"), 2000, 10, 2000000000, problems)
    access_logs = _as_bool("artifactAccessLogs", raw.get("artifactAccessLogs"), is_prod, problems)

    if problems.items:
        raise SettingsError(problems.items)
    return StackSettings(
        environment=str(environment),
        target=target,
        require_approval=approval,
        protect_data=protect,
        scan_severity_threshold=severity,
        services=services,
        artifact_retention_days=artifact_days,
        log_retention_days=log_days,
        untagged_image_expiry_days=untagged_days,
        tagged_images_to_keep=keep,
        build_image=build_image,
        build_compute_type=compute,
        bootstrap_image=str(bootstrap),
        network=network,
        cluster_endpoint_public_cidrs=cidrs,
        cache_credentials=cache_credentials,
        cluster_admins=admins,
        cluster_viewers=viewers,
        ci_runner=ci_runner,
        web_acl=web_acl,
        waf_rate_limit=rate_limit,
        artifact_access_logs=access_logs,
    )


def _parse_cluster_access(raw: Mapping[str, Any], target: str, problems: _Problems) -> tuple[tuple[str, ...], ...]:
    lists = {}
    for key in ("clusterAdmins", "clusterViewers"):
        value = _as_list(raw.get(key, []))
        if not isinstance(value, list):
            problems.add(key, value, "a list of IAM role ARNs")
            value = []
        elif value and target != "eks":
            problems.add(key, value, "no value: only an EKS stack (target: eks) has cluster access entries")
        lists[key] = value
    found = principal_problems(lists["clusterAdmins"], lists["clusterViewers"])
    for key, value, expected in found:
        problems.add(key, value, expected)
    if found:
        return (), ()
    return tuple(lists["clusterAdmins"]), tuple(lists["clusterViewers"])


def _project_config() -> dict[str, Any]:
    """Every key of this project's config namespace, as the language host passed it."""
    from pulumi.runtime import config as runtime_config

    # The CLI passes config in the PULUMI_CONFIG environment variable; the automation API
    # and the mock runtime set it in-process. Listing both catches misspelt keys.
    everything = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{pulumi.get_project()}:"
    raw: dict[str, Any] = {k[len(prefix) :]: v for k, v in everything.items() if k.startswith(prefix)}
    # Structured values arrive as JSON text; a value that is not JSON is reported by the parser.
    if isinstance(raw.get("services"), str):
        with contextlib.suppress(json.JSONDecodeError):
            raw["services"] = json.loads(raw["services"])
    return raw


def _provider_config() -> dict[str, Any]:
    """The AWS provider's region and default tags, as the provider will read them."""
    aws = pulumi.Config("aws")
    found: dict[str, Any] = {}
    region = aws.get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region is not None:
        found["region"] = region
    tags = aws.get("defaultTags")
    if tags is not None:
        try:
            found["defaultTags"] = json.loads(tags)
        except json.JSONDecodeError:
            found["defaultTags"] = tags
    return found


def load_settings() -> StackSettings:
    """Read this project's config namespace for the current stack and validate it."""
    return parse_settings(_project_config(), pulumi.get_stack(), pulumi.get_project(), _provider_config())
