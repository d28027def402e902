"""`python -m preflight add-service`: add one service entry to a stack file, validated first.

The entry is checked by the settings loader itself (`components.settings.parse_settings`, with
the stack's other settings, exactly as `pulumi up` and `preflight plan` read them), so it refuses
what they refuse, with the same messages. The file is edited round-trip (ruamel.yaml): its other
keys, comments and order stay as they were. The new text is parsed back and compared with what
was meant before it replaces the file, in one `os.replace`, so a failure never leaves a
half-written stack file.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

from components.settings import DEFAULT_SERVICE, parse_settings

from .project import ProjectError, load_project


@dataclass(frozen=True, kw_only=True)
class NewService:
    """What the command line gives; None leaves a key to the loader's default."""

    name: str
    repository: str
    provider: str | None = None
    branch: str | None = None
    port: str | None = None
    health_check_path: str | None = None
    dockerfile: str | None = None

    def entry(self) -> dict[str, Any]:
        """The stack file's entry, in the settings' camelCase keys (README "Settings")."""
        source: dict[str, Any] = {"provider": self.provider or "github", "repository": self.repository}
        if self.branch is not None:
            source["branch"] = self.branch
        entry: dict[str, Any] = {"name": self.name, "source": source}
        if self.port is not None:
            # A number when it is one; anything else goes to the loader as given, which names it.
            entry["port"] = int(self.port) if self.port.strip().isdigit() else self.port
        if self.health_check_path is not None:
            entry["healthCheckPath"] = self.health_check_path
        if self.dockerfile is not None:
            entry["dockerfile"] = self.dockerfile
        return entry


@dataclass(frozen=True)
class Added:
    path: Path
    index: int
    """The new entry's position, `services[index]` in the loader's messages."""


def _round_trip() -> YAML:
    editor = YAML()  # round-trip mode: comments, key order and quoting survive
    editor.indent(mapping=2, sequence=4, offset=2)  # the layout `pulumi config set --path` writes
    editor.width = 4096  # never fold a long value onto a second line
    editor.preserve_quotes = True
    return editor


def _services_key(config: Mapping[str, Any], project: str) -> str:
    """The stack file's key for the services list, as written there (namespaced or not)."""
    for key in (f"{project}:services", "services"):
        if key in config:
            return key
    return f"{project}:services"


def _current_services(raw: Mapping[str, Any], stack: str) -> list[Any]:
    """The stack's services today: its own list, or the default service when it sets none."""
    if "services" not in raw:
        return [DEFAULT_SERVICE]
    try:
        current = json.loads(raw["services"])
    except json.JSONDecodeError:
        current = None
    if not isinstance(current, list):
        parse_settings(raw, stack)  # refuses the value, with its own message
        raise ProjectError(f"Pulumi.{stack}.yaml: services is not a list")
    return current


def add_service(directory: Path, stack: str, service: NewService) -> Added:
    """Validate `service` with the stack's settings, then write it into `Pulumi.<stack>.yaml`.

    Raises `ProjectError` for an unusable project or stack file and `SettingsError` (the loader's,
    unchanged) for settings it refuses; the stack file is then left untouched.
    """
    project = load_project(directory, stack)
    prefix = f"{project.name}:"
    # The settings exactly as the program receives them: text values, structured ones as JSON.
    raw: dict[str, Any] = {k[len(prefix) :]: v for k, v in project.config.items() if k.startswith(prefix)}
    services = [*_current_services(raw, stack), service.entry()]
    parse_settings({**raw, "services": services}, stack)

    path = directory / f"Pulumi.{stack}.yaml"
    original = path.read_text()
    editor = _round_trip()
    document = editor.load(original)
    if document is None or not isinstance(document.get("config"), Mapping):
        raise ProjectError(f"{path}: expected a `config:` mapping to add the service to")
    config = document["config"]
    key = _services_key(config, project.name)
    listed = config.get(key)
    if isinstance(listed, list):
        listed.append(service.entry())
    else:
        # Absent (the default service applies) or JSON text: write the whole list, as YAML.
        config[key] = services
    buffer = io.StringIO()
    editor.dump(document, buffer)
    text = buffer.getvalue()

    # Parsed back, the new file must be the old one plus exactly this entry.
    expected = yaml.safe_load(original)
    expected["config"][key] = services
    if yaml.safe_load(text) != expected:
        raise ProjectError(f"{path}: could not add the service without changing other settings; edit it by hand")
    _replace(path, text)
    return Added(path, len(services) - 1)


def _replace(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path` (atomic)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
