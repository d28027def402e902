"""Time to a reviewable plan: `preflight plan` (program + policy verdicts) for fleets of 1..100
services, against the AWS CDK peer (`cdk synth` with cdk-nag) on the same machine, same run.

    .venv/bin/python benchmarks/run.py                 # 1, 10, 50, 100 services, 3 runs each, with the CDK peer
    .venv/bin/python benchmarks/run.py --smoke         # 2 services, 1 run, no peer (CI)
    .venv/bin/python benchmarks/run.py --sizes 1 50 --runs 5 --no-cdk

Runs of the two tools alternate, so a slow spell of the machine weighs on both. Each
measurement is a fresh process (the full user-visible job, imports included); wall time is
measured around it, and peak RSS is the sum of the peaks of its process tree (preflight's
policy worker, the CDK peer's node process), sampled from /proc. The policy throughput is
measured separately, in-process, over a generated export of >= 10,000 resources.
Numbers are printed as a Markdown table; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PEER = ROOT.parent / "shared" / "peers" / "cdk"
PACKAGES = ("components", "preflight", "policies")
CDK_VENV = Path(os.environ.get("CDK_PEER_VENV", "/tmp/cdk-peer-venv"))


@dataclass
class Sample:
    wall: float
    rss_mb: float  # the sum of the per-process peaks of the command's process tree
    resources: int = 0


class TreeMemory:
    """Peak resident memory of a process and its descendants (preflight's policy worker, the CDK
    peer's node process): each process's own peak (VmHWM) is read from /proc every 10 ms and the
    peaks are summed, an upper bound of what the tree held at once."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.wait(0.01):
            for pid in self._tree(self.pid):
                self.peaks[pid] = max(self.peaks.get(pid, 0), self._hwm_kb(pid))

    @classmethod
    def _tree(cls, pid: int) -> list[int]:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [pid] + [p for child in children for p in cls._tree(int(child))]

    @staticmethod
    def _hwm_kb(pid: int) -> int:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return 0
        return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)

    def stop(self, largest_kb: int) -> float:
        """MB. `largest_kb` is the kernel's peak of the largest process of the tree (from wait4),
        a floor for the sampled sum should a process end between two samples."""
        self._done.set()
        self._thread.join()
        return max(sum(self.peaks.values()), largest_kb) / 1024


