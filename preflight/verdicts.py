"""Evaluates the policy pack on a `pulumi stack export` document, in-process.

The pack's own `pulumi_policy` objects are called with the same arguments the analyzer
server builds in a real preview: resource policies see each resource's inputs, stack
policies see every resource's outputs, parents and dependencies. A value the engine does
not know yet turns into an advisory "cannot evaluate" verdict, as it does in a preview.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies.rules import PACK_NAME, pack_policies

from .errors import PackConfigError

__all__ = ["PackConfigError", "Verdicts", "Violation", "evaluate", "load_pack_config", "pack_policies"]

LEVELS = {level.value for level in EnforcementLevel} - {"remediate"}


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcementLevel: str  # noqa: N815 - the field name of the verdicts document
    urn: str
    message: str


@dataclass(frozen=True)
class Verdicts:
    violations: list[Violation]
    resources: int
    policies: int

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcementLevel == "mandatory"]

    def document(self) -> dict[str, Any]:
        levels = Counter(v.enforcementLevel for v in self.violations)
        return {
            "violations": [asdict(v) for v in self.violations],
            "summary": {
                "policyPack": PACK_NAME,
                "resources": self.resources,
                "policies": self.policies,
                "mandatory": levels.get("mandatory", 0),
                "advisory": levels.get("advisory", 0),
                "byPolicy": dict(sorted(Counter(v.policy for v in self.violations).items())),
            },
        }


def load_pack_config(path: Path | None, policies: Sequence[Policy]) -> dict[str, dict[str, Any]]:
    """Read a config file in the format `pulumi preview --policy-pack-config` takes.

    `{"all": "advisory", "<policy>": "mandatory", "<policy>": {"enforcementLevel": ..., "<param>": ...}}`
    """
    known = {p.name: p for p in policies}
    levels: dict[str, dict[str, Any]] = {
        p.name: {"enforcementLevel": (p.enforcement_level or EnforcementLevel.ADVISORY).value} for p in policies
    }
    if path is None:
        return levels
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise PackConfigError(f"{path}: cannot read policy pack config ({exc})") from exc
    if not isinstance(raw, dict):
        raise PackConfigError(f"{path}: expected a JSON object of policy names")
    if "all" in raw:
        _check_level(path, "all", raw["all"])
        for entry in levels.values():
            entry["enforcementLevel"] = raw["all"]
    for name, value in raw.items():
        if name == "all":
            continue
        if name not in known:
            raise PackConfigError(f"{path}: unknown policy {name!r}; the pack has {', '.join(sorted(known))}")
        if isinstance(value, str):
            _check_level(path, name, value)
            levels[name]["enforcementLevel"] = value
            continue
        if not isinstance(value, dict):
            raise PackConfigError(f"{path}: {name} must be a level or an object")
        schema = known[name].config_schema
        allowed = set(schema.properties) if schema else set()
        for key, item in value.items():
            if key == "enforcementLevel":
                _check_level(path, name, item)
            elif key not in allowed:
                raise PackConfigError(
                    f"{path}: {name} has no parameter {key!r}; it takes {', '.join(sorted(allowed)) or 'none'}"
                )
            levels[name][key] = item
    return levels


def _check_level(path: Path, name: str, level: Any) -> None:
    if level not in LEVELS:
        raise PackConfigError(f"{path}: {name}: enforcement level {level!r} is not one of {', '.join(sorted(LEVELS))}")


def _options(state: Mapping[str, Any]) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=bool(state.get("protect", False)),
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=state.get("parent"),
    )


def _cannot_evaluate(policy: Policy, error: UnknownValueError, urn: str) -> Violation:
    return Violation(
        policy=policy.name,
        enforcementLevel="advisory",
        urn=urn,
        message=f"can't run policy '{policy.name}' from policy pack '{PACK_NAME}' during preview: {error.message}",
    )


_Entry = tuple[ResourceValidationPolicy, str, dict[str, Any]]


def _applies_to(policy: Policy) -> frozenset[str] | None:
    """The resource types a pack policy inspects (set by its adapter), None if it does not say."""
    types = getattr(policy, "applies_to", None)
    return frozenset(types) if types is not None else None


def evaluate(
    resources: Sequence[Mapping[str, Any]],
    config: Mapping[str, Mapping[str, Any]] | None = None,
    policies: Sequence[Policy] | None = None,
) -> Verdicts:
    """Run every enabled policy over `resources` (states of a stack export document)."""
    policies = list(policies) if policies is not None else pack_policies()
    config = config if config is not None else load_pack_config(None, policies)
    violations: list[Violation] = []

    def settings(policy: Policy) -> tuple[str, dict[str, Any]]:
        entry = dict(config.get(policy.name, {}))
        level = entry.pop("enforcementLevel", (policy.enforcement_level or EnforcementLevel.ADVISORY).value)
        return level, entry

    resource_policies: list[_Entry] = []
    for candidate in policies:
        if isinstance(candidate, ResourceValidationPolicy):
            level, params = settings(candidate)
            if level != "disabled":
                resource_policies.append((candidate, level, params))
    # The pack's policies say which resource types they inspect (`applies_to`); calling only
    # those gives the same verdicts as calling every policy on every resource, without the
    # work of building arguments for calls that return at once. Other policies see everything.
    by_type: dict[str, list[_Entry]] = {}

    def applicable(resource_type: str) -> list[_Entry]:
        if resource_type not in by_type:
            by_type[resource_type] = [
                entry
                for entry in resource_policies
                if (types := _applies_to(entry[0])) is None or resource_type in types
            ]
        return by_type[resource_type]

    for state in resources:
        selected = applicable(state["type"])
        if not selected:
            continue
        props = unknown_checking_proxy(dict(state.get("inputs") or {}))
        urn = state["urn"]
        name = urn.rsplit("::", 1)[-1]
        options = _options(state)
        for policy, level, params in selected:
            args = ResourceValidationArgs(state["type"], props, urn, name, options, None, params)

            def report(
                message: str, _urn: str | None = None, *, p: Policy = policy, lvl: str = level, at: str = urn
            ) -> None:
                violations.append(Violation(policy=p.name, enforcementLevel=lvl, urn=at, message=message))

            try:
                policy.validate(args, report)
            except UnknownValueError as error:
                violations.append(_cannot_evaluate(policy, error, urn))

    stack_policies = [p for p in policies if isinstance(p, StackValidationPolicy)]
    if stack_policies:
        stack_view = _stack_view(resources)
        for stack_policy in stack_policies:
            level, params = settings(stack_policy)
            if level == "disabled":
                continue

            def report_stack(
                message: str, urn: str | None = None, *, p: Policy = stack_policy, lvl: str = level
            ) -> None:
                violations.append(Violation(policy=p.name, enforcementLevel=lvl, urn=urn or "", message=message))

            try:
                stack_policy.validate(StackValidationArgs(stack_view, params), report_stack)
            except UnknownValueError as error:
                violations.append(_cannot_evaluate(stack_policy, error, ""))

    return Verdicts(violations=violations, resources=len(resources), policies=len(policies))


class _LazyProps(Mapping[str, Any]):
    """A resource's outputs as a stack policy sees them, wrapped for unknown values on first read.
    Stack rules read a few resource types, so most outputs are never wrapped (same verdicts, less work)."""

    __slots__ = ("_proxy", "_raw")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = raw
        self._proxy: Mapping[str, Any] | None = None

    def _props(self) -> Mapping[str, Any]:
        if self._proxy is None:
            self._proxy = unknown_checking_proxy(dict(self._raw))
        return self._proxy

    def __getitem__(self, key: str) -> Any:
        return self._props()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._props())

    def __len__(self) -> int:
        return len(self._props())


def _stack_view(resources: Iterable[Mapping[str, Any]]) -> list[PolicyResource]:
    view: dict[str, PolicyResource] = {}
    states = list(resources)
    for state in states:
        urn = state["urn"]
        view[urn] = PolicyResource(
            state["type"],
            _LazyProps(state.get("outputs") or {}),
            urn,
            urn.rsplit("::", 1)[-1],
            _options(state),
            None,
            None,
            [],
            {},
        )
    for state in states:
        resource = view[state["urn"]]
        resource.parent = view.get(state.get("parent") or "")
        resource.dependencies = [view[d] for d in state.get("dependencies", []) if d in view]
    return list(view.values())


def render_verdicts(verdicts: Verdicts, remediation: Mapping[str, str]) -> str:
    lines = [
        f"Policy pack {PACK_NAME}: {verdicts.policies} policies on {verdicts.resources} resources, "
        f"{len(verdicts.mandatory)} mandatory and {len(verdicts.violations) - len(verdicts.mandatory)} advisory "
        "violations"
    ]
    for level in ("mandatory", "advisory"):
        group = [v for v in verdicts.violations if v.enforcementLevel == level]
        if not group:
            continue
        lines += ["", f"{level.capitalize()} ({len(group)}):"]
        for v in sorted(group, key=lambda v: (v.policy, v.urn)):
            lines.append(f"  [{v.policy}] {v.urn or '(stack)'}")
            lines.append(f"    {v.message}")
            if v.policy in remediation:
                lines.append(f"    fix: {remediation[v.policy]}")
    return "\n".join(lines)
