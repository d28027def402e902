"""`ImageRecord`: who owns the running image (see DESIGN.md, "Ownership of the running image").

The pipeline writes the digest it deployed to an SSM parameter; Pulumi never overwrites
that value (`ignore_changes`) and reads it back at every `up`, so an infrastructure change
ships with the image that is running, and a refresh never rolls a service back.
"""

from typing import NotRequired, TypedDict

import pulumi

# Leaf modules of the kms, sns, ssm, vpc and cloudwatch packages: see components/__init__.py.
from pulumi_aws.ssm.get_parameters_by_path import get_parameters_by_path_output
from pulumi_aws.ssm.parameter import Parameter

from .package import package_options, type_token

DEFAULT_BOOTSTRAP_IMAGE = (
    "public.ecr.aws/traefik/whoami:v1.11.0@sha256:200689790a0a0ea48ca45992e0450bc26ccab5307375b41c84dfc4f2475937ab"
)
"""A tiny public server that answers every path, pulled through the stack's ECR Public cache rule by
digest (README, "Pull-through cache"): a new service is healthy before its first build."""


def parameter_name(project: str, stack: str, service: str) -> str:
    """One record per service and environment: `/<project>/<stack>/<service>/image`."""
    return f"/{project}/{stack}/{service}/image"


def recorded_or(bootstrap: str, name: str, names: list[str], values: list[str]) -> str:
    """The recorded image when the parameter exists, else the bootstrap image."""
    return dict(zip(names, values, strict=False)).get(name) or bootstrap


class ImageRecordArgs(TypedDict):
    service: str
    """Service name; part of the parameter path. Required."""
    bootstrap_image: pulumi.Input[str]
    """Image used until the pipeline records its first deploy; must answer the health check. Required."""
    protect: NotRequired[bool]
    """Protect the record: losing it would redeploy the bootstrap image. Default: True."""


class ImageRecord(pulumi.ComponentResource):
    """The SSM parameter the pipeline's Record stage writes, and the image it holds now."""

    image: pulumi.Output[str]
    """The image the service runs now: the pipeline's last record, or the bootstrap image. Always set."""
    parameter_name: pulumi.Output[str]
    """The SSM parameter the pipeline's Record stage writes. Always set."""
    parameter_arn: pulumi.Output[str]
    """Its ARN. Always set."""

    def __init__(self, name: str, args: ImageRecordArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("ImageRecord"), name, None, package_options(opts, "cicd:image_record:ImageRecord"))
        path = parameter_name(pulumi.get_project(), pulumi.get_stack(), args["service"])
        # A path lookup answers with an empty list on the first `up`, where a lookup of the
        # parameter itself would fail because it does not exist yet.
        found = get_parameters_by_path_output(path=path.rsplit("/", 1)[0], opts=pulumi.InvokeOutputOptions(parent=self))
        self.image = pulumi.Output.all(args["bootstrap_image"], found.names, found.values).apply(
            lambda a: recorded_or(a[0], path, list(a[1] or []), list(a[2] or []))
        )
        self.parameter = Parameter(
            f"{name}-image",
            name=path,
            type="String",
            description=f"Image the pipeline last deployed for {args['service']} (written by its Record stage)",
            value=args["bootstrap_image"],
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["value"], protect=args.get("protect", True)),
        )
        self.parameter_name = self.parameter.name
        self.parameter_arn = self.parameter.arn
        self.register_outputs({"image": self.image, "parameter_name": self.parameter_name})
