"""The rules of the container-delivery policy pack, grouped by service.

`rules()` and `pack_policies()` import the rule modules, which registers every rule; nothing
here starts the analyzer server. Importing the package itself is cheap (the rule modules and
pulumi_policy load on first use), so the component library can import `contract` from it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .registry import REGISTRY, Rule

if TYPE_CHECKING:
    from pulumi_policy import Policy

PACK_NAME = "container-delivery-baseline"
RULE_MODULES = (
    "codebuild",
    "codepipeline",
    "ecr",
    "ecs",
    "eks",
    "eks_access",
    "elb",
    "iam",
    "oidc_trust",
    "kubernetes",
    "kubernetes_rbac",
    "releases",
    "storage",
    "workload_images",
)


def rules() -> list[Rule]:
    """Every rule of the pack, in registration order."""
    for module in RULE_MODULES:
        importlib.import_module(f".{module}", __name__)
    return REGISTRY.rules()


def pack_policies() -> list[Policy]:
    """The pack's policies as `pulumi_policy` objects."""
    from .adapter import to_policy

    return [to_policy(rule) for rule in rules()]


__all__ = ["PACK_NAME", "REGISTRY", "Rule", "pack_policies", "rules"]
