"""The resource graph in the `pulumi stack export` format (deployment version 3)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pulumi

from .engine import PlanResult, Registration


def plain(value: Any) -> Any:
    """Make a deserialized property JSON-safe the way a checkpoint stores it."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        # Resource references are stored by URN.
        return {"urn": getattr(value, "_urn_value", None) or str(value)}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def resource_state(reg: Registration) -> dict[str, Any]:
    state: dict[str, Any] = {"urn": reg.urn, "custom": reg.custom}
    if reg.custom:
        state["id"] = reg.id
    state["type"] = reg.type
    state["inputs"] = plain(reg.inputs)
    state["outputs"] = plain(reg.outputs)
    if reg.parent:
        state["parent"] = reg.parent
    if reg.protect:
        state["protect"] = True
    if reg.retain_on_delete:
        state["retainOnDelete"] = True
    # Sorted: the SDK sends them in the order of a set of URNs, which changes from run to run with
    # the hash seed; sorted, two plans of the same program are the same file.
    state["dependencies"] = sorted(reg.dependencies)
    if reg.property_dependencies:
        state["propertyDependencies"] = {k: sorted(v) for k, v in sorted(reg.property_dependencies.items())}
    if reg.provider:
        state["provider"] = reg.provider
    return state


def deployment(plan: PlanResult) -> dict[str, Any]:
    return {
        "version": 3,
        "deployment": {
            "manifest": {
                "time": "1970-01-01T00:00:00Z",
                "magic": "",
                "version": f"preflight/pulumi-{version('pulumi')}",
            },
            "resources": [resource_state(r) for r in plan.resources],
        },
    }


def write_json(document: Any, path: Path) -> None:
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
