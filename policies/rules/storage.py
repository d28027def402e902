"""Data at rest: S3 buckets (public-access blocks, SSE-KMS, TLS-only policy, versioning), KMS key
rotation, CloudWatch log groups (retention, KMS) and SNS topics (KMS).

S3 settings live in separate resources (`BucketPublicAccessBlock`, ...), so the S3 rules are stack
rules: a setting belongs to a bucket when its `bucket` is the bucket's name or id, or, while that
value is not known yet (a preview of a new bucket), when it depends on the bucket.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .contract import ALB_ACCESS_LOGS_PURPOSE, PURPOSE_TAG, S3_ACCESS_LOGS_PURPOSE
from .props import known, tags
from .registry import Config, Resource, StackResource, resource_rule, stack_rule

BUCKETS = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
PUBLIC_ACCESS_BLOCK = frozenset({"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"})
ENCRYPTION = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
BUCKET_POLICY = frozenset({"aws:s3/bucketPolicy:BucketPolicy"})
VERSIONING = frozenset({"aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"})
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
# ALB access-log delivery supports only SSE-S3 (ELB user guide, "Enable access logs").
ALB_LOGS_MARK = (PURPOSE_TAG, ALB_ACCESS_LOGS_PURPOSE)
# S3 server access logging delivers only to a target bucket with SSE-S3 default encryption.
SSE_S3_PURPOSES = (ALB_ACCESS_LOGS_PURPOSE, S3_ACCESS_LOGS_PURPOSE)
BLOCKS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TOPIC = "aws:sns/topic:Topic"

StackViolations = Iterator[tuple[str, str | None]]


def _name(bucket: StackResource) -> str:
    return str(known(bucket.props, "bucket") or bucket.name)


class _Settings:
    """The resources of some setting types in a stack, indexed once per rule evaluation by the bucket
    name they give and by the resources they depend on (a rule then costs O(resources), not
    O(buckets x resources))."""

    def __init__(self, resources: Sequence[StackResource], types: frozenset[str]) -> None:
        self.by_target: dict[str, list[tuple[int, StackResource]]] = {}
        self.by_dependency: dict[str, list[tuple[int, StackResource]]] = {}
        for position, r in enumerate(resources):
            if r.type not in types:
                continue
            target = known(r.props, "bucket")
            if target:
                self.by_target.setdefault(str(target), []).append((position, r))
            for urn in r.dependencies:
                self.by_dependency.setdefault(urn, []).append((position, r))

    def of(self, bucket: StackResource) -> list[StackResource]:
        """The settings that configure `bucket`, in stack order."""
        names = {str(n) for n in (known(bucket.props, "bucket"), known(bucket.props, "id")) if n}
        dependents = self.by_dependency.get(bucket.urn, [])
        if not names:
            return [r for _, r in dependents]
        found = {p: r for name in names for p, r in self.by_target.get(name, [])}
        # A setting whose bucket is not known yet belongs to the bucket it depends on.
        found.update((p, r) for p, r in dependents if not known(r.props, "bucket"))
        return [found[p] for p in sorted(found)]


def _buckets(resources: Sequence[StackResource]) -> Iterator[StackResource]:
    return (r for r in resources if r.type in BUCKETS)


@stack_rule(
    name="s3-public-access-block",
    description="Every S3 bucket has a BucketPublicAccessBlock with all four settings true, and every "
    "BucketPublicAccessBlock sets all four true, also when its bucket is not in the stack (mandatory: public access).",
    severity="critical",
    remediation="Add aws.s3.BucketPublicAccessBlock(bucket=<bucket>.id, block_public_acls=True, "
    "block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True).",
)
def public_access_block(resources: Sequence[StackResource], config: Config) -> StackViolations:
    index = _Settings(resources, PUBLIC_ACCESS_BLOCK)
    reported: set[str] = set()
    for bucket in _buckets(resources):
        blocks = index.of(bucket)
        if not blocks:
            yield (
                f"bucket {_name(bucket)} has no BucketPublicAccessBlock: add one with blockPublicAcls, "
                "blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true",
                bucket.urn,
            )
        elif not any(not _blocks_off(b) for b in blocks):
            reported.update(b.urn for b in blocks)
            yield (
                f"bucket {_name(bucket)}: BucketPublicAccessBlock leaves {', '.join(_blocks_off(blocks[0]))} off: "
                "set all four to true",
                bucket.urn,
            )
    # A block judged on its own: its bucket may exist outside the stack (named by id), and a
    # setting left off there opens that bucket as surely as one of ours.
    for block in resources:
        if block.type in PUBLIC_ACCESS_BLOCK and block.urn not in reported and (off := _blocks_off(block)):
            target = known(block.props, "bucket") or block.name
            yield (
                f"BucketPublicAccessBlock of bucket {target} leaves {', '.join(off)} off: set all four to true",
                block.urn,
            )


def _blocks_off(block: StackResource) -> list[str]:
    """The public-access settings `block` does not turn on (unset means off in S3)."""
    return [k for k in BLOCKS if block.props.get(k) is not True]


def _setting_algorithms(config: StackResource) -> list[str]:
    return [
        str((rule.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm"))
        for rule in config.props.get("rules") or []
    ]


def _algorithms(bucket: StackResource, index: _Settings, memo: dict[str, list[str]]) -> list[str]:
    found = []
    for config in index.of(bucket):
        if config.urn not in memo:
            memo[config.urn] = _setting_algorithms(config)
        found += memo[config.urn]
    inline = known(bucket.props, "serverSideEncryptionConfiguration") or {}
    default = (inline.get("rule") or {}).get("applyServerSideEncryptionByDefault") or {}
    return found + ([str(default["sseAlgorithm"])] if default.get("sseAlgorithm") else [])


@stack_rule(
    name="s3-kms-encryption",
    description="Every S3 bucket encrypts with SSE-KMS (mandatory: encryption at rest with the stack's key). "
    "A bucket tagged cicd:purpose=alb-access-logs or s3-access-logs may use SSE-S3 (AES256): ALB and S3 access "
    "log delivery support only that.",
    severity="high",
    remediation="Add aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm='aws:kms' and the stack "
    "key (bucket_key_enabled=True).",
)
def kms_encryption(resources: Sequence[StackResource], config: Config) -> StackViolations:
    index = _Settings(resources, ENCRYPTION)
    memo: dict[str, list[str]] = {}  # the algorithms of each configuration, read once
    for bucket in _buckets(resources):
        algorithms = _algorithms(bucket, index, memo)
        if any(a in KMS_ALGORITHMS for a in algorithms):
            continue
        if tags(bucket.props).get(PURPOSE_TAG) in SSE_S3_PURPOSES and set(algorithms) <= {"AES256"}:
            continue
        if algorithms:
            message = f"bucket {_name(bucket)} encrypts with {', '.join(sorted(set(algorithms)))}, not aws:kms"
        else:
            message = f"bucket {_name(bucket)} has no server-side encryption configuration with aws:kms"
        yield (
            f"{message}: add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and the stack key",
            bucket.urn,
        )


def _as_list(value: Any) -> list[Any]:
    """IAM's "one value or a list of values"; property values are read-only Sequence/Mapping proxies."""
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]


