"""EcsCluster and EcsService under mocks (tests/programs/ecs), then their payloads against botocore's
ECS and ELBv2 models, moto, parliament and policy_sentry. Negative controls prove each check bites."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import validate_parameters
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws

from components.alb_access_logs import alb_access_log_bucket_policy
from components.container_definitions import RUN_AS_USER, container_definitions, task_volumes
from components.ecs_service import execution_role_policy
from components.validation import FARGATE_SIZES, fargate_size_error
from policies.rules.contract import TLS_POLICY
from preflight.engine import PlanResult, Registration, run_program
from tests.conftest import only
from tests.test_iam_contracts import accept_trust, lint, over_broad

PROGRAM = Path(__file__).resolve().parent / "programs" / "ecs"
ACCOUNT, REGION = "123456789012", "us-east-1"
CERT = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web@sha256:{'ab' * 32}"
REPO = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web"
PUBLIC = ["subnet-0aaa0000000000001", "subnet-0aaa0000000000002"]
PRIVATE = ["subnet-0bbb0000000000001", "subnet-0bbb0000000000002"]
SERVICE = "container-delivery:index:EcsService"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LISTENER = "aws:lb/listener:Listener"
ROLE = "aws:iam/role:Role"
MODELS = botocore.session.get_session()


def shape(service: str, operation: str) -> Any:
    return MODELS.get_service_model(service).operation_model(operation).input_shape


@pytest.fixture(scope="module")
def http_plan() -> PlanResult:
    return run_program(PROGRAM, "test")


@pytest.fixture(scope="module")
def https_plan() -> PlanResult:
    return run_program(PROGRAM, "test", {"certificateArn": CERT, "protect": False})


@pytest.fixture(scope="module")
def own_bucket_plan() -> PlanResult:
    return run_program(PROGRAM, "test", {"accessLogsBucket": "org-alb-logs"})


@pytest.fixture(params=["http_plan", "https_plan"])
def any_plan(request: pytest.FixtureRequest) -> PlanResult:
    result: PlanResult = request.getfixturevalue(request.param)
    return result


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield


def children(result: PlanResult, component_type: str, name: str) -> set[tuple[str, str]]:
    parent = only(result, component_type, name)
    return {(r.type, r.name) for r in result.resources if r.parent == parent.urn}


def by_id(result: PlanResult, id_: str) -> Registration:
    return next(r for r in result.resources if r.id == id_)


def containers(result: PlanResult) -> list[dict[str, Any]]:
    defs: list[dict[str, Any]] = json.loads(
        only(result, "aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"]
    )
    return defs


# Children and wiring


BUCKET_CHILDREN = {
    ("aws:s3/bucket:Bucket", "web-access-logs-bucket"),
    ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "web-access-logs-ownership"),
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "web-access-logs-public-access"),
    (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "web-access-logs-encryption",
    ),
    ("aws:s3/bucketVersioning:BucketVersioning", "web-access-logs-versioning"),
    ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "web-access-logs-lifecycle"),
    ("aws:s3/bucketPolicy:BucketPolicy", "web-access-logs-policy"),
}
SERVICE_CHILDREN = {
    ("aws:cloudwatch/logGroup:LogGroup", "web-logs"),
    (ROLE, "web-execution-role"),
    ("aws:iam/rolePolicy:RolePolicy", "web-execution-policy"),
    (ROLE, "web-task-role"),
    ("aws:ecs/taskDefinition:TaskDefinition", "web-task"),
    (SG, "web-alb-sg"),
    (SG, "web-task-sg"),
    (INGRESS, "web-alb-in-80"),
    (EGRESS, "web-alb-to-task"),
    (INGRESS, "web-task-from-alb"),
    (EGRESS, "web-task-https-out"),
    ("aws:lb/loadBalancer:LoadBalancer", "web-alb"),
    ("aws:lb/targetGroup:TargetGroup", "web-tg"),
    ("aws:ecs/service:Service", "web-service"),
    ("container-delivery:index:ServiceAlarms", "web-alarms"),
}


def test_children_http(http_plan: PlanResult) -> None:
    assert children(http_plan, "container-delivery:index:EcsCluster", "web-ecs") == {
        ("aws:ecs/cluster:Cluster", "web-ecs-cluster")
    }
    assert children(http_plan, SERVICE, "web") == SERVICE_CHILDREN | BUCKET_CHILDREN | {(LISTENER, "web-http")}


def test_children_https(https_plan: PlanResult) -> None:
    extra = {(INGRESS, "web-alb-in-443"), (LISTENER, "web-https"), (LISTENER, "web-http-redirect")}
    assert children(https_plan, SERVICE, "web") == SERVICE_CHILDREN | BUCKET_CHILDREN | extra


def test_given_log_bucket_is_used_not_created(own_bucket_plan: PlanResult) -> None:
    assert children(own_bucket_plan, SERVICE, "web") == SERVICE_CHILDREN | {(LISTENER, "web-http")}
    logs = only(own_bucket_plan, "aws:lb/loadBalancer:LoadBalancer").inputs["accessLogs"]
    assert logs == {"bucket": "org-alb-logs", "prefix": "web", "enabled": True}


@pytest.mark.parametrize(("plan_name", "protected"), [("http_plan", True), ("https_plan", False)])
def test_protect_follows_the_argument(plan_name: str, protected: bool, request: pytest.FixtureRequest) -> None:
    result: PlanResult = request.getfixturevalue(plan_name)
    cluster = only(result, "aws:ecs/cluster:Cluster")
    assert cluster.protect is protected
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert only(result, "aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is protected
    bucket = only(result, "aws:s3/bucket:Bucket")
    assert bucket.protect is protected and bucket.inputs["forceDestroy"] is (not protected)


def test_outputs(http_plan: PlanResult, https_plan: PlanResult) -> None:
    outputs = http_plan.stack_outputs()
    assert outputs["url"].startswith("http://") and outputs["url"].endswith(".us-east-1.elb.amazonaws.com")
    assert https_plan.stack_outputs()["url"].startswith("https://")
    assert outputs["container_name"] == "web"
    assert outputs["task_family"] == "ecs-service-test-test-web"
    assert outputs["execution_role_arn"] != outputs["task_role_arn"]
    component = only(http_plan, SERVICE, "web").outputs
    assert set(component) == {
        "service_name", "service_arn", "task_definition_arn", "task_family", "execution_role_arn",
        "task_role_arn", "load_balancer_dns_name", "url", "target_group_arn", "container_name", "alarm_names",
    }  # fmt: skip


# The service


def test_service_private_no_public_ip_circuit_breaker(any_plan: PlanResult) -> None:
    service = only(any_plan, "aws:ecs/service:Service")
    task_sg = only(any_plan, SG, "web-task-sg")
    inputs = service.inputs
    assert inputs["launchType"] == "FARGATE"
    assert inputs["networkConfiguration"] == {
        "subnets": PRIVATE,
        "securityGroups": [task_sg.id],
        "assignPublicIp": False,
    }
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert (inputs["deploymentMinimumHealthyPercent"], inputs["deploymentMaximumPercent"]) == (100, 200)
    assert inputs["healthCheckGracePeriodSeconds"] == 60
    assert inputs["enableEcsManagedTags"] is True and inputs["propagateTags"] == "SERVICE"
    assert inputs["waitForSteadyState"] is False
    assert inputs["desiredCount"] == 2
    assert inputs["cluster"] == only(any_plan, "aws:ecs/cluster:Cluster").outputs["arn"]
    tg = only(any_plan, "aws:lb/targetGroup:TargetGroup")
    assert inputs["loadBalancers"] == [{"targetGroupArn": tg.id, "containerName": "web", "containerPort": 8080}]
    # The recorded image is the input: the task definition is owned, never ignored (DESIGN.md).
    assert service.ignore_changes == []
    assert inputs["taskDefinition"] == only(any_plan, "aws:ecs/taskDefinition:TaskDefinition").outputs["arn"]


def test_service_waits_for_forwarding_listener_and_execution_policy(any_plan: PlanResult) -> None:
    service = only(any_plan, "aws:ecs/service:Service")
    forwarding = [r for r in any_plan.of_type(LISTENER) if r.inputs["defaultActions"][0]["type"] == "forward"]
    assert len(forwarding) == 1
    assert forwarding[0].urn in service.dependencies
    assert only(any_plan, "aws:iam/rolePolicy:RolePolicy").urn in service.dependencies


def test_task_definition_is_fargate_with_distinct_roles(http_plan: PlanResult) -> None:
    task = only(http_plan, "aws:ecs/taskDefinition:TaskDefinition").inputs
    execution, task_role = only(http_plan, ROLE, "web-execution-role"), only(http_plan, ROLE, "web-task-role")
    assert task["networkMode"] == "awsvpc"
    assert task["requiresCompatibilities"] == ["FARGATE"]
    assert (task["cpu"], task["memory"]) == ("256", "512")
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}
    assert task["executionRoleArn"] == execution.outputs["arn"]
    assert task["taskRoleArn"] == task_role.outputs["arn"]
    assert execution.outputs["arn"] != task_role.outputs["arn"]
    assert task["volumes"] == [{"name": "tmp"}]


def test_container_is_hardened(http_plan: PlanResult) -> None:
    (container,) = containers(http_plan)
    log_group = only(http_plan, "aws:cloudwatch/logGroup:LogGroup")
    assert container["image"] == IMAGE
    assert container["essential"] is True
    assert container["readonlyRootFilesystem"] is True
    assert container["privileged"] is False
    assert container["user"] == RUN_AS_USER and container["user"] not in ("0", "root")
    assert container["linuxParameters"]["initProcessEnabled"] is True
    assert container["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
    assert container["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]
    assert container["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert "healthCheck" not in container
    assert container["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group.outputs["name"],
            "awslogs-region": REGION,
            "awslogs-stream-prefix": "ecs",
        },
    }
    assert log_group.inputs["retentionInDays"] == 30
    assert log_group.inputs["kmsKeyId"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")


# Network


def rules(result: PlanResult) -> set[tuple[str, str, int, str]]:
    """(kind, group name, port, peer: CIDR or group name) for every rule."""
    names = {r.id: r.name for r in result.of_type(SG)}
    found = set()
    for reg in [*result.of_type(INGRESS), *result.of_type(EGRESS)]:
        inputs = reg.inputs
        assert inputs["ipProtocol"] == "tcp" and inputs["fromPort"] == inputs["toPort"]
        peer = inputs.get("cidrIpv4") or names[inputs["referencedSecurityGroupId"]]
        kind = "in" if reg.type == INGRESS else "out"
        found.add((kind, names[inputs["securityGroupId"]], inputs["fromPort"], peer))
    return found


def test_security_groups_only_alb_to_task_on_the_port(http_plan: PlanResult, https_plan: PlanResult) -> None:
    between = {
        ("out", "web-alb-sg", 8080, "web-task-sg"),
        ("in", "web-task-sg", 8080, "web-alb-sg"),
        ("out", "web-task-sg", 443, "0.0.0.0/0"),
    }
    assert rules(http_plan) == between | {("in", "web-alb-sg", 80, "0.0.0.0/0")}
    assert rules(https_plan) == between | {
        ("in", "web-alb-sg", 80, "0.0.0.0/0"),
        ("in", "web-alb-sg", 443, "0.0.0.0/0"),
    }
    for group in http_plan.of_type(SG):
        assert "ingress" not in group.inputs and "egress" not in group.inputs
        assert group.inputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"


def test_alb_is_public_hardened_and_logged(any_plan: PlanResult) -> None:
    alb = only(any_plan, "aws:lb/loadBalancer:LoadBalancer")
    bucket = only(any_plan, "aws:s3/bucket:Bucket")
    assert alb.inputs["loadBalancerType"] == "application" and alb.inputs["internal"] is False
    assert alb.inputs["subnets"] == PUBLIC
    assert alb.inputs["securityGroups"] == [only(any_plan, SG, "web-alb-sg").id]
    assert alb.inputs["dropInvalidHeaderFields"] is True
    assert alb.inputs["accessLogs"] == {"bucket": bucket.outputs["bucket"], "prefix": "web", "enabled": True}
    assert only(any_plan, "aws:s3/bucketPolicy:BucketPolicy").urn in alb.dependencies


def test_target_group(http_plan: PlanResult) -> None:
    tg = only(http_plan, "aws:lb/targetGroup:TargetGroup").inputs
    assert (tg["targetType"], tg["port"], tg["protocol"], tg["deregistrationDelay"]) == ("ip", 8080, "HTTP", 30)
    check = tg["healthCheck"]
    assert (check["protocol"], check["path"], check["matcher"]) == ("HTTP", "/healthz", "200-399")


def test_http_listener_forwards(http_plan: PlanResult) -> None:
    listener = only(http_plan, LISTENER).inputs
    tg = only(http_plan, "aws:lb/targetGroup:TargetGroup")
    assert (listener["port"], listener["protocol"]) == (80, "HTTP")
    assert listener["defaultActions"] == [{"type": "forward", "targetGroupArn": tg.id}]


def test_https_listener_and_redirect(https_plan: PlanResult) -> None:
    https = only(https_plan, LISTENER, "web-https").inputs
    tg = only(https_plan, "aws:lb/targetGroup:TargetGroup")
    assert (https["port"], https["protocol"], https["sslPolicy"]) == (443, "HTTPS", TLS_POLICY)
    assert https["certificateArn"] == CERT
    assert https["defaultActions"] == [{"type": "forward", "targetGroupArn": tg.id}]
    redirect = only(https_plan, LISTENER, "web-http-redirect").inputs
    assert (redirect["port"], redirect["protocol"]) == (80, "HTTP")
    assert redirect["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]


def test_load_balancer_waits_for_its_own_log_bucket_policy(http_plan: PlanResult) -> None:
    """ELB checks its write access when logging is switched on: the ALB comes after the policy."""
    alb = only(http_plan, "aws:lb/loadBalancer:LoadBalancer")
    policy = only(http_plan, "aws:s3/bucketPolicy:BucketPolicy")
    assert alb.inputs["accessLogs"]["bucket"] == only(http_plan, "aws:s3/bucket:Bucket").outputs["bucket"]
    assert policy.urn in alb.property_dependencies["accessLogs"]


def test_access_log_bucket_is_private_sse_s3_and_expiring(http_plan: PlanResult) -> None:
    bucket = only(http_plan, "aws:s3/bucket:Bucket")
    sse = only(http_plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    # The documented exception to KMS: ALB log delivery accepts only SSE-S3.
    assert sse.inputs["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    assert bucket.inputs["tags"] == {"cicd:purpose": "alb-access-logs"}
    block = only(http_plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert only(http_plan, "aws:s3/bucketVersioning:BucketVersioning").inputs["versioningConfiguration"] == {
        "status": "Enabled"
    }
    ownership = only(http_plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    rule = only(http_plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"][0]
    assert rule["status"] == "Enabled" and rule["expiration"] == {"days": 30}
    policy = json.loads(only(http_plan, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    arn = bucket.outputs["arn"]
    deliver, *denies = policy["Statement"]
    assert deliver == {
        "Sid": "ElbDeliversAccessLogs",
        "Effect": "Allow",
        "Principal": {
            "Service": "logdelivery.elasticloadbalancing.amazonaws.com",
            "AWS": "arn:aws:iam::127311923021:root",  # us-east-1's ELB account
        },
        "Action": ["s3:PutObject"],
        "Resource": f"{arn}/web/AWSLogs/{ACCOUNT}/*",
    }
    insecure = next(s for s in denies if s["Sid"] == "DenyInsecureTransport")
    assert insecure["Effect"] == "Deny" and insecure["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert lint(policy, "bucket-policy") == []


# IAM


def test_execution_role_policy_is_scoped(http_plan: PlanResult) -> None:
    doc = json.loads(only(http_plan, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    log_group = only(http_plan, "aws:cloudwatch/logGroup:LogGroup").outputs["arn"]
    assert doc == execution_role_policy(repository_arn=REPO, log_group_arn=log_group)
    assert {s["Sid"]: s["Resource"] for s in doc["Statement"]} == {
        "LogInToEcr": "*",
        "PullServiceImage": REPO,
        "WriteContainerLogs": [log_group, f"{log_group}:log-stream:*"],
    }
    # No managed policies at all: AmazonECSTaskExecutionRolePolicy grants everything on "*".
    assert http_plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") == []
    assert "managedPolicyArns" not in only(http_plan, ROLE, "web-execution-role").inputs


def test_task_role_has_no_permissions(http_plan: PlanResult) -> None:
    task_role = only(http_plan, ROLE, "web-task-role")
    attached = [r for r in http_plan.resources if r.inputs.get("role") in (task_role.id, task_role.outputs["name"])]
    assert attached == []


def role_documents(result: PlanResult) -> list[tuple[str, dict[str, Any]]]:
    return [(r.name, json.loads(r.inputs["assumeRolePolicy"])) for r in result.of_type(ROLE)]


def test_roles_trusted_by_ecs_tasks_of_this_account_only(http_plan: PlanResult, aws: None) -> None:
    iam = boto3.client("iam", region_name=REGION)
    for name, trust in role_documents(http_plan):
        (stmt,) = trust["Statement"]
        assert stmt["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert stmt["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        accept_trust(iam, name, trust)


def test_execution_policy_accepted_linted_least_privilege(http_plan: PlanResult, aws: None) -> None:
    doc = json.loads(only(http_plan, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    boto3.client("iam", region_name=REGION).create_policy(PolicyName="execution", PolicyDocument=json.dumps(doc))
    assert lint(doc, "identity") == []
    assert over_broad(doc) == []


def test_least_privilege_check_flags_the_managed_policy_shape() -> None:
    """Negative control: the managed execution policy's shape (pull actions on "*") is flagged."""
    doc = execution_role_policy(repository_arn="*", log_group_arn="*")
    assert set(over_broad(doc)) >= {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}


