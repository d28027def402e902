"""`EcsService`: a Fargate service in private subnets behind an internet-facing ALB.

The service runs the image it is given. Per DESIGN.md ("Ownership of the running image") that is
the image the pipeline last recorded, so every `pulumi up` rebuilds the task definition from it
and infrastructure changes ship together with the running image; nothing here ignores the task
definition.
"""

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from pulumi_aws.cloudwatch.log_group import LogGroup
from pulumi_aws.vpc.security_group_egress_rule import SecurityGroupEgressRule
from pulumi_aws.vpc.security_group_ingress_rule import SecurityGroupIngressRule
from pulumi_aws.wafv2.web_acl_association import WebAclAssociation

from policies.rules.contract import TLS_POLICY

from . import naming
from .alb_access_logs import alb_access_log_bucket
from .aws_context import aws_context
from .container_definitions import container_definitions, task_volumes
from .deployment_strategy import (
    ReleaseArgs,
    deployment_configuration,
    needs_alternate_target_group,
    release_from_args,
    release_problems,
)
from .iam import Document, document, json_output, pull_through_statements, service_trust, statement
from .package import ComponentArgsError, package_options, type_token
from .service_alarms import ServiceAlarms, alarm_names
from .validation import fargate_size_error, retention_problem

ANYWHERE = "0.0.0.0/0"
# What ECS needs to move traffic between the two target groups of a blue/green, canary or linear release.
ECS_LOAD_BALANCER_POLICY = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
ECR_PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def execution_role_policy(
    *, repository_arn: str, log_group_arn: str, pull_through_cache_arns: Sequence[str] = ()
) -> Document:
    """What ECS needs to start the task: pull this service's image (or the bootstrap image
    through the stack's pull-through cache), write to its log group.
    Written out instead of AmazonECSTaskExecutionRolePolicy, which grants all of it on `*`."""
    return document(
        # GetAuthorizationToken is account-wide: IAM accepts no resource for it.
        statement("LogInToEcr", ("ecr:GetAuthorizationToken",), ["*"]),
        statement("PullServiceImage", ECR_PULL_ACTIONS, [repository_arn]),
        statement(
            "WriteContainerLogs",
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            [log_group_arn, f"{log_group_arn}:log-stream:*"],
        ),
        *(pull_through_statements(pull_through_cache_arns) if pull_through_cache_arns else []),
    )