def run_child(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Sample:
    # stderr goes to a file, not a pipe nobody reads while the child runs (a full pipe would hang it).
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        memory = TreeMemory(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        rss_mb = memory.stop(usage.ru_maxrss)
        # Every measured stack is compliant and synthesizes: any other exit (a crash exits 1 too) is a failure.
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed: {errors.read()}")
    return Sample(wall=wall, rss_mb=rss_mb)


def fleet_project(size: int, workdir: Path, root: Path = ROOT) -> Path:
    """A copy of the project at `root` whose `bench` stack has `size` services (dev settings otherwise)."""
    project = workdir / f"fleet-{size}"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(root / name, project / name)
    (project / "components").symlink_to(root / "components")
    stack = yaml.safe_load((root / "Pulumi.dev.yaml").read_text())
    stack["config"]["container-delivery:services"] = [
        {"name": f"svc{i:03d}", "source": {"provider": "github", "repository": f"example-org/svc{i:03d}"}}
        for i in range(size)
    ]
    (project / "Pulumi.bench.yaml").write_text(yaml.safe_dump(stack))
    return project


def plan_command(project: Path, out: Path) -> list[str]:
    """The measured job: `preflight plan` of a fleet project's `bench` stack, writing its plan to `out`."""
    return [
        sys.executable,
        "-m",
        "preflight",
        "plan",
        "--stack",
        "bench",
        "--project-dir",
        str(project),
        "--json",
        str(out),
    ]


def cloud_resources(plan: Path) -> int:
    """How many cloud (custom) resources a written plan holds."""
    return sum(1 for r in json.loads(plan.read_text())["deployment"]["resources"] if r["custom"])


def preflight_sampler(size: int, workdir: Path) -> tuple[Callable[[], Sample], Path]:
    """One fresh `preflight plan` of a `size`-service fleet per call; also the plan's path."""
    project = fleet_project(size, workdir)
    out = project / "plan.json"
    command = plan_command(project, out)

    def sample() -> Sample:
        out.unlink(missing_ok=True)
        measured = run_child(command, cwd=ROOT)
        measured.resources = cloud_resources(out)
        return measured

    return sample, out


def cdk_sampler(size: int, workdir: Path) -> Callable[[], Sample] | None:
    """One fresh synth of the CDK peer per call, or None without the peer's virtualenv."""
    python = CDK_VENV / "bin" / "python"
    if not python.exists():
        return None
    env = {
        **os.environ,
        "N_SERVICES": str(size),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
    runs = itertools.count()

    def sample() -> Sample:
        out = workdir / f"cdk-{size}-{next(runs)}"
        measured = run_child([str(python), str(PEER / "app.py")], env={**env, "CDK_OUTDIR": str(out)})
        counted = json.loads(
            subprocess.run(
                [sys.executable, str(PEER / "count.py"), str(out)], capture_output=True, text=True, check=True
            ).stdout
        )
        measured.resources = int(counted["resources"])
        return measured

    return sample


def policy_throughput(plan: Path, target: int, runs: int) -> tuple[int, float]:
    """Resources per second of the whole pack over an export of >= target resources, made of
    copies of a measured plan with distinct URNs."""
    from policies.rules import pack_policies
    from preflight.verdicts import evaluate

    base = json.loads(plan.read_text())["deployment"]["resources"]
    copies = -(-target // len(base))
    resources = []
    for copy in range(copies):
        for state in base:
            clone = json.loads(json.dumps(state).replace("::", f"::c{copy}-", 1)) if copy else state
            resources.append(clone)
    policies = pack_policies()
    evaluate(resources[: len(base)], policies=policies)  # warm caches (policy_sentry lookups)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        evaluate(resources, policies=policies)
        times.append(time.perf_counter() - started)
    return len(resources), len(resources) / statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50, 100])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-cdk", action="store_true", help="skip the AWS CDK peer")
    parser.add_argument("--smoke", action="store_true", help="2 services, 1 run, no peer, small policy export")
    args = parser.parse_args()
    sizes, runs, cdk, policy_target = args.sizes, args.runs, not args.no_cdk, 10_000
    if args.smoke:
        sizes, runs, cdk, policy_target = [2], 1, False, 500

    # The steady state of a user's machine: the project's bytecode written once, as Python does on
    # first import (this machine sets PYTHONDONTWRITEBYTECODE; scripts/bootstrap compiles too).
    if not args.smoke:  # the smoke run only checks that the benchmark works; it writes nothing
        subprocess.run([sys.executable, "-m", "compileall", "-q", *PACKAGES], cwd=ROOT, check=True)
    rows = []
    medians: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for size in sizes:
            ours_sample, plan = preflight_sampler(size, workdir)
            peer_sample = cdk_sampler(size, workdir) if cdk else None
            # Alternate the two tools, so that a slow spell of the machine weighs on both alike.
            ours: list[Sample] = []
            peer: list[Sample] | None = [] if peer_sample else None
            for _ in range(runs):
                ours.append(ours_sample())
                if peer is not None and peer_sample:
                    peer.append(peer_sample())
            wall = statistics.median(s.wall for s in ours)
            medians[size] = wall
            peer_wall = statistics.median(s.wall for s in peer) if peer else None
            rows.append(
                f"| {size} | {ours[0].resources} | {wall:.2f} | {statistics.median(s.rss_mb for s in ours):.0f} | "
                f"{ours[0].resources / wall:.0f} | "
                + (
                    f"{peer[0].resources} | {peer_wall:.2f} | {statistics.median(s.rss_mb for s in peer):.0f} | "
                    f"{peer_wall / wall:.1f}x |"
                    if peer and peer_wall
                    else "- | - | - | - |"
                )
            )
        count, rate = policy_throughput(plan, policy_target, runs)

    print(f"preflight plan + policy verdicts, median of {runs} fresh processes; CDK peer: synth + cdk-nag\n")
    print(
        "| services | resources | wall s | peak RSS MB (all processes) | resources/s "
        "| CDK resources | CDK wall s | CDK RSS MB (all processes) | speed-up |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if 10 in medians and 50 in medians:
        print(f"\nt50 / t10 = {medians[50] / medians[10]:.2f}")
    print(f"\npolicy evaluation: {rate:,.0f} resources/s over {count:,} resources (median of {runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
