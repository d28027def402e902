"""`Network`: the VPC the services run in, either given (existing ids) or created here.

A created network has public subnets (load balancer, NAT) and private subnets (tasks) in N
zones, NAT egress, VPC endpoints so image pulls and logs stay inside AWS, a default security
group with no rules, and flow logs to a KMS-encrypted log group.
"""

import ipaddress
from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from pulumi_aws.cloudwatch.log_group import LogGroup
from pulumi_aws.vpc.security_group_ingress_rule import SecurityGroupIngressRule

from .aws_context import aws_context
from .iam import Document, document, json_output, service_trust, statement
from .package import ComponentArgsError, package_options, type_token
from .validation import (
    MAX_VPC_PREFIX,
    MIN_VPC_PREFIX,
    PRIVATE_SUBNET_EXTRA_BITS,
    PUBLIC_SUBNET_EXTRA_BITS,
    retention_problem,
)

NAT_MODES = ("single", "per-az")
INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "sts")
CREATE_ONLY_KEYS = (
    "cidr_block",
    "availability_zones",
    "nat_gateways",
    "vpc_endpoints",
    "flow_logs_kms_key_arn",
    "log_retention_days",
)
PRIVATE_EXTRA_BITS, PUBLIC_EXTRA_BITS = PRIVATE_SUBNET_EXTRA_BITS, PUBLIC_SUBNET_EXTRA_BITS


def subnet_cidrs(cidr_block: str, zones: int) -> tuple[list[str], list[str]]:
    """(public, private) subnet CIDRs, one per zone, disjoint and inside `cidr_block`.

    Private subnets are the first `zones` eighths of the VPC; public subnets are carved from
    the fifth eighth; the last three eighths stay free for later tiers.
    """
    vpc = ipaddress.IPv4Network(cidr_block)
    if not MIN_VPC_PREFIX <= vpc.prefixlen <= MAX_VPC_PREFIX:
        raise ValueError(f"cidr_block {cidr_block} must be /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}")
    if not 1 <= zones <= 4:
        raise ValueError(f"zones must be 1 to 4, got {zones}")
    eighths = list(vpc.subnets(prefixlen_diff=PRIVATE_EXTRA_BITS))
    private = eighths[:zones]
    public = list(eighths[4].subnets(prefixlen_diff=PUBLIC_EXTRA_BITS - PRIVATE_EXTRA_BITS))[:zones]
    return [str(n) for n in public], [str(n) for n in private]


def flow_log_role_policy(log_group_arn: str) -> Document:
    """Flow logs may write to their own log group and nothing else."""
    return document(
        statement(
            "WriteFlowLogs",
            ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"),
            [log_group_arn, f"{log_group_arn}:log-stream:*"],
        )
    )


class NetworkArgs(TypedDict):
    vpc_id: NotRequired[pulumi.Input[str]]
    """Use this existing VPC (then give both subnet lists, and none of the create-only keys). Default: create one."""
    public_subnet_ids: NotRequired[pulumi.Input[Sequence[str]]]
    """Existing public subnets (load balancers), only with vpc_id. Default: created."""
    private_subnet_ids: NotRequired[pulumi.Input[Sequence[str]]]
    """Existing private subnets (tasks), only with vpc_id. Default: created."""
    cidr_block: NotRequired[str]
    """IPv4 range of the created VPC, /16 to /23. Default: "10.0.0.0/16"."""
    availability_zones: NotRequired[int]
    """Zones to spread subnets over, 2 to 4 (the first N available ones). Default: 2."""
    nat_gateways: NotRequired[str]
    """"single" (cheaper, one zone's outage cuts egress) or "per-az". Default: "per-az"."""
    vpc_endpoints: NotRequired[bool]
    """S3 gateway and ECR, Logs and STS interface endpoints in the private subnets. Default: True."""
    flow_logs_kms_key_arn: NotRequired[pulumi.Input[str]]
    """Key for the flow-log group; required when creating a VPC (flow logs are always on). Default: none."""
    log_retention_days: NotRequired[int]
    """Days flow logs are kept. Default: 30."""


