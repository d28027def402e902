"""The AWS and Kubernetes names derived from a service or stack name, and the rule each must meet.

Components build their names here and settings check them here, so the two cannot disagree:
a name AWS would refuse at `pulumi up` is refused before anything is registered. Pulumi's
auto-naming appends `-` and 7 random characters to a logical name (`web-alb` becomes
`web-alb-1a2b3c4`), so a rule on a physical name is checked with that suffix counted.
"""

import re
from collections.abc import Sequence

# Pulumi auto-naming: "<logical name>-<7 random characters>".
AUTONAME_SUFFIX = len("-") + 7

# Elastic Load Balancing: at most 32 alphanumerics or hyphens, no hyphen at either end; a load
# balancer's name must not begin with "internal-" (CreateLoadBalancer, CreateTargetGroup).
LB_NAME_MAX = 32
LB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
LB_RESERVED_PREFIX = "internal-"
# KMS CreateAlias: "alias/" then letters, digits, '/', '_', '-' or ':'; at most 256 characters.
KMS_ALIAS = re.compile(r"^alias/[a-zA-Z0-9:/_-]+$")
KMS_ALIAS_MAX = 256
# IAM CreateRole: at most 64 characters of [\w+=,.@-]; with name_prefix at most 38.
IAM_ROLE_MAX = 64
IAM_ROLE = re.compile(r"^[\w+=,.@-]+$")
# CloudWatch Logs CreateLogGroup: 1-512 characters of [.\-_/#A-Za-z0-9].
LOG_GROUP_MAX = 512
LOG_GROUP = re.compile(r"^[.\-_/#A-Za-z0-9]+$")
# Kubernetes: a namespace is a DNS-1123 label; these exist in every cluster.
DNS_1123_LABEL = re.compile(r"^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$")
RESERVED_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")

# The IAM roles a service's components create, by logical-name suffix (auto-named).
SERVICE_ROLE_SUFFIXES = ("-execution-role", "-task-role", "-pipeline-role", "-trigger-role")


def load_balancer_name(service: str) -> str:
    """Logical name of a service's ALB on ECS (auto-named from it)."""
    return f"{service}-alb"


def target_group_name(service: str) -> str:
    """Logical name of a service's target group on ECS (auto-named from it)."""
    return f"{service}-tg"


def alternate_target_group_name(service: str) -> str:
    """Logical name of the second target group a blue/green, canary or linear release shifts traffic to."""
    return f"{service}-tg2"


def ecs_log_group_prefix(service: str) -> str:
    """`name_prefix` of a service's ECS task log group."""
    return f"/ecs/{service}-"


def kms_alias_prefix(project: str, stack: str) -> str:
    """`name_prefix` of the artifact store key's alias: one per project and stack."""
    return f"alias/{project}-{stack}-"


def namespace(service: str) -> str:
    """The Kubernetes namespace a service runs in on EKS."""
    return service


def reserved_namespace(ns: str) -> bool:
    """A namespace every cluster has, or one Kubernetes reserves (kube-*)."""
    return ns in RESERVED_NAMESPACES or ns.startswith("kube-")


def _autonamed(logical: str) -> str:
    return f"{logical}-0000000"


def service_name_problems(service: str, target: str) -> list[str]:
    """Why a name derived from `service` would be refused by AWS or Kubernetes, as fixes."""
    problems = []
    if target == "ecs":
        for kind, logical in (
            ("load balancer", load_balancer_name(service)),
            ("target group", target_group_name(service)),
            ("alternate target group", alternate_target_group_name(service)),
        ):
            physical = _autonamed(logical)
            if len(physical) > LB_NAME_MAX or not LB_NAME.fullmatch(physical):
                problems.append(
                    f"its {kind} would be named {physical!r}: at most {LB_NAME_MAX} letters, digits or '-'; "
                    "use a shorter name"
                )
        if _autonamed(load_balancer_name(service)).startswith(LB_RESERVED_PREFIX):
            problems.append(
                f"its load balancer's name would begin with {LB_RESERVED_PREFIX!r}, which Elastic Load Balancing "
                "reserves; choose a name that does not begin with 'internal-'"
            )
        group = ecs_log_group_prefix(service) + "0" * 26
        if len(group) > LOG_GROUP_MAX or not LOG_GROUP.fullmatch(group):
            problems.append(f"its log group {group!r} is not a CloudWatch Logs name; use letters, digits and '-'")
    for suffix in SERVICE_ROLE_SUFFIXES:
        role = _autonamed(service + suffix)
        if len(role) > IAM_ROLE_MAX or not IAM_ROLE.fullmatch(role):
            problems.append(f"its IAM role {role!r} is longer than {IAM_ROLE_MAX} characters; use a shorter name")
    if target == "eks":
        ns = namespace(service)
        if not DNS_1123_LABEL.fullmatch(ns):
            problems.append(f"its namespace {ns!r} is not a DNS-1123 label (lowercase letters, digits, '-')")
        elif reserved_namespace(ns):
            problems.append(
                f"its namespace {ns!r} already exists in every cluster (or is reserved: "
                f"{', '.join(RESERVED_NAMESPACES)}, kube-*); choose another name"
            )
    return problems


def stack_name_problems(project: str, stack: str) -> list[str]:
    """Why a name derived from the project and stack names would be refused by AWS."""
    alias = kms_alias_prefix(project, stack) + "0" * 26
    if len(alias) > KMS_ALIAS_MAX or not KMS_ALIAS.fullmatch(alias):
        return [
            f"the artifact key's alias {kms_alias_prefix(project, stack)!r}... is not a KMS alias "
            "(letters, digits, '/', '_', '-' and ':' only): rename the stack without '.' or other characters"
        ]
    return []


def collisions(services: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs (a, b) where b begins with a + '-': every child of a service is named f"{service}-<role>",
    so such a pair can register the same child URN (`web`'s cache repository's lifecycle policy
    `web-cache-lifecycle` is `web-cache`'s repository lifecycle policy too)."""
    return [(a, b) for a in services for b in services if a != b and b.startswith(f"{a}-")]
