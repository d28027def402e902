"""`PullThroughCache`: the stack's ECR pull-through cache rules and the templates of the
repositories they create, so builds and first deploys pull public images from the account.

- ECR Public is always an upstream (AWS needs no credential for it). Docker Hub, GitHub
  Container Registry and Quay are upstreams when a Secrets Manager secret (its name starts with
  `ecr-pullthroughcache/`) is given for them; ECR requires one for Docker Hub and GHCR.
- Each rule's prefix is `<stack>/<upstream>`, so two stacks in one account and region never
  share (or fight over) a prefix; a repository creation template per prefix gives every cached
  repository the stack's KMS key, a lifecycle policy and the tag `cicd:purpose=pull-through-cache`.
- Cached repositories are MUTABLE: AWS re-syncs a cached tag from its upstream at least once a
  day, and "turning on image tag immutability for repositories using a pull through cache rule
  will prevent Amazon ECR from updating images using the same tag" (ECR user guide). Deploys
  therefore pin cached images by digest; the policy pack exempts exactly the tagged templates.
- Templates carry no scanning setting (the API has none), so a BASIC registry scanning rule
  scans every image pushed under any stack's cache prefixes on push.
- KMS and tags in a template need a role ECR assumes (`customRoleArn`): it may create and tag
  repositories under the stack's prefixes and use the stack key, nothing else.
"""

import json
import re
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from policies.rules.contract import PULL_THROUGH_CACHE_PURPOSE, PURPOSE_TAG

from .aws_context import aws_context
from .iam import Document, document, statement
from .package import ComponentArgsError, type_token
from .validation import CACHE_CREDENTIAL_ARN as SECRET_ARN

ECR_PUBLIC = "public.ecr.aws"
DOCKER_HUB = "registry-1.docker.io"
GITHUB = "ghcr.io"
QUAY = "quay.io"
# What an image reference names -> the upstream URL a rule for it has, and the prefix's suffix.
UPSTREAMS = {
    ECR_PUBLIC: ("ecr-public", ECR_PUBLIC),
    "docker.io": ("docker-hub", DOCKER_HUB),
    GITHUB: ("github", GITHUB),
    QUAY: ("quay", QUAY),
}
# ECR's pattern and length for a rule prefix (CreatePullThroughCacheRule).
PREFIX = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")


def cache_prefix(stack: str, upstream: str) -> str:
    """`<stack>/<upstream>`, e.g. `prod/ecr-public`: the cached repositories' namespace."""
    return f"{re.sub(r'[^a-z0-9]+', '-', stack.lower()).strip('-')}/{UPSTREAMS[upstream][0]}"


