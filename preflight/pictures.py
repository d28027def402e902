"""Keeps the pipeline pictures in the README equal to what preflight draws.

A picture lives between `<!-- pipeline:<stack> -->` and `<!-- /pipeline:<stack> -->` in a
`mermaid` code block. `python -m preflight pictures` rewrites every such block from a fresh
plan of that stack; with `--check` it only reports which are stale (exit 1).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .engine import run_program
from .export import deployment
from .mermaid import render

_BLOCK = re.compile(r"(<!-- pipeline:(?P<stack>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /pipeline:(?P=stack) -->)", re.S)


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

    return _BLOCK.sub(replace, text), stale


def update_pictures(readme: Path, project_dir: Path, *, check: bool = False) -> int:
    text = readme.read_text()
    new_text, stale = refreshed(text, project_dir)
    if check:
        if stale:
            print(f"stale pipeline pictures in {readme}: {', '.join(stale)}; run `python -m preflight pictures`")
            return 1
        return 0
    if new_text != text:
        readme.write_text(new_text)
    print(f"{readme}: {'updated ' + ', '.join(stale) if stale else 'pictures up to date'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(update_pictures(Path("README.md"), Path.cwd()))
