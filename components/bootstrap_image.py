"""`BootstrapImage`: the service's first image, built from `app/` by `pulumi up` itself.

Used when the setting `bootstrapImage` is `build` instead of a public placeholder. Needs a
Docker engine where `pulumi up` runs. The image goes to the service's own (immutable,
scanned) repository under the tag `bootstrap`, and the service starts on its digest.
"""

from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

from .package import package_options, type_token


class BootstrapImageArgs(TypedDict):
    repository_url: pulumi.Input[str]
    """The service's ECR repository. Required."""
    context: NotRequired[str]
    """Build context. Default: '.' (the project directory)."""
    dockerfile: NotRequired[str]
    """Dockerfile, relative to the project directory. Default: app/Dockerfile."""
    base_registry: NotRequired[pulumi.Input[str]]
    """The Dockerfile's `BASE_REGISTRY` argument: `PullThroughCache.ecr_public_prefix`. Default: public.ecr.aws."""
    target: NotRequired[str]
    """Stage to build; building it also runs the test stage it copies from. Default: runtime."""


class BootstrapImage(pulumi.ComponentResource):
    """`app/` built and pushed by `pulumi up` itself (pulumi-docker; needs a Docker engine there)."""

    repo_digest: pulumi.Output[str]
    """`<repository>@sha256:...`, what the service runs. Always set."""

    def __init__(self, name: str, args: BootstrapImageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            type_token("BootstrapImage"), name, None, package_options(opts, "cicd:bootstrap_image:BootstrapImage")
        )
        token = aws.ecr.get_authorization_token_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.image = docker.Image(
            f"{name}-bootstrap",
            build={
                "context": args.get("context", "."),
                "dockerfile": args.get("dockerfile", "app/Dockerfile"),
                "target": args.get("target", "runtime"),
                # Fargate and the default EKS nodes run x86_64.
                "platform": "linux/amd64",
                "args": {"COMMIT_SHA": "bootstrap", "BASE_REGISTRY": args.get("base_registry", "public.ecr.aws")},
            },
            image_name=pulumi.Output.concat(args["repository_url"], ":bootstrap"),
            registry={
                "server": token.proxy_endpoint,
                "username": token.user_name,
                "password": pulumi.Output.secret(token.password),
            },
            # Build only on `up`: a preview must not need a Docker engine.
            build_on_preview=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.repo_digest = self.image.repo_digest
        self.register_outputs({"repo_digest": self.repo_digest})