class EcsServiceArgs(TypedDict):
    cluster_arn: pulumi.Input[str]
    """Cluster the service runs in. Required."""
    cluster_name: pulumi.Input[str]
    """Name of that cluster; passed through as an output for the pipeline's deploy action. Required."""
    vpc_id: pulumi.Input[str]
    """VPC of the subnets, security groups and target group. Required."""
    vpc_cidr_block: pulumi.Input[str]
    """CIDR of that VPC (accepted for the caller's wiring; no rule opens it). Required."""
    public_subnet_ids: pulumi.Input[Sequence[str]]
    """Subnets of the internet-facing load balancer (two or more AZs). Required."""
    private_subnet_ids: pulumi.Input[Sequence[str]]
    """Subnets of the tasks; they need a NAT gateway or VPC endpoints for ECR, S3 and Logs. Required."""
    image: pulumi.Input[str]
    """Image the service runs, e.g. `repo@sha256:...`: the image the pipeline recorded. Required."""
    container_name: str
    """Container name; the pipeline's imagedefinitions.json must use the same. Required."""
    kms_key_arn: pulumi.Input[str]
    """Key that encrypts the container log group. Required."""
    repository_arn: pulumi.Input[str]
    """ECR repository the execution role may pull from. Required."""
    pull_through_cache_arns: NotRequired[pulumi.Input[Sequence[str]]]
    """Repositories of the stack's pull-through cache (`PullThroughCache.repository_arns`), where the
    bootstrap image comes from; the execution role may pull through them. Default: none."""
    container_port: NotRequired[int]
    """Port the container listens on (1024 or higher: it runs as a non-root user). Default: 8080."""
    health_check_path: NotRequired[str]
    """Path of the load balancer's HTTP health check. Default: /healthz."""
    cpu: NotRequired[int]
    """Fargate CPU units. Default: 256."""
    memory: NotRequired[int]
    """Fargate memory in MiB, valid for `cpu`. Default: 512."""
    desired_count: NotRequired[int]
    """Tasks to run. Default: 2."""
    log_retention_days: NotRequired[int]
    """Days container logs and ALB access logs are kept. Default: 30."""
    certificate_arn: NotRequired[pulumi.Input[str]]
    """ACM certificate: HTTPS on 443 and HTTP redirected to it. Default: none (plain HTTP on 80)."""
    protect: NotRequired[bool]
    """ALB deletion protection; protects the access-log bucket too. Default: True."""
    health_check_grace_seconds: NotRequired[int]
    """Seconds ECS ignores failing ALB health checks of a new task. Default: 60."""
    access_logs_bucket_name: NotRequired[pulumi.Input[str]]
    """A shared bucket for ALB access logs, written under `<name>/`: `AlbAccessLogs.bucket_name`
    (SSE-S3, a delivery policy for that prefix, known only once the policy is in place).
    Default: the service creates a bucket of its own."""
    environment: NotRequired[Mapping[str, str]]
    """Plain environment variables for the container (never secrets); PORT is always set. Default: none."""
    release: NotRequired[ReleaseArgs]
    """Deployment strategy: rolling, or ECS-native blue/green, canary or linear with a bake time (an alternate
    target group, a production listener rule and an infrastructure role). Default: rolling, bake 10 minutes."""
    latency_threshold_ms: NotRequired[int]
    """p99 target response time (ms) above which the latency alarm fires (and ECS rolls back). Default: 1000."""
    web_acl_arn: NotRequired[pulumi.Input[str]]
    """AWS WAF web ACL (`WebAcl.web_acl_arn`) associated with the load balancer. Default: none."""


