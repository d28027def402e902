"""The generated buildspec: valid YAML, phases in order, every line valid bash, correct ECR login."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from components.buildspec import (
    BUILD_VARIABLES,
    EXPORTED_VARIABLES,
    LOGIN,
    PIPELINE_VARIABLES,
    buildspec_document,
    render_buildspec,
)
from preflight.engine import PlanResult
from tests.conftest import only

SPEC = yaml.safe_load(render_buildspec())
COMMANDS = [(phase, c) for phase, body in SPEC["phases"].items() for c in body["commands"]]


def test_round_trips_through_yaml() -> None:
    assert buildspec_document() == SPEC
    assert SPEC["version"] == 0.2


def test_phases_in_order_and_abort_on_failure() -> None:
    assert list(SPEC["phases"]) == ["pre_build", "build", "post_build"]
    assert all(body["on-failure"] == "ABORT" for body in SPEC["phases"].values())


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is needed to syntax-check the commands")
@pytest.mark.parametrize(("phase", "command"), COMMANDS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(COMMANDS)])
def test_every_command_is_valid_bash(phase: str, command: str) -> None:
    result = subprocess.run(["bash", "-n"], input=command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_bash_check_catches_a_broken_line() -> None:
    """Negative control: the syntax check above is able to fail."""
    result = subprocess.run(
        ["bash", "-n"], input='if [ -z "$X" ]; then echo', capture_output=True, text=True, check=False
    )
    assert result.returncode != 0


def test_ecr_login_is_piped_not_command_substituted() -> None:
    logins = [c for _, c in COMMANDS if "get-login-password" in c]
    assert logins == [LOGIN]
    assert re.fullmatch(
        r'aws ecr get-login-password --region "\$AWS_REGION" \| docker login --username AWS --password-stdin "\S+"',
        LOGIN,
    )
    assert not any(c.lstrip().startswith("$(aws ecr") for _, c in COMMANDS)


def test_order_tests_then_push_then_scan_gate_then_definitions() -> None:
    text = [c for _, c in COMMANDS]

    def index(fragment: str) -> int:
        return next(i for i, c in enumerate(text) if fragment in c)

    push = 'docker push "$REPOSITORY_URI:$IMAGE_TAG"'
    assert index("get-login-password") < index('--target "$TEST_TARGET"') < index(push)
    assert index(push) < index("wait image-scan-complete") < index("BLOCKING=") < index("imagedefinitions.json")


def test_images_are_tagged_with_the_commit_and_deployed_by_digest() -> None:
    text = "\n".join(c for _, c in COMMANDS)
    assert 'IMAGE_TAG="${COMMIT_ID:-$CODEBUILD_RESOLVED_SOURCE_VERSION}"' in text
    assert '--tag "$REPOSITORY_URI:$IMAGE_TAG" --tag "$CACHE_REPOSITORY_URI:buildcache"' in text
    assert '&& docker push "$REPOSITORY_URI:$IMAGE_TAG" &&' in text
    assert 'IMAGE_URI="$REPOSITORY_URI@$IMAGE_DIGEST"' in text
    assert '"$CONTAINER_NAME" "$IMAGE_URI" > imagedefinitions.json' in text
    assert "imagedefinitions.json" in SPEC["artifacts"]["files"]


def _builds() -> list[str]:
    return [c for _, c in COMMANDS if "docker buildx build" in c]


def test_builder_is_the_engines_own_buildkit_which_pulls_no_image() -> None:
    """Given the build commands, then no buildx builder is created (the docker-container driver
    would pull moby/buildkit from Docker Hub) and every build names the engine's default builder."""
    text = "\n".join(c for _, c in COMMANDS)
    assert "buildx create" not in text
    assert "docker-container" not in text
    assert len(_builds()) == 2
    assert all("docker buildx build --builder default " in c for c in _builds())


def test_base_images_come_through_the_pull_through_cache() -> None:
    assert all('--build-arg BASE_REGISTRY="$BASE_REGISTRY"' in c for c in _builds())
    assert "BASE_REGISTRY" in BUILD_VARIABLES


def test_layer_cache_lives_in_the_cache_repository_one_inline_cached_image_per_stage() -> None:
    """The docker driver cannot export a registry cache (`--cache-to type=registry`), so each stage
    is pushed with its cache inline to the mutable cache repository, and both are imported."""
    test_build, runtime_build = _builds()
    for build in (test_build, runtime_build):
        assert "--build-arg BUILDKIT_INLINE_CACHE=1" in build
        assert '--cache-from "$CACHE_REPOSITORY_URI:test" --cache-from "$CACHE_REPOSITORY_URI:buildcache"' in build
        assert "--cache-to" not in build
    assert test_build.endswith(
        '--tag "$CACHE_REPOSITORY_URI:test" "$BUILD_CONTEXT" && docker push "$CACHE_REPOSITORY_URI:test"; fi'
    )
    assert runtime_build.endswith('&& docker push "$CACHE_REPOSITORY_URI:buildcache"; fi')


def test_exported_variables() -> None:
    assert SPEC["env"]["exported-variables"] == list(EXPORTED_VARIABLES)
    assigned = {c.split("=", 1)[0] for _, c in COMMANDS if re.match(r"^[A-Z_]+=", c)}
    assert set(EXPORTED_VARIABLES) <= assigned


def test_every_variable_used_is_set_by_project_pipeline_or_buildspec(dev_plan: PlanResult) -> None:
    project = only(dev_plan, "aws:codebuild/project:Project", "web-build")
    on_project = {v["name"] for v in project.inputs["environment"]["environmentVariables"]}
    assert on_project == set(BUILD_VARIABLES)
    assert project.inputs["source"]["buildspec"] == render_buildspec()
    used = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", "\n".join(c for _, c in COMMANDS)))
    assigned = {c.split("=", 1)[0] for _, c in COMMANDS if re.match(r"^[A-Z_]+=", c)}
    codebuild = {"AWS_REGION", "CODEBUILD_RESOLVED_SOURCE_VERSION"}
    assert used <= set(BUILD_VARIABLES) | set(PIPELINE_VARIABLES) | assigned | codebuild


def test_scan_gate_counts_only_blocking_severities(tmp_path) -> None:
    """Run the gate's jq program on a findings file, as the build does."""
    jq = shutil.which("jq")
    if jq is None:
        pytest.skip("jq is not installed here; CodeBuild's standard images have it")
    gate = next(c for _, c in COMMANDS if c.startswith("BLOCKING="))
    program = re.search(r"'(.+)'", gate).group(1)  # type: ignore[union-attr]
    findings = tmp_path / "f.json"
    findings.write_text('{"HIGH": 2, "MEDIUM": 5, "LOW": 1}')
    for severities, expected in (("CRITICAL", "0"), ("CRITICAL,HIGH", "2"), ("CRITICAL,HIGH,MEDIUM", "7")):
        out = subprocess.run([jq, "--arg", "s", severities, program, str(findings)], capture_output=True, text=True)
        assert out.stdout.strip() == expected
    findings.write_text("null")
    out = subprocess.run([jq, "--arg", "s", "CRITICAL,HIGH", program, str(findings)], capture_output=True, text=True)
    assert out.stdout.strip() == "0"
