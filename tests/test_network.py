"""`Network`: created (2 zones with one NAT, 3 zones with a NAT per zone) and given (existing ids).

Checks the children and their security-relevant inputs, the subnet plan (hypothesis), the flow-log
role (moto, parliament, policy_sentry) and the EC2 API shapes (botocore)."""

from __future__ import annotations

import ipaddress
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws

from components.network import NetworkArgs, _first_zones, flow_log_role_policy, subnet_cidrs, validate_network_args
from preflight.engine import PlanResult, Registration, run_program
from tests.test_iam_contracts import accept_trust, lint, over_broad

PROGRAM = Path(__file__).resolve().parent / "programs" / "network"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs/net-0a1b2c3"
EC2 = botocore.session.get_session().get_service_model("ec2")

VPC, SUBNET, ROUTE, RTA = (
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
)
RT, NAT, EIP, IGW = (
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/internetGateway:InternetGateway",
)
ENDPOINT, SG = "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/securityGroup:SecurityGroup"
INGRESS, EGRESS = (
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
)
DEFAULT_SG, FLOW_LOG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/flowLog:FlowLog"
LOG_GROUP_TYPE, ROLE, ROLE_POLICY = (
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
)


def run(args: dict[str, Any]) -> PlanResult:
    return run_program(PROGRAM, "test", {"args": args})


@pytest.fixture(scope="module")
def two_az_single() -> PlanResult:
    return run({"availability_zones": 2, "nat_gateways": "single", "flow_logs_kms_key_arn": KEY})


@pytest.fixture(scope="module")
def three_az_per_az() -> PlanResult:
    return run(
        {"availability_zones": 3, "nat_gateways": "per-az", "flow_logs_kms_key_arn": KEY, "cidr_block": "10.20.0.0/20"}
    )


CREATED = {"two_az_single": (2, 1, "10.0.0.0/16"), "three_az_per_az": (3, 3, "10.20.0.0/20")}


@pytest.fixture(params=CREATED.keys())
def created(request: pytest.FixtureRequest) -> tuple[PlanResult, int, int, str]:
    zones, nats, cidr = CREATED[request.param]
    return request.getfixturevalue(request.param), zones, nats, cidr


def children(result: PlanResult) -> list[Registration]:
    component = next(r for r in result.resources if r.type == "container-delivery:index:Network")
    return [r for r in result.resources if r.parent == component.urn]


def of(result: PlanResult, type_: str) -> list[Registration]:
    return sorted(result.of_type(type_), key=lambda r: r.name)


def named(result: PlanResult, name: str) -> Registration:
    return next(r for r in result.resources if r.name == name)


# Created network: structure


def test_children_counts_and_types(created: tuple[PlanResult, int, int, str]) -> None:
    result, zones, nats, _ = created
    assert Counter(r.type for r in children(result)) == {
        VPC: 1, DEFAULT_SG: 1, SUBNET: 2 * zones, IGW: 1, RT: 1 + zones, ROUTE: 1 + zones, RTA: 2 * zones,
        EIP: nats, NAT: nats, ENDPOINT: 5, SG: 1, INGRESS: 1,
        LOG_GROUP_TYPE: 1, ROLE: 1, ROLE_POLICY: 1, FLOW_LOG: 1,
    }  # fmt: skip
    assert all(r.custom for r in children(result))
    assert not result.of_type(EGRESS)


def test_child_names_two_zones(two_az_single: PlanResult) -> None:
    assert {r.name for r in children(two_az_single)} == {
        "net-vpc", "net-default-sg", "net-igw", "net-public-rt", "net-public-default",
        "net-public-0", "net-public-1", "net-private-0", "net-private-1",
        "net-public-0-rta", "net-public-1-rta", "net-private-0-rta", "net-private-1-rta",
        "net-private-0-rt", "net-private-1-rt", "net-private-0-default", "net-private-1-default",
        "net-nat-0", "net-nat-0-eip",
        "net-endpoint-s3", "net-endpoint-ecr-api", "net-endpoint-ecr-dkr", "net-endpoint-logs", "net-endpoint-sts",
        "net-endpoints-sg", "net-endpoints-https",
        "net-flow-logs", "net-flow-logs-role", "net-flow-logs-policy", "net-flow-log",
    }  # fmt: skip


