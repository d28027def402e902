"""S3, KMS, CloudWatch Logs and SNS rules: one table per policy, one changed field per case."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from preflight.verdicts import evaluate
from tests.policy_harness import DELETE, POLICIES, changed, messages, resource_messages, state, urn

BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
NAME = "artifacts-bucket-b5a15d6"
ARN = f"arn:aws:s3:::{NAME}"
KEY = "arn:aws:kms:us-east-1:123456789012:key/9f58f95d-8940-1a77-6c0e-74cc25e9803e"
BUCKET_URN = urn(BUCKET, "artifacts-bucket")

DENY_HTTP = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["s3:*"],
    "Resource": [ARN, f"{ARN}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}

# The happy path: what ArtifactStore registers, by role.
S3: dict[str, dict[str, Any]] = {
    "bucket": {"forceDestroy": True, "bucket": NAME, "arn": ARN, "id": NAME},
    "public_access": {
        "bucket": NAME,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    },
    "encryption": {
        "bucket": NAME,
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY},
                "bucketKeyEnabled": True,
            }
        ],
    },
    "tls_only": {"bucket": NAME, "policy": json.dumps({"Version": "2012-10-17", "Statement": [DENY_HTTP]})},
    "versioning": {"bucket": NAME, "versioningConfiguration": {"status": "Enabled"}},
}
TYPES = {"bucket": BUCKET, "public_access": PAB, "encryption": SSE, "tls_only": POLICY, "versioning": VERSIONING}


def s3_states(role: str | None = None, path: str = "", value: Any = None) -> list[dict[str, Any]]:
    """The happy-path bucket and its settings, with `path` of `role` changed (`role` dropped if path is empty)."""
    states = []
    for name, props in S3.items():
        if name == role:
            if not path:
                continue
            props = changed(props, path, value)
        deps = [] if name == "bucket" else [BUCKET_URN]
        states.append(
            state(
                TYPES[name], "artifacts-bucket" if name == "bucket" else f"artifacts-{name}", props, dependencies=deps
            )
        )
    return states


@pytest.mark.parametrize("policy", ["s3-public-access-block", "s3-kms-encryption", "s3-tls-only", "s3-versioning"])
def test_happy_path_bucket_passes_every_s3_rule(policy):
    assert messages(policy, s3_states()) == []


PAB_MISSING = (
    f"bucket {NAME} has no BucketPublicAccessBlock: add one with blockPublicAcls, blockPublicPolicy, "
    "ignorePublicAcls and restrictPublicBuckets true"
)


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        pytest.param(
            s3_states("public_access", "bucket", UNKNOWN_STRING_VALUE), [], id="compliant_preview_matched_by_dependency"
        ),
        pytest.param(
            s3_states("bucket", "id", UNKNOWN_STRING_VALUE), [], id="compliant_matched_by_name_while_id_unknown"
        ),
        pytest.param(s3_states("public_access"), [PAB_MISSING], id="noncompliant_missing"),
        pytest.param(
            s3_states("public_access", "bucket", "another-bucket"),
            [PAB_MISSING],
            id="noncompliant_block_of_other_bucket",
        ),
        pytest.param(
            s3_states("public_access", "restrictPublicBuckets", False),
            [f"bucket {NAME}: BucketPublicAccessBlock leaves restrictPublicBuckets off: set all four to true"],
            id="noncompliant_restrict_public_buckets_false",
        ),
        pytest.param(
            s3_states("public_access", "blockPublicAcls", DELETE),
            [f"bucket {NAME}: BucketPublicAccessBlock leaves blockPublicAcls off: set all four to true"],
            id="noncompliant_block_public_acls_unset",
        ),
    ],
)
def test_s3_public_access_block(states, expected):
    assert messages("s3-public-access-block", states) == expected


EXISTING = "existing-bucket"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        pytest.param("bucket", EXISTING, [], id="compliant_all_four_on"),
        pytest.param(
            "ignorePublicAcls",
            False,
            [f"BucketPublicAccessBlock of bucket {EXISTING} leaves ignorePublicAcls off: set all four to true"],
            id="noncompliant_ignore_public_acls_false",
        ),
        pytest.param(
            "blockPublicPolicy",
            DELETE,
            [f"BucketPublicAccessBlock of bucket {EXISTING} leaves blockPublicPolicy off: set all four to true"],
            id="noncompliant_block_public_policy_unset",
        ),
    ],
)
def test_s3_public_access_block_judged_on_its_own_when_the_bucket_is_not_in_the_stack(field, value, expected):
    """Given only a BucketPublicAccessBlock of a bucket created elsewhere (named by id)."""
    props = changed(changed(S3["public_access"], "bucket", EXISTING), field, value)
    block = state(PAB, "existing-public-access", props)
    violations = evaluate([block], None, [POLICIES["s3-public-access-block"]]).violations
    assert [(v.urn, v.message) for v in violations] == [(block["urn"], m) for m in expected]


def test_s3_public_access_block_of_a_bucket_in_the_stack_is_reported_once_on_the_bucket():
    states = s3_states("public_access", "restrictPublicBuckets", False)
    violations = evaluate(states, None, [POLICIES["s3-public-access-block"]]).violations
    assert [v.urn for v in violations] == [BUCKET_URN]


KMS_FIX = "add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and the stack key"
ALGORITHM = "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm"
INLINE_KMS = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}}
LOGS_URN = urn(BUCKET, "web-access-logs")


def alb_log_states(role: str | None = None, path: str = "", value: Any = None) -> list[dict[str, Any]]:
    """EcsService's access-log bucket: tagged cicd:purpose=alb-access-logs, SSE-S3."""
    props: dict[str, dict[str, Any]] = {
        "bucket": {
            "bucket": "web-access-logs-1",
            "id": "web-access-logs-1",
            "tags": {"cicd:purpose": "alb-access-logs"},
        },
        "encryption": {
            "bucket": "web-access-logs-1",
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
        },
    }
    states = []
    for name, item in props.items():
        if name == role:
            if not path:
                continue
            item = changed(item, path, value)
        deps = [] if name == "bucket" else [LOGS_URN]
        states.append(
            state(
                TYPES[name],
                "web-access-logs" if name == "bucket" else f"web-access-logs-{name}",
                item,
                dependencies=deps,
            )
        )
    return states


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        pytest.param(s3_states("encryption", ALGORITHM, "aws:kms:dsse"), [], id="compliant_dsse_kms"),
        pytest.param(
            s3_states("bucket", "serverSideEncryptionConfiguration", INLINE_KMS)[:1],
            [],
            id="compliant_inline_kms_on_bucket",
        ),
        pytest.param(alb_log_states(), [], id="compliant_alb_access_logs_bucket_aes256"),
        pytest.param(alb_log_states("encryption"), [], id="compliant_alb_access_logs_bucket_s3_default"),
        pytest.param(
            s3_states("encryption", ALGORITHM, "AES256"),
            [f"bucket {NAME} encrypts with AES256, not aws:kms: {KMS_FIX}"],
            id="noncompliant_aes256",
        ),
        pytest.param(
            s3_states("encryption"),
            [f"bucket {NAME} has no server-side encryption configuration with aws:kms: {KMS_FIX}"],
            id="noncompliant_missing",
        ),
        pytest.param(
            alb_log_states("bucket", "tags.cicd:purpose", "build-cache"),
            [f"bucket web-access-logs-1 encrypts with AES256, not aws:kms: {KMS_FIX}"],
            id="noncompliant_aes256_other_purpose",
        ),
        pytest.param(
            alb_log_states("bucket", "tags", DELETE),
            [f"bucket web-access-logs-1 encrypts with AES256, not aws:kms: {KMS_FIX}"],
            id="noncompliant_aes256_untagged",
        ),
    ],
)
def test_s3_kms_encryption(states, expected):
    assert messages("s3-kms-encryption", states) == expected


