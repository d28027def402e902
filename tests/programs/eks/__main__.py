"""One `EksCluster` and one `EksWorkload` on it, wired as a stack would wire them.

The `cluster` and `workload` config objects (tests pass them as overrides) are merged over the
defaults below; the outputs are exported."""

from typing import Any

import pulumi

from components.eks_cluster import EksCluster, EksClusterArgs
from components.eks_workload import EksWorkload, EksWorkloadArgs

ACCOUNT, REGION = "123456789012", "us-east-1"
config = pulumi.Config()
cluster_overrides: dict[str, Any] = config.get_object("cluster") or {}
workload_overrides: dict[str, Any] = config.get_object("workload") or {}

cluster_args: EksClusterArgs = {
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "public_subnet_ids": ["subnet-0aaa0000000000001", "subnet-0aaa0000000000002"],
    "private_subnet_ids": ["subnet-0bbb0000000000001", "subnet-0bbb0000000000002"],
    "kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    **cluster_overrides,  # type: ignore[typeddict-item]
}
cluster = EksCluster("delivery", cluster_args)

workload_args: EksWorkloadArgs = {
    "cluster_name": cluster.cluster_name,
    "ingress_class_name": cluster.ingress_class_name,
    "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web@sha256:{'ab' * 32}",
    **workload_overrides,  # type: ignore[typeddict-item]
}
workload = EksWorkload("web", workload_args, pulumi.ResourceOptions(providers=[cluster.provider]))

for key in ("cluster_name", "cluster_arn", "cluster_security_group_id", "ingress_class_name"):
    pulumi.export(key, getattr(cluster, key))
for key in ("namespace", "deployment_name", "container_name", "service_name", "deploy_group", "url"):
    pulumi.export(f"web_{key}", getattr(workload, key))
