"""The S3 bucket an application load balancer writes its access logs to, and its policy."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .container_registry import PURPOSE_TAG
from .iam import Document, document, json_output, statement, tls_only_bucket_policy
from .private_bucket import private_bucket

# Regions opened before August 2022 deliver ALB access logs from a regional ELB account, not
# from the log-delivery service principal (ELB user guide, "Enable access logs").
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
}


def alb_access_log_bucket_policy(
    *, bucket_arn: str, prefix: str, account_id: str, region: str, partition: str = "aws"
) -> Document:
    """ELB log delivery may write this account's logs under `prefix`; nobody may use plain HTTP.
    The `AWSLogs/<account>` path is the confused-deputy guard: another account's load balancer
    would write under its own account id and be refused."""
    logs = [f"{bucket_arn}/{prefix}/AWSLogs/{account_id}/*"]
    statements = [
        statement(
            "ElbDeliversAccessLogs",
            ("s3:PutObject",),
            logs,
            principal={"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
        )
    ]
    if region in ELB_LOG_ACCOUNTS:
        statements.append(
            statement(
                "RegionalElbAccountDeliversAccessLogs",
                ("s3:PutObject",),
                logs,
                principal={"AWS": f"arn:{partition}:iam::{ELB_LOG_ACCOUNTS[region]}:root"},
            )
        )
    return document(*statements, *tls_only_bucket_policy(bucket_arn)["Statement"])


def alb_access_log_bucket(
    name: str, parent: pulumi.Resource, prefix: str, retention: int, protect: bool, ctx: AwsContext
) -> tuple[pulumi.Output[str], aws.s3.BucketPolicy]:
    """A private bucket for ALB access logs.

    Encrypted with SSE-S3 (AES256), not the stack's KMS key: a deliberate exception to "KMS
    everywhere", because ALB access-log delivery supports only S3-managed keys (ELB user guide,
    "Enable access logs": "The only server-side encryption option that's supported is SSE-S3").
    """
    created = private_bucket(
        f"{name}-access-logs",
        parent,
        policy=lambda arn: json_output(
            alb_access_log_bucket_policy,
            bucket_arn=arn,
            prefix=prefix,
            account_id=ctx.account_id,
            region=ctx.region,
            partition=ctx.partition,
        ),
        kms_key_arn=None,
        expiry_days=retention,
        noncurrent_days=1,
        protect=protect,
        # Lets policy rules tell this SSE-S3 bucket from buckets that must use KMS.
        tags={PURPOSE_TAG: "alb-access-logs"},
    )
    return created.bucket.bucket, created.policy