def cached_lifecycle_policy() -> dict[str, Any]:
    """Cached images can be pulled again: untagged ones go after a day, and a repository keeps 20."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged cached images 1 day after they were superseded",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": "Keep the newest 20 cached images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20},
                "action": {"type": "expire"},
            },
        ]
    }


def cached_image(image: str, registry: str, prefixes: dict[str, str]) -> str:
    """`image` as pulled through the cache: `public.ecr.aws/x/y:t` -> `<registry>/<prefix>/x/y:t`.
    Docker Hub's short forms (`nginx`, `library/nginx`, `docker.io/x`) go to the docker.io rule.
    An image of a registry without a rule is returned unchanged."""
    first, _, rest = image.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        first, rest = "docker.io", image
    if first == "docker.io" and "/" not in rest.split("@")[0].split(":")[0]:
        rest = f"library/{rest}"
    prefix = prefixes.get(first)
    return f"{registry}/{prefix}/{rest}" if prefix else image


def template_role_policy(
    *, partition: str, region: str, account_id: str, prefixes: list[str], key_arn: str
) -> Document:
    """What ECR needs to apply the templates: create and tag repositories under the stack's
    prefixes, and grant itself use of the stack key for them (AWS's sample grants it all on `*`)."""
    repositories = [f"arn:{partition}:ecr:{region}:{account_id}:repository/{p}/*" for p in prefixes]
    return document(
        statement("CreateCachedRepositories", ("ecr:CreateRepository", "ecr:TagResource"), repositories),
        statement(
            "UseStackKeyForCachedRepositories", ("kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"), [key_arn]
        ),
    )


class PullThroughCacheArgs(TypedDict):
    kms_key_arn: pulumi.Input[str]
    """Key that encrypts every cached repository. Required."""
    docker_hub_credential_arn: NotRequired[str]
    """Secret (`ecr-pullthroughcache/...`) with a Docker Hub user and token. Default: no Docker Hub rule."""
    github_credential_arn: NotRequired[str]
    """Secret with a GitHub user and a token that reads packages. Default: no GHCR rule."""
    quay_credential_arn: NotRequired[str]
    """Secret with Quay credentials. Default: no Quay rule."""
    manage_registry_scanning: NotRequired[bool]
    """Own the registry's scanning configuration (one per account and region): BASIC scan on push
    under the stack's prefixes. Turn off where another stack or an ENHANCED setup owns it. Default: True."""


class PullThroughCacheRef(TypedDict):
    """The stack's pull-through cache: a `PullThroughCache`'s outputs."""

    registry: pulumi.Input[str]
    """The account's registry (`PullThroughCache.registry`). Required."""
    ecr_public_prefix: pulumi.Input[str]
    """Registry and prefix of the ECR Public rule (`PullThroughCache.ecr_public_prefix`). Required."""
    repository_arns: pulumi.Input[list[str]]
    """The cached repositories (`PullThroughCache.repository_arns`). Required."""
    prefixes: Mapping[str, str]
    """Upstream registry -> rule prefix (`PullThroughCache.prefixes`). Required."""


class PullThroughCache(pulumi.ComponentResource):
    """ECR Public always, Docker Hub/GHCR/Quay with a credential; KMS, lifecycle, scan on push."""

    registry: pulumi.Output[str]
    """`<account>.dkr.ecr.<region>.amazonaws.com`. Always set."""
    ecr_public_prefix: pulumi.Output[str]
    """Registry and prefix of the ECR Public rule: `FROM <this>/docker/library/python:...`. Always set."""
    repository_arns: pulumi.Output[list[str]]
    """ARN patterns of every cached repository, for the roles that pull through the cache. Always set."""
    prefixes: dict[str, str]
    """Registry an image names (`public.ecr.aws`, `docker.io`, `ghcr.io`, `quay.io`) -> its rule's prefix.
    Always set."""

    def __init__(self, name: str, args: PullThroughCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("PullThroughCache"), name, None, opts)
        credentials = {
            ECR_PUBLIC: None,
            "docker.io": args.get("docker_hub_credential_arn"),
            GITHUB: args.get("github_credential_arn"),
            QUAY: args.get("quay_credential_arn"),
        }
        stack = pulumi.get_stack()
        bad = [f"{k} {v!r}" for k, v in credentials.items() if v is not None and not SECRET_ARN.fullmatch(v)]
        self.prefixes = {
            upstream: cache_prefix(stack, upstream)
            for upstream, credential in credentials.items()
            if upstream == ECR_PUBLIC or credential
        }
        bad += [f"prefix {p!r}" for p in self.prefixes.values() if len(p) > 30 or not PREFIX.fullmatch(p)]
        if bad:
            raise ComponentArgsError(
                f"PullThroughCache {name}: {'; '.join(bad)}: credentials must be Secrets Manager ARNs of secrets named "
                "ecr-pullthroughcache/..., and the stack name must give prefixes of at most 30 characters"
            )
        child = pulumi.ResourceOptions(parent=self)
        ctx = aws_context(self)
        prefixes = list(self.prefixes.values())

        role = aws.iam.Role(
            f"{name}-template-role",
            description=f"ECR applies the {stack} pull-through cache's repository creation templates",
            # ECR's documented trust for template roles; it names no source to condition on.
            assume_role_policy=json.dumps(
                document(
                    {
                        "Sid": "AssumedByEcr",
                        "Effect": "Allow",
                        "Principal": {"Service": "ecr.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                )
            ),
            max_session_duration=3600,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-template-policy",
            role=role.id,
            policy=pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id, args["kms_key_arn"]).apply(
                lambda v: json.dumps(
                    template_role_policy(partition=v[0], region=v[1], account_id=v[2], prefixes=prefixes, key_arn=v[3])
                )
            ),
            opts=child,
        )
        for upstream, prefix in self.prefixes.items():
            role_name = UPSTREAMS[upstream][0]
            credential = credentials[upstream]
            template = aws.ecr.RepositoryCreationTemplate(
                f"{name}-{role_name}-template",
                prefix=prefix,
                description=f"Repositories the {stack} pull-through cache creates for {UPSTREAMS[upstream][1]}",
                applied_fors=["PULL_THROUGH_CACHE"],
                encryption_configurations=[{"encryption_type": "KMS", "kms_key": args["kms_key_arn"]}],
                # AWS updates cached tags from upstream; immutability would freeze them (see module docstring).
                image_tag_mutability="MUTABLE",
                lifecycle_policy=json.dumps(cached_lifecycle_policy()),
                resource_tags={PURPOSE_TAG: PULL_THROUGH_CACHE_PURPOSE},
                custom_role_arn=role.arn,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
            )
            aws.ecr.PullThroughCacheRule(
                f"{name}-{role_name}",
                ecr_repository_prefix=prefix,
                upstream_registry_url=UPSTREAMS[upstream][1],
                credential_arn=credential,
                # The first pull creates a repository: the template must exist by then.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[template]),
            )
        if args.get("manage_registry_scanning", True):
            aws.ecr.RegistryScanningConfiguration(
                f"{name}-scanning",
                scan_type="BASIC",
                rules=[
                    {
                        "scan_frequency": "SCAN_ON_PUSH",
                        # The same in every stack (the configuration is one per account and region),
                        # so two stacks sharing a region write the same rule instead of fighting.
                        "repository_filters": [
                            {"filter": f"*/{suffix}/*", "filter_type": "WILDCARD"} for suffix, _ in UPSTREAMS.values()
                        ],
                    }
                ],
                opts=child,
            )

        self.registry = pulumi.Output.concat(ctx.account_id, ".dkr.ecr.", ctx.region, ".amazonaws.com")
        self.ecr_public_prefix = pulumi.Output.concat(self.registry, "/", self.prefixes[ECR_PUBLIC])
        self.repository_arns = pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id).apply(
            lambda v: [f"arn:{v[0]}:ecr:{v[1]}:{v[2]}:repository/{p}/*" for p in prefixes]
        )
        self.ref: PullThroughCacheRef = {
            "registry": self.registry,
            "ecr_public_prefix": self.ecr_public_prefix,
            "repository_arns": self.repository_arns,
            "prefixes": self.prefixes,
        }
        """What `ServiceDelivery` takes as `pull_through_cache`."""
        self.register_outputs(
            {
                "prefixes": self.prefixes,
                "registry": self.registry,
                "ecr_public_prefix": self.ecr_public_prefix,
                "repository_arns": self.repository_arns,
            }
        )

    def resolve(self, image: pulumi.Input[str]) -> pulumi.Output[str]:
        """`image` as pulled through this cache (unchanged when no rule covers its registry)."""
        return resolve_through(self.ref, image)


def resolve_through(cache: PullThroughCacheRef, image: pulumi.Input[str]) -> pulumi.Output[str]:
    """`image` as pulled through `cache` (unchanged when no rule covers its registry)."""
    prefixes = dict(cache["prefixes"])
    return pulumi.Output.all(image, cache["registry"]).apply(lambda v: cached_image(v[0], v[1], prefixes))
