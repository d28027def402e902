"""Keeps generated parts of the README equal to what the code says.

A pipeline picture lives between `<!-- pipeline:<stack> -->` and `<!-- /pipeline:<stack> -->`
in a `mermaid` code block; the policy table between `<!-- policies -->` and `<!-- /policies -->`.
`python -m preflight docs` rewrites them from a fresh plan of each stack and from the pack's
registry; with `--check` it only reports which are stale (exit 1).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .engine import run_program
from .export import deployment
from .mermaid import render

_BLOCK = re.compile(r"(<!-- pipeline:(?P<stack>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /pipeline:(?P=stack) -->)", re.S)
_POLICIES = re.compile(r"(<!-- policies -->\n)(?P<body>.*?)(<!-- /policies -->)", re.S)


def policy_table() -> str:
    """Every policy of the pack: name, requirement, default level, severity, parameters."""
    from policies.rules import rules

    lines = ["| policy | requires | default level | severity | parameters (default) |", "|---|---|---|---|---|"]
    for rule in rules():
        params = "; ".join(
            f"`{key}` ({json.dumps(schema.get('default'))})" for key, schema in sorted(rule.config.items())
        )
        description = rule.description.replace("|", "\\|")
        lines.append(f"| `{rule.name}` | {description} | {rule.level} | {rule.severity} | {params or '-'} |")
    return "\n".join(lines) + "\n"


def picture(project_dir: Path, stack: str) -> str:
    resources = deployment(run_program(project_dir, stack))["deployment"]["resources"]
    return f"```mermaid\n{render(resources)}```\n"


def refreshed(text: str, project_dir: Path) -> tuple[str, list[str]]:
    """The text with every picture block regenerated, and the stacks whose block changed."""
    stale: list[str] = []

    def replace(match: re.Match[str]) -> str:
        fresh = picture(project_dir, match["stack"])
        if fresh != match["body"]:
            stale.append(match["stack"])
        return f"{match.group(1)}{fresh}{match.group(4)}"

    text = _BLOCK.sub(replace, text)
    table = policy_table()

    def replace_table(match: re.Match[str]) -> str:
        if match["body"] != table:
            stale.append("policies")
        return f"{match.group(1)}{table}{match.group(3)}"

    return _POLICIES.sub(replace_table, text), stale


def sections(text: str) -> list[str]:
    """What `refreshed` regenerates in `text`: each stack's picture, then the policy table."""
    found = [f"the {m['stack']} pipeline picture" for m in _BLOCK.finditer(text)]
    return found + (["the policy table"] if _POLICIES.search(text) else [])


def update_pictures(readme: Path, project_dir: Path, *, check: bool = False) -> int:
    text = readme.read_text()
    new_text, stale = refreshed(text, project_dir)
    if check:
        if stale:
            print(f"stale generated sections in {readme}: {', '.join(stale)}; run `python -m preflight docs`")
            return 1
        checked = sections(text)
        print(
            f"{readme}: up to date: {', '.join(checked) or 'no generated sections'} "
            "(compared with a fresh plan of each stack and the policy pack's rules)"
        )
        return 0
    if new_text != text:
        readme.write_text(new_text)
    print(f"{readme}: {'updated ' + ', '.join(stale) if stale else 'generated sections up to date'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(update_pictures(Path("README.md"), Path.cwd()))
