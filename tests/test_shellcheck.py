"""shellcheck, an independent linter, over the shell of every buildspec the program generates.

CodeBuild (buildspec version 0.2, `shell: bash`) runs all the commands of a build in one shell
session, phase after phase, so each buildspec is checked as one bash script: a variable set in
`pre_build` and read in `post_build` is one script's variable, as it is in CodeBuild.
The variables CodeBuild and the project set (REPOSITORY_URI, IMAGE_URI ...) come from the
environment, which shellcheck assumes of upper-case names.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from components.buildspec import render_buildspec
from components.eks_deploy import deploy_buildspec
from components.pipeline_declaration import record_buildspec
from preflight.engine import PlanResult

SHELLCHECK = shutil.which("shellcheck")
needs_shellcheck = pytest.mark.skipif(
    SHELLCHECK is None, reason="shellcheck is not installed (Debian package `shellcheck`; .ci/run installs it)"
)

# Every generated buildspec, and the checks each one disables, with the reason. Empty: none disabled.
BUILDSPECS: dict[str, tuple[str, dict[str, str]]] = {
    "image_build": (render_buildspec(), {}),
    "record": (record_buildspec(), {}),
    "eks_deploy": (deploy_buildspec(), {}),
}


def script(buildspec: str) -> tuple[str, list[str]]:
    """The buildspec's commands as one bash script, and the command on each line (1-based)."""
    spec = yaml.safe_load(buildspec)
    assert spec["version"] == 0.2 and spec["env"]["shell"] == "bash"
    commands = [c for body in spec["phases"].values() for c in body["commands"]]
    assert all("\n" not in c for c in commands), "one shell line per command"
    return "\n".join(["#!/usr/bin/env bash", *commands]) + "\n", ["#!/usr/bin/env bash", *commands]


def shellcheck(text: str, excluded: dict[str, str]) -> list[dict[str, Any]]:
    assert SHELLCHECK is not None
    command = [SHELLCHECK, "--shell=bash", "--severity=style", "--format=json1", "-"]
    if excluded:
        command[1:1] = [f"--exclude={','.join(excluded)}"]
    result = subprocess.run(command, input=text, capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr  # 1: findings; anything else: shellcheck failed
    findings: list[dict[str, Any]] = json.loads(result.stdout)["comments"]
    return findings


@needs_shellcheck
@pytest.mark.parametrize("name", list(BUILDSPECS))
def test_shellcheck_finds_nothing(name: str) -> None:
    # Given the buildspec's commands as the one bash session CodeBuild runs
    buildspec, excluded = BUILDSPECS[name]
    text, lines = script(buildspec)
    # When shellcheck reads them
    findings = shellcheck(text, excluded)
    # Then it has nothing to say
    report = [f"SC{f['code']} {f['message']}\n    in: {lines[f['line'] - 1]}" for f in findings]
    assert report == []


@needs_shellcheck
def test_shellcheck_catches_an_unquoted_variable() -> None:
    """Negative control: the check above is able to fail, and reports the command."""
    findings = shellcheck("#!/usr/bin/env bash\ndocker build --tag $REPOSITORY_URI:latest .\n", {})
    assert [f["code"] for f in findings] == [2086]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_table_covers_every_buildspec_the_stacks_generate(stack: str, request: pytest.FixtureRequest) -> None:
    # Given a planned stack
    result: PlanResult = request.getfixturevalue(f"{stack}_plan")
    # When its CodeBuild projects' buildspecs are collected (the CI runner's project has none: the
    # workflow job is its build)
    projects = [r for r in result.resources if r.type == "aws:codebuild/project:Project"]
    planned = {r.inputs["source"]["buildspec"] for r in projects if "buildspec" in r.inputs["source"]}
    # Then each one is in the table above (so shellcheck reads it)
    assert planned
    assert planned <= {text for text, _ in BUILDSPECS.values()}
