"""Rule metadata and the registry that holds it, separate from rule logic.

A rule is a pure function plus metadata (name, description, severity, remediation, default
enforcement level, configuration schema). The registry rejects duplicate or badly formed
names; `adapter.py` turns rules into `pulumi_policy` policies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Props = Mapping[str, Any]
Config = Mapping[str, Any]

LEVELS = ("mandatory", "advisory", "disabled")
SEVERITIES = ("low", "medium", "high", "critical")
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Resource:
    """What a resource rule sees: the resource's type, names and input properties."""

    type: str
    name: str
    urn: str
    props: Props


@dataclass(frozen=True)
class StackResource:
    """What a stack rule sees of each resource: its output properties and its place in the graph."""

    type: str
    name: str
    urn: str
    props: Props
    parent: str | None = None
    dependencies: tuple[str, ...] = ()


ResourceCheck = Callable[[Resource, Config], Iterable[str]]
StackCheck = Callable[[Sequence[StackResource], Config], Iterable[tuple[str, str | None]]]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    severity: str
    remediation: str
    level: str
    """Default enforcement level; a team overrides it with `--policy-pack-config`."""
    check: ResourceCheck | StackCheck
    types: frozenset[str] | None = None
    """Resource types the rule applies to; None for stack rules."""
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """JSON-schema properties of the rule's parameters, each with a `default`."""

    @property
    def is_stack(self) -> bool:
        return self.types is None

    def defaults(self) -> dict[str, Any]:
        return {key: schema["default"] for key, schema in self.config.items() if "default" in schema}


class Registry:
    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, rule: Rule) -> Rule:
        if rule.name in self._rules:
            raise ValueError(f"duplicate policy name {rule.name!r}")
        if not _KEBAB.fullmatch(rule.name) or rule.name == "all":
            raise ValueError(f"policy name {rule.name!r} must be kebab-case and not 'all'")
        if rule.level not in LEVELS or rule.severity not in SEVERITIES:
            raise ValueError(f"policy {rule.name!r}: level must be one of {LEVELS}, severity one of {SEVERITIES}")
        if not rule.description or not rule.remediation:
            raise ValueError(f"policy {rule.name!r}: description and remediation are required")
        self._rules[rule.name] = rule
        return rule

    def resource(
        self,
        *,
        name: str,
        types: Sequence[str],
        description: str,
        severity: str,
        remediation: str,
        level: str = "mandatory",
        config: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Callable[[ResourceCheck], ResourceCheck]:
        def register(check: ResourceCheck) -> ResourceCheck:
            self.add(Rule(name, description, severity, remediation, level, check, frozenset(types), dict(config or {})))
            return check

        return register

    def stack(
        self,
        *,
        name: str,
        description: str,
        severity: str,
        remediation: str,
        level: str = "mandatory",
        config: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Callable[[StackCheck], StackCheck]:
        def register(check: StackCheck) -> StackCheck:
            self.add(Rule(name, description, severity, remediation, level, check, None, dict(config or {})))
            return check

        return register

    def rules(self) -> list[Rule]:
        return list(self._rules.values())


REGISTRY = Registry()
resource_rule = REGISTRY.resource
stack_rule = REGISTRY.stack
