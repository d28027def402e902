"""`python -m preflight`: run the stacks offline, write their graph, report the policy verdicts.

Exit codes: 0 no mandatory violation (add-service: added; docs: written or up to date); 1 mandatory
violations (docs --check: stale sections); 2 usage, project or settings error, or a policy pack that could
not run.
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

from .engine import DuplicateUrnError, EngineError, run_program
from .errors import PackConfigError
from .export import deployment, write_json
from .judge import JudgeError, Judgement, JudgeProcess, judge
from .mermaid import render
from .pictures import update_pictures
from .project import ProjectError
from .summary import render_summary

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


EXIT_CODES = """exit codes:
  0  no mandatory policy violation
  1  mandatory policy violations (listed above the exit)
  2  usage, project or settings error, or a policy pack that could not run"""

PLAN_HELP = f"""\
Run __main__.py for one stack under Pulumi's mock runtime: Pulumi.yaml's defaults with
Pulumi.<stack>.yaml merged over them, no cloud account, no Pulumi CLI, no network. Prints the
resources, the component tree, the stack outputs (made-up values are marked [mock]) and the
verdicts of every policy of policies/ on every resource.

examples:
  python -m preflight plan --stack dev
  python -m preflight plan --stack prod --json plan-prod.json --verdicts verdicts.json
  python -m preflight plan --stack dev --mermaid pipeline.mmd
  python -m preflight plan --stack dev --policy-pack-config policy-config.json

{EXIT_CODES}"""

CHECK_HELP = f"""\
Evaluate the same policy pack on a document in `pulumi stack export` format: one that
`plan --json` wrote, or the export of a deployed stack.

examples:
  python -m preflight check --state plan-dev.json
  pulumi stack export -s prod > prod-state.json && python -m preflight check --state prod-state.json

