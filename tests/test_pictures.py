"""Pipeline pictures: drawn from the graph, and the README's copies are current."""

from __future__ import annotations

from pathlib import Path

from preflight.cli import main
from preflight.engine import PlanResult
from preflight.export import deployment
from preflight.mermaid import render
from preflight.pictures import refreshed
from tests.conftest import ROOT, plan


def edges(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in text.splitlines():
        if " --> " in line:
            left, right = line.strip().split(" --> ")
            pairs.append((left.split("[")[0], right.split("[")[0].split("{")[0].split("(")[0]))
    return pairs


def test_dev_picture_follows_the_pipeline_without_approval(dev_plan: PlanResult) -> None:
    text = render(deployment(dev_plan)["deployment"]["resources"])
    assert edges(text) == [
        ("web_Build", "web_Build_gate"),
        ("web_Source", "web_Build"),
        ("web_Build_gate", "web_Deploy"),
        ("web_Deploy", "web_Deploy_target"),
        ("web_Deploy", "web_Deploy_bake"),
        ("web_Deploy_bake", "web_Record"),
    ]
    assert "fails on HIGH or above" in text and "Manual approval" not in text
    assert "ECS rolling update, 1 tasks<br/>rolls back on 3 alarms or circuit breaker" in text
    assert "Bake gate<br/>3 alarms watched 5 min<br/>rollback on ALARM" in text


def test_prod_on_ecs_picture_shows_the_canary_and_its_bake() -> None:
    text = render(deployment(plan("prod", target="ecs"))["deployment"]["resources"])
    assert "ECS canary 10% for 5 min, bake 10 min, 2 tasks" in text
    assert "Bake gate<br/>3 alarms watched 10 min<br/>rollback on ALARM" in text
    assert ("web_Deploy_bake", "web_Record") in edges(text)


def test_prod_picture_approves_before_deploy(prod_plan: PlanResult) -> None:
    text = render(deployment(prod_plan)["deployment"]["resources"])
    assert ("web_Build_gate", "web_Approve") in edges(text)
    assert ("web_Approve", "web_Deploy") in edges(text)


def test_picture_reflects_settings_not_a_template() -> None:
    result = plan(
        "dev",
        scanSeverityThreshold="CRITICAL",
        services=[
            {"name": "web", "source": {"provider": "github", "repository": "o/web"}},
            {"name": "api", "source": {"provider": "codecommit", "repository": "api", "branch": "trunk"}},
        ],
    )
    text = render(deployment(result)["deployment"]["resources"])
    assert 'subgraph api["api"]' in text and 'subgraph web["web"]' in text
    assert "CodeCommit api @ trunk" in text
    assert text.count("fails on CRITICAL or above") == 2


def test_readme_pictures_are_current() -> None:
    _, stale = refreshed((ROOT / "README.md").read_text(), ROOT)
    assert stale == [], "run `python -m preflight docs` and commit README.md"


def test_stale_picture_is_detected_and_rewritten(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- pipeline:dev -->\n```mermaid\nflowchart LR\n```\n<!-- /pipeline:dev -->\nend\n")
    assert main(["docs", "--readme", str(readme), "--project-dir", str(ROOT), "--check"]) == 1
    assert main(["docs", "--readme", str(readme), "--project-dir", str(ROOT)]) == 0
    assert "web_Deploy_bake --> web_Record" in readme.read_text()
    assert readme.read_text().endswith("<!-- /pipeline:dev -->\nend\n")
    assert main(["docs", "--readme", str(readme), "--project-dir", str(ROOT), "--check"]) == 0


def test_plan_writes_the_picture(tmp_path: Path) -> None:
    out = tmp_path / "dev.mmd"
    assert main(["plan", "--stack", "dev", "--mermaid", str(out), "--project-dir", str(ROOT)]) == 0
    assert out.read_text().startswith("flowchart LR\n")
