"""The S3 bucket application load balancers write their access logs to, and its policy.

A stack's services share one bucket (`AlbAccessLogs`), each load balancer writing under its
service's prefix: one set of bucket resources per stack instead of per service, and a removed
service's logs stay until the lifecycle expires them. `EcsService` used on its own creates a
bucket of its own.
"""

import json
from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi

from policies.rules.contract import ALB_ACCESS_LOGS_PURPOSE, PURPOSE_TAG

from .aws_context import AwsContext, aws_context
from .iam import Document, document, json_output, statement, tls_only_bucket_policy
from .package import ComponentArgsError, package_options, type_token
from .private_bucket import private_bucket
from .validation import retention_problem

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
    *, bucket_arn: str, prefixes: Sequence[str], account_id: str, region: str, partition: str = "aws"
) -> Document:
    """ELB log delivery may write this account's logs under each of `prefixes` (one per load
    balancer), nowhere else; nobody may use plain HTTP. The `AWSLogs/<account>` path is the
    confused-deputy guard: another account's load balancer would write under its own account
    id and be refused."""
    logs = [f"{bucket_arn}/{prefix}/AWSLogs/{account_id}/*" for prefix in sorted(set(prefixes))]
    principal: dict[str, str] = {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    if region in ELB_LOG_ACCOUNTS:
        principal["AWS"] = f"arn:{partition}:iam::{ELB_LOG_ACCOUNTS[region]}:root"
    # One statement for both deliverers keeps the policy at about 100 bytes per prefix: S3 caps a
    # bucket policy at 20 KB, so one bucket serves a stack of about 180 services or more.
    statements = [statement("ElbDeliversAccessLogs", ("s3:PutObject",), logs, principal=principal)]
    return document(*statements, *tls_only_bucket_policy(bucket_arn)["Statement"])


def alb_access_log_bucket(
    name: str, parent: pulumi.Resource, prefixes: Sequence[str], retention: int, protect: bool, ctx: AwsContext
) -> pulumi.Output[str]:
    """A private bucket for ALB access logs under `prefixes`; returns its name, known only once
    its policy is in place: a load balancer that takes it is created after the policy, as ELB
    checks its write access when logging is switched on.

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
            prefixes=prefixes,
            account_id=ctx.account_id,
            region=ctx.region,
            partition=ctx.partition,
        ),
        kms_key_arn=None,
        expiry_days=retention,
        noncurrent_days=1,
        protect=protect,
        # Lets policy rules tell this SSE-S3 bucket from buckets that must use KMS.
        tags={PURPOSE_TAG: ALB_ACCESS_LOGS_PURPOSE},
    )
    return pulumi.Output.all(created.bucket.bucket, created.policy.id).apply(lambda values: str(values[0]))


BUCKET_POLICY_LIMIT = 20 * 1024  # bytes (S3 user guide, bucket policy size)


def policy_size_problem(prefixes: Sequence[str], name: str = "alb") -> str | None:
    """What is wrong with one bucket policy for `prefixes` (it lists every one), or None.

    Measured on the longest the policy can be: the bucket's auto-name, the longest partition,
    written as `json_output` writes it."""
    auto_named = f"arn:aws-us-gov:s3:::{name}-access-logs-bucket-{'0' * 7}"  # Pulumi adds 8 characters
    policy = alb_access_log_bucket_policy(
        bucket_arn=auto_named, prefixes=prefixes, account_id="0" * 12, region="us-gov-west-1", partition="aws-us-gov"
    )
    size = len(json.dumps(policy, indent=2))
    if size <= BUCKET_POLICY_LIMIT:
        return None
    return (
        f"{len(set(prefixes))} load balancers make a {size}-byte access-log bucket policy, over S3's "
        f"{BUCKET_POLICY_LIMIT}; split the services across stacks"
    )


class AlbAccessLogsArgs(TypedDict):
    prefixes: Sequence[str]
    """One per load balancer that logs here (a service's name); each writes only under its own. Required."""
    log_retention_days: NotRequired[int]
    """Days access logs are kept, the stack's log retention (a CloudWatch Logs value). Default: 30."""
    protect: NotRequired[bool]
    """Protect the bucket from deletion (and keep its objects on a destroy). Default: True."""


class AlbAccessLogs(pulumi.ComponentResource):
    """The access-log bucket a stack's load balancers share."""

    bucket_name: pulumi.Output[str]
    """The bucket's name, known only once its policy is in place (see `alb_access_log_bucket`). Always set."""

    def __init__(self, name: str, args: AlbAccessLogsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            type_token("AlbAccessLogs"), name, None, package_options(opts, "cicd:alb_access_logs:AlbAccessLogs")
        )
        prefixes = list(args["prefixes"])
        retention = args.get("log_retention_days", 30)
        if not prefixes:
            raise ComponentArgsError(
                f"AlbAccessLogs {name}: prefixes is empty; give one per load balancer (a service name)"
            )
        problems = [p for p in (policy_size_problem(prefixes, name), retention_problem(retention)) if p]
        if problems:
            raise ComponentArgsError(f"AlbAccessLogs {name}: " + "; ".join(problems))
        self.bucket_name = alb_access_log_bucket(
            name, self, prefixes, retention, args.get("protect", True), aws_context(self)
        )
        self.register_outputs({"bucket_name": self.bucket_name})
