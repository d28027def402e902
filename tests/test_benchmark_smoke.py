"""The benchmark script runs end to end (a 2-service smoke run); it measures, nothing here times it."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT


def test_benchmark_smoke_run_reports_a_row_and_policy_throughput() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("| 2 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert int(cells[1]) > 100  # resources of a 2-service fleet
    assert float(cells[2]) > 0 and float(cells[3]) > 0
    assert re.search(r"policy evaluation: [\d,]+ resources/s over [\d,]+ resources", result.stdout)
