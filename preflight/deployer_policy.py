"""The least-privilege IAM policy of the identity that runs `pulumi up` of one stack, from its plan.

Each resource of the plan contributes the actions of its type (`preflight.deployer_actions`) on
the ARNs its names give: its own name (an explicit `name`, a `namePrefix*`, or Pulumi's autoname
`<logical name>-*`), the name of the resource an input references, or a `*` id where AWS picks the
identifier. Actions with the same resources share a statement. Actions that accept no ARN go on
`*`, limited to the stack's region. `iam:PassRole` covers only the stack's roles, each for the
services its trust policy names (`iam:PassedToService`). The result is split into documents that
each fit IAM's managed-policy limit.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .deployer_actions import (
    AWS_TYPES,
    EKS_MANAGED_POLICIES,
    INVOKES,
    NO_AWS_CALLS,
    OWN_COMPONENT_PREFIXES,
    RESOURCELESS,
    Arn,
    NameFrom,
)
from .engine import STACK_TYPE, PlanResult, Registration

MANAGED_POLICY_LIMIT = 6144
"""IAM's size limit of a customer managed policy, in characters without whitespace."""

# Autonamed types whose names AWS caps: Pulumi truncates the logical name before its 8-character suffix.
_NAME_LIMITS = {"aws:lb/loadBalancer:LoadBalancer": 32, "aws:lb/targetGroup:TargetGroup": 32, "aws:iam/role:Role": 64}
_OWN_NAME_INPUTS = ("name", "bucket", "family")
_ATTACH = ("iam:AttachRolePolicy", "iam:DetachRolePolicy")


class DeployerPolicyError(Exception):
    """The plan has a resource type or data source that the deployer table does not know."""


@dataclass(frozen=True)
class Scope:
    partition: str
    region: str
    account: str


def scope_of(plan: PlanResult, account: str | None) -> Scope:
    region = plan.project.config.get("aws:region", "us-east-1")
    partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    if account is None:
        allowed = json.loads(plan.project.config.get("aws:allowedAccountIds", "[]"))
        account = str(allowed[0]) if len(allowed) == 1 else "*"
    return Scope(partition, region, account)


def needs_entry(reg: Registration) -> bool:
    return reg.type != STACK_TYPE and not reg.type.startswith(OWN_COMPONENT_PREFIXES)


def uncovered_types(plan: PlanResult) -> list[str]:
    known = set(AWS_TYPES) | set(NO_AWS_CALLS)
    return sorted({r.type for r in plan.resources if needs_entry(r) and r.type not in known})


def own_name(reg: Registration) -> str:
    for key in _OWN_NAME_INPUTS:
        value = reg.inputs.get(key)
        if isinstance(value, str) and value:
            return value
    for key in ("namePrefix", "bucketPrefix"):
        value = reg.inputs.get(key)
        if isinstance(value, str) and value:
            return f"{value}*"
    limit = _NAME_LIMITS.get(reg.type, 255)
    return f"{reg.name}-*" if len(reg.name) <= limit - 8 else f"{reg.name[: limit - 8]}*"


class _Names:
    """Resolves what an input names (a name, id or ARN from the plan) to that resource's name pattern."""

    def __init__(self, resources: Sequence[Registration]) -> None:
        self._by_value: dict[str, Registration] = {}
        for reg in resources:
            for key in ("name", "id", "arn"):
                value = reg.outputs.get(key)
                if isinstance(value, str) and value:
                    self._by_value.setdefault(value, reg)

    def name(self, reg: Registration, arn: Arn) -> str:
        if arn.name is NameFrom.OWN:
            return own_name(reg)
        if arn.name is NameFrom.CHILDREN:
            return reg.name
        if arn.name is NameFrom.GENERATED:
            return "*"
        value = reg.inputs.get(arn.input)
        if not isinstance(value, str) or not value:
            return "*"
        target = self._by_value.get(value)
        return own_name(target) if target is not None else value


def _fill(template: str, name: str, scope: Scope) -> str:
    if "/{name}" in template:
        name = name.lstrip("/")
    return template.format(partition=scope.partition, region=scope.region, account=scope.account, name=name)


def _service(action_or_arn: str) -> str:
    return action_or_arn.split(":")[2] if action_or_arn.startswith("arn:") else action_or_arn.split(":")[0]


def trusted_services(reg: Registration) -> list[str]:
    """The AWS services a role's trust policy lets assume it: where `iam:PassRole` may pass it."""
    document = reg.inputs.get("assumeRolePolicy")
    if isinstance(document, str):
        document = json.loads(document)
    services: list[str] = []
    for statement in (document or {}).get("Statement", []):
        principal = statement.get("Principal", {})
        found = principal.get("Service", []) if isinstance(principal, dict) else []
        services += [found] if isinstance(found, str) else list(found)
    return sorted(set(services))


def _sid(words: Iterable[str]) -> str:
    return "".join(part.capitalize() for word in words for part in re.split(r"[^A-Za-z0-9]+", word) if part)


