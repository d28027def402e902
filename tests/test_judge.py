"""The policy pack worker that `preflight plan` starts beside the program (preflight.judge)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.judge import JudgeProcess, judge
from tests.conftest import INSECURE, ROOT, insecure_project


@pytest.fixture
def wildcard_project(tmp_path: Path) -> Path:
    return insecure_project(tmp_path / "insecure", {"insecure:variant": "wildcard-action"})


def test_the_worker_judges_like_the_pack_in_process(
    wildcard_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # From another directory: the worker finds the pack however the command was started.
    monkeypatch.chdir(tmp_path)
    plan, verdicts = tmp_path / "plan.json", tmp_path / "verdicts.json"
    code = main(
        [
            "plan",
            "--stack",
            "test",
            "--project-dir",
            str(wildcard_project),
            "--json",
            str(plan),
            "--verdicts",
            str(verdicts),
        ]
    )
    printed = capsys.readouterr().out
    in_process = judge(json.loads(plan.read_text())["deployment"]["resources"], None)
    assert code == 1 and in_process.mandatory > 0
    assert json.loads(verdicts.read_text()) == in_process.document
    assert in_process.report in printed
    assert "[iam-no-wildcard-actions]" in in_process.report


def test_a_bad_pack_config_is_reported_from_the_worker(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"no-such-policy": "advisory"}))
    code = main(["plan", "--stack", "dev", "--project-dir", str(ROOT), "--policy-pack-config", str(config)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {config}: unknown policy 'no-such-policy'" in err and "Traceback" not in err


def test_a_worker_that_dies_is_an_error_not_a_pass(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "executable", shutil.which("false"))
    code = main(["plan", "--stack", "dev", "--project-dir", str(ROOT)])
    err = capsys.readouterr().err
    assert code == 2
    assert "error: the policy pack worker (python -m preflight.judge) exited with 1" in err


def test_a_worker_never_asked_is_stopped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with JudgeProcess() as worker:
        process = worker._process
    assert process.returncode is not None
    # The same when the program fails before the verdicts: bad settings exit 2 and leave no worker.
    bad = tmp_path / "p"
    shutil.copytree(INSECURE, bad)
    (bad / "Pulumi.test.yaml").write_text("config:\n  insecure:variant: [unclosed\n")
    assert main(["plan", "--stack", "test", "--project-dir", str(bad)]) == 2
    assert not Path(f"/proc/self/task/{threading.get_native_id()}/children").read_text().split()


def test_a_worker_that_cannot_start_is_an_error_not_a_pass(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    assert main(["plan", "--stack", "dev", "--project-dir", str(ROOT)]) == 2
    assert "error: cannot start the policy pack worker" in capsys.readouterr().err


def test_a_document_the_pack_cannot_read_exits_2_not_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 1 means mandatory violations; a pack that fails on a document must not look like that."""
    state = tmp_path / "state.json"
    resource = {"urn": "urn:pulumi:s::p::aws:s3/bucket:Bucket::b", "type": "aws:s3/bucket:Bucket", "inputs": {}}
    state.write_text(json.dumps({"deployment": {"resources": [resource]}}))

    def failing_pack(*_: object) -> None:
        raise RuntimeError("a rule that cannot read this document")

    monkeypatch.setattr("preflight.cli.judge", failing_pack)
    assert main(["check", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert f"error: the policy pack failed on {state}; its error is above" in err
    assert "RuntimeError: a rule that cannot read this document" in err


# What `preflight plan` loads before it starts the worker, and what the worker loads before the graph
# arrives, decide how much of the pack's start-up overlaps the program (the preflight benchmark).
_STARTUP = """
import sys
{before}
def lazy_or_absent(name):
    module = sys.modules.get(name)
    return module is None or type(module).__name__ == "_LazyModule"
executed = [name for name in sys.modules if name.count(".") == 1 and name.startswith("pulumi_aws.")
            and hasattr(sys.modules[name], "__path__") and not lazy_or_absent(name)]
print(executed)
"""


def test_preflight_starts_the_worker_before_it_loads_any_pulumi_aws_service_package() -> None:
    # `preflight.cli` is all that runs before `_plan` starts the worker: its imports must not run a
    # pulumi-aws service package (ec2 alone is a third of a second); the program loads those later.
    script = _STARTUP.format(before="import preflight.cli")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
    # The check sees an executed package: the program's own imports load ec2.
    script = _STARTUP.format(before="import preflight.cli\nimport components.ecs_service")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "'pulumi_aws.ec2'" in done.stdout


def test_the_worker_loads_every_rule_module_before_the_graph_arrives() -> None:
    # The worker reads stdin once the pack is loaded; a stdin that reports what is loaded at that
    # moment, then closes (no graph: the worker exits 1 without judging).
    script = """
import sys
from policies.rules import RULE_MODULES
class Stdin:
    class buffer:
        @staticmethod
        def read():
            loaded = [m for m in RULE_MODULES if "policies.rules." + m in sys.modules]
            print(f"loaded: {len(loaded)}/{len(RULE_MODULES)} {'policy_sentry' in sys.modules}", file=sys.stderr)
            return b""
sys.stdin = Stdin
from preflight.judge import _serve
sys.exit(_serve())
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    from policies.rules import RULE_MODULES

    assert done.returncode == 1
    # A line of its own: whatever else the pack writes to stderr while it loads does not matter here.
    assert f"loaded: {len(RULE_MODULES)}/{len(RULE_MODULES)} True" in done.stderr.splitlines(), done.stderr
