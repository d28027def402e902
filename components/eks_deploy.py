"""`EksDeploy`: the pipeline's deploy step for EKS, a CodeBuild project that runs kubectl.

Why CodeBuild and not CodePipeline's native EKS action: the native action applies a whole
manifest or Helm chart, which would make the pipeline a second owner of the Deployment that
Pulumi manages. Here the pipeline changes only the image (`kubectl set image`), exactly as the
ECS deploy action does, waits for the rollout (`kubectl rollout status --timeout`), and on
failure runs `kubectl rollout undo` and fails, so the previous version keeps serving and the
Record stage (which only runs after a successful Deploy stage) never records a failed image.

The step runs inside the VPC (the cluster endpoint is private), reaches the API server through
the cluster security group, and is known to Kubernetes only as a member of the service's deploy
group, which a namespaced Role allows to patch that one Deployment.
"""

import functools
from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
import yaml

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from .aws_context import aws_context
from .codebuild_step import DEFAULT_IMAGE, codebuild_step, https_only_security_group
from .iam import Document, codebuild_vpc_statements, document, json_output, statement
from .package import ComponentArgsError, package_options, type_token
from .validation import retention_problem

# kubectl is downloaded and checked against its published SHA-256 at every run; pin the
# minor version to the cluster's (kubectl supports one minor version of skew either way).
DEFAULT_KUBECTL_VERSION = "v1.33.4"


@functools.cache
def deploy_buildspec() -> str:
    """Set the image, wait for the rollout, undo it on failure. One shell line per command."""
    rollout = 'kubectl -n "$NAMESPACE" rollout status "deployment/$DEPLOYMENT" --timeout="$ROLLOUT_TIMEOUT"'
    spec = {
        "version": 0.2,
        "env": {"shell": "bash"},
        "phases": {
            "install": {
                "on-failure": "ABORT",
                "commands": [
                    'curl -fsSLo /tmp/kubectl "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/linux/amd64/kubectl"',
                    'curl -fsSLo /tmp/kubectl.sha256 "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/linux/amd64/kubectl.sha256"',
                    'echo "$(cat /tmp/kubectl.sha256)  /tmp/kubectl" | sha256sum --check --strict',
                    "install -m 0755 /tmp/kubectl /usr/local/bin/kubectl",
                ],
            },
            "build": {
                "on-failure": "ABORT",
                "commands": [
                    'test -n "$IMAGE_URI" || { echo "No IMAGE_URI: run this step from the pipeline." >&2; exit 1; }',
                    'aws eks update-kubeconfig --name "$CLUSTER_NAME" --region "$AWS_REGION"',
                    'kubectl -n "$NAMESPACE" set image "deployment/$DEPLOYMENT" "$CONTAINER=$IMAGE_URI"',
                    f"if ! {rollout}; then "
                    'echo "Rollout of $IMAGE_URI failed; undoing it." >&2; '
                    f'kubectl -n "$NAMESPACE" rollout undo "deployment/$DEPLOYMENT"; {rollout}; exit 1; fi',
                ],
            },
        },
    }
    return yaml.safe_dump(spec, sort_keys=False, width=1000)


def deploy_role_policy(
    *,
    cluster_arn: str,
    log_group_arn: str,
    bucket_arn: str,
    key_arn: str,
    subnet_arns: Sequence[str],
    security_group_arn: str,
    network_interfaces_arn: str,
) -> Document:
    """Describe the cluster (for the kubeconfig), write its logs, read its input artifact, and
    the ENI permissions CodeBuild needs to run inside the VPC. Kubernetes access is RBAC's job."""
    return document(
        statement("DescribeCluster", ("eks:DescribeCluster",), [cluster_arn]),
        statement(
            "WriteDeployLogs",
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            [log_group_arn, f"{log_group_arn}:log-stream:*"],
        ),
        statement("ReadInputArtifact", ("s3:GetObject", "s3:GetObjectVersion"), [f"{bucket_arn}/*"]),
        statement("DecryptInputArtifact", ("kms:Decrypt",), [key_arn]),
        *codebuild_vpc_statements(
            "Build",
            network_interfaces_arn=network_interfaces_arn,
            security_group_arn=security_group_arn,
            subnet_arns=subnet_arns,
        ),
    )


