"""Where the program runs: account, region and partition, read from the AWS provider."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsContext:
    account_id: pulumi.Output[str]
    region: pulumi.Output[str]
    partition: pulumi.Output[str]


# One lookup per stack and AWS provider, not per component: a fleet of 100 services would
# otherwise make over a thousand identical provider calls. Keyed weakly by the running stack,
# so a second program run in the same process (tests, preflight) asks again.
_SEEN: weakref.WeakKeyDictionary[pulumi.Resource, dict[pulumi.ProviderResource | None, AwsContext]] = (
    weakref.WeakKeyDictionary()
)


def aws_context(parent: pulumi.Resource) -> AwsContext:
    """The deployer's account and the provider's region and partition, as `parent` sees them."""
    provider = parent.get_provider("aws::getCallerIdentity")
    root = pulumi.runtime.get_root_resource()
    cache = _SEEN.setdefault(root, {}) if root is not None else {}
    if provider not in cache:
        opts = pulumi.InvokeOutputOptions(parent=parent)
        cache[provider] = AwsContext(
            account_id=aws.get_caller_identity_output(opts=opts).account_id,
            region=aws.get_region_output(opts=opts).region,
            partition=aws.get_partition_output(opts=opts).partition,
        )
    return cache[provider]