def validate_network_args(name: str, args: NetworkArgs) -> None:
    """Raise ValueError naming every bad combination, before any resource is registered."""
    problems: list[str] = []
    if "vpc_id" in args:
        missing = [k for k in ("public_subnet_ids", "private_subnet_ids") if k not in args]
        if missing:
            problems.append(f"with vpc_id, also give {' and '.join(missing)}")
        empty = [
            k
            for k in ("public_subnet_ids", "private_subnet_ids")
            if isinstance(args.get(k), (list, tuple)) and not args.get(k)
        ]
        if empty:
            problems.append(f"{' and '.join(empty)} must list at least one subnet")
        extra = [k for k in CREATE_ONLY_KEYS if k in args]
        if extra:
            problems.append(f"{', '.join(extra)} only shape a VPC this component creates; remove them or drop vpc_id")
    else:
        given = [k for k in ("public_subnet_ids", "private_subnet_ids") if k in args]
        if given:
            problems.append(f"{' and '.join(given)} need vpc_id; give the existing VPC's id or remove them")
        zones = args.get("availability_zones", 2)
        if not 2 <= zones <= 4:
            problems.append(f"availability_zones must be 2 to 4, got {zones}")
        nat = args.get("nat_gateways", "per-az")
        if nat not in NAT_MODES:
            problems.append(f"nat_gateways must be one of {', '.join(NAT_MODES)}, got {nat!r}")
        cidr = args.get("cidr_block", "10.0.0.0/16")
        try:
            subnet_cidrs(cidr, 2)
        except ValueError as exc:
            problems.append(f"cidr_block: {exc} (an IPv4 network address such as 10.0.0.0/16)")
        if "flow_logs_kms_key_arn" not in args:
            problems.append("give flow_logs_kms_key_arn (for example the artifact store's key) for the flow-log group")
        if problem := retention_problem(args.get("log_retention_days", 30)):
            problems.append(problem)
    if problems:
        raise ComponentArgsError(f"Network {name}: " + "; ".join(problems))