def test_s3_setting_with_unknown_bucket_and_no_dependency_belongs_to_no_bucket():
    # Given an encryption configuration whose bucket is unknown and that does not depend on the bucket
    states = s3_states("encryption", "bucket", UNKNOWN_STRING_VALUE)
    states[2]["dependencies"] = []
    # When the rule runs, Then the bucket counts as unencrypted
    assert messages("s3-kms-encryption", states) == [
        f"bucket {NAME} has no server-side encryption configuration with aws:kms: {KMS_FIX}"
    ]


TLS_MISSING = (
    f"bucket {NAME} has no policy statement denying requests with aws:SecureTransport false: add a Deny of s3:* "
    "for Principal * on the bucket and its objects with that condition"
)


def _tls(**change: Any) -> list[dict[str, Any]]:
    statement = {**DENY_HTTP, **change}
    return s3_states("tls_only", "policy", json.dumps({"Version": "2012-10-17", "Statement": statement}))


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        pytest.param(_tls(Principal={"AWS": "*"}), [], id="compliant_principal_aws_star_single_statement"),
        pytest.param(_tls(Action="*"), [], id="compliant_all_actions"),
        pytest.param(
            _tls(Condition={"Bool": {"aws:securetransport": ["false"]}}), [], id="compliant_key_any_case_list"
        ),
        pytest.param(
            s3_states("tls_only", "policy", {"Version": "2012-10-17", "Statement": [DENY_HTTP]}),
            [],
            id="compliant_policy_as_object",
        ),
        pytest.param(s3_states("tls_only"), [TLS_MISSING], id="noncompliant_no_bucket_policy"),
        pytest.param(_tls(Effect="Allow"), [TLS_MISSING], id="noncompliant_allow"),
        pytest.param(_tls(Condition={"Bool": {"aws:SecureTransport": "true"}}), [TLS_MISSING], id="noncompliant_true"),
        pytest.param(
            _tls(Principal={"AWS": "arn:aws:iam::123456789012:role/x"}), [TLS_MISSING], id="noncompliant_one_principal"
        ),
        pytest.param(_tls(Resource=ARN), [TLS_MISSING], id="noncompliant_bucket_only_not_objects"),
        pytest.param(_tls(Action="s3:GetObject"), [TLS_MISSING], id="noncompliant_one_action"),
        pytest.param(
            _tls(Condition={"NumericLessThan": {"s3:TlsVersion": "1.2"}}),
            [TLS_MISSING],
            id="noncompliant_tls_version_only",
        ),
    ],
)
def test_s3_tls_only(states, expected):
    assert messages("s3-tls-only", states) == expected


