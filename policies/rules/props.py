"""Helpers the baseline rules share: reading properties that may be unknown during a preview,
tags, and recognising credentials in names and values. No rules live here."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from .registry import Props

# An AWS access key id: AKIA (long-term) or ASIA (temporary) and 16 base-32 characters.
AWS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")


def known(props: Mapping[str, Any] | None, key: str, default: Any = None) -> Any:
    """`props[key]`, or `default` when absent or not known yet (an output of a resource still to
    be created). Used only where an unknown value cannot be the thing a rule looks for: an
    output of another resource is never a credential typed into the program."""
    if props is None:
        return default
    try:
        return props.get(key, default)
    except UnknownValueError:
        return default


def tags(props: Props) -> Mapping[str, Any]:
    """The resource's own tags (`tags`), falling back to `tagsAll` where the engine reports it."""
    return known(props, "tags") or known(props, "tagsAll") or {}


def matches_any(name: str, patterns: Iterable[str]) -> bool:
    """Case-insensitive shell-style match of `name` against any pattern."""
    return any(fnmatch.fnmatchcase(name.upper(), pattern.upper()) for pattern in patterns)


def looks_like_aws_key(value: Any) -> bool:
    return isinstance(value, str) and AWS_KEY_ID.search(value) is not None
