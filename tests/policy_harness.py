"""Runs single policies of the pack on hand-made resource states, the way preflight does.

A happy-path fixture plus `changed(fixture, "a.b.0.c", value)` gives one-field-changed cases.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from policies.rules import pack_policies
from preflight.verdicts import evaluate

POLICIES = {p.name: p for p in pack_policies()}
DELETE = object()
"""`changed(..., DELETE)` removes the key."""


def urn(type_: str, name: str, parent: str = "") -> str:
    parent_type = f"{parent}$" if parent else ""
    return f"urn:pulumi:test::container-delivery::{parent_type}{type_}::{name}"


def changed(base: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `base` with the dotted `path` (list indices as numbers) set to `value`."""
    result = copy.deepcopy(dict(base))
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(last)] = value
    elif value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value
    return result


def state(
    type_: str,
    name: str,
    props: Mapping[str, Any],
    *,
    dependencies: Sequence[str] = (),
    parent: str | None = None,
) -> dict[str, Any]:
    """A stack-export resource state whose inputs and outputs are both `props`."""
    result: dict[str, Any] = {
        "urn": urn(type_, name),
        "type": type_,
        "custom": True,
        "inputs": dict(props),
        "outputs": dict(props),
        "dependencies": list(dependencies),
    }
    if parent:
        result["parent"] = parent
    return result


def messages(policy: str, states: Sequence[Mapping[str, Any]], **params: Any) -> list[str]:
    """The violation messages of `policy` on `states`, with pack-config `params` for it."""
    config = {policy: dict(params)} if params else None
    return [v.message for v in evaluate(states, config, [POLICIES[policy]]).violations]


def resource_messages(policy: str, type_: str, props: Mapping[str, Any], **params: Any) -> list[str]:
    return messages(policy, [state(type_, "subject", props)], **params)