# Contracts: ECS


def register_task_definition_request(inputs: dict[str, Any]) -> dict[str, Any]:
    """Translate the Pulumi inputs (camelCase, JSON string) to RegisterTaskDefinition."""
    return {
        "family": inputs["family"],
        "containerDefinitions": json.loads(inputs["containerDefinitions"]),
        "cpu": inputs["cpu"],
        "memory": inputs["memory"],
        "networkMode": inputs["networkMode"],
        "requiresCompatibilities": inputs["requiresCompatibilities"],
        "executionRoleArn": inputs["executionRoleArn"],
        "taskRoleArn": inputs["taskRoleArn"],
        "runtimePlatform": inputs["runtimePlatform"],
        "volumes": [{"name": v["name"]} for v in inputs["volumes"]],
    }


def test_task_definition_matches_ecs_api(http_plan: PlanResult) -> None:
    request = register_task_definition_request(only(http_plan, "aws:ecs/taskDefinition:TaskDefinition").inputs)
    validate_parameters(request, shape("ecs", "RegisterTaskDefinition"))
    # What the API checks beyond the shape: mounts name declared volumes; awsvpc needs hostPort == containerPort.
    volumes = {v["name"] for v in request["volumes"]}
    for container in request["containerDefinitions"]:
        assert {m["sourceVolume"] for m in container["mountPoints"]} <= volumes
        assert all(p["hostPort"] == p["containerPort"] for p in container["portMappings"])


