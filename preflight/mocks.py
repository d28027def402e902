"""Realistic provider answers for the mock runtime.

Every custom resource gets the id, ARN, name and URL that AWS would give it: the right
service, region, account and resource path, and Pulumi's auto-naming (`<name>-<7 hex>`)
where the program leaves the physical name to Pulumi. Validators downstream then see
real-looking documents. Invokes without a mock fail loudly instead of returning nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from .zones import available_zones

ACCOUNT_ID = "123456789012"
PARTITION = "aws"

Outputs = dict[str, Any]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(_digest(*parts)[:32]))


class _Ctx:
    def __init__(self, region: str, typ: str, logical: str, inputs: dict[str, Any]):
        self.region = region
        self.typ = typ
        self.logical = logical
        self.inputs = inputs

    def auto_name(self, key: str = "name", lower: bool = False, max_len: int = 255) -> str:
        """Pulumi auto-naming: the logical name plus a random-looking 7-character suffix."""
        if self.inputs.get(key):
            return str(self.inputs[key])
        prefix = self.inputs.get("namePrefix")
        suffix = _digest(self.typ, self.logical)[:7]
        base = f"{prefix}{suffix}" if prefix else f"{self.logical}-{suffix}"
        base = base.lower() if lower else base
        return base[:max_len] if len(base) <= max_len else base[: max_len - 8] + "-" + suffix

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return ":".join(
            [
                "arn",
                PARTITION,
                service,
                self.region if region else "",
                ACCOUNT_ID if account else "",
                resource,
            ]
        )


def _kms_key(ctx: _Ctx) -> tuple[str, Outputs]:
    key_id = _uuid(ctx.typ, ctx.logical)
    return key_id, {"keyId": key_id, "arn": ctx.arn("kms", f"key/{key_id}")}


def _kms_alias(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name()
    return name, {"name": name, "arn": ctx.arn("kms", name), "targetKeyArn": ctx.inputs.get("targetKeyId", "")}


def _iam_role(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=64)
    path = ctx.inputs.get("path") or "/"
    return name, {
        "name": name,
        "arn": ctx.arn("iam", f"role{path}{name}", region=False),
        "uniqueId": "AROA" + _digest(ctx.logical)[:17].upper(),
        "path": path,
    }


def _iam_policy(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=128)
    path = ctx.inputs.get("path") or "/"
    arn = ctx.arn("iam", f"policy{path}{name}", region=False)
    return arn, {"name": name, "arn": arn, "policyId": "ANPA" + _digest(ctx.logical)[:17].upper()}


def _role_policy(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=128)
    return f"{ctx.inputs.get('role', '')}:{name}", {"name": name}


def _bucket(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(key="bucket", lower=True, max_len=63)
    return name, {
        "bucket": name,
        "arn": ctx.arn("s3", name, region=False, account=False),
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        "region": ctx.region,
        "hostedZoneId": "Z3AQBSTGFYJSTF",
    }


def _child_of(key: str) -> Callable[[_Ctx], tuple[str, Outputs]]:
    """Resources that configure another one take its id as theirs (bucket settings, topic policies)."""

    def make(ctx: _Ctx) -> tuple[str, Outputs]:
        return str(ctx.inputs.get(key, ctx.logical)), {}

    return make


_bucket_child = _child_of("bucket")


def _log_group(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=512)
    return name, {"name": name, "arn": ctx.arn("logs", f"log-group:{name}")}


def _metric_alarm(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=255)
    return name, {"name": name, "arn": ctx.arn("cloudwatch", f"alarm:{name}")}


def _web_acl(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=128)
    web_acl_id = _uuid(ctx.typ, ctx.logical)
    scope = "global" if ctx.inputs.get("scope") == "CLOUDFRONT" else "regional"
    return web_acl_id, {"name": name, "arn": ctx.arn("wafv2", f"{scope}/webacl/{name}/{web_acl_id}")}


def _ecr_repository(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(lower=True, max_len=256)
    return name, {
        "name": name,
        "arn": ctx.arn("ecr", f"repository/{name}"),
        "registryId": ACCOUNT_ID,
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{ctx.region}.amazonaws.com/{name}",
    }


def _ecr_repository_child(ctx: _Ctx) -> tuple[str, Outputs]:
    return str(ctx.inputs.get("repository", ctx.logical)), {"registryId": ACCOUNT_ID}


def _codebuild_project(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=150)
    arn = ctx.arn("codebuild", f"project/{name}")
    return arn, {"name": name, "arn": arn, "badgeUrl": ""}


def _ec2(prefix: str, kind: str) -> Callable[[_Ctx], tuple[str, Outputs]]:
    """EC2 ids are `<prefix>-<17 hex>`; ARNs are `arn:aws:ec2:<region>:<account>:<kind>/<id>`."""

    def make(ctx: _Ctx) -> tuple[str, Outputs]:
        resource_id = f"{prefix}-{_digest(ctx.typ, ctx.logical)[:17]}"
        return resource_id, {"arn": ctx.arn("ec2", f"{kind}/{resource_id}"), "ownerId": ACCOUNT_ID}

    return make


def _eip(ctx: _Ctx) -> tuple[str, Outputs]:
    allocation, outputs = _ec2("eipalloc", "elastic-ip")(ctx)
    octets = _digest(ctx.typ, ctx.logical)[:6]
    public_ip = ".".join(str(int(octets[i : i + 2], 16)) for i in (0, 2, 4))
    return allocation, {**outputs, "allocationId": allocation, "publicIp": f"3.{public_ip}"}


def _security_group(ctx: _Ctx) -> tuple[str, Outputs]:
    resource_id, outputs = _ec2("sg", "security-group")(ctx)
    return resource_id, {**outputs, "name": ctx.auto_name(max_len=255)}


def _ecs_cluster(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name()
    arn = ctx.arn("ecs", f"cluster/{name}")
    return arn, {"name": name, "arn": arn}


def _ecs_task_definition(ctx: _Ctx) -> tuple[str, Outputs]:
    family = str(ctx.inputs.get("family") or ctx.auto_name())
    arn = ctx.arn("ecs", f"task-definition/{family}:1")
    return family, {"family": family, "arn": arn, "revision": 1, "arnWithoutRevision": arn[: -len(":1")]}


def _ecs_service(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name()
    cluster = str(ctx.inputs.get("cluster", "cluster/default")).rsplit("/", 1)[-1]
    arn = ctx.arn("ecs", f"service/{cluster}/{name}")
    return arn, {"name": name, "arn": arn}


def _load_balancer(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=32)
    suffix = _digest(ctx.typ, ctx.logical)[:16]
    kind = "net" if ctx.inputs.get("loadBalancerType") == "network" else "app"
    arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{kind}/{name}/{suffix}")
    return arn, {
        "name": name,
        "arn": arn,
        "arnSuffix": f"{kind}/{name}/{suffix}",
        "dnsName": f"{name}-{int(suffix[:8], 16)}.{ctx.region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
    }


def _target_group(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=32)
    suffix = _digest(ctx.typ, ctx.logical)[:16]
    arn = ctx.arn("elasticloadbalancing", f"targetgroup/{name}/{suffix}")
    return arn, {"name": name, "arn": arn, "arnSuffix": f"targetgroup/{name}/{suffix}"}


def _listener(ctx: _Ctx) -> tuple[str, Outputs]:
    lb = str(ctx.inputs.get("loadBalancerArn", ctx.arn("elasticloadbalancing", "loadbalancer/app/lb/0")))
    arn = lb.replace(":loadbalancer/", ":listener/") + "/" + _digest(ctx.typ, ctx.logical)[:16]
    return arn, {"arn": arn}


def _codepipeline(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=100)
    # CodePipeline ARNs have no resource-type segment.
    arn = ctx.arn("codepipeline", name)
    return name, {"name": name, "arn": arn}


def _connection(ctx: _Ctx) -> tuple[str, Outputs]:
    connection_id = _uuid(ctx.typ, ctx.logical)
    arn = ctx.arn("codeconnections", f"connection/{connection_id}")
    return arn, {"arn": arn, "name": ctx.auto_name(max_len=32), "connectionStatus": "PENDING"}


def _sns_topic(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=256)
    arn = ctx.arn("sns", name)
    return arn, {"name": name, "arn": arn}


def _notification_rule(ctx: _Ctx) -> tuple[str, Outputs]:
    arn = ctx.arn("codestar-notifications", f"notificationrule/{_digest(ctx.typ, ctx.logical)[:40]}")
    return arn, {"arn": arn, "name": ctx.auto_name()}


def _ssm_parameter(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=2048)
    return name, {"name": name, "arn": ctx.arn("ssm", f"parameter/{name.lstrip('/')}"), "version": 1}


def _event_rule(ctx: _Ctx) -> tuple[str, Outputs]:
    name = ctx.auto_name(max_len=64)
    bus = ctx.inputs.get("eventBusName")
    path = f"rule/{bus}/{name}" if bus and bus != "default" else f"rule/{name}"
    return f"{bus or 'default'}/{name}", {"name": name, "arn": ctx.arn("events", path)}


def _eks_cluster(ctx: _Ctx) -> tuple[str, Outputs]:
    """pulumi-eks's remote `Cluster` component: offline it is one resource, so its outputs are what
    the component would return (kubeconfig with an `aws eks get-token` user, endpoint, OIDC issuer).

    Outputs the SDK types as resources (`eksCluster`, `core.cluster`, `core.provider`, ...) are left
    out: the Python SDK rejects a plain dict where it expects a resource reference, and a reference
    needs a registered resource. The cluster's own attributes are in `core` and the kubeconfig."""
    suffix = _digest(ctx.typ, ctx.logical)[:7]
    name = str(ctx.inputs.get("name") or f"{ctx.logical}-eksCluster-{suffix}")
    cluster_id = _digest("eks", ctx.logical)[:32].upper()
    endpoint = f"https://{cluster_id}.gr7.{ctx.region}.eks.amazonaws.com"
    issuer = f"oidc.eks.{ctx.region}.amazonaws.com/id/{cluster_id}"
    ca_data = base64.b64encode(
        f"-----BEGIN CERTIFICATE-----\n{cluster_id}\n-----END CERTIFICATE-----\n".encode()
    ).decode()
    cluster_sg = f"sg-{_digest('eks-cluster-sg', ctx.logical)[:17]}"
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubernetes", "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
        "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
        "current-context": "aws",
        "users": [
            {
                "name": "aws",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": [
                            "--region",
                            ctx.region,
                            "eks",
                            "get-token",
                            "--cluster-name",
                            name,
                            "--output",
                            "json",
                        ],
                        "env": [
                            {
                                "name": "KUBERNETES_EXEC_INFO",
                                "value": '{"apiVersion": "client.authentication.k8s.io/v1beta1"}',
                            }
                        ],
                    }
                },
            }
        ],
    }
    auto_mode = bool((ctx.inputs.get("autoMode") or {}).get("enabled"))
    subnet_ids = [*ctx.inputs.get("publicSubnetIds", []), *ctx.inputs.get("privateSubnetIds", [])]
    key_arn = ctx.inputs.get("encryptionConfigKeyArn")
    oidc_arn = ctx.arn("iam", f"oidc-provider/{issuer}", region=False) if ctx.inputs.get("createOidcProvider") else ""
    return name, {
        "kubeconfig": kubeconfig,
        "kubeconfigJson": json.dumps(kubeconfig),
        "clusterSecurityGroupId": cluster_sg,
        "nodeSecurityGroupId": cluster_sg if auto_mode else f"sg-{_digest('eks-node-sg', ctx.logical)[:17]}",
        "oidcProviderArn": oidc_arn,
        "oidcProviderUrl": f"https://{issuer}",
        "oidcIssuer": issuer,
        "autoModeNodeRoleName": f"{ctx.logical}-nodeRole-role-{suffix}" if auto_mode else "",
        "defaultNodeGroupAsgName": "",
        "fargateProfileId": "",
        "fargateProfileStatus": "",
        "clusterIngressRuleId": "",
        "core": {
            "endpoint": endpoint,
            "vpcId": ctx.inputs.get("vpcId", ""),
            "subnetIds": subnet_ids,
            "privateSubnetIds": ctx.inputs.get("privateSubnetIds", []),
            "publicSubnetIds": ctx.inputs.get("publicSubnetIds", []),
            "kubeconfig": kubeconfig,
            "encryptionConfig": {"provider": {"keyArn": key_arn}, "resources": ["secrets"]} if key_arn else None,
            "tags": ctx.inputs.get("tags") or {},
        },
    }


