"""`python -m preflight`: run the stacks offline, write their graph, report the policy verdicts.

Exit codes: 0 no mandatory violation; 1 mandatory violations; 2 usage, project or settings error, or a
policy pack that could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components.settings import SettingsError

from .deployer_policy import DeployerPolicyError, deployer_policy, size
from .engine import run_program
from .export import deployment, write_json
from .judge import JudgeError, Judgement, JudgeProcess, PackConfigError, judge
from .mermaid import render
from .pictures import update_pictures
from .project import ProjectError
from .summary import render_summary

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Run the Pulumi program offline under mocks, export its graph and evaluate the policy pack.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--verdicts", type=Path, metavar="FILE", help="write the verdicts as JSON")
        command.add_argument(
            "--policy-pack-config",
            type=Path,
            metavar="FILE",
            help="policy levels and parameters, the file `pulumi preview --policy-pack-config` takes",
        )

    plan = commands.add_parser("plan", help="run the program for one stack, with no cloud account")
    plan.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    plan.add_argument("--json", type=Path, metavar="FILE", help="write the graph in `pulumi stack export` format")
    plan.add_argument("--mermaid", type=Path, metavar="FILE", help="write a Mermaid flowchart of the delivery path")
    plan.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), metavar="DIR", help="directory holding Pulumi.yaml (default: .)"
    )
    common(plan)
    check = commands.add_parser("check", help="evaluate the policy pack on a `pulumi stack export` document")
    check.add_argument("--state", type=Path, required=True, metavar="FILE", help="a stack export document")
    check.add_argument("--mermaid", type=Path, metavar="FILE", help="write a Mermaid flowchart of the delivery path")
    common(check)
    pictures = commands.add_parser(
        "docs", help="regenerate the README's pipeline pictures and policy table from the stacks and the pack"
    )
    pictures.add_argument("--readme", type=Path, default=Path("README.md"), metavar="FILE")
    pictures.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), metavar="DIR", help="directory holding Pulumi.yaml (default: .)"
    )
    pictures.add_argument("--check", action="store_true", help="exit 1 if the pictures are stale instead of writing")
    _add_deployer_policy(commands)
    return parser


def _add_deployer_policy(commands: Any) -> None:
    command = commands.add_parser(
        "deployer-policy",
        help="print the least-privilege IAM policy of whoever runs `pulumi up` of one stack",
        description=(
            "Run the stack's program offline and print, as a JSON list, the IAM policy documents that the "
            "identity running `pulumi up` of that stack needs: the create, read, update, delete and tag "
            "actions of every resource in its plan, on the stack's own names and ARNs. Each document fits "
            "IAM's managed-policy limit (6,144 characters); attach them all to the deploy role."
        ),
        epilog=(
            "example:\n"
            "  python -m preflight deployer-policy --stack prod --account 111122223333 \\\n"
            "      --state-bucket my-pulumi-state --out-dir build/\n\n"
            "exit codes: 0 printed; 2 usage, project or settings error, or a resource type the\n"
            "deployer table (preflight/deployer_actions.py) does not know"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    command.add_argument(
        "--account",
        metavar="ID",
        help="account id in the ARNs (default: the stack's single aws:allowedAccountIds entry, else *)",
    )
    command.add_argument("--state-bucket", metavar="NAME", help="also allow the S3 backend's state in this bucket")
    command.add_argument("--out-dir", type=Path, metavar="DIR", help="also write deployer-policy-<stack>-<n>.json")
    command.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), metavar="DIR", help="directory holding Pulumi.yaml (default: .)"
    )


def _deployer_policy(args: argparse.Namespace) -> int:
    if args.account is not None and not (args.account.isdigit() and len(args.account) == 12):
        raise ProjectError(f"--account must be a 12-digit AWS account id, not '{args.account}'")
    plan = run_program(args.project_dir.resolve(), args.stack)
    try:
        documents = deployer_policy(plan, args.account, args.state_bucket)
    except DeployerPolicyError as exc:
        raise ProjectError(str(exc)) from exc
    print(json.dumps(documents, indent=2))
    for number, document in enumerate(documents, start=1):
        name = f"deployer-policy-{args.stack}-{number}.json"
        if args.out_dir:
            args.out_dir.mkdir(parents=True, exist_ok=True)
            write_json(document, args.out_dir / name)
        print(f"{name}: {size(document)} of 6144 characters", file=sys.stderr)
    return EXIT_OK


def _verdicts(judgement: Judgement, args: argparse.Namespace) -> int:
    print(judgement.report)
    if args.verdicts:
        write_json(judgement.document, args.verdicts)
    return EXIT_VIOLATIONS if judgement.mandatory else EXIT_OK


def _check(document: dict[str, Any], args: argparse.Namespace) -> int:
    resources = document["deployment"]["resources"]
    if args.mermaid:
        args.mermaid.write_text(render(resources))
    try:
        judgement = judge(resources, args.policy_pack_config)
    except PackConfigError:
        raise
    except Exception as exc:
        # Exit 1 means "mandatory violations": a pack that fails on a document must not look like one.
        traceback.print_exc()
        raise JudgeError(f"the policy pack failed on {args.state}; its error is above") from exc
    return _verdicts(judgement, args)


def _plan(args: argparse.Namespace) -> int:
    # The pack loads in its own process while the program runs, and judges the graph while this
    # process prints the summary and writes the files (see preflight.judge).
    with JudgeProcess() as pack:
        plan = run_program(args.project_dir.resolve(), args.stack)
        document = deployment(plan)
        resources = document["deployment"]["resources"]
        pack.submit(resources, args.policy_pack_config)
        print(render_summary(plan))
        if args.json:
            write_json(document, args.json)
            print(f"\nWrote {len(plan.resources)} resources to {args.json}")
        print()
        if args.mermaid:
            args.mermaid.write_text(render(resources))
        sys.stdout.flush()
        return _verdicts(pack.result(), args)


def _load_state(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
        resources = document["deployment"]["resources"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ProjectError(f"{path}: not a `pulumi stack export` document (need deployment.resources): {exc}") from exc
    if not isinstance(resources, list) or not all(
        isinstance(r, dict) and "urn" in r and "type" in r for r in resources
    ):
        raise ProjectError(f"{path}: deployment.resources must be a list of resources with urn and type")
    return dict(document)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "plan":
            return _plan(args)
        if args.command == "deployer-policy":
            return _deployer_policy(args)
        if args.command == "docs":
            return update_pictures(args.readme, args.project_dir.resolve(), check=args.check)
        return _check(_load_state(args.state), args)
    except (SettingsError, ProjectError, PackConfigError, JudgeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        # Components reject impossible argument combinations with a ValueError that says how to fix them.
        print(f"error: the program rejected its inputs: {exc}", file=sys.stderr)
        return EXIT_USAGE
