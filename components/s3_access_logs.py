"""S3 server access logs for a bucket, into a log bucket of their own (AWS Security Hub S3.9).

The log bucket gets the baseline of `private_bucket` with two departures that S3's log delivery
imposes: default encryption is SSE-S3, because a target bucket with SSE-KMS default encryption
receives no logs (S3 user guide, "Enabling Amazon S3 server access logging"), and its policy lets
the logging service write under one prefix, only for the source bucket of this account.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from policies.rules.contract import PURPOSE_TAG, S3_ACCESS_LOGS_PURPOSE

from .aws_context import AwsContext
from .iam import Document, document, json_output, statement, tls_only_bucket_policy
from .private_bucket import private_bucket

LOGGING_SERVICE = "logging.s3.amazonaws.com"


def access_log_bucket_policy(*, bucket_arn: str, prefix: str, source_bucket_arn: str, account_id: str) -> Document:
    """S3 log delivery may write under `prefix`, only for `source_bucket_arn` of `account_id`; TLS only."""
    delivery = statement(
        "S3ServerAccessLogDelivery",
        ["s3:PutObject"],
        [f"{bucket_arn}/{prefix}*"],
        principal={"Service": LOGGING_SERVICE},
        conditions={
            "ArnLike": {"aws:SourceArn": source_bucket_arn},
            "StringEquals": {"aws:SourceAccount": account_id},
        },
    )
    return document(delivery, *tls_only_bucket_policy(bucket_arn)["Statement"])


def s3_access_logs(
    name: str,
    parent: pulumi.Resource,
    *,
    source: aws.s3.Bucket,
    expiry_days: int,
    protect: bool,
    ctx: AwsContext,
) -> aws.s3.Bucket:
    """A log bucket `<name>-access-logs-bucket` and the source bucket's logging into it under `<name>/`."""
    prefix = f"{name}/"
    logs = private_bucket(
        f"{name}-access-logs",
        parent,
        policy=lambda arn: json_output(
            access_log_bucket_policy,
            bucket_arn=arn,
            prefix=prefix,
            source_bucket_arn=source.arn,
            account_id=ctx.account_id,
        ),
        kms_key_arn=None,
        expiry_days=expiry_days,
        noncurrent_days=1,
        protect=protect,
        # Lets policy rules tell this SSE-S3 bucket from buckets that must use KMS.
        tags={PURPOSE_TAG: S3_ACCESS_LOGS_PURPOSE},
    )
    aws.s3.BucketLogging(
        f"{name}-access-logging",
        bucket=source.id,
        target_bucket=logs.bucket.id,
        target_prefix=prefix,
        # Delivery is refused until the log bucket's policy admits it.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[logs.policy]),
    )
    return logs.bucket