class EcsService(pulumi.ComponentResource):
    """Fargate tasks in private subnets (no public IP), reachable only through the ALB; a
    deployment circuit breaker rolls back failed deployments; distinct execution and task roles."""

    service_name: pulumi.Output[str]
    """The ECS service's name. Always set."""
    service_arn: pulumi.Output[str]
    """The ECS service's ARN. Always set."""
    cluster_name: pulumi.Output[str]
    """The cluster it runs in (passed through for the deploy action). Always set."""
    task_definition_arn: pulumi.Output[str]
    """The task definition revision Pulumi registered. Always set."""
    task_family: pulumi.Output[str]
    """The task-definition family; the pipeline registers new revisions in it. Always set."""
    execution_role_arn: pulumi.Output[str]
    """The task execution role (image pull, log writes). Always set."""
    task_role_arn: pulumi.Output[str]
    """The task role the application runs as. Always set."""
    load_balancer_dns_name: pulumi.Output[str]
    """The load balancer's DNS name. Always set."""
    url: pulumi.Output[str]
    """http(s)://<load balancer>: https when a certificate is given. Always set."""
    target_group_arn: pulumi.Output[str]
    """The target group the tasks register in. Always set."""
    container_name: pulumi.Output[str]
    """The container's name, which imagedefinitions.json names. Always set."""
    alarm_names: pulumi.Output[list[str]]
    """The service's alarms (5xx rate, p99 latency, unhealthy targets): deployments roll back on them and the
    pipeline's bake gate watches them. Always set."""

    def __init__(self, name: str, args: EcsServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("EcsService"), name, None, package_options(opts, "cicd:ecs_service:EcsService"))
        port = args.get("container_port", 8080)
        path = args.get("health_check_path", "/healthz")
        cpu, memory = args.get("cpu", 256), args.get("memory", 512)
        count = args.get("desired_count", 2)
        retention = args.get("log_retention_days", 30)
        grace = args.get("health_check_grace_seconds", 60)
        environment = dict(args.get("environment", {}))
        protect = args.get("protect", True)
        https = "certificate_arn" in args
        release = release_from_args(args.get("release", {}))
        _validate(name, args["container_name"], port, path, cpu, memory, count, retention, grace)
        if problems := release_problems(release):
            raise ValueError(f"EcsService {name}: release " + "; ".join(problems))
        child = pulumi.ResourceOptions(parent=self)
        ctx = aws_context(self)

        self.log_group = LogGroup(
            f"{name}-logs",
            name_prefix=naming.ecs_log_group_prefix(name),
            retention_in_days=retention,
            kms_key_id=args["kms_key_arn"],
            opts=child,
        )
        ecs_trust = json_output(service_trust, service="ecs-tasks.amazonaws.com", account_id=ctx.account_id)
        self.execution_role = aws.iam.Role(
            f"{name}-execution-role",
            description=f"ECS starts {name} tasks: image pull, logs",
            assume_role_policy=ecs_trust,
            max_session_duration=3600,
            opts=child,
        )
        execution_policy = aws.iam.RolePolicy(
            f"{name}-execution-policy",
            role=self.execution_role.id,
            policy=json_output(
                execution_role_policy,
                repository_arn=args["repository_arn"],
                log_group_arn=self.log_group.arn,
                pull_through_cache_arns=args.get("pull_through_cache_arns", []),
            ),
            opts=child,
        )
        # The application's own AWS identity: no permissions until the caller attaches some.
        self.task_role = aws.iam.Role(
            f"{name}-task-role",
            description=f"Application identity of {name} tasks",
            assume_role_policy=ecs_trust,
            max_session_duration=3600,
            opts=child,
        )

        family = re.sub(r"[^A-Za-z0-9_-]", "-", f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}")[:255]
        definitions = pulumi.Output.all(image=args["image"], group=self.log_group.name, region=ctx.region).apply(
            lambda v: json.dumps(
                container_definitions(
                    name=args["container_name"],
                    image=v["image"],
                    port=port,
                    log_group=v["group"],
                    region=v["region"],
                    stream_prefix="ecs",
                    environment=environment,
                )
            )
        )
        self.task_definition = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=family,
            container_definitions=definitions,
            cpu=str(cpu),
            memory=str(memory),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            volumes=[{"name": v["name"]} for v in task_volumes()],
            # Old revisions stay ACTIVE so a circuit-breaker rollback can still start them.
            skip_destroy=True,
            opts=child,
        )

        alb_sg = aws.ec2.SecurityGroup(
            f"{name}-alb-sg", description=f"{name} load balancer", vpc_id=args["vpc_id"], opts=child
        )
        task_sg = aws.ec2.SecurityGroup(
            f"{name}-task-sg", description=f"{name} tasks", vpc_id=args["vpc_id"], opts=child
        )
        ingress, egress = SecurityGroupIngressRule, SecurityGroupEgressRule
        for listener_port in (80, 443) if https else (80,):
            _tcp_rule(
                ingress, f"{name}-alb-in-{listener_port}", alb_sg, listener_port, "Clients", cidr=ANYWHERE, parent=self
            )
        _tcp_rule(egress, f"{name}-alb-to-task", alb_sg, port, "Forward to the tasks", peer=task_sg, parent=self)
        _tcp_rule(ingress, f"{name}-task-from-alb", task_sg, port, "Only the load balancer", peer=alb_sg, parent=self)
        _tcp_rule(
            egress,
            f"{name}-task-https-out",
            task_sg,
            443,
            "ECR, S3, Logs via NAT or endpoints",
            cidr=ANYWHERE,
            parent=self,
        )

        log_prefix = name
        # Either name is known only once the bucket's policy admits this prefix, which orders the ALB after it.
        log_bucket: pulumi.Input[str] = (
            args["access_logs_bucket_name"]
            if "access_logs_bucket_name" in args
            else alb_access_log_bucket(name, self, [log_prefix], retention, protect, ctx)
        )
        self.load_balancer = aws.lb.LoadBalancer(
            naming.load_balancer_name(name),
            load_balancer_type="application",
            internal=False,
            subnets=args["public_subnet_ids"],
            security_groups=[alb_sg.id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=protect,
            access_logs={"bucket": log_bucket, "prefix": log_prefix, "enabled": True},
            opts=child,
        )
        target_group_args: dict[str, Any] = {
            "target_type": "ip",
            "port": port,
            "protocol": "HTTP",
            "vpc_id": args["vpc_id"],
            "deregistration_delay": 30,
            "health_check": {
                "enabled": True,
                "protocol": "HTTP",
                "path": path,
                "matcher": "200-399",
                "interval": 15,
                "timeout": 5,
                "healthy_threshold": 2,
                "unhealthy_threshold": 3,
            },
        }
        target_group = aws.lb.TargetGroup(naming.target_group_name(name), **target_group_args, opts=child)
        target_groups = [target_group]
        two_fleets = needs_alternate_target_group(release.strategy)
        if two_fleets:
            # The green fleet registers here while blue serves; ECS swaps the roles at every release.
            target_groups.append(
                aws.lb.TargetGroup(naming.alternate_target_group_name(name), **target_group_args, opts=child)
            )
        forward: list[aws.lb.ListenerDefaultActionArgsDict] = [
            {"type": "forward", "target_group_arn": target_group.arn}
        ]
        if https:
            listener = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=self.load_balancer.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=args["certificate_arn"],
                default_actions=forward,
                opts=child,
            )
            redirect: aws.lb.ListenerDefaultActionRedirectArgsDict = {
                "protocol": "HTTPS",
                "port": "443",
                "status_code": "HTTP_301",
            }
            aws.lb.Listener(
                f"{name}-http-redirect",
                load_balancer_arn=self.load_balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=[{"type": "redirect", "redirect": redirect}],
                opts=child,
            )
        else:
            listener = aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=self.load_balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=forward,
                opts=child,
            )

        if "web_acl_arn" in args:
            WebAclAssociation(
                f"{name}-waf", resource_arn=self.load_balancer.arn, web_acl_arn=args["web_acl_arn"], opts=child
            )
        prefix = re.sub(r"[^A-Za-z0-9_.-]", "-", f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}")
        alarms = ServiceAlarms(
            f"{name}-alarms",
            {
                "alarm_name_prefix": prefix,
                "load_balancer_arn_suffix": self.load_balancer.arn_suffix,
                "target_group_arn_suffixes": [g.arn_suffix for g in target_groups],
                "latency_threshold_ms": args.get("latency_threshold_ms", 1000),
            },
            child,
        )
        primary: Any = {
            "target_group_arn": target_group.arn,
            "container_name": args["container_name"],
            "container_port": port,
        }
        ordering: list[pulumi.Resource] = [listener, execution_policy, alarms]
        if two_fleets:
            rule, role, role_policy = self._traffic_shifting(name, listener.arn, target_groups)
            primary["advanced_configuration"] = {
                "alternate_target_group_arn": target_groups[1].arn,
                "production_listener_rule": rule.arn,
                "role_arn": role.arn,
            }
            ordering += [rule, role_policy]

        rollback_alarms: aws.ecs.ServiceAlarmsArgsDict = {
            "alarm_names": alarm_names(prefix),
            "enable": True,
            "rollback": True,
        }
        configuration: Any = deployment_configuration(release)
        self.service = aws.ecs.Service(
            f"{name}-service",
            cluster=args["cluster_arn"],
            task_definition=self.task_definition.arn,
            desired_count=count,
            launch_type="FARGATE",
            network_configuration={
                "subnets": args["private_subnet_ids"],
                "security_groups": [task_sg.id],
                "assign_public_ip": False,
            },
            load_balancers=[primary],
            deployment_configuration=configuration,
            # A release that raises an alarm is rolled back by ECS, whatever the strategy.
            alarms=rollback_alarms,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            health_check_grace_period_seconds=grace,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            # The circuit breaker, not `pulumi up`, decides whether a deployment succeeds.
            wait_for_steady_state=False,
            # The target group must be attached to a listener, and tasks must be able to pull and log.
            opts=pulumi.ResourceOptions(parent=self, depends_on=ordering),
        )

        self.service_name = self.service.name
        self.service_arn = self.service.arn
        self.cluster_name = pulumi.Output.from_input(args["cluster_name"])
        self.task_definition_arn = self.task_definition.arn
        self.task_family = self.task_definition.family
        self.execution_role_arn = self.execution_role.arn
        self.task_role_arn = self.task_role.arn
        self.load_balancer_dns_name = self.load_balancer.dns_name
        self.url = self.load_balancer.dns_name.apply(lambda dns: f"{'https' if https else 'http'}://{dns}")
        self.target_group_arn = target_group.arn
        self.container_name = pulumi.Output.from_input(args["container_name"])
        self.alarm_names = alarms.alarm_names
        self.register_outputs(
            {
                "service_name": self.service_name,
                "service_arn": self.service_arn,
                "task_definition_arn": self.task_definition_arn,
                "task_family": self.task_family,
                "execution_role_arn": self.execution_role_arn,
                "task_role_arn": self.task_role_arn,
                "load_balancer_dns_name": self.load_balancer_dns_name,
                "url": self.url,
                "target_group_arn": self.target_group_arn,
                "container_name": self.container_name,
                "alarm_names": self.alarm_names,
            }
        )

    def _traffic_shifting(
        self, name: str, listener_arn: pulumi.Output[str], target_groups: list[aws.lb.TargetGroup]
    ) -> tuple[aws.lb.ListenerRule, aws.iam.Role, aws.iam.RolePolicyAttachment]:
        """The production listener rule ECS reweights between the two target groups, and the role it does it with."""
        rule = aws.lb.ListenerRule(
            f"{name}-production-rule",
            listener_arn=listener_arn,
            priority=1,
            conditions=[{"path_pattern": {"values": ["/*"]}}],
            actions=[
                {
                    "type": "forward",
                    "forward": {
                        "target_groups": [
                            {"arn": target_groups[0].arn, "weight": 100},
                            {"arn": target_groups[1].arn, "weight": 0},
                        ]
                    },
                }
            ],
            # ECS owns the weights after the first release: `pulumi up` must not send traffic back to the idle fleet.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["actions"]),
        )
        ctx = aws_context(self)
        role = aws.iam.Role(
            f"{name}-ecs-infrastructure-role",
            description=f"ECS shifts traffic between the target groups of {name}",
            assume_role_policy=json_output(service_trust, service="ecs.amazonaws.com", account_id=ctx.account_id),
            max_session_duration=3600,
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-ecs-infrastructure-policy",
            role=role.name,
            policy_arn=ECS_LOAD_BALANCER_POLICY,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return rule, role, attachment


def _tcp_rule(
    kind: type[SecurityGroupIngressRule] | type[SecurityGroupEgressRule],
    rule_name: str,
    group: aws.ec2.SecurityGroup,
    port: int,
    description: str,
    *,
    cidr: str | None = None,
    peer: aws.ec2.SecurityGroup | None = None,
    parent: pulumi.Resource,
) -> None:
    """One TCP port to or from one CIDR or one security group, as its own rule resource."""
    kind(
        rule_name,
        security_group_id=group.id,
        description=description,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        cidr_ipv4=cidr,
        referenced_security_group_id=peer.id if peer else None,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _validate(
    name: str, container: str, port: int, path: str, cpu: int, memory: int, count: int, retention: int, grace: int
) -> None:
    """Every bad argument in one message, each with the fix."""
    problems = []
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", container):
        problems.append(f"container_name {container!r} must be 1-255 letters, digits, '-' or '_'")
    if not 1024 <= port <= 65535:
        problems.append(f"container_port {port} must be 1024-65535 (the container runs as a non-root user)")
    if not path.startswith("/") or len(path) > 1024:
        problems.append(f"health_check_path {path!r} must start with '/' and be at most 1024 characters")
    if size := fargate_size_error(cpu, memory):
        problems.append(size)
    if count < 1:
        problems.append(f"desired_count {count} must be at least 1")
    if problem := retention_problem(retention):
        problems.append(problem)
    if not 0 <= grace <= 2147483647:
        problems.append(f"health_check_grace_seconds {grace} must be 0 or more")
    if problems:
        raise ComponentArgsError(f"EcsService {name}: " + "; ".join(problems))
