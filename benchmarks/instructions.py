"""Instructions, not seconds: the CPU work of `preflight plan` for fleets of services, counted by
valgrind's callgrind, optionally beside another commit's.

    .venv/bin/python benchmarks/instructions.py --sizes 1 50               # this checkout
    .venv/bin/python benchmarks/instructions.py --sizes 1 50 --ref 0298956  # and that commit

Wall time on a shared 2-core machine moves 10-25% between runs, which hides a 5% change; an
instruction count moves by a fraction of a percent (hash seed fixed), so this is how a change's
cost is compared with a commit's. What is counted is the `python -m preflight plan` process:
start-up, imports, the program under mocks, the export, the summary and the `--json` file. The
policy worker is not counted: it loads and judges on the other core while the program runs
(`preflight/judge.py`), and `benchmarks/run.py` measures the wall time that results.

The other commit is checked out in a temporary git worktree and run with this checkout's
virtualenv, with the same fleets (`run.fleet_project`, dev settings, `size` services). Needs
valgrind (Debian: valgrind); a count takes about 45 times the run's own time (a minute for one
service, four for fifty). Counts are printed as a Markdown table; nothing here asserts a count.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from run import PACKAGES, ROOT, cloud_resources, fleet_project, plan_command

COLLECTED = re.compile(r"Collected : (\d+)")


@contextmanager
def checkout(ref: str | None, workdir: Path) -> Iterator[Path]:
    """This checkout, or `ref` in a temporary worktree removed afterwards."""
    if ref is None:
        yield ROOT
        return
    tree = workdir / "ref"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), ref], cwd=ROOT, check=True)
    try:
        yield tree
    finally:
        # Not check=True: a failed removal must not hide the error that ended the count.
        removed = subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
        if removed.returncode != 0:
            print(f"warning: could not remove the worktree {tree}: `git worktree prune` clears it", file=sys.stderr)


def count(tree: Path, size: int, workdir: Path) -> tuple[int, int]:
    """(instructions, cloud resources) of one `preflight plan` of a `size`-service fleet of `tree`."""
    project = fleet_project(size, workdir, tree)
    plan = project / "plan.json"
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *plan_command(project, plan)]
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(tree)}
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"preflight plan of {size} services in {tree} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1)), cloud_resources(plan)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--ref", help="a commit to count beside this checkout")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("error: valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp, checkout(args.ref, Path(tmp)) as ref_tree:
        workdir = Path(tmp)
        for tree in {ROOT, ref_tree}:
            # Bytecode written once, as on a user's machine (see benchmarks/run.py).
            packages = [p for p in PACKAGES if (tree / p).is_dir()]
            subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], cwd=tree, check=True)
        for size in sorted(set(args.sizes)):
            (workdir / "ours").mkdir(exist_ok=True)
            ours, resources = count(ROOT, size, workdir / "ours")
            row = f"| {size} | {resources} | {ours / 1e9:.2f} |"
            if args.ref:
                (workdir / "theirs").mkdir(exist_ok=True)
                theirs, their_resources = count(ref_tree, size, workdir / "theirs")
                row += f" {their_resources} | {theirs / 1e9:.2f} | {100 * (ours - theirs) / theirs:+.1f}% |"
            rows.append(row)
    print("instructions of the `preflight plan` process (callgrind, PYTHONHASHSEED=0), billions\n")
    header = "| services | resources | instructions |"
    if args.ref:
        header += f" resources at {args.ref} | instructions at {args.ref} | change |"
    print(header)
    print("|" + "---|" * header.count(" | ") + "---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
