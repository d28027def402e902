"""`Source`: where a pipeline's code comes from, a CodeConnections connection or a CodeCommit repository."""

from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .aws_context import aws_context
from .package import ComponentArgsError, package_options, type_token
from .pipeline_declaration import CODECOMMIT_PROVIDER, CONNECTION_PROVIDER

# Our provider names -> CodeConnections provider types.
HOSTED_PROVIDERS = {"github": "GitHub", "gitlab": "GitLab", "bitbucket": "Bitbucket"}
PROVIDERS = (*HOSTED_PROVIDERS, "codecommit")


class PipelineSource(TypedDict):
    """Where the code comes from: a `Source`'s outputs."""

    provider: str
    """github, gitlab, bitbucket or codecommit. Required."""
    repository: str
    """`owner/name` for hosted providers; the repository name for CodeCommit. Required."""
    branch: NotRequired[str]
    """The branch whose pushes start the pipeline. Default: main."""
    connection_arn: NotRequired[pulumi.Input[str]]
    """The CodeConnections connection of a hosted provider (`Source.connection_arn`). Default: none; required
    for github, gitlab and bitbucket."""
    repository_arn: NotRequired[pulumi.Input[str]]
    """The CodeCommit repository (`Source.repository_arn`). Default: none; required for codecommit."""


class SourceArgs(TypedDict):
    provider: str
    """github, gitlab, bitbucket or codecommit. Required."""
    repository: str
    """`owner/name` for hosted providers; the repository name for CodeCommit. Required."""
    branch: NotRequired[str]
    """The branch whose pushes start the pipeline. Default: main."""
    connection_arn: NotRequired[pulumi.Input[str]]
    """An existing (already activated) CodeConnections connection, hosted providers only. Default: create one."""


class Source(pulumi.ComponentResource):
    """A source repository for `DeliveryPipeline`.

    A new connection is created PENDING: AWS cannot finish the OAuth handshake with the
    provider on its own, so `activation_message` tells the user where to complete it.
    """

    provider: str
    """github, gitlab, bitbucket or codecommit. Always set."""
    repository: str
    """`owner/name`, or the CodeCommit repository name. Always set."""
    branch: str
    """The branch whose pushes start the pipeline. Always set."""
    action_provider: str
    """The CodePipeline source action provider: CodeStarSourceConnection or CodeCommit. Always set."""
    connection_arn: pulumi.Output[str] | None
    """The CodeConnections connection (created, or the one given). Default: none (CodeCommit)."""
    repository_arn: pulumi.Output[str] | None
    """The CodeCommit repository. Default: none (hosted providers)."""
    activation_message: pulumi.Output[str]
    """What to do before the first pipeline run (a new connection must be activated by a person). Always set."""

    def __init__(self, name: str, args: SourceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Source"), name, None, package_options(opts, "cicd:source:Source"))
        provider = args["provider"]
        repository = args["repository"]
        branch = args.get("branch", "main")
        connection_arn = args.get("connection_arn")
        if provider not in PROVIDERS:
            raise ComponentArgsError(f"Source {name}: provider {provider!r} is not one of {', '.join(PROVIDERS)}")
        if not branch:
            raise ComponentArgsError(f"Source {name}: branch is empty; name the branch whose pushes deploy, e.g. main")
        hosted = provider in HOSTED_PROVIDERS
        if hosted and (repository.count("/") < 1 or repository.startswith("/") or repository.endswith("/")):
            raise ComponentArgsError(f"Source {name}: repository {repository!r} must be `owner/name` for {provider}")
        if not hosted and (not repository or "/" in repository):
            raise ComponentArgsError(f"Source {name}: repository {repository!r} must be a CodeCommit repository name")
        if not hosted and connection_arn is not None:
            raise ComponentArgsError(f"Source {name}: connection_arn is for hosted providers; remove it for codecommit")

        self.provider, self.repository, self.branch = provider, repository, branch
        self.connection: aws.codeconnections.Connection | None = None
        self.connection_arn = None
        self.repository_arn = None
        region = aws_context(self).region
        console = pulumi.Output.concat("https://console.aws.amazon.com/codesuite/settings/connections?region=", region)

        if hosted:
            self.action_provider = CONNECTION_PROVIDER
            if connection_arn is None:
                self.connection = aws.codeconnections.Connection(
                    f"{name}-connection",
                    provider_type=HOSTED_PROVIDERS[provider],
                    opts=pulumi.ResourceOptions(parent=self),
                )
                self.connection_arn = self.connection.arn
                self.activation_message = pulumi.Output.concat(
                    "The ",
                    HOSTED_PROVIDERS[provider],
                    " connection ",
                    self.connection.arn,
                    " was created PENDING. Before the first pipeline run, open ",
                    console,
                    ", choose the connection, then 'Update pending connection' and finish the handshake with ",
                    HOSTED_PROVIDERS[provider],
                    f" (grant access to {repository}).",
                )
            else:
                self.connection_arn = pulumi.Output.from_input(connection_arn)
                self.activation_message = pulumi.Output.concat(
                    "Using the existing connection ",
                    self.connection_arn,
                    "; if it is not AVAILABLE yet, complete it at ",
                    console,
                    ".",
                )
        else:
            self.action_provider = CODECOMMIT_PROVIDER
            self.repository_arn = aws.codecommit.get_repository_output(
                repository_name=repository, opts=pulumi.InvokeOutputOptions(parent=self)
            ).arn
            self.activation_message = pulumi.Output.from_input(
                f"CodeCommit repository {repository} needs no activation."
            )

        self.pipeline_source: PipelineSource = {"provider": provider, "repository": repository, "branch": branch}
        """What `DeliveryPipeline` takes as `source`."""
        if self.connection_arn is not None:
            self.pipeline_source["connection_arn"] = self.connection_arn
        if self.repository_arn is not None:
            self.pipeline_source["repository_arn"] = self.repository_arn
        self.register_outputs(
            {
                "provider": provider,
                "repository": repository,
                "branch": branch,
                "action_provider": self.action_provider,
                "connection_arn": self.connection_arn,
                "repository_arn": self.repository_arn,
                "activation_message": self.activation_message,
            }
        )