class Network(pulumi.ComponentResource):
    """A given network passed through, or a new VPC with private subnets behind NAT."""

    vpc_id: pulumi.Output[str]
    """The VPC. Always set."""
    vpc_cidr_block: pulumi.Output[str]
    """Its IPv4 range. Always set."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Subnets for internet-facing load balancers, one per zone. Always set."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Subnets for tasks, nodes and deploy steps (no public IPs), one per zone. Always set."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_network_args(name, args)
        super().__init__(type_token("Network"), name, None, package_options(opts, "cicd:network:Network"))
        if "vpc_id" in args:
            self.vpc_id = pulumi.Output.from_input(args["vpc_id"])
            vpc = aws.ec2.get_vpc_output(id=self.vpc_id, opts=pulumi.InvokeOutputOptions(parent=self))
            self.vpc_cidr_block = vpc.cidr_block
            self.public_subnet_ids = pulumi.Output.from_input(args["public_subnet_ids"]).apply(list)
            self.private_subnet_ids = pulumi.Output.from_input(args["private_subnet_ids"]).apply(list)
        else:
            self._create(name, args)
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "vpc_cidr_block": self.vpc_cidr_block,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
            }
        )

    def _create(self, name: str, args: NetworkArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        cidr = args.get("cidr_block", "10.0.0.0/16")
        count = args.get("availability_zones", 2)
        public_cidrs, private_cidrs = subnet_cidrs(cidr, count)
        ctx = aws_context(self)

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": f"{name}-vpc"},
            opts=child,
        )
        # Managing the default group with no rules removes AWS's allow-all-within-group rules.
        aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=vpc.id, tags={"Name": f"{name}-default"}, opts=child)

        available = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOutputOptions(parent=self))
        zones = available.names.apply(lambda names: _first_zones(names, count))

        def subnet(role: str, i: int, block: str) -> aws.ec2.Subnet:
            return aws.ec2.Subnet(
                f"{name}-{role}-{i}",
                vpc_id=vpc.id,
                cidr_block=block,
                availability_zone=zones[i],
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-{role}-{i}", "cicd:tier": role},
                opts=child,
            )

        public = [subnet("public", i, block) for i, block in enumerate(public_cidrs)]
        private = [subnet("private", i, block) for i, block in enumerate(private_cidrs)]

        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags={"Name": f"{name}-igw"}, opts=child)
        public_rt = aws.ec2.RouteTable(f"{name}-public-rt", vpc_id=vpc.id, tags={"Name": f"{name}-public"}, opts=child)
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        for i, sn in enumerate(public):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{i}-rta", subnet_id=sn.id, route_table_id=public_rt.id, opts=child
            )

        nat_count = count if args.get("nat_gateways", "per-az") == "per-az" else 1
        nats = []
        for i in range(nat_count):
            eip = aws.ec2.Eip(f"{name}-nat-{i}-eip", domain="vpc", tags={"Name": f"{name}-nat-{i}"}, opts=child)
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{i}",
                    allocation_id=eip.id,  # a VPC address's id is its allocation id
                    subnet_id=public[i].id,
                    connectivity_type="public",
                    tags={"Name": f"{name}-nat-{i}"},
                    # A NAT gateway only forwards once its subnet routes to the internet.
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )
        private_rts = []
        for i, sn in enumerate(private):
            rt = aws.ec2.RouteTable(
                f"{name}-private-{i}-rt", vpc_id=vpc.id, tags={"Name": f"{name}-private-{i}"}, opts=child
            )
            aws.ec2.Route(
                f"{name}-private-{i}-default",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nats[i % nat_count].id,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(f"{name}-private-{i}-rta", subnet_id=sn.id, route_table_id=rt.id, opts=child)
            private_rts.append(rt)

        if args.get("vpc_endpoints", True):
            self._endpoints(name, vpc, ctx.region, private, private_rts)
        self._flow_logs(name, vpc, args, ctx.account_id)

        self.vpc_id = vpc.id
        self.vpc_cidr_block = vpc.cidr_block
        self.public_subnet_ids = pulumi.Output.all(*[sn.id for sn in public])
        self.private_subnet_ids = pulumi.Output.all(*[sn.id for sn in private])

    def _endpoints(
        self,
        name: str,
        vpc: aws.ec2.Vpc,
        region: pulumi.Output[str],
        private: list[aws.ec2.Subnet],
        route_tables: list[aws.ec2.RouteTable],
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        aws.ec2.VpcEndpoint(
            f"{name}-endpoint-s3",
            vpc_id=vpc.id,
            service_name=pulumi.Output.concat("com.amazonaws.", region, ".s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=[rt.id for rt in route_tables],
            tags={"Name": f"{name}-s3"},
            opts=child,
        )
        sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg",
            vpc_id=vpc.id,
            description="HTTPS from inside the VPC to its interface endpoints",
            tags={"Name": f"{name}-endpoints"},
            opts=child,
        )
        # No egress rule: endpoints only answer, and security groups are stateful.
        SecurityGroupIngressRule(
            f"{name}-endpoints-https",
            security_group_id=sg.id,
            description="HTTPS from the VPC",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=vpc.cidr_block,
            opts=child,
        )
        for service in INTERFACE_ENDPOINTS:
            aws.ec2.VpcEndpoint(
                f"{name}-endpoint-{service.replace('.', '-')}",
                vpc_id=vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", region, f".{service}"),
                vpc_endpoint_type="Interface",
                subnet_ids=[sn.id for sn in private],
                security_group_ids=[sg.id],
                private_dns_enabled=True,
                tags={"Name": f"{name}-{service}"},
                opts=child,
            )

    def _flow_logs(self, name: str, vpc: aws.ec2.Vpc, args: NetworkArgs, account_id: pulumi.Output[str]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        log_group = LogGroup(
            f"{name}-flow-logs",
            name_prefix=f"/aws/vpc/flow-logs/{name}-",
            retention_in_days=args.get("log_retention_days", 30),
            kms_key_id=args["flow_logs_kms_key_arn"],
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            description=f"VPC flow logs of {name}",
            assume_role_policy=json_output(service_trust, service="vpc-flow-logs.amazonaws.com", account_id=account_id),
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-flow-logs-policy",
            role=role.id,
            policy=json_output(flow_log_role_policy, log_group_arn=log_group.arn),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags={"Name": f"{name}-flow-log"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )


def _first_zones(names: list[str], count: int) -> list[str]:
    if len(names) < count:
        raise ValueError(
            f"availability_zones: got {count}, but {names[0][:-1] if names else 'the region'} has only {len(names)} "
            f"available zones ({', '.join(names)}); "
            f"set availability_zones to at most {len(names)}"
        )
    return names[:count]