def test_s3_tls_only_cannot_evaluate_an_unknown_policy():
    # Given a preview in which the bucket policy's text is not known yet
    states = s3_states("tls_only", "policy", UNKNOWN_STRING_VALUE)
    # When the rule runs
    verdicts = evaluate(states, None, [POLICIES["s3-tls-only"]])
    # Then the verdict is an advisory "cannot evaluate", as in a real preview, not a pass
    assert [(v.enforcementLevel, v.message.split(": ")[0]) for v in verdicts.violations] == [
        ("advisory", "can't run policy 's3-tls-only' from policy pack 'container-delivery-baseline' during preview")
    ]


VERSIONING_OFF = f"bucket {NAME} does not have versioning Enabled: add a BucketVersioning with status Enabled"


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        pytest.param(
            s3_states("bucket", "versioning", {"enabled": True})[:1] + s3_states("versioning")[1:],
            [],
            id="compliant_inline_versioning",
        ),
        pytest.param(
            s3_states("versioning", "versioningConfiguration.status", "Suspended"),
            [VERSIONING_OFF],
            id="noncompliant_suspended",
        ),
        pytest.param(s3_states("versioning"), [VERSIONING_OFF], id="noncompliant_missing"),
    ],
)
def test_s3_versioning(states, expected):
    assert messages("s3-versioning", states) == expected


KEY_PROPS = {"description": "stack key", "enableKeyRotation": True, "deletionWindowInDays": 30, "policy": "{}"}
ROTATE = "enableKeyRotation is not true on a symmetric key: set enable_key_rotation=True"


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        pytest.param(KEY_PROPS, [], id="compliant_rotating"),
        pytest.param(
            changed(changed(KEY_PROPS, "enableKeyRotation", False), "customerMasterKeySpec", "RSA_2048"),
            [],
            id="compliant_asymmetric_cannot_rotate",
        ),
        pytest.param(
            changed(changed(KEY_PROPS, "enableKeyRotation", DELETE), "keyUsage", "GENERATE_VERIFY_MAC"),
            [],
            id="compliant_hmac_cannot_rotate",
        ),
        pytest.param(
            changed(changed(KEY_PROPS, "enableKeyRotation", DELETE), "customKeyStoreId", "cks-1"),
            [],
            id="compliant_custom_key_store",
        ),
        pytest.param(changed(KEY_PROPS, "enableKeyRotation", DELETE), [ROTATE], id="noncompliant_unset"),
        pytest.param(changed(KEY_PROPS, "enableKeyRotation", False), [ROTATE], id="noncompliant_false"),
        pytest.param(
            changed(changed(KEY_PROPS, "enableKeyRotation", False), "customerMasterKeySpec", "SYMMETRIC_DEFAULT"),
            [ROTATE],
            id="noncompliant_explicit_symmetric",
        ),
    ],
)
def test_kms_key_rotation(props, expected):
    assert resource_messages("kms-key-rotation", "aws:kms/key:Key", props) == expected


LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LOG_PROPS = {"namePrefix": "/aws/codebuild/web-", "retentionInDays": 30, "kmsKeyId": KEY}
RETENTION = "retentionInDays is not set, so events are kept forever: set retention_in_days (e.g. 30 or 90)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(30, [], id="compliant_30_days"),
        pytest.param(90.0, [], id="compliant_number_from_engine_is_float"),
        pytest.param(DELETE, [RETENTION], id="noncompliant_unset"),
        pytest.param(0, [RETENTION], id="noncompliant_zero_never_expires"),
    ],
)
def test_cloudwatch_logs_retention(value, expected):
    props = changed(LOG_PROPS, "retentionInDays", value)
    assert resource_messages("cloudwatch-logs-retention", LOG_GROUP, props) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(KEY, [], id="compliant_key"),
        pytest.param(
            DELETE, ["kmsKeyId is not set: set kms_key_id to the stack's KMS key ARN"], id="noncompliant_unset"
        ),
        pytest.param("", ["kmsKeyId is not set: set kms_key_id to the stack's KMS key ARN"], id="noncompliant_empty"),
    ],
)
def test_cloudwatch_logs_kms(value, expected):
    props = changed(LOG_PROPS, "kmsKeyId", value)
    assert resource_messages("cloudwatch-logs-kms", LOG_GROUP, props) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(KEY, [], id="compliant_key"),
        pytest.param(
            DELETE, ["kmsMasterKeyId is not set: set kms_master_key_id to the stack's KMS key"], id="noncompliant_unset"
        ),
    ],
)
def test_sns_kms_encryption(value, expected):
    props = changed({"name": "web-notifications", "kmsMasterKeyId": KEY}, "kmsMasterKeyId", value)
    assert resource_messages("sns-kms-encryption", "aws:sns/topic:Topic", props) == expected
