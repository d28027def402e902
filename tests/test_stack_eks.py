"""The prod stack on EKS end to end, through preflight; switching targets is one setting."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from components.eks_deploy import deploy_buildspec, deploy_role_policy
from preflight.engine import PlanResult, Registration
from preflight.export import deployment
from preflight.verdicts import evaluate
from tests.conftest import ROOT, cached_bootstrap, only, plan, run_program

RECORDED = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web-repository-581384b@sha256:" + "ef" * 32
DEPLOY_SPEC = yaml.safe_load(deploy_buildspec())
DEPLOY_COMMANDS = [c for body in DEPLOY_SPEC["phases"].values() for c in body["commands"]]


def stages(result: PlanResult) -> list[dict[str, Any]]:
    return list(only(result, "aws:codepipeline/pipeline:Pipeline", "web-pipeline").inputs["stages"])


def variables(project: Registration) -> dict[str, str]:
    return {v["name"]: v["value"] for v in project.inputs["environment"]["environmentVariables"]}


def test_prod_runs_on_eks_with_approval_before_deploy(prod_plan: PlanResult) -> None:
    assert prod_plan.stack_outputs()["target"] == "eks"
    assert [s["name"] for s in stages(prod_plan)] == ["Source", "Build", "Approval", "Deploy", "Record"]
    assert not prod_plan.of_type("aws:ecs/service:Service")


def test_deploy_stage_targets_the_cluster_and_namespace_of_the_workload(prod_plan: PlanResult) -> None:
    deploy = next(s for s in stages(prod_plan) if s["name"] == "Deploy")
    (action,) = deploy["actions"]
    project = only(prod_plan, "aws:codebuild/project:Project", "web-deploy")
    assert action["configuration"]["ProjectName"] == project.outputs["name"]
    assert deploy["onFailure"] == {"result": "ROLLBACK"}
    cluster = only(prod_plan, "eks:index:Cluster")
    namespace = only(prod_plan, "kubernetes:core/v1:Namespace")
    deployment_ = only(prod_plan, "kubernetes:apps/v1:Deployment")
    (container,) = deployment_.inputs["spec"]["template"]["spec"]["containers"]
    assert variables(project) | {"ROLLOUT_TIMEOUT": "", "KUBECTL_VERSION": ""} == {
        "CLUSTER_NAME": cluster.inputs["name"],
        "NAMESPACE": namespace.inputs["metadata"]["name"],
        "DEPLOYMENT": deployment_.inputs["metadata"]["name"],
        "CONTAINER": container["name"],
        "ROLLOUT_TIMEOUT": "",
        "KUBECTL_VERSION": "",
    }
    assert deployment_.inputs["metadata"]["namespace"] == namespace.inputs["metadata"]["name"]
    access = only(prod_plan, "aws:eks/accessEntry:AccessEntry")
    role = only(prod_plan, "aws:iam/role:Role", "web-deploy-role")
    assert access.inputs["principalArn"] == role.outputs["arn"]
    binding = only(prod_plan, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
    assert binding.inputs["subjects"] == [
        {"kind": "Group", "name": access.inputs["kubernetesGroups"][0], "apiGroup": "rbac.authorization.k8s.io"}
    ]
    assert binding.inputs["metadata"]["namespace"] == namespace.inputs["metadata"]["name"]


def test_deploy_step_runs_in_the_vpc_and_reaches_only_the_api(prod_plan: PlanResult) -> None:
    project = only(prod_plan, "aws:codebuild/project:Project", "web-deploy")
    vpc = only(prod_plan, "aws:ec2/vpc:Vpc")
    assert project.inputs["vpcConfig"]["vpcId"] == vpc.id
    assert project.inputs["environment"]["privilegedMode"] is False
    rule = only(prod_plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "web-deploy-to-api")
    group = only(prod_plan, "aws:ec2/securityGroup:SecurityGroup", "web-deploy-sg")
    assert (rule.inputs["referencedSecurityGroupId"], rule.inputs["fromPort"], rule.inputs["toPort"]) == (
        group.id,
        443,
        443,
    )


def test_workload_image_comes_from_the_recorded_digest() -> None:
    def image(result: PlanResult) -> str:
        (container,) = only(result, "kubernetes:apps/v1:Deployment").inputs["spec"]["template"]["spec"]["containers"]
        return str(container["image"])

    assert image(plan("prod")) == cached_bootstrap("prod")
    assert image(run_program(ROOT, "prod", parameters={"/container-delivery/prod/web/image": RECORDED})) == RECORDED


def test_data_protection_covers_the_cluster(prod_plan: PlanResult) -> None:
    assert only(prod_plan, "eks:index:Cluster").protect is True
    assert only(prod_plan, "aws:ecr/repository:Repository", "web-repository").protect is True


@pytest.mark.parametrize(("stack", "target"), [("dev", "eks"), ("prod", "ecs")])
def test_switching_target_is_one_setting_and_stays_compliant(stack: str, target: str) -> None:
    result = plan(stack, target=target)
    assert result.stack_outputs()["target"] == target
    workload = "kubernetes:apps/v1:Deployment" if target == "eks" else "aws:ecs/service:Service"
    assert len(result.of_type(workload)) == 1
    verdicts = evaluate(deployment(result)["deployment"]["resources"])
    assert [(v.policy, v.message) for v in verdicts.mandatory] == []


def test_cluster_endpoint_cidrs_setting_reaches_the_cluster() -> None:
    result = plan("prod", clusterEndpointPublicCidrs=["203.0.113.0/24"])
    cluster = only(result, "eks:index:Cluster")
    assert (cluster.inputs["endpointPublicAccess"], cluster.inputs["publicAccessCidrs"]) == (True, ["203.0.113.0/24"])
    assert only(plan("prod"), "eks:index:Cluster").inputs["endpointPublicAccess"] is False


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is needed to syntax-check the commands")
@pytest.mark.parametrize("command", DEPLOY_COMMANDS)
def test_deploy_commands_are_valid_bash(command: str) -> None:
    result = subprocess.run(["bash", "-n"], input=command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_deploy_verifies_then_undoes_a_failed_rollout() -> None:
    assert list(DEPLOY_SPEC["phases"]) == ["install", "build"]
    text = "\n".join(DEPLOY_COMMANDS)
    assert "sha256sum --check --strict" in text
    order = [
        'set image "deployment/$DEPLOYMENT" "$CONTAINER=$IMAGE_URI"',
        'rollout status "deployment/$DEPLOYMENT" --timeout="$ROLLOUT_TIMEOUT"',
        'rollout undo "deployment/$DEPLOYMENT"',
    ]
    positions = [text.index(fragment) for fragment in order]
    assert positions == sorted(positions)
    undo_line = next(c for c in DEPLOY_COMMANDS if "rollout undo" in c)
    assert re.search(r"rollout undo .*; exit 1; fi$", undo_line)


def test_deploy_role_is_scoped() -> None:
    doc = deploy_role_policy(
        cluster_arn="arn:aws:eks:us-east-1:123456789012:cluster/c",
        log_group_arn="arn:aws:logs:us-east-1:123456789012:log-group:/aws/codebuild/web-deploy-1",
        bucket_arn="arn:aws:s3:::artifacts",
        key_arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        subnet_arns=["arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0123456789abcdef0"],
        security_group_arn="arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0",
        network_interfaces_arn="arn:aws:ec2:us-east-1:123456789012:network-interface/*",
    )
    star = [s for s in doc["Statement"] if s["Resource"] == "*"]
    assert [s["Sid"] for s in star] == ["DescribeBuildNetwork"]
    assert all(a.startswith("ec2:Describe") for a in star[0]["Action"])
    attach = next(s for s in doc["Statement"] if s["Sid"] == "AttachBuildInterfaces")
    assert attach["Condition"]["StringEquals"] == {"ec2:AuthorizedService": "codebuild.amazonaws.com"}
    actions = [a for s in doc["Statement"] for a in s["Action"]]
    assert [a for a in actions if a.startswith("eks:")] == ["eks:DescribeCluster"]


def test_the_ingress_albs_log_to_the_shared_bucket_under_their_prefix(prod_plan: PlanResult) -> None:
    params = only(prod_plan, "kubernetes:eks.amazonaws.com/v1:IngressClassParams")
    bucket = only(prod_plan, "aws:s3/bucket:Bucket", "alb-access-logs-bucket")
    policy = only(prod_plan, "aws:s3/bucketPolicy:BucketPolicy", "alb-access-logs-policy")
    attributes = {a["key"]: a["value"] for a in params.inputs["spec"]["loadBalancerAttributes"]}
    assert attributes == {
        "routing.http.drop_invalid_header_fields.enabled": "true",
        "access_logs.s3.enabled": "true",
        "access_logs.s3.bucket": bucket.outputs["bucket"],
        "access_logs.s3.prefix": "ingress",
    }
    (allow,) = [s for s in json.loads(policy.inputs["policy"])["Statement"] if s["Effect"] == "Allow"]
    assert allow["Resource"] == f"{bucket.outputs['arn']}/ingress/AWSLogs/123456789012/*"
    # The controller switches logging on when it creates an ALB: the policy must be in place first.
    assert policy.urn in params.dependencies
