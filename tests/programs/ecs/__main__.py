"""EcsCluster + EcsService as a stack would wire them; config switches HTTPS, protection and the log bucket."""

import pulumi

from components import EcsCluster, EcsService, EcsServiceArgs

ACCOUNT, REGION = "123456789012", "us-east-1"
config = pulumi.Config()
protect = config.get_bool("protect")
protect = True if protect is None else protect

cluster = EcsCluster("web-ecs", {"protect": protect})
args: EcsServiceArgs = {
    "cluster_arn": cluster.cluster_arn,
    "cluster_name": cluster.cluster_name,
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "vpc_cidr_block": "10.0.0.0/16",
    "public_subnet_ids": ["subnet-0aaa0000000000001", "subnet-0aaa0000000000002"],
    "private_subnet_ids": ["subnet-0bbb0000000000001", "subnet-0bbb0000000000002"],
    "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web@sha256:{'ab' * 32}",
    "container_name": "web",
    "kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "repository_arn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web",
    "protect": protect,
}
if certificate := config.get("certificateArn"):
    args["certificate_arn"] = certificate
if bucket := config.get("accessLogsBucket"):
    args["access_logs_bucket_name"] = bucket
if port := config.get_int("containerPort"):
    args["container_port"] = port
if memory := config.get_int("memory"):
    args["memory"] = memory
service = EcsService("web", args)

for key in ("service_name", "task_family", "url", "container_name", "execution_role_arn", "task_role_arn"):
    pulumi.export(key, getattr(service, key))