def test_task_definition_accepted_by_moto(http_plan: PlanResult, aws: None) -> None:
    request = register_task_definition_request(only(http_plan, "aws:ecs/taskDefinition:TaskDefinition").inputs)
    registered = boto3.client("ecs", region_name=REGION).register_task_definition(**request)["taskDefinition"]
    assert registered["containerDefinitions"][0]["readonlyRootFilesystem"] is True
    assert registered["containerDefinitions"][0]["user"] == RUN_AS_USER


def test_ecs_validators_bite(http_plan: PlanResult, aws: None) -> None:
    request = register_task_definition_request(only(http_plan, "aws:ecs/taskDefinition:TaskDefinition").inputs)
    wrong_type = {
        **request,
        "containerDefinitions": [{**request["containerDefinitions"][0], "readonlyRootFilesystem": "yes"}],
    }
    with pytest.raises(ParamValidationError, match="readonlyRootFilesystem"):
        validate_parameters(wrong_type, shape("ecs", "RegisterTaskDefinition"))
    no_memory = {k: v for k, v in request.items() if k != "memory"}
    with pytest.raises(ClientError, match="memory"):
        boto3.client("ecs", region_name=REGION).register_task_definition(**no_memory)


def create_service_request(result: PlanResult) -> dict[str, Any]:
    service = only(result, "aws:ecs/service:Service")
    inputs = service.inputs
    network = inputs["networkConfiguration"]
    return {
        "cluster": inputs["cluster"],
        "serviceName": service.outputs["name"],
        "taskDefinition": inputs["taskDefinition"],
        "desiredCount": inputs["desiredCount"],
        "launchType": inputs["launchType"],
        "loadBalancers": inputs["loadBalancers"],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": network["subnets"],
                "securityGroups": network["securityGroups"],
                "assignPublicIp": "ENABLED" if network["assignPublicIp"] else "DISABLED",
            }
        },
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": inputs["deploymentCircuitBreaker"],
            "maximumPercent": inputs["deploymentMaximumPercent"],
            "minimumHealthyPercent": inputs["deploymentMinimumHealthyPercent"],
        },
        "healthCheckGracePeriodSeconds": inputs["healthCheckGracePeriodSeconds"],
        "enableECSManagedTags": inputs["enableEcsManagedTags"],
        "propagateTags": inputs["propagateTags"],
    }


