"""`PipelineTopics`: the KMS-encrypted SNS topics pipelines notify, shareable by a whole fleet.

One topic carries every pipeline's failures, successes and approval requests (through
CodeStar Notifications); a second one, when approvals are on, is what each Manual approval
action publishes to. Subscribe people or chat integrations once per stack, not per service.
"""

from typing import NotRequired, TypedDict

import pulumi

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from pulumi_aws.sns.topic import Topic
from pulumi_aws.sns.topic_policy import TopicPolicy

from .aws_context import aws_context
from .iam import json_output
from .package import package_options, type_token
from .pipeline_policies import notification_topic_policy


class PipelineTopicsArgs(TypedDict):
    kms_key_arn: pulumi.Input[str]
    """Key that encrypts the topics (its policy lets CodeStar Notifications use it through SNS). Required."""
    approvals: NotRequired[bool]
    """Create the approval-request topic. Default: true."""


class PipelineTopics(pulumi.ComponentResource):
    """The notification topic (and approval topic) that a stack's pipelines share."""

    notification_topic_arn: pulumi.Output[str]
    """The notification topic, known once its policy lets CodeStar Notifications publish (a notification
    rule created before that is refused). Always set."""
    approval_topic_arn: pulumi.Output[str] | None
    """The approval-request topic. Default: none (approvals off)."""

    def __init__(self, name: str, args: PipelineTopicsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            type_token("PipelineTopics"), name, None, package_options(opts, "cicd:pipeline_topics:PipelineTopics")
        )
        child = pulumi.ResourceOptions(parent=self)
        ctx = aws_context(self)
        key = args["kms_key_arn"]
        self.notification_topic: Topic = Topic(f"{name}-notifications", kms_master_key_id=key, opts=child)
        # Notification rules must wait for it: CodeStar Notifications checks it may publish.
        self.policy: TopicPolicy = TopicPolicy(
            f"{name}-notifications-policy",
            arn=self.notification_topic.arn,
            policy=json_output(
                notification_topic_policy, topic_arn=self.notification_topic.arn, account_id=ctx.account_id
            ),
            opts=child,
        )
        approvals = (
            Topic(f"{name}-approvals", kms_master_key_id=key, opts=child) if args.get("approvals", True) else None
        )
        self.notification_topic_arn = pulumi.Output.all(self.notification_topic.arn, self.policy.id).apply(
            lambda values: str(values[0])
        )
        self.approval_topic_arn = approvals.arn if approvals else None
        self.register_outputs(
            {"notification_topic_arn": self.notification_topic_arn, "approval_topic_arn": self.approval_topic_arn}
        )
