"""What preflight tells a newcomer: help with examples and exit codes, one resource count, mock values marked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.engine import PlanResult
from preflight.mocks import ACCOUNT_ID
from preflight.summary import MOCK, render_summary
from tests.conftest import ROOT

COMMANDS = ["plan", "check", "docs", "add-service"]


def help_text(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_examples_and_exit_codes(command: str, capsys) -> None:
    text = help_text(command, capsys)
    usage, description, *_ = text.split("\n\n")
    assert usage.startswith(f"usage: python -m preflight {command}")
    assert len(description.split()) >= 15, description
    examples = text.split("\nexamples:\n", 1)[1].split("\n\n")[0]
    assert all(line.startswith("  ") for line in examples.splitlines())
    assert f"python -m preflight {command} " in examples
    codes = text.split("\nexit codes:\n", 1)[1]
    assert re.search(r"^  0  ", codes, re.M) and re.search(r"^  2  ", codes, re.M)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help(command: str, capsys) -> None:
    text = help_text(command, capsys)
    options = text.split("\noptions:\n", 1)[1].split("\n\n")[0]
    # An option line without text after it is followed by its (indented) help on the next line.
    lines = options.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^  -", line) and not re.search(r"\S\s{2,}\S", line.strip()):
            assert index + 1 < len(lines) and lines[index + 1].startswith(" " * 10), line


def test_the_examples_of_plan_name_only_real_options(capsys) -> None:
    text = help_text("plan", capsys)
    options = set(re.findall(r"^  (?:-\w, )?(--[\w-]+)", text.split("\noptions:\n")[1], re.M))
    examples = text.split("\nexamples:\n", 1)[1].split("\n\n")[0]
    assert set(re.findall(r"(--[\w-]+)", examples)) <= options


def test_one_resource_count_throughout_a_plan(tmp_path: Path, capsys) -> None:
    # Given a plan of dev that writes its graph
    out = tmp_path / "plan.json"
    assert main(["plan", "--stack", "dev", "--json", str(out), "--project-dir", str(ROOT)]) == 0
    printed = capsys.readouterr().out
    count = len(json.loads(out.read_text())["deployment"]["resources"])
    # Then the summary, the file line and the pack's line all say the same number, and what it counts
    headline = re.search(
        r"^Stack container-delivery/dev: (\d+) resources \((\d+) cloud resources, (\d+) components", printed, re.M
    )
    assert headline, printed[:300]
    assert int(headline.group(1)) == count == int(headline.group(2)) + int(headline.group(3)) + 1
    assert f"\nWrote {count} resources (the whole graph, as counted above) to {out}\n" in printed
    assert re.search(rf"^Policy pack \S+: \d+ policies on {count} resources,", printed, re.M)
    # and no other total: the other counts are of cloud resources, or of the resources on a path
    others = [
        line
        for line in printed.splitlines()
        if re.search(r"(?<!cloud )\b\d+ resources\b", line) and not line.startswith("Deploy-time critical path:")
    ]
    assert all(re.findall(r"(?<!cloud )\b(\d+) resources\b", line) == [str(count)] for line in others), others


def test_mock_values_are_marked(dev_plan: PlanResult) -> None:
    summary = render_summary(dev_plan)
    outputs = summary.split("\nStack outputs (", 1)[1].splitlines()
    assert ACCOUNT_ID in outputs[0] and MOCK in outputs[0]  # the legend
    lines = {line.split(":", 1)[0].strip(): line for line in outputs[1:] if line.startswith("  ")}
    # made up by the mocks: names with random suffixes, ARNs and URLs in the mock account
    # (the bootstrap image too: it is pulled through the cache in the mock account)
    for key in ("artifactBucket", "notifications", "webRepositoryUrl", "webUrl", "webPipeline", "webImage"):
        assert lines[key].endswith(f"  {MOCK}"), lines[key]
    # given by the settings: real values, unmarked
    for key in ("environment", "target"):
        assert MOCK not in lines[key], lines[key]


def test_docs_check_says_what_it_checked(capsys) -> None:
    assert main(["docs", "--readme", str(ROOT / "README.md"), "--project-dir", str(ROOT), "--check"]) == 0
    assert capsys.readouterr().out == (
        f"{ROOT / 'README.md'}: up to date: the dev pipeline picture, the prod pipeline picture, the policy table "
        "(compared with a fresh plan of each stack and the policy pack's rules)\n"
    )
