"""`ArtifactStore`: the stack's KMS key and the S3 bucket that carries pipeline artifacts."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from pulumi_aws.kms.alias import Alias
from pulumi_aws.kms.key import Key

from .aws_context import aws_context
from .iam import json_output, kms_key_policy, tls_only_bucket_policy
from .private_bucket import private_bucket
from .s3_access_logs import s3_access_logs


class ArtifactStoreArgs(TypedDict):
    artifact_retention_days: NotRequired[int]
    """Days before an artifact (and, separately, a noncurrent version) expires. Default: 30."""
    protect: NotRequired[bool]
    """Protect the key and bucket from deletion and never force-delete objects. Default: True."""
    access_logs: NotRequired[bool]
    """S3 server access logs of the artifact bucket, into a log bucket of their own. Default: True."""
    access_log_retention_days: NotRequired[int]
    """Days access logs are kept. Default: 90."""


class ArtifactStore(pulumi.ComponentResource):
    """A customer-managed KMS key (rotated) and a private, versioned, TLS-only bucket.

    The key is the stack's pipeline key: the bucket, build logs and image repositories
    use it, so one key policy says who may read pipeline data.
    """

    key: Key
    bucket: aws.s3.Bucket
    key_arn: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ArtifactStoreArgs | None = None, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("cicd:artifact_store:ArtifactStore", name, None, opts)
        args = args or {}
        retention = args.get("artifact_retention_days", 30)
        protect = args.get("protect", True)
        if retention < 1:
            raise ValueError(f"ArtifactStore {name}: artifact_retention_days must be at least 1, got {retention}")
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=protect)
        ctx = aws_context(self)

        self.key = Key(
            f"{name}-key",
            description=f"Pipeline artifacts, build logs and images of {pulumi.get_project()}/{pulumi.get_stack()}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=json_output(kms_key_policy, partition=ctx.partition, account_id=ctx.account_id, region=ctx.region),
            opts=stateful,
        )
        Alias(
            f"{name}-key-alias",
            name_prefix=f"alias/{pulumi.get_project()}-{pulumi.get_stack()}-",
            target_key_id=self.key.key_id,
            opts=child,
        )

        self.bucket = private_bucket(
            name,
            self,
            policy=lambda arn: json_output(tls_only_bucket_policy, bucket_arn=arn),
            kms_key_arn=self.key.arn,
            expiry_days=retention,
            noncurrent_days=retention,
            protect=protect,
        ).bucket

        if args.get("access_logs", True):
            s3_access_logs(
                name,
                self,
                source=self.bucket,
                expiry_days=args.get("access_log_retention_days", 90),
                protect=protect,
                ctx=ctx,
            )

        self.key_arn = self.key.arn
        self.bucket_arn = self.bucket.arn
        self.bucket_name = self.bucket.bucket
        self.register_outputs({"key_arn": self.key_arn, "bucket_arn": self.bucket_arn, "bucket_name": self.bucket_name})