def _document(policy: Any) -> Mapping[str, Any]:
    """A bucket policy: JSON text (parsed), or an object."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except json.JSONDecodeError:
            return {}
    return policy if isinstance(policy, Mapping) else {}


def _denies_plain_http(statement: Any) -> bool:
    if not isinstance(statement, Mapping) or statement.get("Effect") != "Deny":
        return False
    principal = statement.get("Principal")
    everyone = principal == "*" or (isinstance(principal, Mapping) and "*" in _as_list(principal.get("AWS")))
    actions = _as_list(statement.get("Action"))
    objects = any(r == "*" or str(r).endswith("/*") for r in _as_list(statement.get("Resource")))
    condition = statement.get("Condition") or {}
    insecure = any(
        key.lower() == "aws:securetransport" and any(str(v).lower() == "false" for v in _as_list(value))
        for operator in ("Bool", "BoolIfExists")
        for key, value in (condition.get(operator) or {}).items()
    )
    return everyone and objects and insecure and any(a in ("*", "s3:*") for a in actions)


def _denies_http(policy: Any) -> bool:
    """Whether a bucket policy (JSON text or object) has a statement denying requests without TLS."""
    return bool(policy) and any(_denies_plain_http(s) for s in _as_list(_document(policy).get("Statement") or []))


@stack_rule(
    name="s3-tls-only",
    description="Every S3 bucket policy denies requests that do not use TLS (mandatory: TLS).",
    severity="high",
    remediation="Add a bucket policy statement: Effect Deny, Principal *, Action s3:*, Resource the bucket and "
    "bucket/*, Condition Bool aws:SecureTransport 'false' (components.iam.tls_only_bucket_policy).",
)
def tls_only(resources: Sequence[StackResource], config: Config) -> StackViolations:
    index = _Settings(resources, BUCKET_POLICY)
    memo: dict[str, bool] = {}  # the verdict on each BucketPolicy, computed once
    for bucket in _buckets(resources):
        verdicts = []
        for policy in index.of(bucket):
            if policy.urn not in memo:
                memo[policy.urn] = _denies_http(policy.props.get("policy"))
            verdicts.append(memo[policy.urn])
        if not any(verdicts) and not _denies_http(known(bucket.props, "policy")):
            yield (
                f"bucket {_name(bucket)} has no policy statement denying requests with aws:SecureTransport false: "
                "add a Deny of s3:* for Principal * on the bucket and its objects with that condition",
                bucket.urn,
            )


@stack_rule(
    name="s3-versioning",
    description="Every S3 bucket has versioning Enabled (advisory: it recovers overwritten or deleted objects, "
    "which is hygiene and costs storage; buckets of reproducible data may go without).",
    severity="low",
    remediation="Add aws.s3.BucketVersioning(bucket=<bucket>.id, versioning_configuration={'status': 'Enabled'}) "
    "with a lifecycle rule that expires noncurrent versions.",
    level="advisory",
)
def versioning(resources: Sequence[StackResource], config: Config) -> StackViolations:
    index = _Settings(resources, VERSIONING)
    for bucket in _buckets(resources):
        configs = index.of(bucket)
        enabled = any((c.props.get("versioningConfiguration") or {}).get("status") == "Enabled" for c in configs)
        if not enabled and (known(bucket.props, "versioning") or {}).get("enabled") is not True:
            yield (
                f"bucket {_name(bucket)} does not have versioning Enabled: add a BucketVersioning with status Enabled",
                bucket.urn,
            )


@resource_rule(
    name="kms-key-rotation",
    types=[KEY],
    description="Symmetric KMS keys rotate their key material every year (mandatory: a free control of the keys "
    "that encrypt everything else). Asymmetric, HMAC and custom-key-store keys cannot rotate automatically.",
    severity="medium",
    remediation="Set enable_key_rotation=True.",
)
def key_rotation(resource: Resource, config: Config) -> Iterator[str]:
    props = resource.props
    symmetric = props.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
    if not symmetric or props.get("keyUsage", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT" or props.get("customKeyStoreId"):
        return
    if props.get("enableKeyRotation") is not True:
        yield "enableKeyRotation is not true on a symmetric key: set enable_key_rotation=True"


@resource_rule(
    name="cloudwatch-logs-retention",
    types=[LOG_GROUP],
    description="CloudWatch log groups expire their events (advisory: retention is cost and data-minimisation "
    "hygiene; the period is the team's choice).",
    severity="low",
    remediation="Set retention_in_days to a CloudWatch Logs value (e.g. 30, or 90 in production).",
    level="advisory",
)
def logs_retention(resource: Resource, config: Config) -> Iterator[str]:
    days = resource.props.get("retentionInDays")
    # Numbers arrive as floats from the engine (protobuf Struct), as ints from a stack export.
    if isinstance(days, bool) or not isinstance(days, (int, float)) or days <= 0:
        yield "retentionInDays is not set, so events are kept forever: set retention_in_days (e.g. 30 or 90)"


@resource_rule(
    name="cloudwatch-logs-kms",
    types=[LOG_GROUP],
    description="CloudWatch log groups encrypt with a KMS key (mandatory: encryption at rest with the stack's key).",
    severity="medium",
    remediation="Set kms_key_id to the stack's KMS key ARN; its key policy must let logs.<region>.amazonaws.com "
    "use it.",
)
def logs_kms(resource: Resource, config: Config) -> Iterator[str]:
    if not resource.props.get("kmsKeyId"):
        yield "kmsKeyId is not set: set kms_key_id to the stack's KMS key ARN"


@resource_rule(
    name="sns-kms-encryption",
    types=[TOPIC],
    description="SNS topics encrypt messages with a KMS key (mandatory: encryption at rest).",
    severity="medium",
    remediation="Set kms_master_key_id to the stack's KMS key (a customer-managed key, so CodeStar Notifications "
    "and CloudWatch can be allowed to use it).",
)
def sns_kms(resource: Resource, config: Config) -> Iterator[str]:
    if not resource.props.get("kmsMasterKeyId"):
        yield "kmsMasterKeyId is not set: set kms_master_key_id to the stack's KMS key"
