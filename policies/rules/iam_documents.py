"""Reading IAM-style policy documents: parsing and normalising, no verdicts.

A document reaches the pack as a JSON string, or as an object when the program passes a
`PolicyDocumentArgs`. IAM lets most fields be a string or a list, `Statement` an object or a
list, and compares action names and condition keys case-insensitively; these helpers hide
all of that so rules see lists of strings.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Document = Mapping[str, Any]
Statement = Mapping[str, Any]


class DocumentError(ValueError):
    """The value is not a policy document the pack can read."""


def parse(raw: Any) -> Document | None:
    """The document in `raw` (JSON text or an object); None when no document is set."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    if not isinstance(raw, Mapping):
        raise DocumentError(f"is a JSON {type(raw).__name__}, not a policy document object")
    return raw


def field(mapping: Mapping[str, Any], key: str) -> Any:
    """`mapping[key]`, with the key matched case-insensitively (None when absent)."""
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    return next((value for name, value in mapping.items() if str(name).lower() == lowered), None)


def as_list(value: Any) -> list[Any]:
    """IAM's "a string or a list of strings": always a list."""
    if value is None:
        return []
    if isinstance(value, str | Mapping):
        return [value]
    return list(value)


def statements(document: Document) -> list[Statement]:
    """The statements of `document`: `Statement` may be one object or a list of them."""
    items = as_list(field(document, "Statement"))
    if not all(isinstance(item, Mapping) for item in items):
        raise DocumentError("has a Statement entry that is not an object")
    return items


@dataclass(frozen=True)
class Stmt:
    """One statement, normalised: every field a list, effect as written."""

    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: tuple[tuple[str, str], ...]
    """(kind, value) pairs; `Principal: "*"` is ("*", "*")."""
    not_principals: tuple[tuple[str, str], ...]
    conditions: Mapping[str, Mapping[str, Any]]

    @property
    def label(self) -> str:
        """How a message names the statement: its Sid, else its 1-based position."""
        return f'statement "{self.sid}"' if self.sid else f"statement {self.index + 1}"

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    def grants(self, action: str) -> bool:
        """Whether this Allow statement's Action/NotAction covers `action` (conditions ignored)."""
        if not self.allows:
            return False
        if self.actions:
            return any(action_matches(pattern, action) for pattern in self.actions)
        if self.not_actions:
            return not any(action_matches(pattern, action) for pattern in self.not_actions)
        return False


def _principals(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (("*", value),) if value == "*" else (("AWS", value),)
    if isinstance(value, Mapping):
        return tuple((str(kind), str(item)) for kind, items in value.items() for item in as_list(items))
    raise DocumentError("has a Principal that is neither a string nor an object")


def normalise(index: int, statement: Statement) -> Stmt:
    conditions = field(statement, "Condition") or {}
    if not isinstance(conditions, Mapping) or not all(isinstance(v, Mapping) for v in conditions.values()):
        raise DocumentError(f"statement {index + 1} has a Condition that is not an object of operators")
    sid = field(statement, "Sid")
    return Stmt(
        index=index,
        sid=str(sid) if sid else None,
        effect=str(field(statement, "Effect") or ""),
        actions=tuple(str(a) for a in as_list(field(statement, "Action"))),
        not_actions=tuple(str(a) for a in as_list(field(statement, "NotAction"))),
        resources=tuple(str(r) for r in as_list(field(statement, "Resource"))),
        not_resources=tuple(str(r) for r in as_list(field(statement, "NotResource"))),
        principals=_principals(field(statement, "Principal")),
        not_principals=_principals(field(statement, "NotPrincipal")),
        conditions=conditions,
    )


def normalised(document: Document) -> list[Stmt]:
    return [normalise(i, s) for i, s in enumerate(statements(document))]


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, `*` and `?` wildcards anywhere in the name."""
    # `[` never appears in an action name; escape it so fnmatch's character classes do not apply.
    return fnmatch.fnmatchcase(action.lower(), pattern.lower().replace("[", "[[]"))


def split_action(action: str) -> tuple[str, str]:
    """("service", "Name") of "service:Name"; ("*", "*") for the bare `*`."""
    service, sep, name = action.partition(":")
    return (service, name) if sep else (action, action)


def is_service_wildcard(action: str) -> bool:
    """`*`, `service:*` (or `s3:**`): every action of a service, or of all services."""
    _service, name = split_action(action)
    return set(name) <= {"*"} and name != ""


def condition_entries(stmt: Stmt) -> list[tuple[str, str, list[Any]]]:
    """Every (operator, key, values) of the statement's Condition block."""
    return [
        (operator, str(key), as_list(values))
        for operator, block in stmt.conditions.items()
        for key, values in block.items()
    ]


def has_condition_key(stmt: Stmt, key: str) -> bool:
    """Whether any operator of the statement tests `key` (condition keys are case-insensitive)."""
    return any(name.lower() == key.lower() for _op, name, _values in condition_entries(stmt))


def resource_name(arn: str) -> tuple[str, str] | None:
    """(service, resource part) of an ARN pattern; None when `arn` is not an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[2], parts[5]


def is_unscoped(resource: str) -> bool:
    """`*`, or an ARN pattern that matches any name of its type (`arn:aws:iam::*:role/*`,
    `arn:aws:lambda:*:*:function:*`, `arn:aws:s3:::*`). A name or path prefix before the
    wildcard (`role/app-*`, `role/service-role/*`) counts as a scope."""
    if resource == "*":
        return True
    parsed = resource_name(resource)
    if parsed is None:
        return False
    service, name = parsed
    if service != "s3":
        _kind, sep, rest = _split_type(name)
        name = rest if sep else name
    return name.startswith("*")


def _split_type(name: str) -> tuple[str, str, str]:
    """Split "role/x" or "function:x" at the resource type; ("", "", name) when there is none."""
    for index, char in enumerate(name):
        if char in "/:":
            return name[:index], char, name[index + 1 :]
        if not (char.isalnum() or char in "-_"):
            break
    return "", "", name
