"""A private S3 bucket with the baseline every bucket here gets, as one function.

Ownership enforced (no ACLs), all four public-access blocks, default encryption, versioning,
expiry of old and noncurrent objects, and a bucket policy written after the public-access
block. `ArtifactStore` and the ALB access-log bucket (`AlbAccessLogs`, or `EcsService` on its own) use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class PrivateBucket:
    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy


def private_bucket(
    prefix: str,
    parent: pulumi.Resource,
    *,
    policy: Callable[[pulumi.Output[str]], pulumi.Input[str]],
    kms_key_arn: pulumi.Input[str] | None,
    expiry_days: int,
    noncurrent_days: int,
    protect: bool,
    tags: Mapping[str, str] | None = None,
) -> PrivateBucket:
    """Children are named `<prefix>-bucket`, `<prefix>-ownership`, ... `<prefix>-policy`.

    `kms_key_arn=None` means SSE-S3: only for data a service can deliver only that way.
    `policy` builds the bucket policy JSON from the bucket's ARN.
    """
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        f"{prefix}-bucket",
        force_destroy=not protect,
        tags=dict(tags) if tags else None,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    aws.s3.BucketOwnershipControls(
        f"{prefix}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        f"{prefix}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    rule: aws.s3.BucketServerSideEncryptionConfigurationRuleArgsDict = {
        "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}
    }
    if kms_key_arn is not None:
        # A bucket key cuts KMS requests (and cost) by caching a data key per bucket.
        rule = {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn},
            "bucket_key_enabled": True,
        }
    aws.s3.BucketServerSideEncryptionConfiguration(f"{prefix}-encryption", bucket=bucket.id, rules=[rule], opts=child)
    versioning = aws.s3.BucketVersioning(
        f"{prefix}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=child
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{prefix}-lifecycle",
        bucket=bucket.id,
        rules=[
            {
                "id": "expire-old-objects",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "expiration": {"days": expiry_days},
                "noncurrent_version_expiration": {"noncurrent_days": noncurrent_days},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }
        ],
        # Lifecycle rules on a versioned bucket must follow the versioning change.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    bucket_policy = aws.s3.BucketPolicy(
        f"{prefix}-policy",
        bucket=bucket.id,
        policy=policy(bucket.arn),
        # S3 rejects a bucket policy written while the public access block is changing.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[public_access]),
    )
    return PrivateBucket(bucket=bucket, policy=bucket_policy)
