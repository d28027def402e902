"""Shared fixtures: the real program run through preflight's engine, once per stack."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight.engine import PlanResult, Registration, run_program

__all__ = ["INSECURE", "ROOT", "insecure_project", "only", "plan", "policy_documents", "run_program"]

ROOT = Path(__file__).resolve().parent.parent
INSECURE = ROOT / "tests" / "programs" / "insecure"


def insecure_project(tmp_path: Path, stack_config: dict[str, object]) -> Path:
    """A copy of the insecure test program whose `test` stack has `stack_config` merged in."""
    project = tmp_path / "p"
    shutil.copytree(INSECURE, project)
    stack = yaml.safe_load((INSECURE / "Pulumi.test.yaml").read_text())
    stack["config"].update(stack_config)
    (project / "Pulumi.test.yaml").write_text(yaml.safe_dump(stack))
    return project


def plan(stack: str, **overrides: Any) -> PlanResult:
    """Run `__main__.py` for `stack`; `overrides` replace project-level config keys."""
    return run_program(ROOT, stack, overrides or None)


@pytest.fixture(scope="session")
def dev_plan() -> PlanResult:
    return plan("dev")


@pytest.fixture(scope="session")
def prod_plan() -> PlanResult:
    return plan("prod")


def only(result: PlanResult, type_: str, name: str | None = None) -> Registration:
    """The single resource of `type_` (and logical `name`, when given)."""
    matches = [r for r in result.resources if r.type == type_ and (name is None or r.name == name)]
    assert len(matches) == 1, f"expected one {type_} {name or ''}, found {[m.name for m in matches]}"
    return matches[0]


def policy_documents(result: PlanResult) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every IAM-style JSON document in the plan: (urn, property, parsed document)."""
    fields = {
        "aws:iam/role:Role": ("assumeRolePolicy",),
        "aws:iam/rolePolicy:RolePolicy": ("policy",),
        "aws:iam/policy:Policy": ("policy",),
        "aws:kms/key:Key": ("policy",),
        "aws:s3/bucketPolicy:BucketPolicy": ("policy",),
        "aws:ecr/repositoryPolicy:RepositoryPolicy": ("policy",),
        "aws:sns/topicPolicy:TopicPolicy": ("policy",),
    }
    for reg in result.resources:
        for prop in fields.get(reg.type, ()):
            raw = reg.inputs.get(prop)
            if raw:
                yield reg.urn, prop, json.loads(raw) if isinstance(raw, str) else raw


def cached_bootstrap(stack: str) -> str:
    """The default bootstrap image as the stack pulls it: through its ECR Public cache rule, by digest."""
    digest = "sha256:200689790a0a0ea48ca45992e0450bc26ccab5307375b41c84dfc4f2475937ab"
    return f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{stack}/ecr-public/traefik/whoami:v1.11.0@{digest}"
