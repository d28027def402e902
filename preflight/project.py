"""Reads a Pulumi project and one stack's config the way the Pulumi CLI does.

The result is the flat `namespace:key -> string` map that the CLI hands to the language
host: project-level defaults from `Pulumi.yaml`, overridden by `Pulumi.<stack>.yaml`,
structured values as JSON text. Type errors against the project's typed `config:`
block are reported like the CLI reports them, before the program runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it (the PyPI wheels are), the same safe subset.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ProjectError(Exception):
    """The project or stack files cannot be used (missing, unreadable, wrongly typed)."""


@dataclass(frozen=True)
class Project:
    name: str
    directory: Path
    main: Path
    config: dict[str, str]
    """Merged config for one stack, in the CLI's `namespace:key -> text` form."""


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(), Loader=_LOADER) or {}
    except FileNotFoundError as exc:
        raise ProjectError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a mapping at the top level")
    return data


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
}


def _check_type(stack: str, key: str, value: Any, schema: Mapping[str, Any]) -> None:
    expected = schema.get("type")
    check = _TYPE_CHECKS.get(str(expected))
    if check is not None and not check(value):
        raise ProjectError(
            f"Stack '{stack}' with configuration key '{key}' must be of type '{expected}' "
            f"(got {json.dumps(value)}); fix it in Pulumi.{stack}.yaml"
        )


def load_project(directory: Path, stack: str, overrides: Mapping[str, Any] | None = None) -> Project:
    """Merge `Pulumi.yaml` defaults, `Pulumi.<stack>.yaml` and `overrides` (project keys)."""
    project_file = _load_yaml(directory / "Pulumi.yaml")
    name = project_file.get("name")
    if not isinstance(name, str) or not name:
        raise ProjectError(f"{directory / 'Pulumi.yaml'}: missing project name")
    main = directory / str(project_file.get("main", "")) / "__main__.py"

    schemas: dict[str, Mapping[str, Any]] = {}
    values: dict[str, Any] = {}
    for key, decl in (project_file.get("config") or {}).items():
        full = key if ":" in key else f"{name}:{key}"
        if isinstance(decl, Mapping) and "type" in decl:
            schemas[full] = decl
            if "default" in decl:
                values[full] = decl["default"]
        elif isinstance(decl, Mapping) and "value" in decl:
            values[full] = decl["value"]
        else:
            values[full] = decl

    stack_path = directory / f"Pulumi.{stack}.yaml"
    if not stack_path.exists():
        stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))
        raise ProjectError(
            f"no stack named '{stack}': there is no {stack_path.name} (stacks here: {', '.join(stacks)})"
        )
    stack_config = _load_yaml(stack_path).get("config") or {}
    for key, value in stack_config.items():
        full = key if ":" in key else f"{name}:{key}"
        if full in schemas:
            _check_type(stack, full, value, schemas[full])
        values[full] = value
    for key, value in (overrides or {}).items():
        values[key if ":" in key else f"{name}:{key}"] = value

    return Project(
        name=name,
        directory=directory,
        main=main,
        config={k: _as_text(v) for k, v in values.items() if v is not None},
    )