def test_service_matches_ecs_api(any_plan: PlanResult) -> None:
    validate_parameters(create_service_request(any_plan), shape("ecs", "CreateService"))


# Contracts: ELBv2


def load_balancer_requests(result: PlanResult) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """CreateLoadBalancer, and the attributes ModifyLoadBalancerAttributes would set."""
    alb = only(result, "aws:lb/loadBalancer:LoadBalancer")
    inputs = alb.inputs
    create = {
        "Name": alb.outputs["name"],
        "Subnets": inputs["subnets"],
        "SecurityGroups": inputs["securityGroups"],
        "Scheme": "internal" if inputs["internal"] else "internet-facing",
        "Type": inputs["loadBalancerType"],
        "IpAddressType": "ipv4",
    }
    logs = inputs["accessLogs"]
    attributes = {
        "routing.http.drop_invalid_header_fields.enabled": inputs["dropInvalidHeaderFields"],
        "deletion_protection.enabled": inputs["enableDeletionProtection"],
        "access_logs.s3.enabled": logs["enabled"],
        "access_logs.s3.bucket": logs["bucket"],
        "access_logs.s3.prefix": logs["prefix"],
    }
    return create, [{"Key": k, "Value": str(v).lower() if isinstance(v, bool) else v} for k, v in attributes.items()]


