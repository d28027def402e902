"""The workflows use only inputs the pinned actions declare, and a failed preview comments on the pull request.

`tests/data/actions/<owner>__<repo>.json` holds the input names of each action's `action.yml`,
read from the action's repository (commit and tags recorded in the file). check-jsonschema's
schema cannot know them: a misspelt `with:` key is silently ignored by GitHub.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.test_workflows import CHECK_JSONSCHEMA, WORKFLOWS, steps, uses_lines

ACTIONS = ROOT / "tests" / "data" / "actions"
VENDORED = {json.loads(p.read_text())["repository"]: json.loads(p.read_text()) for p in ACTIONS.glob("*.json")}
USED = [(n, j, s) for n, j, s in steps() if "uses" in s and not s["uses"].startswith("./")]


def action_of(step: dict[str, Any]) -> str:
    return str(step["uses"]).split("@")[0]


def test_every_used_action_is_vendored_with_its_pin() -> None:
    remote = [(target, comment) for _, target, comment in uses_lines() if not target.startswith("./")]
    pins = {target.split("@")[0]: (target.split("@")[1], comment) for target, comment in remote}
    assert set(pins) == set(VENDORED)
    for action, (commit, release) in pins.items():
        assert VENDORED[action]["pinned"] == {"release": release, "commit": commit}, action
        read = VENDORED[action]["read"]
        # Read at the pin, or (where the stored snapshot lacks it) at a named release with a note.
        assert read["commit"] == commit or ("note" in VENDORED[action] and read["tags"]), action


@pytest.mark.parametrize(("name", "job_id", "step"), USED, ids=[f"{n}-{s['uses'].split('@')[0]}" for n, _, s in USED])
def test_with_keys_are_inputs_the_pinned_action_declares(name: str, job_id: str, step: dict[str, Any]) -> None:
    declared = VENDORED[action_of(step)]
    keys = set(step.get("with", {}))
    assert keys <= set(declared["inputs"]), (
        f"{name}:{job_id} {action_of(step)}: {sorted(keys - set(declared['inputs']))}"
    )
    assert set(declared["required"]) <= keys, f"{name}:{job_id} {action_of(step)} misses a required input"


def test_negative_control_an_undeclared_input_is_caught() -> None:
    declared = set(VENDORED["pulumi/actions"]["inputs"])
    assert "comment-on-pr-number" in declared
    assert "policy-packs" not in declared  # the input is spelt policyPacks


def test_dependabot_updates_actions_and_pip() -> None:
    import yaml

    path = ROOT / ".github" / "dependabot.yml"
    config = yaml.safe_load(path.read_text())
    assert {(u["package-ecosystem"], u["directory"]) for u in config["updates"]} == {
        ("github-actions", "/"),
        ("pip", "/"),
        ("pip", "/policies"),
    }
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.dependabot", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- a failed preview comments on the pull request --------------------------------------------------

FAILED_PREVIEW = "failure() && inputs.command == 'preview' && github.event_name == 'pull_request'"


def failure_steps() -> list[dict[str, Any]]:
    return [s for s in WORKFLOWS["_pulumi.yml"]["jobs"]["pulumi"]["steps"] if s.get("if") == FAILED_PREVIEW]


def test_a_failed_preview_summarizes_and_comments_after_the_pulumi_step() -> None:
    all_steps = WORKFLOWS["_pulumi.yml"]["jobs"]["pulumi"]["steps"]
    summary, comment = failure_steps()
    pulumi = next(s for s in all_steps if s.get("id") == "pulumi")
    assert all_steps.index(pulumi) < all_steps.index(summary) < all_steps.index(comment)
    assert "--verdicts preview-verdicts.json" in summary["run"]
    assert comment["uses"].startswith("actions/github-script@")
    assert comment["env"] == {"STACK": "${{ inputs.stack }}", "OUTCOME": "${{ steps.pulumi.outcome }}"}
    # Values reach the script through the environment only: `${{ }}` in it would be script injection.
    assert "${{" not in comment["with"]["script"]


def run_comment_script(tmp_path: Path, verdicts: dict[str, Any] | None) -> str:
    """Run the github-script step's script with node, as github-script runs it, and return the comment."""
    [_, comment] = failure_steps()
    if verdicts is not None:
        (tmp_path / "preview-verdicts.json").write_text(json.dumps(verdicts))
    harness = (
        "const script = require('fs').readFileSync(0, 'utf8');\n"
        "const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;\n"
        "const github = { rest: { issues: { createComment: async (c) => console.log(JSON.stringify(c)) } } };\n"
        "const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 } };\n"
        "new AsyncFunction('require', 'github', 'context', script)(require, github, context)"
        ".catch((e) => { console.error(e); process.exit(1); });\n"
    )
    env = {"STACK": "prod", "OUTCOME": "failure", "GITHUB_SERVER_URL": "https://github.com"}
    env |= {"GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "42", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        ["node", "-e", harness], input=comment["with"]["script"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    posted = json.loads(result.stdout)
    assert {k: posted[k] for k in ("owner", "repo", "issue_number")} == {"owner": "o", "repo": "r", "issue_number": 7}
    return str(posted["body"])


node = pytest.mark.skipif(shutil.which("node") is None, reason="node runs the github-script step's script")


@node
def test_the_comment_lists_the_mandatory_violations(tmp_path: Path) -> None:
    verdicts = {
        "violations": [
            {
                "policy": "ecr-scan-on-push",
                "enforcementLevel": "mandatory",
                "urn": "urn:a::b::aws:ecr/repository:Repository::web",
                "message": "scan | off",
            },
            {"policy": "advice", "enforcementLevel": "advisory", "urn": "urn:a::b::t::x", "message": "m"},
        ]
    }
    body = run_comment_script(tmp_path, verdicts)
    assert body.splitlines() == [
        "### `pulumi preview` of `prod` failed",
        "",
        "The preview step ended as: failure. Log: https://github.com/o/r/actions/runs/42",
        "",
        "Mandatory policy violations (1):",
        "",
        "| policy | resource | message |",
        "|---|---|---|",
        "| ecr-scan-on-push | web | scan \\| off |",
    ]


@node
def test_the_comment_says_when_there_are_no_verdicts(tmp_path: Path) -> None:
    body = run_comment_script(tmp_path, None)
    assert body.splitlines()[-1] == "No offline verdicts: the job stopped before the program was installed."
