"""Turns registered rules into `pulumi_policy` policies, the objects the pack serves.

The same objects are used offline by preflight, so a verdict is computed by one code path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .registry import Resource, ResourceCheck, Rule, StackCheck, StackResource


def _config(rule: Rule, given: Any) -> dict[str, Any]:
    return {**rule.defaults(), **dict(given or {})}


_last_view: tuple[Sequence[PolicyResource], list[StackResource]] | None = None


def _stack_resources(resources: Sequence[PolicyResource]) -> list[StackResource]:
    """What stack rules see of the stack. Every stack policy of one evaluation gets the same
    list, so the view is built once for all of them (the held reference keeps `is` exact)."""
    global _last_view
    if _last_view is not None and _last_view[0] is resources:
        return _last_view[1]
    view = [
        StackResource(
            type=r.resource_type,
            name=r.name,
            urn=r.urn,
            props=r.props,
            parent=r.parent.urn if r.parent is not None else None,
            dependencies=tuple(d.urn for d in r.dependencies),
        )
        for r in resources
    ]
    _last_view = (resources, view)
    return view


def to_policy(rule: Rule) -> Policy:
    schema = PolicyConfigSchema(properties={k: dict(v) for k, v in rule.config.items()}) if rule.config else None
    common: dict[str, Any] = {
        "name": rule.name,
        "description": rule.description,
        "enforcement_level": EnforcementLevel(rule.level),
        "config_schema": schema,
        "severity": Severity(rule.severity),
        "remediation_steps": rule.remediation,
    }
    if rule.is_stack:
        stack_check = cast(StackCheck, rule.check)

        def validate_stack(args: StackValidationArgs, report: ReportViolation) -> None:
            resources = _stack_resources(args.resources)
            for message, urn in stack_check(resources, _config(rule, args.get_config())):
                report(message, urn)

        return StackValidationPolicy(validate=validate_stack, **common)

    resource_check = cast(ResourceCheck, rule.check)
    types = rule.types or frozenset()

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in types:
            return
        resource = Resource(type=args.resource_type, name=args.name, urn=args.urn, props=args.props)
        for message in resource_check(resource, _config(rule, args.get_config())):
            report(message, None)

    policy = ResourceValidationPolicy(validate=validate, **common)
    # Lets an offline runner skip resource types the rule never inspects (the rule checks anyway).
    policy.applies_to = types  # type: ignore[attr-defined]
    return policy
