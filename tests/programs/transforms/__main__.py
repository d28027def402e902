"""Transforms and resource options, planned by preflight and by the SDK's own mocks in the tests.

`variant: transforms` registers a stack transform and resource transforms (on a resource and on a
component, whose children inherit it); `variant: options` registers the same resources with
aliases, ignore_changes, protect, retain_on_delete and depends_on and no transform.
"""

import pulumi
import pulumi_aws as aws

variant = pulumi.Config().get("variant") or "transforms"


def stack_tags(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    # Every taggable resource gets the stack's owner tag, as an organization's stack transform would.
    if args.type_ in ("aws:s3/bucket:Bucket", "aws:sns/topic:Topic"):
        tags = {**(args.props.get("tags") or {}), "owner": "platform"}
        return pulumi.ResourceTransformResult({**args.props, "tags": tags}, args.opts)
    return None


def protect_it(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
    opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(protect=True, ignore_changes=["tags"]))
    return pulumi.ResourceTransformResult({**args.props, "forceDestroy": False}, opts)


def encrypt_topics(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ == "aws:sns/topic:Topic":
        return pulumi.ResourceTransformResult({**args.props, "kmsMasterKeyId": "alias/aws/sns"}, args.opts)
    return None


class Group(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("transforms-test:index:Group", name, None, opts)
        aws.sns.Topic(f"{name}-topic", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


if variant == "transforms":
    pulumi.runtime.register_stack_transform(stack_tags)
    bucket = aws.s3.Bucket("logs", force_destroy=True, opts=pulumi.ResourceOptions(transforms=[protect_it]))
    Group("alerts", opts=pulumi.ResourceOptions(transforms=[encrypt_topics]))
    aws.sns.Topic("plain")
else:
    first = aws.s3.Bucket("logs", force_destroy=True, opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True))
    aws.sns.Topic(
        "plain",
        opts=pulumi.ResourceOptions(
            depends_on=[first],
            ignore_changes=["tags"],
            aliases=[pulumi.Alias(name="old-plain"), "urn:pulumi:test::transforms-test::aws:sns/topic:Topic::older"],
        ),
    )
    Group("alerts", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="transforms-test:index:OldGroup")]))
