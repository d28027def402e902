"""CodeBuild: no credentials in the project, build logs kept and encrypted with the stack's key,
privileged mode only for builds that build images."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import yaml

from .props import known, looks_like_aws_key, matches_any
from .registry import Config, Resource, resource_rule

PROJECT = "aws:codebuild/project:Project"
CREDENTIAL_NAMES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "*_TOKEN", "*PASSWORD*", "*SECRET*"]
# Token sequences of a shell command that build a container image.
IMAGE_BUILDS = (("docker", "build"), ("docker", "buildx", "build"), ("docker", "image", "build"))


@resource_rule(
    name="codebuild-no-plaintext-credentials",
    types=[PROJECT],
    description="CodeBuild environment variables carry no plaintext credentials (mandatory: a plaintext value "
    "is readable by anyone who can read the project).",
    severity="critical",
    remediation="Give the build its AWS access through the project's service role. Keep other secrets in "
    "Secrets Manager or Parameter Store and reference them with type SECRETS_MANAGER or PARAMETER_STORE.",
    config={
        "credentialNamePatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": CREDENTIAL_NAMES,
            "description": "Shell-style patterns (case-insensitive) of variable names that hold credentials.",
        }
    },
)
def no_plaintext_credentials(resource: Resource, config: Config) -> Iterator[str]:
    environment = resource.props.get("environment") or {}
    for i, variable in enumerate(environment.get("environmentVariables") or []):
        if variable.get("type", "PLAINTEXT") != "PLAINTEXT":
            continue
        name = str(variable.get("name", ""))
        where = f"environment.environmentVariables[{i}] {name}"
        fix = "move it to Secrets Manager or Parameter Store and set type SECRETS_MANAGER or PARAMETER_STORE"
        if matches_any(name, config["credentialNamePatterns"]):
            yield f"{where} is a PLAINTEXT credential: {fix}"
        elif looks_like_aws_key(known(variable, "value")):
            yield f"{where} has a PLAINTEXT value that looks like an AWS access key id: use the service role, or {fix}"


def _embeds_password(location: Any) -> bool:
    try:
        return isinstance(location, str) and urlsplit(location).password is not None
    except ValueError:
        return False


@resource_rule(
    name="codebuild-no-source-credentials",
    types=[PROJECT],
    description="CodeBuild source locations embed no credentials (mandatory: user:password@ in a URL is stored "
    "and shown in plain text).",
    severity="critical",
    remediation="Remove the user:password@ part and connect the repository with CodeConnections (source.auth) "
    "or a CodeBuild source credential.",
)
def no_source_credentials(resource: Resource, config: Config) -> Iterator[str]:
    sources = [("source", resource.props.get("source") or {})]
    sources += [(f"secondarySources[{i}]", s) for i, s in enumerate(resource.props.get("secondarySources") or [])]
    for where, source in sources:
        if _embeds_password(known(source, "location")):
            yield (
                f"{where}.location embeds credentials (user:password@ in the URL): remove them and connect the "
                "repository with CodeConnections or a source credential"
            )


@resource_rule(
    name="codebuild-logs",
    types=[PROJECT],
    description="CodeBuild build logs go to CloudWatch Logs, and logs written to S3 are encrypted (mandatory: "
    "the build log is the only record of what a build with push rights did).",
    severity="medium",
    remediation="Leave logs_config.cloudwatch_logs.status ENABLED with a KMS-encrypted log group, and do not set "
    "logs_config.s3_logs.encryption_disabled.",
)
def logs(resource: Resource, config: Config) -> Iterator[str]:
    logs_config = resource.props.get("logsConfig") or {}
    cloudwatch = logs_config.get("cloudwatchLogs") or {}
    if cloudwatch.get("status", "ENABLED") == "DISABLED":
        yield "logsConfig.cloudwatchLogs.status is DISABLED: set it to ENABLED with a KMS-encrypted log group"
    s3 = logs_config.get("s3Logs") or {}
    if s3.get("status") == "ENABLED" and s3.get("encryptionDisabled") is True:
        yield "logsConfig.s3Logs.encryptionDisabled is true: remove it so S3 build logs are encrypted"


@resource_rule(
    name="codebuild-customer-managed-key",
    types=[PROJECT],
    description="CodeBuild encrypts build output with a customer-managed KMS key (mandatory: encryption at rest "
    "with a key whose policy the stack controls).",
    severity="medium",
    remediation="Set encryption_key to the stack's KMS key ARN (ArtifactStore.key_arn).",
)
def customer_managed_key(resource: Resource, config: Config) -> Iterator[str]:
    key = resource.props.get("encryptionKey")
    if not key:
        yield "encryptionKey is not set, so CodeBuild uses the AWS managed key alias/aws/s3: set the stack's KMS key"
    elif "alias/aws/" in str(key):
        yield f"encryptionKey {key} is an AWS managed key: set it to the stack's customer-managed KMS key"


def _commands(buildspec: dict[str, Any]) -> Iterator[str]:
    phases = buildspec.get("phases")
    if not isinstance(phases, dict):
        return
    for phase in phases.values():
        if not isinstance(phase, dict):
            continue
        for block in ("commands", "finally"):
            commands = phase.get(block) or []
            yield from [commands] if isinstance(commands, str) else map(str, commands)


@lru_cache(maxsize=4096)
def _builds_image(command: str) -> bool:
    """Whether a shell command runs an image build (a fleet's projects share their commands:
    each is tokenised once)."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: fall back to whitespace
        tokens = command.split()
    return any(tuple(tokens[i : i + len(seq)]) == seq for seq in IMAGE_BUILDS for i in range(len(tokens)))


@lru_cache(maxsize=1024)
def _load_buildspec(text: str) -> Any:
    """Fleets share one buildspec text: parse it once (callers only read the result)."""
    return yaml.safe_load(text)


@resource_rule(
    name="codebuild-privileged-only-for-image-builds",
    types=[PROJECT],
    description="CodeBuild privileged mode is on only for projects whose inline buildspec builds container images "
    "(mandatory: privileged mode gives the build root on the build host's Docker daemon).",
    severity="high",
    remediation="Set environment.privileged_mode=False, or inline the buildspec so the policy can see its "
    "`docker build` / `docker buildx build` command.",
)
def privileged_only_for_image_builds(resource: Resource, config: Config) -> Iterator[str]:
    environment = resource.props.get("environment") or {}
    if environment.get("privilegedMode") is not True:
        return
    text = (resource.props.get("source") or {}).get("buildspec")
    fix = "set environment.privilegedMode to false"
    if not text:
        yield f"environment.privilegedMode is true and source.buildspec is not inline: inline it, or {fix}"
        return
    try:
        buildspec = _load_buildspec(str(text))
    except yaml.YAMLError:
        yield f"environment.privilegedMode is true and source.buildspec is not valid YAML: fix it, or {fix}"
        return
    if not isinstance(buildspec, dict):
        yield (
            f"environment.privilegedMode is true and source.buildspec names the file {text}, which the policy "
            f"cannot read: inline the buildspec, or {fix}"
        )
    elif not any(_builds_image(command) for command in _commands(buildspec)):
        yield (
            "environment.privilegedMode is true but the buildspec runs no `docker build` or `docker buildx build`: "
            f"{fix}"
        )
