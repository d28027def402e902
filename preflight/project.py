"""Reads a Pulumi project and one stack's config the way the Pulumi CLI does.

The result is the flat `namespace:key -> string` map that the CLI hands to the language
host: project-level defaults from `Pulumi.yaml`, overridden by `Pulumi.<stack>.yaml`,
structured values as JSON text. Type errors against the project's typed `config:`
block are reported like the CLI reports them, before the program runs.
"""

from __future__ import annotations

import difflib
import json
import re
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
    undecrypted: tuple[str, ...] = ()
    """Secret (`secure:`) keys, which only the CLI can decrypt: project keys are planned with their
    default, other namespaces' keys (provider credentials) with a placeholder nothing offline reads."""


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


# The CLI's check (`ValidateConfigValue`): `pulumi config set key 60` stores the text "60", which an
# integer key accepts, as a boolean key accepts "true" and "false".
_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, str) and re.fullmatch(r"[+-]?\d+", v) is not None)
    ),
    "boolean": lambda v: isinstance(v, bool) or v in ("true", "false", "True", "False", "TRUE", "FALSE"),
    "array": lambda v: isinstance(v, list),
}

# Text standing in for a secret of another namespace (a provider's credentials, say): preflight
# cannot decrypt it and nothing offline reads it.
SECRET_PLACEHOLDER = "[secret]"


def _is_secure(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"secure"} and isinstance(value["secure"], str)


def _config_block(path: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    block = data.get("config") or {}
    if not isinstance(block, Mapping):
        raise ProjectError(f"{path}: `config:` must be a mapping of keys to values, got {type(block).__name__}")
    for key in block:
        if not isinstance(key, str) or not key:
            raise ProjectError(f"{path}: config key {key!r} must be text such as {json.dumps('namespace:key')}")
    return dict(block)


def _check_namespace(path: Path, key: str, project: str) -> None:
    """A key in a namespace one typo away from the project's is silently ignored by the program: refuse it."""
    namespace, _, rest = key.partition(":")
    if namespace != project and difflib.get_close_matches(namespace, [project], n=1, cutoff=0.8):
        raise ProjectError(
            f"{path}: config key '{key}' is in namespace '{namespace}', which nothing reads; "
            f"did you mean '{project}:{rest}'?"
        )


def _check_type(stack: str, key: str, value: Any, schema: Mapping[str, Any]) -> None:
    if _is_secure(value):
        # The CLI decrypts a secret, then checks the plain value's type; offline it stays encrypted.
        return
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
    for key, decl in _config_block(directory / "Pulumi.yaml", project_file).items():
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
    undecrypted: list[str] = []
    stack_config = _config_block(stack_path, _load_yaml(stack_path))
    for key, value in stack_config.items():
        full = key if ":" in key else f"{name}:{key}"
        _check_namespace(stack_path, full, name)
        if full in schemas:
            _check_type(stack, full, value, schemas[full])
        if _is_secure(value):
            undecrypted.append(full)
            if full.startswith(f"{name}:"):
                continue  # planned with the project's default, or unset
            value = SECRET_PLACEHOLDER
        values[full] = value
    for key, value in (overrides or {}).items():
        values[key if ":" in key else f"{name}:{key}"] = value

    return Project(
        name=name,
        directory=directory,
        main=main,
        config={k: _as_text(v) for k, v in values.items() if v is not None},
        undecrypted=tuple(undecrypted),
    )
