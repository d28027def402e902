"""The rules of the container-delivery policy pack, grouped by service.

Importing this package registers every rule; it never starts the analyzer server.
"""

from __future__ import annotations

from pulumi_policy import Policy

from . import codebuild, codepipeline, ecr, ecs, eks, elb, iam, storage  # noqa: F401 - importing a module registers its rules
from .adapter import to_policy
from .registry import REGISTRY, Rule

PACK_NAME = "container-delivery-baseline"


def rules() -> list[Rule]:
    return REGISTRY.rules()


def pack_policies() -> list[Policy]:
    return [to_policy(rule) for rule in REGISTRY.rules()]


__all__ = ["PACK_NAME", "REGISTRY", "Rule", "pack_policies", "rules"]