def create_target_group_request(result: PlanResult) -> dict[str, Any]:
    tg = only(result, "aws:lb/targetGroup:TargetGroup")
    inputs, check = tg.inputs, tg.inputs["healthCheck"]
    return {
        "Name": tg.outputs["name"],
        "Protocol": inputs["protocol"],
        "Port": inputs["port"],
        "VpcId": inputs["vpcId"],
        "TargetType": inputs["targetType"],
        "HealthCheckEnabled": check["enabled"],
        "HealthCheckProtocol": check["protocol"],
        "HealthCheckPath": check["path"],
        "HealthCheckIntervalSeconds": check["interval"],
        "HealthCheckTimeoutSeconds": check["timeout"],
        "HealthyThresholdCount": check["healthyThreshold"],
        "UnhealthyThresholdCount": check["unhealthyThreshold"],
        "Matcher": {"HttpCode": check["matcher"]},
    }


def create_listener_request(listener: Registration) -> dict[str, Any]:
    inputs = listener.inputs
    actions = []
    for action in inputs["defaultActions"]:
        if action["type"] == "forward":
            actions.append({"Type": "forward", "TargetGroupArn": action["targetGroupArn"]})
        else:
            r = action["redirect"]
            config = {"Protocol": r["protocol"], "Port": r["port"], "StatusCode": r["statusCode"]}
            actions.append({"Type": "redirect", "RedirectConfig": config})
    request = {
        "LoadBalancerArn": inputs["loadBalancerArn"],
        "Protocol": inputs["protocol"],
        "Port": inputs["port"],
        "DefaultActions": actions,
    }
    if "certificateArn" in inputs:
        request |= {"SslPolicy": inputs["sslPolicy"], "Certificates": [{"CertificateArn": inputs["certificateArn"]}]}
    return request


