"""Every component constructed through the package's provider, as another program's `pulumi up` does.

Inputs cross a protobuf Struct as on the wire (every number a float) and are deserialized as the
provider server deserializes them; the children are recorded by preflight's mock engine.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.errors import InputPropertyError

from preflight.engine import PlanResult, Registration, run_program
from provider.host import package_components

PROGRAM = Path(__file__).resolve().parent / "programs" / "package"
ACCOUNT, REGION = "123456789012", "us-east-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET, BUCKET_ARN = "artifacts-bucket-0a1b2c3", "arn:aws:s3:::artifacts-bucket-0a1b2c3"
REPO_ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web-repository-0a1b2c3"
REPO_URL = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web-repository-0a1b2c3"
CACHE_ARN, CACHE_URL = REPO_ARN.replace("repository-", "cache-"), REPO_URL.replace("repository-", "cache-")
PUBLIC = ["subnet-0aaa0000000000001", "subnet-0aaa0000000000002"]
PRIVATE = ["subnet-0bbb0000000000001", "subnet-0bbb0000000000002"]
VPC = "vpc-0123456789abcdef0"
IMAGE = f"{REPO_URL}@sha256:{'ab' * 32}"
CONNECTION = f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/317b0bb2-13d4-d6c1-6afc-7633dfcec8f2"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:pipelines-notifications-0a1b2c3"
APPROVALS = f"arn:aws:sns:{REGION}:{ACCOUNT}:pipelines-approvals-0a1b2c3"
ECS_CLUSTER = {"clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/services", "clusterName": "services"}
EKS_CLUSTER = {
    "clusterName": "delivery",
    "clusterArn": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/delivery",
    "clusterSecurityGroupId": "sg-0123456789abcdef0",
    "ingressClassName": "alb",
}
SHARED = {
    "artifactBucketName": BUCKET,
    "artifactBucketArn": BUCKET_ARN,
    "kmsKeyArn": KEY,
    "vpcId": VPC,
    "vpcCidrBlock": "10.0.0.0/16",
    "publicSubnetIds": PUBLIC,
    "privateSubnetIds": PRIVATE,
    "notificationTopicArn": TOPIC,
    "approvalTopicArn": APPROVALS,
}

# One case per component: (resource name, component, camelCase inputs, needs a Kubernetes provider).
CASES: dict[str, tuple[str, dict[str, Any], bool]] = {
    "store": ("ArtifactStore", {"artifactRetentionDays": 14, "protect": False}, False),
    "net": (
        "Network",
        {"availabilityZones": 3, "natGateways": "single", "flowLogsKmsKeyArn": KEY, "logRetentionDays": 60},
        False,
    ),
    "ecs": ("EcsCluster", {"containerInsights": "enabled", "protect": False}, False),
    "logs": ("AlbAccessLogs", {"prefixes": ["web", "api"], "logRetentionDays": 90, "protect": False}, False),
    "eks": (
        "EksCluster",
        {"vpcId": VPC, "privateSubnetIds": PRIVATE, "publicSubnetIds": PUBLIC, "kmsKeyArn": KEY, "logRetentionDays": 7},
        False,
    ),
    "topics": ("PipelineTopics", {"kmsKeyArn": KEY, "approvals": True}, False),
    "src": ("Source", {"provider": "github", "repository": "example-org/web", "branch": "trunk"}, False),
    "reg": ("ContainerRegistry", {"kmsKeyArn": KEY, "untaggedImageExpiryDays": 3, "taggedImagesToKeep": 12}, False),
    "build": (
        "ImageBuild",
        {
            "repositoryUrl": REPO_URL,
            "repositoryArn": REPO_ARN,
            "repositoryName": "web-repository-0a1b2c3",
            "cacheRepositoryUrl": CACHE_URL,
            "cacheRepositoryArn": CACHE_ARN,
            "artifactBucketArn": BUCKET_ARN,
            "kmsKeyArn": KEY,
            "containerName": "web",
            "logRetentionDays": 14,
            "timeoutMinutes": 45,
        },
        False,
    ),
    "runner": (
        "CiRunner",
        {
            "projectName": "container-delivery-test-runner",
            "repositoryUrl": "https://github.com/example-org/web",
            "connectionArn": CONNECTION,
            "vpcId": VPC,
            "subnetIds": PRIVATE,
            "kmsKeyArn": KEY,
            "logRetentionDays": 14,
            "timeoutMinutes": 60,
        },
        False,
    ),
    "access": (
        "ClusterAccess",
        {
            "clusterName": "delivery",
            "adminRoleArns": [f"arn:aws:iam::{ACCOUNT}:role/platform-admin"],
            "viewerRoleArns": [f"arn:aws:iam::{ACCOUNT}:role/prod-preview"],
            "viewerNamespaces": ["web"],
        },
        False,
    ),
    "alarms": (
        "ServiceAlarms",
        {
            "alarmNamePrefix": "container-delivery-test-web",
            "loadBalancerArnSuffix": "app/web-alb-0a1b2c3/50dc6c495c0c9188",
            "targetGroupArnSuffixes": ["targetgroup/web-tg-0a1b2c3/73e2d6bc24d8a067"],
            "latencyThresholdMs": 800,
        },
        False,
    ),
    "waf": ("WebAcl", {"kmsKeyArn": KEY, "rateLimit": 1000, "logRetentionDays": 30}, False),
    "cache": ("PullThroughCache", {"kmsKeyArn": KEY, "manageRegistryScanning": False}, False),
    "boot": ("BootstrapImage", {"repositoryUrl": REPO_URL}, False),
    "rec": ("ImageRecord", {"service": "web", "bootstrapImage": IMAGE, "protect": False}, False),
    "svc": (
        "EcsService",
        {
            "clusterArn": ECS_CLUSTER["clusterArn"],
            "clusterName": "services",
            "vpcId": VPC,
            "vpcCidrBlock": "10.0.0.0/16",
            "publicSubnetIds": PUBLIC,
            "privateSubnetIds": PRIVATE,
            "image": IMAGE,
            "containerName": "svc",
            "kmsKeyArn": KEY,
            "repositoryArn": REPO_ARN,
            "containerPort": 9000,
            "cpu": 512,
            "memory": 2048,
            "desiredCount": 3,
            "logRetentionDays": 14,
            "protect": False,
            "environment": {"MODE": "demo"},
        },
        False,
    ),
    "wl": (
        "EksWorkload",
        {
            "clusterName": "delivery",
            "image": IMAGE,
            "ingressClassName": "alb",
            "containerPort": 9000,
            "desiredCount": 3,
        },
        True,
    ),
    "dep": (
        "EksDeploy",
        {
            "clusterName": "delivery",
            "clusterArn": EKS_CLUSTER["clusterArn"],
            "clusterSecurityGroupId": "sg-0123456789abcdef0",
            "vpcId": VPC,
            "subnetIds": PRIVATE,
            "namespace": "wl",
            "deploymentName": "wl",
            "containerName": "wl",
            "deployGroup": "cicd-deploy-wl",
            "artifactBucketArn": BUCKET_ARN,
            "kmsKeyArn": KEY,
            "logRetentionDays": 14,
        },
        False,
    ),
    "pipe": (
        "DeliveryPipeline",
        {
            "source": {"provider": "github", "repository": "example-org/web", "connectionArn": CONNECTION},
            "artifactBucketName": BUCKET,
            "artifactBucketArn": BUCKET_ARN,
            "kmsKeyArn": KEY,
            "buildProjectName": "web-build-0a1b2c3",
            "buildProjectArn": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/web-build-0a1b2c3",
            "ecsDeploy": {
                "ecsClusterName": "services",
                "ecsServiceName": "web",
                "ecsServiceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/services/web",
                "taskDefinitionFamily": "web",
                "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/web-task",
                "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/web-execution",
            },
            "imageParameterName": "/container-delivery/test/web/image",
            "imageParameterArn": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/container-delivery/test/web/image",
            "notificationTopicArn": TOPIC,
            "approvalTopicArn": APPROVALS,
            "logRetentionDays": 60,
            "environment": "prod",
        },
        False,
    ),
    "api": (
        "ServiceDelivery",
        {
            **SHARED,
            "source": {"provider": "github", "repository": "example-org/api"},
            "ecsCluster": ECS_CLUSTER,
            "containerPort": 9090,
            "desiredCount": 4,
            "environment": "prod",
        },
        False,
    ),
    "jobs": (
        "ServiceDelivery",
        {**SHARED, "source": {"provider": "codecommit", "repository": "jobs"}, "eksCluster": EKS_CLUSTER},
        True,
    ),
}


def construct(cases: dict[str, tuple[str, dict[str, Any], bool]]) -> PlanResult:
    document = {
        name: {"component": component, "inputs": inputs, "kubernetes": kubernetes}
        for name, (component, inputs, kubernetes) in cases.items()
    }
    return run_program(PROGRAM, "test", {"cases": json.dumps(document)})


@pytest.fixture(scope="module")
def plan() -> PlanResult:
    return construct(CASES)


def component(plan: PlanResult, name: str) -> Registration:
    (found,) = [r for r in plan.resources if not r.custom and r.name == name and r.parent == plan.stack_urn]
    return found


def child(plan: PlanResult, type_: str, name: str) -> Registration:
    (found,) = [r for r in plan.resources if r.type == type_ and r.name == name]
    return found


def test_every_component_of_the_package_constructs_through_the_provider(plan: PlanResult) -> None:
    # Given every component the package serves, when each is constructed through the provider,
    # then each registers under its package token and creates children.
    served = {c.__name__ for c in package_components()}
    assert served == {case[0] for case in CASES.values()}
    for name, (kind, _, _) in CASES.items():
        top = component(plan, name)
        assert top.type == f"container-delivery:index:{kind}"
        assert any(r.parent == top.urn for r in plan.resources), f"{kind} {name} created no children"


def test_integers_arrive_as_integers(plan: PlanResult) -> None:
    # The wire carries 9000 as 9000.0; the host restores integers, so what components compute from
    # them (JSON documents, sizes, counts) is what a Python program would get.
    text = child(plan, "aws:ecs/taskDefinition:TaskDefinition", "svc-task").inputs["containerDefinitions"]
    assert "9000.0" not in text
    assert json.loads(text)[0]["portMappings"][0]["containerPort"] == 9000
    task = child(plan, "aws:ecs/taskDefinition:TaskDefinition", "svc-task").inputs
    assert (task["cpu"], task["memory"]) == ("512", "2048")
    assert child(plan, "aws:ecs/service:Service", "svc-service").inputs["desiredCount"] == 3
    lifecycle = json.loads(child(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "reg-lifecycle").inputs["policy"])
    assert [rule["selection"]["countNumber"] for rule in lifecycle["rules"]] == [3, 12]
    assert child(plan, "aws:lb/targetGroup:TargetGroup", "api-tg").inputs["port"] == 9090
    assert child(plan, "aws:cloudwatch/logGroup:LogGroup", "svc-logs").inputs["retentionInDays"] == 14


def test_booleans_lists_and_maps_arrive_intact(plan: PlanResult) -> None:
    assert child(plan, "aws:kms/key:Key", "store-key").protect is False
    assert child(plan, "aws:ecr/repository:Repository", "reg-repository").protect is True  # the default
    assert child(plan, "aws:ecs/cluster:Cluster", "ecs-cluster").inputs["settings"] == [
        {"name": "containerInsights", "value": "enabled"}
    ]
    text = child(plan, "aws:ecs/taskDefinition:TaskDefinition", "svc-task").inputs["containerDefinitions"]
    assert {"name": "MODE", "value": "demo"} in json.loads(text)[0]["environment"]
    service = child(plan, "aws:ecs/service:Service", "svc-service").inputs
    assert sorted(service["networkConfiguration"]["subnets"]) == PRIVATE
    assert service["networkConfiguration"]["assignPublicIp"] is False
    policy = json.loads(child(plan, "aws:s3/bucketPolicy:BucketPolicy", "logs-access-logs-policy").inputs["policy"])
    written = policy["Statement"][0]["Resource"]
    assert [arn.split("/", 1)[1] for arn in written] == [f"api/AWSLogs/{ACCOUNT}/*", f"web/AWSLogs/{ACCOUNT}/*"]
    private = [r for r in plan.resources if r.type == "aws:ec2/subnet:Subnet" and "private" in r.name]
    assert len({r.inputs["availabilityZone"] for r in private}) == 3


@pytest.mark.parametrize(
    ("kind", "inputs", "path", "message"),
    [
        (
            "ArtifactStore",
            {"artifactRetentionDay": 14},
            "artifactRetentionDay",
            "ArtifactStore has no input artifactRetentionDay; did you mean artifactRetentionDays? "
            "its inputs are artifactRetentionDays, protect, accessLogs, accessLogRetentionDays",
        ),
        (
            "EcsCluster",
            {"protect": "yes"},
            "protect",
            "protect must be boolean, got 'yes'",
        ),
        (
            "ContainerRegistry",
            {"taggedImagesToKeep": 2.5},
            "taggedImagesToKeep",
            "taggedImagesToKeep must be integer, got 2.5",
        ),
        (
            "AlbAccessLogs",
            {"prefixes": ["web"], "logRetentionDays": 45},
            "logRetentionDays",
            "AlbAccessLogs bad: logRetentionDays 45 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, "
            "30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        ),
        (
            "EcsCluster",
            {"containerInsights": "off"},
            "containerInsights",
            "containerInsights must be one of enhanced, enabled, got 'off'",
        ),
        (
            "ServiceDelivery",
            {**SHARED, "source": {"provider": "github", "repository": "o/web"}},
            "ecsCluster",
            "ServiceDelivery bad: give exactly one of ecsCluster (an EcsCluster's outputs) and eksCluster "
            "(an EksCluster's outputs)",
        ),
        (
            "Source",
            {"provider": "github", "repository": "o/web", "extra": {"x": 1}},
            "extra",
            "Source has no input extra; its inputs are provider, repository, branch, connectionArn",
        ),
        (
            "DeliveryPipeline",
            {**CASES["pipe"][1], "source": {"provider": "github", "repository": "o/web", "branchName": "main"}},
            "source.branchName",
            "DeliveryPipeline has no input source.branchName; did you mean branch? its inputs are provider, "
            "repository, branch, "
            "connectionArn, repositoryArn",
        ),
    ],
    ids=[
        "noncompliant_unknown_input",
        "noncompliant_string_for_boolean",
        "noncompliant_fraction_for_integer",
        "noncompliant_value_the_library_refuses",
        "noncompliant_enum_value",
        "noncompliant_no_cluster",
        "noncompliant_unknown_object_input",
        "noncompliant_unknown_nested_input",
    ],
)
def test_wrong_inputs_get_the_librarys_message_naming_the_input(
    kind: str, inputs: dict[str, Any], path: str, message: str
) -> None:
    # Given a wrong input, when it is constructed through the provider, then the consumer gets an
    # input error (no traceback) naming the input as the consumer spells it, with the fix.
    with pytest.raises(InputPropertyError) as refused:
        construct({"bad": (kind, inputs, False)})
    assert (refused.value.property_path, refused.value.reason) == (path, message)