def test_vpc_dns_and_locked_default_group(created: tuple[PlanResult, int, int, str]) -> None:
    result, _, _, cidr = created
    (vpc,) = result.of_type(VPC)
    assert vpc.inputs["cidrBlock"] == cidr
    assert vpc.inputs["enableDnsHostnames"] is True and vpc.inputs["enableDnsSupport"] is True
    (default,) = result.of_type(DEFAULT_SG)
    assert default.inputs["vpcId"] == vpc.id
    assert not default.inputs.get("ingress") and not default.inputs.get("egress")


def test_subnets_follow_the_plan_and_map_no_public_ips(created: tuple[PlanResult, int, int, str]) -> None:
    result, zones, _, cidr = created
    public, private = subnet_cidrs(cidr, zones)
    azs = ["us-east-1a", "us-east-1b", "us-east-1c"][:zones]
    for role, blocks in (("public", public), ("private", private)):
        subnets = [named(result, f"net-{role}-{i}") for i in range(zones)]
        assert [s.inputs["cidrBlock"] for s in subnets] == blocks
        assert [s.inputs["availabilityZone"] for s in subnets] == azs
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in result.of_type(SUBNET))
    assert {s.inputs["vpcId"] for s in result.of_type(SUBNET)} == {result.of_type(VPC)[0].id}