{EXIT_CODES}"""

DOCS_HELP = """\
Regenerate the README's generated sections: the pipeline picture of each stack (between
<!-- pipeline:<stack> --> markers, from a fresh plan) and the policy table (between
<!-- policies --> markers, from the pack's rules). With --check, write nothing and say
whether they are up to date.

examples:
  python -m preflight docs
  python -m preflight docs --check

exit codes:
  0  sections written, or (with --check) up to date
  1  with --check: some sections are stale (named in the output)
  2  project or settings error"""

ADD_SERVICE_HELP = """\
Add one service to Pulumi.<stack>.yaml. The entry is validated with the stack's other
settings by the same loader `pulumi up` uses, so what it refuses is refused here with the
same messages, and the file is left as it was. Otherwise the entry is appended to the
stack's services list; the file's other keys and comments stay. Unset options take the
loader's defaults (README "Settings").

examples:
  python -m preflight add-service --stack dev --name api --repository example-org/api
  python -m preflight add-service --stack dev --name api --repository example-org/api \\
      --branch release --port 9090 --health-check-path /ready --dockerfile docker/Dockerfile
  python -m preflight plan --stack dev        # then: the plan includes the new service

exit codes:
  0  the service was added
  2  usage, project or settings error (nothing written)"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Run the Pulumi program offline under mocks, export its graph and evaluate the policy pack.",
        epilog="Run `python -m preflight <command> --help` for a command's examples and exit codes.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str, details: str) -> argparse.ArgumentParser:
        description, _, epilog = details.partition("\n\nexamples:")
        return commands.add_parser(
            name,
            help=summary,
            description=description,
            epilog="examples:" + epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--verdicts", type=Path, metavar="FILE", help="write the verdicts as JSON")
        command.add_argument(
            "--policy-pack-config",
            type=Path,
            metavar="FILE",
            help="policy levels and parameters, the file `pulumi preview --policy-pack-config` takes",
        )

    def project_dir(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--project-dir",
            type=Path,
            default=Path.cwd(),
            metavar="DIR",
            help="directory holding Pulumi.yaml (default: .)",
        )

    plan = command("plan", "run the program for one stack, with no cloud account", PLAN_HELP)
    plan.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    plan.add_argument("--json", type=Path, metavar="FILE", help="write the graph in `pulumi stack export` format")
    plan.add_argument("--mermaid", type=Path, metavar="FILE", help="write a Mermaid flowchart of the delivery path")
    project_dir(plan)
    common(plan)
    check = command("check", "evaluate the policy pack on a `pulumi stack export` document", CHECK_HELP)
    check.add_argument("--state", type=Path, required=True, metavar="FILE", help="a stack export document")
    check.add_argument("--mermaid", type=Path, metavar="FILE", help="write a Mermaid flowchart of the delivery path")
    common(check)
    pictures = command(
        "docs", "regenerate the README's pipeline pictures and policy table from the stacks and the pack", DOCS_HELP
    )
    pictures.add_argument(
        "--readme",
        type=Path,
        default=Path("README.md"),
        metavar="FILE",
        help="the Markdown file whose generated sections to write or check (default: README.md)",
    )
    project_dir(pictures)
    pictures.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a section is stale, else say what was checked"
    )
    add = command("add-service", "add a validated service entry to Pulumi.<stack>.yaml", ADD_SERVICE_HELP)
    add.add_argument("--stack", required=True, help="stack name: edits Pulumi.<stack>.yaml")
    add.add_argument("--name", required=True, help="the service's name (2-20 lowercase letters, digits or '-')")
    add.add_argument("--repository", required=True, metavar="OWNER/REPO", help="the repository the pipeline builds")
    add.add_argument("--provider", help="github, gitlab, bitbucket or codecommit (default: github)")
    add.add_argument("--branch", help="the branch that triggers the pipeline (default: main)")
    add.add_argument("--port", help="the port the container listens on (default: 8080)")
    add.add_argument("--health-check-path", metavar="PATH", help="what the load balancer checks (default: /healthz)")
    add.add_argument("--dockerfile", metavar="PATH", help="relative to the build context (default: Dockerfile)")
    project_dir(add)
    _add_deployer_policy(commands)
    return parser


def _add_service(args: argparse.Namespace) -> int:
    from .add_service import NewService, add_service  # ruamel.yaml loads only for this command

    service = NewService(
        name=args.name,
        repository=args.repository,
        provider=args.provider,
        branch=args.branch,
        port=args.port,
        health_check_path=args.health_check_path,
        dockerfile=args.dockerfile,
    )
    added = add_service(args.project_dir.resolve(), args.stack, service)
    print(f"Added service {args.name!r} to {added.path.name} as services[{added.index}].")
    print(f"Next: python -m preflight plan --stack {args.stack}")
    return EXIT_OK


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
    from .deployer_policy import DeployerPolicyError, deployer_policy, size  # its tables load only here

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


def _writable(*paths: Path | None) -> None:
    """Refuse an output file that cannot be written before anything runs or says it was written."""
    for path in paths:
        if path is not None and not path.parent.is_dir():
            raise ProjectError(f"cannot write {path}: directory {path.parent} does not exist")
        if path is not None and path.is_dir():
            raise ProjectError(f"cannot write {path}: it is a directory")


def _check(document: dict[str, Any], args: argparse.Namespace) -> int:
    _writable(args.mermaid, args.verdicts)
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
    _writable(args.json, args.mermaid, args.verdicts)
    if args.policy_pack_config is not None and not args.policy_pack_config.is_file():
        raise ProjectError(f"{args.policy_pack_config}: policy pack config file not found")
    with JudgeProcess() as pack:
        plan = run_program(args.project_dir.resolve(), args.stack)
        for key in plan.project.undecrypted:
            print(
                f"note: {key} is a secret only the Pulumi CLI can decrypt; planned without its value", file=sys.stderr
            )
        document = deployment(plan)
        resources = document["deployment"]["resources"]
        pack.submit(resources, args.policy_pack_config)
        print(render_summary(plan))
        if args.json:
            write_json(document, args.json)
            print(f"\nWrote {len(plan.resources)} resources (the whole graph, as counted above) to {args.json}")
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
    for index, resource in enumerate(resources):
        for key in ("inputs", "outputs"):
            if not isinstance(resource.get(key, {}), dict):
                raise ProjectError(f"{path}: deployment.resources[{index}].{key} must be an object")
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
        if args.command == "add-service":
            return _add_service(args)
        return _check(_load_state(args.state), args)
    except (SettingsError, ProjectError, PackConfigError, JudgeError, EngineError, DuplicateUrnError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        # Components reject impossible argument combinations with a ValueError that says how to fix them;
        # the SDK wraps one raised while it serializes an input ("While processing ...") around it.
        while isinstance(exc.__cause__, ValueError):
            exc = exc.__cause__
        print(f"error: the program rejected its inputs: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