def _docker_image(ctx: _Ctx) -> tuple[str, Outputs]:
    name = str(ctx.inputs.get("imageName", ctx.logical))
    digest = "sha256:" + _digest(ctx.typ, ctx.logical, name)
    repo_digest = f"{name.rsplit(':', 1)[0]}@{digest}"
    return repo_digest, {"repoDigest": repo_digest, "imageName": name, "platform": "linux/amd64"}


_RESOURCES: dict[str, Callable[[_Ctx], tuple[str, Outputs]]] = {
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:iam/rolePolicy:RolePolicy": _role_policy,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_child,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _bucket_child,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _bucket_child,
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_child,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _bucket_child,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _bucket_child,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _ecr_repository_child,
    "aws:ecr/repositoryPolicy:RepositoryPolicy": _ecr_repository_child,
    "aws:codebuild/project:Project": _codebuild_project,
    "aws:ec2/vpc:Vpc": _ec2("vpc", "vpc"),
    "aws:ec2/subnet:Subnet": _ec2("subnet", "subnet"),
    "aws:ec2/internetGateway:InternetGateway": _ec2("igw", "internet-gateway"),
    "aws:ec2/natGateway:NatGateway": _ec2("nat", "natgateway"),
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/routeTable:RouteTable": _ec2("rtb", "route-table"),
    "aws:ec2/route:Route": _ec2("r-rtb", "route"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _ec2("rtbassoc", "route-table-association"),
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _ec2("sg", "security-group"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _ec2("sgr", "security-group-rule"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _ec2("sgr", "security-group-rule"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _ec2("vpce", "vpc-endpoint"),
    "aws:ec2/flowLog:FlowLog": _ec2("fl", "vpc-flow-log"),
    "aws:ecs/cluster:Cluster": _ecs_cluster,
    "aws:ecs/taskDefinition:TaskDefinition": _ecs_task_definition,
    "aws:ecs/service:Service": _ecs_service,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:codepipeline/pipeline:Pipeline": _codepipeline,
    "aws:codeconnections/connection:Connection": _connection,
    "aws:sns/topic:Topic": _sns_topic,
    "aws:sns/topicPolicy:TopicPolicy": _child_of("arn"),
    "aws:codestarnotifications/notificationRule:NotificationRule": _notification_rule,
    "aws:ssm/parameter:Parameter": _ssm_parameter,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "docker:index/image:Image": _docker_image,
    "eks:index:Cluster": _eks_cluster,
}


def _generic(ctx: _Ctx) -> tuple[str, Outputs]:
    """Fallback: `aws:<module>/<member>:<Type>` -> an ARN in that module's service."""
    module = ctx.typ.split(":")[1].split("/")[0] if ctx.typ.startswith("aws:") else "custom"
    name = ctx.auto_name()
    kind = ctx.typ.rsplit(":", 1)[-1].lower()
    return f"{ctx.logical}-{_digest(ctx.typ, ctx.logical)[:8]}", {
        "name": name,
        "arn": ctx.arn(module, f"{kind}/{name}"),
    }


class RealisticMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes with AWS-shaped values."""

    def __init__(self, region: str, parameters: Mapping[str, str] | None = None) -> None:
        self.region = region
        # SSM parameters that already exist in the simulated account (e.g. a recorded image).
        self.parameters = dict(parameters or {})

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        ctx = _Ctx(self.region, args.typ, args.name, dict(args.inputs))
        make = _RESOURCES.get(args.typ, _generic)
        resource_id, computed = make(ctx)
        # The provider echoes the inputs back as outputs, then adds what it computed.
        return resource_id, {**args.inputs, **computed, "id": resource_id}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        region = self.region
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:{PARTITION}:sts::{ACCOUNT_ID}:assumed-role/deployer/preflight",
                "id": ACCOUNT_ID,
                "userId": "AROAEXAMPLEDEPLOYER:preflight",
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {
                "id": region,
                "name": region,
                "region": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
            }
        if args.token == "aws:index/getPartition:getPartition":
            return {
                "id": PARTITION,
                "partition": PARTITION,
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
            }
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names, zone_ids = available_zones(region)
            return {
                "id": region,
                "names": names,
                "zoneIds": zone_ids,
                "groupNames": [region] * len(names),
            }
        if args.token == "aws:ssm/getParametersByPath:getParametersByPath":
            # By default a new stack: the pipeline has not recorded any deployment yet.
            path = str(args.args.get("path", "/")).rstrip("/")
            names = sorted(n for n in self.parameters if n.rsplit("/", 1)[0] == path)
            return {
                "id": path,
                "path": path,
                "arns": [f"arn:{PARTITION}:ssm:{region}:{ACCOUNT_ID}:parameter{n}" for n in names],
                "names": names,
                "types": ["String"] * len(names),
                "values": [self.parameters[n] for n in names],
            }
        if args.token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
                "id": region,
                "authorizationToken": "QVdTOnByZWZsaWdodA==",
                "expiresAt": "2099-01-01T00:00:00Z",
                "password": "preflight",
                "userName": "AWS",
                "proxyEndpoint": f"https://{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com",
                "registryId": ACCOUNT_ID,
            }
        if args.token == "aws:lb/getLoadBalancer:getLoadBalancer":
            # The ALB EKS Auto Mode created for an Ingress, found by its tags.
            stack = str((args.args.get("tags") or {}).get("ingress.eks.amazonaws.com/stack", "lb"))
            name = "k8s-" + stack.replace("/", "-")[:20] + "-" + _digest(args.token, stack)[:10]
            suffix = _digest(args.token, name)[:16]
            arn = f"arn:{PARTITION}:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/app/{name}/{suffix}"
            return {
                "id": arn,
                "arn": arn,
                "arnSuffix": f"app/{name}/{suffix}",
                "name": name,
                "internal": False,
                "loadBalancerType": "application",
                "dnsName": f"{name}-{int(suffix[:8], 16)}.{region}.elb.amazonaws.com",
                "tags": dict(args.args.get("tags") or {}),
            }
        if args.token == "aws:ec2/getVpc:getVpc":
            vpc_id = str(args.args.get("id", "vpc-0123456789abcdef0"))
            return {
                "id": vpc_id,
                "cidrBlock": "10.0.0.0/16",
                "arn": f"arn:{PARTITION}:ec2:{region}:{ACCOUNT_ID}:vpc/{vpc_id}",
                "ownerId": ACCOUNT_ID,
            }
        if args.token == "aws:codecommit/getRepository:getRepository":
            name = args.args["repositoryName"]
            return {
                "id": name,
                "repositoryName": name,
                "repositoryId": _uuid("codecommit", name),
                "arn": f"arn:{PARTITION}:codecommit:{region}:{ACCOUNT_ID}:{name}",
                "cloneUrlHttp": f"https://git-codecommit.{region}.amazonaws.com/v1/repos/{name}",
                "cloneUrlSsh": f"ssh://git-codecommit.{region}.amazonaws.com/v1/repos/{name}",
                "kmsKeyId": "",
            }
        raise NotImplementedError(f"preflight has no mock for the invoke {args.token}; add one to preflight/mocks.py")