def statements(plan: PlanResult, scope: Scope, state_bucket: str | None = None) -> list[dict[str, Any]]:
    missing = uncovered_types(plan)
    if missing:
        raise DeployerPolicyError(
            "no deployer actions for resource types "
            + ", ".join(missing)
            + ": add them to preflight/deployer_actions.py"
        )
    names = _Names(plan.resources)
    on: dict[str, set[str]] = defaultdict(set)  # action -> ARNs
    resourceless: set[str] = set()
    passed: dict[str, set[str]] = defaultdict(set)  # service -> role ARNs
    service_linked: set[str] = set()
    for reg in plan.resources:
        entry = AWS_TYPES.get(reg.type)
        if entry is None:
            continue
        arns = [_fill(arn.template, names.name(reg, arn), scope) for arn in entry.arns]
        for action in entry.actions:
            if action in RESOURCELESS:
                resourceless.add(action)
            else:
                on[action].update(a for a in arns if _service(a) == _service(action))
        service_linked.update(entry.service_linked)
        for service in entry.passed_to:
            passed[service].update(a for a in arns if ":role/" in a)
        if reg.type == "aws:iam/role:Role":
            for service in trusted_services(reg):
                passed[service].add(arns[0])
    for invoke in plan.invokes:
        if invoke.token not in INVOKES:
            raise DeployerPolicyError(f"no deployer actions for data source {invoke.token}: add it to INVOKES")
        invoke_actions, template = INVOKES[invoke.token]
        for action in invoke_actions:
            if not template:
                resourceless.add(action)
                continue
            path = str(invoke.args.get("path", "")).strip("/")
            base = template.format(partition=scope.partition, region=scope.region, account=scope.account, path=path)
            on[action].update({base, f"{base}/*"})

    result: list[dict[str, Any]] = []
    condition: dict[str, Any]
    grouped: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
    for action, resources in on.items():
        if action not in _ATTACH:
            grouped[(_service(action), frozenset(resources))].append(action)
    for index, ((service, scoped), actions) in enumerate(sorted(grouped.items(), key=lambda kv: sorted(kv[1]))):
        result.append(_statement(_sid([service, str(index)]), actions, scoped))
    attach = sorted({a for action in _ATTACH for a in on.get(action, ())})
    if attach:
        managed = [f"arn:{scope.partition}:iam::aws:policy/{name}" for name in EKS_MANAGED_POLICIES]
        condition = {"ArnEquals": {"iam:PolicyARN": managed}}
        result.append(_statement("AttachEksManagedPolicies", [a for a in _ATTACH if a in on], attach, condition))
    for service, roles in sorted(passed.items()):
        condition = {"StringEquals": {"iam:PassedToService": service}}
        result.append(_statement(_sid(["pass role to", service.split(".")[0]]), ["iam:PassRole"], roles, condition))
    if service_linked:
        linked = [
            f"arn:{scope.partition}:iam::{scope.account}:role/aws-service-role/{s}/*" for s in sorted(service_linked)
        ]
        condition = {"StringEquals": {"iam:AWSServiceName": sorted(service_linked)}}
        result.append(_statement("ServiceLinkedRoles", ["iam:CreateServiceLinkedRole"], linked, condition))
    if resourceless:
        condition = {"StringEquals": {"aws:RequestedRegion": scope.region}}
        result.append(_statement("NoResourceArn", sorted(resourceless), ["*"], condition))
    if state_bucket:
        bucket = f"arn:{scope.partition}:s3:::{state_bucket}"
        result.append(_statement("StateBucket", ["s3:ListBucket"], [bucket]))
        objects = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        result.append(_statement("StateObjects", objects, [f"{bucket}/.pulumi/*"]))
    return result


def _statement(
    sid: str, actions: Iterable[str], resources: Iterable[str], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    listed = sorted(resources)
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(set(actions)),
        "Resource": listed[0] if len(listed) == 1 else listed,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def size(document: dict[str, Any]) -> int:
    """Characters as IAM counts them against the limit: the JSON without whitespace."""
    return len(json.dumps(document, separators=(",", ":")))


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def _pieces(statement: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """A statement too large for one document, cut in halves (resources first, then actions)."""
    if size(_document([statement])) <= limit:
        return [statement]
    for key in ("Resource", "Action"):
        values = statement[key]
        if isinstance(values, list) and len(values) > 1:
            half = len(values) // 2
            halves = [values[:half], values[half:]]
            return [
                piece
                for n, part in enumerate(halves)
                for piece in _pieces({**statement, "Sid": f"{statement['Sid']}{n}", key: part}, limit)
            ]
    raise DeployerPolicyError(f"statement {statement['Sid']} alone exceeds {limit} characters")


def documents(statements: list[dict[str, Any]], limit: int = MANAGED_POLICY_LIMIT) -> list[dict[str, Any]]:
    """Pack the statements, in order, into as few documents of at most `limit` characters as fit."""
    result: list[list[dict[str, Any]]] = [[]]
    for statement in statements:
        for piece in _pieces(statement, limit):
            if result[-1] and size(_document([*result[-1], piece])) > limit:
                result.append([])
            result[-1].append(piece)
    return [_document(group) for group in result if group]


def deployer_policy(
    plan: PlanResult, account: str | None = None, state_bucket: str | None = None
) -> list[dict[str, Any]]:
    """The policy documents (each within IAM's managed-policy limit) for whoever runs `pulumi up`."""
    return documents(statements(plan, scope_of(plan, account), state_bucket))