def test_load_balancer_matches_elbv2_api(any_plan: PlanResult) -> None:
    create, attributes = load_balancer_requests(any_plan)
    validate_parameters(create, shape("elbv2", "CreateLoadBalancer"))
    alb = only(any_plan, "aws:lb/loadBalancer:LoadBalancer")
    validate_parameters(
        {"LoadBalancerArn": alb.id, "Attributes": attributes}, shape("elbv2", "ModifyLoadBalancerAttributes")
    )
    validate_parameters(create_target_group_request(any_plan), shape("elbv2", "CreateTargetGroup"))
    for listener in any_plan.of_type(LISTENER):
        validate_parameters(create_listener_request(listener), shape("elbv2", "CreateListener"))


def test_load_balancer_and_target_group_accepted_by_moto(any_plan: PlanResult, aws: None) -> None:
    """moto knows the real attribute keys and SSL policies; the plan's subnets are stand-ins there."""
    ec2, elbv2 = boto3.client("ec2", region_name=REGION), boto3.client("elbv2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for n, az in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    create, attributes = load_balancer_requests(any_plan)
    arn = elbv2.create_load_balancer(**{**create, "Subnets": subnets, "SecurityGroups": [group]})["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attributes)
    tg = elbv2.create_target_group(**{**create_target_group_request(any_plan), "VpcId": vpc})["TargetGroups"][0]
    assert tg["Matcher"] == {"HttpCode": "200-399"} and tg["TargetType"] == "ip"
    tg_attributes = [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]
    elbv2.modify_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"], Attributes=tg_attributes)
    (policy,) = elbv2.describe_ssl_policies(Names=[TLS_POLICY])["SslPolicies"]
    assert set(policy["SslProtocols"]) == {"TLSv1.2", "TLSv1.3"}


def test_elbv2_validators_bite(http_plan: PlanResult, aws: None) -> None:
    create, _ = load_balancer_requests(http_plan)
    with pytest.raises(ParamValidationError, match="Subnets"):
        validate_parameters({**create, "Subnets": "subnet-0aaa0000000000001"}, shape("elbv2", "CreateLoadBalancer"))
    elbv2 = boto3.client("elbv2", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    arn = elbv2.create_load_balancer(Name="bad", Subnets=[subnet])["LoadBalancers"][0]["LoadBalancerArn"]
    with pytest.raises(ClientError, match="not valid"):
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "routing.http.drop_invalid_headers.enabled", "Value": "true"}]
        )