class EksDeployArgs(TypedDict):
    cluster_name: pulumi.Input[str]
    """The EKS cluster the workload runs in. Required."""
    cluster_arn: pulumi.Input[str]
    """Its ARN (the role may describe only this cluster). Required."""
    cluster_security_group_id: pulumi.Input[str]
    """The cluster security group; the step's group is let in on 443. Required."""
    vpc_id: pulumi.Input[str]
    """VPC of the cluster. Required."""
    subnet_ids: pulumi.Input[Sequence[str]]
    """Private subnets the step runs in (with NAT: it downloads kubectl). Required."""
    namespace: pulumi.Input[str]
    """Namespace of the Deployment. Required."""
    deployment_name: pulumi.Input[str]
    """The Deployment whose image the step sets. Required."""
    container_name: pulumi.Input[str]
    """The container in it. Required."""
    deploy_group: pulumi.Input[str]
    """Kubernetes group the role is mapped to; a namespaced Role grants it the rollout. Required."""
    artifact_bucket_arn: pulumi.Input[str]
    """The pipeline's artifact bucket (the step reads its input artifact). Required."""
    kms_key_arn: pulumi.Input[str]
    """The stack key (artifacts and the step's logs). Required."""
    rollout_timeout: NotRequired[str]
    """How long a rollout may take before it is undone, a kubectl duration. Default: 10m."""
    kubectl_version: NotRequired[str]
    """kubectl release, within one minor version of the cluster. Default: v1.33.4."""
    build_image: NotRequired[str]
    """CodeBuild image. Default: aws/codebuild/amazonlinux-x86_64-standard:5.0."""
    log_retention_days: NotRequired[int]
    """Days the step's logs are kept. Default: 30."""


class EksDeploy(pulumi.ComponentResource):
    """CodeBuild in the VPC, its least-privilege role, its log group and security group, and the
    EKS access entry that maps the role to the service's deploy group."""

    project_name: pulumi.Output[str]
    """The deploy step's CodeBuild project. Always set."""
    project_arn: pulumi.Output[str]
    """Its ARN. Always set."""

    def __init__(self, name: str, args: EksDeployArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("EksDeploy"), name, None, package_options(opts, "cicd:eks_deploy:EksDeploy"))
        retention = args.get("log_retention_days", 30)
        if problem := retention_problem(retention):
            raise ComponentArgsError(f"EksDeploy {name}: {problem}")
        child = pulumi.ResourceOptions(parent=self)
        ctx = aws_context(self)
        ec2_arn = pulumi.Output.concat("arn:", ctx.partition, ":ec2:", ctx.region, ":", ctx.account_id, ":")

        group = https_only_security_group(
            f"{name}-deploy",
            self,
            vpc_id=args["vpc_id"],
            description=f"Pipeline deploy step of {name}: HTTPS out only",
            egress_description="EKS API, STS and the kubectl download",
            api_security_group_id=args["cluster_security_group_id"],
            api_description=f"Pipeline deploy step of {name} to the Kubernetes API",
        )
        variables = {
            "CLUSTER_NAME": args["cluster_name"],
            "NAMESPACE": args["namespace"],
            "DEPLOYMENT": args["deployment_name"],
            "CONTAINER": args["container_name"],
            "ROLLOUT_TIMEOUT": args.get("rollout_timeout", "10m"),
            "KUBECTL_VERSION": args.get("kubectl_version", DEFAULT_KUBECTL_VERSION),
        }
        step = codebuild_step(
            f"{name}-deploy",
            self,
            description=f"Roll {name} to the built image and verify the rollout",
            role_description=f"Pipeline deploy step of {name}: kubectl set image in its namespace",
            policy=lambda log_group_arn: json_output(
                deploy_role_policy,
                cluster_arn=args["cluster_arn"],
                log_group_arn=log_group_arn,
                bucket_arn=args["artifact_bucket_arn"],
                key_arn=args["kms_key_arn"],
                subnet_arns=pulumi.Output.from_input(args["subnet_ids"]).apply(
                    lambda ids: pulumi.Output.all(*[pulumi.Output.concat(ec2_arn, "subnet/", i) for i in ids])
                ),
                security_group_arn=pulumi.Output.concat(ec2_arn, "security-group/", group.id),
                network_interfaces_arn=pulumi.Output.concat(ec2_arn, "network-interface/*"),
            ),
            buildspec=deploy_buildspec(),
            variables=variables,
            kms_key_arn=args["kms_key_arn"],
            log_retention_days=retention,
            image=args.get("build_image", DEFAULT_IMAGE),
            vpc_config={"vpc_id": args["vpc_id"], "subnets": args["subnet_ids"], "security_group_ids": [group.id]},
        )
        self.project, self.role = step.project, step.role
        # Kubernetes knows the step only as a member of the deploy group (RBAC in the namespace).
        aws.eks.AccessEntry(
            f"{name}-deploy-access",
            cluster_name=args["cluster_name"],
            principal_arn=self.role.arn,
            kubernetes_groups=[args["deploy_group"]],
            type="STANDARD",
            opts=child,
        )
        self.project_name = self.project.name
        self.project_arn = self.project.arn
        self.register_outputs({"project_name": self.project_name, "project_arn": self.project_arn})
