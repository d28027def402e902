"""The shipped program, then one insecure choice a user could make, selected by `insecure:variant`.

Each variant is something the policy pack must reject (tests/test_policy_pack.py).
"""

import json
import runpy
from pathlib import Path

import pulumi
import pulumi_aws as aws

import components
from components import ContainerRegistry

# The project's own program, found next to the component library it imports.
runpy.run_path(str(Path(components.__file__).resolve().parents[1] / "__main__.py"), run_name="__main__")

variant = pulumi.Config("insecure").get("variant") or "none"
ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def role(name: str, trust: dict[str, object] = TRUST) -> aws.iam.Role:
    return aws.iam.Role(name, assume_role_policy=json.dumps(trust))


if variant == "scan-on-push-off":
    ContainerRegistry("unscanned", {"scan_on_push": False, "protect": False})
elif variant == "mutable-tags":
    aws.ecr.Repository("mutable", image_tag_mutability="MUTABLE", image_scanning_configuration={"scan_on_push": True})
elif variant == "admin-policy":
    aws.iam.RolePolicyAttachment(
        "admin", role=role("admin-role").name, policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
elif variant == "wildcard-action":
    aws.iam.RolePolicy(
        "wildcard",
        role=role("wildcard-role").id,
        policy=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )
elif variant == "public-trust":
    role("public-trust", {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"AWS": "*"}}]})  # type: ignore[dict-item]
elif variant == "plaintext-credentials":
    aws.codebuild.Project(
        "leaky",
        service_role=f"arn:aws:iam::{ACCOUNT}:role/build",
        encryption_key=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        source={"type": "NO_SOURCE", "buildspec": "version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "compute_type": "BUILD_GENERAL1_SMALL",
            "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0",
            "environment_variables": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "x", "type": "PLAINTEXT"}],
        },
    )
elif variant == "unrotated-key":
    aws.kms.Key("unrotated", enable_key_rotation=False)
elif variant == "public-bucket":
    aws.s3.Bucket("public-bucket")
elif variant == "unencrypted-logs":
    aws.cloudwatch.LogGroup("plain-logs", retention_in_days=30)
elif variant == "privileged-container":
    aws.ecs.TaskDefinition(
        "privileged",
        family="privileged",
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu="256",
        memory="512",
        execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/exec",
        task_role_arn=f"arn:aws:iam::{ACCOUNT}:role/task",
        container_definitions=json.dumps(
            [{"name": "x", "image": "x", "privileged": True, "readonlyRootFilesystem": True}]
        ),
    )
elif variant == "public-eks-endpoint":
    aws.eks.Cluster(
        "open",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks",
        vpc_config={"subnet_ids": ["subnet-0123456789abcdef0"], "endpoint_public_access": True},
        enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
        encryption_config={"resources": ["secrets"], "provider": {"key_arn": "arn:aws:kms:us-east-1:1:key/k"}},
    )
elif variant == "unencrypted-topic":
    aws.sns.Topic("plain-topic")
elif variant == "headers-kept":
    aws.lb.LoadBalancer("lax", subnets=["subnet-0123456789abcdef0"], drop_invalid_header_fields=False)