# Validation and pure functions


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"containerPort": 80}, "container_port 80 must be 1024-65535 (the container runs as a non-root user)"),
        ({"memory": 4096}, "memory 4096 does not fit cpu 256; use 512, 1024, 2048 MiB"),
    ],
    ids=["noncompliant_privileged_port", "noncompliant_fargate_size"],
)
def test_invalid_arguments_fail_with_the_fix(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="EcsService web: ") as raised:
        run_program(PROGRAM, "test", overrides)
    assert message in str(raised.value)


def test_container_definitions_keep_the_image_reference_verbatim() -> None:
    (container,) = container_definitions(
        name="web", image=IMAGE, port=9000, log_group="/ecs/web", region=REGION, stream_prefix="ecs"
    )
    assert container["image"] == IMAGE
    assert container["portMappings"][0]["containerPort"] == 9000
    assert {m["sourceVolume"] for m in container["mountPoints"]} == {v["name"] for v in task_volumes()}


FARGATE_PAIRS = [(cpu, memory) for cpu, sizes in FARGATE_SIZES.items() for memory in sizes]


@given(st.sampled_from(FARGATE_PAIRS))
def test_every_fargate_size_is_accepted(pair: tuple[int, int]) -> None:
    assert fargate_size_error(*pair) is None


@given(st.integers(min_value=1, max_value=200_000), st.integers(min_value=1, max_value=200_000))
def test_fargate_size_error_agrees_with_the_table(cpu: int, memory: int) -> None:
    assert (fargate_size_error(cpu, memory) is None) == ((cpu, memory) in FARGATE_PAIRS)


def test_alb_log_policy_function_scopes_to_account_prefix() -> None:
    doc = alb_access_log_bucket_policy(
        bucket_arn="arn:aws:s3:::logs", prefixes=["svc"], account_id=ACCOUNT, region="us-east-1"
    )
    delivery = doc["Statement"][0]
    assert delivery["Resource"] == f"arn:aws:s3:::logs/svc/AWSLogs/{ACCOUNT}/*"
    assert lint(doc, "bucket-policy") == []
    # Regions from before August 2022 deliver from the regional ELB account as well.
    assert delivery["Principal"] == {
        "Service": "logdelivery.elasticloadbalancing.amazonaws.com",
        "AWS": "arn:aws:iam::127311923021:root",
    }
    newer = alb_access_log_bucket_policy(
        bucket_arn="arn:aws:s3:::logs", prefixes=["svc"], account_id=ACCOUNT, region="ap-southeast-5"
    )
    assert newer["Statement"][0]["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


def test_a_shared_log_bucket_admits_each_prefix_and_no_other() -> None:
    doc = alb_access_log_bucket_policy(
        bucket_arn="arn:aws:s3:::logs", prefixes=["web", "api", "web"], account_id=ACCOUNT, region="eu-west-1"
    )
    allows = [s for s in doc["Statement"] if s["Effect"] == "Allow"]
    assert len(allows) == 1
    assert allows[0]["Resource"] == [
        f"arn:aws:s3:::logs/api/AWSLogs/{ACCOUNT}/*",
        f"arn:aws:s3:::logs/web/AWSLogs/{ACCOUNT}/*",
    ]
    assert lint(doc, "bucket-policy") == []