def test_public_subnets_route_to_the_internet_gateway(created: tuple[PlanResult, int, int, str]) -> None:
    result, zones, _, _ = created
    (igw,) = result.of_type(IGW)
    public_rt = named(result, "net-public-rt")
    route = named(result, "net-public-default")
    assert route.inputs == {"routeTableId": public_rt.id, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": igw.id}
    for i in range(zones):
        rta = named(result, f"net-public-{i}-rta")
        assert rta.inputs == {"subnetId": named(result, f"net-public-{i}").id, "routeTableId": public_rt.id}


def test_private_subnets_route_through_their_nat(created: tuple[PlanResult, int, int, str]) -> None:
    result, zones, nats, _ = created
    for i in range(nats):
        nat = named(result, f"net-nat-{i}")
        assert nat.inputs["subnetId"] == named(result, f"net-public-{i}").id
        assert nat.inputs["allocationId"] == named(result, f"net-nat-{i}-eip").id
        assert named(result, f"net-nat-{i}-eip").inputs["domain"] == "vpc"
    for i in range(zones):
        rt = named(result, f"net-private-{i}-rt")
        route = named(result, f"net-private-{i}-default")
        # One NAT: every zone uses it. A NAT per zone: each zone uses its own, so one zone's outage stays local.
        nat = named(result, f"net-nat-{i if nats == zones else 0}")
        assert route.inputs == {"routeTableId": rt.id, "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": nat.id}
        rta = named(result, f"net-private-{i}-rta")
        assert rta.inputs == {"subnetId": named(result, f"net-private-{i}").id, "routeTableId": rt.id}
    assert not any("gatewayId" in r.inputs for r in result.of_type(ROUTE) if r.name.startswith("net-private"))


def test_endpoints(created: tuple[PlanResult, int, int, str]) -> None:
    result, zones, _, _ = created
    endpoints = {r.inputs["serviceName"]: r for r in result.of_type(ENDPOINT)}
    assert {name: r.inputs["vpcEndpointType"] for name, r in endpoints.items()} == {
        "com.amazonaws.us-east-1.s3": "Gateway",
        "com.amazonaws.us-east-1.ecr.api": "Interface",
        "com.amazonaws.us-east-1.ecr.dkr": "Interface",
        "com.amazonaws.us-east-1.logs": "Interface",
        "com.amazonaws.us-east-1.sts": "Interface",
    }
    private_rts = [named(result, f"net-private-{i}-rt").id for i in range(zones)]
    assert endpoints.pop("com.amazonaws.us-east-1.s3").inputs["routeTableIds"] == private_rts
    (sg,) = result.of_type(SG)
    private = [named(result, f"net-private-{i}").id for i in range(zones)]
    for endpoint in endpoints.values():
        assert endpoint.inputs["subnetIds"] == private
        assert endpoint.inputs["securityGroupIds"] == [sg.id]
        assert endpoint.inputs["privateDnsEnabled"] is True


def test_endpoint_group_allows_only_https_from_the_vpc(created: tuple[PlanResult, int, int, str]) -> None:
    result, _, _, cidr = created
    (sg,) = result.of_type(SG)
    assert sg.inputs["vpcId"] == result.of_type(VPC)[0].id
    assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")
    rules = [r for r in result.of_type(INGRESS) + result.of_type(EGRESS) if r.inputs["securityGroupId"] == sg.id]
    assert [(r.type, {k: v for k, v in r.inputs.items() if k != "description"}) for r in rules] == [
        (
            INGRESS,
            {"securityGroupId": sg.id, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": cidr},
        )
    ]


def test_without_endpoints_no_endpoint_resources() -> None:
    result = run({"vpc_endpoints": False, "flow_logs_kms_key_arn": KEY})
    assert not result.of_type(ENDPOINT) and not result.of_type(SG) and not result.of_type(INGRESS)
    assert len(result.of_type(NAT)) == 2  # per-az is the default


# Flow logs


def test_flow_log_to_encrypted_group(created: tuple[PlanResult, int, int, str]) -> None:
    result, _, _, _ = created
    (group,) = result.of_type(LOG_GROUP_TYPE)
    assert group.inputs["kmsKeyId"] == KEY and group.inputs["retentionInDays"] == 30
    (role,) = result.of_type(ROLE)
    (flow,) = result.of_type(FLOW_LOG)
    assert flow.inputs["vpcId"] == result.of_type(VPC)[0].id
    assert flow.inputs["trafficType"] == "ALL"
    assert flow.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow.inputs["logDestination"] == group.outputs["arn"]
    assert flow.inputs["iamRoleArn"] == role.outputs["arn"]
    assert named(result, "net-flow-logs-policy").urn in flow.dependencies
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [(s["Principal"], s["Condition"]) for s in trust] == [
        ({"Service": "vpc-flow-logs.amazonaws.com"}, {"StringEquals": {"aws:SourceAccount": "123456789012"}})
    ]
    policy = json.loads(named(result, "net-flow-logs-policy").inputs["policy"])
    assert policy == flow_log_role_policy(group.outputs["arn"])


def test_retention_is_configurable() -> None:
    result = run({"flow_logs_kms_key_arn": KEY, "log_retention_days": 365})
    assert result.of_type(LOG_GROUP_TYPE)[0].inputs["retentionInDays"] == 365


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def test_flow_log_role_documents_pass_iam_parliament_policy_sentry(two_az_single: PlanResult, iam: Any) -> None:
    role = two_az_single.of_type(ROLE)[0]
    accept_trust(iam, "flow-logs", json.loads(role.inputs["assumeRolePolicy"]))
    planned = json.loads(two_az_single.of_type(ROLE_POLICY)[0].inputs["policy"])
    for n, doc in enumerate((planned, flow_log_role_policy(LOG_GROUP))):
        iam.create_policy(PolicyName=f"flow-logs-{n}", PolicyDocument=json.dumps(doc))
        assert lint(doc, "identity") == []
        assert over_broad(doc) == []
        assert {a for s in doc["Statement"] for a in s["Action"]} == {
            "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"
        }  # fmt: skip
        assert all(
            r.startswith("arn:aws:logs:") and "*" not in r.split(":log-stream:")[0]
            for s in doc["Statement"]
            for r in s["Resource"]
        )


# Existing network


def test_existing_network_registers_nothing_and_passes_ids_through() -> None:
    result = run(
        {
            "vpc_id": "vpc-0abc",
            "public_subnet_ids": ["subnet-p1", "subnet-p2"],
            "private_subnet_ids": ["subnet-q1", "subnet-q2"],
        }
    )
    assert children(result) == []
    assert not [r for r in result.resources if r.custom]
    assert result.stack_outputs() == {
        "vpc_id": "vpc-0abc",
        "vpc_cidr_block": "10.0.0.0/16",
        "public_subnet_ids": ["subnet-p1", "subnet-p2"],
        "private_subnet_ids": ["subnet-q1", "subnet-q2"],
    }
    assert [(i.token, i.args) for i in result.invokes if i.token == "aws:ec2/getVpc:getVpc"] == [
        ("aws:ec2/getVpc:getVpc", {"id": "vpc-0abc"})
    ]


def test_created_network_outputs(two_az_single: PlanResult) -> None:
    outputs = two_az_single.stack_outputs()
    assert outputs["vpc_id"] == two_az_single.of_type(VPC)[0].id
    assert outputs["vpc_cidr_block"] == "10.0.0.0/16"
    assert outputs["public_subnet_ids"] == [named(two_az_single, f"net-public-{i}").id for i in range(2)]
    assert outputs["private_subnet_ids"] == [named(two_az_single, f"net-private-{i}").id for i in range(2)]


# Bad combinations

SUBNETS = {"public_subnet_ids": ["subnet-p"], "private_subnet_ids": ["subnet-q"]}
BAD: dict[str, tuple[dict[str, Any], str]] = {
    "noncompliant_vpc_without_subnets": (
        {"vpc_id": "vpc-1"},
        "with vpc_id, also give public_subnet_ids and private_subnet_ids",
    ),
    "noncompliant_vpc_without_private": (
        {"vpc_id": "vpc-1", "public_subnet_ids": ["subnet-p"]},
        "with vpc_id, also give private_subnet_ids",
    ),
    "noncompliant_empty_subnets": (
        {"vpc_id": "vpc-1", **SUBNETS, "private_subnet_ids": []},
        "private_subnet_ids must list at least one subnet",
    ),
    "noncompliant_subnets_without_vpc": (
        {"public_subnet_ids": ["subnet-p"], "flow_logs_kms_key_arn": KEY},
        "public_subnet_ids need vpc_id; give the existing VPC's id or remove them",
    ),
    "noncompliant_create_keys_with_vpc": (
        {"vpc_id": "vpc-1", **SUBNETS, "cidr_block": "10.0.0.0/16", "nat_gateways": "single"},
        "cidr_block, nat_gateways only shape a VPC this component creates; remove them or drop vpc_id",
    ),
    "noncompliant_one_zone": (
        {"availability_zones": 1, "flow_logs_kms_key_arn": KEY},
        "availability_zones must be 2 to 4, got 1",
    ),
    "noncompliant_five_zones": (
        {"availability_zones": 5, "flow_logs_kms_key_arn": KEY},
        "availability_zones must be 2 to 4, got 5",
    ),
    "noncompliant_nat_mode": (
        {"nat_gateways": "none", "flow_logs_kms_key_arn": KEY},
        "nat_gateways must be one of single, per-az, got 'none'",
    ),
    "noncompliant_cidr_too_small": (
        {"cidr_block": "10.0.0.0/24", "flow_logs_kms_key_arn": KEY},
        "cidr_block: cidr_block 10.0.0.0/24 must be /16 to /23",
    ),
    "noncompliant_cidr_host_bits": (
        {"cidr_block": "10.0.0.1/16", "flow_logs_kms_key_arn": KEY},
        "cidr_block: 10.0.0.1/16 has host bits set",
    ),
    "noncompliant_no_flow_log_key": (
        {},
        "give flow_logs_kms_key_arn (for example the artifact store's key) for the flow-log group",
    ),
    "noncompliant_retention": (
        {"flow_logs_kms_key_arn": KEY, "log_retention_days": 0},
        "log_retention_days 0 is not a CloudWatch Logs retention; use one of 1, 3, 5",
    ),
    "noncompliant_retention_cloudwatch_refuses": (
        {"flow_logs_kms_key_arn": KEY, "log_retention_days": 45},
        "log_retention_days 45 is not a CloudWatch Logs retention",
    ),
}


@pytest.mark.parametrize(("args", "message"), BAD.values(), ids=BAD.keys())
def test_bad_combinations_raise(args: NetworkArgs, message: str) -> None:
    with pytest.raises(ValueError, match=r"^Network net: ") as raised:
        validate_network_args("net", args)
    assert message in str(raised.value)


def test_bad_combination_fails_before_any_registration() -> None:
    with pytest.raises(
        ValueError, match="Network net: with vpc_id, also give public_subnet_ids and private_subnet_ids"
    ):
        run({"vpc_id": "vpc-1"})


def test_all_problems_reported_at_once() -> None:
    with pytest.raises(ValueError) as raised:
        validate_network_args("net", {"availability_zones": 9, "nat_gateways": "one"})
    assert str(raised.value).count(";") == 2


def test_compliant_defaults_validate() -> None:
    validate_network_args("net", {"flow_logs_kms_key_arn": KEY})
    validate_network_args("net", {"vpc_id": "vpc-1", **SUBNETS})  # type: ignore[typeddict-item]


def test_more_zones_than_the_region_has_says_how_many_exist() -> None:
    """Checked when the zone list arrives (an apply), so tested directly: the mock region has three zones."""
    assert _first_zones(["us-east-1a", "us-east-1b", "us-east-1c"], 2) == ["us-east-1a", "us-east-1b"]
    with pytest.raises(
        ValueError, match=r"got 4, but us-east-1 has only 3 available zones .*; set availability_zones to at most 3"
    ):
        _first_zones(["us-east-1a", "us-east-1b", "us-east-1c"], 4)


# Subnet plan (pure)


@st.composite
def vpcs(draw: st.DrawFn) -> str:
    prefix = draw(st.integers(16, 23))
    address = draw(st.integers(0, 2**32 - 1))
    return str(ipaddress.IPv4Network((address, prefix), strict=False))


@given(cidr=vpcs(), zones=st.integers(1, 4))
def test_subnet_plan_is_disjoint_inside_the_vpc(cidr: str, zones: int) -> None:
    public, private = subnet_cidrs(cidr, zones)
    vpc = ipaddress.IPv4Network(cidr)
    nets = [ipaddress.IPv4Network(n) for n in public + private]
    assert len(public) == len(private) == zones
    assert all(n.subnet_of(vpc) for n in nets)
    assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    assert all(n.prefixlen <= 28 for n in nets)  # AWS's smallest subnet
    assert all(
        ipaddress.IPv4Network(p).num_addresses >= ipaddress.IPv4Network(q).num_addresses / 4
        for p, q in zip(private, public, strict=True)
    )
    assert subnet_cidrs(cidr, zones) == (public, private)


def test_subnet_plan_for_the_default_vpc() -> None:
    assert subnet_cidrs("10.0.0.0/16", 2) == (["10.0.128.0/21", "10.0.136.0/21"], ["10.0.0.0/19", "10.0.32.0/19"])


@pytest.mark.parametrize("cidr", ["10.0.0.0/15", "10.0.0.0/24", "10.0.0.1/16", "fd00::/56", "not-a-cidr"])
def test_subnet_plan_rejects_bad_vpcs(cidr: str) -> None:
    with pytest.raises(ValueError):
        subnet_cidrs(cidr, 2)


# EC2 API shapes (botocore)


def tags(resource_type: str, reg: Registration) -> list[dict[str, Any]]:
    return [
        {"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in reg.inputs.get("tags", {}).items()]}
    ]


def create_vpc_endpoint(reg: Registration) -> dict[str, Any]:
    i = reg.inputs
    params = {
        "VpcId": i["vpcId"],
        "ServiceName": i["serviceName"],
        "VpcEndpointType": i["vpcEndpointType"],
        "TagSpecifications": tags("vpc-endpoint", reg),
    }
    if i["vpcEndpointType"] == "Gateway":
        params["RouteTableIds"] = i["routeTableIds"]
    else:
        params |= {
            "SubnetIds": i["subnetIds"],
            "SecurityGroupIds": i["securityGroupIds"],
            "PrivateDnsEnabled": i["privateDnsEnabled"],
        }
    return params


def create_subnet(reg: Registration) -> dict[str, Any]:
    i = reg.inputs
    return {
        "VpcId": i["vpcId"],
        "CidrBlock": i["cidrBlock"],
        "AvailabilityZone": i["availabilityZone"],
        "TagSpecifications": tags("subnet", reg),
    }


def create_flow_logs(reg: Registration) -> dict[str, Any]:
    i = reg.inputs
    return {
        "ResourceIds": [i["vpcId"]], "ResourceType": "VPC", "TrafficType": i["trafficType"],
        "LogDestinationType": i["logDestinationType"], "LogDestination": i["logDestination"],
        "DeliverLogsPermissionArn": i["iamRoleArn"], "MaxAggregationInterval": i["maxAggregationInterval"],
        "TagSpecifications": tags("vpc-flow-log", reg),
    }  # fmt: skip


def check(operation: str, params: dict[str, Any]) -> None:
    """botocore's validator, plus the enums it leaves unchecked."""
    shape = EC2.operation_model(operation).input_shape
    validate_parameters(params, shape)
    for key, value in params.items():
        member = shape.members[key]
        if getattr(member, "enum", None):
            assert value in member.enum, f"{operation}.{key}={value!r} not in {member.enum}"


CONTRACTS = {
    "CreateVpcEndpoint": (ENDPOINT, create_vpc_endpoint),
    "CreateSubnet": (SUBNET, create_subnet),
    "CreateFlowLogs": (FLOW_LOG, create_flow_logs),
}


@pytest.mark.parametrize("operation", CONTRACTS.keys())
def test_requests_match_the_ec2_api(created: tuple[PlanResult, int, int, str], operation: str) -> None:
    result = created[0]
    type_, translate = CONTRACTS[operation]
    assert result.of_type(type_)
    for reg in result.of_type(type_):
        check(operation, translate(reg))


def test_botocore_rejects_a_wrong_endpoint(two_az_single: PlanResult) -> None:
    """Negative controls: a missing VpcId, a wrong type and an unknown enum value are caught."""
    request = create_vpc_endpoint(named(two_az_single, "net-endpoint-ecr-api"))
    with pytest.raises(ParamValidationError, match="VpcId"):
        check("CreateVpcEndpoint", {k: v for k, v in request.items() if k != "VpcId"})
    with pytest.raises(ParamValidationError, match="PrivateDnsEnabled"):
        check("CreateVpcEndpoint", {**request, "PrivateDnsEnabled": "yes"})
    with pytest.raises(AssertionError, match="VpcEndpointType"):
        check("CreateVpcEndpoint", {**request, "VpcEndpointType": "interface"})
    with pytest.raises(ParamValidationError, match="SubnetIds"):
        check("CreateSubnet", {**create_subnet(named(two_az_single, "net-private-0")), "SubnetIds": ["x"]})
