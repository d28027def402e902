"""`python -m preflight`: run the stacks offline, write their graph, report what they would do.

Exit codes: 0 success; 1 mandatory policy violations; 2 usage, project or settings error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from components.settings import SettingsError

from .engine import run_program
from .export import deployment, write_json
from .project import ProjectError
from .summary import render_summary

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Run the Pulumi program offline under mocks and report its resource graph.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="run the program for one stack, with no cloud account")
    plan.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    plan.add_argument("--json", type=Path, metavar="FILE", help="write the graph in `pulumi stack export` format")
    plan.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), metavar="DIR", help="directory holding Pulumi.yaml (default: .)"
    )
    return parser


def _plan(args: argparse.Namespace) -> int:
    try:
        plan = run_program(args.project_dir.resolve(), args.stack)
    except (SettingsError, ProjectError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(render_summary(plan))
    if args.json:
        write_json(deployment(plan), args.json)
        print(f"\nWrote {len(plan.resources)} resources to {args.json}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "plan":
        return _plan(args)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands
