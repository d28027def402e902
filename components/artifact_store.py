"""`ArtifactStore`: the stack's KMS key and the S3 bucket that carries pipeline artifacts."""

from typing import NotRequired, TypedDict

import pulumi

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from pulumi_aws.kms.alias import Alias
from pulumi_aws.kms.key import Key

from . import naming
from .aws_context import aws_context
from .iam import json_output, kms_key_policy, tls_only_bucket_policy
from .package import ComponentArgsError, package_options, type_token
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

    key_arn: pulumi.Output[str]
    """The stack key: artifacts, build logs, images, topics and log groups use it. Always set."""
    bucket_arn: pulumi.Output[str]
    """The artifact bucket's ARN. Always set."""
    bucket_name: pulumi.Output[str]
    """The artifact bucket's name: the pipelines' artifact store. Always set."""

    def __init__(self, name: str, args: ArtifactStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            type_token("ArtifactStore"), name, None, package_options(opts, "cicd:artifact_store:ArtifactStore")
        )
        retention = args.get("artifact_retention_days", 30)
        protect = args.get("protect", True)
        if retention < 1:
            raise ComponentArgsError(
                f"ArtifactStore {name}: artifact_retention_days must be at least 1, got {retention}"
            )
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
            name_prefix=naming.kms_alias_prefix(pulumi.get_project(), pulumi.get_stack()),
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
