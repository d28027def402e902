"""Realistic provider answers for the mock runtime.

Every custom resource gets the id, ARN, name and URL that AWS would give it: the right
service, region, account and resource path, and Pulumi's auto-naming (`<name>-<7 hex>`)
where the program leaves the physical name to Pulumi. Validators downstream then see
real-looking documents. Invokes without a mock fail loudly instead of returning nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pulumi

ACCOUNT_ID = "123456789012"
PARTITION = "aws"

Outputs = dict[str, Any]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(_digest(*parts)[:32]))


class _Ctx:
    def __init__(self, region: str, typ: str, logical: str, inputs: dict[str, Any]):
        self.region = region
        self.typ = typ
        self.logical = logical
        self.inputs = inputs

    def auto_name(self, key: str = "name", lower: bool = False, max_len: int = 255) -> str:
        """Pulumi auto-naming: the logical name plus a random-looking 7-character suffix."""
        if self.inputs.get(key):
            return str(self.inputs[key])
        prefix = self.inputs.get("namePrefix")
        suffix = _digest(self.typ, self.logical)[:7]
        base = f"{prefix}{suffix}" if prefix else f"{self.logical}-{suffix}"
        base = base.lower() if lower else base
        return base[:max_len] if len(base) <= max_len else base[: max_len - 8] + "-" + suffix

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return ":".join(
            [
                "arn",
                PARTITION,
                service,
                self.region if region else "",
                ACCOUNT_ID if account else "",
                resource,
            ]
        )


def _kms_key(ctx: _Ctx) -> tuple[str, Outputs]:
    key_id = _uuid(ctx.typ, ctx.logical)
    return key_id, {"keyId": key_id, "arn": ctx.arn("kms", f"key/{key_id}")}


def _kms_alias(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name()
    return name, {"name": name, "arn": ctx.arn("kms", name), "targetKeyArn": ctx.inputs.get("targetKeyId", "")}


def _iam_role(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=64)
    path = ctx.inputs.get("path") or "/"
    return name, {
        "name": name,
        "arn": ctx.arn("iam", f"role{path}{name}", region=False),
        "uniqueId": "AROA" + _digest(ctx.logical)[:17].upper(),
        "path": path,
    }


def _iam_policy(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=128)
    path = ctx.inputs.get("path") or "/"
    arn = ctx.arn("iam", f"policy{path}{name}", region=False)
    return arn, {"name": name, "arn": arn, "policyId": "ANPA" + _digest(ctx.logical)[:17].upper()}


def _role_policy(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=128)
    return f"{ctx.inputs.get('role', '')}:{name}", {"name": name}


def _bucket(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(key="bucket", lower=True, max_len=63)
    return name, {
        "bucket": name,
        "arn": ctx.arn("s3", name, region=False, account=False),
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        "region": ctx.region,
        "hostedZoneId": "Z3AQBSTGFYJSTF",
    }


def _bucket_child(ctx: _Ctx) -> tuple[str, Outputs]:
    return str(ctx.inputs.get("bucket", ctx.logical)), {}


def _log_group(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=512)
    return name, {"name": name, "arn": ctx.arn("logs", f"log-group:{name}")}


def _ecr_repository(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(lower=True, max_len=256)
    return name, {
        "name": name,
        "arn": ctx.arn("ecr", f"repository/{name}"),
        "registryId": ACCOUNT_ID,
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{ctx.region}.amazonaws.com/{name}",
    }


def _ecr_repository_child(ctx: _Ctx) -> tuple[str, Outputs]:
    return str(ctx.inputs.get("repository", ctx.logical)), {"registryId": ACCOUNT_ID}


def _codebuild_project(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=150)
    arn = ctx.arn("codebuild", f"project/{name}")
    return arn, {"name": name, "arn": arn, "badgeUrl": ""}


_RESOURCES: dict[str, Callable[[_Ctx], tuple[str, Outputs]]] = {
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:iam/rolePolicy:RolePolicy": _role_policy,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_child,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _bucket_child,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _bucket_child,
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_child,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _bucket_child,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _bucket_child,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _ecr_repository_child,
    "aws:ecr/repositoryPolicy:RepositoryPolicy": _ecr_repository_child,
    "aws:codebuild/project:Project": _codebuild_project,
}


def _generic(ctx: _Ctx) -> tuple[str, Outputs]:
    """Fallback: `aws:<module>/<member>:<Type>` -> an ARN in that module's service."""
    module = ctx.typ.split(":")[1].split("/")[0] if ctx.typ.startswith("aws:") else "custom"
    name = ctx.auto_name()
    kind = ctx.typ.rsplit(":", 1)[-1].lower()
    return f"{ctx.logical}-{_digest(ctx.typ, ctx.logical)[:8]}", {
        "name": name,
        "arn": ctx.arn(module, f"{kind}/{name}"),
    }


class RealisticMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes with AWS-shaped values."""

    def __init__(self, region: str) -> None:
        self.region = region

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        ctx = _Ctx(self.region, args.typ, args.name, dict(args.inputs))
        make = _RESOURCES.get(args.typ, _generic)
        resource_id, computed = make(ctx)
        # The provider echoes the inputs back as outputs, then adds what it computed.
        return resource_id, {**args.inputs, **computed, "id": resource_id}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        region = self.region
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:{PARTITION}:sts::{ACCOUNT_ID}:assumed-role/deployer/preflight",
                "id": ACCOUNT_ID,
                "userId": "AROAEXAMPLEDEPLOYER:preflight",
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {
                "id": region,
                "name": region,
                "region": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
            }
        if args.token == "aws:index/getPartition:getPartition":
            return {
                "id": PARTITION,
                "partition": PARTITION,
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
            }
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{region}{z}" for z in "abc"]
            return {
                "id": region,
                "names": names,
                "zoneIds": [f"use1-az{i}" for i in (1, 2, 4)],
                "groupNames": [region] * 3,
            }
        raise NotImplementedError(f"preflight has no mock for the invoke {args.token}; add one to preflight/mocks.py")
