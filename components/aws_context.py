"""Where the program runs: account, region and partition, read from the AWS provider."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsContext:
    account_id: pulumi.Output[str]
    region: pulumi.Output[str]
    partition: pulumi.Output[str]


def aws_context(parent: pulumi.Resource) -> AwsContext:
    """Ask the provider (the deployer's credentials and configured region) once per component."""
    opts = pulumi.InvokeOutputOptions(parent=parent)
    return AwsContext(
        account_id=aws.get_caller_identity_output(opts=opts).account_id,
        region=aws.get_region_output(opts=opts).region,
        partition=aws.get_partition_output(opts=opts).partition,
    )
