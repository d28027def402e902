"""One `Network`, its args taken from the `args` config object; the outputs are exported."""

import pulumi

from components.network import Network, NetworkArgs

DEFAULT_ARGS = {"flow_logs_kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}

args: NetworkArgs = pulumi.Config().get_object("args") or DEFAULT_ARGS  # type: ignore[assignment]
network = Network("net", args)
pulumi.export("vpc_id", network.vpc_id)
pulumi.export("vpc_cidr_block", network.vpc_cidr_block)
pulumi.export("public_subnet_ids", network.public_subnet_ids)
pulumi.export("private_subnet_ids", network.private_subnet_ids)
